package redisdiff

import (
	"strings"
	"testing"
)

// infoFields returns the field names of INFO replication, in order.
func infoFields(t *testing.T, addr string, setup ...[]string) []string {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range setup {
		if _, err := c.DoStrings(cmd...); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := c.DoStrings("INFO", "replication")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(raw), "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "$") {
			names = append(names, name)
		}
	}
	return names
}

// TestInfoReplicationFields: INFO replication names the same fields as
// Redis 7.0, as a master and as a replica whose link is down.
func TestInfoReplicationFields(t *testing.T) {
	want, got := sides(t)
	for _, state := range []struct {
		name  string
		setup [][]string
	}{
		{"master", nil},
		{"replica", [][]string{{"REPLICAOF", "127.0.0.1", "1"}}},
	} {
		w := infoFields(t, want.Addr, state.setup...)
		g := infoFields(t, got.Addr, state.setup...)
		if len(w) < 5 {
			t.Fatalf("%s: only %d fields parsed from Redis: %v", state.name, len(w), w)
		}
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Errorf("%s: INFO replication fields differ\nredis: %v\nnode:  %v", state.name, w, g)
		}
	}
}
