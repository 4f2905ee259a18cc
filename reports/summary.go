package reports

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// writeSummary writes summary.md: what a reviewer reads in a CI artifact or a
// pull request comment before opening report.html.
func writeSummary(b *bytes.Buffer, r *Run, lin linearizabilityLink) {
	fmt.Fprintf(b, "# %s %s seed %d\n\n", statusWord(r.Status), mdText(r.Scenario), r.Seed)
	fmt.Fprintf(b, "```\n%s\n```\n\n", r.StatusLine)
	fmt.Fprintf(b, "%s of virtual time, %d events, %d operations.\n\n", r.Duration, r.Events, len(r.History))

	b.WriteString("## Verdicts\n\n")
	if len(r.Verdicts) == 0 {
		b.WriteString("No checks ran.\n\n")
	}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		fmt.Fprintf(b, "- **%s** `%s` (%s): %s\n", v.Verdict, mdCode(v.Checker), v.Kind, mdText(v.Summary))
		if ev := &v.Evidence; ev.From != 0 || ev.To != 0 {
			fmt.Fprintf(b, "  - window: %s to %s\n", instant(ev.From.Duration()), instant(ev.To.Duration()))
		}
		for _, e := range v.Evidence.Lines() {
			fmt.Fprintf(b, "  - `%s`\n", mdCode(e))
		}
	}
	b.WriteString("\n")
	if r.Linearizability != nil {
		if lin.Href != "" {
			fmt.Fprintf(b, "Porcupine's visualization of the linearizability failure: [%s](%s).\n\n", lin.Href, lin.Href)
		} else {
			fmt.Fprintf(b, "Porcupine's visualization was not written: %s\n\n", mdText(lin.Err))
		}
	}

	b.WriteString("## Replay\n\n")
	fmt.Fprintf(b, "```sh\n%s\n```\n\n", r.Replay)

	if len(r.Facts) > 0 {
		b.WriteString("## Facts\n\n")
		for _, f := range r.Facts {
			fmt.Fprintf(b, "- %s\n", mdText(f))
		}
		b.WriteString("\n")
	}

	if len(r.Probes) > 0 {
		b.WriteString("## Coverage probes reached\n\n| probe | hits | first at |\n|---|---|---|\n")
		for _, p := range r.Probes {
			fmt.Fprintf(b, "| %s | %d | %s |\n", mdCell(p.Name), p.Count, instant(p.First))
		}
		b.WriteString("\n")
	}

	if len(r.Params) > 0 {
		b.WriteString("## Parameters\n\n| parameter | value |\n|---|---|\n")
		for _, p := range r.Params {
			fmt.Fprintf(b, "| %s | `%s` |\n", mdCell(p.Name), mdCode(strings.ReplaceAll(p.Value, "|", `\|`)))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Fault schedule\n\n")
	if len(r.Faults) == 0 {
		b.WriteString("No faults.\n")
	} else {
		b.WriteString("| at | until | fault | detail |\n|---:|---:|---|---|\n")
		for _, f := range r.Faults {
			until := ""
			if f.End != f.At {
				until = instant(f.End)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", instant(f.At), until, mdCell(f.Op), mdCell(f.Text))
		}
	}
	writeSentinelSummary(b, r)
	writeClusterSummary(b, r)
}

// writeSentinelSummary lists the sentinels' key events (ODOWN, TILT,
// elections, switches, aborts): the story of a failover in a few lines;
// report.html has the others.
func writeSentinelSummary(b *bytes.Buffer, r *Run) {
	v := sentinelEvents(r)
	if v == nil {
		return
	}
	var rows []eventRow
	for _, row := range v.Rows {
		if row.Key {
			rows = append(rows, row)
		}
	}
	fmt.Fprintf(b, "\n## Sentinel events\n\nThe key ones of %d events the sentinels published; report.html lists the others and result.json all of them.\n\n", len(r.SentinelEvents))
	if len(rows) == 0 {
		b.WriteString("None.\n")
		return
	}
	b.WriteString("| at | sentinel | event | detail |\n|---:|---|---|---|\n")
	for _, row := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", row.At, mdCell(row.Sentinel), mdCell(row.Type), mdCell(strings.Join(row.Msgs, "; ")))
	}
}

// oneLine collapses the whitespace of s, newlines included.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mdText keeps a string from breaking the Markdown around it: one line, and
// no "<" that a renderer would take for an HTML tag.
func mdText(s string) string {
	return strings.ReplaceAll(oneLine(s), "<", "&lt;")
}

// mdCell escapes the pipes that would split a table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(s), "|", `\|`)
}

// mdCode keeps a string inside one inline code span.
func mdCode(s string) string {
	return strings.ReplaceAll(oneLine(s), "`", "'")
}

