package sentinel

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
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

// discovered runs until every live sentinel knows the two replicas and
// the other sentinels.
func (tw *world) discovered(replicas, others int) bool {
	return tw.runUntil(30*time.Second, func() bool {
		for i := range tw.sentinels {
			s := tw.sentinel(i)
			if s == nil {
				continue
			}
			m := s.masterByName("mymaster")
			if len(m.sentinels) != others || len(m.slaves) != replicas {
				return false
			}
		}
		return true
	})
}

// TestNoODOWNBelowQuorum: with quorum 3 and one of three sentinels down,
// the master's crash is SDOWN for the other two and never ODOWN.
func TestNoODOWNBelowQuorum(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 3})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	tw.w.Host("s3").Crash()
	tw.w.Host("r1").Crash()
	tw.w.RunFor(60 * time.Second)
	if n := tw.saw("+sdown"); n < 2 {
		tw.dump()
		t.Fatalf("%d +sdown events, want the master's on s1 and s2", n)
	}
	for _, typ := range []string{"+odown", "+try-failover", "+elected-leader"} {
		if tw.saw(typ) != 0 {
			tw.dump()
			t.Fatalf("%s below quorum", typ)
		}
	}
}

// TestNoFailoverWithoutMajority: quorum 1 gives ODOWN to a sentinel alone,
// but with two of three sentinels down it cannot get a majority of votes:
// it tries, votes for itself, and aborts when the election times out.
func TestNoFailoverWithoutMajority(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 1})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	tw.w.Host("s2").Crash()
	tw.w.Host("s3").Crash()
	tw.w.Host("r1").Crash()
	tw.w.RunFor(60 * time.Second)
	for _, typ := range []string{"+odown", "+try-failover", "+vote-for-leader", "-failover-abort-not-elected"} {
		if tw.saw(typ) == 0 {
			tw.dump()
			t.Fatalf("no %s", typ)
		}
	}
	if tw.saw("+elected-leader") != 0 || tw.saw("+selected-slave") != 0 {
		tw.dump()
		t.Fatal("a failover went ahead without a majority")
	}
	if a := tw.masterAddr(0); a != "r1:6379" {
		t.Fatalf("master moved to %s", a)
	}
}

// TestReplicaPriorityZeroNeverPromoted: r2 has replica-priority 0, so r3
// is selected; with both at 0 the failover aborts for want of a replica.
func TestReplicaPriorityZeroNeverPromoted(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2, priority: map[int]int{1: 0}})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	tw.w.Host("r1").Crash()
	if !tw.runUntil(30*time.Second, func() bool { return tw.saw("+selected-slave") > 0 }) {
		tw.dump()
		t.Fatal("no replica selected")
	}
	for _, e := range tw.events {
		if strings.Contains(e, "+selected-slave") && !strings.Contains(e, "slave r3:6379 ") {
			t.Fatalf("selected: %s", e)
		}
	}

	tw = newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2, priority: map[int]int{1: 0, 2: 0}})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	tw.w.Host("r1").Crash()
	if !tw.runUntil(30*time.Second, func() bool { return tw.saw("-failover-abort-no-good-slave") > 0 }) {
		tw.dump()
		t.Fatal("no -failover-abort-no-good-slave")
	}
	if tw.saw("+selected-slave") != 0 {
		t.Fatal("a replica with priority 0 was selected")
	}
}

// TestTiltOnClockJump: a forward jump of the wall clock by more than the
// 2 s tilt trigger puts the sentinel in TILT for 30 s; meanwhile it does
// not act (no SDOWN of a crashed master) and answers IS-MASTER-DOWN-BY-ADDR
// with 0. After it, it acts again: the other two have failed the master
// over meanwhile, so it learns the new master (+switch-master) or sees the
// old one down.
func TestTiltOnClockJump(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	tw.w.Host("s1").Clock.Jump(10 * time.Second)
	tw.w.RunFor(time.Second)
	if tw.saw("+tilt") != 1 || !tw.sentinel(0).tilt {
		tw.dump()
		t.Fatal("no TILT after a 10 s jump")
	}
	tw.w.Host("r1").Crash()
	tw.w.RunFor(10 * time.Second)
	for _, e := range tw.events {
		if strings.HasPrefix(e, "s1 +sdown") {
			t.Fatalf("acted in TILT: %s", e)
		}
	}
	c := tw.dial("s1:26379")
	if v := c.do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "r1", "6379", "0", "*"); v.Elems[0].Int != 0 {
		t.Fatalf("IS-MASTER-DOWN-BY-ADDR in TILT: %s", v.String())
	}
	if v := string(c.do("INFO", "sentinel").Str); !strings.Contains(v, "sentinel_tilt:1") {
		t.Fatalf("INFO in TILT: %q", v)
	}
	if !tw.runUntil(30*time.Second, func() bool { return tw.saw("-tilt") > 0 }) {
		t.Fatal("TILT did not end")
	}
	if !tw.runUntil(10*time.Second, func() bool {
		for _, e := range tw.events {
			if strings.HasPrefix(e, "s1 +sdown master") || strings.HasPrefix(e, "s1 +switch-master") {
				return true
			}
		}
		return false
	}) {
		t.Fatal("neither SDOWN nor the new master after TILT")
	}
}

