package stream

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestEncodingRoundTrip encodes streams built by random command
// sequences, decodes them, and requires the same encoding and the same
// replies to further random commands on the original, the decoded copy
// and a Clone.
func TestEncodingRoundTrip(t *testing.T) {
	for seed := range 40 {
		r := rand.New(rand.NewPCG(uint64(seed), 9))
		m := newModel()
		m.cfg = Config{NodeMaxBytes: 200, NodeMaxEntries: 4}
		g := &gen{r: r, m: m, keys: []string{"s"}}
		now := int64(1_000_000)
		for range 300 {
			now++
			m.exec(toBytes(g.command()), now)
		}
		s := m.streams["s"]
		if s == nil {
			continue
		}
		enc := s.AppendBinary(nil)
		d, err := Decode(enc)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if again := d.AppendBinary(nil); !bytes.Equal(enc, again) {
			t.Fatalf("seed %d: re-encoding differs", seed)
		}
		if err := checkInvariants(d); err != nil {
			t.Fatalf("seed %d: decoded: %v", seed, err)
		}
		copies := []*model{newModel(), newModel()}
		copies[0].streams["s"], copies[1].streams["s"] = d, s.Clone()
		for _, c := range copies {
			c.cfg = m.cfg
		}
		for step := range 300 {
			now++
			argv := toBytes(g.command())
			want, wantProp := m.exec(argv, now)
			for i, c := range copies {
				got, gotProp := c.exec(argv, now)
				if canon(got) != canon(want) || len(gotProp) != len(wantProp) {
					t.Fatalf("seed %d step %d copy %d: %q\n got %s\nwant %s", seed, step, i, argv, canon(got), canon(want))
				}
			}
		}
	}
}

// FuzzDecode feeds arbitrary bytes to Decode: it must not panic, and
// what it accepts must round-trip and survive commands.
func FuzzDecode(f *testing.F) {
	m := newModel()
	m.cfg = Config{NodeMaxBytes: 100, NodeMaxEntries: 3}
	for _, c := range []string{"XADD s 1-1 a 1 b 2", "XADD s 1-2 a 3 b 4", "XADD s 1-3 x y", "XDEL s 1-2",
		"XGROUP CREATE s g 0", "XREADGROUP GROUP g c COUNT 2 STREAMS s >", "XGROUP CREATECONSUMER s g d"} {
		m.exec(bytes.Fields([]byte(c)), 5)
	}
	f.Add(m.streams["s"].AppendBinary(nil))
	f.Add(New().AppendBinary(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		// Varints may be spelled longer than needed, so compare the
		// re-encoding with its own round trip.
		again := s.AppendBinary(nil)
		s2, err := Decode(again)
		if err != nil || !bytes.Equal(s2.AppendBinary(nil), again) {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
		m := newModel()
		m.streams["s"] = s
		for _, c := range []string{"XADD s * a 1", "XRANGE s - +", "XREVRANGE s + - COUNT 3", "XDEL s 1-1 1-2",
			"XTRIM s MAXLEN ~ 1", "XREADGROUP GROUP g c STREAMS s 0", "XAUTOCLAIM s g c 0 0", "XINFO STREAM s FULL",
			"XPENDING s g - + 10", "XTRIM s MINID 5"} {
			m.exec(bytes.Fields([]byte(c)), 7)
		}
	})
}
