package golden

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/hashes.txt from fresh runs of every built-in scenario")

const (
	hashesFile = "testdata/hashes.txt"
	updateCmd  = "go test ./internal/golden -update"
	// runTimeout bounds one `simulate run`; the built-ins take well under a
	// second each.
	runTimeout = 2 * time.Minute
)

// defaultSeeds are the seeds -update records for every built-in scenario:
// two small ones and the top of the uint64 range. The first is the one
// -short runs.
var defaultSeeds = []uint64{1, 2, 18446744073709551557}

// exitStatuses are the exit statuses of `simulate run` that come with a
// closing line: 0 PASS, 1 FAIL, 4 UNKNOWN.
var exitStatuses = []int{0, 1, 4}

var statusWords = []string{"PASS", "FAIL", "UNKNOWN"}

// record is one line of the hashes file, or one fresh run.
type record struct {
	scenario string
	seed     uint64
	status   string
	hash     string
	line     int // line number in the file; 0 for a fresh run
}

func (r record) String() string {
	return fmt.Sprintf("%s %d %s %s", r.scenario, r.seed, r.status, r.hash)
}

type key struct {
	scenario string
	seed     uint64
}

// golden is the parsed hashes file.
type golden struct {
	goVersion string   // from the "# recorded with" comment, if any
	records   []record // in file order
}

func (g *golden) bySeed() map[key]record {
	m := make(map[key]record, len(g.records))
	for _, r := range g.records {
		m[key{r.scenario, r.seed}] = r
	}
	return m
}

// seedsOf returns the seeds recorded for scenario, in file order.
func (g *golden) seedsOf(scenario string) []uint64 {
	var seeds []uint64
	for _, r := range g.records {
		if r.scenario == scenario {
			seeds = append(seeds, r.seed)
		}
	}
	return seeds
}

const recordedPrefix = "# recorded with "

func parseGolden(data []byte) (*golden, error) {
	g := &golden{}
	seen := make(map[key]int)
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, recordedPrefix); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				g.goVersion = f[0]
			}
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: %s", hashesFile, n, fmt.Sprintf(format, args...)))
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			bad("want 4 fields, scenario seed status hash; got %q", line)
			continue
		}
		seed, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			bad("seed %q is not a uint64", f[1])
			continue
		}
		if !slices.Contains(statusWords, f[2]) {
			bad("status %q is not one of %s", f[2], strings.Join(statusWords, ", "))
			continue
		}
		if !isHash(f[3]) {
			bad("hash %q is not 16 lower-case hex digits", f[3])
			continue
		}
		k := key{f[0], seed}
		if prev, dup := seen[k]; dup {
			bad("scenario %s seed %d is recorded twice (also on line %d)", f[0], seed, prev)
			continue
		}
		seen[k] = n
		g.records = append(g.records, record{scenario: f[0], seed: seed, status: f[2], hash: f[3], line: n})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return g, errors.Join(errs...)
}

func isHash(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func formatGolden(records []record) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `# Golden trace hashes of the built-in scenarios: TestGolden runs each line's
# "simulate run SCENARIO --seed SEED" in a fresh process and requires the same
# status word and hash (see doc.go). One run a line: scenario seed status hash.
# After a deliberate change of behaviour, regenerate with
#   %s
# and say in the commit message why the hashes changed.
%s%s on %s/%s (for information only: the hashes must not depend on it)
`, updateCmd, recordedPrefix, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, r := range records {
		fmt.Fprintln(&b, r)
	}
	return b.Bytes()
}

// goTool returns the go command of the toolchain running the test (go test
// puts its GOROOT in the environment), else the first go on PATH.
func goTool(t *testing.T) string {
	t.Helper()
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", exe)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: not in GOROOT (%q) nor on PATH: %v", runtime.GOROOT(), err)
	}
	return p
}

