package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/sim"
)

// The planted-bug stories (nodes/bugs): each drives a small deployment
// through the steps that expose one catalog entry, once with it off, where
// the node must behave as Redis 7.0.15 does, and once with it planted,
// where what a user would notice changes. The catalog is process-wide, so
// these tests never run in parallel and always leave every entry off.

// TestBugStories runs each catalog entry's story, and fails for an entry
// that has none; Sentinel's entries have theirs in nodes/sentinel.
func TestBugStories(t *testing.T) {
	stories := map[string]func(*testing.T){
		bugs.IncrbyfloatDropsTTL:               storyIncrbyfloatDropsTTL,
		bugs.RelativeExpirePropagated:          storyRelativeExpirePropagated,
		bugs.ReplicaServesExpired:              storyReplicaServesExpired,
		bugs.WaitIgnoresAckOffset:              storyWaitIgnoresAckOffset,
		bugs.MinReplicasRejectsMasterStream:    storyMinReplicasRejectsMasterStream,
		bugs.FullresyncOffsetAtRequest:         storyFullresyncOffsetAtRequest,
		bugs.ChainedPsyncAfterUpstreamFullsync: storyChainedPsyncAfterUpstreamFullsync,
		bugs.BacklogTrimsTrailingPings:         storyBacklogTrimsTrailingPings,
		bugs.PartialResyncKeepsMulti:           storyPartialResyncKeepsMulti,
		bugs.AppendfsyncAlwaysAcksBeforeFsync:  storyAppendfsyncAlwaysAcksBeforeFsync,
		bugs.AOFLoadDropsLastCommand:           storyAOFLoadDropsLastCommand,
		bugs.RDBRenameBeforeFsync:              storyRDBRenameBeforeFsync,
		bugs.ActiveExpireSkipsDel:              storyActiveExpireSkipsDel,
		bugs.ClusterVoteNotFsynced:             storyClusterVoteNotFsynced,
		bugs.ClusterHalfMastersMajority:        storyClusterHalfMastersMajority,
		bugs.SetMasterZeroesDownSince:          storySetMasterZeroesDownSince,
	}
	for _, b := range bugs.Catalog() {
		if strings.HasPrefix(b.Name, "sentinel-") {
			continue // their stories are in nodes/sentinel
		}
		fn := stories[b.Name]
		if fn == nil {
			t.Errorf("catalog entry %s has no story here", b.Name)
			continue
		}
		t.Run(b.Name, fn)
	}
}

// story runs fn with the bug off, then planted; fn reports what it saw.
func story(t *testing.T, name string, fn func(t *testing.T) string) (off, on string) {
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

// replTopology starts one node per name; the first is a master, each
// other replicates the node named in upstream (the master when absent).
func replTopology(t *testing.T, names []string, upstream map[string]string, tune func(cfg *Config)) *replWorld {
	t.Helper()
	return newReplWorld(t, 1, names, func(i int) Config {
		cfg := masterConfig()
		if i > 0 {
			up := upstream[names[i]]
			if up == "" {
				up = names[0]
			}
			cfg = replicaConfig(up + ":6379")
		}
		if tune != nil {
			tune(&cfg)
		}
		return cfg
	})
}

func (rw *replWorld) node(name string) *testWorld {
	for _, n := range rw.nodes {
		if n.host.Name() == name {
			return n
		}
	}
	rw.t.Fatalf("no node %s", name)
	return nil
}

func mustReply(t *testing.T, c *testConn, want string, args ...string) {
	t.Helper()
	if got := c.do(args...); got != want {
		t.Fatalf("%s: %q, want %q", strings.Join(args, " "), got, want)
	}
}

// intReply parses an integer reply.
func intReply(t *testing.T, raw string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(raw, ":"), "\r\n"), 10, 64)
	if err != nil {
		t.Fatalf("not an integer reply: %q", raw)
	}
	return n
}

