package cmdfuzz

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestCommands(t *testing.T) {
	tokens := map[string][]string{"set": {"nx", "xx"}, "config|get": nil}
	g := New([]string{"config|get", "get", "set"}, func(n string) []string { return tokens[n] })
	if i := g.Index("CONFIG", "get"); i != 0 {
		t.Errorf("Index(CONFIG get) = %d, want 0", i)
	}
	if i := g.Index("SET"); i != 2 {
		t.Errorf("Index(SET) = %d, want 2", i)
	}
	// SET with four arguments: a key, a number, a keyword and two raw bytes.
	data := []byte{4, 0, 2, 4, 0, 0, 2, 1, 4, 0, 7, 2, 'a', 'b'}
	want := []Command{{Conn: 1, Args: []string{"SET", "k0", "1", g.keywords[0], "ab"}}}
	if got := g.Commands(data); !reflect.DeepEqual(got, want) {
		t.Errorf("Commands = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(g.Commands(data), g.Commands(data)) {
		t.Error("the same input gave different commands")
	}
	if len(g.keywords) == 0 || g.keywords[0] > "NX" {
		t.Errorf("keywords %q lack the docs' tokens", g.keywords)
	}
	if n := len(g.Commands(make([]byte, 10*MaxCommands))); n != MaxCommands {
		t.Errorf("a long input gave %d commands, want %d", n, MaxCommands)
	}
}

func TestEncode(t *testing.T) {
	g := New([]string{"config|get", "eval", "get", "set"}, func(string) []string { return []string{"nx"} })
	cmds := []Command{
		{Conn: 2, Args: []string{"SET", "k1", "raw value", "NX", "-1", "9223372036854775807", "x y"}},
		{Conn: 0, Args: []string{"CONFIG", "GET", "maxmemory"}},
		{Conn: 1, Args: []string{"EVAL", "return redis.call('get',KEYS[1])", "1", "{k}3"}},
		{Conn: 0, Args: []string{"GET"}},
	}
	data, err := g.Encode(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Commands(data); !reflect.DeepEqual(got, cmds) {
		t.Errorf("Commands(Encode(cmds)) = %v, want %v", got, cmds)
	}
	for _, bad := range [][]Command{
		{{Args: []string{"NOSUCH"}}},
		{{Args: []string{"CONFIG"}}},
		{{Conn: 3, Args: []string{"GET", "k0"}}},
		{{Args: []string{"GET", "a value longer than fifteen bytes"}}},
		{{Args: []string{"GET", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}},
	} {
		if _, err := g.Encode(bad); err == nil {
			t.Errorf("Encode(%v) made an input", bad)
		}
	}
}

func TestRandomInput(t *testing.T) {
	g := New([]string{"get", "mset", "ping"}, func(string) []string { return nil })
	keys := func(name string) KeyRange {
		switch name {
		case "get":
			return KeyRange{1, 1, 1}
		case "mset":
			return KeyRange{1, -1, 2}
		}
		return KeyRange{}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		cmds := g.Commands(g.RandomInput(rng, 5, keys))
		if len(cmds) != 5 {
			t.Fatalf("5 commands drawn, %d decoded: %v", len(cmds), cmds)
		}
		for _, c := range cmds {
			isKey := func(i int) bool { return slices.Contains([]string{"k0", "k1", "k2"}, c.Args[i]) }
			switch c.Args[0] {
			case "GET":
				if len(c.Args) > 1 && !isKey(1) {
					t.Errorf("%q: no key at 1", c.Args)
				}
			case "MSET":
				for i := 1; i < len(c.Args); i += 2 {
					if !isKey(i) {
						t.Errorf("%q: no key at %d", c.Args, i)
					}
				}
			}
		}
	}
}
