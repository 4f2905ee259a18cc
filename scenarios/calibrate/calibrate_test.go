package calibrate

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
	"github.com/redsim/redsim/scenarios/live"
)

// simulate runs seeds of the built-in name, in parallel, keeping every
// result whole.
func simulate(t *testing.T, name string, set map[string]string, seeds ...uint64) []*scenarios.Result {
	t.Helper()
	s, err := builtin.Registry().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*scenarios.Result, len(seeds))
	errs := make([]error, len(seeds))
	var wg sync.WaitGroup
	for i, seed := range seeds {
		wg.Go(func() { out[i], errs[i] = scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s seed %d: %v", name, seeds[i], err)
		}
	}
	return out
}

// shortFailover is failover-partition in 20 s of virtual time: the
// partition at 4 s, the promotion 2 s later, the heal at 12 s.
var shortFailover = map[string]string{"duration": "20s", "partition-at": "4s", "promote-after": "2s", "heal-at": "12s"}

func measureAll(name string, rs []*scenarios.Result) []Measured {
	out := make([]Measured, len(rs))
	for i, r := range rs {
		out[i] = MeasureRun(name, r)
	}
	return out
}

func secondsOf(d string) float64 {
	v, _ := time.ParseDuration(d)
	return v.Seconds()
}

// TestFailoverFiguresFollowTheSchedule: on simulated failover-partition
// runs the figures say what the schedule and the checks say. The
// lost-write rate is the set check's lost over acknowledged; n3 cannot
// acknowledge a write before the operator promotes it, and n1
// acknowledges its minority's writes until the operator demotes it a
// second after the heal, so the failover time plus the split-brain window
// (the partition to n1's last write) lies between the heal and a little
// after the demotion, and the time to one master is about that second.
// Moving the promotion 3 s later moves the failover time at least 3 s
// later (more when the clients are then stuck dialing n1: a timed-out
// operation, 3 s, is followed by a dial that times out after 5 s).
func TestFailoverFiguresFollowTheSchedule(t *testing.T) {
	const name = "failover-partition"
	early := simulate(t, name, shortFailover, 1, 2, 3)
	late := map[string]string{}
	for k, v := range shortFailover {
		late[k] = v
	}
	late["promote-after"] = "5s"
	lates := simulate(t, name, late, 1, 2, 3)
	part, promote, heal := secondsOf(shortFailover["partition-at"]), secondsOf(shortFailover["promote-after"]), secondsOf(shortFailover["heal-at"])
	for i, r := range early {
		m := MeasureRun(name, r)
		set := r.Verdicts[0]
		if set.Checker != "set" {
			t.Fatalf("the first check is %s, not set", set.Checker)
		}
		lost, _ := set.Metric("lost")
		acked, _ := set.Metric("acknowledged")
		if lost == 0 || m.Values[lostWriteRate.Name] != lost/acked {
			t.Errorf("seed %d: lost-write rate %v; the set check lost %v of %v", r.Seed, m.Values[lostWriteRate.Name], lost, acked)
		}
		fo, sb, one := m.Values[failoverTime.Name], m.Values[splitBrainWindow.Name], m.Values[timeToOneMaster.Name]
		if fo < promote || fo > heal-part {
			t.Errorf("seed %d: failover time %.3fs; the promotion is %.0fs after the partition, the heal %.0fs", r.Seed, fo, promote, heal-part)
		}
		if end := fo + sb; end < heal-part || end > heal-part+1.2 {
			t.Errorf("seed %d: failover time + split-brain window = %.3fs; n1 takes writes until its demotion %.0fs+1s after the partition", r.Seed, end, heal-part)
		}
		if one < 0.5 || one > 1.2 {
			t.Errorf("seed %d: time to one master %.3fs; the operator demotes n1 1s after the heal", r.Seed, one)
		}
		if ops := m.Values[opsPerSecond.Name]; ops < 100 || ops > 12*1000/5 {
			t.Errorf("seed %d: %.0f ops/s from 12 clients that think 5-15ms between operations", r.Seed, ops)
		}
		if lat := m.Values[opLatency.Name]; lat < 2*100e-6 || lat > 0.01 {
			t.Errorf("seed %d: operation latency %v s; two one-way latencies of at least 100µs each", r.Seed, lat)
		}
		if v, ok := m.Values["runs with a set violation"]; !ok || v != 1 {
			t.Errorf("seed %d: set violation figure %v %v; the set check found lost writes", r.Seed, v, ok)
		}
		lfo := MeasureRun(name, lates[i]).Values[failoverTime.Name]
		if lfo < 5 || lfo-fo < 3-0.1 {
			t.Errorf("seed %d: promoting 3s later (5s after the partition) moved the failover time from %.3fs to %.3fs", r.Seed, fo, lfo)
		}
	}
}

