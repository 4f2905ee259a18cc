package builtin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
)

// clusterResult is what a cluster run's result.json says of the cluster.
type clusterResult struct {
	Cluster []struct {
		AtNS  int64  `json:"at_ns"`
		Node  string `json:"node"`
		Down  bool   `json:"down"`
		Slots []struct {
			Start int    `json:"start"`
			End   int    `json:"end"`
			Owner string `json:"owner"`
		} `json:"slots"`
	} `json:"cluster"`
	Failovers []struct {
		Node     string `json:"node"`
		Replaced string `json:"replaced"`
	} `json:"cluster_failovers"`
	Overlaps []struct {
		FromNS int64 `json:"from_ns"`
		ToNS   int64 `json:"to_ns"`
	} `json:"cluster_overlaps"`
}

// The report of a cluster run draws what the checks judged: each node's
// last entry in result.json's cluster is the slot table the
// cluster-agreement check found every node agreeing on, the overlap
// windows add up to the cluster-ownership check's overlap_ms, the
// failovers are the promotions the scenario causes, and report.html has
// the three cluster plots.
func TestClusterReportAgreesWithTheChecks(t *testing.T) {
	for _, tc := range []struct {
		scenario  string
		failovers string
	}{
		{"cluster-failover", "n4<-n1 n5<-n2 n6<-n3"},
		{"cluster-partition-minority", "n4<-n1"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			s, err := Registry().Lookup(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := reports.Write(dir, res.Report()); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, reports.ResultFile))
			if err != nil {
				t.Fatal(err)
			}
			var cr clusterResult
			if err := json.Unmarshal(b, &cr); err != nil {
				t.Fatal(err)
			}
			if len(cr.Cluster) == 0 || len(cr.Cluster) >= len(res.Observations.Roles) {
				t.Fatalf("result.json has %d cluster entries for %d role samples: want the changes only", len(cr.Cluster), len(res.Observations.Roles))
			}

			agreement := verdictOf(res, "cluster-agreement")
			_, table, ok := strings.Cut(agreement.Summary, "agree on the slots (")
			table, _, _ = strings.Cut(table, ")")
			if !ok || table == "" {
				t.Fatalf("cluster-agreement: %s", agreement.Summary)
			}
			last := map[string]string{}
			for _, c := range cr.Cluster {
				var runs []string
				for _, r := range c.Slots {
					runs = append(runs, fmt.Sprintf("%d-%d:%s", r.Start, r.End, r.Owner))
				}
				last[c.Node] = strings.Join(runs, " ")
				if c.Down {
					last[c.Node] = "down"
				}
			}
			for _, node := range []string{"n1", "n2", "n3", "n4", "n5", "n6"} {
				if last[node] != table {
					t.Errorf("%s's last slot table in result.json is %q; cluster-agreement saw %q", node, last[node], table)
				}
			}

			var overlap time.Duration
			for _, o := range cr.Overlaps {
				overlap += time.Duration(o.ToNS - o.FromNS)
			}
			ownership := verdictOf(res, "cluster-ownership")
			if len(ownership.Metrics) != 1 || ownership.Metrics[0].Name != "overlap_ms" {
				t.Fatalf("cluster-ownership metrics %+v", ownership.Metrics)
			}
			if got, want := overlap.Milliseconds(), int64(ownership.Metrics[0].Value); got != want || want == 0 {
				t.Errorf("result.json's overlaps add up to %dms; cluster-ownership measured %dms", got, want)
			}

			var fs []string
			for _, f := range cr.Failovers {
				fs = append(fs, f.Node+"<-"+f.Replaced)
			}
			if got := strings.Join(fs, " "); got != tc.failovers {
				t.Errorf("failovers %q, want %q", got, tc.failovers)
			}

			page, err := os.ReadFile(filepath.Join(dir, reports.ReportFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"cluster-slots", "cluster-slot-counts", "cluster-epochs"} {
				if !strings.Contains(string(page), `<figure id="`+id+`">`) {
					t.Errorf("report.html has no %s plot", id)
				}
			}
			md, err := os.ReadFile(filepath.Join(dir, reports.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), "## Cluster") || !strings.Contains(string(md), "As all 6 running nodes' tables say:") {
				t.Errorf("summary.md's Cluster section is missing or says the nodes disagree at the end")
			}
		})
	}
}

// cluster-partition-minority's facts count writes, not the final reads,
// by node, and say when the cut-off master's cluster state turned to fail
// (a node refusing with CLUSTERDOWN), which the samples show.
func TestClusterMinorityFacts(t *testing.T) {
	s, err := Registry().Lookup("cluster-partition-minority")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	facts := strings.Join(res.Facts, "\n")
	var failAt time.Duration
	for _, c := range res.Observations.Cluster {
		if c.Node == "n1" && c.State == "fail" && c.At > 15*time.Second {
			failAt = c.At
			break
		}
	}
	if failAt == 0 {
		t.Fatalf("n1 never sampled in cluster_state fail after the partition")
	}
	for _, want := range []string{"acknowledged writes by node:", fmt.Sprintf("its cluster_state was fail by %v", failAt)} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts lack %q:\n%s", want, facts)
		}
	}
}
