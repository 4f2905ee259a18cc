// Package shrink makes a failing run smaller: it searches for a run of the
// same scenario and seed, with fewer nemesis actions, shorter fault windows,
// fewer clients and nodes and less virtual time, that still fails the same
// way. Failing the same way is failing the check being shrunk and no check
// the original run passed: the set of failed checks may shrink, never grow,
// since a smaller run that fails a new check (a schedule cut so that the
// nodes never converge) shows another failure than the one being shrunk.
// With planted bugs (Config.Unplanted) a failing candidate must also pass
// the check with the bugs turned off, and fail no check the original run
// passed without them, or its failure is not the bugs'.
// Every candidate is one deterministic run of a derived scenario
// (scenarios.Derive): the base scenario with some parameters changed and an
// explicit schedule. The search is delta debugging (Zeller's ddmin) over the
// schedule's actions, then halving of fault windows, parameters and the
// duration, repeated until a whole round changes nothing or the budget is
// spent; the best run found so far is always kept.
//
// A schedule is data and the world's PRNG is split into named streams (the
// nemesis, each client, each process), so removing an action removes that
// action only: the workload and the other faults draw what they drew
// before, and the run differs only through what the action did.
package shrink

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Config is one shrinking job.
type Config struct {
	// Scenario and Seed are the failing run; Set its --set values.
	Scenario *scenarios.Scenario
	Seed     uint64
	Set      map[string]string
	// Check names the check every smaller run must fail; "" is the first
	// check the original run failed.
	Check string
	// Unplanted, when set, calls run with the planted bugs the failing run
	// has (--bug) turned off, and turns them on again. A candidate that
	// fails the check then runs once more through it, a control run, and
	// is kept only if the control fails no check that the original run
	// without the bugs passed (the check among them): a smaller run that
	// fails without the bugs has lost the bugs' failure, or found
	// another. When the original run fails the check without the bugs
	// too, there is no control (Outcome.FailsUnplanted).
	Unplanted func(run func())
	// MaxRuns bounds the candidate runs (0: no bound). Expired, when set,
	// reports that the wall-clock budget is spent. Either stops the search
	// with the best run found so far.
	MaxRuns int
	Expired func() bool
	// Progress, when set, hears of every candidate run.
	Progress func(Progress)
}

// Size is what shrinking makes smaller.
type Size struct {
	Actions    int           // nemesis actions in the schedule
	Operations int           // client operations in the history
	Duration   time.Duration // virtual time
}

func sizeOf(res *scenarios.Result) Size {
	return Size{Actions: len(res.Schedule), Operations: len(res.History), Duration: res.Duration}
}

func (s Size) String() string {
	return fmt.Sprintf("%d actions, %d operations, %v", s.Actions, s.Operations, s.Duration)
}

// Progress is one run of the search: its number, the step that proposed
// it, what it failed, whether its candidate became the best, and the best
// size so far.
type Progress struct {
	Run  int
	Step string
	// Failed says the run failed the check.
	Failed bool
	// Drift names the other checks it failed that the original run (for
	// a control run, the original without the bugs) passed: it shows
	// another failure, and is not kept.
	Drift []string
	// Control marks a control run: the candidate of the run before it (or
	// the original run, Step "original") with the planted bugs off.
	// Failed or Drift then drops the candidate.
	Control bool
	// Kept says the candidate became the best. A failing candidate with
	// a control run to come is not kept yet: the control's Progress says.
	Kept bool
	Best Size
}

// Outcome is what a search found.
type Outcome struct {
	// Check is the check every kept run fails.
	Check string
	// Original and Best are the first and the smallest failing runs;
	// Best is Original when nothing smaller failed.
	Original, Best *scenarios.Result
	// Schedule and Set describe Best as a derivation of the scenario: its
	// explicit schedule, and the --set values it runs with (the original
	// ones and those shrinking changed).
	Schedule []nemesis.Action
	Set      map[string]string
	// Runs counts the runs, the original's and the control runs
	// included; Controls counts the control runs (Config.Unplanted).
	// Stopped says whether the budget ended the search before a fixpoint.
	Runs, Controls int
	Stopped        bool
	// FailsUnplanted says the original run fails the check with the
	// planted bugs off too, so candidates had no control run.
	FailsUnplanted bool
}

