package stream

import (
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Scripted scenarios for the corners the random tests reach rarely, each
// run on the model and on the oracle (replies and propagation compared).
// A script is one command per line; "repeat N" runs the following line N
// times with {i} replaced by the iteration number.
var scenarios = []struct {
	name   string
	cfg    Config
	script string
}{
	{"xsetid-below-tombstones", Config{4096, 10}, `
XADD s 1-1 f v
XADD s 1-2 f v
XADD s 1-3 f v
XADD s 1-4 f v
XDEL s 1-4 1-3
XSETID s 1-2
XADD s 1-3 g w
XADD s 1-* f v
XRANGE s - +
XREVRANGE s + -
XREVRANGE s 1-3 -
XRANGE s 1-3 1-4
XDEL s 1-3
XRANGE s - +
XINFO STREAM s
XINFO STREAM s FULL
XTRIM s MINID = 1-4
XINFO STREAM s
XLEN s`},
	{"zombie-node-and-key-reuse", Config{4096, 3}, `
XADD s 1-1 f v
XADD s 1-2 f v
XADD s 1-3 f v
XDEL s 1-3
XTRIM s MINID = 1-3
XLEN s
XINFO STREAM s
XSETID s 0-5
XADD s 1-0 f v
XINFO STREAM s
XRANGE s - +
XREVRANGE s + -
XADD s 1-1 f v
XINFO STREAM s
XRANGE s - +
XREVRANGE s + - COUNT 1
XADD s 1-2 f v
XADD s 1-4 f v
XINFO STREAM s FULL
XTRIM s MAXLEN 1
XINFO STREAM s`},
	{"id-exhaustion", DefaultConfig(), `
XADD s 5-18446744073709551615 f v
XADD s 5-* f v
XADD s 5-18446744073709551615 f v
XADD s 6-* f v
XADD s 18446744073709551615-18446744073709551615 f v
XADD s * f v
XADD s 18446744073709551615-* f v
XADD s MAXLEN 0 1-1 f v
XINFO STREAM s`},
	{"minid-approx-rewrites", Config{4096, 4}, `
XADD s MINID ~ 99 1-1 f v
XINFO STREAM s
XADD s 1-2 f v
repeat 20
XADD s 2-{i} f v
XADD s MINID ~ 2-10 3-1 f v
XADD s MINID ~ 2-10 LIMIT 4 3-2 f v
XADD s MINID ~ 2-10 LIMIT 0 3-3 f v
XTRIM s MINID ~ 2-17
XTRIM s MINID ~ 0
XTRIM s MAXLEN ~ 2
XTRIM s MAXLEN = 2
XTRIM s MAXLEN 0
XTRIM s MAXLEN ~ 0
XINFO STREAM s`},
	{"maxlen-approx-limits", Config{4096, 5}, `
repeat 60
XADD s {i}-1 a 1 b {i}
XTRIM s MAXLEN ~ 30 LIMIT 4
XTRIM s MAXLEN ~ 30 LIMIT 5
XTRIM s MAXLEN ~ 30 LIMIT 12
XTRIM s MAXLEN ~ 30
XDEL s 31-1 32-1 33-1 34-1
XTRIM s MAXLEN ~ 20
XTRIM s MAXLEN = 20
XINFO STREAM s
XADD s NOMKSTREAM MAXLEN ~ 1 100-1 x y
XADD nokey NOMKSTREAM 1-1 x y
EXISTS nokey`},
	{"counts-past-127", Config{4096, 0}, `
repeat 300
XADD s {i}-1 f v
repeat 140
XDEL s {i}-1
XINFO STREAM s
repeat 200
XADD s 1000-{i} f v
XINFO STREAM s
XTRIM s MAXLEN ~ 10
XINFO STREAM s`},
	{"noack-and-history", DefaultConfig(), `
XADD s 1-1 f v
XADD s 1-2 f v
XGROUP CREATE s g 0
XREADGROUP GROUP g c1 NOACK STREAMS s >
XINFO GROUPS s
XADD s 1-3 f v
XREADGROUP GROUP g c2 COUNT 1 STREAMS s >
XREADGROUP GROUP g c3 STREAMS s 0
XREADGROUP GROUP g c2 STREAMS s 0
XDEL s 1-3
XREADGROUP GROUP g c2 STREAMS s 0
XPENDING s g
XPENDING s g - + 10
XPENDING s g - + 10 c2
XPENDING s g IDLE 100000000000 - + 10
XREADGROUP GROUP g c1 STREAMS s >
XREAD STREAMS s 0
XREAD COUNT 1 STREAMS s s 0 1-1`},
	{"claims-of-deleted-entries", DefaultConfig(), `
XADD s 1-1 f v
XADD s 1-2 f v
XADD s 1-3 f v
XADD s 1-4 f v
XGROUP CREATE s g 0
XREADGROUP GROUP g alice STREAMS s >
XDEL s 1-2
XCLAIM s g bob 0 1-1 1-2 1-3 JUSTID
XPENDING s g
XDEL s 1-4
XAUTOCLAIM s g carol 0 0 COUNT 2
XAUTOCLAIM s g carol 0 0
XCLAIM s g dave 0 1-1 TIME 1000 RETRYCOUNT 7
XPENDING s g - + 10
XAUTOCLAIM s g erin 100000000000 - JUSTID
XCLAIM s g frank 0 1-9 LASTID 5-0
XINFO GROUPS s
XCLAIM s g frank 0 1-3 FORCE LASTID 6-0
XACK s g 1-1 1-3 9-9
XCLAIM s g frank 0 1-1 FORCE JUSTID
XCLAIM s g frank 0 1-1 2 IDLE 1 RETRYCOUNT 3
XINFO CONSUMERS s g`},
	{"lag", DefaultConfig(), `
XGROUP CREATE s g $ MKSTREAM
XINFO GROUPS s
XADD s 1-1 f v
XADD s 1-2 f v
XADD s 1-3 f v
XGROUP CREATE s g0 0
XGROUP CREATE s g1 1-1
XGROUP CREATE s g2 $
XGROUP CREATE s g3 0 ENTRIESREAD 2
XINFO GROUPS s
XDEL s 1-2
XINFO GROUPS s
XREADGROUP GROUP g0 c COUNT 1 STREAMS s >
XINFO GROUPS s
XREADGROUP GROUP g0 c STREAMS s >
XINFO GROUPS s
XDEL s 1-1
XINFO GROUPS s
XSETID s 1-3 ENTRIESADDED 10 MAXDELETEDID 1-2
XINFO GROUPS s
XGROUP SETID s g1 1-3 ENTRIESREAD 9
XGROUP SETID s g2 0 ENTRIESREAD -1
XINFO GROUPS s
XTRIM s MAXLEN 0
XINFO GROUPS s
XADD s 2-1 f v
XINFO GROUPS s
XINFO STREAM s FULL`},
	{"groups-and-consumers", DefaultConfig(), `
XGROUP CREATE s g 0
XGROUP CREATE s g 0 MKSTREAM
XGROUP CREATE s g 0
XGROUP CREATECONSUMER s g bob
XGROUP CREATECONSUMER s g bob
XGROUP CREATECONSUMER s g alice
XADD s 1-1 f v
XREADGROUP GROUP g bob STREAMS s >
XGROUP DELCONSUMER s g bob
XGROUP DELCONSUMER s g nobody
XPENDING s g
XGROUP DESTROY s g
XGROUP DESTROY s g
XINFO GROUPS s
XGROUP SETID s g 0
XGROUP CREATECONSUMER s nog c
XGROUP CREATE nokey g $
XGROUP HELP
XINFO HELP`},
}

var rewrite = flag.Bool("stream.rewrite", false, "rewrite testdata/scenarios.golden from the oracle")

const (
	goldenPath   = "testdata/scenarios.golden"
	goldenHeader = "# Recorded from redis-server 7.0.15 by go test -run TestDifferentialScenarios -stream.rewrite\n"
)

// scenarioSteps expands a script into commands.
func scenarioSteps(script string) [][]string {
	var out [][]string
	lines := strings.Split(strings.TrimSpace(script), "\n")
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if f[0] == "repeat" {
			n, _ := strconv.Atoi(f[1])
			i++
			for k := 1; k <= n; k++ {
				out = append(out, strings.Fields(strings.ReplaceAll(lines[i], "{i}", strconv.Itoa(k))))
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// transcribe renders one step for the golden file: the command, the reply
// and what was propagated, time-valued fields masked.
func transcribe(b *strings.Builder, argv []string, reply any, prop []string) {
	masked, _, _ := maskTimes(argv, reply, normalize(deepCopy(reply)))
	p := append([]string(nil), prop...)
	maskPropagated(p, append([]string(nil), prop...))
	b.WriteString("> " + strings.Join(argv, " ") + "\n< " + canon(masked) + "\n")
	for _, l := range p {
		b.WriteString("~ " + l + "\n")
	}
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = deepCopy(v[i])
		}
		return out
	case treeMap:
		return treeMap(deepCopy([]any(v)).([]any))
	case map[any]any:
		out := map[any]any{}
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	}
	return v
}

// TestDifferentialScenarios runs the scenarios on the model and on the
// oracle; with -stream.rewrite it records the oracle's transcript as the
// golden file that TestScenariosGolden checks without a server.
func TestDifferentialScenarios(t *testing.T) {
	o := newOracle(t)
	var golden strings.Builder
	golden.WriteString(goldenHeader)
	for _, sc := range scenarios {
		golden.WriteString("=== " + sc.name + "\n")
		t.Run(sc.name, func(t *testing.T) {
			o.t = t
			o.reset(sc.cfg, 2)
			o.traceSteps = testing.Verbose()
			for _, argv := range scenarioSteps(sc.script) {
				theirs, prop := o.check(argv...)
				transcribe(&golden, argv, theirs, prop)
			}
		})
	}
	if *rewrite {
		if err := os.WriteFile(goldenPath, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScenariosGolden replays the scenarios on the model alone, with a
// fake clock, and compares with the transcript recorded from
// redis-server 7.0.15.
func TestScenariosGolden(t *testing.T) {
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	got.WriteString(goldenHeader)
	for _, sc := range scenarios {
		got.WriteString("=== " + sc.name + "\n")
		m := newModel()
		m.cfg = sc.cfg
		now := int64(1_700_000_000_000)
		for _, argv := range scenarioSteps(sc.script) {
			now++
			reply, prop := m.exec(toBytes(argv), now)
			transcribe(&got, argv, reply, propagated(prop))
		}
	}
	if got.String() != string(want) {
		gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d:\n got %s\nwant %s", goldenPath, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", goldenPath, len(gl), len(wl))
	}
}

// TestDifferentialIDParsing sends random ID spellings (digits, signs,
// blanks, NULs, "(", "*", huge numbers) to commands that parse them
// before looking the key up, on a missing key, and compares the replies:
// XADD (strict, "ms-*"), XRANGE and XREVRANGE (intervals, "-" and "+"),
// XTRIM MINID (strict).
func TestDifferentialIDParsing(t *testing.T) {
	t.Parallel() // an oracle of its own
	o := newOracle(t)
	o.reset(DefaultConfig(), 2)
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"0", "1", "9", "00", "-", "+", " ", "\t", "\x00", "(", "*", "x", "18446744073709551615",
		"18446744073709551616", "9223372036854775808", "-1", "01", "99999999999999999999"}
	for range 3000 {
		var b strings.Builder
		for range 1 + r.IntN(5) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		id := b.String()
		o.check("XADD", "nokey", "NOMKSTREAM", id, "f", "v")
		o.check("XRANGE", "nokey", id, "+")
		o.check("XREVRANGE", "nokey", id, "-")
		o.check("XTRIM", "nokey", "MINID", id)
	}
}
