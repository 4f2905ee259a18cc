package cluster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleHeader(t MsgType) Msg {
	m := Msg{
		Type:         t,
		Port:         7000,
		CurrentEpoch: 0x0102030405060708,
		ConfigEpoch:  0x1112131415161718,
		Offset:       0x2122232425262728,
		Sender:       NameOf("0123456789abcdef0123456789abcdef01234567"),
		SlaveOf:      NameOf("fedcba9876543210fedcba9876543210fedcba98"),
		MyIP:         IPOf("10.0.0.1"),
		PPort:        7001,
		CPort:        17000,
		Flags:        FlagMaster | FlagMyself,
		State:        StateFail,
		MFlags:       [3]byte{MFlag0Paused, 0, 0},
	}
	m.MySlots.Set(0)
	m.MySlots.Set(16383)
	return m
}

// TestHeaderOffsets checks that each header field lands at the offset the
// static_asserts of cluster.h state, in network byte order.
func TestHeaderOffsets(t *testing.T) {
	m := sampleHeader(TypeFail)
	m.About = NameOf("aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd")
	m.Extensions = 0x0a0b
	m.Reserved[0], m.Reserved[29] = 0xab, 0xcd
	b := m.Marshal()
	u16 := func(off int) uint64 { return uint64(binary.BigEndian.Uint16(b[off:])) }
	u32 := func(off int) uint64 { return uint64(binary.BigEndian.Uint32(b[off:])) }
	u64 := func(off int) uint64 { return binary.BigEndian.Uint64(b[off:]) }
	for _, c := range []struct {
		field string
		got   uint64
		want  uint64
	}{
		{"totlen@4", u32(4), 2256 + 40},
		{"ver@8", u16(8), 1},
		{"port@10", u16(10), 7000},
		{"type@12", u16(12), 3},
		{"count@14", u16(14), 0},
		{"currentEpoch@16", u64(16), 0x0102030405060708},
		{"configEpoch@24", u64(24), 0x1112131415161718},
		{"offset@32", u64(32), 0x2122232425262728},
		{"myslots@80 slot 0", uint64(b[80]), 1},
		{"myslots@80 slot 16383", uint64(b[80+2047]), 0x80},
		{"extensions@2214", u16(2214), 0x0a0b},
		{"notused1@2216 first byte", uint64(b[2216]), 0xab},
		{"notused1@2216 last byte", uint64(b[2245]), 0xcd},
		{"pport@2246", u16(2246), 7001},
		{"cport@2248", u16(2248), 17000},
		{"flags@2250", u16(2250), 17},
		{"state@2252", uint64(b[2252]), 1},
		{"mflags@2253", uint64(b[2253]), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.field, c.got, c.want)
		}
	}
	for _, c := range []struct {
		field string
		off   int
		want  string
	}{
		{"sig@0", 0, "RCmb"},
		{"sender@40", 40, "0123456789abcdef0123456789abcdef01234567"},
		{"slaveof@2128", 2128, "fedcba9876543210fedcba9876543210fedcba98"},
		{"myip@2168", 2168, "10.0.0.1\x00"},
		{"fail.about@2256", 2256, "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd"},
	} {
		if got := string(b[c.off : c.off+len(c.want)]); got != c.want {
			t.Errorf("%s = %q, want %q", c.field, got, c.want)
		}
	}
	if len(b) != 2296 {
		t.Errorf("FAIL message is %d bytes, want 2296", len(b))
	}
}

