package redis

import (
	"testing"
	"time"
)

// DEBUG LOADAOF empties the dataset and loads it back from the AOF files;
// DEBUG RELOAD does the same through dump.rdb. Either way the digest is
// the one before.
func TestDebugReloadAndLoadAOF(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	for _, cmd := range [][]string{{"SET", "a", "1"}, {"RPUSH", "l", "x", "y"}, {"HSET", "h", "f", "v"}, {"XADD", "s", "1-1", "f", "v"}} {
		c.do(cmd...)
	}
	want := c.do("DEBUG", "DIGEST")
	c.expect(`
		DEBUG LOADAOF -> +OK\r\n
		DBSIZE -> :4\r\n
	`)
	if got := c.do("DEBUG", "DIGEST"); got != want {
		t.Fatalf("digest after DEBUG LOADAOF %q, before %q", got, want)
	}
	c.do("SET", "b", "2") // in the AOF, so LOADAOF keeps it
	tw.w.RunFor(10 * time.Millisecond)
	c.expect(`
		DEBUG LOADAOF -> +OK\r\n
		GET b -> $1\r\n2\r\n
		DEBUG RELOAD -> +OK\r\n
		DBSIZE -> :5\r\n
	`)
	c.do("DEL", "b")
	if got := c.do("DEBUG", "DIGEST"); got != want {
		t.Fatalf("digest after DEBUG RELOAD %q, before %q", got, want)
	}
	if !tw.logged("Append Only File loaded by DEBUG LOADAOF") || !tw.logged("DB reloaded by DEBUG RELOAD") {
		t.Fatalf("missing log lines")
	}
}
