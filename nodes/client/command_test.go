package client

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/redsim/redsim/history"
)

// A builder's commands, built in one reused space, are the ones it builds
// in a fresh space each time (Next), draw for draw: nothing of an earlier
// command leaks through the reuse. Each also says what its operation
// says. (That the draws are the ones before builders existed is what the
// golden trace hashes show.)
func TestBuildersMatchNext(t *testing.T) {
	mixed, err := NewMixed(8, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []Workload{NewRegister(), NewCASRegister(), NewCounter(), &Counter{Keys: 3, ReadFraction: 0.2, Deltas: true},
		&Register{Keys: 1, ReadFraction: 0.5}, &Register{Keys: 3 * maxNamed, ReadFraction: 0.5}, mixed, ForCluster(mixed, 16)} {
		bw := w.(builder)
		r1, r2 := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
		var b cmdBuf
		for i := range 2000 {
			uniq := int64(7*uniqBase + i)
			op1, c1 := w.Next(r1, uniq)
			var op2 history.Op
			c2 := bw.next(&op2, r2, uniq, &b)
			if !reflect.DeepEqual(op1, op2) || !reflect.DeepEqual(c1, c2) {
				t.Fatalf("%T, operation %d: Next gave %+v %q, next %+v %q", w, i, op1, c1, op2, c2)
			}
			if want := impliedCommand(op2, c2); want != nil && !reflect.DeepEqual(c2, want) {
				t.Fatalf("%T, operation %d: %+v sent as %q, want %q", w, i, op2, c2, want)
			}
		}
	}
}

// impliedCommand is the command op's fields call for, given the command
// name the workload chose; nil for the kinds of the families that are not
// builders.
func impliedCommand(op history.Op, c [][]byte) [][]byte {
	num := func(v history.Value) string { n, _ := v.Int(); return strconv.FormatInt(n, 10) }
	neg := func(v history.Value) string { n, _ := v.Int(); return strconv.FormatInt(-n, 10) }
	switch {
	case op.Kind == history.Read && op.Key[0] != 's' && op.Key[0] != 'l' && op.Key[0] != 'x' && op.Key[0] != 'f':
		return cmd("GET", op.Key)
	case op.Kind == history.Write && op.Key[0] == 'r':
		return cmd("SET", op.Key, num(op.Value))
	case op.Kind == history.CAS:
		return cmd("EVAL", casScript, "1", op.Key, num(op.Expect), num(op.Value))
	case op.Kind == history.Incr && op.Key[0] == 'n':
		switch string(c[0]) {
		case "INCR", "DECR":
			return cmd(string(c[0]), op.Key)
		case "INCRBY":
			return cmd("INCRBY", op.Key, num(op.Value))
		}
		return cmd("DECRBY", op.Key, neg(op.Value))
	}
	return nil
}

// A client's command space is reused: once it is warm, building a
// command allocates nothing.
func TestCmdBufReused(t *testing.T) {
	w := ForCluster(NewRegister(), 16).(builder)
	r := rand.New(rand.NewPCG(1, 1))
	var b cmdBuf
	var op history.Op
	uniq := int64(0)
	if n := testing.AllocsPerRun(1000, func() {
		uniq++
		if c := w.next(&op, r, uniq+uniqBase, &b); len(c) < 2 {
			t.Fatal(c)
		}
	}); n != 0 {
		t.Errorf("%v allocations per command, want none", n)
	}
}

// Arguments appended before the space grows keep their bytes, and a
// command built after done reuses the space.
func TestCmdBufGrows(t *testing.T) {
	var b cmdBuf
	long := string(make([]byte, 300))
	got := b.str("EVAL").str(long).int(-9223372036854775808).str("k").done()
	want := [][]byte{[]byte("EVAL"), []byte(long), []byte("-9223372036854775808"), []byte("k")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	if got := b.str("GET").str("r1").done(); !reflect.DeepEqual(got, [][]byte{[]byte("GET"), []byte("r1")}) {
		t.Fatalf("second command %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { b.str("SET").str("r1").int(1_000_000_001).done() }); n != 0 {
		t.Errorf("%v allocations per command in a warm space", n)
	}
}
