package glob

import (
	"strings"
	"testing"
)

// Rows marked "server" were checked with KEYS against Debian's
// redis-server 7.0.15; the rest against its stringmatchlen compiled
// from the same source.
var matchTests = []struct {
	pattern, s string
	nocase     bool
	want       bool
}{
	{"", "", false, true},
	{"", "a", false, false},
	{"*", "", false, false}, // KEYS short-circuits "*" itself
	{"*", "abc", false, true},
	{"**", "", false, false},
	{"a*", "a", false, true},
	{"a**", "a", false, true},
	{"a*b", "ab", false, true},
	{"a*b", "axxb", false, true},
	{"a*b", "axxbc", false, false},
	{"*b*", "abc", false, true},
	{"?", "a", false, true},
	{"?", "", false, false},
	{"??", "a", false, false},
	{"h?llo", "hello", false, true},
	{"h[ae]llo", "hallo", false, true},
	{"h[ae]llo", "hillo", false, false},
	{"h[^e]llo", "hallo", false, true},
	{"h[^e]llo", "hello", false, false},
	{"h[a-b]llo", "hbllo", false, true},
	{"[z-a]", "a", false, true},  // server: reversed ranges are swapped
	{"[z-a]", "b", false, true},  // server
	{"[z-a]", "[", false, false}, // server
	{"a[", "a", false, false},    // server: an unterminated class still needs a byte
	{"[", "[", false, false},     // server
	{"[", "a", false, false},
	{"[a", "a", false, true},  // server: unterminated class matches its members
	{"[^", "a", false, true},  // server: empty negated class matches anything
	{"[^", "[", false, true},  // server
	{"[]", "]", false, false}, // server: "]" closes immediately
	{"[]a]", "a", false, false},
	{"[]a]", "]a]", false, false},
	{"[]a]", "a]", false, false},
	{"[^]", "x", false, true}, // server
	{"[\\]", "\\", false, false},
	{"[\\]", "]", false, true},
	{"[\\]]", "]", false, true},
	{"[\\", "\\", false, true},
	{"\\", "\\", false, true},  // server: a lone trailing backslash is literal
	{"a\\", "a", false, false}, // server
	{"a\\", "a\\", false, true},
	{"\\a", "a", false, true}, // server
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\?", "?", false, true},
	{"[a-]", "-", false, false},
	{"[a-]", "a", false, true},
	{"[-a]", "-", false, true},
	{"[a-\xff]", "a", false, true},     // server: signed char makes \xff == -1
	{"[a-\xff]", "[", false, true},     // server
	{"[a-\xff]", "b", false, false},    // server
	{"[a-\xff]", "\xe9", false, false}, // server
	{"[a-\xff]", "\xff", false, true},
	{"[a-\xff]", "\x00", false, true},
	{"[a-\xff]", "b", true, false},
	{"HeLLo", "hello", true, true},
	{"HeLLo", "hello", false, false},
	{"[A-C]", "b", true, true},
	{"[a-c]", "B", true, true},
	{"[\\A]", "a", true, false}, // escaped class members ignore nocase
	{"\xe9", "\xe9", true, true},
	{"\xc9", "\xe9", true, false}, // only ASCII folds in the C locale
	{"a\x00b", "a\x00b", false, true},
	{"a*\x00", "abc\x00", false, true},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaab", false, true},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchTests {
		if got := Match([]byte(tc.pattern), []byte(tc.s), tc.nocase); got != tc.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
		}
	}
}

func TestNestingLimit(t *testing.T) {
	// server: 1000 "a*" pairs still match, 1001 hit the nesting limit.
	s := []byte(strings.Repeat("a", 1100) + "b")
	if !Match([]byte(strings.Repeat("a*", 1000)+"b"), s, false) {
		t.Error("1000 stars should match")
	}
	if Match([]byte(strings.Repeat("a*", 1001)+"b"), s, false) {
		t.Error("1001 stars should exceed the nesting limit")
	}
}

func TestNoExponentialBlowup(t *testing.T) {
	// Without skipLongerMatches these take on the order of C(3000, 30)
	// steps; with it they finish at once. A regression shows as a hang.
	s := []byte(strings.Repeat("a", 3000))
	if Match([]byte(strings.Repeat("a*", 30)+"b"), s, false) {
		t.Error("unexpected match")
	}
	if Match([]byte(strings.Repeat("*a", 40)+"*b"), s, false) {
		t.Error("unexpected match")
	}
	if Match([]byte(strings.Repeat("?*", 40)+"b"), s, true) {
		t.Error("unexpected match")
	}
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ name, p, s string }{
		{"prefix", "user:*", "user:1234:session"},
		{"class", "[a-z]*:[0-9]*", "user:1234"},
		{"adversarial", strings.Repeat("a*", 20) + "b", strings.Repeat("a", 200)},
	}
	for _, c := range cases {
		p, s := []byte(c.p), []byte(c.s)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(p, s, false)
			}
		})
	}
}
