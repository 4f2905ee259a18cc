package redis

import (
	"strings"
	"testing"
	"time"
)

func TestStringsAndKeys(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect(`
PING -> +PONG\r\n
SET a 1 -> +OK\r\n
GET a -> $1\r\n1\r\n
INCR a -> :2\r\n
INCRBY a x -> -ERR value is not an integer or out of range\r\n
APPEND a xyz -> :4\r\n
INCR a -> -ERR value is not an integer or out of range\r\n
GET missing -> $-1\r\n
SET a 1 NX -> $-1\r\n
SET a 2 XX GET -> $4\r\n2xyz\r\n
SET b v PX 100 -> +OK\r\n
SET b v EX 10 PX 10 -> -ERR syntax error\r\n
SET b v EX 0 -> -ERR invalid expire time in 'set' command\r\n
PERSIST b -> :1\r\n
PTTL b -> :-1\r\n
TTL a -> :-1\r\n
TTL nokey -> :-2\r\n
LPUSH a x -> -WRONGTYPE Operation against a key holding the wrong kind of value\r\n
EXPIRE a 10 NX XX -> -ERR NX and XX, GT or LT options at the same time are not compatible\r\n
FOO bar -> -ERR unknown command 'FOO', with args beginning with: 'bar' \r\n
GET -> -ERR wrong number of arguments for 'get' command\r\n
CONFIG FOO -> -ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n
INCRBYFLOAT f 10.5 -> $4\r\n10.5\r\n
INCRBYFLOAT f 0.1 -> $4\r\n10.6\r\n
GETRANGE a 0 -1 -> $1\r\n2\r\n
DEL a b f -> :3\r\n
DBSIZE -> :0\r\n
`)
}

func TestLazyAndActiveExpiry(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	for i := 0; i < 100; i++ {
		c.do("SET", "k"+itoa(int64(i)), "v", "PX", "5000")
	}
	c.do("SET", "keep", "v")
	if got := c.do("DBSIZE"); got != ":101\r\n" {
		t.Fatalf("dbsize %q", got)
	}
	tw.w.RunFor(10e9)
	// No command touched the keys: only the active cycle can have removed
	// them.
	if got := tw.server().dbs[0].keys.Len(); got > 5 {
		t.Fatalf("active expiry left %d keys", got)
	}
	if got := c.do("GET", "k1"); got != "$-1\r\n" {
		t.Fatalf("get expired: %q", got)
	}
}

func TestMultiWatch(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	a, b := tw.dial(), tw.dial()
	a.expect(`
WATCH k -> +OK\r\n
MULTI -> +OK\r\n
SET k 1 -> +QUEUED\r\n
`)
	b.do("SET", "k", "2")
	a.expect(`
EXEC -> *-1\r\n
MULTI -> +OK\r\n
SET k -> -ERR wrong number of arguments for 'set' command\r\n
EXEC -> -EXECABORT Transaction discarded because of previous errors.\r\n
MULTI -> +OK\r\n
INCR k -> +QUEUED\r\n
LPUSH k x -> +QUEUED\r\n
EXEC -> *2\r\n:3\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n
`)
}

func TestBlockingPop(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	a, b := tw.dial(), tw.dial()
	a.send("BLPOP", "q", "0")
	tw.w.RunFor(5e9)
	if len(a.replies) != 0 {
		t.Fatalf("BLPOP returned early: %q", a.replies)
	}
	b.do("RPUSH", "q", "x", "y")
	if got := a.wait(1); got != "*2\r\n$1\r\nq\r\n$1\r\nx\r\n" {
		t.Fatalf("blpop: %q", got)
	}
	if got := b.do("LRANGE", "q", "0", "-1"); got != "*1\r\n$1\r\ny\r\n" {
		t.Fatalf("rest: %q", got)
	}
	if got := a.do("BLPOP", "empty", "0.5"); got != "*-1\r\n" {
		t.Fatalf("timeout: %q", got)
	}
}

func TestPubSub(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	a, b := tw.dial(), tw.dial()
	a.expect(`
SUBSCRIBE ch -> *3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n
GET x -> -ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n
`)
	b.expect(`PUBLISH ch hello -> :1\r\n`)
	if got := a.wait(3); got != "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n" {
		t.Fatalf("message: %q", got)
	}
}