func TestGossipEntryLayout(t *testing.T) {
	m := sampleHeader(TypePing)
	g := Gossip{
		Name: NameOf("1111111111222222222233333333334444444444"), PingSentSec: 0xa1a2a3a4,
		PongReceivedSec: 0xb1b2b3b4, IP: IPOf("192.168.1.20"), Port: 6379, CPort: 16379,
		Flags: FlagSlave | FlagPFail, PPort: 6380,
	}
	m.Gossip = []Gossip{g, g}
	b := m.Marshal()
	if len(b) != HeaderLen+2*104 {
		t.Fatalf("PING with 2 gossip entries is %d bytes, want %d", len(b), HeaderLen+2*104)
	}
	e := b[HeaderLen+104:]
	be := binary.BigEndian
	if string(e[:40]) != g.Name.String() || be.Uint32(e[40:]) != 0xa1a2a3a4 || be.Uint32(e[44:]) != 0xb1b2b3b4 ||
		string(e[48:61]) != "192.168.1.20\x00" || be.Uint16(e[94:]) != 6379 || be.Uint16(e[96:]) != 16379 ||
		be.Uint16(e[98:]) != 6 || be.Uint16(e[100:]) != 6380 || be.Uint16(e[102:]) != 0 {
		t.Fatalf("second gossip entry laid out wrong: % x", e[:104])
	}
	if be.Uint16(b[14:]) != 2 {
		t.Fatalf("count = %d, want 2", be.Uint16(b[14:]))
	}
}

func roundTrip(t *testing.T, m Msg, wantLen int) {
	t.Helper()
	b := m.Marshal()
	if len(b) != wantLen || m.Len() != wantLen {
		t.Fatalf("%s: marshaled %d bytes (Len %d), want %d", m.Type, len(b), m.Len(), wantLen)
	}
	if n, err := FrameLen(b[:8]); err != nil || n != wantLen {
		t.Fatalf("%s: FrameLen = %d, %v; want %d", m.Type, n, err, wantLen)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatalf("%s: Parse: %v", m.Type, err)
	}
	if !bytes.Equal(got.Marshal(), b) {
		t.Fatalf("%s: parsed message marshals to other bytes", m.Type)
	}
	m.TotLen = uint32(wantLen)
	if m.Type.isPing() {
		m.Count, m.Extensions = uint16(len(m.Gossip)), uint16(len(m.Exts))
		if len(m.Exts) > 0 {
			m.MFlags[0] |= MFlag0ExtData
		}
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("%s: parsed\n%+v\nwant\n%+v", m.Type, got, m)
	}
}

func TestRoundTrips(t *testing.T) {
	g := Gossip{Name: NameOf("1111111111222222222233333333334444444444"), PingSentSec: 5,
		PongReceivedSec: 6, IP: IPOf("127.0.0.1"), Port: 30001, CPort: 40001, Flags: FlagMaster}

	ping := sampleHeader(TypePing)
	roundTrip(t, ping, 2256)
	ping.Gossip = []Gossip{g, g, g}
	roundTrip(t, ping, 2256+3*104)
	ping.Exts = []PingExt{HostnameExt("host-1")} // 6 bytes + NUL, padded to 8
	roundTrip(t, ping, 2256+3*104+16)
	ping.Exts = []PingExt{HostnameExt("node-7.example.com")} // 19 -> 24
	roundTrip(t, ping, 2256+3*104+8+24)
	if h := ping.Hostname(); h != "node-7.example.com" {
		t.Fatalf("Hostname() = %q", h)
	}
	meet := sampleHeader(TypeMeet)
	roundTrip(t, meet, 2256)
	pong := sampleHeader(TypePong)
	pong.Gossip = []Gossip{g}
	roundTrip(t, pong, 2360)

	fail := sampleHeader(TypeFail)
	fail.About = g.Name
	roundTrip(t, fail, 2296)

	pub := sampleHeader(TypePublish)
	pub.Channel, pub.Message = []byte("ch"), []byte("hello")
	roundTrip(t, pub, 2256+8+2+5) // 16-byte struct less its 8 placeholder bytes
	pub.Type = TypePublishShard
	pub.Message = nil
	roundTrip(t, pub, 2256+8+2)

	for _, ty := range []MsgType{TypeFailoverAuthRequest, TypeFailoverAuthAck, TypeMFStart} {
		m := sampleHeader(ty)
		m.MFlags[0] = MFlag0ForceAck
		roundTrip(t, m, 2256)
	}

	up := sampleHeader(TypeUpdate)
	up.Update = &Update{ConfigEpoch: 9, Name: g.Name}
	up.Update.Slots.Set(100)
	roundTrip(t, up, 2256+2096)
	if up.Len() != MaxMsgLen {
		t.Fatalf("UPDATE is %d bytes; sizeof(clusterMsg) is %d", up.Len(), MaxMsgLen)
	}

	mod := sampleHeader(TypeModule)
	mod.Module = Module{ID: 0x0102030405060708, Type: 200, Payload: []byte("payload")}
	roundTrip(t, mod, 2256+13+7) // 16-byte struct less its 3 placeholder bytes
	b := mod.Marshal()
	if b[2256] != 0x08 || binary.BigEndian.Uint32(b[2264:]) != 7 || b[2268] != 200 || string(b[2269:]) != "payload" {
		t.Fatalf("MODULE body laid out wrong: % x", b[2256:])
	}

	unknown := sampleHeader(42)
	unknown.Body = []byte("anything at all")
	roundTrip(t, unknown, 2256+15)
}