// buildSimulate builds cmd/simulate into a temporary directory.
func buildSimulate(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "simulate")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	start := time.Now()
	cmd := exec.Command(goTool(t), "build", "-o", bin, "github.com/redsim/redsim/cmd/simulate")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	t.Logf("built simulate in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// listScenarios returns the names `simulate list` prints, sorted.
func listScenarios(t *testing.T, bin string) []string {
	t.Helper()
	out, err := exec.Command(bin, "list").Output()
	if err != nil {
		t.Fatalf("simulate list: %v\n%s", err, stderrOf(err))
	}
	var names []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	if len(names) == 0 {
		t.Fatalf("simulate list printed no scenario:\n%s", out)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func stderrOf(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}

// variant is the process environment of one run: every other run gets
// GOMAXPROCS=1 and a padding variable whose length varies, so that a
// dependency on the scheduler or on the memory layout shows.
type variant struct {
	gomaxprocs1 bool
	pad         int
}

func variantOf(i int) variant {
	return variant{gomaxprocs1: i%2 == 1, pad: (i * 37) % 256}
}

func (v variant) env() []string {
	env := os.Environ()
	if v.gomaxprocs1 {
		env = append(env, "GOMAXPROCS=1")
	}
	return append(env, "REDSIM_GOLDEN_PAD="+strings.Repeat("x", v.pad))
}

func (v variant) String() string {
	s := fmt.Sprintf("REDSIM_GOLDEN_PAD of %d bytes, fresh working directory", v.pad)
	if v.gomaxprocs1 {
		s = "GOMAXPROCS=1, " + s
	}
	return s
}

// run runs `simulate run scenario --seed seed` in a fresh process and
// returns its closing line as a record.
func run(t *testing.T, bin, scenario string, seed uint64, v variant) (record, error) {
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", scenario, "--seed", strconv.FormatUint(seed, 10))
	cmd.Dir = t.TempDir()
	cmd.Env = v.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ctx.Err() != nil {
			return record{}, fmt.Errorf("%s: %v (timeout %v)\nstderr:\n%s", strings.Join(cmd.Args[1:], " "), err, runTimeout, stderr.Bytes())
		}
		code = ee.ExitCode()
	}
	fail := func(format string, args ...any) (record, error) {
		return record{}, fmt.Errorf("simulate %s (exit status %d): %s\nstdout ends:\n%s\nstderr:\n%s",
			strings.Join(cmd.Args[1:], " "), code, fmt.Sprintf(format, args...), tail(stdout.String(), 15), stderr.Bytes())
	}
	if !slices.Contains(exitStatuses, code) {
		return fail("exit status is none of %v: bad usage or a framework failure", exitStatuses)
	}
	r, err := parseStatusLine(lastLine(stdout.String()))
	if err != nil {
		return fail("%v", err)
	}
	if r.scenario != scenario || r.seed != seed {
		return fail("the closing line is about scenario %s seed %d", r.scenario, r.seed)
	}
	if want := map[string]int{"PASS": 0, "FAIL": 1, "UNKNOWN": 4}[r.status]; code != want {
		return fail("status %s does not go with exit status %d (want %d)", r.status, code, want)
	}
	return r, nil
}

// parseStatusLine parses "STATUS scenario=NAME seed=N hash=H"; further
// key=value fields are ignored.
func parseStatusLine(line string) (record, error) {
	f := strings.Fields(line)
	if len(f) == 0 || !slices.Contains(statusWords, f[0]) {
		return record{}, fmt.Errorf("the closing line %q does not start with one of %s", line, strings.Join(statusWords, ", "))
	}
	r := record{status: f[0]}
	var haveSeed bool
	for _, kv := range f[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "scenario":
			r.scenario = v
		case "seed":
			s, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return record{}, fmt.Errorf("the closing line %q has a bad seed: %v", line, err)
			}
			r.seed, haveSeed = s, true
		case "hash":
			r.hash = v
		}
	}
	if r.scenario == "" || !haveSeed || !isHash(r.hash) {
		return record{}, fmt.Errorf("the closing line %q lacks scenario=, seed= or a 16-digit hash=", line)
	}
	return r, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestGolden(t *testing.T) {
	data, err := os.ReadFile(hashesFile)
	if err != nil && !(*update && errors.Is(err, os.ErrNotExist)) {
		t.Fatalf("%v; create it with `%s`", err, updateCmd)
	}
	g, err := parseGolden(data)
	if err != nil && *update {
		t.Logf("dropping the lines of %s that do not parse:\n%v", hashesFile, err)
	} else if err != nil {
		t.Fatalf("%v\nfix the lines or regenerate the file with `%s`", err, updateCmd)
	}
	bin := buildSimulate(t)
	names := listScenarios(t, bin)
	if *update {
		updateGolden(t, bin, names, g)
		return
	}

	builtin := make(map[string]bool, len(names))
	for _, name := range names {
		builtin[name] = true
	}
	recorded := g.bySeed()
	start := time.Now()
	runs := 0
	t.Run("run", func(t *testing.T) {
		for _, name := range names {
			seeds := g.seedsOf(name)
			if len(seeds) == 0 {
				continue // reported below
			}
			if testing.Short() {
				seeds = seeds[:1]
			}
			variants := make([]variant, len(seeds))
			for j := range variants {
				variants[j] = variantOf(runs)
				runs++
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				for j, seed := range seeds {
					want, v := recorded[key{name, seed}], variants[j]
					t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
						t.Parallel()
						got, err := run(t, bin, name, seed, v)
						if err != nil {
							t.Fatal(err)
						}
						if got.status != want.status || got.hash != want.hash {
							t.Errorf("scenario %s seed %d changed:\n"+
								"\texpected: %s hash=%s (%s:%d, recorded with %s)\n"+
								"\tgot:      %s hash=%s (%s; process: %v)\n"+
								"Either the simulator's behaviour changed deliberately: then regenerate with `%s` "+
								"and say why in the commit message. Or the simulator is nondeterministic across "+
								"processes or Go versions (map iteration or maphash seeds, pointer addresses, the "+
								"environment, the Go release), which is a bug: run `simulate run %s --seed %d --trace` "+
								"in two processes (and under both Go releases) and diff the traces.",
								name, seed,
								want.status, want.hash, hashesFile, want.line, orUnknown(g.goVersion),
								got.status, got.hash, runtime.Version(), v,
								updateCmd, name, seed)
						}
					})
				}
			})
		}
	})
	t.Logf("%d runs of %d scenarios in %v", runs, len(names), time.Since(start).Round(time.Millisecond))

	var missing []string
	for _, name := range names {
		if len(g.seedsOf(name)) == 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("built-in scenarios without golden hashes in %s: %s\n"+
			"Every scenario that `simulate list` shows needs recorded runs. Record them with `%s` "+
			"(it records seeds %v of each new scenario and re-records the other lines, which should come out "+
			"unchanged), check that only the new scenarios' lines were added, and commit %s with the scenario.",
			hashesFile, strings.Join(missing, ", "), updateCmd, defaultSeeds, hashesFile)
	}
	stale := make(map[string]int)
	for _, r := range g.records {
		if !builtin[r.scenario] {
			if _, ok := stale[r.scenario]; !ok {
				stale[r.scenario] = r.line
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(stale)) {
		t.Errorf("%s:%d records scenario %s, which `simulate list` no longer shows; if it was removed or renamed "+
			"deliberately, regenerate the file with `%s`", hashesFile, stale[name], name, updateCmd)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "an unrecorded Go release"
	}
	return s
}

// updateGolden runs the default seeds and every recorded seed of every
// built-in scenario twice, in two processes, and rewrites the file.
func updateGolden(t *testing.T, bin string, names []string, g *golden) {
	var mu sync.Mutex
	var fresh []record
	t.Run("update", func(t *testing.T) {
		i := 0
		for _, name := range names {
			seeds := slices.Concat(defaultSeeds, g.seedsOf(name))
			slices.Sort(seeds)
			seeds = slices.Compact(seeds)
			for _, seed := range seeds {
				v1, v2 := variantOf(i), variantOf(i+1)
				i += 2
				t.Run(name+"/seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
					t.Parallel()
					a, err := run(t, bin, name, seed, v1)
					if err != nil {
						t.Fatal(err)
					}
					b, err := run(t, bin, name, seed, v2)
					if err != nil {
						t.Fatal(err)
					}
					if a != b {
						t.Fatalf("scenario %s seed %d is nondeterministic across processes: %s hash=%s (%v), then %s hash=%s (%v); not recording it",
							name, seed, a.status, a.hash, v1, b.status, b.hash, v2)
					}
					mu.Lock()
					fresh = append(fresh, a)
					mu.Unlock()
				})
			}
		}
	})
	if t.Failed() {
		t.Fatalf("%s left unchanged", hashesFile)
	}
	slices.SortFunc(fresh, func(a, b record) int {
		if c := strings.Compare(a.scenario, b.scenario); c != 0 {
			return c
		}
		switch {
		case a.seed < b.seed:
			return -1
		case a.seed > b.seed:
			return 1
		}
		return 0
	})

	// Log what changed, for the commit message.
	old := g.bySeed()
	kept := make(map[key]bool)
	for _, r := range fresh {
		k := key{r.scenario, r.seed}
		kept[k] = true
		if o, ok := old[k]; !ok {
			t.Logf("added   %s", r)
		} else if o.status != r.status || o.hash != r.hash {
			t.Logf("changed %s (was %s %s)", r, o.status, o.hash)
		}
	}
	for _, o := range g.records {
		if !kept[key{o.scenario, o.seed}] {
			t.Logf("removed %s (no longer built in)", o)
		}
	}
	if err := os.MkdirAll(filepath.Dir(hashesFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hashesFile, formatGolden(fresh), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d runs of %d scenarios to %s", len(fresh), len(names), hashesFile)
}
