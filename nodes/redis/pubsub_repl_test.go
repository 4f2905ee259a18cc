package redis

import (
	"strings"
	"testing"
	"time"
)

// PUBLISH and SPUBLISH may replicate (7.0's publishCommand forces
// PROPAGATE_REPL outside cluster mode): a replica runs them from its
// master's stream and delivers to its own subscribers, a sub-replica gets
// them through its replica, and no AOF records them.
func TestPublishReachesReplicaSubscribersNotAOF(t *testing.T) {
	rw := replTopology(t, []string{"m", "r1", "r2"}, map[string]string{"r2": "r1"}, func(cfg *Config) {
		cfg.AppendOnly = true
	})
	rw.w.RunFor(15 * time.Second)
	m := rw.node("m").dial()
	subs := map[string]*testConn{}
	for _, name := range []string{"r1", "r2"} {
		c := rw.node(name).dial()
		mustReply(t, c, "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", "SUBSCRIBE", "ch")
		mustReply(t, c, "*3\r\n$10\r\nssubscribe\r\n$3\r\nsch\r\n:1\r\n", "SSUBSCRIBE", "sch")
		subs[name] = c
	}
	// No subscriber on the master: PUBLISH replicates all the same.
	mustReply(t, m, ":0\r\n", "PUBLISH", "ch", "hello")
	mustReply(t, m, ":0\r\n", "SPUBLISH", "sch", "shard")
	mustReply(t, m, "+OK\r\n", "SET", "k", "v")
	rw.w.RunFor(200 * time.Millisecond)
	for name, c := range subs {
		got := strings.Join(c.replies[2:], "")
		want := "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n" + "*3\r\n$8\r\nsmessage\r\n$3\r\nsch\r\n$5\r\nshard\r\n"
		if got != want {
			t.Errorf("%s's subscriber got %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"m", "r1", "r2"} {
		data := aofIncrData(t, rw.node(name).host.Disk())
		aof := strings.ToUpper(string(data))
		if strings.Contains(aof, "PUBLISH") || !strings.Contains(string(data), "$1\r\nk\r\n$1\r\nv\r\n") {
			t.Errorf("%s's AOF %q: want the SET and no PUBLISH", name, data)
		}
	}
}