func TestFrameLen(t *testing.T) {
	m := sampleHeader(TypePing)
	b := m.Marshal()
	for n := range 8 {
		if got, err := FrameLen(b[:n]); got != 8 || err != nil {
			t.Fatalf("FrameLen of %d bytes = %d, %v; want 8 (read the first 8 bytes)", n, got, err)
		}
	}
	bad := append([]byte(nil), b...)
	bad[0] = 'X'
	_, err := FrameLen(bad)
	requireClose(t, err, "signature")
	short := append([]byte(nil), b...)
	binary.BigEndian.PutUint32(short[4:], 2255)
	_, err = FrameLen(short)
	requireClose(t, err, "totlen 2255")
}

func requireClose(t *testing.T, err error, says string) {
	t.Helper()
	var pe *PacketError
	if !errors.As(err, &pe) || !pe.CloseLink || pe.Log != badFrameLog || !strings.Contains(pe.Error(), says) {
		t.Fatalf("got %v, want a link-closing error saying %q", err, says)
	}
}

// TestParseRefuses covers each check of clusterProcessPacket.
func TestParseRefuses(t *testing.T) {
	g := Gossip{Name: NameOf("1111111111222222222233333333334444444444")}
	ping := sampleHeader(TypePing)
	ping.Gossip = []Gossip{g}
	ping.Exts = []PingExt{HostnameExt("h")}
	good := ping.Marshal()
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	setTot := func(b []byte) []byte { binary.BigEndian.PutUint32(b[4:], uint32(len(b))); return b }
	for _, c := range []struct {
		name    string
		buf     []byte
		log     string // "" when Redis drops silently
		reason  string
		closeLk bool
	}{
		{"version", edit(func(b []byte) []byte { b[9] = 2; return b }), "", "protocol version 2", false},
		{"count too high", edit(func(b []byte) []byte { b[15] = 2; return b }), "", "past the", false},
		{"unpadded ext", edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[2360:], 12); return b }),
			"Received a ping packet without proper padding (12 bytes)", "not a multiple of 8", false},
		{"ext past end", edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[2360:], 24); return b }),
			"Received invalid ping packet with extension data that exceeds total packet length (2376)", "runs past", false},
		{"trailing bytes", edit(func(b []byte) []byte { return setTot(append(b, make([]byte, 8)...)) }),
			"Received invalid ping packet of length 2384 but expected length 2376", "make it 2376", false},
		{"ext count without flag", edit(func(b []byte) []byte { b[2253] = 0; return b }), "", "without the extension flag", false},
		{"buffer longer than totlen", append(append([]byte(nil), good...), 0), "", "buffer holds 2377 bytes", false},
		{"buffer shorter than totlen", good[:2300], "", "buffer holds 2300 bytes, the header's totlen says 2376", false},
		{"fewer than 8 bytes", good[:7], "", "fewer than the 8", false},
		{"bad signature", edit(func(b []byte) []byte { b[3] = 'B'; return b }), badFrameLog, "signature", true},
	} {
		_, err := Parse(c.buf)
		var pe *PacketError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Parse = %v, want a *PacketError", c.name, err)
			continue
		}
		if pe.Log != c.log || pe.CloseLink != c.closeLk || !strings.Contains(pe.Reason, c.reason) {
			t.Errorf("%s: got %+v, want log %q, close %v, reason containing %q", c.name, *pe, c.log, c.closeLk, c.reason)
		}
	}

	// Without the extension flag the extension bytes are not counted.
	noFlag := sampleHeader(TypePing)
	noFlag.Gossip = []Gossip{g}
	b := noFlag.Marshal()
	b = append(b, 0, 0, 0, 8, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
	if _, err := Parse(b); err == nil || !strings.Contains(err.(*PacketError).Log, "of length 2368 but expected length 2360") {
		t.Errorf("extension bytes without the flag: got %v", err)
	}

	for _, c := range []struct {
		ty   MsgType
		body []byte
		log  string
	}{
		{TypeFail, make([]byte, 39), "Received invalid fail packet of length 2295 but expected length 2296"},
		{TypeUpdate, make([]byte, 2095), "Received invalid update packet of length 4351 but expected length 4352"},
		{TypeFailoverAuthAck, make([]byte, 1), "Received invalid auth-ack packet of length 2257 but expected length 2256"},
		{TypeMFStart, make([]byte, 8), "Received invalid mfstart packet of length 2264 but expected length 2256"},
		{TypePublish, []byte{0, 0, 0, 2, 0, 0, 0, 3, 'a', 'b', 'c', 'd'}, "Received invalid publish packet of length 2268 but expected length 2269"},
		{TypeModule, []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1, 9}, "Received invalid module packet of length 2269 but expected length 2270"},
	} {
		m := sampleHeader(42)
		m.Body = c.body
		b := m.Marshal()
		binary.BigEndian.PutUint16(b[12:], uint16(c.ty))
		_, err := Parse(b)
		var pe *PacketError
		if !errors.As(err, &pe) || pe.Log != c.log || pe.CloseLink {
			t.Errorf("%s with a %d-byte body: got %v (log %q), want log %q", c.ty, len(c.body), err, logOf(err), c.log)
		}
	}
	// A publish whose lengths wrap around 32 bits to the right total is
	// refused, not sliced out of bounds.
	m := sampleHeader(42)
	m.Body = []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 3, 'a', 'b'}
	b = m.Marshal()
	binary.BigEndian.PutUint16(b[12:], uint16(TypePublish))
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Errorf("wrapping publish lengths: got %v", err)
	}
}

