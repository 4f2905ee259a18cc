package redis

import (
	"strings"
	"testing"
	"time"
)

// minReplicasWorld runs a master m and a replica r1, both with
// min-replicas-to-write 1 and min-replicas-max-lag lag, until r1 is online.
func minReplicasWorld(t *testing.T, lag int) (*replWorld, *testConn) {
	t.Helper()
	rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) {
		cfg.MinReplicasToWrite, cfg.MinReplicasMaxLag = 1, lag
	})
	rw.w.RunFor(8 * time.Second)
	m := rw.node("m").dial()
	mustReply(t, m, "+OK\r\n", "SET", "a", "1")
	return rw, m
}

// runUntil runs the world until its clock reads at.
func (rw *replWorld) runUntil(at time.Duration) {
	rw.t.Helper()
	now := rw.w.Now().Duration()
	if at <= now {
		rw.t.Fatalf("runUntil %v: the clock is at %v already", at, now)
	}
	rw.w.RunFor(at - now)
}

// Redis keeps the count of good replicas (repl_good_slaves_count) and
// recounts it once a second in replicationCron, when a replica goes online
// or is freed: an ACK does not recount it. After a cut heals, the
// replica's ACKs arrive at once, but writes are refused until the next
// replicationCron (at each whole second here: the nodes started at 0).
func TestMinReplicasCountIsTheCronsTake(t *testing.T) {
	rw, m := minReplicasWorld(t, 2)
	if err := rw.net.Clog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	rw.runUntil(14500 * time.Millisecond)
	mustReply(t, m, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "b", "1")
	if err := rw.net.Unclog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	rw.w.RunFor(5 * time.Millisecond)
	info := m.do("INFO", "replication")
	if !strings.Contains(info, "slave0:ip=r1,port=6379,state=online,offset=") || !strings.Contains(info, ",lag=0\r\n") {
		t.Fatalf("the replica's ACKs have not reached the master: %q", info)
	}
	if got := rw.info(m, "min_slaves_good_slaves"); got != "0" {
		t.Errorf("min_slaves_good_slaves %q before the cron recounts, want 0", got)
	}
	mustReply(t, m, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "b", "2")
	rw.runUntil(15100 * time.Millisecond)
	if got := rw.info(m, "min_slaves_good_slaves"); got != "1" {
		t.Errorf("min_slaves_good_slaves %q after the cron, want 1", got)
	}
	mustReply(t, m, "+OK\r\n", "SET", "b", "3")
}

// The lag is server.unixtime - repl_ack_time in whole seconds: an ACK at
// 10.4 s counts as 10, so with min-replicas-max-lag 1 the replica is good
// until the recount at 12 s, not only until 11.4 s.
func TestMinReplicasMaxLagCountsWholeSeconds(t *testing.T) {
	rw, m := minReplicasWorld(t, 1)
	rw.runUntil(10400 * time.Millisecond)
	mustReply(t, m, "+OK\r\n", "SET", "b", "1")
	mustReply(t, m, ":1\r\n", "WAIT", "1", "100") // r1's ACK, at 10.4 s
	if err := rw.net.Clog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	rw.runUntil(11700 * time.Millisecond)
	mustReply(t, m, "+OK\r\n", "SET", "b", "2")
	rw.runUntil(11950 * time.Millisecond)
	mustReply(t, m, "+OK\r\n", "SET", "b", "3")
	rw.runUntil(12050 * time.Millisecond)
	mustReply(t, m, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "b", "4")
}

// min-replicas-max-lag 0 turns the check off, as min-replicas-to-write 0
// does (checkGoodReplicasStatus), and INFO then omits the count.
func TestMinReplicasMaxLagZeroDisablesTheCheck(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = nil
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "CONFIG", "SET", "min-replicas-to-write", "1")
	mustReply(t, c, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "a", "1")
	if got := c.do("INFO", "replication"); !strings.Contains(got, "min_slaves_good_slaves:0\r\n") {
		t.Errorf("INFO without the count: %q", got)
	}
	mustReply(t, c, "+OK\r\n", "CONFIG", "SET", "min-replicas-max-lag", "0")
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	if got := c.do("INFO", "replication"); strings.Contains(got, "min_slaves_good_slaves") {
		t.Errorf("INFO shows the count with min-replicas-max-lag 0: %q", got)
	}
}

// processCommand counts EXEC with queued writes as a write, so a
// transaction queued while the master had its replicas is aborted if it
// has lost them by EXEC (Redis's "exec with write commands and state
// change"), and scripts' writes are refused too; reads still run.
func TestMinReplicasRefusesExecAndScripts(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = nil
	tw := newTestWorld(t, cfg)
	c, admin := tw.dial(), tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "xx", "1")
	mustReply(t, c, "+OK\r\n", "MULTI")
	mustReply(t, c, "+QUEUED\r\n", "INCR", "xx")
	mustReply(t, admin, "+OK\r\n", "CONFIG", "SET", "min-replicas-to-write", "2")
	mustReply(t, c, "-EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.\r\n", "EXEC")
	mustReply(t, c, "$1\r\n1\r\n", "GET", "xx")
	mustReply(t, c, "$4\r\nasdf\r\n", "PING", "asdf") // no longer in MULTI
	mustReply(t, c, "+OK\r\n", "MULTI")
	mustReply(t, c, "+QUEUED\r\n", "GET", "xx")
	mustReply(t, c, "*1\r\n$1\r\n1\r\n", "EXEC")
	if got := c.do("EVAL", "return redis.call('set','xx','2')", "0"); !strings.HasPrefix(got, "-NOREPLICAS") {
		t.Errorf("a script's write: %q, want NOREPLICAS", got)
	}
	mustReply(t, c, "$1\r\n1\r\n", "EVAL", "return redis.call('get','xx')", "0")
}

// The same is_write_command guards EXEC against the other state changes
// since the queueing: an AOF write error (MISCONF, with its code kept in
// the EXECABORT reason as execCommandAbort keeps it) and the node turned
// into a read-only replica (READONLY).
func TestExecWithQueuedWritesIsCheckedAsAWrite(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	c, other := tw.dial(), tw.dial()
	mustReply(t, c, "+OK\r\n", "MULTI")
	mustReply(t, c, "+QUEUED\r\n", "SET", "a", "1")
	tw.host.Disk().SetFull(true)
	mustReply(t, other, "+OK\r\n", "SET", "b", "1") // its AOF write fails
	mustReply(t, c, "-EXECABORT Transaction discarded because of: MISCONF Errors writing to the AOF file: write appendonlydir/appendonly.aof.1.incr.aof: no space left on device\r\n", "EXEC")
	mustReply(t, c, "$-1\r\n", "GET", "a")

	cfg := DefaultConfig()
	cfg.Save = nil
	tw = newTestWorld(t, cfg)
	c = tw.dial()
	mustReply(t, c, "+OK\r\n", "MULTI")
	mustReply(t, c, "+QUEUED\r\n", "SET", "a", "1")
	tw.server().ReplicaOf("m", 6379)
	mustReply(t, c, "-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n", "EXEC")
	mustReply(t, c, "$-1\r\n", "GET", "a")
}