// TestRestartFromConfig: a sentinel whose host loses power restarts from
// its file: same ID, the replicas and sentinels it had found, the epoch.
func TestRestartFromConfig(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	id := tw.sentinel(0).myid
	tw.w.Host("s1").Crash()
	tw.w.Host("s1").Restart(0)
	tw.w.RunFor(time.Millisecond)
	s := tw.sentinel(0)
	if s == nil || s.myid != id {
		t.Fatalf("restarted with a new ID")
	}
	m := s.masterByName("mymaster")
	if len(m.slaves) != 2 || len(m.sentinels) != 2 {
		t.Fatalf("restarted with %d replicas and %d sentinels", len(m.slaves), len(m.sentinels))
	}
	text, _ := tw.w.Host("s1").Disk().Durable(DefaultConfigFile)
	for _, l := range []string{"sentinel myid " + id, "sentinel known-replica mymaster r2 6379", "sentinel known-replica mymaster r3 6379",
		"sentinel known-sentinel mymaster s2 26379 ", "sentinel current-epoch 0", "# Generated by CONFIG REWRITE"} {
		if !strings.Contains(string(text), l) {
			t.Errorf("durable file lacks %q:\n%s", l, text)
		}
	}
}

// TestVoteDurableBeforeReply: the reply to a vote request comes only once
// the vote and the epoch are in the durable file; a power loss before the
// fsync completes leaves a sentinel that never voted.
func TestVoteDurableBeforeReply(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1})
	tw.w.RunFor(5 * time.Second)
	c := tw.dial("s1:26379")
	tw.w.RunFor(10 * time.Millisecond)
	runid := strings.Repeat("a", 40)
	v := c.do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "r1", "6379", "7", runid)
	if v.String() != `[(integer) 0 "`+runid+`" (integer) 7]` {
		t.Fatalf("vote reply %s", v.String())
	}
	text, _ := tw.w.Host("s1").Disk().Durable(DefaultConfigFile)
	if !strings.Contains(string(text), "sentinel leader-epoch mymaster 7") || !strings.Contains(string(text), "sentinel current-epoch 7") {
		t.Fatalf("reply before the vote was durable:\n%s", text)
	}
	// Same epoch again: the same vote, not a new one.
	if v := c.do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "r1", "6379", "7", strings.Repeat("b", 40)); v.String() != `[(integer) 0 "`+runid+`" (integer) 7]` {
		t.Fatalf("second vote in epoch 7: %s", v.String())
	}

	tw.w.Host("s1").Disk().SlowSyncs(time.Second)
	n := len(c.replies)
	c.c.Write([]byte("*6\r\n$8\r\nSENTINEL\r\n$22\r\nIS-MASTER-DOWN-BY-ADDR\r\n$2\r\nr1\r\n$4\r\n6379\r\n$1\r\n9\r\n$40\r\n" + strings.Repeat("c", 40) + "\r\n"))
	tw.w.RunFor(100 * time.Millisecond)
	if len(c.replies) != n {
		t.Fatalf("replied before the fsync: %s", c.replies[n].String())
	}
	tw.w.Host("s1").Crash()
	tw.w.Host("s1").Disk().SlowSyncs(0)
	tw.w.Host("s1").Restart(0)
	tw.w.RunFor(time.Millisecond)
	m := tw.sentinel(0).masterByName("mymaster")
	if m.leaderEpoch != 7 || m.leader != "" || tw.sentinel(0).currentEpoch != 7 {
		t.Fatalf("after the crash: leader-epoch %d, current epoch %d", m.leaderEpoch, tw.sentinel(0).currentEpoch)
	}
}

// TestSimulateFailureCrashAfterElection: a sentinel told to crash after
// being elected exits (exit 99) right after +elected-leader, before it
// selects a replica.
func TestSimulateFailureCrashAfterElection(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 3, quorum: 2})
	if !tw.discovered(2, 2) {
		t.Fatal("no discovery")
	}
	for i := 1; i <= 3; i++ {
		c := tw.dial("s" + strconv.Itoa(i) + ":26379")
		if v := c.do("SENTINEL", "SIMULATE-FAILURE", "crash-after-election"); v.String() != "OK" {
			t.Fatalf("SIMULATE-FAILURE: %s", v.String())
		}
	}
	tw.w.Host("r1").Crash()
	if !tw.runUntil(20*time.Second, func() bool { return tw.saw("+elected-leader") > 0 }) {
		tw.dump()
		t.Fatal("nobody elected")
	}
	tw.w.RunFor(time.Millisecond)
	leader := ""
	for _, e := range tw.events {
		if strings.Contains(e, " +elected-leader ") {
			leader = e[:2]
		}
	}
	i, _ := strconv.Atoi(leader[1:])
	if tw.sentinels[i-1].State() != sim.Down {
		t.Fatalf("%s elected and still running", leader)
	}
	if tw.saw("+failover-state-select-slave") != 0 {
		t.Fatal("the crashed leader went on")
	}
}