// A replica that is cut off when the master increments a float keeps the
// key's TTL, as does the master's AOF after a restart; propagated as a
// plain SET, the increment clears both.
func storyIncrbyfloatDropsTTL(t *testing.T) {
	off, on := story(t, bugs.IncrbyfloatDropsTTL, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) {
			if cfg.ReplicaOf == "" {
				cfg.AppendOnly, cfg.AppendFsync = true, "always"
			}
		})
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "f", "1", "EX", "1000")
		mustReply(t, m, "$3\r\n1.5\r\n", "INCRBYFLOAT", "f", "0.5")
		rw.w.RunFor(100 * time.Millisecond)
		replicaTTL := rw.node("r1").dial().do("TTL", "f")
		rw.node("m").node.Kill() // kill -9: the AOF in the page cache survives
		rw.node("m").node.Start()
		rw.w.RunFor(10 * time.Millisecond)
		reloadedTTL := rw.node("m").dial().do("TTL", "f")
		return "replica " + replicaTTL + " reloaded " + reloadedTTL
	})
	if off != "replica :1000\r\n reloaded :1000\r\n" {
		t.Errorf("off: %q, want the TTL kept on the replica and in the AOF", off)
	}
	if on != "replica :-1\r\n reloaded :-1\r\n" {
		t.Errorf("planted: %q, want the TTL gone on the replica and after the AOF reload", on)
	}
}

// A replica whose link is clogged for 3s applies SET EX and EXPIRE late:
// with absolute times (7.0) its expiry is the master's; with relative ones
// it is 3s later. The master's AOF keeps absolute times either way.
func storyRelativeExpirePropagated(t *testing.T) {
	off, on := story(t, bugs.RelativeExpirePropagated, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) {
			if cfg.ReplicaOf == "" {
				cfg.AppendOnly, cfg.AppendFsync = true, "always"
			}
		})
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "y", "v")
		rw.w.RunFor(100 * time.Millisecond)
		if err := rw.net.Clog("m", "r1"); err != nil {
			t.Fatal(err)
		}
		mustReply(t, m, "+OK\r\n", "SET", "x", "v", "EX", "100")
		mustReply(t, m, "+OK\r\n", "SETEX", "z", "100", "v")
		mustReply(t, m, ":1\r\n", "EXPIRE", "y", "100")
		rw.w.RunFor(3 * time.Second)
		if err := rw.net.Unclog("m", "r1"); err != nil {
			t.Fatal(err)
		}
		rw.w.RunFor(100 * time.Millisecond)
		r := rw.node("r1").dial()
		var out []string
		for _, k := range []string{"x", "z", "y"} {
			lag := intReply(t, r.do("PEXPIRETIME", k)) - intReply(t, m.do("PEXPIRETIME", k))
			out = append(out, k+"+"+strconv.FormatInt(lag/1000, 10)+"s")
		}
		before := m.do("PEXPIRETIME", "x")
		rw.node("m").node.Kill()
		rw.node("m").node.Start()
		rw.w.RunFor(10 * time.Millisecond)
		if after := rw.node("m").dial().do("PEXPIRETIME", "x"); after != before {
			t.Errorf("the AOF reload moved x's expiry: %q -> %q", before, after)
		}
		return strings.Join(out, " ")
	})
	if off != "x+0s z+0s y+0s" {
		t.Errorf("off: replica's expiry minus the master's: %s, want none", off)
	}
	if on != "x+3s z+3s y+3s" {
		t.Errorf("planted: replica's expiry minus the master's: %s, want the 3s the stream was held", on)
	}
}

// While the master's DEL of an expired key is held up, a replica reports
// the key missing; planted, it serves the expired value.
func storyReplicaServesExpired(t *testing.T) {
	off, on := story(t, bugs.ReplicaServesExpired, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, nil)
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "k", "v", "PX", "500")
		rw.w.RunFor(100 * time.Millisecond)
		if err := rw.net.Clog("m", "r1"); err != nil {
			t.Fatal(err)
		}
		rw.w.RunFor(time.Second)
		r := rw.node("r1").dial()
		if got := r.do("DBSIZE"); got != ":1\r\n" {
			t.Fatalf("replica DBSIZE %q: the replica must still hold the key", got)
		}
		return r.do("GET", "k") + r.do("EXISTS", "k")
	})
	if off != "$-1\r\n:0\r\n" {
		t.Errorf("off: GET and EXISTS on the replica: %q, want missing", off)
	}
	if on != "$1\r\nv\r\n:1\r\n" {
		t.Errorf("planted: GET and EXISTS on the replica: %q, want the expired value served", on)
	}
}

// With the replica's link clogged, WAIT 1 times out with 0: no replica has
// the write. Planted, it answers 1 at once.
func storyWaitIgnoresAckOffset(t *testing.T) {
	off, on := story(t, bugs.WaitIgnoresAckOffset, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, nil)
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "a", "1")
		mustReply(t, m, ":1\r\n", "WAIT", "1", "1000")
		if err := rw.net.Clog("m", "r1"); err != nil {
			t.Fatal(err)
		}
		mustReply(t, m, "+OK\r\n", "SET", "b", "2")
		start := rw.w.Now().Duration()
		got := m.do("WAIT", "1", "300")
		took := rw.w.Now().Duration() - start
		if rb := rw.node("r1").dial().do("GET", "b"); rb != "$-1\r\n" {
			t.Fatalf("the replica has b (%q) through a clogged link", rb)
		}
		return got + " after " + (took / (100 * time.Millisecond) * (100 * time.Millisecond)).String()
	})
	if off != ":0\r\n after 300ms" {
		t.Errorf("off: WAIT 1 300 answered %q, want 0 after its timeout", off)
	}
	if on != ":1\r\n after 0s" {
		t.Errorf("planted: WAIT 1 300 answered %q, want 1 at once", on)
	}
}

