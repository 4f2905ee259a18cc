package scenarios

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// Scenario is a built-in or loaded scenario.
type Scenario struct {
	Name    string
	Summary string
	// Source names the scenario on the command line when that is not Name:
	// a scenario file's path.
	Source string
	// Params lists what --set may change, with defaults; every scenario has
	// "duration".
	Params []Param
	// Setup builds the topology, the workload and the nemesis in r.World and
	// returns the checks to run at the end.
	Setup func(r *Run) (Checks, error)
	// Settings are defaults of the framework's own settings (swarm, buggify) that
	// --set overrides: a derived scenario's (see Derive).
	Settings map[string]string
	// Digest identifies a scenario file's text, its bases' included, so
	// that a sweep resumed or merged after the file was edited is refused;
	// empty for a built-in, which the build identifies.
	Digest string
}

// Checks judge a finished run. Each verdict is a checker.Result, the one
// verdict type from checker to report.
type Checks func(r *Run) []checker.Result

// Run is one world being built and run.
type Run struct {
	Scenario *Scenario
	Seed     uint64
	Params   Params
	World    *sim.World
	Net      *network.Network
	// Duration is how long the world runs; Schedule the nemesis's actions.
	Duration time.Duration
	Schedule []nemesis.Action
	// Facts are lines the scenario adds to the summary.
	Facts []string
	// ClientFaults are faults a scenario's clients inject themselves (a
	// lock holder's stop-the-world pause), which the schedule does not
	// hold: the report shades them with the schedule's.
	ClientFaults []reports.Fault
	// Swarm is --set swarm=on: generated schedules draw a swarm profile
	// (see Generate); profile is the one drawn.
	Swarm   bool
	profile *nemesis.Profile
	// generateErr is the first config Generate refused.
	generateErr error
	// History is the clients' operations, when the scenario has clients;
	// Observations what it sampled for the report.
	History      *history.History
	Observations deploy.Observations
	// visualize, when set, draws the first failed linearizability check.
	visualize func(w io.Writer) error
	// operator carries out the schedule's operator actions; nil when the
	// deployment has no Redis nodes.
	operator nemesis.Operator
	// backend, when set, runs the deployment instead of World.
	backend Backend
	err     error
	// historyFile is Options.HistoryFile; stream is set once the run
	// streams its history (StreamHistory).
	historyFile string
	stream      *historyStream
}

// Live reports whether the run is on a backend (real processes, real
// clock) rather than in the world: a check that reads the world, or that
// judges a fault a backend skips, must then say what it cannot judge.
func (r *Run) Live() bool { return r.backend != nil }

// Fail stops the world on a failure of the framework (a nemesis action that
// cannot apply, a process that cannot start): the run ends with exit status 3
// instead of a verdict. The first failure wins.
func (r *Run) Fail(err error) {
	if r.err == nil {
		r.err = err
		r.World.Halt()
	}
}

// Result is what a run produced.
type Result struct {
	Scenario string            `json:"scenario"`
	Seed     uint64            `json:"seed"`
	Hash     string            `json:"hash"`
	Params   map[string]string `json:"params"`
	Events   uint64            `json:"events"`
	Duration time.Duration     `json:"duration_ns"`
	Schedule []nemesis.Action  `json:"schedule"`
	Verdicts []checker.Result  `json:"verdicts"`
	Facts    []string          `json:"facts,omitempty"`
	// Source is what names the scenario on the command line (a built-in's
	// name or a file's path); Overrides are the --set values, so that
	// Replay gives the exact command.
	Source    string            `json:"source"`
	Overrides map[string]string `json:"overrides,omitempty"`
	// Bugs are the catalog's planted bugs the run had (--bug).
	Bugs []string `json:"bugs,omitempty"`
	// Probes are the coverage probes the run reached (sim.Probe), sorted
	// by name.
	Probes []sim.ProbeHit `json:"probes,omitempty"`
	// Profile is the swarm fault profile the run drew (--set swarm=on),
	// nil without one.
	Profile *nemesis.Profile `json:"fault_profile,omitempty"`
	// Sites are the fault sites active in the run (--set buggify=on),
	// with how often each fired; nil with buggify off.
	Sites []sim.SiteHit `json:"buggify_sites,omitempty"`
	// Live is a run of real processes (--live): not deterministic, and
	// Hash is LiveHash.
	Live bool `json:"live,omitempty"`
	// History and Observations are the run's, for reports (not in JSON).
	// A run that streamed its history (Run.StreamHistory) keeps only the
	// tail in History: Streamed summarizes the operations before it, and
	// HistoryFile, when set, holds them as history.jsonl lines.
	History      []history.Op        `json:"-"`
	Streamed     *history.Summary    `json:"-"`
	HistoryFile  string              `json:"-"`
	Observations deploy.Observations `json:"-"`
	paramOrder   []string
	failpoints   string          // Options.Failpoints
	clientFaults []reports.Fault // Run.ClientFaults
	// visualize writes porcupine's page for the first failed
	// linearizability check.
	visualize func(w io.Writer) error
}

