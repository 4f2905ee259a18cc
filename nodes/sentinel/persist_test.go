package sentinel

import (
	"strings"
	"testing"
	"time"
)

// TestCrashAtAnyPoint: the sentinel's host loses power at a random moment
// of its first 30 s (ID saved, replicas and sentinels found, each a
// rewrite with two fsyncs, with fsyncs of 1 to 5 ms); every time it
// restarts from a whole file, with the ID it had saved, if any.
func TestCrashAtAnyPoint(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		tw := newWorld(t, worldOpts{seed: seed, replicas: 2, sentinels: 3, quorum: 2})
		h := tw.w.Host("s1")
		h.Disk().SlowSyncs(time.Duration(seed%5) * time.Millisecond)
		at := time.Duration(tw.w.Stream("test/crash").Int64N(int64(30 * time.Second)))
		tw.w.RunFor(at)
		durable, _ := h.Disk().Durable(DefaultConfigFile)
		h.Crash()
		h.Restart(0)
		tw.w.RunFor(10 * time.Millisecond)
		s := tw.sentinel(0)
		if s == nil {
			t.Fatalf("seed %d, crash at %v: no restart from\n%s", seed, at, durable)
		}
		if i := strings.Index(string(durable), "sentinel myid "); i >= 0 {
			if id := string(durable[i+14 : i+54]); id != s.myid {
				t.Fatalf("seed %d: restarted as %s, the file said %s", seed, s.myid, id)
			}
		}
		tw.w.RunFor(20 * time.Second)
		if r, o := s.Known("mymaster"); r != 2 || o != 2 {
			t.Fatalf("seed %d: after the restart %d replicas, %d sentinels", seed, r, o)
		}
	}
}

// TestSetResetRemove: SENTINEL SET, RESET and REMOVE change the state,
// publish their events and are in the durable file when they reply.
func TestSetResetRemove(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 2, sentinels: 1, quorum: 1})
	tw.w.RunFor(15 * time.Second)
	c := tw.dial("s1:26379")
	durable := func() string {
		b, _ := tw.w.Host("s1").Disk().Durable(DefaultConfigFile)
		return string(b)
	}
	if v := c.do("SENTINEL", "SET", "mymaster", "quorum", "3", "auth-pass", "pw", "parallel-syncs", "2"); v.String() != "OK" {
		t.Fatalf("SET: %s", v.String())
	}
	for _, l := range []string{"sentinel monitor mymaster r1 6379 3\n", "sentinel auth-pass mymaster pw\n", "sentinel parallel-syncs mymaster 2\n"} {
		if !strings.Contains(durable(), l) {
			t.Errorf("SET replied before %q was durable:\n%s", l, durable())
		}
	}
	var sets []string
	for _, e := range tw.events {
		if strings.HasPrefix(e, "s1 +set ") {
			sets = append(sets, e[len("s1 +set "):])
		}
	}
	want := []string{"master mymaster r1 6379 quorum 3", "master mymaster r1 6379 auth-pass ******", "master mymaster r1 6379 parallel-syncs 2"}
	if strings.Join(sets, "|") != strings.Join(want, "|") {
		t.Errorf("+set events %q, want %q", sets, want)
	}
	if v := c.do("SENTINEL", "RESET", "*"); v.Int != 1 {
		t.Fatalf("RESET: %s", v.String())
	}
	if r, _ := tw.sentinel(0).Known("mymaster"); r != 0 {
		t.Fatalf("%d replicas just after RESET", r)
	}
	if tw.saw("+reset-master") != 1 {
		t.Error("no +reset-master")
	}
	tw.w.RunFor(15 * time.Second)
	if r, _ := tw.sentinel(0).Known("mymaster"); r != 2 {
		t.Fatalf("%d replicas found again after RESET", r)
	}
	if v := c.do("SENTINEL", "REMOVE", "mymaster"); v.String() != "OK" {
		t.Fatalf("REMOVE: %s", v.String())
	}
	if strings.Contains(durable(), "mymaster") {
		t.Errorf("REMOVE replied before the file forgot the master:\n%s", durable())
	}
	if v := c.do("SENTINEL", "MASTERS"); len(v.Elems) != 0 {
		t.Errorf("MASTERS after REMOVE: %s", v.String())
	}
	if tw.saw("-monitor") != 1 {
		t.Error("no -monitor")
	}
	if v := c.do("SENTINEL", "MONITOR", "other", "r2", "6379", "1"); v.String() != "OK" {
		t.Fatalf("MONITOR: %s", v.String())
	}
	if !strings.Contains(durable(), "sentinel monitor other r2 6379 1\n") {
		t.Errorf("MONITOR replied before the file had it:\n%s", durable())
	}
}
