package bitops

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// refGet and refSet are getUnsignedBitfield and setUnsignedBitfield as
// Redis writes them, one bit at a time; the word-wise versions must agree.
func refGet(p []byte, offset uint64, bits uint) uint64 {
	var v uint64
	for j := uint(0); j < bits; j++ {
		byteIdx := offset >> 3
		var b byte
		if byteIdx < uint64(len(p)) {
			b = p[byteIdx]
		}
		v = v<<1 | uint64(b>>(7-offset&7))&1
		offset++
	}
	return v
}

func refSet(p []byte, offset uint64, bits uint, value uint64) {
	for j := uint(0); j < bits; j++ {
		bit := byte(value>>(bits-1-j)) & 1
		byteIdx := offset >> 3
		shift := 7 - offset&7
		p[byteIdx] = p[byteIdx]&^(1<<shift) | bit<<shift
		offset++
	}
}

func TestFieldAccessMatchesBitLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		n := 1 + r.IntN(20)
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		bits := uint(1 + r.IntN(64))
		if uint64(n)*8 < uint64(bits) {
			continue
		}
		offset := r.Uint64N(uint64(n)*8 - uint64(bits) + 1)
		// Reads may also run past the end, which reads zeros.
		roff := r.Uint64N(uint64(n)*8 + 16)
		if got, want := getUnsigned(p, roff, bits), refGet(p, roff, bits); got != want {
			t.Fatalf("getUnsigned(%x, %d, %d) = %x, want %x", p, roff, bits, got, want)
		}
		v := r.Uint64()
		want := bytes.Clone(p)
		refSet(want, offset, bits, v)
		setField(p, offset, bits, v)
		if !bytes.Equal(p, want) {
			t.Fatalf("setField(offset %d, bits %d, %x) = %x, want %x", offset, bits, v, p, want)
		}
	}
}

func TestSignedOverflowQuirk(t *testing.T) {
	// Redis computes maxincr modulo 2^64, so a SET far below an i8's range
	// saturates to the maximum; just below the range it saturates to the
	// minimum. Recorded in TestQuirkScript against redis-server.
	for _, tc := range []struct {
		value int64
		want  int64
		sign  int
	}{
		{-1 << 63, 127, 1},
		{-1<<63 + 127, 127, 1},
		{-1<<63 + 128, -128, -1},
		{-129, -128, -1},
		{128, 127, 1},
		{-128, 0, 0},
	} {
		got, sign := checkSignedOverflow(tc.value, 0, 8, OverflowSat)
		if sign != tc.sign || (sign != 0 && got != tc.want) {
			t.Errorf("checkSignedOverflow(%d, 0, 8, SAT) = %d, %d; want %d, %d", tc.value, got, sign, tc.want, tc.sign)
		}
	}
}
