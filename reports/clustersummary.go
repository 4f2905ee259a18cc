package reports

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// clusterSummaryRows caps the failovers and overlaps listed in words.
const clusterSummaryRows = 20

// clusterTables is what summary.md and report.html say of a cluster run
// in words: who serves which slots at the end, each node's role and
// epochs at the end, the failovers, and the windows in which two masters
// claimed a slot.
type clusterTables struct {
	// Changes counts the samples (only where a node's view changes).
	Changes int
	// Ended is false when no sample reaches the run's end (no node was
	// ever sampled); Running counts the nodes up at the end, and Differ
	// says where some of them differ from most ("n1 says n1 for 0-5460").
	Ended   bool
	Running int
	Differ  string
	Owners  []clusterOwnerRow
	Nodes   []clusterNodeRow
	// Failovers and Overlaps are the first clusterSummaryRows, with a
	// count of the rest.
	Failovers     []clusterFailoverRow
	MoreFailovers int
	Overlaps      []clusterOverlapRow
	MoreOverlaps  int
	// Sampled says how the failovers and overlaps are dated: "the views
	// are sampled every 500ms; a change is dated by the first sample that
	// shows it, so it happened up to 500ms before".
	Sampled string
	// OverlapTotal is the overlaps' summed length ("1.5s"),
	// OverlapWindows how many there are ("3 windows"), SameEpoch how
	// many of them are collisions.
	OverlapTotal   string
	OverlapCount   int
	OverlapWindows string
	SameEpoch      int
}

type clusterOwnerRow struct{ Slots, Owner, ConfigEpoch string }

type clusterNodeRow struct{ Node, Role, CurrentEpoch, ConfigEpoch, State string }

type clusterFailoverRow struct{ At, Node, Replaced, ConfigEpoch string }

type clusterOverlapRow struct {
	From, To, Masters, Slots string
	SameEpoch                bool
}

// newClusterTables tells r's cluster story; nil when r has no cluster.
func newClusterTables(r *Run) *clusterTables {
	if len(r.Cluster) == 0 {
		return nil
	}
	st := newClusterStory(r.Cluster, r.Duration)
	t := &clusterTables{Changes: st.changes()}
	period := samplingPeriod(r)
	t.Sampled = "The nodes' views are sampled, so the times below are those of the first sample that showed a change, which happened in the sampling period before it."
	if period > 0 {
		t.Sampled = fmt.Sprintf("The nodes' views are sampled every %v, so the times below are those of the first sample that showed a change, which happened up to %v before it.", period, period)
	}
	if sp := st.final(); sp != nil {
		t.Ended = true
		maj := sp.majority()
		var differ []string
		for k, name := range st.nodes {
			if !up(sp.views[k]) {
				continue
			}
			t.Running++
			for _, d := range sp.dissent(k, maj) {
				owner := d.Owner
				if owner == "" {
					owner = "unassigned"
				}
				differ = append(differ, name+" says "+owner+" for "+slotRange(d.Start, d.End))
			}
		}
		t.Differ = strings.Join(differ, "; ")
		for _, m := range maj {
			row := clusterOwnerRow{Slots: slotRange(m.Start, m.End), Owner: m.Owner}
			switch {
			case m.Split:
				row.Owner = "no majority"
			case m.Owner == "":
				row.Owner = "unassigned"
			default:
				row.ConfigEpoch = strconv.FormatUint(st.ownerEpoch(sp, m.Owner, m.Start), 10)
			}
			t.Owners = append(t.Owners, row)
		}
		for k, name := range st.nodes {
			v := sp.views[k]
			row := clusterNodeRow{Node: name}
			switch {
			case v == nil:
				row.Role = "never seen"
			case v.Down:
				row.Role = "down"
			default:
				row.Role = "master"
				if !v.Master {
					row.Role = "replica"
					if v.Replicates != "" {
						row.Role = "replica of " + v.Replicates
					}
				}
				if v.Paused {
					row.Role += " (paused)"
				}
				row.CurrentEpoch = strconv.FormatUint(v.CurrentEpoch, 10)
				row.ConfigEpoch = strconv.FormatUint(v.ConfigEpoch, 10)
				row.State = v.State
			}
			t.Nodes = append(t.Nodes, row)
		}
	}
	for i, f := range st.failovers() {
		if i == clusterSummaryRows {
			t.MoreFailovers++
			continue
		}
		t.Failovers = append(t.Failovers, clusterFailoverRow{"by " + sampledInstant(f.At, period), f.Node, f.Replaced, strconv.FormatUint(f.ConfigEpoch, 10)})
	}
	var total time.Duration
	for i, o := range st.overlaps() {
		total += o.To - o.From
		t.OverlapCount++
		if o.EpochA == o.EpochB {
			t.SameEpoch++
		}
		if i >= clusterSummaryRows {
			t.MoreOverlaps++
			continue
		}
		t.Overlaps = append(t.Overlaps, clusterOverlapRow{From: sampledInstant(o.From, period), To: sampledInstant(o.To, period),
			Masters:   fmt.Sprintf("%s (%d), %s (%d)", o.A, o.EpochA, o.B, o.EpochB),
			Slots:     slotRanges(o.Slots, 4),
			SameEpoch: o.EpochA == o.EpochB})
	}
	t.OverlapTotal = total.String()
	t.OverlapWindows = fmt.Sprintf("%d %s", t.OverlapCount, plural(t.OverlapCount, "window", "windows"))
	return t
}

