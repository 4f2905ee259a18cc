// Package mutants measures the detection power of the scenarios: it plants
// each bug of the catalog (nodes/bugs) in turn, sweeps the scenarios
// expected to catch it until a seed fails, and runs a control sweep with
// nothing planted, which must pass.
package mutants

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
)

// Config is one mutants run.
type Config struct {
	// Registry finds the scenarios.
	Registry *scenarios.Registry
	// Bugs are the catalog entries to plant; empty means all of them.
	Bugs []string
	// Targets, when not empty, replace every entry's own scenarios: each
	// "NAME [k=v]...", as in bugs.Bug.Scenarios.
	Targets []string
	// Seeds are swept for each entry and scenario, in order, until one
	// fails.
	Seeds []uint64
	// Jobs is how many worlds run at once; 0 means runtime.NumCPU().
	Jobs int
	// Progress, when set, is told each entry's row as it is done.
	Progress func(reports.MutantRow)
}

// A target is a scenario and the --set values it runs with.
type target struct {
	spec string
	s    *scenarios.Scenario
	set  map[string]string
}

// ParseTarget reads "NAME [k=v]...".
func parseTarget(reg *scenarios.Registry, spec string) (target, error) {
	f := strings.Fields(spec)
	if len(f) == 0 {
		return target{}, fmt.Errorf("an empty scenario")
	}
	s, err := reg.Lookup(f[0])
	if err != nil {
		return target{}, err
	}
	set, err := scenarios.ParseSet(f[1:])
	if err != nil {
		return target{}, fmt.Errorf("scenario %q: %w", spec, err)
	}
	return target{spec: spec, s: s, set: set}, nil
}

// Run plants each entry in turn and sweeps its scenarios, then sweeps every
// scenario used with nothing planted (the control). The error is a usage
// error (an unknown bug or scenario) or a framework failure; a failing
// control is reported in the table, not as an error.
func Run(ctx context.Context, cfg Config) (*reports.Mutants, error) {
	entries := bugs.Catalog()
	if len(cfg.Bugs) > 0 {
		entries = entries[:0:0]
		for _, name := range cfg.Bugs {
			b, ok := bugs.Lookup(name)
			if !ok {
				return nil, &scenarios.UsageError{Err: fmt.Errorf("bug %q is not in the catalog; known: %s", name, strings.Join(names(), ", "))}
			}
			entries = append(entries, b)
		}
	}
	if len(cfg.Seeds) == 0 {
		return nil, &scenarios.UsageError{Err: fmt.Errorf("no seeds to sweep")}
	}
	bugs.DisableAll()
	defer bugs.DisableAll()
	out := &reports.Mutants{Seeds: sweep.FormatSeeds(cfg.Seeds)}
	var used []target
	for _, b := range entries {
		specs := b.Scenarios
		if len(cfg.Targets) > 0 {
			specs = cfg.Targets
		}
		row := reports.MutantRow{Bug: b.Name, Issue: b.Issue, Mechanism: b.Mechanism, Scenarios: specs, Uncaught: b.Uncaught}
		start := time.Now()
		if err := bugs.Enable(b.Name); err != nil {
			return nil, err
		}
		for _, spec := range specs {
			t, err := parseTarget(cfg.Registry, spec)
			if err != nil {
				bugs.DisableAll()
				return nil, &scenarios.UsageError{Err: fmt.Errorf("bug %s: %w", b.Name, err)}
			}
			if !slices.ContainsFunc(used, func(u target) bool { return u.spec == t.spec }) {
				used = append(used, t)
			}
			sum, err := sweep.Run(ctx, sweep.Config{Scenario: t.s, Seeds: cfg.Seeds, Set: t.set, Jobs: cfg.Jobs, FailFast: true})
			if err != nil {
				bugs.DisableAll()
				return nil, err
			}
			row.SeedsRun += len(sum.Entries)
			if e, ok := firstFailure(sum); ok {
				row.Detected, row.Scenario, row.Seed = true, t.spec, e.Seed
				row.Replay = e.Result.Replay()
				row.Checker = failedCheckers(e.Result)
				break
			}
			if ctx.Err() != nil {
				break
			}
		}
		if err := bugs.Disable(b.Name); err != nil {
			return nil, err
		}
		row.Wall = time.Since(start)
		out.Rows = append(out.Rows, row)
		if cfg.Progress != nil {
			cfg.Progress(row)
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	// The control: the same scenarios and seeds with nothing planted.
	for _, t := range used {
		sum, err := sweep.Run(ctx, sweep.Config{Scenario: t.s, Seeds: cfg.Seeds, Set: t.set, Jobs: cfg.Jobs})
		if err != nil {
			return nil, err
		}
		c := reports.MutantControl{Scenario: t.spec, Seeds: len(sum.Entries)}
		for _, e := range sum.Entries {
			if st := e.Status(); st != sweep.Pass {
				c.Failed++
				if c.Replay == "" {
					c.Status = string(st)
					if e.Result != nil {
						c.Replay = e.Result.Replay()
					} else {
						c.Replay = scenarios.ReplayCommand(cmp.Or(t.s.Source, t.s.Name), e.Seed, t.set)
					}
				}
			}
		}
		out.Control = append(out.Control, c)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// firstFailure is the lowest seed with a violation.
func firstFailure(sum sweep.Summary) (sweep.Entry, bool) {
	var best sweep.Entry
	found := false
	for _, e := range sum.Entries {
		if e.Status() == sweep.Fail && (!found || e.Seed < best.Seed) {
			best, found = e, true
		}
	}
	return best, found
}

// failedCheckers names the checks that found a violation.
func failedCheckers(r *scenarios.Result) string {
	var out []string
	for _, v := range r.Verdicts {
		if v.Verdict.String() == "violation" {
			out = append(out, v.Checker)
		}
	}
	return strings.Join(out, ", ")
}

func names() []string {
	var out []string
	for _, b := range bugs.Catalog() {
		out = append(out, b.Name)
	}
	return out
}
