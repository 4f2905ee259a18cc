package cluster

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// The sha256 of crc16tab of Redis 7.0.15's crc16.c, as 256 big-endian
// 16-bit words.
const redisCRC16TableSHA256 = "e4537e4ac69bf8c22ae98bcbf35a76cae77c7c025d6222c4e4390ec962c10881"

func TestCRC16TableIsRedis(t *testing.T) {
	var b []byte
	for _, v := range crc16Table {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != redisCRC16TableSHA256 {
		t.Fatalf("crc16 table sha256 %s, Redis's is %s", got, redisCRC16TableSHA256)
	}
	for i, want := range map[int]uint16{0: 0x0000, 1: 0x1021, 17: 0x0210, 128: 0x9188, 255: 0x1ef0} {
		if crc16Table[i] != want {
			t.Errorf("crc16Table[%d] = %#04x, want %#04x", i, crc16Table[i], want)
		}
	}
}

func TestCRC16CheckValue(t *testing.T) {
	// The catalogue check value of CRC-16/XMODEM.
	if got := crc16([]byte("123456789")); got != 0x31c3 {
		t.Fatalf("crc16(123456789) = %#04x, want 0x31c3", got)
	}
	if got := crc16(nil); got != 0 {
		t.Fatalf("crc16 of nothing = %#04x, want 0", got)
	}
}

func TestKeyHashSlot(t *testing.T) {
	// Values from the Redis documentation and CLUSTER KEYSLOT of 7.0.15.
	for key, want := range map[string]int{
		"somekey":       11058,
		"foo":           12182,
		"foo{hash_tag}": 2515,
		"":              0,
	} {
		if got := KeyHashSlot([]byte(key)); got != want {
			t.Errorf("KeyHashSlot(%q) = %d, want %d", key, got, want)
		}
	}
	whole := func(k string) int { return int(crc16([]byte(k)) & 0x3fff) }
	tag := func(k string) int { return int(crc16([]byte(k)) & 0x3fff) }
	for _, c := range []struct {
		key, why string
		want     int
	}{
		{"{user1000}.following", "the tag is hashed", tag("user1000")},
		{"{user1000}.followers", "same tag, same slot", tag("user1000")},
		{"foo{}{bar}", "an empty first tag hashes the whole key", whole("foo{}{bar}")},
		{"foo{{bar}}zap", "the tag runs from the first { to the next }", tag("{bar")},
		{"foo{bar}{zap}", "only the first tag counts", tag("bar")},
		{"{}", "empty tag", whole("{}")},
		{"{", "no closing brace", whole("{")},
		{"}{a}", "a } before the { is ordinary", tag("a")},
		{"a{b", "no closing brace after the {", whole("a{b")},
		{"{a}", "whole key is a tag", tag("a")},
		{"x{\x00}", "a NUL byte is a tag like any other", tag("\x00")},
	} {
		if got := KeyHashSlot([]byte(c.key)); got != c.want {
			t.Errorf("KeyHashSlot(%q) = %d, want %d: %s", c.key, got, c.want, c.why)
		}
	}
}

// BenchmarkKeyHashSlot hashes a 32-byte key without a tag.
func BenchmarkKeyHashSlot(b *testing.B) {
	key := []byte("user:1000:followers:2024-12-03:x")
	b.SetBytes(int64(len(key)))
	for b.Loop() {
		KeyHashSlot(key)
	}
}

// BenchmarkKeyHashSlotTagged finds the tag of a 32-byte key and hashes
// its 4 bytes.
func BenchmarkKeyHashSlotTagged(b *testing.B) {
	key := []byte("user:{1000}:followers:2024-12-03")
	b.SetBytes(int64(len(key)))
	for b.Loop() {
		KeyHashSlot(key)
	}
}
