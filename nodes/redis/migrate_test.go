package redis

import (
	"strings"
	"testing"
	"time"
)

// MIGRATE moves keys to another node: RESTOREs over a cached connection,
// the keys deleted here once acknowledged and propagated as DEL (a
// replica of the source loses them too); COPY keeps them, REPLACE
// overwrites, the target's errors and an unreachable or stuck target are
// reported as Redis reports them.
func TestMigrate(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"a", "b", "r"}, func(i int) Config {
		if i == 2 {
			return replicaConfig("a:6379")
		}
		return masterConfig()
	})
	a, b := rw.nodes[0].dial(), rw.nodes[1].dial()
	a.do("SET", "k1", "v1")
	a.do("RPUSH", "l", "x", "y")
	a.do("SET", "t", "tv", "PX", "100000")
	a.do("SET", "c", "cv")
	rw.w.RunFor(7 * time.Second) // the replica syncs
	a.expect(`
		MIGRATE b 6379 k1 0 1000 -> +OK\r\n
		MIGRATE b 6379 "" 3 1000 KEYS l t -> +OK\r\n
		MIGRATE b 6379 c 0 1000 COPY -> +OK\r\n
		MIGRATE b 6379 c 0 1000 -> -ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n
		MIGRATE b 6379 c 0 1000 REPLACE -> +OK\r\n
		MIGRATE b 6379 nosuch 0 1000 -> +NOKEY\r\n
		MIGRATE b 6379 k1 0 1000 KEYS x -> -ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n
		MIGRATE b 6379 k1 0 1000 BOGUS -> -ERR syntax error\r\n
		MIGRATE b 6379 k1 x 1000 -> -ERR value is not an integer or out of range\r\n
		EXISTS k1 l t c -> :0\r\n
	`)
	b.expect(`
		GET k1 -> $2\r\nv1\r\n
		GET c -> $2\r\ncv\r\n
		SELECT 3 -> +OK\r\n
		LRANGE l 0 -1 -> *2\r\n$1\r\nx\r\n$1\r\ny\r\n
	`)
	if ttl := b.do("PTTL", "t"); !strings.HasPrefix(ttl, ":9") {
		t.Fatalf("PTTL t on the target = %q, want about 100000", ttl)
	}
	rw.w.RunFor(time.Second)
	r := rw.nodes[2].dial()
	if got := r.do("EXISTS", "k1", "c"); got != ":0\r\n" {
		t.Fatalf("the replica kept migrated keys: EXISTS = %q", got)
	}
	if got := rw.info(a, "role"); got != "master" {
		t.Fatalf("role %q", got)
	}
	if got := a.do("INFO", "stats"); !strings.Contains(got, "migrate_cached_sockets:1") {
		t.Fatalf("one cached connection expected: %q", got)
	}
	rw.w.RunFor(12 * time.Second)
	if got := a.do("INFO", "stats"); !strings.Contains(got, "migrate_cached_sockets:0") {
		t.Fatalf("the idle connection was not closed after 10 s")
	}

	// A target that does not answer within the timeout: IOERR, and the
	// key stays. One that does not exist: IOERR connecting.
	a.do("SET", "k2", "v2")
	b.send("DEBUG", "SLEEP", "2")
	rw.w.RunFor(10 * time.Millisecond)
	a.expect(`
		MIGRATE b 6379 k2 0 300 -> -IOERR error or timeout reading to target instance\r\n
		EXISTS k2 -> :1\r\n
		MIGRATE nohost 6379 k2 0 300 -> -IOERR error or timeout connecting to the client\r\n
	`)

	// 7.0.15's connBlockingConnect ignores how its wait ended, so only an
	// unknown host is "connecting": a refused connection fails the write
	// (and its one retry), and an unanswered one fails the write after a
	// second wait of the timeout (ETIMEDOUT: no retry), as real Redis
	// does (IOERR writing, after 617 ms for a timeout of 300 with the
	// target's SYNs dropped).
	timed := func(args ...string) (string, time.Duration) {
		start := rw.w.Now()
		got := a.do(args...)
		return got, rw.w.Now().Sub(start)
	}
	const writing = "-IOERR error or timeout writing to target instance\r\n"
	if got, took := timed("MIGRATE", "b", "1", "k2", "0", "300"); got != writing || took > 10*time.Millisecond {
		t.Fatalf("MIGRATE to a closed port: %q after %v, want %q at once", got, took, writing)
	}
	if err := rw.net.Isolate("b"); err != nil {
		t.Fatal(err)
	}
	if got, took := timed("MIGRATE", "b", "6379", "k2", "0", "300"); got != writing || took < 600*time.Millisecond || took > 610*time.Millisecond {
		t.Fatalf("MIGRATE to a cut-off target: %q after %v, want %q after 600 ms", got, took, writing)
	}
	// syncWrite waits at least SYNCIO__RESOLUTION (10 ms) at a time.
	if got, took := timed("MIGRATE", "b", "6379", "k2", "0", "1"); got != writing || took < 11*time.Millisecond || took > 12*time.Millisecond {
		t.Fatalf("MIGRATE with a 1 ms timeout: %q after %v, want %q after 1 + 10 ms", got, took, writing)
	}
	// A timeout of 2^31 ms or more is a negative int to poll(2), which
	// then waits for an event only: the MIGRATE ends when the target is
	// back (the connection completes on a SYN retransmitted), not before.
	n := len(a.replies)
	a.send("MIGRATE", "b", "6379", "k2", "0", "4294967396")
	rw.w.RunFor(time.Hour)
	if len(a.replies) != n {
		t.Fatalf("MIGRATE with a timeout of 2^32+100 ms replied within an hour of a cut: %q", a.replies[len(a.replies)-1])
	}
	rw.net.Heal()
	if got := a.wait(n + 1); got != "+OK\r\n" {
		t.Fatalf("MIGRATE once the target is back: %q", got)
	}
}