// ErrPasses is returned when the run to shrink does not fail.
var ErrPasses = errors.New("the run passes: there is no failure to shrink")

// errBudget ends the search when the budget is spent.
var errBudget = errors.New("budget spent")

// shrinkable are the integer parameters whose smaller values make a
// smaller world: fewer clients, fewer nodes.
var shrinkable = []string{"clients", "set-clients", "nodes"}

// Shrink runs the search.
func Shrink(cfg Config) (*Outcome, error) { return shrink(cfg, scenarios.Execute) }

// executor runs a scenario: scenarios.Execute, or in tests a wrapper that
// watches the runs.
type executor func(*scenarios.Scenario, scenarios.Options) (*scenarios.Result, error)

// shrink is Shrink with every run made by exec.
func shrink(cfg Config, exec executor) (*Outcome, error) {
	opts := scenarios.Options{Seed: cfg.Seed, Set: cfg.Set}
	orig, err := exec(cfg.Scenario, opts)
	if err != nil {
		return nil, err
	}
	failed := violated(orig)
	check := cfg.Check
	switch {
	case check == "" && len(failed) == 0:
		return nil, fmt.Errorf("scenario %s seed %d: %w (status %s)", cfg.Scenario.Name, cfg.Seed, ErrPasses, orig.Status())
	case check == "":
		check = failed[0]
	case !slices.ContainsFunc(orig.Verdicts, func(v checker.Result) bool { return v.Checker == check }):
		var names []string
		for _, v := range orig.Verdicts {
			names = append(names, v.Checker)
		}
		return nil, fmt.Errorf("scenario %s seed %d has no check named %q; its checks are %s", cfg.Scenario.Name, cfg.Seed, check, strings.Join(names, ", "))
	case !slices.Contains(failed, check):
		var names []string
		for _, v := range orig.Verdicts {
			names = append(names, v.Checker+" "+v.Verdict.String())
		}
		return nil, fmt.Errorf("scenario %s seed %d does not fail the check %q; its checks: %s", cfg.Scenario.Name, cfg.Seed, check, strings.Join(names, ", "))
	}
	s := &search{cfg: cfg, exec: exec, check: check, failed: failed, rejected: map[string]bool{}, runs: 1}
	s.best = candidate{units: units(orig.Schedule), set: maps.Clone(cfg.Set), res: orig}
	if s.best.set == nil {
		s.best.set = map[string]string{}
	}
	for k, v := range orig.Params {
		if _, ok := s.best.set[k]; !ok && k != "swarm" && k != "buggify" {
			s.best.set[k] = v
		}
	}
	// A swarm profile shapes a generated schedule only, and every
	// candidate's schedule is explicit: swarm=on would draw a profile that
	// nothing uses, and the shrunk run's report would show it.
	delete(s.best.set, "swarm")
	out := &Outcome{Check: check, Original: orig}
	if cfg.Unplanted != nil && !s.spent() {
		// Does the failure need the bugs at all? If not, a control run
		// could not tell a candidate that lost them.
		s.runs++
		s.controls++
		var res *scenarios.Result
		cfg.Unplanted(func() { res, err = exec(cfg.Scenario, opts) })
		if err != nil {
			return nil, fmt.Errorf("the original run without the planted bugs: %w", err)
		}
		out.FailsUnplanted = violates(res, check)
		s.control, s.failedUnplanted = !out.FailsUnplanted, violated(res)
		s.progress(Progress{Run: s.runs, Step: "original", Control: true, Failed: out.FailsUnplanted, Kept: true})
	}
	err = s.run()
	out.Best, out.Schedule, out.Set = s.best.res, s.best.res.Schedule, s.changedSet(orig)
	out.Runs, out.Controls, out.Stopped = s.runs, s.controls, errors.Is(err, errBudget)
	if err != nil && !errors.Is(err, errBudget) {
		return out, err
	}
	return out, nil
}

// candidate is a schedule, as units, and parameters to try, and the run
// when tried.
type candidate struct {
	units []unit
	set   map[string]string
	res   *scenarios.Result
}