// TestFailoverFiguresNeedAPartition: a scenario without a partition has
// no failover figures, and MeasureRun leaves them out.
func TestFailoverFiguresNeedAPartition(t *testing.T) {
	r := simulate(t, "standalone-crash", map[string]string{"duration": "8s", "quiet": "3s"}, 1)[0]
	for _, f := range []Figure{failoverTime, splitBrainWindow, timeToOneMaster} {
		if v, ok := f.Measure(r); ok {
			t.Errorf("%s: %v on a run whose schedule has no partition", f.Name, v)
		}
	}
	m := MeasureRun("standalone-crash", r)
	if _, ok := m.Values[failoverTime.Name]; ok {
		t.Error("MeasureRun measured a failover time for standalone-crash")
	}
	if _, ok := m.Values[opsPerSecond.Name]; !ok {
		t.Error("MeasureRun has no operations per second for a run with clients")
	}
}

// TestCompareJudgesRealRuns: runs compared with themselves are inside
// every band; runs that promote 3 s later than the simulated ones are
// outside the failover time's band, above it by at least 3 s less the
// band's width, and the verdict says by how much.
func TestCompareJudgesRealRuns(t *testing.T) {
	const name = "failover-partition"
	sim := measureAll(name, simulate(t, name, shortFailover, 1, 2, 3, 4, 5, 6))
	for _, f := range Compare(name, sim, sim) {
		if !f.Verdict.Judged || !f.Verdict.Inside || !strings.HasPrefix(f.Verdict.Text, "inside") {
			t.Errorf("%s against itself: %+v", f.Name, f.Verdict)
		}
	}
	late := map[string]string{}
	for k, v := range shortFailover {
		late[k] = v
	}
	late["promote-after"] = "5s"
	live := measureAll(name, simulate(t, name, late, 7, 8))
	figs := Compare(name, sim, live)
	var fo *reports.CalibrationFigure
	for i := range figs {
		if figs[i].Name == failoverTime.Name {
			fo = &figs[i]
		}
	}
	if fo == nil {
		t.Fatal("no failover time figure")
	}
	if len(fo.Sim) != 6 || len(fo.Live) != 2 {
		t.Fatalf("failover time: %d simulated and %d live values, want 6 and 2", len(fo.Sim), len(fo.Live))
	}
	if !(fo.SimLow <= fo.SimMedian && fo.SimMedian <= fo.SimHigh) || fo.LiveValue <= fo.SimHigh {
		t.Fatalf("failover time: band %v-%v median %v, live %v", fo.SimLow, fo.SimHigh, fo.SimMedian, fo.LiveValue)
	}
	if fo.Verdict.Inside || !strings.Contains(fo.Verdict.Text, "above the band by") || !strings.Contains(fo.Verdict.Text, "0 of 2 live runs in the band") {
		t.Fatalf("failover time verdict: %+v", fo.Verdict)
	}
	if by := fo.LiveValue - fo.SimHigh; by < 2.9 || !strings.Contains(fo.Verdict.Text, reports.FormatFigure(reports.UnitSeconds, by)) {
		t.Fatalf("failover time: live %.3fs is %.3fs above the band's top (the promotion was 3s later): %s", fo.LiveValue, by, fo.Verdict.Text)
	}
}

