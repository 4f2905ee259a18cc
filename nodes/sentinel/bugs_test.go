package sentinel

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// The planted-bug stories of Sentinel's catalog entries (nodes/bugs; the
// Redis node's are in nodes/redis): each runs once with the entry off,
// where the sentinel must behave as 7.0.15 does, and once planted, where
// what a user would notice changes. The catalog is process-wide: these
// tests never run in parallel and leave every entry off.

// TestBugStories runs the story of every "sentinel-" entry, and fails for
// one that has none.
func TestBugStories(t *testing.T) {
	stories := map[string]func(*testing.T){
		bugs.SentinelVoteNotPersisted:     storyVoteNotPersisted,
		bugs.SentinelKnownReplicaIsMaster: storyKnownReplicaIsMaster,
	}
	for _, b := range bugs.Catalog() {
		if !strings.HasPrefix(b.Name, "sentinel-") {
			continue
		}
		fn := stories[b.Name]
		if fn == nil {
			t.Errorf("catalog entry %s has no story here", b.Name)
			continue
		}
		t.Run(b.Name, fn)
	}
}

// plant runs fn with name off, then planted, and returns what fn saw.
func plant(t *testing.T, name string, fn func(t *testing.T) string) (off, on string) {
	t.Helper()
	t.Cleanup(bugs.DisableAll)
	for _, planted := range []bool{false, true} {
		bugs.DisableAll()
		if planted {
			if err := bugs.Enable(name); err != nil {
				t.Fatal(err)
			}
		}
		got := fn(t)
		if planted {
			on = got
		} else {
			off = got
		}
	}
	bugs.DisableAll()
	t.Logf("%s: off %q, planted %q", name, off, on)
	return off, on
}

// A sentinel votes for A in epoch 7 and crashes as soon as it has
// replied; restarted, it is asked again in epoch 7 by B. Off, the vote's
// epoch was durable before the reply, so it gives no second vote (it
// answers "*": the file keeps leader-epoch, not the leader's ID, as
// 7.0.15's does); planted, it has forgotten and votes for B: two leaders
// in one epoch.
func storyVoteNotPersisted(t *testing.T) {
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	off, on := plant(t, bugs.SentinelVoteNotPersisted, func(t *testing.T) string {
		tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1})
		tw.w.RunFor(5 * time.Second)
		c := tw.dial("s1:26379")
		tw.w.RunFor(10 * time.Millisecond)
		if v := c.do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "r1", "6379", "7", a); v.String() != `[(integer) 0 "`+a+`" (integer) 7]` {
			t.Fatalf("vote reply %s", v.String())
		}
		tw.w.Host("s1").Crash()
		tw.w.Host("s1").Restart(0)
		tw.w.RunFor(100 * time.Millisecond)
		c = tw.dial("s1:26379")
		tw.w.RunFor(10 * time.Millisecond)
		return c.do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "r1", "6379", "7", b).String()
	})
	if off != `[(integer) 0 "*" (integer) 7]` {
		t.Errorf("off: the restarted sentinel answered %s, want no second vote in epoch 7", off)
	}
	if on != `[(integer) 0 "`+b+`" (integer) 7]` {
		t.Errorf("planted: the restarted sentinel answered %s, want a second vote, for B", on)
	}
}

// The only sentinel leads the failover of a crashed master and crashes
// right after the promotion (SENTINEL SIMULATE-FAILURE
// crash-after-promotion, as Redis's own tests do), with the configuration
// saved in the reconf-slaves state. Restarted from it: off, the promoted
// replica is the master and the old master a known replica; planted, the
// promoted replica is listed as its own replica, and 8 s later the
// sentinel makes it replicate itself.
func storyKnownReplicaIsMaster(t *testing.T) {
	off, on := plant(t, bugs.SentinelKnownReplicaIsMaster, func(t *testing.T) string {
		tw := newWorld(t, worldOpts{replicas: 2, sentinels: 1, quorum: 1})
		if !tw.discovered(2, 0) {
			t.Fatal("no discovery")
		}
		c := tw.dial("s1:26379")
		if v := c.do("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion"); v.String() != "OK" {
			t.Fatalf("SIMULATE-FAILURE: %s", v.String())
		}
		tw.w.Host("r1").Crash()
		if !tw.runUntil(30*time.Second, func() bool { return tw.sentinels[0].State() == sim.Down }) {
			tw.dump()
			t.Fatal("the sentinel never crashed after a promotion")
		}
		promoted := ""
		for _, e := range tw.events {
			if f := strings.Fields(e); len(f) > 4 && f[1] == "+promoted-slave" {
				promoted = f[4]
			}
		}
		text, _ := tw.w.Host("s1").Disk().Durable(DefaultConfigFile)
		var known []string
		for _, l := range strings.Split(string(text), "\n") {
			if strings.HasPrefix(l, "sentinel known-replica ") {
				known = append(known, strings.Fields(l)[3])
			}
		}
		tw.w.Host("s1").Restart(0)
		tw.w.RunFor(20 * time.Second)
		self := "none"
		for i, p := range tw.redis {
			if n, ok := p.Node().(*redis.Server); ok && n.Role() == "slave" && n.MasterHost() == p.Host().Name() {
				self = tw.redis[i].Host().Name()
			}
		}
		return "promoted=" + promoted + " known=" + strings.Join(known, ",") + " self=" + self
	})
	field := func(s, k string) string {
		for _, f := range strings.Fields(s) {
			if v, ok := strings.CutPrefix(f, k+"="); ok {
				return v
			}
		}
		return ""
	}
	if p, known := field(off, "promoted"), strings.Split(field(off, "known"), ","); p == "" || !slices.Contains(known, "r1") || slices.Contains(known, p) || field(off, "self") != "none" {
		t.Errorf("off: %s; want the old master r1 among the known replicas, not the promoted node, and no node replicating itself", off)
	}
	if p := field(on, "promoted"); !slices.Contains(strings.Split(field(on, "known"), ","), p) || field(on, "self") != p {
		t.Errorf("planted: %s; want the promoted node among its own known replicas, and replicating itself", on)
	}
}
