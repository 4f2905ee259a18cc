package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// appendfsync everysec postpones the AOF write while a background fsync
// runs, up to two seconds (flushAppendOnlyFile's aof_flush_postponed_start):
// the acknowledged writes wait in memory, and a process crash (kill -9,
// the page cache kept) loses them. (Redis 7.0.15, fdatasync slowed to 5 s:
// SET a, 1.2 s, SET b, SET c, all OK; aof_buffer_length 54; after kill -9
// MGET a b c is 1 nil nil.) Past two seconds the write goes ahead, counted
// in aof_delayed_fsync.
func TestEverysecPostponesWritesDuringFsync(t *testing.T) {
	tw := newTestWorldDisk(t, aofConfig("everysec"), sim.DiskConfig{FsyncLatency: sim.FixedDist(5 * time.Second)})
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	tw.w.RunFor(1200 * time.Millisecond)
	mustReply(t, c, "+OK\r\n", "SET", "b", "2")
	tw.w.RunFor(300 * time.Millisecond)
	mustReply(t, c, "+OK\r\n", "SET", "c", "3")
	info := c.do("INFO", "persistence")
	if !strings.Contains(info, "aof_pending_bio_fsync:1") || strings.Contains(info, "aof_buffer_length:0\r\n") {
		t.Errorf("INFO persistence during the fsync: want a pending fsync and a buffer:\n%s", info)
	}
	tw.node.Kill()
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if got := tw.dial().do("MGET", "a", "b", "c"); got != "*3\r\n$1\r\n1\r\n$-1\r\n$-1\r\n" {
		t.Errorf("after kill -9: MGET a b c = %q, want 1 nil nil", got)
	}

	// Past two seconds the write goes ahead.
	tw = newTestWorldDisk(t, aofConfig("everysec"), sim.DiskConfig{FsyncLatency: sim.FixedDist(5 * time.Second)})
	c = tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	tw.w.RunFor(1200 * time.Millisecond)
	mustReply(t, c, "+OK\r\n", "SET", "b", "2")
	tw.w.RunFor(3 * time.Second)
	if !tw.logged("Asynchronous AOF fsync is taking too long") || !strings.Contains(c.do("INFO", "persistence"), "aof_delayed_fsync:1") {
		t.Errorf("a write postponed over two seconds: want it logged and counted")
	}
	tw.node.Kill()
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if got := tw.dial().do("MGET", "a", "b"); got != "*2\r\n$1\r\n1\r\n$1\r\n2\r\n" {
		t.Errorf("after the delayed write and kill -9: MGET a b = %q, want both", got)
	}
}

// After a failed background save, a save point retries only more than
// CONFIG_BGSAVE_RETRY_DELAY (5 s) after the last attempt, counted in whole
// seconds: serverCron's lastbgsave_try. (Redis 7.0.15, save "1 1" failing:
// a save every 6 s; the node retried at every cron run once 5 s had passed
// since the last good save, 51 saves in 10 s.)
func TestSavePointRetryAfterFailure(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = []SavePoint{{1, 1}}
	cfg.StopWritesOnBgsaveError = false
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	tw.host.Disk().FailSyncs(1000)
	mustReply(t, c, "+OK\r\n", "SET", "x", "1")
	tw.w.RunFor(20 * time.Second)
	var at []time.Duration
	for _, ev := range tw.w.Trace().Events {
		if ev.Kind == sim.KindLog && strings.Contains(ev.Text, "changes in 1 seconds. Saving") {
			at = append(at, ev.At.Duration())
		}
	}
	if len(at) < 2 || len(at) > 4 {
		t.Fatalf("%d save-point saves in 20 s at %v, want one every 6 s or so", len(at), at)
	}
	for i := 1; i < len(at); i++ {
		if d := at[i] - at[i-1]; d < 5*time.Second || d > 7*time.Second {
			t.Errorf("saves %v apart (%v), want 5-7 s", d, at)
		}
	}
}