// TestPercentile: the nearest-rank percentile of a sorted list.
func TestPercentile(t *testing.T) {
	vs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ p, want float64 }{{0.05, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.95, 10}, {1, 10}} {
		if got := reports.Percentile(vs, c.p); got != c.want {
			t.Errorf("Percentile(1..10, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(reports.Percentile(nil, 0.5)) {
		t.Error("the percentile of nothing must be NaN")
	}
}

// TestBinomialBand: the probabilities of k successes are the binomial
// coefficients over 2^n for a fair coin and sum to 1; the 5th and 95th
// percentile counts are where the cumulative sum first reaches them; a
// rate of 0 or 1 gives a band of one point.
func TestBinomialBand(t *testing.T) {
	pmf := binomial(5, 0.5)
	for k, c := range []float64{1, 5, 10, 10, 5, 1} {
		if math.Abs(pmf[k]-c/32) > 1e-12 {
			t.Errorf("P(%d of 5) = %v, want %v/32", k, pmf[k], c)
		}
	}
	// Cumulative: 1/32 < 0.05 <= 6/32; 26/32 < 0.95 <= 31/32.
	if lo, hi := quantileK(pmf, bandLow), quantileK(pmf, bandHigh); lo != 1 || hi != 4 {
		t.Errorf("band of Binomial(5, 0.5) = %d-%d, want 1-4", lo, hi)
	}
	for _, p := range []float64{0, 0.1, 0.37, 0.99, 1} {
		sum := 0.0
		for _, v := range binomial(10, p) {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("Binomial(10, %v) sums to %v", p, sum)
		}
	}
	if lo, hi := quantileK(binomial(5, 0), bandLow), quantileK(binomial(5, 0), bandHigh); lo != 0 || hi != 0 {
		t.Errorf("rate 0: band %d-%d, want 0-0", lo, hi)
	}
	if lo, hi := quantileK(binomial(5, 1), bandLow), quantileK(binomial(5, 1), bandHigh); lo != 5 || hi != 5 {
		t.Errorf("rate 1: band %d-%d, want 5-5", lo, hi)
	}
}

// TestRateVerdict: a check that violated in 1 of 10 simulated runs and in
// all 5 live runs is outside (at 10% the count of 5 runs lies in 0-2);
// one that violated in every simulated and live run is inside.
func TestRateVerdict(t *testing.T) {
	sim := make([]float64, 10)
	sim[3] = 1
	f := compare(violationShare("set"), sim, []float64{1, 1, 1, 1, 1})
	if f.Verdict.Inside || f.SimLow != 0 || f.SimHigh != 0.4 || f.LiveValue != 1 || !strings.Contains(f.Verdict.Text, "5 of 5 live runs violated") {
		t.Errorf("1 of 10 simulated, 5 of 5 live: band %v-%v live %v: %+v", f.SimLow, f.SimHigh, f.LiveValue, f.Verdict)
	}
	f = compare(violationShare("set"), []float64{1, 1, 1}, []float64{1, 1})
	if !f.Verdict.Inside || f.SimLow != 1 || f.SimHigh != 1 {
		t.Errorf("always violated: %+v", f)
	}
	f = compare(violationShare("set"), nil, []float64{1})
	if f.Verdict.Judged || f.Verdict.Text != "no simulated run has this figure" {
		t.Errorf("no simulated values: %+v", f.Verdict)
	}
}

// TestWriteCalibration: the files hold the comparison of real runs: the
// table's rows are the figures, the CSV has one row per figure with every
// run's value, the page has a plot per figure.
func TestWriteCalibration(t *testing.T) {
	const name = "failover-partition"
	sim := measureAll(name, simulate(t, name, shortFailover, 1, 2, 3, 4))
	live := measureAll(name, simulate(t, name, shortFailover, 5, 6))
	cal := &reports.Calibration{Scenario: name, Seeds: "1-4", SimRuns: len(sim), LiveRuns: len(live), Figures: Compare(name, sim, live),
		Command: "simulate calibrate failover-partition --live-runs 2 --seeds 1-4 --out x"}
	dir := t.TempDir()
	if err := reports.WriteCalibration(dir, cal); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, reports.CalibrationTableFile))
	page, _ := os.ReadFile(filepath.Join(dir, reports.CalibrationPageFile))
	f, err := os.Open(filepath.Join(dir, reports.CalibrationCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cal.Figures)+1 {
		t.Fatalf("calibration.csv has %d rows for %d figures", len(rows), len(cal.Figures))
	}
	for i, fig := range cal.Figures {
		row := rows[i+1]
		if row[0] != fig.Name || row[3] != strconv.Itoa(len(fig.Sim)) || row[7] != strconv.Itoa(len(fig.Live)) ||
			len(strings.Fields(row[12])) != len(fig.Live) || len(strings.Fields(row[13])) != len(fig.Sim) {
			t.Errorf("csv row %d %q does not match figure %s (%d simulated, %d live)", i+1, row, fig.Name, len(fig.Sim), len(fig.Live))
		}
		if !strings.Contains(string(md), "| "+fig.Name+" |") {
			t.Errorf("calibration.md has no row for %s", fig.Name)
		}
		if !strings.Contains(string(page), `id="figure-`+strconv.Itoa(i+1)+`"`) {
			t.Errorf("calibration.html has no plot for %s", fig.Name)
		}
	}
	if n := strings.Count(string(page), "<svg"); n != len(cal.Figures) {
		t.Errorf("calibration.html has %d plots for %d figures", n, len(cal.Figures))
	}
}

