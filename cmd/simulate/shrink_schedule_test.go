package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// --schedule-out leaves out only the heal-all that starts the quiet period,
// which a scenario file adds itself, and its header says how to paste the
// rest into a derived file: with the pasted schedule (and the heal-all the
// header gives) a derived file runs the same world. Before, every heal-all
// was left out, wait-failover's mid-run heals among them, and the pasted
// schedule ran another world.
func TestScheduleOutPastesIntoADerivedFile(t *testing.T) {
	hash := regexp.MustCompile(`hash=[0-9a-f]+`)
	for _, tc := range []struct {
		scenario string
		final    string // the header's heal-all, "" for none
	}{
		{"wait-failover", ""},
		{"standalone-crash", `# at = "22s"`},
	} {
		dir := t.TempDir()
		sched := filepath.Join(dir, "schedule.toml")
		code, out, errOut := run(t, "run", tc.scenario, "--seed", "1", "--schedule-out", sched)
		if code != exitPass && code != exitViolation {
			t.Fatalf("%s: exit %d\n%s", tc.scenario, code, errOut)
		}
		b, err := os.ReadFile(sched)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if tc.final != "" && !strings.Contains(text, tc.final+"\n# op = \"heal-all\"\n") {
			t.Fatalf("%s: the header does not give the final heal-all %s:\n%s", tc.scenario, tc.final, text)
		}
		// Paste as the header says: the schedule, and the final
		// heal-all uncommented.
		var derived strings.Builder
		derived.WriteString("base = \"" + tc.scenario + "\"\n")
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "# [[") || strings.HasPrefix(line, "# at = ") || strings.HasPrefix(line, "# op = ") {
				line = strings.TrimPrefix(line, "# ")
			}
			derived.WriteString(line + "\n")
		}
		file := filepath.Join(dir, "derived.toml")
		if err := os.WriteFile(file, []byte(derived.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		code, again, errOut := run(t, "run", file, "--seed", "1")
		if code != exitPass && code != exitViolation {
			t.Fatalf("%s: the derived file: exit %d\n%s\n%s", tc.scenario, code, errOut, derived.String())
		}
		if hash.FindString(again) != hash.FindString(out) {
			t.Errorf("%s: the derived file ran %s, the run %s\n%s", tc.scenario, hash.FindString(again), hash.FindString(out), text)
		}
	}
}
