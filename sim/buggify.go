package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/pingcap/failpoint"

	"github.com/redsim/redsim/clock"
)

// A Site is an in-code fault site, FoundationDB's BUGGIFY: a named place in
// a node (or in the network or disk) where Redis can legally behave in a
// rare way (a short write, a late ACK, a slow fsync) and the simulator makes
// it do so now and then, to push runs down paths that faults from outside
// seldom reach.
//
// Sites are off unless the world has buggify on (World.SetBuggify). Then each
// site is, for the whole run, active with probability 1/4 and, when active,
// fires with one probability of siteFireRates; both draws, and every firing
// draw after them, come from the site's own stream ("buggify/<name>"), so
// that sites never move each other's draws nor any other draw of the world.
// A failpoint at the site's path (SitePath) overrides the activation:
// return(true) forces the site active, return(false) inactive; failpoint's
// probability, sleep and pause terms are refused, being no seed's.
//
// Sites are declared once, at package initialization, with DeclareSite, so
// that every site can be listed (simulate list --sites).
type Site struct{ id int }

// SiteInfo describes a declared site.
type SiteInfo struct {
	// Name is "area/what", unique: "repl/ack-late".
	Name string
	// Doc says in one line what rare but legal behaviour the site injects.
	Doc string
}

// SiteHit is one active site of a world: how likely it was to fire, how
// often it did and when first.
type SiteHit struct {
	Name string `json:"name"`
	// Percent is the firing probability drawn for the run, in percent.
	Percent int `json:"percent"`
	// Forced is set when a failpoint, not the draw, made the site active.
	Forced bool       `json:"forced,omitempty"`
	Fires  int        `json:"fires"`
	First  clock.Time `json:"first_ns,omitempty"`
}

// SitePathPrefix is the failpoint path of a site without its name.
const SitePathPrefix = "github.com/redsim/redsim/sim/buggify/"

// SitePath is the failpoint path that pins the named site.
func SitePath(name string) string { return SitePathPrefix + name }

// siteFireRates are the firing probabilities, in percent, an active site
// draws from.
var siteFireRates = [...]int{1, 5, 25, 50}

// sitesDeclared is written by DeclareSite during package initialization
// only (one goroutine, a fixed order), then read.
var sitesDeclared []SiteInfo

// DeclareSite declares a fault site; it panics on a name declared twice or
// without its area, a programming error found at startup.
func DeclareSite(name, doc string) Site {
	if !strings.Contains(name, "/") || doc == "" {
		panic("sim: site " + name + " needs an area/ prefix and a doc line")
	}
	for _, d := range sitesDeclared {
		if d.Name == name {
			panic("sim: site " + name + " declared twice")
		}
	}
	sitesDeclared = append(sitesDeclared, SiteInfo{Name: name, Doc: doc})
	return Site{id: len(sitesDeclared)}
}

