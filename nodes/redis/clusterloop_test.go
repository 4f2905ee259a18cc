package redis

import (
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