// TestParametersRecoverTheLatency: "live" runs that are simulated runs
// with a one-way latency of 100µs, against simulated runs at the default
// 400µs, make Parameters suggest about 100µs; a scenario without the
// parameter gets no suggestion, and one without an AOF is told that
// nothing takes the fsync time.
func TestParametersRecoverTheLatency(t *testing.T) {
	const name = "failover-partition"
	fast := map[string]string{"one-way-latency": "100us"}
	for k, v := range shortFailover {
		fast[k] = v
	}
	sim := measureAll(name, simulate(t, name, shortFailover, 1, 2, 3))
	live := measureAll(name, simulate(t, name, fast, 4, 5, 6))
	s, _ := builtin.Registry().Lookup(name)
	m := liveMachine()
	ps := Parameters(s, shortFailover, m, Compare(name, sim, live))
	if len(ps) != 4 || ps[0].Param != "one-way-latency" || ps[0].Current != "400us" {
		t.Fatalf("parameters: %+v", ps)
	}
	got, err := time.ParseDuration(strings.TrimPrefix(ps[0].Suggest, "--set one-way-latency="))
	if err != nil || got < 85*time.Microsecond || got > 115*time.Microsecond {
		t.Fatalf("suggested %q (%v) for runs at 100µs", ps[0].Suggest, err)
	}
	t.Logf("runs at 100µs against runs at 400µs: %s", ps[0].Suggest)
	if !strings.Contains(ps[2].How, "no AOF") || ps[2].Param != "" {
		t.Errorf("fsync row: %+v", ps[2])
	}
	other, _ := builtin.Registry().Lookup("standalone-crash")
	for _, p := range Parameters(other, nil, m, nil) {
		if p.Param != "" || p.Suggest != "" {
			t.Errorf("standalone-crash takes no one-way-latency, yet: %+v", p)
		}
	}
}

// liveMachine is a measurement as MeasureMachine makes one.
func liveMachine() live.Machine {
	return live.Machine{OneWayLatency: 9 * time.Microsecond, LatencyP5: 8 * time.Microsecond, LatencyP95: 12 * time.Microsecond, RoundTrips: 2000,
		Fsync: 300 * time.Microsecond, FsyncP95: 2 * time.Millisecond, Fsyncs: 200, TransferBytesPerSecond: 1 << 30, TransferBytes: 256 << 20}
}

// sentinel-partition's clients sit beside the nodes: live, on one
// loopback, they have no head start, so Parameters names the same-host
// latency it suggests for every link.
func TestParametersSameHostLatency(t *testing.T) {
	s, _ := builtin.Registry().Lookup("sentinel-partition")
	figs := []reports.CalibrationFigure{{Name: opLatency.Name, LiveValue: 250, SimMedian: 750}}
	var one, same reports.CalibrationParam
	for _, p := range Parameters(s, nil, liveMachine(), figs) {
		switch {
		case p.Param == "one-way-latency" && p.Suggest != "":
			one = p
		case p.Param == "same-host-latency":
			same = p
		}
	}
	if one.Suggest != "--set one-way-latency=133us" || same.Current != "10us" || same.Suggest != "--set same-host-latency=133us" {
		t.Fatalf("one-way %+v\nsame-host %+v", one, same)
	}
	if _, err := scenarios.Execute(s, scenarios.Options{Seed: 1, Set: map[string]string{"same-host-latency": "0s", "duration": "20s", "partition-at": "2s", "heal-at": "5s"}}); err == nil || !strings.Contains(err.Error(), "same-host-latency > 0") {
		t.Fatalf("same-host-latency=0s: %v", err)
	}
}