// clusterSummaryRows caps the failovers and overlaps summary.md lists.
const clusterSummaryRows = 20

// writeClusterSummary tells a cluster run's story in a few tables: who
// serves which slots at the end, each node's role and epochs at the end,
// the failovers, and the windows in which two masters claimed a slot.
func writeClusterSummary(b *bytes.Buffer, r *Run) {
	if len(r.Cluster) == 0 {
		return
	}
	st := newClusterStory(r.Cluster, r.Duration)
	fmt.Fprintf(b, "\n## Cluster\n\nFrom %d changes of the nodes' views of the cluster (result.json's `cluster`); report.html plots them.\n\n", st.changes())
	if sp := st.final(); sp != nil {
		maj := sp.majority()
		var differ []string
		running := 0
		for k, name := range st.nodes {
			if !up(sp.views[k]) {
				continue
			}
			running++
			for _, d := range sp.dissent(k, maj) {
				owner := d.Owner
				if owner == "" {
					owner = "unassigned"
				}
				differ = append(differ, fmt.Sprintf("%s says %s for %s", name, owner, slotRange(d.Start, d.End)))
			}
		}
		b.WriteString("### Slot owners at the end\n\n")
		switch {
		case running == 0:
			b.WriteString("No node was up at the end.\n\n")
		case len(differ) == 0:
			fmt.Fprintf(b, "As all %d running nodes' tables say:\n\n", running)
		default:
			fmt.Fprintf(b, "As most of the %d running nodes' tables say; %s.\n\n", running, mdText(strings.Join(differ, "; ")))
		}
		if running > 0 {
			b.WriteString("| slots | owner | configEpoch |\n|---|---|---:|\n")
			for _, m := range maj {
				switch {
				case m.Split:
					fmt.Fprintf(b, "| %s | no majority | |\n", slotRange(m.Start, m.End))
				case m.Owner == "":
					fmt.Fprintf(b, "| %s | unassigned | |\n", slotRange(m.Start, m.End))
				default:
					fmt.Fprintf(b, "| %s | %s | %d |\n", slotRange(m.Start, m.End), mdCell(m.Owner), st.ownerEpoch(sp, m.Owner, m.Start))
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("### Nodes at the end\n\n| node | role | currentEpoch | configEpoch | cluster_state |\n|---|---|---:|---:|---|\n")
		for k, name := range st.nodes {
			v := sp.views[k]
			switch {
			case v == nil:
				fmt.Fprintf(b, "| %s | never seen | | | |\n", mdCell(name))
			case v.Down:
				fmt.Fprintf(b, "| %s | down | | | |\n", mdCell(name))
			default:
				role := "master"
				if !v.Master {
					role = "replica of " + v.Replicates
					if v.Replicates == "" {
						role = "replica"
					}
				}
				if v.Paused {
					role += " (paused)"
				}
				fmt.Fprintf(b, "| %s | %s | %d | %d | %s |\n", mdCell(name), mdCell(role), v.CurrentEpoch, v.ConfigEpoch, mdCell(v.State))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("### Failovers\n\n")
	if fs := st.failovers(); len(fs) == 0 {
		b.WriteString("None: no replica turned master.\n\n")
	} else {
		b.WriteString("| at | promoted | replaced | configEpoch |\n|---:|---|---|---:|\n")
		for i, f := range fs {
			if i == clusterSummaryRows {
				fmt.Fprintf(b, "\nAnd %d more in result.json's `cluster_failovers`.\n", len(fs)-i)
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s | %d |\n", instant(f.At), mdCell(f.Node), mdCell(f.Replaced), f.ConfigEpoch)
		}
		b.WriteString("\n")
	}
	b.WriteString("### Ownership overlaps\n\n")
	overlaps := st.overlaps()
	if len(overlaps) == 0 {
		b.WriteString("None: no two masters claimed a slot at once.\n")
		return
	}
	var total time.Duration
	same := 0
	for _, o := range overlaps {
		total += o.To - o.From
		if o.EpochA == o.EpochB {
			same++
		}
	}
	fmt.Fprintf(b, "Two masters claimed the same slots in their own tables for %v in all, in %d %s (the cluster-ownership check's overlap); %d with the same configEpoch.\n\n", total, len(overlaps), plural(len(overlaps), "window", "windows"), same)
	b.WriteString("| from | to | masters (configEpoch) | slots |\n|---:|---:|---|---|\n")
	for i, o := range overlaps {
		if i == clusterSummaryRows {
			fmt.Fprintf(b, "\nAnd %d more in result.json's `cluster_overlaps`.\n", len(overlaps)-i)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s (%d), %s (%d) | %s |\n", instant(o.From), instant(o.To), mdCell(o.A), o.EpochA, mdCell(o.B), o.EpochB, slotRanges(o.Slots, 4))
	}
}
