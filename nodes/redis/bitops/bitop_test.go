package bitops

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// refBitOp is bitopCommand's byte loop: each byte of the result is the
// operation over the sources' bytes, zero past their ends.
func refBitOp(op Op, srcs [][]byte) []byte {
	maxlen := 0
	for _, s := range srcs {
		maxlen = max(maxlen, len(s))
	}
	if maxlen == 0 {
		return nil
	}
	res := make([]byte, maxlen)
	at := func(s []byte, j int) byte {
		if j < len(s) {
			return s[j]
		}
		return 0
	}
	for j := range res {
		out := at(srcs[0], j)
		if op == OpNot {
			out = ^out
		}
		for _, s := range srcs[1:] {
			switch op {
			case OpAnd:
				out &= at(s, j)
			case OpOr:
				out |= at(s, j)
			case OpXor:
				out ^= at(s, j)
			}
		}
		res[j] = out
	}
	return res
}

func TestBitOpMatchesByteLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 20_000 {
		op := Op(r.IntN(4))
		n := 1
		if op != OpNot {
			n = 1 + r.IntN(5)
		}
		srcs := make([][]byte, n)
		for i := range srcs {
			if r.IntN(5) == 0 {
				continue // a missing key
			}
			srcs[i] = make([]byte, r.IntN(70))
			for j := range srcs[i] {
				srcs[i][j] = byte(r.Uint32())
			}
		}
		want := refBitOp(op, srcs)
		if got := BitOp(op, srcs); !bytes.Equal(got, want) || len(got) != len(want) {
			t.Fatalf("BitOp(%d, %x) = %x, want %x", op, srcs, got, want)
		}
	}
}
