package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/redsim/redsim/scenarios"
)

// Config is one sweep.
type Config struct {
	// Scenario is what every seed runs.
	Scenario *scenarios.Scenario
	// Seeds are the seeds to run, already sharded, in the order results are
	// reported.
	Seeds []uint64
	// Set overrides the scenario's parameters for every seed, as --set does.
	Set map[string]string
	// Jobs is how many worlds run at once; 0 means runtime.NumCPU().
	Jobs int
	// FailFast stops starting seeds once one has failed (a violation or a
	// framework error); seeds already running finish and are reported, the
	// rest are listed in Summary.Skipped.
	FailFast bool
	// CheckDeterminism runs every seed twice and makes a seed whose two
	// runs differ (trace hash or event count) a framework error.
	CheckDeterminism bool
	// OnResult, when set, is called once per seed that ran, in the order of
	// Seeds (not the order seeds finish), always from the goroutine that
	// called Run, so it needs no locking. Workers keep running while it
	// works, but at most a few seeds per job run ahead of the oldest seed not
	// yet reported, which bounds the results held in memory.
	OnResult func(Entry)
	// KeepReport, when set, says which results OnResult needs whole, with
	// the history, observations and linearizability page their reports
	// read (scenarios.Options.KeepReport); the others reach it slim
	// (scenarios.Result.Slim), and their seeds run faster for it. The
	// workers call it, several at once. Nil keeps every result whole.
	KeepReport func(*scenarios.Result) bool
	// Failpoints is GO_FAILPOINTS as the process has it
	// (scenarios.Options.Failpoints).
	Failpoints string
}

// Status classifies one seed's outcome: a run's status, or a seed that
// errored or was skipped.
type Status = scenarios.Status

// The statuses a seed can have.
const (
	Pass    = scenarios.StatusPass    // every check held
	Fail    = scenarios.StatusFail    // a check found a violation
	Unknown = scenarios.StatusUnknown // no violation, but a check could not decide
	Errored = scenarios.StatusError   // the framework failed: a panic, a broken nemesis action
	Skipped = scenarios.StatusSkipped // not run: FailFast or an interrupt stopped the sweep first
)

// Entry is one seed's run.
type Entry struct {
	Seed uint64
	// Result is the run's result; nil when Err is set.
	Result *scenarios.Result
	// Err is a framework failure of this seed alone (usually a
	// *scenarios.FrameworkError); the other seeds still run.
	Err error
	// Wall is the wall-clock time the seed took.
	Wall time.Duration
}

// Status returns Errored, or the run's Pass, Fail or Unknown.
func (e Entry) Status() Status {
	if e.Err != nil {
		return Errored
	}
	return e.Result.Status()
}

// Summary is what a sweep did.
type Summary struct {
	// Entries holds one entry per seed that ran, in the order of
	// Config.Seeds. Their results lack History and Observations (OnResult
	// sees them whole), so a long sweep does not keep every history.
	Entries []Entry
	// Skipped are the seeds FailFast (or a cancelled context) kept from
	// running, in the order of Config.Seeds.
	Skipped []uint64
	// Passed, Failed, Unknown and Errored count Entries by Status.
	Passed, Failed, Unknown, Errored int
	// Wall is the wall-clock time of the whole sweep.
	Wall time.Duration
}

// OK reports whether every seed ran and passed.
func (s Summary) OK() bool {
	return s.Failed == 0 && s.Unknown == 0 && s.Errored == 0 && len(s.Skipped) == 0
}

// runAhead is how many seeds per job may start before the oldest unreported
// seed finishes: enough to keep every job busy past a slow seed, few enough
// that buffered results (with their histories) stay small.
const runAhead = 4