// Every node has min-replicas-to-write 1, as a deployment that may fail
// over needs; the replica has no replica of its own. It applies its
// master's writes all the same; planted, it refuses them and diverges.
func storyMinReplicasRejectsMasterStream(t *testing.T) {
	off, on := story(t, bugs.MinReplicasRejectsMasterStream, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) { cfg.MinReplicasToWrite = 1 })
		rw.w.RunFor(8 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "a", "1")
		rw.w.RunFor(100 * time.Millisecond)
		r := rw.node("r1")
		return r.dial().do("GET", "a") + strconv.FormatInt(r.server().ReplStats().UnexpectedErrorReplies, 10)
	})
	if off != "$1\r\n1\r\n0" {
		t.Errorf("off: the replica's a and critical errors: %q, want the write applied", off)
	}
	if on != "$-1\r\n1" {
		t.Errorf("planted: the replica's a and critical errors: %q, want the write refused (NOREPLICAS to its master)", on)
	}
}

// A replica's PSYNC reaches the master, which writes before its snapshot
// (repl-diskless-sync-delay, 5s). The replica's offset must be the
// master's once synced; planted, it lags by those writes, and a partial
// resync applies them twice.
func storyFullresyncOffsetAtRequest(t *testing.T) {
	off, on := story(t, bugs.FullresyncOffsetAtRequest, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, nil)
		rw.w.RunFor(100 * time.Millisecond)
		m := rw.node("m").dial()
		mustReply(t, m, ":1\r\n", "INCR", "n")
		rw.w.RunFor(7 * time.Second)
		ms, rs := rw.node("m").server(), rw.node("r1").server()
		lag := ms.ReplOffset() - rs.ReplOffset()
		if !rs.KillMasterLink() {
			t.Fatal("the replica had no link to kill")
		}
		rw.w.RunFor(time.Second)
		if got := rs.ReplStats().PartialSyncs; got != 1 {
			t.Fatalf("%d partial resyncs, want 1", got)
		}
		return "lag " + strconv.FormatInt(lag, 10) + " n " + rw.node("r1").dial().do("GET", "n")
	})
	if off != "lag 0 n $1\r\n1\r\n" {
		t.Errorf("off: %q, want no lag and n=1 after the partial resync", off)
	}
	if !strings.HasPrefix(on, "lag ") || strings.HasPrefix(on, "lag 0 ") || !strings.HasSuffix(on, " n $1\r\n2\r\n") {
		t.Errorf("planted: %q, want the replica's offset behind and n=2 after the partial resync", on)
	}
}

// r2 replicates r1, which replicates m. m restarts empty, with a new
// history, so r1 resyncs in full; r2 must follow it to the new dataset.
// Planted, r2 streams on and keeps the key m no longer has.
func storyChainedPsyncAfterUpstreamFullsync(t *testing.T) {
	off, on := story(t, bugs.ChainedPsyncAfterUpstreamFullsync, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1", "r2"}, map[string]string{"r2": "r1"}, nil)
		rw.w.RunFor(15 * time.Second)
		m := rw.node("m")
		mustReply(t, m.dial(), "+OK\r\n", "SET", "a", "1")
		rw.w.RunFor(100 * time.Millisecond)
		if got := rw.node("r2").dial().do("GET", "a"); got != "$1\r\n1\r\n" {
			t.Fatalf("r2 did not get a through r1: %q", got)
		}
		m.host.Crash()
		rw.w.RunFor(10 * time.Millisecond)
		m.node.Start()
		rw.w.RunFor(15 * time.Second)
		mustReply(t, m.dial(), "+OK\r\n", "SET", "b", "2")
		rw.w.RunFor(100 * time.Millisecond)
		r2 := rw.node("r2").dial()
		if got := r2.do("GET", "b"); got != "$1\r\n2\r\n" {
			t.Fatalf("r2 does not stream from r1 after the restart: b = %q", got)
		}
		return r2.do("GET", "a")
	})
	if off != "$-1\r\n" {
		t.Errorf("off: r2's a is %q, want it gone with the master's new dataset", off)
	}
	if on != "$1\r\n1\r\n" {
		t.Errorf("planted: r2's a is %q, want the stale value kept", on)
	}
}