func logOf(err error) string {
	var pe *PacketError
	if errors.As(err, &pe) {
		return pe.Log
	}
	return ""
}

func TestTypeNamesAndFlags(t *testing.T) {
	if TypePublishShard.String() != "publishshard" || TypeFailoverAuthRequest.String() != "auth-req" || MsgType(11).String() != "unknown" {
		t.Fatal("message type names differ from clusterGetMessageTypeString")
	}
	for f, want := range map[NodeFlags]string{
		0: "noflags", FlagMyself | FlagMaster: "myself,master", FlagSlave | FlagFail: "slave,fail",
		FlagMeet | FlagMigrateTo: "noflags", FlagPFail | FlagNoAddr | FlagHandshake | FlagNoFailover: "fail?,handshake,noaddr,nofailover",
	} {
		if got := f.String(); got != want {
			t.Errorf("NodeFlags(%d) = %q, want %q", f, got, want)
		}
	}
}

// benchPing is a PING as a node of a 6-node cluster sends it: three
// gossip entries, no extension.
func benchPing() Msg {
	m := sampleHeader(TypePing)
	for i := range 3 {
		m.Gossip = append(m.Gossip, Gossip{Name: NameOf(strings.Repeat(string(rune('a'+i)), 40)),
			PingSentSec: 1733200000, PongReceivedSec: 1733200001, IP: IPOf("10.0.0.2"), Port: 7001, CPort: 17001, Flags: FlagMaster})
	}
	return m
}

func BenchmarkMarshalPing(b *testing.B) {
	m := benchPing()
	buf := make([]byte, 0, m.Len())
	b.SetBytes(int64(m.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf = m.AppendTo(buf[:0])
	}
}

func BenchmarkParsePing(b *testing.B) {
	m := benchPing()
	buf := m.Marshal()
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(buf); err != nil {
			b.Fatal(err)
		}
	}
}
