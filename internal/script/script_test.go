package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAndRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.txt")
	src := "# a comment\necho hello world\n----\nhello world\n\nnothing\n----\nstale\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fn := func(c *Cmd) string {
		if c.Name == "echo" {
			return strings.Join(c.Args, " ")
		}
		return ""
	}
	Run(t, path, true, fn)
	got, _ := os.ReadFile(path)
	want := "# a comment\necho hello world\n----\nhello world\n\nnothing\n----\nok\n"
	if string(got) != want {
		t.Fatalf("rewritten file:\n%q\nwant\n%q", got, want)
	}
	Run(t, path, false, fn) // now it matches
}

func TestParseErrors(t *testing.T) {
	if _, err := parse("f", "cmd\nno separator\n"); err == nil || !strings.Contains(err.Error(), "f:2: command \"cmd\" is not followed by a ---- line") {
		t.Fatalf("got %v", err)
	}
}