// schedule is the candidate's actions, unit by unit.
func (c candidate) schedule() []nemesis.Action {
	out := []nemesis.Action{}
	for _, u := range c.units {
		out = append(out, u.actions...)
	}
	return out
}

// with is c with other units and the same parameters.
func (c candidate) with(units []unit) candidate { return candidate{units: units, set: c.set} }

// key names what a candidate runs: its schedule and its parameters.
func (c candidate) key() string {
	var b strings.Builder
	b.WriteString(nemesis.FormatTOML(c.schedule()))
	for _, k := range slices.Sorted(maps.Keys(c.set)) {
		fmt.Fprintf(&b, "\x00%s=%s", k, c.set[k])
	}
	return b.String()
}

// A unit is what shrinking removes at once: a fault with the action that
// ends it (a partition and its heal, a crash and its restart), or one
// action alone. Removing a fault's end but not the fault would leave the
// world broken for the rest of the run, a different failure from the one
// being shrunk. The last action, when it is the heal-all that starts the
// quiet period, is fixed: every smaller run keeps it.
type unit struct {
	actions []nemesis.Action
	fixed   bool
}

type search struct {
	cfg   Config
	exec  executor
	check string
	// failed are the checks the original run failed: a kept run fails
	// check and none but these.
	failed []string
	// control says failing candidates get a control run without the
	// planted bugs, which must fail none but failedUnplanted, the checks
	// the original run failed without them.
	control         bool
	failedUnplanted []string
	best            candidate
	// rejected are the candidates (key) tried and not kept: a step that
	// proposes one again (ddmin's complements of two chunks, each the
	// other chunk) gets the same answer without a run.
	rejected       map[string]bool
	runs, controls int
}

func violates(res *scenarios.Result, check string) bool {
	for _, v := range res.Verdicts {
		if v.Checker == check && v.Verdict == checker.Violation {
			return true
		}
	}
	return false
}

// drift names the checks res failed that are not among failed.
func drift(res *scenarios.Result, failed []string) []string {
	var out []string
	for _, name := range violated(res) {
		if !slices.Contains(failed, name) {
			out = append(out, name)
		}
	}
	return out
}

// violated names the checks res failed, in its order.
func violated(res *scenarios.Result) []string {
	var out []string
	for _, v := range res.Verdicts {
		if v.Verdict == checker.Violation {
			out = append(out, v.Checker)
		}
	}
	return out
}

// spent reports whether the budget allows no more runs.
func (s *search) spent() bool {
	return s.cfg.MaxRuns > 0 && s.runs >= s.cfg.MaxRuns || s.cfg.Expired != nil && s.cfg.Expired()
}

// progress tells Config.Progress of a run, with the best size so far.
func (s *search) progress(p Progress) {
	if s.cfg.Progress != nil {
		p.Best = sizeOf(s.best.res)
		s.cfg.Progress(p)
	}
}

// try runs c and keeps it as the best when it fails the check and no check
// the original passed, and, with planted bugs, its control run fails no
// check the original passed without them. A candidate the scenario refuses (bad parameters, a host it does
// not have) or whose run breaks counts as not failing.
func (s *search) try(step string, c candidate) (bool, error) {
	key := c.key()
	if s.rejected[key] {
		return false, nil
	}
	res, err := s.execute(step, c, false)
	if err != nil {
		return false, err
	}
	p := Progress{Run: s.runs, Step: step, Failed: res != nil && violates(res, s.check)}
	if p.Failed {
		p.Drift = drift(res, s.failed)
	}
	keep := p.Failed && len(p.Drift) == 0
	if keep && s.control {
		s.progress(p)
		ctl, err := s.execute(step, c, true)
		if err != nil {
			return false, err
		}
		p = Progress{Run: s.runs, Step: step, Control: true, Failed: ctl == nil || violates(ctl, s.check)}
		if ctl != nil {
			p.Drift = slices.DeleteFunc(drift(ctl, s.failedUnplanted), func(name string) bool { return name == s.check })
		}
		keep = !p.Failed && len(p.Drift) == 0
	}
	if keep {
		c.res = res
		s.best = c
	} else {
		s.rejected[key] = true
	}
	p.Kept = keep
	s.progress(p)
	return keep, nil
}

