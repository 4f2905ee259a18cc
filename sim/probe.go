package sim

import (
	"slices"
	"strings"

	"github.com/redsim/redsim/clock"
)

// A Probe is a coverage probe: a named rare state of a node's code (a
// partial resync after the backlog wrapped, a failover that aborts, a
// TILT), a "sometimes" assertion in the sense of Antithesis and
// FoundationDB's TEST macros. Reaching it changes nothing in the run but
// the trace: the first time a world reaches a probe, a probe event names
// it, and World.Probes counts every hit. A sweep then says which probes
// its seeds reached, and which none did: what it did not test.
//
// Probes are declared once, at package initialization, with DeclareProbe,
// so that the probes no run reached can be listed too.
type Probe struct{ id int }

// ProbeInfo describes a declared probe.
type ProbeInfo struct {
	// Name is "area/what", unique: "repl/partial-resync-after-wrap".
	Name string
	// Doc says in one line what reaching it means.
	Doc string
}

// ProbeHit is how often one world reached one probe, and when first.
type ProbeHit struct {
	Name  string     `json:"name"`
	Count int        `json:"count"`
	First clock.Time `json:"first_ns"`
}

// declared is written by DeclareProbe during package initialization only
// (one goroutine, a fixed order), then read.
var declared []ProbeInfo

// DeclareProbe declares a probe; it panics on a name declared twice or
// without its area, a programming error found at startup.
func DeclareProbe(name, doc string) Probe {
	if !strings.Contains(name, "/") || doc == "" {
		panic("sim: probe " + name + " needs an area/ prefix and a doc line")
	}
	for _, d := range declared {
		if d.Name == name {
			panic("sim: probe " + name + " declared twice")
		}
	}
	declared = append(declared, ProbeInfo{Name: name, Doc: doc})
	return Probe{id: len(declared)}
}

// DeclaredProbes returns every declared probe, sorted by name.
func DeclaredProbes() []ProbeInfo {
	out := slices.Clone(declared)
	slices.SortFunc(out, func(a, b ProbeInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// prober is the Env side of Reach: the simulated Env records hits, a real
// one (serve) ignores them.
type prober interface{ reach(p Probe) }

// Reach records that env's process reached p. It costs a type assertion
// when env is not simulated, and a slice index when it is.
func (p Probe) Reach(env Env) {
	if pr, ok := env.(prober); ok && p.id > 0 {
		pr.reach(p)
	}
}

func (e *simEnv) reach(p Probe) {
	if !e.live() {
		return
	}
	w := e.p.w
	if len(w.probes) < len(declared) {
		w.probes = append(w.probes, make([]ProbeHit, len(declared)-len(w.probes))...)
	}
	h := &w.probes[p.id-1]
	if h.Count == 0 {
		h.First = w.now
		w.trace.Add(Event{At: w.now, Kind: KindProbe, Level: LevelInfo, Proc: e.p.id, Text: declared[p.id-1].Name})
	}
	h.Count++
}

// Probes returns the probes this world has reached, sorted by name.
func (w *World) Probes() []ProbeHit {
	var out []ProbeHit
	for i, h := range w.probes {
		if h.Count > 0 {
			h.Name = declared[i].Name
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b ProbeHit) int { return strings.Compare(a.Name, b.Name) })
	return out
}
