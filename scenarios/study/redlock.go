package study

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
)

// cell is one point of the grid: a scenario with settings.
type cell struct {
	scenario string
	set      map[string]string
	plot     string
	series   string
	x        float64
}

// ttl is the Redlock scenarios' default TTL, the unit of the x axes.
const ttl = time.Second

func setting(set map[string]string) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + set[k]
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, " ")
}

// redlockGrid is the Redlock study's grid.
func redlockGrid() []cell {
	var g []cell
	g = append(g, cell{scenario: "redlock-quiet", set: map[string]string{}})
	for _, fenced := range []string{"false", "true"} {
		series := "unfenced resource"
		if fenced == "true" {
			series = "fenced resource"
		}
		for _, f := range []float64{0.25, 0.5, 0.9, 1.1, 1.5, 2, 3} {
			pause := time.Duration(f * float64(ttl))
			g = append(g, cell{scenario: "redlock-pause", set: map[string]string{"pause": pause.String(), "fenced": fenced}, plot: "pause", series: series, x: f})
		}
	}
	for _, ec := range []string{"wall", "mono"} {
		for _, f := range []float64{0.5, 2, 5} {
			g = append(g, cell{scenario: "redlock-clock-jump", set: map[string]string{"expire-clock": ec, "jump": time.Duration(f * float64(ttl)).String()}})
		}
	}
	for _, f := range []float64{0, 0.5, 1, 1.5, 2} {
		d := time.Duration(f * float64(ttl)).String()
		g = append(g, cell{scenario: "redlock-crash-restart", set: map[string]string{"restart-delay": d}, plot: "restart", series: "no persistence", x: f})
	}
	g = append(g, cell{scenario: "redlock-crash-restart", set: map[string]string{"appendfsync": "always"}, plot: "restart", series: "appendfsync always", x: 0})
	g = append(g, cell{scenario: "redlock-crash-restart", set: map[string]string{"appendfsync": "everysec"}})
	for _, skip := range []string{"false", "true"} {
		for _, f := range []float64{0, 0.3, 0.45, 0.6} {
			g = append(g, cell{scenario: "redlock-slow-network", set: map[string]string{"latency": time.Duration(f * float64(ttl)).String(), "skip-validity": skip}})
		}
	}
	for _, ppm := range []int{0, 5000, 10000, 20000, 50000, 100000} {
		g = append(g, cell{scenario: "redlock-drift", set: map[string]string{"drift-ppm": strconv.Itoa(ppm)}, plot: "drift", series: "drift factor 0.01", x: float64(ppm) / 10000})
	}
	return g
}

// Redlock runs the Redlock study: every cell of the grid over seeds 1..n,
// jobs worlds at a time; progress, if set, gets a line per finished cell.
func Redlock(ctx context.Context, reg *scenarios.Registry, seeds, jobs int, progress func(string)) (*reports.Study, error) {
	start := time.Now()
	st := &reports.Study{
		Name: "redlock", Seeds: seeds,
		Command: fmt.Sprintf("simulate study redlock --seeds %d", seeds),
		Plots: []reports.StudyPlot{
			{ID: "pause", Title: "Client pause after acquiring", XLabel: "pause / TTL"},
			{ID: "drift", Title: "Masters' clock drift", XLabel: "drift / drift factor"},
			{ID: "restart", Title: "Crashed master's restart delay", XLabel: "restart delay / TTL"},
		},
	}
	list := make([]uint64, seeds)
	for i := range list {
		list[i] = uint64(i + 1)
	}
	for _, c := range redlockGrid() {
		s, err := reg.Lookup(c.scenario)
		if err != nil {
			return nil, err
		}
		var firstBad uint64
		sum, err := sweep.Run(ctx, sweep.Config{Scenario: s, Seeds: list, Set: c.set, Jobs: jobs, OnResult: func(e sweep.Entry) {
			if e.Status() == sweep.Fail && firstBad == 0 { // a violation: an UNKNOWN seed is not one
				firstBad = e.Seed
			}
		}})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.scenario, setting(c.set), err)
		}
		if sum.Errored > 0 {
			return nil, fmt.Errorf("%s %s: %d seeds failed to run", c.scenario, setting(c.set), sum.Errored)
		}
		sc := reports.StudyCell{Case: c.scenario, Setting: setting(c.set), Series: c.series, Plot: c.plot, X: c.x,
			Runs: len(sum.Entries), Violations: sum.Failed}
		if firstBad != 0 {
			sc.Replay = replay(c.scenario, firstBad, c.set)
		}
		st.Cells = append(st.Cells, sc)
		if progress != nil {
			progress(fmt.Sprintf("%-22s %-40s %3d/%d unsafe", c.scenario, sc.Setting, sc.Violations, sc.Runs))
		}
	}
	st.Cases = redlockCases(reg, st.Cells)
	st.Wall = time.Since(start)
	return st, nil
}

