package history

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/redsim/redsim/clock"
)

// A record is small and holds no pointers, so that a long history costs
// the garbage collector nothing to scan; a field added to rec must keep it
// so.
func TestRecIsCompact(t *testing.T) {
	if n := unsafe.Sizeof(rec{}); n > 56 {
		t.Errorf("rec is %d bytes, want at most 56", n)
	}
	typ := reflect.TypeFor[rec]()
	for i := 0; i < typ.NumField(); i++ {
		switch typ.Field(i).Type.Kind() {
		case reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint32:
		default:
			t.Errorf("rec.%s is a %s: a record must hold numbers only", typ.Field(i).Name, typ.Field(i).Type)
		}
	}
}

// The history gives back every operation exactly as recorded, whatever
// its fields hold: the rare ones (an expected value, elements, empty or
// not, micro-operations, a process beyond 32 bits, a 300th kind) and
// strings repeated or not, across chunks, redirects, Finish, streaming
// and the JSONL round trip. The model is the plain []Op the history used
// to keep.
func TestStoreKeepsEveryField(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h History
			var model []Op
			var streamed []Op
			keepFrom := clock.Time(math.MaxInt64)
			if stream {
				keepFrom = 2*chunkLen + 100
				h.Stream(keepFrom, func(op *Op) { streamed = append(streamed, *op) })
			}
			str := func() Value {
				switch r.IntN(4) {
				case 0:
					return None
				case 1:
					return Int(r.Int64() - r.Int64())
				case 2:
					return Str(fmt.Sprint("v", r.IntN(5)))
				}
				return Str(fmt.Sprint("u", r.Int64()))
			}
			var open []int
			complete := func(j int) {
				i := open[j]
				open = append(open[:j], open[j+1:]...)
				at := model[i].Invoke + clock.Time(r.IntN(50))
				op := &model[i]
				switch r.IntN(6) {
				case 0:
					elems := []Value{}
					for range r.IntN(3) {
						elems = append(elems, str())
					}
					h.CompleteElems(i, at, elems)
					op.Elems = elems
					op.Complete, op.Outcome = at, Ok
				case 1:
					var mops []Mop
					if r.IntN(2) == 0 {
						mops = []Mop{{Kind: Append, Key: "t", Value: Int(1)}, {Kind: Read, Key: "t", Elems: []Value{Int(1)}}}
					}
					h.CompleteTxn(i, at, mops)
					op.Mops = mops
					op.Complete, op.Outcome = at, Ok
				default:
					o := Outcome(1 + r.IntN(3))
					res, e := str(), ""
					if o != Ok {
						e = fmt.Sprint("ERR ", r.IntN(3))
						if r.IntN(4) == 0 {
							e = fmt.Sprint("ERR unique ", r.Int64())
						}
					}
					h.Complete(i, at, o, res, e)
					op.Complete, op.Outcome, op.Result, op.Error = at, o, res, e
				}
			}
			total := 3*chunkLen + 77
			for i := 0; i < total; i++ {
				op := Op{
					Process: r.IntN(50),
					Node:    fmt.Sprint("n", r.IntN(6)),
					Kind:    []Kind{Read, Write, CAS, Txn, Add, Kind(fmt.Sprint("custom-", r.IntN(300)))}[r.IntN(6)],
					Key:     fmt.Sprint("k", r.IntN(20)),
					Value:   str(),
					Invoke:  clock.Time(i),
				}
				switch r.IntN(10) {
				case 0:
					op.Process = math.MaxInt32 + 1 + r.IntN(10)
				case 1:
					op.Process = math.MinInt32
				case 2:
					op.Node, op.Key = "", ""
				case 3:
					op.Key = fmt.Sprint("unique-", i)
				}
				if op.Kind == CAS {
					op.Expect = str()
				}
				if op.Kind == Txn {
					op.Mops = []Mop{{Kind: Read, Key: "t"}}
				}
				recorded := op
				recorded.Result, recorded.Elems, recorded.Error = Value{kind: strKind, str: "junk"}, []Value{Int(9)}, "junk"
				recorded.Complete, recorded.Outcome = 99, Ok
				if got := h.Invoke(recorded); got != i {
					t.Fatalf("Invoke gave %d, want %d", got, i)
				}
				model = append(model, op)
				open = append(open, i)
				if r.IntN(8) == 0 {
					node := fmt.Sprint("m", r.IntN(3))
					j := open[r.IntN(len(open))]
					h.Redirect(j, node)
					model[j].Node = node
				}
				for len(open) > 0 && r.IntN(3) != 0 {
					complete(r.IntN(min(len(open), 20)))
				}
			}
			h.Finish(clock.Time(total + 10))
			for _, i := range open {
				model[i].Complete, model[i].Outcome, model[i].Error = max(clock.Time(total+10), model[i].Invoke), Info, "pending at end of run"
			}
			kept := model
			if stream {
				kept = model[len(streamed):]
				if !reflect.DeepEqual(streamed, model[:len(streamed)]) || len(streamed) != int(keepFrom) {
					t.Fatalf("streamed %d operations, not the model's first %d", len(streamed), keepFrom)
				}
			}
			if got := h.Ops(); !reflect.DeepEqual(got, kept) {
				for i := range got {
					if !reflect.DeepEqual(got[i], kept[i]) {
						t.Fatalf("operation %d:\n got %+v\nwant %+v", h.Streamed()+i, got[i], kept[i])
					}
				}
				t.Fatalf("Ops gave %d operations, want %d", len(got), len(kept))
			}
			if got := h.Op(total - 1); !reflect.DeepEqual(got, model[total-1]) {
				t.Fatalf("Op(%d) = %+v, want %+v", total-1, got, model[total-1])
			}
			byKey := h.SelectByKey(func(key string) bool { return strings.HasSuffix(key, "1") })
			var want []Op
			for _, op := range kept {
				if strings.HasSuffix(op.Key, "1") {
					want = append(want, op)
				}
			}
			if len(want) == 0 || !reflect.DeepEqual(byKey, want) {
				t.Fatalf("SelectByKey gave %d operations, want %d", len(byKey), len(want))
			}
			if stream {
				return
			}
			var buf bytes.Buffer
			if err := h.WriteJSONL(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := ReadJSONL(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Ops(), model) || back.Pending() != 0 {
				t.Fatal("the JSONL round trip changed the history")
			}
		})
	}
}
