package sentinel

import (
	"testing"
	"time"
)

// TestFailover: the master crashes; the three sentinels agree it is down,
// elect a leader that promotes a replica and reconfigures the other; all
// three switch to it; the old master comes back and is converted.
func TestFailover(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2})
	if !tw.runUntil(30*time.Second, func() bool {
		for i := range tw.sentinels {
			m := tw.sentinel(i).masterByName("mymaster")
			if len(m.sentinels) != 2 || len(m.slaves) != 2 {
				return false
			}
		}
		return true
	}) {
		tw.dump()
		t.Fatal("sentinels did not discover each other and the replicas")
	}
	tw.w.Host("r1").Crash()
	if !tw.runUntil(30*time.Second, func() bool { return tw.saw("+failover-state-wait-promotion") > 0 }) {
		tw.dump()
		t.Fatal("no replica was sent SLAVEOF NO ONE within 30 s")
	}
	for _, typ := range []string{"+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
		"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone"} {
		if tw.saw(typ) == 0 {
			tw.dump()
			t.Fatalf("no %s event", typ)
		}
	}
	skipWithoutSlaveofInMulti(t)
	ok := tw.runUntil(60*time.Second, func() bool {
		for i := range tw.sentinels {
			a := tw.masterAddr(i)
			if a == "r1:6379" || a == "" {
				return false
			}
		}
		return true
	})
	if !ok {
		tw.dump()
		t.Fatal("no failover within 60 s")
	}
	newMaster := tw.masterAddr(0)
	for i := range tw.sentinels {
		if a := tw.masterAddr(i); a != newMaster {
			t.Fatalf("sentinel %d says %s, sentinel 1 says %s", i+1, a, newMaster)
		}
	}
	for _, typ := range []string{"+sdown", "+odown", "+try-failover", "+elected-leader", "+selected-slave", "+promoted-slave", "+switch-master"} {
		if tw.saw(typ) == 0 {
			tw.dump()
			t.Fatalf("no %s event", typ)
		}
	}
	if n := tw.saw("+elected-leader"); n != 1 {
		t.Errorf("%d +elected-leader events, want 1", n)
	}
	tw.w.Host("r1").Restart(0)
	if !tw.runUntil(60*time.Second, func() bool { return tw.role(0) == "slave" }) {
		tw.dump()
		t.Fatal("the old master was not converted to a replica")
	}
	if tw.saw("+convert-to-slave") == 0 {
		t.Error("no +convert-to-slave")
	}
}
