package redis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// Bus messages leave from write handlers in an event-loop iteration that
// follows at once and ends with another beforeSleep, so what
// clusterBeforeSleep leaves for the next one runs in the same instant: a
// manual failover's election starts in the millisecond the replica has
// processed its paused master's stream (redis-server 7.0.15 logs "All
// master replication stream processed" and "Starting a failover election"
// in the same millisecond), not at the next cron tick.
func TestClusterManualFailoverElectionStartsAtOnce(t *testing.T) {
	cw := newClusterWorld(t, 1, 6, 3)
	if got := cw.conns[3].do("CLUSTER", "FAILOVER"); got != "+OK\r\n" {
		t.Fatalf("CLUSTER FAILOVER on n4: %q", got)
	}
	cw.w.RunFor(time.Second)
	at := map[string]time.Duration{}
	n4 := cw.nodes[3].node.ID()
	for _, ev := range cw.w.Trace().Events {
		if ev.Kind != sim.KindLog || ev.Proc != n4 {
			continue
		}
		for _, m := range []string{"All master replication stream processed", "Starting a failover election"} {
			if strings.HasPrefix(ev.Text, m) {
				at[m] = ev.At.Duration()
			}
		}
	}
	processed, started := at["All master replication stream processed"], at["Starting a failover election"]
	if processed == 0 || started == 0 {
		t.Fatalf("n4 did not log both steps: %v", at)
	}
	if started-processed >= time.Millisecond {
		t.Fatalf("the election started %v after the stream was processed, want the same millisecond", started-processed)
	}
}

// While a manual failover holds the master's clients paused, its
// replication cron feeds the replicas no PING (replicationCron in 7.0.15):
// the PING would move the master's offset past the one the replica was
// told to reach. Over real TCP a replica whose stream lags the bus then
// reads the last bytes before that offset and the PING together, never
// has processed exactly that offset, and the failover times out (as
// TestServeClusterMixed once did; TestClusterManualFailoversUnderTraffic
// below). Here the replica cannot win (the
// other masters do not hear it), so the pause lasts the failover's 5 s,
// through several of the PINGs (one a second): the master's offset must
// stay where the pause found it, and the PINGs come back after.
func TestClusterManualFailoverPausesReplicationPing(t *testing.T) {
	cw := newClusterWorldCfg(t, 1, 6, 3, func() Config {
		cfg := clusterConfig()
		cfg.ReplPingReplicaPeriod = 1
		return cfg
	})
	offset := func() string { return replInfoField(cw.conns[0], "master_repl_offset") }
	for _, other := range []string{"n2", "n3"} {
		if err := cw.net.Clog("n4", other); err != nil {
			t.Fatal(err)
		}
	}
	if got := cw.conns[3].do("CLUSTER", "FAILOVER"); got != "+OK\r\n" {
		t.Fatalf("CLUSTER FAILOVER on n4: %q", got)
	}
	cw.w.RunFor(500 * time.Millisecond)
	paused := offset()
	cw.w.RunFor(3 * time.Second)
	if got := offset(); got != paused {
		t.Fatalf("n1's offset moved from %s to %s while the manual failover held its clients", paused, got)
	}
	cw.w.RunFor(5 * time.Second) // the failover times out, the pause ends
	if got := offset(); got == paused {
		t.Fatalf("n1's offset stayed at %s after the manual failover ended: no PING", got)
	}
}

// replInfoField is one field of INFO replication.
func replInfoField(c *testConn, field string) string {
	for _, line := range strings.Split(bulkValue(c.do("INFO", "replication")), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// The same end to end, as TestServeClusterMixed met it over real TCP:
// the link between a master and its replica draws each segment's latency
// from 1-400 ms, so the replica's stream can lag the bus and the bytes
// up to the paused offset and a PING fed after it can arrive together,
// one read; clients write all along, the PING comes every second, and
// every one of 30 manual failovers, started at phases spread over the
// PING period, must succeed. With the PING fed during the pause, one of
// the first ten times out.
func TestClusterManualFailoversUnderTraffic(t *testing.T) {
	cw := newClusterWorldCfg(t, 1, 6, 3, func() Config {
		cfg := clusterConfig()
		cfg.ReplPingReplicaPeriod = 1
		return cfg
	})
	for _, dir := range [][2]string{{"n1", "n4"}, {"n4", "n1"}} {
		if err := cw.net.SetLatency(dir[0], dir[1], sim.UniformDist(time.Millisecond, 400*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	cw.w.RunFor(2 * time.Second)
	replica, master := 3, 0 // n4 replicates n1
	for i := 0; i < 30; i++ {
		if got := cw.conns[replica].do("CLUSTER", "FAILOVER"); got != "+OK\r\n" {
			t.Fatalf("failover %d: CLUSTER FAILOVER on n%d: %q", i, replica+1, got)
		}
		start := cw.w.Now().Duration()
		want := fmt.Sprintf("n%d master, n%d slave", replica+1, master+1)
		for j := 0; cw.roles(replica, master) != want; j++ {
			if cw.w.Now().Duration() > start+6*time.Second {
				t.Fatalf("failover %d (started at %v): n%d did not take over from n%d within 6 s: %s",
					i, start, replica+1, master+1, cw.roles(replica, master))
			}
			cw.conns[master].send("SET", "bar", fmt.Sprint(j)) // slot 5061, this shard's
			cw.w.RunFor(10 * time.Millisecond)
		}
		replica, master = master, replica
		// A replica that won an election less than 4 node timeouts ago
		// (20 s) starts no other (auth_retry_time in
		// clusterHandleSlaveFailover): each node's turns are two of these
		// 10.5 s waits apart.
		for j := 0; j < 1050; j++ {
			cw.conns[master].send("SET", "bar", fmt.Sprint(j))
			cw.w.RunFor(10 * time.Millisecond)
		}
	}
}
