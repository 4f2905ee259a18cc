package reports

import (
	"bytes"
	"fmt"
	"strings"
)

// writeSummary writes summary.md: what a reviewer reads in a CI artifact or a
// pull request comment before opening report.html.
func writeSummary(b *bytes.Buffer, r *Run, lin linearizabilityLink) {
	fmt.Fprintf(b, "# %s %s seed %d%s\n\n", statusWord(r.Status), mdText(r.Scenario), r.Seed, strings.ReplaceAll(plantedBugs(r.Bugs), "<", "&lt;"))
	fmt.Fprintf(b, "```\n%s\n```\n\n", r.StatusLine)
	fmt.Fprintf(b, "%s of virtual time, %d events, %d operations.\n\n", r.Duration, r.Events, r.Operations())
	if r.Streamed != nil {
		fmt.Fprintf(b, "The run streamed its history: the checks saw the %d operations from %s on; the %d before them are in %s and in the plots.\n\n", len(r.History), streamedUntil(r), r.Streamed.Ops, HistoryFile)
	}

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

// streamedUntil is when the kept tail of a streamed history starts.
func streamedUntil(r *Run) string {
	if len(r.History) == 0 {
		return instant(r.Duration)
	}
	return instant(r.History[0].Invoke.Duration())
}
