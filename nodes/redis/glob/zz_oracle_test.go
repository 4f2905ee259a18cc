package glob

// TEMPORARY differential test against redis 7.0.15 stringmatchlen (+nesting patch) compiled in C; deleted before hand-off.

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

func TestOracleGlob(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	const palpha = "ab*?[]^-\\Ac\x00\xe9\xff*[]"
	const salpha = "abcA-]^\\*?[\x00\xe9\xff\x80B"
	type tc struct {
		p, s   string
		nocase bool
	}
	var cases []tc
	for i := 0; i < 300000; i++ {
		pn, sn := r.IntN(10), r.IntN(10)
		var pb, sb strings.Builder
		for j := 0; j < pn; j++ {
			pb.WriteByte(palpha[r.IntN(len(palpha))])
		}
		for j := 0; j < sn; j++ {
			sb.WriteByte(salpha[r.IntN(len(salpha))])
		}
		cases = append(cases, tc{pb.String(), sb.String(), r.IntN(3) == 0})
	}
	// nesting limit and blowup shapes
	cases = append(cases, tc{strings.Repeat("a*", 999) + "b", strings.Repeat("a", 1100) + "b", false})
	cases = append(cases, tc{strings.Repeat("a*", 1000) + "b", strings.Repeat("a", 1100) + "b", false})
	cases = append(cases, tc{strings.Repeat("a*", 1001) + "b", strings.Repeat("a", 1100) + "b", false})
	cases = append(cases, tc{strings.Repeat("a*", 1002) + "b", strings.Repeat("a", 1100) + "b", false})
	cases = append(cases, tc{strings.Repeat("*a", 1001), strings.Repeat("a", 1100), false})
	cases = append(cases, tc{strings.Repeat("*a", 1000), strings.Repeat("a", 1100), false})
	cases = append(cases, tc{strings.Repeat("a*", 30) + "b", strings.Repeat("a", 3000), false})
	var sb strings.Builder
	for _, c := range cases {
		nc := 0
		if c.nocase {
			nc = 1
		}
		fmt.Fprintf(&sb, "%d %s %s\n", nc, hex.EncodeToString([]byte(c.p)), hex.EncodeToString([]byte(c.s)))
	}
	cmd := exec.Command("/tmp/oracle/gor")
	cmd.Stdin = strings.NewReader(sb.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fails, trues := 0, 0
	for i, c := range cases {
		got := Match([]byte(c.p), []byte(c.s), c.nocase)
		want := lines[i] == "1"
		if want {
			trues++
		}
		if got != want {
			fails++
			if fails < 30 {
				t.Errorf("Match(%q,%q,%v)=%v want %v", c.p, c.s, c.nocase, got, want)
			}
		}
	}
	t.Logf("cases=%d trues=%d fails=%d; tail=%v", len(cases), trues, fails, lines[len(lines)-7:])
}

func TestOracleTable(t *testing.T) {
	var sb strings.Builder
	for _, c := range matchTests {
		nc := 0
		if c.nocase {
			nc = 1
		}
		fmt.Fprintf(&sb, "%d %s %s\n", nc, hex.EncodeToString([]byte(c.pattern)), hex.EncodeToString([]byte(c.s)))
	}
	cmd := exec.Command("/tmp/oracle/gor")
	cmd.Stdin = strings.NewReader(sb.String())
	out, _ := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, c := range matchTests {
		if (lines[i] == "1") != c.want {
			t.Errorf("table row %q %q disagrees with C", c.pattern, c.s)
		}
	}
	t.Logf("rows=%d", len(lines))
}