// Run runs cfg.Scenario once per seed, cfg.Jobs worlds at a time.
//
// A seed's panic or framework error is reported in its Entry and the sweep
// goes on. Run's error is for what no seed can get past: a bad Config, a
// *scenarios.UsageError (a bad --set value fails every seed alike, so the
// sweep stops at the first), or the context's error when ctx is cancelled. In
// every case the Summary holds the seeds that ran.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	start := time.Now()
	if cfg.Scenario == nil {
		return Summary{}, errors.New("sweep: Config.Scenario is nil")
	}
	jobs := cfg.Jobs
	if jobs < 0 {
		return Summary{}, fmt.Errorf("--jobs %d: want at least 1 (0 means one per CPU)", jobs)
	}
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	jobs = min(jobs, len(cfg.Seeds))

	type done struct {
		index int
		entry Entry
	}
	work := make(chan int)
	results := make(chan done, jobs)
	var workers sync.WaitGroup
	for range jobs {
		workers.Go(func() {
			for i := range work {
				results <- done{i, runSeed(cfg.Scenario, cfg.Seeds[i], cfg.Set, cfg.CheckDeterminism, cfg.KeepReport, cfg.Failpoints)}
			}
		})
	}
	// On the way out, normally or with OnResult's panic, no worker is left
	// behind: up to two results per worker may still be unreceived (one
	// buffered, one being computed), so drain them until every worker is gone.
	defer func() {
		close(work)
		go func() {
			workers.Wait()
			close(results)
		}()
		for range results {
		}
	}()

	var (
		sum      Summary
		runErr   error
		next     int // the next seed to start
		reported int // the next seed to report
		running  int
		stopped  bool
		finished = map[int]Entry{}
		ctxDone  = ctx.Done()
	)
	for {
		var dispatch chan<- int
		if !stopped && next < len(cfg.Seeds) && next < reported+runAhead*jobs {
			dispatch = work
		}
		if dispatch == nil && running == 0 {
			break
		}
		select {
		case dispatch <- next:
			next++
			running++
		case d := <-results:
			running--
			finished[d.index] = d.entry
			switch {
			case isUsage(d.entry.Err):
				stopped = true
				if runErr == nil {
					runErr = d.entry.Err
				}
			case d.entry.Status() != Pass && cfg.FailFast:
				stopped = true
			}
			for e, ok := finished[reported]; ok; e, ok = finished[reported] {
				delete(finished, reported)
				reported++
				if !isUsage(e.Err) { // the sweep's failure, not the seed's
					sum.add(e, cfg.OnResult)
				}
			}
		case <-ctxDone:
			ctxDone = nil
			stopped = true
			if runErr == nil {
				runErr = ctx.Err()
			}
		}
	}
	sum.Skipped = append(sum.Skipped, cfg.Seeds[next:]...)
	sum.Wall = time.Since(start)
	return sum, runErr
}

func isUsage(err error) bool {
	var ue *scenarios.UsageError
	return errors.As(err, &ue)
}

// add reports e and keeps it without its history.
func (s *Summary) add(e Entry, onResult func(Entry)) {
	if onResult != nil {
		onResult(e)
	}
	switch e.Status() {
	case Pass:
		s.Passed++
	case Fail:
		s.Failed++
	case Unknown:
		s.Unknown++
	default:
		s.Errored++
	}
	if e.Result != nil {
		e.Result = e.Result.Slim()
	}
	s.Entries = append(s.Entries, e)
}

// runSeed runs one world. scenarios.Execute already turns a panic inside the
// world into a FrameworkError; the recover here catches one in the scenario's
// parameter handling or anywhere else Execute does not guard, so that a bad
// seed can never take the sweep (or the process) down.
func runSeed(s *scenarios.Scenario, seed uint64, set map[string]string, twice bool, keep func(*scenarios.Result) bool, failpoints string) (e Entry) {
	e.Seed = seed
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			e.Result = nil
			e.Err = &scenarios.FrameworkError{
				Err:   fmt.Errorf("scenario %s seed %d panicked: %v", s.Name, seed, p),
				Stack: string(debug.Stack()),
			}
		}
		e.Wall = time.Since(start)
	}()
	e.Result, e.Err = scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set, KeepReport: keep, Failpoints: failpoints})
	if e.Err == nil && e.Result == nil {
		e.Err = &scenarios.FrameworkError{Err: fmt.Errorf("scenario %s seed %d returned no result", s.Name, seed)}
	}
	if twice && e.Err == nil {
		again, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set, KeepReport: func(*scenarios.Result) bool { return false }, Failpoints: failpoints})
		switch {
		case err != nil:
			e.Result, e.Err = nil, err
		case again.Hash != e.Result.Hash || again.Events != e.Result.Events:
			e.Err = &scenarios.FrameworkError{Err: fmt.Errorf("scenario %s seed %d is not deterministic: hash %s (%d events), then %s (%d events); "+
				"`%s --check-determinism` names the first event that differs", s.Name, seed, e.Result.Hash, e.Result.Events, again.Hash, again.Events, e.Result.Replay())}
			e.Result = nil
		}
	}
	return e
}
