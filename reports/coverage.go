package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// CoverageFile is the sweep's coverage table, as JSON.
const CoverageFile = "coverage.json"

// ProbeHit is one seed's count of one coverage probe (results.jsonl keeps
// them per seed, so a resumed sweep's table is whole).
type ProbeHit struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// ProbeDecl is a declared probe: every probe of the code, reached or not.
type ProbeDecl struct {
	Name, Doc string
}

// CoverageRow is one probe across a sweep.
type CoverageRow struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
	// Seeds is how many seeds reached the probe, Hits how often in all.
	Seeds int `json:"seeds"`
	Hits  int `json:"hits"`
	// FirstSeed is the first seed, in the sweep's order, that reached it;
	// absent when none did.
	FirstSeed *uint64 `json:"first_seed,omitempty"`
}

// Coverage is a sweep's coverage table.
type Coverage struct {
	Seeds   int           `json:"seeds"`
	Reached []CoverageRow `json:"reached"`
	// Unreached are the declared probes no seed reached: what the sweep
	// did not test.
	Unreached []CoverageRow `json:"unreached"`
}

// SweepCoverage tallies the probes of entries (in the sweep's seed order)
// against every declared probe. A probe reached but not declared (a
// results.jsonl of another build) is listed as reached with no doc.
func SweepCoverage(entries []SweepEntry, declared []ProbeDecl) Coverage {
	rows := map[string]*CoverageRow{}
	for _, d := range declared {
		rows[d.Name] = &CoverageRow{Name: d.Name, Doc: d.Doc}
	}
	cov := Coverage{}
	for _, e := range entries {
		if e.Status == "error" {
			continue
		}
		cov.Seeds++
		for _, p := range e.Probes {
			r := rows[p.Name]
			if r == nil {
				r = &CoverageRow{Name: p.Name}
				rows[p.Name] = r
			}
			if r.Seeds == 0 {
				seed := e.Seed
				r.FirstSeed = &seed
			}
			r.Seeds++
			r.Hits += p.Count
		}
	}
	names := make([]string, 0, len(rows))
	for n := range rows { //redsim:ordered sorted below
		names = append(names, n)
	}
	slices.Sort(names)
	cov.Reached, cov.Unreached = []CoverageRow{}, []CoverageRow{}
	for _, n := range names {
		if r := rows[n]; r.Seeds > 0 {
			cov.Reached = append(cov.Reached, *r)
		} else {
			cov.Unreached = append(cov.Unreached, *r)
		}
	}
	return cov
}

// Line is the one-line summary a sweep prints.
func (c Coverage) Line() string {
	return fmt.Sprintf("coverage: %d of %d probes reached by %d seeds", len(c.Reached), len(c.Reached)+len(c.Unreached), c.Seeds)
}

// writeCoverage is the coverage section of summary.md.
func writeCoverage(b *bytes.Buffer, c Coverage) {
	fmt.Fprintf(b, "\n## Coverage\n\n%s. A probe is a rare state of the nodes' code; a probe no seed reached is a path this sweep did not test.\n\n", c.Line())
	if len(c.Reached) > 0 {
		b.WriteString("| probe | seeds | hits | first seed | what it means |\n|---|---|---|---|---|\n")
		for _, r := range c.Reached {
			fmt.Fprintf(b, "| `%s` | %d | %d | %d | %s |\n", r.Name, r.Seeds, r.Hits, *r.FirstSeed, mdCell(r.Doc))
		}
	}
	if len(c.Unreached) > 0 {
		b.WriteString("\nReached by no seed:\n\n")
		for _, r := range c.Unreached {
			fmt.Fprintf(b, "- `%s`: %s\n", r.Name, r.Doc)
		}
	}
}

// WriteCoverage writes coverage.json to dir and appends the coverage
// section to its summary.md (written first by WriteSweepSummary).
func WriteCoverage(dir string, c Coverage) error {
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, CoverageFile), append(js, '\n'), 0o644); err != nil {
		return err
	}
	var b bytes.Buffer
	writeCoverage(&b, c)
	f, err := os.OpenFile(filepath.Join(dir, SummaryFile), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