func replay(scenario string, seed uint64, set map[string]string) string {
	cmd := fmt.Sprintf("simulate run %s --seed %d", scenario, seed)
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd += " --set " + k + "=" + set[k]
	}
	return cmd
}

// rate finds a cell's violation rate as "k of n (p%)".
func rate(cells []reports.StudyCell, scenario, set string) string {
	for _, c := range cells {
		if c.Case == scenario && c.Setting == set {
			return fmt.Sprintf("%d of %d runs (%.0f%%)", c.Violations, c.Runs, 100*float64(c.Violations)/float64(max(c.Runs, 1)))
		}
	}
	return "not measured"
}

// redlockCases writes one paragraph per case from the measured rates.
func redlockCases(reg *scenarios.Registry, cells []reports.StudyCell) []reports.StudyCase {
	title := func(name string) string {
		if s, err := reg.Lookup(name); err == nil {
			return name + ": " + s.Summary
		}
		return name
	}
	return []reports.StudyCase{
		{Name: "redlock-quiet", Title: title("redlock-quiet"), Paragraph: "Five clients contend for one lock on five masters with no fault at all. Violations: " +
			rate(cells, "redlock-quiet", "defaults") + ". This is the control: the checkers and the simulated Redis raise no false alarm."},
		{Name: "redlock-pause", Title: title("redlock-pause"), Paragraph: "Kleppmann's first case. Client 0 stops (a GC pause) after its last validity check and writes when it resumes. A pause shorter than the validity is harmless (0.5×TTL: " +
			rate(cells, "redlock-pause", "fenced=false pause=500ms") + "); once it outlasts the validity another client acquires the lock and the stale write lands after its writes (1.5×TTL: " +
			rate(cells, "redlock-pause", "fenced=false pause=1.5s") + "). No Redlock parameter helps: the client cannot know it was paused. A fencing token checked by the resource makes the same runs safe (1.5×TTL fenced: " +
			rate(cells, "redlock-pause", "fenced=true pause=1.5s") + ")."},
		{Name: "redlock-clock-jump", Title: title("redlock-clock-jump"), Paragraph: "Kleppmann's second case. The two clients reach different majorities that share only n3; n3's wall clock jumps forward. Redis expires keys on the wall clock, so a jump frees n3 early and the second client gets a majority while the first still holds it (jump 2×TTL, wall clock: " +
			rate(cells, "redlock-clock-jump", "expire-clock=wall jump=2s") + "); even half a TTL is enough here, because the holder keeps the lock for most of its validity (" +
			rate(cells, "redlock-clock-jump", "expire-clock=wall jump=500ms") + "). Expiring keys on the monotonic clock, as antirez proposes, removes the problem (same jumps: " +
			rate(cells, "redlock-clock-jump", "expire-clock=mono jump=2s") + ")."},
		{Name: "redlock-crash-restart", Title: title("redlock-crash-restart"), Paragraph: "antirez's own caveat. n3, shared by both clients' majorities, crashes and restarts empty: restarted at once without persistence it grants the lock again (" +
			rate(cells, "redlock-crash-restart", "restart-delay=0s") + "). With appendfsync always the key survives the crash (" +
			rate(cells, "redlock-crash-restart", "appendfsync=always") + "); with everysec the last second may be lost (" +
			rate(cells, "redlock-crash-restart", "appendfsync=everysec") + "); a restart delayed longer than the TTL is safe without persistence (2×TTL: " +
			rate(cells, "redlock-crash-restart", "restart-delay=2s") + ")."},
		{Name: "redlock-slow-network", Title: title("redlock-slow-network"), Paragraph: "Client 0's network to the masters is slow; it works for most of the TTL, against one other client. The algorithm's validity counts from when client 0 asked, so it refuses a lock whose acquisition ate the TTL and does not write once the validity is spent: safe (latency 0.3×TTL each way: " +
			rate(cells, "redlock-slow-network", "latency=300ms skip-validity=false") + ", 0.6×TTL: " +
			rate(cells, "redlock-slow-network", "latency=600ms skip-validity=false") + "). A client that counts it from when the replies came (skip-validity) believes in the lock a round trip's worth after the masters let it go: unsafe (0.3×TTL: " +
			rate(cells, "redlock-slow-network", "latency=300ms skip-validity=true") + ", 0.6×TTL: " +
			rate(cells, "redlock-slow-network", "latency=600ms skip-validity=true") + "), where the same client on a fast network is not (" +
			rate(cells, "redlock-slow-network", "latency=0s skip-validity=true") + ")."},
		{Name: "redlock-drift", Title: title("redlock-drift"), Paragraph: "The masters' clocks run fast, so keys expire early in true time while the client still counts on its validity. Within the drift factor (1% of the TTL, here 10,000 ppm) the margin absorbs it (0.5×: " +
			rate(cells, "redlock-drift", "drift-ppm=5000") + "); well above it the lock is held twice (5×: " +
			rate(cells, "redlock-drift", "drift-ppm=50000") + ", 10×: " + rate(cells, "redlock-drift", "drift-ppm=100000") + ")."},
	}
}
