package file

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
)

// baseSrc is a small scenario file the derived files below derive from.
const baseSrc = `
duration = "20s"
quiet = "8s"
[topology]
nodes = 2
[workload]
kind = "set"
clients = 2
[nemesis]
faults = ["partitions", "crashes"]
interval = "2s"
`

func baseLookup(t *testing.T) Lookup {
	return func(name string) (*scenarios.Scenario, error) {
		if name != "small" {
			return nil, fmt.Errorf("scenario %q is unknown; built-in scenarios: small", name)
		}
		return Parse("small.toml", baseSrc)
	}
}

func TestDerivedFileSetsParametersAndSchedule(t *testing.T) {
	s, err := ParseWith("d.toml", `
base = "small"
[set]
duration = "18s"
swarm = "off"
[nemesis]
explicit = true
[[nemesis.action]]
at = "3s"
op = "crash"
target = "n2"
[[nemesis.action]]
at = "4s"
op = "restart"
target = "n2"
`, baseLookup(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Duration != 18*time.Second || res.Scenario != "d" || res.Source != "d.toml" {
		t.Fatalf("duration %v scenario %s source %s", res.Duration, res.Scenario, res.Source)
	}
	var got []string
	for _, a := range res.Schedule {
		got = append(got, a.String())
	}
	if want := "3.000000s crash n2, 4.000000s restart n2"; strings.Join(got, ", ") != want {
		t.Fatalf("schedule %q, want %q", strings.Join(got, ", "), want)
	}
	// --set still wins over the file's [set].
	res2, err := scenarios.Execute(s, scenarios.Options{Seed: 3, Set: map[string]string{"duration": "19s"}})
	if err != nil || res2.Duration != 19*time.Second {
		t.Fatalf("--set duration=19s: %v %v", res2.Duration, err)
	}
	// Without actions, the base's generated schedule is kept.
	gen, err := ParseWith("g.toml", "base = \"small\"\n[set]\nduration = \"18s\"\n", baseLookup(t))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := Parse("small.toml", baseSrc)
	a, err := scenarios.Execute(gen, scenarios.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenarios.Execute(plain, scenarios.Options{Seed: 3, Set: map[string]string{"duration": "18s"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash != b.Hash {
		t.Fatalf("a derived file that changes only duration ran another world than --set duration: %s vs %s", a.Hash, b.Hash)
	}
	// explicit = true with no actions is a run without faults.
	none, err := ParseWith("n.toml", "base = \"small\"\n[nemesis]\nexplicit = true\n", baseLookup(t))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := scenarios.Execute(none, scenarios.Options{Seed: 3}); err != nil || len(res.Schedule) != 0 {
		t.Fatalf("explicit without actions: schedule %v, err %v", res.Schedule, err)
	}
}

func TestDerivedFileErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unknown base", "base = \"nope\"\n", `e.toml:1: base "nope": scenario "nope" is unknown`},
		{"base not a string", "base = 3\n", "e.toml:1: base must be a string"},
		{"unknown parameter", "base = \"small\"\n[set]\nreplicas = 2\n", `e.toml:2: [set]: parameter "replicas" is unknown; known: duration, quiet`},
		{"bad value", "base = \"small\"\n[set]\nduration = \"soon\"\n", `parameter duration="soon": want a non-negative duration`},
		{"bad swarm", "base = \"small\"\n[set]\nswarm = \"maybe\"\n", `swarm="maybe": want on or off`},
		{"unknown key", "base = \"small\"\nnodes = 3\n", "e.toml:2: nodes is unknown; known: base, name, summary"},
		{"unknown table", "base = \"small\"\n[workload]\nkind = \"set\"\n", "e.toml:2: table [workload] is unknown; known: set, nemesis"},
		{"action after the end", "base = \"small\"\n[[nemesis.action]]\nat = \"25s\"\nop = \"heal-all\"\n", `e.toml:3: nemesis.action at "25s" is after the run ends (duration 20s)`},
		{"unknown op", "base = \"small\"\n[[nemesis.action]]\nat = \"2s\"\nop = \"explode\"\n", `e.toml:2: nemesis.action[0].op "explode" is unknown`},
		{"actions but not explicit", "base = \"small\"\n[nemesis]\nexplicit = false\n[[nemesis.action]]\nat = \"2s\"\nop = \"heal-all\"\n", "e.toml:3: nemesis.explicit = false with [[nemesis.action]] tables"},
		{"set value type", "base = \"small\"\n[set]\nduration = [\"1s\"]\n", "e.toml:3: set.duration must be a string, an integer or true/false"},
		{"set given twice", "base = \"small\"\n[[set]]\nduration = \"18s\"\n[[set]]\nquiet = \"1s\"\n", "e.toml:4: [[set]] is given again (first at line 2); set is one table: write [set] once"},
		{"nemesis given twice", "base = \"small\"\n[[nemesis]]\nexplicit = true\n[[nemesis]]\nexplicit = false\n", "e.toml:4: [[nemesis]] is given again (first at line 2); nemesis is one table: write [nemesis] once"},
		{"name not safe in a file name", "base = \"small\"\nname = \"a/b\"\n", `e.toml:2: name "a/b" is not safe in a file name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWith("e.toml", tc.src, baseLookup(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant an error containing %q", err, tc.want)
			}
		})
	}
}

// A host the base scenario does not have is refused before the run, as a
// usage error naming the action and the hosts there are.
func TestDerivedFileUnknownHost(t *testing.T) {
	s, err := ParseWith("h.toml", "base = \"small\"\n[[nemesis.action]]\nat = \"2s\"\nop = \"crash\"\ntarget = \"n7\"\n", baseLookup(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = scenarios.Execute(s, scenarios.Options{Seed: 1})
	var ue *scenarios.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `schedule action 1 (2.000000s crash n7): host "n7" is not in this scenario; its hosts are`) {
		t.Fatalf("got %v", err)
	}
}

// A base may be another file, found relative to the derived file; a chain
// that loops is an error, not a hang.
func TestDerivedFileBaseFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("small.toml", baseSrc)
	d := write("d.toml", "base = \"small.toml\"\n[set]\nduration = \"15s\"\n")
	s, err := LoadWith(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := scenarios.Execute(s, scenarios.Options{Seed: 1}); err != nil || res.Duration != 15*time.Second {
		t.Fatalf("duration %v err %v", res.Duration, err)
	}
	loop := write("loop.toml", "base = \"loop.toml\"\n")
	if _, err := LoadWith(loop, nil); err == nil || !strings.Contains(err.Error(), "is there a cycle?") {
		t.Fatalf("a file that is its own base: %v", err)
	}
	if _, err := Parse("x.toml", "base = \"small\"\n"); err == nil || !strings.Contains(err.Error(), "no built-in scenarios to look it up in") {
		t.Fatalf("Parse without a lookup: %v", err)
	}
}
