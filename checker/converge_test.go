package checker

import (
	"strings"
	"testing"
)

func TestConvergence(t *testing.T) {
	equal := []Shard{{Name: "s0", Replicas: []Replica{{"n1", "aa"}, {"n2", "aa"}, {"n3", "aa"}}}}
	if r := Convergence(equal); r.Verdict != Ok || r.Summary != "1 shard, 3 nodes: every shard's nodes report the same digest" {
		t.Errorf("equal digests: %v: %s", r.Verdict, r.Summary)
	}
	unequal := []Shard{
		{Name: "s1", Replicas: []Replica{{"n5", "bb"}, {"n4", "cc"}, {"n6", "bb"}}},
		{Name: "s0", Replicas: []Replica{{"n1", "aa"}, {"n2", "aa"}}},
	}
	r := Convergence(unequal)
	if r.Verdict != Violation {
		t.Fatalf("unequal digests: %v: %s", r.Verdict, r.Summary)
	}
	if !strings.Contains(r.Summary, `shard "s1": n4 have cc; n5, n6 have bb`) || r.Evidence.Key != "s1" || len(r.Evidence.Replicas) != 3 {
		t.Errorf("summary or evidence does not name the nodes and digests: %s %+v", r.Summary, r.Evidence)
	}
	missing := []Shard{{Name: "s0", Replicas: []Replica{{"n1", "aa"}, {"n2", ""}}}}
	if r := Convergence(missing); r.Verdict != Unknown || !strings.HasPrefix(r.Summary, "1 node gave no digest") {
		t.Errorf("a missing digest: %v: %s", r.Verdict, r.Summary)
	}
}
