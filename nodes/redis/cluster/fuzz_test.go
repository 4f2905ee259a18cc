package cluster

import (
	"bytes"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must not panic, and whatever it
// accepts must marshal back to the very same bytes.
func FuzzParse(f *testing.F) {
	g := Gossip{Name: NameOf(idB), IP: IPOf("127.0.0.1"), Port: 1, CPort: 2, Flags: FlagMaster}
	ping := sampleHeader(TypePing)
	ping.Gossip = []Gossip{g}
	ping.Exts = []PingExt{HostnameExt("h")}
	pub := sampleHeader(TypePublish)
	pub.Channel, pub.Message = []byte("c"), []byte("m")
	mod := sampleHeader(TypeModule)
	mod.Module.Payload = []byte("p")
	up := sampleHeader(TypeUpdate)
	up.Update = &Update{}
	for _, m := range []Msg{ping, pub, mod, up, sampleHeader(TypeFail), sampleHeader(TypeMFStart), sampleHeader(99)} {
		f.Add(m.Marshal())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := FrameLen(b)
		if err == nil && n <= len(b) {
			b = b[:n]
		}
		m, err := Parse(b)
		if err != nil {
			return
		}
		if out := m.Marshal(); !bytes.Equal(out, b) {
			t.Fatalf("accepted %d bytes that marshal back to %d other bytes", len(b), len(out))
		}
	})
}

// FuzzParseConfig feeds ParseConfig arbitrary files: it must not panic,
// and a refusal must come with Redis's log line and no config.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(sampleConf))
	f.Add([]byte(idA + " h:1@2 myself - 0 0 0 connected [5-<-" + idB + "] 0-1 \"x\\x41\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if ce, ok := err.(*ConfigError); ok {
			if ce.Log == "" || c.Nodes != nil {
				t.Fatalf("refusal without a log line, or with a config: %v %+v", err, c)
			}
			return
		}
		if err == nil {
			if c.Myself() == nil {
				t.Fatal("accepted a config without myself")
			}
			_ = c.Format()
		}
	})
}
