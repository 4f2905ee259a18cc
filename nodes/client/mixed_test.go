package client

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
)

// One client running every family against one node: the history is
// sequential, so replaying it on a model of the keyspace must reproduce
// every result, transactions' reads included.
func TestMixedCleanRunReplays(t *testing.T) {
	tw := newTestWorld(t, 7, lan(), redis.DefaultConfig())
	wl, err := NewMixed(6, nil)
	if err != nil {
		t.Fatal(err)
	}
	tw.spawn(tw.options(0, wl))
	tw.w.RunFor(10 * time.Second)
	tw.h.Finish(tw.w.Now())
	ops := tw.h.Ops()
	regs := map[string]history.Value{}
	counters := map[string]int64{}
	lists := map[string][]history.Value{}
	kinds := map[history.Kind]int{}
	for _, op := range ops[:len(ops)-1] {
		if op.Outcome != history.Ok {
			t.Fatalf("not ok in a clean run: %+v", op)
		}
		kinds[op.Kind]++
		switch op.Kind {
		case history.Write:
			regs[op.Key] = op.Value
		case history.Read:
			switch op.Key[0] {
			case 'r':
				if !op.Result.Equal(regs[op.Key]) {
					t.Fatalf("register read %+v, want %v", op, regs[op.Key])
				}
			case 'n':
				if got, _ := op.Result.Int(); got != counters[op.Key] {
					t.Fatalf("counter read %+v, want %d", op, counters[op.Key])
				}
			case 'l':
				if !slices.Equal(op.Elems, lists[op.Key]) {
					t.Fatalf("list read %+v, want %v", op, lists[op.Key])
				}
			}
		case history.Incr:
			d, _ := op.Value.Int()
			counters[op.Key] += d
			if got, _ := op.Result.Int(); got != counters[op.Key] {
				t.Fatalf("incr %+v: result %v, want %d", op, op.Result, counters[op.Key])
			}
		case history.Append:
			lists[op.Key] = append(lists[op.Key], op.Value)
		case history.Txn:
			if len(op.Mops) == 0 {
				t.Fatalf("transaction without micro-operations: %+v", op)
			}
			for _, m := range op.Mops {
				switch m.Kind {
				case history.Append:
					lists[m.Key] = append(lists[m.Key], m.Value)
				case history.Read:
					if m.Elems == nil || !slices.Equal(m.Elems, lists[m.Key]) {
						t.Fatalf("transaction %+v read %s as %v, want %v", op, m.Key, m.Elems, lists[m.Key])
					}
				}
			}
		}
	}
	for _, k := range []history.Kind{history.Write, history.Read, history.Incr, history.Add, history.Append, history.Txn, SetPX, Expire, Persist, GetEx, IncrFloat} {
		if kinds[k] == 0 {
			t.Errorf("no %s operation in %d: %v", k, len(ops), kinds)
		}
	}
	// Both ways of running a transaction ran.
	j := string(tw.jsonl())
	if !strings.Contains(j, `"kind":"txn"`) {
		t.Error("history.jsonl has no transaction")
	}
}

// A MULTI/EXEC transaction is queued as MULTI and one command per
// micro-operation before its EXEC; other operations queue nothing.
func TestQueued(t *testing.T) {
	op := history.Op{Kind: history.Txn, Mops: []history.Mop{{Kind: history.Append, Key: "t0", Value: history.Int(17)}, {Kind: history.Read, Key: "t1"}}}
	q := queued(&op, cmd("EXEC"))
	var got []string
	for _, c := range q {
		got = append(got, string(bytesJoin(c)))
	}
	if want := []string{"MULTI", "RPUSH t0 17", "LRANGE t1 0 -1"}; !slices.Equal(got, want) {
		t.Fatalf("queued = %q, want %q", got, want)
	}
	if q := queued(&op, cmd("EVAL", "x", "0")); q != nil {
		t.Fatalf("a script transaction queued %q", q)
	}
}

func bytesJoin(args [][]byte) []byte {
	var out []byte
	for i, a := range args {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, a...)
	}
	return out
}

// Clients with the same IdleEvery and IdleFor invoke nothing inside the
// idle windows, and work outside them.
func TestIdleWindows(t *testing.T) {
	tw := newTestWorld(t, 5, lan(), redis.DefaultConfig())
	for id := 0; id < 3; id++ {
		o := tw.options(id, NewRegister())
		o.IdleEvery, o.IdleFor = time.Second, 400*time.Millisecond
		tw.spawn(o)
	}
	tw.w.RunFor(3500 * time.Millisecond)
	tw.h.Finish(tw.w.Now())
	inside, outside := 0, 0
	for _, op := range tw.h.Ops() {
		at := time.Duration(op.Invoke)
		if at >= time.Second && at%time.Second < 400*time.Millisecond {
			inside++
		} else {
			outside++
		}
	}
	if inside != 0 || outside < 100 {
		t.Fatalf("%d operations invoked inside the idle windows, %d outside", inside, outside)
	}
	o := tw.options(9, NewRegister())
	o.IdleEvery, o.IdleFor = time.Second, time.Second
	if _, err := Program(o); err == nil {
		t.Fatal("IdleFor as long as IdleEvery was accepted")
	}
}

// TestTxnFinalReadDecoded: the final read of a transaction list (LRANGE,
// one list) is decoded as a list, by Txn and by Mixed; before, it was
// taken for an EXEC reply and recorded info, so the list-append checker
// never saw a final read and could not report a lost or divergent append.
func TestTxnFinalReadDecoded(t *testing.T) {
	reply := resp.Value{Kind: resp.KindArray, Elems: []resp.Value{{Kind: resp.KindBulk, Str: []byte("16")}, {Kind: resp.KindBulk, Str: []byte("32")}}}
	m, err := NewMixed(10, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]Workload{"txn": NewTxn(), "mixed": m} {
		for _, key := range []string{"t3", "{t2}t3"} {
			op := history.Op{Kind: history.FinalRead, Key: key}
			if err := w.Decode(&op, reply); err != nil || len(op.Elems) != 2 {
				t.Errorf("%s: the final read of %s: %v, elements %v", name, key, err, op.Elems)
			}
		}
	}
}