// execute runs c, with unplanted as its control run (the planted bugs
// off). A nil result is a candidate the scenario refused or a run that
// broke; an error ends the search (the budget, a panic).
func (s *search) execute(step string, c candidate, unplanted bool) (*scenarios.Result, error) {
	if s.spent() {
		return nil, errBudget
	}
	s.runs++
	if unplanted {
		s.controls++
	}
	d, err := scenarios.Derive(s.cfg.Scenario, scenarios.Derivation{Set: c.set, Schedule: c.schedule(), Explicit: true})
	if err != nil {
		return nil, nil
	}
	var res *scenarios.Result
	run := func() { res, err = s.exec(d, scenarios.Options{Seed: s.cfg.Seed}) }
	if unplanted {
		s.cfg.Unplanted(run)
	} else {
		run()
	}
	var fe *scenarios.FrameworkError
	if errors.As(err, &fe) && fe.Stack != "" {
		// A panic is a bug of the simulator, not a smaller run:
		// report it rather than shrink past it.
		return nil, fmt.Errorf("candidate run %d (%s) panicked: %w\n%s", s.runs, step, err, fe.Stack)
	}
	if err != nil {
		return nil, nil
	}
	return res, nil
}

// run repeats the steps until a whole round keeps nothing.
func (s *search) run() error {
	// Does the failure need any action at all?
	if free := s.removable(); len(free) > 0 {
		if _, err := s.try("no actions", s.best.with(s.keep(nil))); err != nil {
			return err
		}
	}
	for {
		before := s.best.res.Hash
		for _, step := range []func() error{s.ddmin, s.windows, s.params, s.duration} {
			if err := step(); err != nil {
				return err
			}
		}
		if s.best.res.Hash == before {
			return nil
		}
	}
}

// removable is the indexes of the best candidate's units that are not
// fixed.
func (s *search) removable() []int {
	var out []int
	for i, u := range s.best.units {
		if !u.fixed {
			out = append(out, i)
		}
	}
	return out
}

// keep is the best candidate's units with only the removable ones listed
// in idx (and every fixed one), in their order.
func (s *search) keep(idx []int) []unit {
	var out []unit
	for i, u := range s.best.units {
		if u.fixed || slices.Contains(idx, i) {
			out = append(out, u)
		}
	}
	return out
}

// ddmin removes units: Zeller's delta debugging, which ends with a schedule
// from which no single unit can be removed.
func (s *search) ddmin() error {
	n := 2
	for {
		free := s.removable()
		if len(free) < 2 {
			break
		}
		chunks := split(len(free), n)
		reduced := false
		// First each chunk alone, then each chunk's complement.
		for _, alone := range []bool{true, false} {
			for _, ch := range chunks {
				var idx []int
				for j, f := range free {
					if (j >= ch[0] && j < ch[1]) == alone {
						idx = append(idx, f)
					}
				}
				if len(idx) == 0 || len(idx) == len(free) {
					continue
				}
				what := fmt.Sprintf("faults: keep %d of %d", len(idx), len(free))
				ok, err := s.try(what, s.best.with(s.keep(idx)))
				if err != nil {
					return err
				}
				if ok {
					if alone {
						n = 2
					} else {
						n = max(n-1, 2)
					}
					reduced = true
					break
				}
			}
			if reduced {
				break
			}
		}
		if reduced {
			continue
		}
		if n >= len(free) {
			break
		}
		n = min(2*n, len(free))
	}
	if len(s.removable()) == 1 {
		_, err := s.try("faults: keep 0 of 1", s.best.with(s.keep(nil)))
		return err
	}
	return nil
}

// split cuts [0, n) into k nearly equal [start, end) chunks.
func split(n, k int) [][2]int {
	k = min(k, n)
	out := make([][2]int, 0, k)
	start := 0
	for i := range k {
		end := start + (n-start)/(k-i)
		out = append(out, [2]int{start, end})
		start = end
	}
	return out
}

