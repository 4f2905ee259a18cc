package redisdiff

import (
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// TestCommandCountAndList: the node has exactly redis-server 7.0.15's
// commands: COMMAND COUNT (240 top-level commands) and COMMAND LIST (with
// every subcommand, as "config|get") are equal.
func TestCommandCountAndList(t *testing.T) {
	real, node := dialTest(t, StartRedis(t)), dialTest(t, startNode(t))
	for _, c := range []*Conn{real, node} {
		defer c.Close()
	}
	want, err := real.DoStrings("COMMAND", "COUNT")
	if err != nil {
		t.Fatal(err)
	}
	got, err := node.DoStrings("COMMAND", "COUNT")
	if err != nil || string(got) != string(want) {
		t.Fatalf("COMMAND COUNT: node %q, redis-server %q (%v)", got, want, err)
	}
	names := func(c *Conn) []string {
		raw, err := c.DoStrings("COMMAND", "LIST")
		if err != nil {
			t.Fatal(err)
		}
		r := resp.NewReplyReader()
		r.Feed(raw)
		v, ok, err := r.Next()
		if err != nil || !ok {
			t.Fatalf("COMMAND LIST: %q", raw)
		}
		var out []string
		for _, e := range v.Elems {
			out = append(out, strings.ToLower(string(e.Str)))
		}
		slices.Sort(out)
		return out
	}
	w, g := names(real), names(node)
	for _, n := range w {
		if !slices.Contains(g, n) {
			t.Errorf("the node lacks %s", n)
		}
	}
	for _, n := range g {
		if !slices.Contains(w, n) {
			t.Errorf("the node has %s, which redis-server 7.0.15 does not", n)
		}
	}
	t.Logf("COMMAND COUNT %s; %d names in COMMAND LIST", strings.TrimSpace(string(got)), len(g))
}
