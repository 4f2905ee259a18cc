package redis

import (
	"math/bits"
	"testing"
)

// hashKeyBytewise is hashKey as first written, byte by byte: the order of
// every dict (SCAN, RANDOMKEY, sampling) rests on its values.
func hashKeyBytewise(s string) uint64 {
	const m1, m2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	h := uint64(len(s)) * m1
	for len(s) >= 8 {
		var v uint64
		for i := 0; i < 8; i++ {
			v |= uint64(s[i]) << (8 * i)
		}
		h = bits.RotateLeft64(h^(v*m2), 29) * m1
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	h = bits.RotateLeft64(h^(v*m2), 29) * m1
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func TestHashKeyUnchanged(t *testing.T) {
	buf := make([]byte, 64)
	for i := range buf {
		buf[i] = byte(i*131 + 7)
	}
	for n := 0; n <= len(buf); n++ {
		for off := 0; off+n <= len(buf); off += 5 {
			s := string(buf[off : off+n])
			if got, want := hashKey(s), hashKeyBytewise(s); got != want {
				t.Fatalf("hashKey(%q) = %#x, want %#x", s, got, want)
			}
			if got, want := hashKey([]byte(s)), hashKeyBytewise(s); got != want {
				t.Fatalf("hashKey([]byte(%q)) = %#x, want %#x", s, got, want)
			}
		}
	}
}