// units groups a schedule (in time order) into units: each action that
// ends a fault takes the fault's start with it (a heal every partition
// still open, a heal-all every fault still open), and the last action is
// fixed when it is a heal-all.
func units(schedule []nemesis.Action) []unit {
	open := map[int]bool{} // indexes of starts not yet ended
	owner := make([]int, len(schedule))
	var out []unit
	for i, a := range schedule {
		owner[i] = -1
		var took []int
		for j := range i {
			if open[j] && ends(a, schedule[j]) {
				took = append(took, j)
			}
		}
		if !isEnd(a) && isStart(a) {
			open[i] = true
		}
		if len(took) == 0 {
			owner[i] = len(out)
			out = append(out, unit{actions: []nemesis.Action{a}})
			continue
		}
		if a.Op != nemesis.OpHeal && a.Op != nemesis.OpHealAll {
			took = took[len(took)-1:] // the latest start of this fault
		}
		u := unit{}
		for _, j := range took {
			delete(open, j)
			// The start's own unit merges into this one.
			if k := owner[j]; k >= 0 && len(out[k].actions) > 0 {
				u.actions = append(u.actions, out[k].actions...)
				for m := range owner {
					if owner[m] == k {
						owner[m] = len(out)
					}
				}
				out[k].actions = nil
			}
		}
		u.actions = append(u.actions, a)
		owner[i] = len(out)
		out = append(out, u)
	}
	var kept []unit
	for _, u := range out {
		if len(u.actions) > 0 {
			kept = append(kept, u)
		}
	}
	if n := len(kept); n > 0 && len(kept[n-1].actions) > 0 && kept[n-1].actions[len(kept[n-1].actions)-1].Op == nemesis.OpHealAll && len(schedule) > 0 && schedule[len(schedule)-1].Op == nemesis.OpHealAll {
		// The final heal-all stays, alone: the faults it ended are units
		// of their own again.
		last := kept[n-1]
		kept = kept[:n-1]
		for _, a := range last.actions[:len(last.actions)-1] {
			kept = append(kept, unit{actions: []nemesis.Action{a}})
		}
		kept = append(kept, unit{actions: last.actions[len(last.actions)-1:], fixed: true})
	}
	// Units in the order their faults start (the fixed heal-all last).
	slices.SortStableFunc(kept, func(a, b unit) int {
		switch {
		case a.fixed && !b.fixed:
			return 1
		case b.fixed && !a.fixed:
			return -1
		}
		return cmp.Compare(a.actions[0].At, b.actions[0].At)
	})
	return kept
}

// isStart reports whether a starts a fault that a later action ends.
func isStart(a nemesis.Action) bool {
	switch a.Op {
	case nemesis.OpPartition, nemesis.OpCrash, nemesis.OpCrashTorn, nemesis.OpCrashWipe, nemesis.OpPause, nemesis.OpClog, nemesis.OpDiskFsync, nemesis.OpDiskFull, nemesis.OpClockStrobe, nemesis.OpLatency:
		return true
	case nemesis.OpClockDrift:
		return a.PPM != 0
	case nemesis.OpSlow:
		return a.Count != 1
	}
	return false
}

// isEnd reports whether a ends a fault.
func isEnd(a nemesis.Action) bool {
	switch a.Op {
	case nemesis.OpHeal, nemesis.OpRestart, nemesis.OpResume, nemesis.OpUnclog, nemesis.OpDiskOK, nemesis.OpHealAll:
		return true
	case nemesis.OpClockDrift:
		return a.PPM == 0
	case nemesis.OpSlow:
		return a.Count == 1
	}
	return false
}

// ends reports whether end ends the fault start began.
func ends(end, start nemesis.Action) bool {
	samePair := slices.EqualFunc(end.Groups, start.Groups, slices.Equal)
	switch end.Op {
	case nemesis.OpHeal:
		return start.Op == nemesis.OpPartition
	case nemesis.OpRestart:
		return (start.Op == nemesis.OpCrash || start.Op == nemesis.OpCrashTorn || start.Op == nemesis.OpCrashWipe) && start.Target == end.Target
	case nemesis.OpResume:
		return start.Op == nemesis.OpPause && start.Target == end.Target
	case nemesis.OpUnclog:
		return start.Op == nemesis.OpClog && samePair
	case nemesis.OpDiskOK:
		return (start.Op == nemesis.OpDiskFsync || start.Op == nemesis.OpDiskFull) && start.Target == end.Target
	case nemesis.OpClockDrift:
		return end.PPM == 0 && start.Op == nemesis.OpClockDrift && start.Target == end.Target
	case nemesis.OpSlow:
		return end.Count == 1 && start.Op == nemesis.OpSlow && samePair
	case nemesis.OpHealAll:
		return true
	}
	return false
}

