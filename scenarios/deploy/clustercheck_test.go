package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/reports"
)

// checkedCluster is a deployment whose Observe saw, every second from 0s
// to 9s, the changes in log: the checks read each instant's views from
// them, a view holding until the node's next one.
func checkedCluster(log ...reports.ClusterSample) *Deployed {
	b := &Deployed{cluster: true, nodes: []string{"n1", "n2", "n3"}, observed: &Observations{Cluster: log}}
	for at := time.Duration(0); at < 10*time.Second; at += time.Second {
		b.clusterTicks = append(b.clusterTicks, at)
	}
	return b
}

func master(at time.Duration, node string, cfg uint64, runs ...reports.SlotRun) reports.ClusterSample {
	return reports.ClusterSample{At: at, Node: node, State: "ok", Master: true, CurrentEpoch: 5, ConfigEpoch: cfg, Slots: runs}
}

// The checks judge each instant by the views in force then, leaving out
// the nodes down: n2 claims n1's slots from 3s with a lower epoch until
// it is down at 5s, then with n1's own epoch from 7s (a collision).
func TestClusterChecksReadTheChanges(t *testing.T) {
	table := []reports.SlotRun{{Start: 0, End: 8191, Owner: "n1", ConfigEpoch: 2}, {Start: 8192, End: 16383, Owner: "n3", ConfigEpoch: 3}}
	both := []reports.SlotRun{{Start: 0, End: 8191, Owner: "n2", ConfigEpoch: 1}, {Start: 8192, End: 16383, Owner: "n3", ConfigEpoch: 3}}
	b := checkedCluster(
		master(0, "n1", 2, table...),
		reports.ClusterSample{At: 0, Node: "n2", State: "ok", Replicates: "n1", CurrentEpoch: 5, ConfigEpoch: 1, Slots: table},
		master(0, "n3", 3, table...),
		master(3*time.Second, "n2", 1, both...),
		reports.ClusterSample{At: 5 * time.Second, Node: "n2", Down: true},
		master(7*time.Second, "n2", 2, both...),
	)
	own := b.ClusterOwnership(time.Second)
	if own.Verdict != checker.Violation || !strings.HasPrefix(own.Summary, "at 7.000000s n1 and n2 both claim slot 0 with configEpoch 2") {
		t.Errorf("cluster-ownership: %s %s", own.Verdict, own.Summary)
	}
	// 3s and 4s with epochs 2 and 1, 7s to 9s with 2 and 2: five instants.
	if own.Metrics[0].Value != 5000 || len(own.Evidence.Notes) != 5 {
		t.Errorf("cluster-ownership: overlap %v ms, notes %q", own.Metrics[0].Value, own.Evidence.Notes)
	}
	agree := b.ClusterAgreement(0, time.Minute)
	if agree.Verdict != checker.Violation || !strings.Contains(agree.Summary, "n1 and n2 disagree on the slots") {
		t.Errorf("cluster-agreement: %s %s", agree.Verdict, agree.Summary)
	}
	if ep := b.ClusterEpochs(); ep.Verdict != checker.Ok || ep.Summary != "currentEpoch >= configEpoch in all 28 samples" {
		t.Errorf("cluster-epochs: %s %s", ep.Verdict, ep.Summary)
	}

	// n2 takes over from n1 at 4s, n1 follows n2 from 6s; n3 is down at
	// the end, so the roles cannot be judged for it.
	took := []reports.SlotRun{{Start: 0, End: 8191, Owner: "n2", ConfigEpoch: 6}, {Start: 8192, End: 16383, Owner: "n3", ConfigEpoch: 3}}
	b = checkedCluster(
		master(0, "n1", 2, table...),
		reports.ClusterSample{At: 0, Node: "n2", State: "ok", Replicates: "n1", CurrentEpoch: 5, ConfigEpoch: 1, Slots: table},
		master(0, "n3", 3, table...),
		reports.ClusterSample{At: 4 * time.Second, Node: "n2", State: "ok", Master: true, CurrentEpoch: 6, ConfigEpoch: 6, Slots: took},
		reports.ClusterSample{At: 4 * time.Second, Node: "n3", State: "ok", Master: true, CurrentEpoch: 6, ConfigEpoch: 3, Slots: took},
		reports.ClusterSample{At: 6 * time.Second, Node: "n1", State: "ok", Replicates: "n2", CurrentEpoch: 6, ConfigEpoch: 2, Slots: took},
		reports.ClusterSample{At: 8 * time.Second, Node: "n3", Down: true},
	)
	if r := b.ClusterRoles(map[string]string{"n1": "n2"}); r.Verdict != checker.Ok {
		t.Errorf("cluster-roles n1->n2: %s %s", r.Verdict, r.Summary)
	}
	if r := b.ClusterRoles(map[string]string{"n3": "n1"}); r.Verdict != checker.Violation || r.Summary != "n3 or n1 is down at the end" {
		t.Errorf("cluster-roles n3->n1: %s %s", r.Verdict, r.Summary)
	}
	agree = b.ClusterAgreement(2*time.Second, 3*time.Second)
	if agree.Verdict != checker.Ok || !strings.HasPrefix(agree.Summary, "n1, n2 agree on the slots (0-8191:n2 8192-16383:n3)") {
		t.Errorf("cluster-agreement: %s %s", agree.Verdict, agree.Summary)
	}
	if ep := b.ClusterEpochs(); ep.Verdict != checker.Ok {
		t.Errorf("cluster-epochs: %s %s", ep.Verdict, ep.Summary)
	}
	b.observed.Cluster[0].CurrentEpoch = 1
	if ep := b.ClusterEpochs(); ep.Verdict != checker.Violation || ep.Summary != "n1 at 0.000000s: currentEpoch 1 < configEpoch 2" {
		t.Errorf("cluster-epochs with n1 behind: %s %s", ep.Verdict, ep.Summary)
	}
	if r := (&Deployed{cluster: true}).ClusterAgreement(0, time.Second); r.Verdict != checker.Unknown {
		t.Errorf("cluster-agreement without Observe: %s %s", r.Verdict, r.Summary)
	}
}
