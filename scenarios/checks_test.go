package scenarios

import (
	"testing"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// TestTransactionsKeepsTaggedFinalReads: an acknowledged append that no
// final read holds is a lost append, whether the list is "t0" or, in
// cluster mode, "{t0}t0": Transactions must keep the final reads of both.
func TestTransactionsKeepsTaggedFinalReads(t *testing.T) {
	ms := func(n int64) clock.Time { return clock.Time(n * 1_000_000) }
	for _, key := range []string{"t0", "{t0}t0"} {
		ops := []history.Op{
			{Process: 1, Kind: history.Txn, Mops: []history.Mop{{Kind: history.Read, Key: key, Elems: []history.Value{}}}, Invoke: ms(0), Complete: ms(1), Outcome: history.Ok},
			{Process: 2, Kind: history.Txn, Mops: []history.Mop{{Kind: history.Append, Key: key, Value: history.Int(5)}}, Invoke: ms(2), Complete: ms(3), Outcome: history.Ok},
			{Process: 9, Node: "n1", Kind: history.FinalRead, Key: key, Elems: []history.Value{}, Invoke: ms(10), Complete: ms(11), Outcome: history.Ok},
		}
		if r := checker.ListAppend(Transactions(ops), checker.ListAppendOptions{RealTime: true}); r.Verdict != checker.Violation {
			t.Errorf("key %q: %v (%s), want the lost append reported", key, r.Verdict, r.Summary)
		}
	}
}

// TestKeyPrefixSeesFamiliesUnderTags: the family of a hash-tagged key is
// the byte after the tag.
func TestKeyPrefixSeesFamiliesUnderTags(t *testing.T) {
	ops := []history.Op{{Key: "r1"}, {Key: "{t2}t7"}, {Key: "t3"}, {Key: "{x}"}, {Key: ""}}
	if got := len(KeyPrefix(ops, 't')); got != 2 {
		t.Errorf("KeyPrefix 't': %d ops, want 2", got)
	}
	if got := len(KeyPrefix(ops, 'r')); got != 1 {
		t.Errorf("KeyPrefix 'r': %d ops, want 1", got)
	}
}
