package builtin

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pingcap/failpoint"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/sim"
)

// The safe scenarios stay safe with the fault sites on (and swarm
// profiles): every site is something Redis can legally do, so a
// violation here is a site that is not, or a bug.
func TestBuggifySafeScenariosPass(t *testing.T) {
	// Parallel tests start once every sequential one has ended, so this
	// one never overlaps TestBuggifyFailpointPin, whose failpoint holds
	// for the whole process.
	t.Parallel()
	seeds := uint64(30)
	if testing.Short() {
		seeds = 8
	}
	for _, c := range []struct {
		name string
		set  map[string]string
	}{
		{"linearizable-master", nil},
		{"redlock-quiet", nil},
		{"standalone-crash", map[string]string{"appendfsync": "always"}},
	} {
		s, err := Registry().Lookup(c.name)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]string{"buggify": "on", "swarm": "on"}
		for k, v := range c.set {
			set[k] = v
		}
		fired := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			res, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatalf("%s seed %d: %v", c.name, seed, err)
			}
			if !res.Passed() {
				t.Errorf("%s seed %d with buggify on: %s\n%+v\n%s", c.name, seed, res.StatusLine(), res.Verdicts, res.Replay())
			}
			for _, h := range res.Sites {
				fired += h.Fires
			}
		}
		if fired == 0 {
			t.Errorf("%s: no site fired in %d seeds", c.name, seeds)
		}
	}
}

// With buggify on a seed is still one world: two runs give one hash. The
// run records its active sites in the result, its params (so that Replay
// gives --set buggify=on) and its facts.
func TestBuggifyDeterministicAndRecorded(t *testing.T) {
	// Parallel tests start once every sequential one has ended, so this
	// one never overlaps TestBuggifyFailpointPin, whose failpoint holds
	// for the whole process.
	t.Parallel()
	// The 300-seed form is a command: sweep replication --seeds 1-300
	// --set buggify=on --set swarm=on --check-determinism.
	seeds, names := uint64(5), []string{"replication", "sentinel-failover"}
	if testing.Short() {
		seeds, names = 2, names[:1]
	}
	for _, name := range names {
		s, err := Registry().Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]string{"buggify": "on", "swarm": "on"}
		for seed := uint64(1); seed <= seeds; seed++ {
			a, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			b, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			if a.Hash != b.Hash || a.Events != b.Events || fmt.Sprint(a.Sites) != fmt.Sprint(b.Sites) {
				t.Fatalf("%s seed %d: hash %s then %s, sites %v then %v", name, seed, a.Hash, b.Hash, a.Sites, b.Sites)
			}
			if a.Params["buggify"] != "on" || !strings.Contains(a.Replay(), "--set buggify=on") {
				t.Errorf("%s seed %d: params %v, replay %q", name, seed, a.Params, a.Replay())
			}
			if !slices.Contains(a.Facts, sim.SitesSummary(a.Sites)) {
				t.Errorf("%s seed %d: the sites are not among the facts: %q", name, seed, a.Facts)
			}
		}
	}
}

// buggify=off changes nothing: the hash equals the run without the
// setting, and the result names no site.
func TestBuggifyOffChangesNothing(t *testing.T) {
	// Parallel tests start once every sequential one has ended, so this
	// one never overlaps TestBuggifyFailpointPin, whose failpoint holds
	// for the whole process.
	t.Parallel()
	s, _ := Registry().Lookup("replication")
	seeds := uint64(3)
	if testing.Short() {
		seeds = 1 // what the setting does is the same in every seed
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		a, err := scenarios.Execute(s, scenarios.Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		b, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: map[string]string{"buggify": "off"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Hash != b.Hash || a.Sites != nil || b.Sites != nil || b.Params["buggify"] != "" {
			t.Fatalf("seed %d: hashes %s %s, sites %v %v", seed, a.Hash, b.Hash, a.Sites, b.Sites)
		}
	}
}

// A failpoint pins a site for every run with buggify on; a term other
// than return(true) or return(false) is a usage error naming the site.
func TestBuggifyFailpointPin(t *testing.T) {
	path := sim.SitePath("repl/ack-late")
	defer func() { _ = failpoint.Disable(path) }()
	s, _ := Registry().Lookup("replication")
	set := map[string]string{"buggify": "on"}
	if err := failpoint.Enable(path, "return(true)"); err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Sites, func(h sim.SiteHit) bool { return h.Name == "repl/ack-late" && h.Forced && h.Fires > 0 }) {
		t.Errorf("pinned site not active and firing: %+v", res.Sites)
	}
	if err := failpoint.Enable(path, "sleep(10)"); err != nil {
		t.Fatal(err)
	}
	_, err = scenarios.Execute(s, scenarios.Options{Seed: 1, Set: set})
	var usage *scenarios.UsageError
	if err == nil || !errors.As(err, &usage) || !strings.Contains(err.Error(), "repl/ack-late") {
		t.Errorf("sleep term: %v", err)
	}
}
