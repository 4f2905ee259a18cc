package hll

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The expected values in this file were recorded from Debian 12's
// redis-server 7.0.15; redis_test.go compares with a live server.

func elems(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestNewIsWhatPFADDCreates(t *testing.T) {
	// PFADD e; GET e
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"
	if got := string(New()); got != want {
		t.Errorf("New() = %q, want %q", got, want)
	}
	out, updated, err := Add(New(), nil, DefaultSparseMaxBytes)
	if err != nil || updated || string(out) != want {
		t.Errorf("Add(New(), nothing) = %q, %v, %v; want it unchanged", out, updated, err)
	}
}

func TestAddCountRecorded(t *testing.T) {
	// PFADD k a b c d e f g; GET k; PFCOUNT k; GET k; PFDEBUG DECODE k
	h, updated, err := Add(New(), elems("a", "b", "c", "d", "e", "f", "g"), DefaultSparseMaxBytes)
	body := "Fm\x80V\x0c\x80D<\x848\x80P\xb1\x84I\x8c\x80Bm\x80BZ"
	if err != nil || !updated {
		t.Fatalf("Add = %v, %v", updated, err)
	}
	if want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + body; string(h) != want {
		t.Errorf("after PFADD\n got %q\nwant %q", h, want)
	}
	card, h, modified, err := Count(h)
	if err != nil || card != 7 || !modified {
		t.Errorf("Count = %d, %v, %v; want 7, modified", card, modified, err)
	}
	if want := "HYLL\x01\x00\x00\x00\a\x00\x00\x00\x00\x00\x00\x00" + body; string(h) != want {
		t.Errorf("after PFCOUNT\n got %q\nwant %q", h, want)
	}
	if card, _, modified, _ := Count(h); card != 7 || modified {
		t.Errorf("second Count = %d, modified %v; want the cached 7", card, modified)
	}
	want := "Z:1646 v:1,1 Z:5645 v:1,1 Z:1085 v:2,1 z:57 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603"
	if got, err := Decode(h); err != nil || got != want {
		t.Errorf("Decode = %q, %v\nwant %q", got, err, want)
	}
	if _, updated, _ := Add(h, elems("a", "g"), DefaultSparseMaxBytes); updated {
		t.Error("adding elements already present must not update")
	}
}

func TestCheck(t *testing.T) {
	dense := make([]byte, denseSize)
	copy(dense, "HYLL")
	for _, tc := range []struct {
		name string
		v    []byte
		want error
	}{
		{"empty", nil, ErrWrongType},
		{"15 bytes", New()[:15], ErrWrongType},
		{"header only", New()[:16], nil},
		{"new", New(), nil},
		{"magic", []byte("HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"), ErrWrongType},
		{"encoding 2", []byte("HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"), ErrWrongType},
		{"dense", dense, nil},
		{"dense short", dense[:denseSize-1], ErrWrongType},
		{"dense long", append(bytes.Clone(dense), 0), ErrWrongType},
	} {
		if got := Check(tc.v); got != tc.want {
			t.Errorf("%s: Check = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestErrorTexts pins the replies the node writes.
func TestErrorTexts(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ErrWrongType, "WRONGTYPE Key is not a valid HyperLogLog string value."},
		{ErrInvalid, "INVALIDOBJ Corrupted HLL object detected"},
		{ErrNotSparse, "ERR HLL encoding is not sparse"},
	} {
		if tc.err.Error() != tc.want {
			t.Errorf("%q, want %q", tc.err.Error(), tc.want)
		}
	}
}

// TestSparseAndDenseAgree adds the same elements to a sparse value that
// is never promoted by size and to a dense one: the registers, the
// estimate and the coverage of the sparse opcodes must agree throughout.
func TestSparseAndDenseAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sparse := New()
	dense, _, _ := ToDense(New())
	for round := range 60 {
		var es [][]byte
		for range 1 + r.IntN(40) {
			es = append(es, []byte("x"+strconv.FormatUint(r.Uint64()%5000, 10)))
		}
		var us, ud bool
		var err error
		sparse, us, err = Add(sparse, es, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		dense, ud, _ = Add(dense, es, 1<<30)
		if us != ud {
			t.Fatalf("round %d: sparse updated %v, dense %v", round, us, ud)
		}
		if _, ok := sparseRuns(sparse, func(int, int, uint8) {}); sparse[4] == encSparse && !ok {
			t.Fatalf("round %d: sparse opcodes no longer cover the registers", round)
		}
		rs, _, _, _ := GetReg(bytes.Clone(sparse))
		rd, _, _, _ := GetReg(dense)
		if !bytes.Equal(rs, rd) {
			t.Fatalf("round %d: registers differ", round)
		}
		cs, _, _, _ := Count(bytes.Clone(sparse))
		cd, _, _, _ := Count(bytes.Clone(dense))
		if cs != cd {
			t.Fatalf("round %d: sparse counts %d, dense %d", round, cs, cd)
		}
	}
	if sparse[4] != encSparse {
		t.Error("no register should have needed a dense value")
	}
}

func TestUnionMatchesDenseMerge(t *testing.T) {
	a, _, _ := Add(New(), elems("a", "b", "c"), DefaultSparseMaxBytes)
	b, _, _ := Add(New(), elems("c", "d"), DefaultSparseMaxBytes)
	var u Union
	if err := u.Merge(a); err != nil {
		t.Fatal(err)
	}
	if err := u.Merge(b); err != nil {
		t.Fatal(err)
	}
	if got := u.Count(); got != 4 {
		t.Errorf("Union.Count = %d, want 4", got)
	}
	merged, err := u.Store(nil, DefaultSparseMaxBytes)
	if err != nil || merged[4] != encSparse {
		t.Fatalf("Store of sparse inputs: encoding %d, %v; want sparse", merged[4], err)
	}
	all, _, _ := Add(New(), elems("a", "b", "c", "d"), DefaultSparseMaxBytes)
	if !bytes.Equal(merged, all) {
		t.Errorf("PFMERGE of {a,b,c} and {c,d} = %q, want PFADD of a b c d = %q", merged, all)
	}
}

// TestEstimatorOverflow: when no register counts below 51 the estimate is
// infinite, llroundl gives LLONG_MIN and PFCOUNT replies with it; the
// cache byte it writes keeps the stale bit set.
func TestEstimatorOverflow(t *testing.T) {
	h := make([]byte, denseSize)
	copy(h, "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")
	for i := range Registers {
		densePut(h[hdrSize:], i, 63)
	}
	card, h, _, err := Count(h)
	if err != nil || card != -1<<63 {
		t.Errorf("Count = %d, %v; want %d", card, err, int64(-1<<63))
	}
	if cacheValid(h) {
		t.Error("the cached 1<<63 must read back as stale")
	}
}

// TestNoPanicOnAnyBytes runs every entry point over random and mutated
// byte strings: each must give a value or an error.
func TestNoPanicOnAnyBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := [][]byte{New(), New()[:16]}
	d, _, _ := ToDense(New())
	base = append(base, d)
	for range 3000 {
		v := bytes.Clone(base[r.IntN(len(base))])
		switch r.IntN(4) {
		case 0:
			v = v[:r.IntN(len(v)+1)]
		case 1:
			for range 1 + r.IntN(8) {
				v = append(v, byte(r.IntN(256)))
			}
		case 2:
			if len(v) > 0 {
				v[r.IntN(len(v))] = byte(r.IntN(256))
			}
		default:
			v = append(New()[:16], make([]byte, r.IntN(40))...)
			for i := 16; i < len(v); i++ {
				v[i] = byte(r.IntN(256))
			}
		}
		exercise(v, r.IntN(50))
	}
}

// exercise calls every entry point on a copy of v.
func exercise(v []byte, sparseMax int) {
	_ = Check(v)
	_, _ = Encoding(v)
	_, _ = Decode(v)
	_, _, _, _ = Count(bytes.Clone(v))
	_, _, _ = Add(bytes.Clone(v), elems("a", "b", "", "zz"), sparseMax)
	_, _, _ = ToDense(bytes.Clone(v))
	_, _, _, _ = GetReg(bytes.Clone(v))
	var u Union
	if u.Merge(v) == nil {
		_ = u.Count()
		_, _ = u.Store(bytes.Clone(v), sparseMax)
	}
}

func TestSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("PFSELFTEST adds ten million elements")
	}
	r := rand.New(rand.NewPCG(3, 3))
	if err := SelfTest(r.Uint32, DefaultSparseMaxBytes); err != nil {
		t.Errorf("SelfTest: %v", err)
	}
	// With hll-sparse-max-bytes 20 the first element promotes the value.
	err := SelfTest(func() uint32 { return r.Uint32() >> 1 }, 20)
	if err == nil || err.Error() != "ERR TESTFAILED sparse encoding not used" {
		t.Errorf("SelfTest with 20 bytes: %v", err)
	}
}

func TestPatLenRange(t *testing.T) {
	seen := map[uint8]bool{}
	for i := range 200000 {
		index, count := patLen([]byte(strconv.Itoa(i)))
		if index < 0 || index >= Registers || count < 1 || count > hashBits+1 {
			t.Fatalf("patLen(%d) = %d, %d", i, index, count)
		}
		seen[count] = true
	}
	if !seen[1] || !seen[12] {
		t.Errorf("run lengths seen: %v", seen)
	}
}

func TestDecodeDense(t *testing.T) {
	d, _, _ := ToDense(New())
	if _, err := Decode(d); !errors.Is(err, ErrNotSparse) {
		t.Errorf("Decode(dense) = %v", err)
	}
	if s, _ := Decode(New()[:16]); s != "" {
		t.Errorf("Decode(header only) = %q, want empty", s)
	}
	if s, _ := Decode(append(New()[:16], 0x40)); !strings.HasPrefix(s, "Z:1") {
		t.Errorf("a cut XZERO reads its low byte as 0: %q", s)
	}
}
