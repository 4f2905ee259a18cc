package calibrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/live"
	"github.com/redsim/redsim/scenarios/sweep"
)

// Config is one calibration.
type Config struct {
	// Scenario is what runs, live and simulated, with Set's parameters.
	Scenario *scenarios.Scenario
	Set      map[string]string
	// Seeds are the simulated seeds; SeedsText is how they were given.
	Seeds     []uint64
	SeedsText string
	// LiveRuns is how many live runs there are; live run i has seed
	// Seeds[i] (the schedule and workload draws are the seed's).
	LiveRuns int
	// Jobs is how many simulated worlds run at once (0: one per CPU).
	Jobs int
	// Command reproduces the calibration, for the report.
	Command string
	// Log gets a line per run as it ends; nil discards them.
	Log io.Writer
	// TempDir is where live runs make their directories and where fsync
	// is measured; "" is os.TempDir().
	TempDir string
}

// Run runs cfg.Scenario live cfg.LiveRuns times, one after another, then
// simulated over cfg.Seeds, measures this machine, and compares. A live
// run that fails in the framework (a process that would not start) is a
// note, and the rest go on; a usage error (the scenario cannot run live,
// a bad parameter) and an interrupt stop the calibration.
func Run(ctx context.Context, cfg Config) (*reports.Calibration, error) {
	start := time.Now()
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	if cfg.LiveRuns < 1 || len(cfg.Seeds) == 0 {
		return nil, &scenarios.UsageError{Err: fmt.Errorf("calibrate: want at least one live run and one seed (got %d live runs, %d seeds)", cfg.LiveRuns, len(cfg.Seeds))}
	}
	if err := live.Check(); err != nil {
		return nil, err
	}
	name := cfg.Scenario.Name
	cal := &reports.Calibration{Scenario: name, Command: cfg.Command, Seeds: cfg.SeedsText}
	var liveRuns, simRuns []Measured
	for i := range cfg.LiveRuns {
		seed := cfg.Seeds[i%len(cfg.Seeds)]
		res, wall, err := runLive(ctx, cfg, seed)
		switch {
		case errors.Is(err, live.ErrInterrupted), ctx.Err() != nil:
			return nil, live.ErrInterrupted
		case isUsage(err):
			return nil, err
		case err != nil:
			cal.Notes = append(cal.Notes, fmt.Sprintf("live run %d (seed %d) failed and is left out: %v", i+1, seed, err))
			fmt.Fprintf(log, "live run %d/%d seed %d: ERROR %v\n", i+1, cfg.LiveRuns, seed, err)
			continue
		}
		m := MeasureRun(name, res)
		liveRuns = append(liveRuns, m)
		fmt.Fprintf(log, "live run %d/%d seed %d: %s, %s in %v\n", i+1, cfg.LiveRuns, seed, strings.ToUpper(string(res.Status())), brief(m), wall.Round(100*time.Millisecond))
	}
	if len(liveRuns) == 0 {
		return nil, &scenarios.FrameworkError{Err: fmt.Errorf("calibrate: none of the %d live runs of %s finished: %s", cfg.LiveRuns, name, strings.Join(cal.Notes, "; "))}
	}
	sum, err := sweep.Run(ctx, sweep.Config{Scenario: cfg.Scenario, Seeds: cfg.Seeds, Set: cfg.Set, Jobs: cfg.Jobs,
		OnResult: func(e sweep.Entry) {
			if e.Err != nil {
				cal.Notes = append(cal.Notes, fmt.Sprintf("simulated seed %d failed and is left out: %v", e.Seed, e.Err))
				return
			}
			simRuns = append(simRuns, MeasureRun(name, e.Result))
		}})
	if err != nil {
		if ctx.Err() != nil {
			return nil, live.ErrInterrupted
		}
		return nil, err
	}
	fmt.Fprintf(log, "simulated %d seeds in %v\n", len(sum.Entries), sum.Wall.Round(100*time.Millisecond))
	cal.LiveRuns, cal.SimRuns = len(liveRuns), len(simRuns)
	cal.Figures = Compare(name, simRuns, liveRuns)
	machine, err := live.MeasureMachine(ctx, "127.0.0.1", "127.0.0.2", cfg.TempDir)
	if err != nil {
		cal.Notes = append(cal.Notes, "measuring this machine failed: "+err.Error())
	} else {
		cal.Measured = Parameters(cfg.Scenario, cfg.Set, machine, cal.Figures)
	}
	cal.Wall = time.Since(start)
	return cal, nil
}

// runLive runs one seed on a live backend of its own and removes it.
func runLive(ctx context.Context, cfg Config, seed uint64) (*scenarios.Result, time.Duration, error) {
	start := time.Now()
	b, err := live.New(ctx, live.Options{Seed: seed, TempDir: cfg.TempDir})
	if err != nil {
		return nil, 0, err
	}
	res, err := scenarios.Execute(cfg.Scenario, scenarios.Options{Seed: seed, Set: cfg.Set, Backend: b})
	if cerr := b.Close(); cerr != nil && err == nil {
		err = &scenarios.FrameworkError{Err: fmt.Errorf("cleaning up the live run: %w", cerr)}
	}
	return res, time.Since(start), err
}