// Slim is a copy of r without what only the run's own reports need: its
// history, its observations, and the closure that keeps the failed
// linearizability check's search for porcupine's page. A sweep keeps one
// per seed, so that a thousand failing seeds do not keep a thousand
// histories.
func (r *Result) Slim() *Result {
	slim := *r
	slim.History, slim.Streamed = nil, nil
	slim.Observations = deploy.Observations{}
	slim.visualize = nil
	return &slim
}

// Replay is the command that runs the same world again, with its planted
// bugs.
func (r *Result) Replay() string {
	cmd := ReplayCommand(r.Source, r.Seed, r.Overrides)
	if r.Live {
		cmd += " --live"
	}
	return FailpointsPrefix(r.failpoints, r.Params["buggify"] == "on") + cmd + BugFlags(r.Bugs)
}

// FailpointsPrefix is what a replay command must start with when the run
// had fault sites pinned by GO_FAILPOINTS (failpoints, the variable's
// value) and buggify on: the same variable, since the sites it pins fire
// as they did only with it. Empty otherwise.
func FailpointsPrefix(failpoints string, buggify bool) string {
	if failpoints == "" || !buggify || !strings.Contains(failpoints, sim.SitePathPrefix) {
		return ""
	}
	return "GO_FAILPOINTS=" + ShellQuote(failpoints) + " "
}

// BugFlags is the --bug flags that plant bugs, for a replay command: empty
// without bugs, else each flag with a space before it.
func BugFlags(bugs []string) string {
	var b strings.Builder
	for _, name := range bugs {
		b.WriteString(" --bug ")
		b.WriteString(ShellQuote(name))
	}
	return b.String()
}

