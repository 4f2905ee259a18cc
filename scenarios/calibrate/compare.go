package calibrate

import (
	"fmt"
	"math"
	"slices"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
)

// Band percentiles: a figure is inside when the live value lies between
// the 5th and the 95th percentile of the simulated distribution.
const (
	bandLow  = 0.05
	bandHigh = 0.95
)

// Measured is what one run yielded: each figure's value by name (a
// figure the run lacks is absent), and the checks it ran, in order.
type Measured struct {
	Values map[string]float64
	Checks []string
}

// MeasureRun measures every figure of the scenario called name on r, and
// one violation share per check r ran. It reads r's history, so it runs
// while the result still has it.
func MeasureRun(name string, r *scenarios.Result) Measured {
	m := Measured{Values: map[string]float64{}}
	figs := Figures(name)
	for _, v := range r.Verdicts {
		m.Checks = append(m.Checks, v.Checker)
		figs = append(figs, violationShare(v.Checker))
	}
	for _, f := range figs {
		if v, ok := f.Measure(r); ok && !math.IsNaN(v) {
			m.Values[f.Name] = v
		}
	}
	return m
}

// Compare judges every figure of the scenario called name, and the
// violation share of every check any run ran (in the order they first
// appear, live runs first), on the simulated and live runs' values.
//
// For an ordinary figure the band is the simulated values' 5th-95th
// percentile (nearest rank) and the live value is the live runs' median.
// For a Rate (1 when a check found a violation, else 0) each run is a coin
// flip: with the simulated share p, the number of the n live runs that
// violate is Binomial(n, p), and the band is that count's 5th-95th
// percentile over n; the live value is the live share.
func Compare(name string, sim, live []Measured) []reports.CalibrationFigure {
	figs := Figures(name)
	var checks []string
	for _, ms := range [][]Measured{live, sim} {
		for _, m := range ms {
			for _, c := range m.Checks {
				if !slices.Contains(checks, c) {
					checks = append(checks, c)
				}
			}
		}
	}
	for _, c := range checks {
		figs = append(figs, violationShare(c))
	}
	out := make([]reports.CalibrationFigure, len(figs))
	for i, f := range figs {
		out[i] = compare(f, values(f.Name, sim), values(f.Name, live))
	}
	return out
}

// compare judges one figure on its simulated and live values.
func compare(f Figure, sim, live []float64) reports.CalibrationFigure {
	out := reports.CalibrationFigure{Name: f.Name, Unit: f.Unit, Doc: f.Doc, Rate: f.Rate, Sim: sim, Live: live,
		SimMedian: math.NaN(), SimLow: math.NaN(), SimHigh: math.NaN(), LiveValue: math.NaN()}
	if f.Rate {
		compareRate(&out)
	} else {
		compareValues(&out)
	}
	return out
}

func values(name string, ms []Measured) []float64 {
	var out []float64
	for _, m := range ms {
		if v, ok := m.Values[name]; ok {
			out = append(out, v)
		}
	}
	return out
}

func compareValues(out *reports.CalibrationFigure) {
	sim := slices.Sorted(slices.Values(out.Sim))
	live := slices.Sorted(slices.Values(out.Live))
	if len(sim) > 0 {
		out.SimMedian, out.SimLow, out.SimHigh = reports.Percentile(sim, 0.5), reports.Percentile(sim, bandLow), reports.Percentile(sim, bandHigh)
	}
	if len(live) > 0 {
		out.LiveValue = reports.Percentile(live, 0.5)
	}
	if !judgeable(out) {
		return
	}
	in := 0
	for _, v := range live {
		if v >= out.SimLow && v <= out.SimHigh {
			in++
		}
	}
	runs := fmt.Sprintf("%d of %d live runs in the band", in, len(live))
	out.Verdict = verdict(out, out.LiveValue, runs)
}

func compareRate(out *reports.CalibrationFigure) {
	n := len(out.Live)
	if len(out.Sim) > 0 {
		p := share(out.Sim)
		out.SimMedian = p
		if n > 0 {
			out.Expected = binomial(n, p)
			out.SimLow = float64(quantileK(out.Expected, bandLow)) / float64(n)
			out.SimHigh = float64(quantileK(out.Expected, bandHigh)) / float64(n)
		}
	}
	if n > 0 {
		out.LiveValue = share(out.Live)
	}
	if !judgeable(out) {
		return
	}
	k := int(math.Round(out.LiveValue * float64(n)))
	runs := fmt.Sprintf("%d of %d live runs violated; %d to %d expected at the simulated rate", k, n,
		int(math.Round(out.SimLow*float64(n))), int(math.Round(out.SimHigh*float64(n))))
	out.Verdict = verdict(out, out.LiveValue, runs)
}

// judgeable says whether both sides have the figure, and says so in the
// verdict when not.
func judgeable(out *reports.CalibrationFigure) bool {
	switch {
	case len(out.Sim) == 0 && len(out.Live) == 0:
		out.Verdict.Text = "no run has this figure"
	case len(out.Sim) == 0:
		out.Verdict.Text = "no simulated run has this figure"
	case len(out.Live) == 0:
		out.Verdict.Text = "no live run has this figure"
	default:
		return true
	}
	return false
}

// verdict places v against the band: inside, or above or below it by how
// much, also in band widths when the band has one.
func verdict(f *reports.CalibrationFigure, v float64, runs string) reports.CalibrationVerdict {
	unit := f.Unit
	if f.Rate {
		unit = reports.UnitFraction
	}
	out := reports.CalibrationVerdict{Judged: true}
	var side string
	var by float64
	switch {
	case v < f.SimLow:
		side, by = "below", f.SimLow-v
	case v > f.SimHigh:
		side, by = "above", v-f.SimHigh
	default:
		out.Inside = true
		out.Text = "inside (" + runs + ")"
		return out
	}
	out.Text = fmt.Sprintf("outside: %s the band by %s", side, reports.FormatFigure(unit, by))
	if w := f.SimHigh - f.SimLow; w > 0 {
		out.Text += fmt.Sprintf(" (%.1f band widths)", by/w)
	}
	out.Text += " (" + runs + ")"
	return out
}

// share is the mean of 0/1 values.
func share(vs []float64) float64 {
	k := 0
	for _, v := range vs {
		if v != 0 {
			k++
		}
	}
	return float64(k) / float64(len(vs))
}

// binomial is the probability of k successes in n trials of probability
// p, for k = 0..n.
func binomial(n int, p float64) []float64 {
	out := make([]float64, n+1)
	for k := range out {
		lg, _ := math.Lgamma(float64(n + 1))
		lk, _ := math.Lgamma(float64(k + 1))
		lnk, _ := math.Lgamma(float64(n - k + 1))
		var lp float64
		switch {
		case p == 0:
			if k == 0 {
				out[k] = 1
			}
			continue
		case p == 1:
			if k == n {
				out[k] = 1
			}
			continue
		default:
			lp = float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
		}
		out[k] = math.Exp(lg - lk - lnk + lp)
	}
	return out
}

// quantileK is the smallest k whose cumulative probability reaches q.
func quantileK(pmf []float64, q float64) int {
	c := 0.0
	for k, pr := range pmf {
		c += pr
		// A hair of slack, so that rounding in the sum does not push an
		// exact boundary (a cumulative 0.05) one count up.
		if c >= q-1e-12 {
			return k
		}
	}
	return len(pmf) - 1
}
