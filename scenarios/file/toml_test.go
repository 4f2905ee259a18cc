package file

import (
	"cmp"
	"strings"
	"testing"

	"github.com/redsim/redsim/scenarios"
)

// Valid TOML within the subset means what TOML says: a byte order mark,
// escapes before a comment, a super-table after its sub-tables and spaces
// inside a header's brackets are all accepted.
func TestScenarioFileValidTOML(t *testing.T) {
	for _, tc := range []struct {
		name, path, src string
		// wantName and wantSummary are the scenario's; wantSchedule, when
		// set, is its seed-1 run's schedule.
		wantName, wantSummary, wantSchedule string
	}{
		{name: "byte order mark", src: "\ufeffname = \"bom\"\n", wantName: "bom"},
		{name: "escaped backslash before a comment", src: `summary = "a\\" # c`, wantSummary: `a\`},
		{name: "escaped quote and # in a string", src: `summary = "say \"hi\" # here" # c`, wantSummary: `say "hi" # here`},
		{name: "super-table after its array", src: "duration = \"4s\"\nquiet = \"2s\"\n[[nemesis.action]]\nat = \"1s\"\nop = \"heal\"\n[nemesis]\ninterval = \"2s\"\n",
			wantSchedule: "1.000000s heal, 2.000000s heal-all"},
		{name: "super-table after its sub-table", src: "[workload.weights]\nfloat = 0\n[workload]\nkind = \"mixed\"\n"},
		{name: "spaces in brackets", src: "duration = \"4s\"\nquiet = \"2s\"\n[ topology ]\nhosts = [\"m\", \"r\"]\n[[ nemesis.action ]]\nat = \"1s\"\nop = \"crash\"\ntarget = \"r\"\n[ workload ]\nkind = \"mixed\"\n[ workload . weights ]\nfloat = 0\n",
			wantSchedule: "1.000000s crash r, 2.000000s heal-all"},
		{name: "safe name", src: `name = "a.b_c-1"`, wantName: "a.b_c-1"},
		{name: "default name made safe", path: "dir/my run+1.toml", wantName: "my-run-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := cmp.Or(tc.path, "f.toml")
			s, err := Parse(path, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantName != "" && s.Name != tc.wantName {
				t.Errorf("name %q, want %q", s.Name, tc.wantName)
			}
			if tc.wantSummary != "" && s.Summary != tc.wantSummary {
				t.Errorf("summary %q, want %q", s.Summary, tc.wantSummary)
			}
			if tc.wantSchedule == "" {
				return
			}
			res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range res.Schedule {
				got = append(got, a.String())
			}
			if strings.Join(got, ", ") != tc.wantSchedule {
				t.Errorf("schedule %q, want %q", strings.Join(got, ", "), tc.wantSchedule)
			}
		})
	}
}

// Arrays nest at most maxArrayDepth deep: a file of brackets is an error,
// not a stack overflow, and a megabyte line is not copied into the error.
func TestScenarioFileDeepArrays(t *testing.T) {
	nested := func(depth int) string {
		return "x = " + strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	if _, err := parseTOML("f.toml", nested(maxArrayDepth)); err != nil {
		t.Errorf("%d deep: %v", maxArrayDepth, err)
	}
	for _, src := range []string{nested(maxArrayDepth + 1), "x = " + strings.Repeat("[", 3<<20)} {
		want := "f.toml:1: x: arrays nest more than 32 deep"
		if _, err := parseTOML("f.toml", src); err == nil || err.Error() != want {
			t.Errorf("%d bytes of brackets: got %v, want %s", len(src), err, want)
		}
	}
	if _, err := parseTOML("f.toml", "x = "+strings.Repeat("a", 1<<20)); err == nil || len(err.Error()) > 200 {
		t.Errorf("a megabyte word: got %.200v, want an error under 200 bytes", err)
	}
}
