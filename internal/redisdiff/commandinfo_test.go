package redisdiff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
)

// withoutSubcommands drops what a container's COMMAND INFO or COMMAND
// DOCS entry says of its subcommands, which Redis lists in the order of
// its seeded dict and the node in byte order, and which the node may only
// partly have; each subcommand is compared on its own.
func withoutSubcommands(v resp.Value, docs bool) resp.Value {
	if docs {
		var out resp.Value = v
		out.Elems = nil
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if string(v.Elems[i].Str) != "subcommands" {
				out.Elems = append(out.Elems, v.Elems[i], v.Elems[i+1])
			}
		}
		return out
	}
	out := v
	out.Elems = append([]resp.Value(nil), v.Elems[:9]...)
	return out
}

// TestCommandInfoAndDocs: COMMAND INFO and COMMAND DOCS of every command
// and subcommand the node has are those of redis-server 7.0.15, byte for
// byte, in RESP2 and RESP3: flags, ACL categories, tips, key specs,
// arguments. A container is compared without its list of subcommands.
func TestCommandInfoAndDocs(t *testing.T) {
	want, got := sides(t)
	tbl := redis.NewCommandTable()
	for _, proto := range []string{"2", "3"} {
		wc, gc := dialTest(t, want.Addr), dialTest(t, got.Addr)
		for _, c := range []*Conn{wc, gc} {
			if _, err := c.DoStrings("HELLO", proto); err != nil {
				t.Fatal(err)
			}
		}
		compared := 0
		for _, name := range tbl.Names() {
			for _, sub := range []string{"INFO", "DOCS"} {
				cmd := []string{"COMMAND", sub, name}
				w, err := wc.DoStrings(cmd...)
				if err != nil {
					t.Fatal(err)
				}
				g, err := gc.DoStrings(cmd...)
				if err != nil {
					t.Fatal(err)
				}
				container := false
				for _, n := range tbl.Names() {
					container = container || strings.HasPrefix(n, name+"|")
				}
				if container {
					wv, ok1 := parseReply(w)
					gv, ok2 := parseReply(g)
					if !ok1 || !ok2 || len(wv.Elems) != 1+btoi(sub == "DOCS") || len(gv.Elems) != len(wv.Elems) {
						t.Errorf("RESP%s %s: replies differ in shape\n\tredis: %q\n\tnode:  %q", proto, commandText(cmd), w, g)
						continue
					}
					last := len(wv.Elems) - 1
					w = resp.AppendValue(nil, withoutSubcommands(wv.Elems[last], sub == "DOCS"))
					g = resp.AppendValue(nil, withoutSubcommands(gv.Elems[last], sub == "DOCS"))
				}
				if !bytes.Equal(w, g) {
					t.Errorf("RESP%s %s:\n\tredis: %q\n\tnode:  %q", proto, commandText(cmd), w, g)
				}
				compared++
			}
		}
		if compared < 300 {
			t.Errorf("compared only %d replies", compared)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