// r2 replicates r1, which replicates m; m PINGs every second. When r1's
// link is killed, r1 resumes where it was and all three offsets stay
// equal. Planted, r1 drops its trailing PINGs and asks for them again,
// and r2 counts them twice.
func storyBacklogTrimsTrailingPings(t *testing.T) {
	off, on := story(t, bugs.BacklogTrimsTrailingPings, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1", "r2"}, map[string]string{"r2": "r1"}, func(cfg *Config) { cfg.ReplPingReplicaPeriod = 1 })
		rw.w.RunFor(15 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, ":1\r\n", "INCR", "counter")
		rw.w.RunFor(3 * time.Second)
		mustReply(t, m, "+OK\r\n", "CONFIG", "SET", "repl-ping-replica-period", "100")
		rw.w.RunFor(1500 * time.Millisecond)
		if !rw.node("r1").server().KillMasterLink() {
			t.Fatal("r1 had no link to kill")
		}
		rw.w.RunFor(time.Second)
		var out []string
		for _, n := range []string{"m", "r1", "r2"} {
			out = append(out, n+"="+strconv.FormatInt(rw.node(n).server().ReplOffset()-rw.node("m").server().ReplOffset(), 10))
		}
		if rw.node("r1").logged("to exclude the final PINGs") != bugs.On(bugs.BacklogTrimsTrailingPings) {
			t.Error("r1's log and the planted bug disagree on the trim")
		}
		return strings.Join(out, " ")
	})
	if off != "m=0 r1=0 r2=0" {
		t.Errorf("off: offsets relative to m: %s, want all equal", off)
	}
	if !strings.HasPrefix(on, "m=0 r1=0 r2=") || strings.HasSuffix(on, "r2=0") {
		t.Errorf("planted: offsets relative to m: %s, want r2 ahead", on)
	}
}

// The replica sleeps (its event loop held, as DEBUG SLEEP or an
// appendfsync always fsync holds it) while an INCR reaches it unapplied,
// and its link is reset meanwhile. It must apply the INCR once, when the
// master resends it after +CONTINUE; planted, the cached master keeps the
// unapplied copy too, and the INCR runs twice.
func storyPartialResyncKeepsMulti(t *testing.T) {
	off, on := story(t, bugs.PartialResyncKeepsMulti, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) { cfg.ReplPingReplicaPeriod = 1 })
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		r := rw.node("r1").dial()
		r.send("DEBUG", "SLEEP", "0.5")
		rw.w.RunFor(10 * time.Millisecond)
		mustReply(t, m, ":1\r\n", "INCR", "n")
		mustReply(t, m, "+OK\r\n", "MULTI")
		mustReply(t, m, "+QUEUED\r\n", "INCR", "n")
		mustReply(t, m, "*1\r\n:2\r\n", "EXEC")
		rw.w.RunFor(10 * time.Millisecond)
		if n, err := rw.net.ResetConns("m", "r1"); err != nil || n == 0 {
			t.Fatalf("reset %d connections: %v", n, err)
		}
		rw.w.RunFor(3 * time.Second)
		rs := rw.node("r1").server()
		if rs.ReplStats().PartialSyncs != 1 {
			t.Fatalf("replstats %+v: want one partial resync", rs.ReplStats())
		}
		lag := rw.node("m").server().ReplOffset() - rs.ReplOffset()
		return rw.node("r1").dial().do("GET", "n") + " lag " + strconv.FormatInt(lag, 10)
	})
	if off != "$1\r\n2\r\n lag 0" {
		t.Errorf("off: the replica's n and offset lag: %q, want 2 and 0", off)
	}
	if !strings.HasPrefix(on, "$1\r\n4\r\n lag -") {
		t.Errorf("planted: the replica's n and offset lag: %q, want 4 (both INCRs twice) and the offset ahead", on)
	}
}