// windows shortens fault windows: a unit's ending action moves halfway
// towards the action before it, while the run still fails.
func (s *search) windows() error {
	for i := range s.best.units {
		for range 6 {
			u := s.best.units[i]
			n := len(u.actions)
			if u.fixed || n < 2 {
				break
			}
			end, from := u.actions[n-1], u.actions[n-2].At
			at := (from + (end.At-from)/2).Truncate(time.Millisecond)
			if at <= from || end.At-at < 10*time.Millisecond {
				break
			}
			next := slices.Clone(s.best.units)
			next[i].actions = slices.Clone(u.actions)
			next[i].actions[n-1].At = at
			ok, err := s.try(fmt.Sprintf("window: %s at %v", end.Op, at), s.best.with(next))
			if err != nil {
				return err
			}
			if !ok {
				break
			}
		}
	}
	return nil
}

// params lowers the integer parameters that size the world (clients,
// nodes): the smallest value that still fails, by bisection.
func (s *search) params() error {
	for _, name := range shrinkable {
		cur, err := strconv.Atoi(s.best.set[name])
		if err != nil {
			continue
		}
		lo := 1 // the largest value known not to fail is below lo
		for lo < cur {
			mid := lo + (cur-lo)/2
			next := maps.Clone(s.best.set)
			next[name] = strconv.Itoa(mid)
			ok, err := s.try(fmt.Sprintf("%s=%d", name, mid), candidate{units: s.best.units, set: next})
			if err != nil {
				return err
			}
			if ok {
				cur = mid
			} else {
				lo = mid + 1
			}
		}
	}
	return nil
}

// duration shortens the run, by bisection between the last action (plus a
// second) and the current duration, in whole seconds. The fixed final
// heal-all moves with the end, keeping its distance from it (the quiet
// period, or what the base scenario left after it), and stays after every
// other action. A scenario whose parameters tie times to the duration
// refuses what it cannot run, which counts as not failing.
func (s *search) duration() error {
	cur, err := time.ParseDuration(s.best.set["duration"])
	if err != nil {
		return nil
	}
	last, healAll := time.Duration(0), -1
	for i, u := range s.best.units {
		if u.fixed {
			healAll = i
			continue
		}
		for _, a := range u.actions {
			last = max(last, a.At)
		}
	}
	lo := (last + 2*time.Second).Truncate(time.Second)
	if healAll >= 0 {
		// The heal-all, at mid minus gap, comes after the last action.
		gap := cur - s.best.units[healAll].actions[0].At
		lo = max(lo, (last + gap + time.Second).Truncate(time.Second))
	}
	for cur-lo >= time.Second {
		mid := (lo + (cur-lo)/2).Truncate(time.Second)
		next := maps.Clone(s.best.set)
		next["duration"] = mid.String()
		units := s.best.units
		if healAll >= 0 {
			units = slices.Clone(units)
			a := units[healAll].actions[0]
			a.At -= cur - mid
			units[healAll].actions = []nemesis.Action{a}
		}
		ok, err := s.try("duration="+mid.String(), candidate{units: units, set: next})
		if err != nil {
			return err
		}
		if ok {
			cur = mid
		} else {
			lo = mid + time.Second
		}
	}
	return nil
}

// changedSet is the best run's --set values that a derived file must
// carry: those given originally and those shrinking changed.
func (s *search) changedSet(orig *scenarios.Result) map[string]string {
	out := map[string]string{}
	for k, v := range s.best.set { //redsim:ordered a map copied into a map
		if _, given := s.cfg.Set[k]; given || orig.Params[k] != v {
			out[k] = v
		}
	}
	return out
}