// runToMs runs the world until the node's wall clock reads ms past a
// whole second (to the millisecond).
func (tw *testWorld) runToMs(ms int64) {
	for tw.server().nowMs()%1000 != ms {
		tw.w.RunFor(time.Millisecond)
	}
}

// TestIdleInWholeSeconds: c->lastinteraction and c->ctime are the cached
// server.unixtime, in whole seconds, so CLIENT LIST's age and idle and the
// timeout's test count second boundaries crossed, not elapsed time: a
// client last heard at x.950 is idle=1 at x+1.050, and with timeout 2 a
// client last heard at x.050 is closed by the first cron of second x+3
// (3-0 > 2), not 2 s after it was heard.
func TestIdleInWholeSeconds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TimeoutSeconds = 2
	tw := newTestWorld(t, cfg)
	a, b, c := tw.dial(), tw.dial(), tw.dial()
	tw.runToMs(50)
	c.do("CLIENT", "SETNAME", "c") // x.050
	tw.runToMs(950)
	b.do("CLIENT", "SETNAME", "b") // x.950
	tw.runToMs(50)
	list := a.do("CLIENT", "LIST") // x+1.050
	if !strings.Contains(list, " name=b age=1 idle=1 ") || !strings.Contains(list, " name=c age=1 idle=1 ") {
		t.Errorf("CLIENT LIST at x+1.050, b last heard at x.950 and c at x.050:\n%s", list)
	}
	tw.w.RunFor(1850 * time.Millisecond) // x+2.900
	if a.closed || b.closed || c.closed {
		t.Fatalf("closed before second x+3: a %v, b %v, c %v", a.closed, b.closed, c.closed)
	}
	tw.w.RunFor(200 * time.Millisecond) // x+3.100
	if a.closed || !b.closed || !c.closed {
		t.Fatalf("at x+3.100: a closed %v (want open: heard in second x+1), b %v and c %v (want closed)", a.closed, b.closed, c.closed)
	}
	tw.w.RunFor(time.Second) // x+4.100
	if !a.closed {
		t.Fatal("a still open in second x+4")
	}
}

// TestTimeoutDuringBusyScript: a client heard while a script is busy is
// stamped when the node reads it between the script's stretches, with the
// time processEventsWhileBlocked caches then; so it outlives the timeout
// that closes the idle client, as redis-server 7.0.15 does with timeout 2
// and a 5.5 s script.
func TestTimeoutDuringBusyScript(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TimeoutSeconds = 2
	cfg.BusyReplyThreshold = 50 * time.Millisecond
	cfg.LuaInstructionCost = time.Microsecond
	tw := newTestWorld(t, cfg)
	defer tw.w.Close()
	caller, b, c := tw.dial(), tw.dial(), tw.dial()
	b.do("CLIENT", "SETNAME", "b")
	c.do("CLIENT", "SETNAME", "c")
	// A script of 5.5 s at 1 µs a Lua instruction.
	start := tw.w.Now()
	caller.send("EVAL", "local i=0 while i < 1850000 do i=i+1 end return 1", "0")
	tw.w.RunFor(4200 * time.Millisecond)
	b.send("PING")
	if got := b.wait(2); !strings.HasPrefix(got, "-BUSY") {
		t.Fatalf("PING during the script: %q", got)
	}
	if tw.w.Now().Sub(start) > 5*time.Second || caller.closed || len(caller.replies) > 0 {
		t.Fatalf("the script is over or b's PING read only at %v", tw.w.Now().Sub(start))
	}
	tw.w.RunFor(2 * time.Second) // the script ends at 5.5 s; the cron runs
	if b.closed || !c.closed {
		t.Errorf("after the script: b (heard at 4.2 s) closed %v, want open; c (idle) closed %v, want closed", b.closed, c.closed)
	}
	mustReply(t, b, "+PONG\r\n", "PING")
}

// TestInfoPubsubPatterns: INFO's pubsub_patterns is dictSize of the
// patterns dict in 7.0: two clients on one pattern count once.
func TestInfoPubsubPatterns(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	a, b, c := tw.dial(), tw.dial(), tw.dial()
	a.do("PSUBSCRIBE", "p*", "q*")
	b.do("PSUBSCRIBE", "p*")
	if info := c.do("INFO", "stats"); !strings.Contains(info, "\r\npubsub_patterns:2\r\n") {
		t.Errorf("INFO stats: want pubsub_patterns:2\n%s", info)
	}
}
