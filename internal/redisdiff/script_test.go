package redisdiff

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{`SET k v`, []string{"SET", "k", "v"}},
		{`  SET   k  v  `, []string{"SET", "k", "v"}},
		{`ECHO "a b" 'c d'`, []string{"ECHO", "a b", "c d"}},
		{`ECHO "\x41\n\t\\\"" ""`, []string{"ECHO", "A\n\t\\\"", ""}},
		{`ECHO 'it\'s' "\xZZ"`, []string{"ECHO", "it's", "xZZ"}},
		{`ECHO a"b c"d`, nil}, // closing quote not followed by a space
	} {
		got, err := splitArgs(tc.line)
		if tc.want == nil {
			if err == nil {
				t.Errorf("splitArgs(%q) = %q, want an error", tc.line, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	if _, err := splitArgs(`ECHO "open`); err == nil {
		t.Error("unbalanced quotes were accepted")
	}
}

func TestParseScript(t *testing.T) {
	src := "# comment\n\nPING\n!sort\n!within 2 KEYS *\n!conn 1\n!async BLPOP q 0\n!conn 0\n!sleep 10ms\n!recv\n"
	steps, err := parseScript("x.txt", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 7 {
		t.Fatalf("got %d steps, want 7", len(steps))
	}
	if s := steps[1]; s.pos != "x.txt:5" || !s.match.Sort || s.match.Within != 2 || strings.Join(s.args, " ") != "KEYS *" {
		t.Errorf("modifiers over two lines: got %+v", s)
	}
	if s := steps[3]; !s.async || s.kind != stepCommand {
		t.Errorf("!async: got %+v", s)
	}
	for _, bad := range []string{"!nosuch\n", "!sort\n", "!sort\n!conn 1\nPING\n", "!conn 9\n", "!sleep x\n", "!within -1 TTL k\n", "!async\n!recv\n"} {
		if _, err := parseScript("bad.txt", bad); err == nil || !strings.HasPrefix(err.Error(), "bad.txt:") {
			t.Errorf("parseScript(%q) = %v, want an error naming the line", bad, err)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		m         Match
		want, got string
		equal     bool
	}{
		{Match{}, "+OK\r\n", "+OK\r\n", true},
		{Match{}, ":1\r\n", ":2\r\n", false},
		{Match{Within: 1}, ":99\r\n", ":100\r\n", true},
		{Match{Within: 1}, ":98\r\n", ":100\r\n", false},
		{Match{Within: 1}, "*2\r\n:5\r\n$1\r\na\r\n", "*2\r\n:6\r\n$1\r\na\r\n", true},
		{Match{Within: 1}, "*2\r\n:5\r\n$1\r\na\r\n", "*2\r\n:6\r\n$1\r\nb\r\n", false},
		{Match{Sort: true}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{Match{Sort: true}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", false},
		// SCAN: the cursor stays in place, the keys are sorted.
		{Match{Sort: true}, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{Match{Sort: true}, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n", "*2\r\n$1\r\n5\r\n*1\r\n$1\r\na\r\n", false},
		{Match{Shape: true}, ":1\r\n", ":2\r\n", true},
		{Match{Shape: true}, ":1\r\n", "$1\r\n1\r\n", false},
		{Match{Shape: true}, "*2\r\n:1\r\n:2\r\n", "*2\r\n:3\r\n:4\r\n", true},
		{Match{Shape: true}, "*2\r\n:1\r\n:2\r\n", "*1\r\n:3\r\n", false},
		{Match{Sort: true}, "<connection closed>", "+OK\r\n", false},
	} {
		if got := tc.m.Equal([]byte(tc.want), []byte(tc.got)); got != tc.equal {
			t.Errorf("%+v.Equal(%q, %q) = %v, want %v", tc.m, tc.want, tc.got, got, tc.equal)
		}
	}
}
