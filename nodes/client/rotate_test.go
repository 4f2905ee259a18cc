package client

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// A rotation moves a key to its next generation after MaxWritesPerKey
// writes and deletes the generation before the retired one; reads and
// final reads follow the current generation, and workloads that share
// the rotation share the generations.
func TestRotation(t *testing.T) {
	ro := &Rotation{MaxWritesPerKey: 3}
	set, other := &Set{Keys: 1, Rotation: ro}, &Set{Keys: 1, Rotation: ro}
	r := rand.New(rand.NewPCG(1, 2))
	var got []string
	for i := 0; i < 10; i++ {
		w := set
		if i%2 == 1 {
			w = other
		}
		op, c := w.Next(r, int64(i))
		got = append(got, string(op.Kind)+" "+op.Key+" "+string(c[0]))
	}
	want := []string{
		"add s0 SADD", "add s0 SADD", "add s0 SADD",
		"add s0:1 SADD", "add s0:1 SADD", "add s0:1 SADD",
		"delete s0 DEL", "add s0:2 SADD", "add s0:2 SADD", "add s0:2 SADD",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := set.Final(); len(f) != 1 || f[0].Op.Key != "s0:3" {
		t.Fatalf("final read of %q, want the current generation s0:3", f[0].Op.Key)
	}
	op, _ := set.Next(r, 99)
	if op.Kind != history.Delete || op.Key != "s0:1" || ro.Deleted() != 2 {
		t.Fatalf("next is %s %s (deleted %d), want the deletion of s0:1", op.Kind, op.Key, ro.Deleted())
	}
	if err := set.Decode(&op, intReply(1)); err != nil || op.Result != history.Int(1) {
		t.Fatalf("DEL's reply decoded to %v, %v", op.Result, err)
	}
}

// Without a rotation, or with MaxWritesPerKey 0, keys keep their names.
func TestNoRotation(t *testing.T) {
	for _, ro := range []*Rotation{nil, {}} {
		w := &Txn{Keys: 2, MaxMops: 4, ReadFraction: 0.5, Rotation: ro}
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 200; i++ {
			op, _ := w.Next(r, int64(i))
			for _, m := range op.Mops {
				if m.Key != "t0" && m.Key != "t1" {
					t.Fatalf("key %q without a rotation", m.Key)
				}
			}
		}
	}
}

// A Mixed workload's growing families share the rotation it is given,
// and its Decode reads a deletion of any of their keys.
func TestMixedRotation(t *testing.T) {
	m, err := NewMixed(2, map[string]float64{"register": 0, "counter": 0, "float": 0, "ttl": 0})
	if err != nil {
		t.Fatal(err)
	}
	ro := &Rotation{MaxWritesPerKey: 2}
	m.Rotate(ro)
	r := rand.New(rand.NewPCG(3, 4))
	deleted := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		op, _ := m.Next(r, int64(i))
		if op.Kind != history.Delete {
			continue
		}
		if err := m.Decode(&op, intReply(1)); err != nil {
			t.Fatalf("decoding the deletion of %s: %v", op.Key, err)
		}
		deleted[op.Key[0]] = true
	}
	if !deleted['s'] || !deleted['l'] || !deleted['t'] {
		t.Fatalf("deleted keys of families %v, want s, l and t", deleted)
	}
}

func intReply(n int64) resp.Value { return resp.Value{Kind: resp.KindInt, Int: n} }
