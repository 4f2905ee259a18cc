package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// FAILOVER hands the master role to a caught-up replica: writes sent during
// the handover are held, then answered by the new replica with READONLY;
// the old master follows the new one, which continued the history
// partially, and INFO shows the states on the way.
func TestFailoverToReplica(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	m, w := rw.nodes[0].dial(), rw.nodes[0].dial()
	for i := 0; i < 50; i++ {
		m.do("SET", "k"+itoa(int64(i)), "v")
	}
	rw.w.RunFor(7 * time.Second) // repl-diskless-sync-delay, then the sync
	r := rw.nodes[1].dial()
	m.expect(`
		FAILOVER TO r1 1 -> -ERR FAILOVER target HOST and PORT is not a replica.\r\n
		FAILOVER FORCE -> -ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n
		FAILOVER TIMEOUT 0 -> -ERR FAILOVER timeout must be greater than 0\r\n
		FAILOVER ABORT -> -ERR No failover in progress.\r\n
		FAILOVER BOGUS -> -ERR syntax error\r\n
	`)
	r.expect(`FAILOVER -> -ERR FAILOVER is not valid when server is a replica.\r\n`)
	if got := m.do("FAILOVER", "TO", "r1", "6379"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	if got := rw.info(m, "master_failover_state"); got != "waiting-for-sync" && got != "failover-in-progress" && got != "no-failover" {
		t.Fatalf("master_failover_state %q", got)
	}
	w.send("SET", "during", "x") // held by the failover's pause
	rw.w.RunFor(2 * time.Second)
	if got := rw.info(m, "role"); got != "slave" {
		t.Fatalf("old master's role %q after the failover", got)
	}
	if got := rw.info(r, "role"); got != "master" {
		t.Fatalf("replica's role %q after the failover", got)
	}
	if got := rw.info(m, "master_failover_state"); got != "no-failover" {
		t.Fatalf("master_failover_state %q after the failover", got)
	}
	if got := w.wait(1); got != "-READONLY You can't write against a read only replica.\r\n" {
		t.Fatalf("the write held during the failover: %q", got)
	}
	if got := rw.info(m, "master_link_status"); got != "up" {
		t.Fatalf("old master's link %q", got)
	}
	if !rw.nodes[1].logged("MASTER MODE enabled (failover request from") {
		t.Fatalf("the replica did not log the failover request")
	}
	if !rw.nodes[0].logged("Successful partial resynchronization with master.") {
		t.Fatalf("the old master did not continue partially")
	}
	r.do("SET", "after", "y")
	rw.w.RunFor(time.Second)
	if got := m.do("GET", "after"); got != "$1\r\ny\r\n" {
		t.Fatalf("old master does not follow: GET after = %q", got)
	}
	if a, b := m.do("DEBUG", "DIGEST"), r.do("DEBUG", "DIGEST"); a != b {
		t.Fatalf("digests differ: %q %q", a, b)
	}
}

// A replica that never catches up times the failover out: the master
// aborts, unpauses, and the held write goes through.
func TestFailoverTimesOut(t *testing.T) {
	rw := newReplWorld(t, 2, []string{"m", "r1"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	m, w := rw.nodes[0].dial(), rw.nodes[0].dial()
	m.do("SET", "a", "1")
	rw.w.RunFor(7 * time.Second) // repl-diskless-sync-delay, then the sync
	r := rw.nodes[1].dial()
	r.send("DEBUG", "SLEEP", "5") // the replica stops acknowledging
	rw.w.RunFor(10 * time.Millisecond)
	m.do("SET", "b", "2") // an offset the replica has not acknowledged
	if got := m.do("FAILOVER", "TIMEOUT", "500"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	w.send("SET", "c", "3")
	rw.w.RunFor(300 * time.Millisecond)
	if len(w.replies) != 0 {
		t.Fatalf("a write went through during the failover: %q", w.replies)
	}
	rw.w.RunFor(time.Second)
	if got := w.wait(1); got != "+OK\r\n" {
		t.Fatalf("the held write after the abort: %q", got)
	}
	if got := rw.info(m, "role"); got != "master" {
		t.Fatalf("role %q after the timeout", got)
	}
	if !rw.nodes[0].logged("FAILOVER to any replica aborted: Replica never caught up before timeout") {
		t.Fatalf("no abort logged")
	}
	if got := m.do("REPLICAOF", "r1", "6379"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("REPLICAOF after the failover: %q", got)
	}
}

// FAILOVER with a TIMEOUT holds writes while it waits for the replica's
// ack, and meanwhile the replication cron feeds no PING (replicationCron
// in 7.0.15): the PING would move the offset the replica must reach.
// The replica's acks are held here, so the wait lasts the timeout.
func TestFailoverPausesReplicationPing(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		cfg := masterConfig()
		if i == 1 {
			cfg = replicaConfig("m:6379")
		}
		cfg.ReplPingReplicaPeriod = 1
		return cfg
	})
	m := rw.nodes[0].dial()
	m.do("SET", "k", "v")
	rw.w.RunFor(7 * time.Second) // repl-diskless-sync-delay, then the sync
	if err := rw.net.Clog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	if got := m.do("FAILOVER", "TO", "r1", "6379", "TIMEOUT", "5000"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	paused := rw.info(m, "master_repl_offset")
	rw.w.RunFor(3 * time.Second)
	if got := rw.info(m, "master_failover_state"); got != "waiting-for-sync" {
		t.Fatalf("master_failover_state %q, want waiting-for-sync", got)
	}
	if got := rw.info(m, "master_repl_offset"); got != paused {
		t.Fatalf("the offset moved from %s to %s while FAILOVER held writes", paused, got)
	}
	rw.w.RunFor(4 * time.Second) // the timeout aborts the failover
	if got := rw.info(m, "master_repl_offset"); got == paused {
		t.Fatalf("the offset stayed at %s after the failover was aborted: no PING", got)
	}
}

// TestNoGetAckWhileClientsPaused: a WAIT that blocks while clients are
// paused asks the replicas for an ACK only when the pause ends, as
// 7.0.15's beforeSleep holds REPLCONF GETACK back while clients are
// paused (it would move the offset). Checked against redis-server 7.0.15:
// SET, CLIENT PAUSE 2000 WRITE and WAIT 1 500 in one read leave
// master_repl_offset where the SET left it until the pause ends, then
// move it by the 37 bytes of REPLCONF GETACK *.
func TestNoGetAckWhileClientsPaused(t *testing.T) {
	rw, m := syncedMasterReplica(t)
	c := rw.nodes[0].dial()
	n := len(c.replies)
	c.send("SET", "k", "v")
	c.send("CLIENT", "PAUSE", "2000", "WRITE")
	c.send("WAIT", "1", "500")
	c.wait(n + 2)
	before := rw.info(m, "master_repl_offset")
	rw.w.RunFor(time.Second) // the WAIT ends (the replica's own ACK may come first), the pause goes on
	c.wait(n + 3)
	if got := rw.info(m, "master_repl_offset"); got != before {
		t.Fatalf("master_repl_offset moved from %s to %s while clients were paused", before, got)
	}
	rw.w.RunFor(1500 * time.Millisecond) // past the pause's end
	after, _ := strconv.Atoi(rw.info(m, "master_repl_offset"))
	if b, _ := strconv.Atoi(before); after != b+37 {
		t.Fatalf("master_repl_offset %d after the pause, want %d + 37 (REPLCONF GETACK *)", after, b)
	}
}

// TestWaitTruncatedCountAsksForAck: WAIT compares the count it parsed
// with the acks in, then blocks with the count cut to an int; 2^32 blocks
// for 0 replicas and is released by the same beforeSleep, with the acks
// in, but the replicas are still sent the REPLCONF GETACK * that blocking
// asks for. Checked against redis-server 7.0.15 with a real replica: SET
// k v, then WAIT 4294967296 0, replies 0 and moves master_repl_offset
// by 50 (SELECT, SET) + 37 (GETACK).
func TestWaitTruncatedCountAsksForAck(t *testing.T) {
	rw, m := syncedMasterReplica(t)
	c := rw.nodes[0].dial()
	before, _ := strconv.Atoi(rw.info(m, "master_repl_offset"))
	n := len(c.replies)
	c.send("SET", "k", "v")
	c.send("WAIT", "4294967296", "0")
	if got := c.wait(n + 2); got != ":0\r\n" {
		t.Fatalf("WAIT 4294967296 0 replied %q, want :0", got)
	}
	// SELECT 0 (the first command since the sync) is 23 bytes, SET k v 27.
	if got, _ := strconv.Atoi(rw.info(m, "master_repl_offset")); got != before+50+37 {
		t.Fatalf("master_repl_offset %d, want %d + 50 (SELECT, SET) + 37 (REPLCONF GETACK *)", got, before)
	}
}

// TestWaitAfterReadWaitsForTheOffset: 7.0.15's processCommand sets the
// client's offset for WAIT after every command it runs, a read too, so
// a WAIT after a GET waits for the writes of other clients before it
// (the propagation fuzzer found the node counting a replica that had
// acknowledged less).
func TestWaitAfterReadWaitsForTheOffset(t *testing.T) {
	rw, a := syncedMasterReplica(t)
	b := rw.nodes[0].dial()
	if got := b.do("WAIT", "1", "100"); got != ":1\r\n" {
		t.Fatalf("WAIT 1 100 before any command: %q, want :1 (offset 0)", got)
	}
	if err := rw.net.Clog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	a.do("SET", "k", "v")
	b.do("GET", "k")
	if got := b.do("WAIT", "1", "100"); got != ":0\r\n" {
		t.Fatalf("WAIT 1 100 after a GET, with the replica cut off since another client's SET: %q, want :0", got)
	}
}

// syncedMasterReplica is a master m with one replica r1, after a write and
// the full sync (repl-diskless-sync-delay, then the transfer), and a
// connection to m.
func syncedMasterReplica(t *testing.T) (*replWorld, *testConn) {
	t.Helper()
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		if i == 1 {
			return replicaConfig("m:6379")
		}
		return masterConfig()
	})
	m := rw.nodes[0].dial()
	m.do("SET", "warm", "up")
	rw.w.RunFor(7 * time.Second)
	return rw, m
}
