package redis

import "testing"

// Every node's command table is its own copy of the process's template:
// statistics and added commands in one show in no other, and lookups,
// through the index or the maps, find the table's own commands.
func TestCommandTablesAreIndependent(t *testing.T) {
	a, b := NewCommandTable(), NewCommandTable()
	get, cfgGet := a.lookup([][]byte{[]byte("GET")}), a.lookup([][]byte{[]byte("config"), []byte("GET")})
	if get == nil || cfgGet == nil || get != a.command("get") || cfgGet != a.command("config|get") {
		t.Fatalf("lookup and command disagree in one table: %p %p, %p %p", get, a.command("get"), cfgGet, a.command("config|get"))
	}
	get.calls, cfgGet.calls = 7, 3
	get.hist = &latencyHist{}
	a.cmds["crash"] = &command{name: "crash", arity: -1}
	for name, tbl := range map[string]*CommandTable{"another node's": b, "a new node's": NewCommandTable()} { //redsim:ordered each is checked alike
		g, cg := tbl.lookup([][]byte{[]byte("get")}), tbl.lookup([][]byte{[]byte("CONFIG"), []byte("get")})
		if g == get || cg == cfgGet {
			t.Errorf("%s table shares commands with the first: get %p %p, config|get %p %p", name, g, get, cg, cfgGet)
			continue
		}
		if g.calls != 0 || cg.calls != 0 || g.hist != nil {
			t.Errorf("%s table has the first's statistics: get %d calls, config|get %d, hist %v", name, g.calls, cg.calls, g.hist)
		}
		if tbl.lookup([][]byte{[]byte("crash")}) != nil {
			t.Errorf("%s table has the command added to the first", name)
		}
	}
	if n, m := len(a.Names()), len(b.Names()); n != m+1 {
		t.Errorf("tables list %d and %d commands, want the first to have one more", n, m)
	}
	if got, want := len(b.Names()), len(commandTemplate.Names()); got != want {
		t.Errorf("a node's table lists %d commands, the template %d", got, want)
	}
}