func isUsage(err error) bool {
	var ue *scenarios.UsageError
	return errors.As(err, &ue)
}

// brief is a live run's figures on one line, for the progress log.
func brief(m Measured) string {
	var parts []string
	for _, f := range Figures("") {
		if v, ok := m.Values[f.Name]; ok {
			parts = append(parts, f.Name+" "+reports.FormatFigure(f.Unit, v))
		}
	}
	for _, f := range []Figure{failoverTime, splitBrainWindow} {
		if v, ok := m.Values[f.Name]; ok {
			parts = append(parts, f.Name+" "+reports.FormatFigure(f.Unit, v))
		}
	}
	return strings.Join(parts, ", ")
}

// Parameters are this machine's values of what the simulator takes from
// defaults, each with the parameter of s that takes it (if any), the
// value the runs had and the --set that would match this machine.
//
// The one-way latency to set is not the bare loopback's: a simulated link
// stands for everything between a client's send and the node's reply
// that the simulated node does not charge (the kernel, the wake-ups of
// both processes, Redis's own work), so it is derived from the operation
// latency before faults, which in simulation is proportional to the
// one-way latency (failover-partition: 2.2 times it at 400µs and at
// 84µs): the current value times the live over the simulated median.
func Parameters(s *scenarios.Scenario, set map[string]string, m live.Machine, figs []reports.CalibrationFigure) []reports.CalibrationParam {
	current := func(name string) (string, bool) {
		for _, p := range s.Params {
			if p.Name == name {
				if v, ok := set[name]; ok {
					return v, true
				}
				return p.Default, true
			}
		}
		return "", false
	}
	var out []reports.CalibrationParam
	lat := reports.CalibrationParam{What: "one-way latency (clients and nodes included)",
		How: "the simulated one-way latency scaled by the live over the simulated median operation latency before faults"}
	latBare := reports.CalibrationParam{What: "one-way latency of the bare loopback",
		Measured: fmt.Sprintf("%v (5th-95th %v-%v)", m.OneWayLatency, m.LatencyP5, m.LatencyP95),
		How:      fmt.Sprintf("half the round trip of 16 bytes echoed over TCP between two loopback addresses, %d times", m.RoundTrips)}
	if cur, ok := current("one-way-latency"); ok {
		lat.Param, lat.Current = "one-way-latency", cur
		latBare.Param, latBare.Current = "one-way-latency", cur
		curD, err := time.ParseDuration(cur)
		if i := slices.IndexFunc(figs, func(f reports.CalibrationFigure) bool { return f.Name == opLatency.Name }); err == nil && i >= 0 &&
			!math.IsNaN(figs[i].LiveValue) && figs[i].SimMedian > 0 {
			want := time.Duration(float64(curD) * figs[i].LiveValue / figs[i].SimMedian)
			want = max(want, time.Microsecond).Round(time.Microsecond)
			lat.Measured = want.String()
			if want != curD {
				lat.Suggest = "--set one-way-latency=" + strings.ReplaceAll(want.String(), "µ", "u")
			}
		}
	}
	if lat.Measured != "" {
		out = append(out, lat)
	}
	if cur, ok := current("same-host-latency"); ok {
		// Live, every host is an address on one loopback: a client beside
		// its node has no head start over the others.
		same := reports.CalibrationParam{What: "one-way latency between a client and the node beside it", Param: "same-host-latency", Current: cur,
			How: "live, every host is an address on one loopback, so a client beside its node talks to it as to any other: the one-way latency above"}
		if lat.Measured != "" {
			same.Measured = lat.Measured
			if curD, err := time.ParseDuration(cur); err == nil && curD.String() != lat.Measured {
				same.Suggest = "--set same-host-latency=" + strings.ReplaceAll(lat.Measured, "µ", "u")
			}
		}
		out = append(out, same)
	}
	out = append(out, latBare)
	fsync := reports.CalibrationParam{What: "fsync of a 4 KiB append",
		Measured: fmt.Sprintf("%v (95th %v)", m.Fsync.Round(time.Microsecond), m.FsyncP95.Round(time.Microsecond)),
		How:      fmt.Sprintf("write(2) of 4 KiB then fdatasync in the live runs' temporary directory, %d times", m.Fsyncs)}
	if _, ok := current("appendfsync"); !ok {
		fsync.How += "; this scenario has no AOF, so no parameter takes it"
	}
	transfer := reports.CalibrationParam{What: "full-sync transfer rate",
		Measured: fmt.Sprintf("%.0f MiB/s", m.TransferBytesPerSecond/(1<<20)),
		How: fmt.Sprintf("%d MiB sent over one loopback TCP connection; the simulator's full syncs move a snapshot at 100 MiB/s (redis.Config.ReplTransferBytesPerSecond), which the snapshots of these scenarios (a few KiB) never make matter",
			m.TransferBytes>>20)}
	return append(out, fsync, transfer)
}
