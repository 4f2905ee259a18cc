package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README starts with a command and the output it prints: they must
// agree, to the byte, but for the hash it leaves open.
func TestReadmeFirstCommandPrintsWhatItSays(t *testing.T) {
	md := readme(t)
	m := regexp.MustCompile("(?s)```sh\ngo run ./cmd/simulate (run [^\n#]*?)\\s+#[^\n]*\nmake test[^\n]*\n```.*?```\n(.*?)```").FindStringSubmatch(md)
	if m == nil {
		t.Fatal("the README does not start with the run command, make test, and the output of the run")
	}
	code, out, _ := run(t, strings.Fields(m[1])...)
	want := regexp.QuoteMeta(m[2])
	want = strings.ReplaceAll(want, regexp.QuoteMeta("<16 hex digits>"), "[0-9a-f]{16}")
	if code != exitPass || !regexp.MustCompile(`\A`+want+`\z`).MatchString(out) {
		t.Fatalf("simulate %s: exit %d, printed\n%s\nthe README shows\n%s", m[1], code, out, m[2])
	}
}

// The Go version the README asks for is go.mod's.
func TestReadmeGoVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	v := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(mod))
	if v == nil || !strings.Contains(readme(t), "Go "+v[1]) {
		t.Fatalf("the README does not name go.mod's Go version %v", v)
	}
}

// Every simulate command line the README shows names a real subcommand and
// only flags it has.
func TestReadmeCommandsAndFlagsExist(t *testing.T) {
	root := newRootCmd(nil, nil, func(string) string { return "" })
	lines := regexp.MustCompile(`(?:go run ./cmd/simulate|\bsimulate) ([a-z]+(?: [a-z]+)?)((?: [^|\x60\n#]*)?)`).FindAllStringSubmatch(readme(t), -1)
	if len(lines) < 10 {
		t.Fatalf("found only %d command lines in the README", len(lines))
	}
	for _, l := range lines {
		words := strings.Fields(l[1])
		cmd, rest, err := root.Find(words)
		if err != nil || cmd == root {
			t.Errorf("README: simulate %s%s: no such command", l[1], l[2])
			continue
		}
		args := strings.Join(rest, " ") + l[2]
		for _, f := range regexp.MustCompile(`(?:^|\s|\[)--([a-z-]+)`).FindAllStringSubmatch(args, -1) {
			if !hasFlag(cmd, f[1]) {
				t.Errorf("README: simulate %s has no flag --%s (in %q)", cmd.Name(), f[1], strings.TrimSpace(l[0]))
			}
		}
	}
}

func hasFlag(cmd *cobra.Command, name string) bool {
	return cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil
}