// With appendfsync always a reply waits for its fsync (2ms here), so a
// power loss right after it keeps the write; planted, the reply leaves
// first and the power loss takes the acknowledged write.
func storyAppendfsyncAlwaysAcksBeforeFsync(t *testing.T) {
	off, on := story(t, bugs.AppendfsyncAlwaysAcksBeforeFsync, func(t *testing.T) string {
		tw := newTestWorld(t, aofConfig("always"))
		c := tw.dial()
		mustReply(t, c, "+OK\r\n", "SET", "a", "1")
		tw.w.RunFor(10 * time.Millisecond)
		mustReply(t, c, "+OK\r\n", "SET", "b", "2") // acknowledged: the crash comes at once
		tw.crashAndRestart()
		c = tw.dial()
		return c.do("GET", "a") + c.do("GET", "b")
	})
	if off != "$1\r\n1\r\n$1\r\n2\r\n" {
		t.Errorf("off: after the crash a, b = %q, want both acknowledged writes", off)
	}
	if on != "$1\r\n1\r\n$-1\r\n" {
		t.Errorf("planted: after the crash a, b = %q, want b lost", on)
	}
}

// kill -9 keeps the AOF in the page cache: a restart must replay every
// write. Planted, the last one is missing; after one more write and
// restart it is back, and the new last one is missing instead.
func storyAOFLoadDropsLastCommand(t *testing.T) {
	off, on := story(t, bugs.AOFLoadDropsLastCommand, func(t *testing.T) string {
		tw := newTestWorld(t, aofConfig("always"))
		c := tw.dial()
		mustReply(t, c, "+OK\r\n", "SET", "a", "1")
		mustReply(t, c, "+OK\r\n", "SET", "b", "2")
		restart := func() *testConn {
			tw.node.Kill()
			tw.node.Start()
			tw.w.RunFor(10 * time.Millisecond)
			return tw.dial()
		}
		c = restart()
		first := c.do("MGET", "a", "b", "c")
		mustReply(t, c, "+OK\r\n", "SET", "c", "3")
		c = restart()
		return first + c.do("MGET", "a", "b", "c")
	})
	if off != "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n" {
		t.Errorf("off: MGET after each restart: %q, want every write", off)
	}
	if on != "*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n" {
		t.Errorf("planted: MGET after each restart: %q, want the last write missing each time", on)
	}
}

// A node with a saved dump.rdb loses power 1ms after BGSAVE started (its
// fsync takes 2ms). The old snapshot must survive; planted, the new file
// was renamed over it before its fsync, and the node cannot load it.
func storyRDBRenameBeforeFsync(t *testing.T) {
	off, on := story(t, bugs.RDBRenameBeforeFsync, func(t *testing.T) string {
		cfg := DefaultConfig()
		cfg.Save = nil
		tw := newTestWorld(t, cfg)
		c := tw.dial()
		mustReply(t, c, "+OK\r\n", "SET", "a", "1")
		mustReply(t, c, "+OK\r\n", "SAVE")
		mustReply(t, c, "+OK\r\n", "SET", "b", "2")
		mustReply(t, c, "+Background saving started\r\n", "BGSAVE")
		tw.crashAndRestart()
		if tw.node.State() == sim.Down {
			if !tw.logged("Short read or OOM loading DB. Unrecoverable error, aborting now.") || !tw.logged("Fatal error loading the DB dump.rdb") {
				t.Error("the node is down without saying why")
			}
			return "down"
		}
		c = tw.dial()
		return c.do("GET", "a") + c.do("GET", "b")
	})
	if off != "$1\r\n1\r\n$-1\r\n" {
		t.Errorf("off: after the power loss %q, want the saved a and not b", off)
	}
	if on != "down" {
		t.Errorf("planted: after the power loss %q, want a node that cannot load its dump.rdb", on)
	}
}

// The master's active expiry deletes a key nobody reads: the replica gets
// the DEL and drops it too. Planted, the replica keeps it for good.
func storyActiveExpireSkipsDel(t *testing.T) {
	off, on := story(t, bugs.ActiveExpireSkipsDel, func(t *testing.T) string {
		rw := replTopology(t, []string{"m", "r1"}, nil, nil)
		rw.w.RunFor(7 * time.Second)
		m := rw.node("m").dial()
		mustReply(t, m, "+OK\r\n", "SET", "k", "v", "PX", "200")
		rw.w.RunFor(time.Second)
		mustReply(t, m, ":0\r\n", "DBSIZE")
		r := rw.node("r1").dial()
		same := r.do("DEBUG", "DIGEST") == m.do("DEBUG", "DIGEST")
		return "replica DBSIZE " + r.do("DBSIZE") + " digests equal " + strconv.FormatBool(same)
	})
	if off != "replica DBSIZE :0\r\n digests equal true" {
		t.Errorf("off: %q, want the key gone on the replica too", off)
	}
	if on != "replica DBSIZE :1\r\n digests equal false" {
		t.Errorf("planted: %q, want the replica to keep the key", on)
	}
}