// samplingPeriod is the interval at which the run sampled the nodes (its
// observations of roles, lag and cluster views share it): the shortest step
// between the sampling instants of replication offsets, which are taken at
// every instant, or else of the cluster's views, which are kept only where
// they change and so may overstate it. Zero when no two instants differ.
func samplingPeriod(r *Run) time.Duration {
	if p := lagPeriod(r.Lag); p > 0 {
		return p
	}
	var period time.Duration
	for i := 1; i < len(r.Cluster); i++ {
		if d := r.Cluster[i].At - r.Cluster[i-1].At; d > 0 && (period == 0 || d < period) {
			period = d
		}
	}
	return period
}

// sampledInstant prints a sampled time with no more digits than the
// sampling period has ("23.0s" every 500ms): instant's nanoseconds would
// claim a precision the samples do not have.
func sampledInstant(d, period time.Duration) string {
	decimals := 0
	for p := period; p > 0 && p%time.Second != 0 && decimals < 6; p *= 10 {
		decimals++
	}
	if period <= 0 {
		decimals = 6
	}
	return strconv.FormatFloat(d.Seconds(), 'f', decimals, 64) + "s"
}

// writeClusterSummary writes summary.md's Cluster section, if r has a
// cluster.
func writeClusterSummary(b *bytes.Buffer, r *Run) {
	t := newClusterTables(r)
	if t == nil {
		return
	}
	fmt.Fprintf(b, "\n## Cluster\n\nFrom %d changes of the nodes' views of the cluster (result.json's `cluster`); report.html plots them.\n\n", t.Changes)
	if t.Ended {
		b.WriteString("### Slot owners at the end\n\n")
		switch {
		case t.Running == 0:
			b.WriteString("No node was up at the end.\n\n")
		case t.Differ == "":
			fmt.Fprintf(b, "As all %d running nodes' tables say:\n\n", t.Running)
		default:
			fmt.Fprintf(b, "As most of the %d running nodes' tables say; %s.\n\n", t.Running, mdText(t.Differ))
		}
		if t.Running > 0 {
			b.WriteString("| slots | owner | configEpoch |\n|---|---|---:|\n")
			for _, o := range t.Owners {
				fmt.Fprintf(b, "| %s | %s | %s |\n", o.Slots, mdCell(o.Owner), o.ConfigEpoch)
			}
			b.WriteString("\n")
		}
		b.WriteString("### Nodes at the end\n\n| node | role | currentEpoch | configEpoch | cluster_state |\n|---|---|---:|---:|---|\n")
		for _, n := range t.Nodes {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdCell(n.Node), mdCell(n.Role), n.CurrentEpoch, n.ConfigEpoch, mdCell(n.State))
		}
		b.WriteString("\n")
	}
	b.WriteString("### Failovers\n\n")
	if len(t.Failovers) == 0 {
		b.WriteString("None: no replica turned master.\n\n")
	} else {
		b.WriteString(t.Sampled + "\n\n| at | promoted | replaced | configEpoch |\n|---:|---|---|---:|\n")
		for _, f := range t.Failovers {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", f.At, mdCell(f.Node), mdCell(f.Replaced), f.ConfigEpoch)
		}
		if t.MoreFailovers > 0 {
			fmt.Fprintf(b, "\nAnd %d more in result.json's `cluster_failovers`.\n", t.MoreFailovers)
		}
		b.WriteString("\n")
	}
	b.WriteString("### Ownership overlaps\n\n")
	if t.OverlapCount == 0 {
		b.WriteString("None: no two masters claimed a slot at once.\n")
		return
	}
	fmt.Fprintf(b, "Two masters claimed the same slots in their own tables for %s in all, in %s (the cluster-ownership check's overlap); %d with the same configEpoch. %s\n\n",
		t.OverlapTotal, t.OverlapWindows, t.SameEpoch, t.Sampled)
	b.WriteString("| from | to | masters (configEpoch) | slots |\n|---:|---:|---|---|\n")
	for _, o := range t.Overlaps {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", o.From, o.To, mdCell(o.Masters), o.Slots)
	}
	if t.MoreOverlaps > 0 {
		fmt.Fprintf(b, "\nAnd %d more in result.json's `cluster_overlaps`.\n", t.MoreOverlaps)
	}
}
