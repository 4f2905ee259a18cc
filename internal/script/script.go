// Package script runs data-driven test files with golden output, in the manner
// of etcd-io/raft's scripted tests. A file is a list of blocks:
//
//	command arg1 arg2
//	----
//	expected output, one or more lines
//	(a blank line ends the block)
//
// Lines starting with '#' between blocks are comments. The test gives each
// command to a function that returns its output; when the outputs differ the
// test fails showing both, and with rewrite set the file is written back with
// the actual outputs instead (go test -run X -args -rewrite).
package script

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Cmd is one command of a script.
type Cmd struct {
	// Pos is "file:line" of the command, for error messages.
	Pos  string
	Name string
	Args []string
	// Line is the command line as written, for commands whose arguments
	// need more than splitting on blanks (quoted strings).
	Line string
}

// Arg returns the i-th argument or fails the test naming the command.
func (c *Cmd) Arg(t testing.TB, i int) string {
	t.Helper()
	if i >= len(c.Args) {
		t.Fatalf("%s: %s needs at least %d arguments", c.Pos, c.Name, i+1)
	}
	return c.Args[i]
}

type block struct {
	comments []string
	cmd      Cmd
	line     string
	want     string
}

// rewrite is the -rewrite flag of every test binary that runs scripts: it
// regenerates their golden output instead of comparing with it.
var rewrite = flag.Bool("rewrite", false, "rewrite the golden output of the script tests")

// Rewriting reports whether -rewrite was given, for tests that call Run
// themselves.
func Rewriting() bool { return *rewrite }

// RunDir runs every glob match (such as "testdata/*.txt") as a subtest named
// after the file, each through a fresh step function from start, comparing
// with (or, under -rewrite, regenerating) the golden output. No match is a
// failure: a script directory that moved must not pass by running nothing.
func RunDir(t *testing.T, glob string, start func(t *testing.T) func(c *Cmd) string) {
	t.Helper()
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		t.Fatalf("no scripts match %s", glob)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			Run(t, path, *rewrite, start(t))
		})
	}
}

// Run runs the script at path through fn. t may be any testing.TB, so that
// a test can run a script whose output it expects to differ and see the
// differences through its own Errorf.
func Run(t testing.TB, path string, rewrite bool, fn func(c *Cmd) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parse(path, string(data))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for i := range blocks {
		b := &blocks[i]
		got := strings.TrimRight(fn(&b.cmd), "\n")
		if got == "" {
			got = "ok"
		}
		got = strings.ReplaceAll(got, "\n\n", "\n")
		if got != b.want && !rewrite {
			t.Errorf("%s: %s\n got:\n%s\nwant:\n%s", b.cmd.Pos, b.line, indent(got), indent(b.want))
		}
		for _, c := range b.comments {
			out.WriteString(c + "\n")
		}
		fmt.Fprintf(&out, "%s\n----\n%s\n\n", b.line, got)
	}
	if rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

func parse(path, text string) ([]block, error) {
	lines := strings.Split(text, "\n")
	var blocks []block
	var comments []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t\r")
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			comments = append(comments, line)
			continue
		}
		fields := strings.Fields(line)
		b := block{comments: comments, line: line, cmd: Cmd{Pos: fmt.Sprintf("%s:%d", path, i+1), Name: fields[0], Args: fields[1:], Line: line}}
		comments = nil
		i++
		if i >= len(lines) || strings.TrimSpace(lines[i]) != "----" {
			return nil, fmt.Errorf("%s:%d: command %q is not followed by a ---- line", path, i+1, line)
		}
		var want []string
		for i++; i < len(lines) && strings.TrimRight(lines[i], "\r") != ""; i++ {
			want = append(want, strings.TrimRight(lines[i], "\r"))
		}
		b.want = strings.Join(want, "\n")
		blocks = append(blocks, b)
	}
	return blocks, nil
}