// DeclaredSites returns every declared site, sorted by name.
func DeclaredSites() []SiteInfo {
	out := slices.Clone(sitesDeclared)
	slices.SortFunc(out, func(a, b SiteInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// siteState is one site's decision for one world.
type siteState struct {
	active, forced bool
	percent        int
	fires          int
	first          clock.Time
	rng            *rand.Rand
}

// buggifyState is a world's sites, by site id - 1.
type buggifyState struct {
	sites []siteState
	// calm is set when the run's faults stopped (CalmSites): no site
	// fires any more.
	calm bool
}

// SetBuggify turns the world's fault sites on or off; call it before the
// world runs. Turning them on decides every declared site for the run. The
// error names a site pinned by a failpoint term other than return(true) or
// return(false).
func (w *World) SetBuggify(on bool) error {
	if !on {
		w.buggify = nil
		return nil
	}
	b := &buggifyState{sites: make([]siteState, len(sitesDeclared))}
	var errs []error
	for i, info := range sitesDeclared {
		st := &b.sites[i]
		st.rng = w.Stream("buggify/" + info.Name)
		// Both draws happen whatever the failpoint says, so that pinning
		// one site leaves its firing draws as they were.
		st.active = st.rng.IntN(4) == 0
		st.percent = siteFireRates[st.rng.IntN(len(siteFireRates))]
		forced, active, err := pinned(info.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if forced {
			st.active, st.forced = active, true
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	w.buggify = b
	return nil
}

// CalmSites stops every site from firing for the rest of the run, as
// faults stop before a liveness phase (a nemesis's heal-all); what they
// did stays recorded.
func (w *World) CalmSites() {
	if w.buggify != nil {
		w.buggify.calm = true
	}
}

// Buggify reports whether the world's fault sites are on.
func (w *World) Buggify() bool { return w.buggify != nil }

// pinned reads the failpoint at the named site's path: whether one is
// set, and whether it makes the site active.
func pinned(name string) (forced, active bool, err error) {
	term, err := failpoint.Status(SitePath(name))
	if err != nil {
		return false, false, nil // not set (or disabled): the draw decides
	}
	switch term {
	case "return(true)":
		return true, true, nil
	case "return(false)":
		return true, false, nil
	}
	return false, false, fmt.Errorf("buggify site %s: failpoint %s=%q is not allowed; use return(true) to force the site active or return(false) to force it inactive (probability, sleep and pause terms are not the seed's)", name, SitePath(name), term)
}

// ForceSite makes the named site active and firing every time it is
// reached, turning buggify on if it was off: for tests that need a site's
// behaviour to happen.
func (w *World) ForceSite(name string) error {
	i := slices.IndexFunc(sitesDeclared, func(d SiteInfo) bool { return d.Name == name })
	if i < 0 {
		return fmt.Errorf("buggify site %q is not declared", name)
	}
	if w.buggify == nil {
		if err := w.SetBuggify(true); err != nil {
			return err
		}
		for j := range w.buggify.sites {
			w.buggify.sites[j].active = false
		}
	}
	st := &w.buggify.sites[i]
	st.active, st.forced, st.percent = true, true, 100
	return nil
}

// Fire reports whether the site fires now for env's process. With buggify
// off, or outside the simulator, it costs a type check, a load and a
// branch, and is false.
func (s Site) Fire(env Env) bool {
	e, ok := env.(*simEnv)
	return ok && e.p.w.buggify != nil && e.fire(s)
}

// fire is Fire's slow path, kept out of line so that Fire inlines.
func (e *simEnv) fire(s Site) bool { return e.p.w.fire(s, e.p.id, e.live()) }

// FireIn is Fire for code that runs on the world rather than in a process
// (the network, the disk); proc names the process it acts for, or -1.
func (s Site) FireIn(w *World, proc int32) bool {
	if w.buggify == nil {
		return false
	}
	return w.fire(s, proc, true)
}

// Delay is the extra time a site that fired adds: uniform in
// [max/10, max], drawn from the site's own stream. Call it only after Fire
// returned true.
func (s Site) Delay(env Env, max time.Duration) time.Duration {
	if e, ok := env.(*simEnv); ok {
		return s.DelayIn(e.p.w, max)
	}
	return 0
}

// DelayIn is Delay for code that runs on the world.
func (s Site) DelayIn(w *World, max time.Duration) time.Duration {
	if w.buggify == nil || s.id <= 0 || max <= 0 {
		return 0
	}
	lo := max / 10
	return lo + time.Duration(w.buggify.sites[s.id-1].rng.Int64N(int64(max-lo)+1))
}

// IntnIn is a draw in [0, n) from the site's own stream, for the shape of
// what a site that fired does (where a write is cut); 0 with buggify off.
func (s Site) IntnIn(w *World, n int) int {
	if w.buggify == nil || s.id <= 0 || n <= 1 {
		return 0
	}
	return w.buggify.sites[s.id-1].rng.IntN(n)
}

// fire is the slow path of Fire: the site's firing draw and its record.
func (w *World) fire(s Site, proc int32, live bool) bool {
	if s.id <= 0 || !live || w.buggify.calm {
		return false
	}
	st := &w.buggify.sites[s.id-1]
	if !st.active || st.rng.IntN(100) >= st.percent {
		return false
	}
	if st.fires == 0 {
		st.first = w.now
		w.trace.Add(Event{At: w.now, Kind: KindSite, Level: LevelFault, Proc: proc, Text: sitesDeclared[s.id-1].Name})
	}
	st.fires++
	return true
}

// Sites returns the world's active sites, sorted by name; nil with buggify
// off.
func (w *World) Sites() []SiteHit {
	if w.buggify == nil {
		return nil
	}
	out := []SiteHit{}
	for i, st := range w.buggify.sites {
		if st.active {
			out = append(out, SiteHit{Name: sitesDeclared[i].Name, Percent: st.percent, Forced: st.forced, Fires: st.fires, First: st.first})
		}
	}
	slices.SortFunc(out, func(a, b SiteHit) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// SitesSummary is one line on a run's sites: "buggify: 3 of 12 sites
// active: repl/ack-late (25%, fired 4), ...", a site a failpoint pinned
// said so.
func SitesSummary(active []SiteHit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "buggify: %d of %d sites active", len(active), len(sitesDeclared))
	for i, h := range active {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		pinned := ""
		if h.Forced {
			pinned = ", pinned"
		}
		fmt.Fprintf(&b, "%s (%d%%, fired %d%s)", h.Name, h.Percent, h.Fires, pinned)
	}
	return b.String()
}
