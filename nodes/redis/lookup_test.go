package redis

import (
	"strings"
	"testing"
)

// TestCommandTableFind checks that the table's shape index finds what
// findCommand's case-folded map lookup finds, for every name in any case,
// and nothing for names the table does not have.
func TestCommandTableFind(t *testing.T) {
	ct := NewCommandTable()
	var probes []string
	for name := range ct.cmds { //redsim:ordered each probe is checked on its own
		probes = append(probes, name, strings.ToUpper(name), strings.ToUpper(name[:1])+name[1:],
			name+"x", name[:len(name)-1], "x"+name, strings.ReplaceAll(name, "e", "\xc5"))
	}
	probes = append(probes, "", "G", "gEt\x00", strings.Repeat("a", 40), "[et", "get\r")
	for _, p := range probes {
		if got, want := ct.find([]byte(p)), findCommand(ct.cmds, []byte(p)); got != want {
			t.Errorf("find(%q) = %v, findCommand gives %v", p, got, want)
		}
	}
	if ct.find([]byte("SeT")) == nil || ct.find([]byte("SeT")).name != "set" {
		t.Errorf("find(SeT) did not give set")
	}
}