// ReplayCommand is the command line that runs seed of the scenario named by
// source again, with the exact --set overrides (not the defaults, so that it
// stays short), quoted for a POSIX shell.
func ReplayCommand(source string, seed uint64, set map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulate run %s --seed %d", ShellQuote(source), seed)
	keys := make([]string, 0, len(set))
	for k := range set { //redsim:ordered sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " --set %s", ShellQuote(k+"="+set[k]))
	}
	return b.String()
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=,+@%-]+$`)

// ShellQuote quotes s for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Status is a run's overall outcome, the first word of its closing line.
// A sweep adds two statuses of its own for seeds that were not judged.
type Status string

// The statuses. A violation outranks an undecided check: a run with both is
// a failure, since the violation is proven.
const (
	StatusPass    Status = "pass"    // every check held
	StatusFail    Status = "fail"    // a check found a violation
	StatusUnknown Status = "unknown" // no violation, but some check could not decide
	StatusError   Status = "error"   // the framework failed; nothing was judged
	StatusSkipped Status = "skipped" // not run (a sweep stopped first)
)

// Status returns StatusFail when a check found a violation, else
// StatusUnknown when a check could not decide, else StatusPass.
func (r *Result) Status() Status {
	status := StatusPass
	for _, v := range r.Verdicts {
		switch v.Verdict {
		case checker.Ok:
		case checker.Violation:
			return StatusFail
		default:
			status = StatusUnknown
		}
	}
	return status
}

// Passed reports whether every check held.
func (r *Result) Passed() bool { return r.Status() == StatusPass }

// StatusLine is the closing line of `simulate run`:
// PASS|FAIL|UNKNOWN scenario=NAME seed=N hash=H.
func (r *Result) StatusLine() string {
	line := fmt.Sprintf("%s scenario=%s seed=%d hash=%s", strings.ToUpper(string(r.Status())), r.Scenario, r.Seed, r.Hash)
	if r.Live {
		line += " (live run: not deterministic; no hash to compare)"
	}
	return line
}

// FormatHash prints a trace hash as 16 hex digits.
func FormatHash(h uint64) string { return fmt.Sprintf("%016x", h) }

// UsageError is a bad scenario or parameter: exit status 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// FrameworkError is a failure of Redsim itself (a panic in the world, a broken
// nemesis action): exit status 3.
type FrameworkError struct {
	Err   error
	Stack string
}

func (e *FrameworkError) Error() string { return e.Err.Error() }

// Options control one run beyond its parameters.
type Options struct {
	Seed uint64
	Set  map[string]string
	// Prepare, when set, runs on the new world before the scenario builds it
	// (to print or keep the trace).
	Prepare func(w *sim.World)
	// Backend, when set, runs the scenario on it (real processes) instead
	// of in the simulated world; the result is not deterministic.
	Backend Backend
	// HistoryFile is where a run that streams its history (a long run of
	// a scenario that allows it, see StreamHistory) writes the operations
	// it does not keep, as history.jsonl lines; "" writes them nowhere
	// (they are still counted for the report).
	HistoryFile string
	// KeepReport, when set, is asked once the checks have judged the run
	// whether the result is for a report: when it says no, Execute returns
	// the result slim (see Result.Slim) and spares itself gathering what
	// only reports read. A sweep keeps it only for the seeds whose reports
	// it writes. Nil keeps every result whole.
	KeepReport func(*Result) bool
	// PlanOnly, when set, builds the world and the schedule and returns
	// without running them: the result holds the schedule, the duration
	// and the parameters (swarm and buggify among them), and no verdict,
	// hash or history.
	PlanOnly bool
	// Failpoints is GO_FAILPOINTS as the process has it (the command line
	// reads the environment): its fault sites pinned, the replay command
	// carries it.
	Failpoints string
}

// resolve is what a run of s with the --set values set has for
// parameters: the scenario's own, and the framework's settings, each with
// the scenario's defaults under set's values.
func resolve(s *Scenario, set map[string]string) (Params, framework, error) {
	if len(s.Settings) > 0 {
		withDefaults := maps.Clone(s.Settings)
		maps.Copy(withDefaults, set)
		set = withDefaults
	}
	set, fw, err := frameworkSettings(set)
	if err != nil {
		return Params{}, framework{}, &UsageError{fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	params, err := NewParams(s.Params, set)
	if err != nil {
		return Params{}, framework{}, &UsageError{fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	return params, fw, nil
}

// EffectiveParams is every setting a run of s with the --set values set
// has: the scenario's parameters and the framework's (swarm and buggify,
// "on" or "off"). Two runs of one build and one seed with the same
// effective parameters (and the same planted bugs) are the same world.
func EffectiveParams(s *Scenario, set map[string]string) (map[string]string, error) {
	params, fw, err := resolve(s, set)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	params.Each(func(k, v string) { out[k] = v })
	for i, on := range []bool{fw.swarm, fw.buggify} {
		out[frameworkNames[i]] = onOff(on)
	}
	return out, nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// ParamDiff compares a run's parameters got with those of the sweep it
// should belong to, want, and returns the first key whose values differ.
// A key one side lacks is not compared (a result of an errored seed
// records fewer), except the framework's settings, which a result names
// only when on: there a missing key is "off".
func ParamDiff(got, want map[string]string) (key, gotV, wantV string, differ bool) {
	keys := make([]string, 0, len(got)+len(want))
	for k := range got { //redsim:ordered sorted below
		keys = append(keys, k)
	}
	for k := range want { //redsim:ordered sorted below
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		g, okg := got[k]
		w, okw := want[k]
		if slices.Contains(frameworkNames[:], k) {
			g, w, okg, okw = cmp.Or(g, "off"), cmp.Or(w, "off"), true, true
		}
		if okg && okw && g != w {
			return k, g, w, true
		}
	}
	return "", "", "", false
}

// Execute runs s once.
func Execute(s *Scenario, opts Options) (res *Result, err error) {
	params, fw, err := resolve(s, opts.Set)
	if err != nil {
		return nil, err
	}
	dur := params.Duration("duration")
	w := sim.NewWorld(opts.Seed)
	defer w.Close()
	if opts.Prepare != nil {
		opts.Prepare(w)
	}
	if err := w.SetBuggify(fw.buggify); err != nil {
		return nil, &UsageError{fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	if opts.Backend != nil && fw.buggify {
		return nil, &UsageError{fmt.Errorf("scenario %s: buggify=on plants fault sites in the simulated nodes; a live run has none", s.Name)}
	}
	r := &Run{Scenario: s, Seed: opts.Seed, Params: params, World: w, Duration: dur, Swarm: fw.swarm, backend: opts.Backend, historyFile: opts.HistoryFile}
	defer func() {
		if r.stream != nil {
			_ = r.stream.close() // a run that ended early; else closed below
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &FrameworkError{Err: fmt.Errorf("scenario %s seed %d panicked at %v: %v", s.Name, opts.Seed, w.Now(), p), Stack: string(debug.Stack())}
		}
	}()
	if r.Net, err = network.New(w, network.Config{}); err != nil {
		return nil, &UsageError{err}
	}
	checks, err := s.Setup(r)
	if err == nil {
		err = r.generateErr
	}
	if err != nil {
		return nil, &UsageError{fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	// Setup may add actions in any order; they run and print in time order
	// (actions due at the same time keep their order).
	slices.SortStableFunc(r.Schedule, func(a, b nemesis.Action) int { return cmp.Compare(a.At, b.At) })
	for i, a := range r.Schedule {
		if err := a.Check(); err != nil {
			return nil, &UsageError{fmt.Errorf("scenario %s: schedule action %d (%s): %w", s.Name, i+1, a, err)}
		}
	}
	// What the run is: its plan, which PlanOnly returns; the rest of the
	// result is filled in once it has run.
	res = &Result{
		Scenario: s.Name, Seed: opts.Seed, Source: cmp.Or(s.Source, s.Name), Overrides: maps.Clone(opts.Set),
		Params: map[string]string{}, Duration: dur, Schedule: r.Schedule, failpoints: opts.Failpoints,
	}
	params.Each(func(k, v string) { res.Params[k] = v; res.paramOrder = append(res.paramOrder, k) })
	if fw.swarm {
		res.Params["swarm"], res.paramOrder = "on", append(res.paramOrder, "swarm")
	}
	if fw.buggify {
		res.Params["buggify"], res.paramOrder = "on", append(res.paramOrder, "buggify")
	}
	if opts.PlanOnly {
		return res, nil
	}
	if r.backend != nil {
		if len(w.Hosts()) > 0 {
			return nil, &UsageError{fmt.Errorf("scenario %s cannot run live: it builds simulated hosts itself instead of through a deployment", s.Name)}
		}
		if r.operator == nil {
			return nil, &UsageError{fmt.Errorf("scenario %s cannot run live: it has no deployment", s.Name)}
		}
		if err := r.backend.Run(dur, r.Schedule, r.operator); err != nil {
			return nil, err
		}
		// Nothing runs in the world: this only moves its clock to the
		// end, which the checks read.
		w.RunUntil(clock.Time(dur))
	} else {
		nemesis.Schedule(w, r.Net, r.operator, r.Schedule, r.Fail)
		if fw.buggify {
			// The fault sites stop with the other faults: at the final
			// heal-all of a generated schedule (nemesis.OpHealAll), and
			// in any case for the last quarter of the run, so that the
			// checks that judge recovery (convergence, liveness) judge
			// a world given time to recover, as a fixed schedule's end
			// gives it.
			w.At(clock.Time(dur-dur/4), w.CalmSites)
		}
		w.RunUntil(clock.Time(dur))
	}
	if r.err != nil {
		return nil, &FrameworkError{Err: fmt.Errorf("scenario %s seed %d at %v: %w", s.Name, opts.Seed, w.Now(), r.err)}
	}
	res.Hash, res.Events = FormatHash(w.Trace().Hash()), w.Trace().Count()
	res.Bugs, res.Probes, res.Profile, res.Sites = bugs.Enabled(), w.Probes(), r.profile, w.Sites()
	if r.backend != nil {
		res.Hash, res.Live, res.Events, res.Probes = LiveHash, true, 0, nil
	}
	res.Verdicts = checks(r)
	res.clientFaults = r.ClientFaults
	if len(res.Verdicts) == 0 {
		return nil, &UsageError{fmt.Errorf("scenario %s: no check judged the run, so it could never fail; turn on at least one check", s.Name)}
	}
	res.Facts = r.Facts
	if r.backend != nil {
		res.Facts = append(res.Facts, r.backend.Facts()...)
	}
	switch {
	case r.profile != nil:
		// The report and summary.md show the facts: the profile is there.
		res.Facts = append(res.Facts, r.profile.String())
	case fw.swarm:
		// Swarm shapes a generated schedule; this scenario's is fixed (or
		// explicit), so the seed ran as it would without it.
		res.Facts = append(res.Facts, "swarm: no effect: scenario "+s.Name+"'s fault schedule is fixed, not generated, so there was no profile to draw")
	}
	if fw.buggify {
		res.Facts = append(res.Facts, sim.SitesSummary(res.Sites))
	}
	keep := opts.KeepReport == nil || opts.KeepReport(res)
	if r.History != nil {
		r.History.Finish(w.Now())
		if keep {
			// Flattening copies every operation: only reports read it.
			res.History = r.History.Ops()
		}
	}
	if r.stream != nil {
		if err := r.stream.close(); err != nil {
			return nil, &FrameworkError{Err: fmt.Errorf("scenario %s seed %d: %w", s.Name, opts.Seed, err)}
		}
		res.Streamed, res.HistoryFile = &r.stream.summary, r.stream.path
	}
	res.Observations = r.Observations
	res.visualize = r.visualize
	if !keep {
		return res.Slim(), nil
	}
	return res, nil
}

// Registry holds scenarios by name and loads scenario files.
type Registry struct {
	byName map[string]*Scenario
	load   func(path string) (*Scenario, error)
}

// NewRegistry holds the given scenarios; load reads a scenario file (nil:
// none can be read).
func NewRegistry(load func(path string) (*Scenario, error), scenarios ...*Scenario) *Registry {
	r := &Registry{byName: map[string]*Scenario{}, load: load}
	for _, s := range scenarios {
		r.byName[s.Name] = s
	}
	return r
}

// Lookup finds a scenario by name; the error lists the known names.
//
// A name ending in .toml, or holding a path separator, is a scenario file.
func (r *Registry) Lookup(name string) (*Scenario, error) {
	if s, ok := r.byName[name]; ok {
		return s, nil
	}
	if (strings.HasSuffix(name, ".toml") || strings.ContainsRune(name, '/')) && r.load != nil {
		return r.load(name)
	}
	names := ""
	for i, s := range r.List() {
		if i > 0 {
			names += ", "
		}
		names += s.Name
	}
	return nil, &UsageError{fmt.Errorf("scenario %q is unknown; built-in scenarios: %s", name, names)}
}

// List returns the scenarios sorted by name.
func (r *Registry) List() []*Scenario {
	out := make([]*Scenario, 0, len(r.byName))
	for _, s := range r.byName { //redsim:ordered sorted below
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// framework holds the framework's own settings, which every scenario
// accepts through --set: swarm=on|off (swarm fault profiles) and
// buggify=on|off (fault sites inside the nodes, sim.Site).
type framework struct {
	swarm, buggify bool
}

// frameworkNames are the settings frameworkSettings takes.
var frameworkNames = [...]string{"swarm", "buggify"}

// frameworkSettings takes the framework's own settings out of set.
func frameworkSettings(set map[string]string) (map[string]string, framework, error) {
	var fw framework
	rest := set
	for i, on := range []*bool{&fw.swarm, &fw.buggify} {
		name := frameworkNames[i]
		v, ok := set[name]
		if !ok {
			continue
		}
		switch v {
		case "on":
			*on = true
		case "off":
		default:
			return nil, framework{}, fmt.Errorf("%s=%q: want on or off", name, v)
		}
		if len(rest) == len(set) {
			rest = maps.Clone(set)
		}
		delete(rest, name)
	}
	return rest, fw, nil
}

// Generate draws a fault schedule from rng as nemesis.Generate does; with
// swarm=on it first draws the seed's swarm profile from the world's
// "swarm" stream (the kinds of cfg's families this run has, each with its
// rate), so that the profile does not move the schedule's own draws.
// A config nemesis.Config.Check refuses draws nothing, and Execute then
// fails the run as bad usage, whatever Setup returns.
func (r *Run) Generate(cfg nemesis.Config, rng *rand.Rand) []nemesis.Action {
	if err := cfg.Check(); err != nil {
		if r.generateErr == nil {
			r.generateErr = err
		}
		return nil
	}
	if r.Swarm {
		cfg.Profile = nemesis.DrawProfile(cfg, r.World.Stream("swarm"))
		r.profile = cfg.Profile
	}
	return nemesis.Generate(cfg, rng)
}