// BGSAVE as bgsaveCommand answers it next to another child: a running RDB
// child refuses it even with SCHEDULE, an AOF rewrite refuses it unless
// SCHEDULE, which serverCron then runs once the rewrite ends. (Redis
// 7.0.15: the two errors below.)
func TestBgsaveNextToAnotherChild(t *testing.T) {
	tw := newTestWorldDisk(t, aofConfig("everysec"), sim.DiskConfig{FsyncLatency: sim.FixedDist(500 * time.Millisecond)})
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "x", "1")
	mustReply(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	mustReply(t, c, "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n", "BGSAVE")
	mustReply(t, c, "+Background saving scheduled\r\n", "BGSAVE", "SCHEDULE")
	tw.w.RunFor(5 * time.Second)
	if info := c.do("INFO", "stats"); !strings.Contains(info, "rdb_saves:1\r\n") && !strings.Contains(c.do("INFO", "persistence"), "rdb_saves:1\r\n") {
		t.Errorf("after the rewrite the scheduled BGSAVE did not run:\n%s", c.do("INFO", "persistence"))
	}
	mustReply(t, c, "+Background saving started\r\n", "BGSAVE")
	mustReply(t, c, "-ERR Background save already in progress\r\n", "BGSAVE", "SCHEDULE")
}

// A failed SAVE leaves rdb_last_bgsave_status as it was (rdbSave does not
// touch it), so writes go on; a failed BGSAVE is what refuses them.
// (Redis 7.0.15, dump directory made immutable: SAVE -ERR, status ok,
// SET OK.)
func TestFailedSaveKeepsBgsaveStatus(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	tw.host.Disk().FailSyncs(1)
	if got := c.do("SAVE"); !strings.HasPrefix(got, "-ERR") {
		t.Fatalf("SAVE with a failing fsync: %q", got)
	}
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "rdb_last_bgsave_status:ok") {
		t.Errorf("after a failed SAVE: want rdb_last_bgsave_status:ok")
	}
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
}

// no-appendfsync-on-rewrite yes: while a child runs, the AOF is not
// fsynced, under appendfsync always too, whose reply then does not wait
// for an fsync and whose write a power loss takes. (Redis 7.0.15, strace
// during a slow BGSAVE: no fdatasync for SET with yes, one with no.)
func TestNoAppendfsyncOnRewrite(t *testing.T) {
	for _, on := range []bool{false, true} {
		cfg := aofConfig("always")
		cfg.NoAppendfsyncOnRewrite = on
		tw := newTestWorldDisk(t, cfg, sim.DiskConfig{FsyncLatency: sim.FixedDist(300 * time.Millisecond)})
		c := tw.dial()
		mustReply(t, c, "+Background saving started\r\n", "BGSAVE")
		start := tw.w.Now()
		mustReply(t, c, "+OK\r\n", "SET", "x", "1")
		took := tw.w.Now().Duration() - start.Duration()
		tw.crashAndRestart()
		got := tw.dial().do("GET", "x")
		if on && (took >= 300*time.Millisecond || got != "$-1\r\n") {
			t.Errorf("on: SET took %v and x after a power loss is %q; want no fsync wait and x lost", took, got)
		}
		if !on && (took < 300*time.Millisecond || got != "$1\r\n1\r\n") {
			t.Errorf("off: SET took %v and x after a power loss is %q; want the fsync's wait and x kept", took, got)
		}
	}
}

// A full sync's snapshot is a child (hasActiveChildProcess): while one is
// sent, BGSAVE is refused as a save in progress, BGREWRITEAOF is
// scheduled, and keys are not touched.
func TestFullSyncSnapshotIsAChild(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i > 0 {
			return replicaConfig("m:6379")
		}
		c := masterConfig()
		c.ReplDisklessSyncDelay = 0
		c.ReplTransferBytesPerSecond = 100 // the snapshot takes seconds to send
		return c
	})
	rw.w.RunFor(1500 * time.Millisecond)
	m := rw.nodes[0].dial()
	if got := rw.info(m, "slave0"); !strings.Contains(got, "state=wait_bgsave") {
		t.Fatalf("slave0 %q: want a snapshot being sent", got)
	}
	mustReply(t, m, "-ERR Background save already in progress\r\n", "BGSAVE")
	mustReply(t, m, "+Background append only file rewriting scheduled\r\n", "BGREWRITEAOF")
}
