package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/pingcap/failpoint"
)

var (
	testSiteA = DeclareSite("test/site-a", "fired by TestBuggify")
	testSiteB = DeclareSite("test/site-b", "pinned by TestBuggifyFailpoint")
)

func siteWorld(t testing.TB, seed uint64) (*World, func() Env) {
	w := NewWorld(seed)
	w.Trace().Keep(LevelDebug)
	h, _ := w.AddHost("n1", HostConfig{})
	var env Env
	p, _ := h.Spawn("n1", func(e Env) Node { env = e; return &recorder{log: new([]string)} })
	p.Start()
	return w, func() Env { return env }
}

// With buggify off a site never fires and the world has no sites.
func TestBuggifyOff(t *testing.T) {
	w, env := siteWorld(t, 1)
	for range 1000 {
		if testSiteA.Fire(env()) || testSiteA.FireIn(w, -1) {
			t.Fatal("a site fired with buggify off")
		}
	}
	if w.Sites() != nil || w.Buggify() {
		t.Errorf("Sites() = %v with buggify off", w.Sites())
	}
}

// A forced site fires every time, its first firing is one trace event,
// a dead incarnation's sites do not fire, and the counts are per world.
func TestBuggifyForced(t *testing.T) {
	w, env := siteWorld(t, 1)
	if err := w.ForceSite("test/site-a"); err != nil {
		t.Fatal(err)
	}
	e := env()
	e.After(time.Second, func() {
		for range 3 {
			if !testSiteA.Fire(e) {
				t.Error("a forced site did not fire")
			}
		}
		if d := testSiteA.Delay(e, time.Second); d < 100*time.Millisecond || d > time.Second {
			t.Errorf("Delay = %v, want within [100ms, 1s]", d)
		}
	})
	w.RunUntilIdle()
	w.Host("n1").Crash()
	if testSiteA.Fire(e) {
		t.Error("a dead incarnation's site fired")
	}
	w.CalmSites()
	if testSiteA.Fire(env()) {
		t.Error("a site fired after CalmSites")
	}
	got := w.Sites()
	if len(got) != 1 || got[0].Name != "test/site-a" || got[0].Fires != 3 || got[0].Percent != 100 || !got[0].Forced || got[0].First != 1e9 {
		t.Fatalf("Sites() = %+v", got)
	}
	var events []string
	for _, ev := range w.Trace().Events {
		if ev.Kind == KindSite {
			events = append(events, w.Trace().Format(&ev))
		}
	}
	if len(events) != 1 || events[0] != "1.000000s buggify n1 test/site-a" {
		t.Errorf("site events %q", events)
	}
	if s := SitesSummary(got); !strings.HasPrefix(s, "buggify: 1 of ") || !strings.HasSuffix(s, "sites active: test/site-a (100%, fired 3, pinned)") {
		t.Errorf("SitesSummary = %q", s)
	}
}

// Over many seeds about a quarter of the sites are active, each world's
// decisions depend on its seed only, and one site's draws do not depend on
// whether another site fired.
func TestBuggifyDraws(t *testing.T) {
	active := 0
	const seeds = 400
	for seed := uint64(1); seed <= seeds; seed++ {
		w, env := siteWorld(t, seed)
		if err := w.SetBuggify(true); err != nil {
			t.Fatal(err)
		}
		for _, h := range w.Sites() {
			if h.Name == "test/site-a" {
				active++
			}
		}
		// Firing B between A's draws leaves A's sequence unchanged.
		var a1, a2 []bool
		for range 50 {
			a1 = append(a1, testSiteA.Fire(env()))
		}
		w2, env2 := siteWorld(t, seed)
		_ = w2.SetBuggify(true)
		for range 50 {
			testSiteB.Fire(env2())
			a2 = append(a2, testSiteA.Fire(env2()))
		}
		if !slicesEqual(a1, a2) {
			t.Fatalf("seed %d: site A's firings depend on site B", seed)
		}
	}
	if active < seeds/8 || active > seeds*3/8 {
		t.Errorf("site active in %d of %d seeds, want about a quarter", active, seeds)
	}
}

func slicesEqual(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A failpoint pins a site: return(true) active, return(false) inactive,
// and any other term is refused with a message naming the site.
func TestBuggifyFailpoint(t *testing.T) {
	path := SitePath("test/site-b")
	defer func() { _ = failpoint.Disable(path) }()
	for seed := uint64(1); seed <= 20; seed++ {
		for _, term := range []string{"return(true)", "return(false)"} {
			if err := failpoint.Enable(path, term); err != nil {
				t.Fatal(err)
			}
			w := NewWorld(seed)
			if err := w.SetBuggify(true); err != nil {
				t.Fatal(err)
			}
			on := false
			for _, h := range w.Sites() {
				on = on || h.Name == "test/site-b" && h.Forced
			}
			if on != (term == "return(true)") {
				t.Fatalf("seed %d %s: site active = %v", seed, term, on)
			}
		}
	}
	if err := failpoint.Enable(path, "10%return(true)"); err != nil {
		t.Fatal(err)
	}
	err := NewWorld(1).SetBuggify(true)
	if err == nil || !strings.Contains(err.Error(), "test/site-b") || !strings.Contains(err.Error(), "return(false)") {
		t.Errorf("a probability term gave %v", err)
	}
}

// A slow fsync completes later when the site fires, on time when not.
func TestSiteFsyncSlow(t *testing.T) {
	for _, force := range []bool{false, true} {
		w, env := siteWorld(t, 1)
		if force {
			if err := w.ForceSite("disk/fsync-slow"); err != nil {
				t.Fatal(err)
			}
		}
		e := env()
		var at time.Duration
		_ = e.Disk().Write("f", []byte("x"))
		e.Disk().Sync("f", func(error) { at = e.Mono() })
		w.RunUntilIdle()
		if slow := at >= 100*time.Millisecond; slow != force {
			t.Errorf("forced=%v: fsync done at %v", force, at)
		}
	}
}

//go:noinline
func emptySite(Env) bool { return false }

// The cost of a site with buggify off, against a call that does nothing.
func BenchmarkSiteOff(b *testing.B) {
	_, env := siteWorld(b, 1)
	e := env()
	n := 0
	for b.Loop() {
		if testSiteA.Fire(e) {
			n++
		}
	}
	if n != 0 {
		b.Fatal("fired")
	}
}

// BenchmarkSiteNone is the baseline of BenchmarkSiteOff: an empty function
// kept out of line.
func BenchmarkSiteNone(b *testing.B) {
	_, env := siteWorld(b, 1)
	e := env()
	f := emptySite
	n := 0
	for b.Loop() {
		if f(e) {
			n++
		}
	}
	if n != 0 {
		b.Fatal("fired")
	}
}

// The cost of an active site's draw with buggify on.
func BenchmarkSiteOn(b *testing.B) {
	w, env := siteWorld(b, 1)
	_ = w.ForceSite("test/site-b") // turns buggify on, only site B active
	w.buggify.sites[testSiteA.id-1].active, w.buggify.sites[testSiteA.id-1].percent = true, 1
	e := env()
	for b.Loop() {
		testSiteA.Fire(e)
	}
}
