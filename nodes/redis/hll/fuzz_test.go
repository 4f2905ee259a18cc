package hll

import (
	"bytes"
	"testing"
)

// fuzzValues are the seed values: new, empty body, a cut XZERO, a few
// elements sparse and dense, trailing junk, a bad encoding.
func fuzzValues() [][]byte {
	v, _, _ := Add(New(), elems("a", "b", "c", "d"), DefaultSparseMaxBytes)
	d, _, _ := ToDense(v)
	return [][]byte{New(), New()[:16], append(New()[:16], 0x40), v,
		append(bytes.Clone(v), 0x80), d, []byte("HYLL\x02")}
}

// regsOf is the registers of a valid value, through the union.
func regsOf(t *testing.T, v []byte) *[Registers]uint8 {
	var u Union
	if err := u.Merge(v); err != nil {
		t.Fatalf("value no longer valid: %v", err)
	}
	return &u.regs
}

// FuzzCount: any bytes give a value or an error from every reader, and
// the readers agree on what a value holds.
func FuzzCount(f *testing.F) {
	for _, v := range fuzzValues() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		exercise(v, DefaultSparseMaxBytes)
		var u Union
		if u.Merge(v) != nil {
			return
		}
		regs, _, _, err := GetReg(bytes.Clone(v))
		if err != nil {
			t.Fatalf("Merge accepts the value but GETREG says %v", err)
		}
		if !bytes.Equal(regs, u.regs[:]) {
			t.Fatal("Merge and GETREG read different registers")
		}
		stale := bytes.Clone(v)
		invalidate(stale)
		card, _, _, err := Count(stale)
		if err != nil {
			t.Fatalf("Merge accepts the value but PFCOUNT says %v", err)
		}
		if card != u.Count() {
			t.Fatalf("PFCOUNT %d, union count %d", card, u.Count())
		}
	})
}

// FuzzAdd: adding to any bytes gives a value or an error; adding to a
// valid value succeeds and raises exactly the element's register.
func FuzzAdd(f *testing.F) {
	for i, v := range fuzzValues() {
		f.Add(v, []byte("e"+string(rune('a'+i))), uint16(20+i*500))
	}
	f.Fuzz(func(t *testing.T, v []byte, ele []byte, sparseMax uint16) {
		before := bytes.Clone(v)
		out, updated, err := Add(v, [][]byte{ele}, int(sparseMax))
		var u Union
		if u.Merge(before) != nil || (before[4] == encSparse && endsCut(before)) {
			return
		}
		if err != nil {
			t.Fatalf("Add to a valid value: %v", err)
		}
		want := u.regs
		index, count := patLen(ele)
		want[index] = max(want[index], count)
		if got := regsOf(t, out); *got != want {
			t.Fatal("registers after Add are not the old ones with the element's raised")
		}
		if updated != (count > u.regs[index]) {
			t.Fatalf("updated = %v, register %d went from %d to %d", updated, index, u.regs[index], want[index])
		}
		if out[4] == encSparse && len(out) > len(before) && len(out) > int(sparseMax) {
			t.Fatalf("sparse value grew to %d bytes, beyond %d", len(out), sparseMax)
		}
	})
}

// endsCut reports whether a sparse value's opcodes end in half an XZERO,
// whose missing byte Redis reads from a buffer this package cannot see.
func endsCut(v []byte) bool {
	p := hdrSize
	for p < len(v) {
		if isXZero(v[p]) {
			p += 2
		} else {
			p++
		}
	}
	return p > len(v)
}
