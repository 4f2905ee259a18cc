package redisdiff

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
)

// SHUTDOWN on a master whose replica lags (a real redis-server replica,
// held by DEBUG SLEEP) waits for it, as Redis 7.0 does: the SHUTDOWN
// client is blocked, writes are held and reads served, INFO shows
// shutdown_in_milliseconds, SHUTDOWN ABORT cancels (the waiting client is
// told the shutdown failed, the held write runs). Redis does not reset a
// client released from SHUTDOWN: after an inline SHUTDOWN its next line is
// read inline whatever it is; after a multibulk one its next command trips
// an assertion and the server dies.
func TestShutdownWaitsForReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("each side waits out a replica's 5 s DEBUG SLEEP in real time; make test runs it")
	}
	t.Parallel()
	want := shutdownStory(t, StartRedisIn(t, t.TempDir(), "--repl-diskless-sync-delay", "0"))
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.ReplDisklessSyncDelay = 0
	got := shutdownStory(t, StartNode(t, cfg))
	if want != got {
		t.Errorf("\n\tredis: %s\n\tnode:  %s", want, got)
	}
}

func shutdownStory(t *testing.T, master string) string {
	host, port, err := net.SplitHostPort(master)
	if err != nil {
		t.Fatal(err)
	}
	replica := StartRedisIn(t, t.TempDir(), "--enable-debug-command", "yes", "--replicaof", host, port)
	dial := func(addr string) *Conn {
		c, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, s, w, r := dial(master), dial(master), dial(master), dial(replica)
	defer r.Close()
	do := func(c *Conn, args ...string) string {
		raw, err := c.DoStrings(args...)
		if err != nil {
			t.Fatalf("%s: %v: %v", master, args, err)
		}
		return strings.TrimSpace(string(raw))
	}
	online := regexp.MustCompile(`slave0:.*state=online`)
	for deadline := time.Now().Add(10 * time.Second); !online.MatchString(do(a, "INFO", "replication")); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the replica is not online after 10 s", master)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.Send([]byte("DEBUG"), []byte("SLEEP"), []byte("5")); err != nil {
		t.Fatal(err)
	}
	// The replica sleeps once a PING on another connection goes unanswered:
	// an awake replica would answer the SHUTDOWN's GETACK and let the
	// master exit at once.
	r2 := dial(replica)
	defer r2.Close()
	for asleep, deadline := false, time.Now().Add(4*time.Second); !asleep; {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the replica did not go to sleep", master)
		}
		if err := r2.Send([]byte("PING")); err != nil {
			t.Fatal(err)
		}
		_, err := r2.Receive(100 * time.Millisecond)
		asleep = err != nil
	}
	var seen []string
	seen = append(seen, do(a, "SET", "a", "1"))
	if _, err := s.nc.Write([]byte("SHUTDOWN\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := awaitProcessed(master, s, ReplyTimeout); err != nil {
		t.Fatalf("%s: SHUTDOWN: %v", master, err)
	}
	seen = append(seen, "counting down:"+boolWord(strings.Contains(do(a, "INFO", "server"), "\r\nshutdown_in_milliseconds:")))
	if err := w.Send([]byte("SET"), []byte("b"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := awaitProcessed(master, w, ReplyTimeout); err != nil {
		t.Fatalf("%s: SET during the wait: %v", master, err)
	}
	field := regexp.MustCompile(` (flags|cmd)=(\S+)`)
	for _, line := range strings.Split(do(a, "CLIENT", "LIST"), "\n") {
		if f := field.FindAllStringSubmatch(line, -1); len(f) == 2 && (f[1][2] == "shutdown" || f[1][2] == "set") {
			seen = append(seen, f[1][2]+":"+f[0][2])
		}
	}
	seen = append(seen, do(a, "GET", "a"), do(a, "SHUTDOWN", "ABORT"))
	for _, c := range []*Conn{s, w} {
		raw, err := c.Receive(ReplyTimeout)
		if err != nil {
			t.Fatalf("%s: after the abort: %v", master, err)
		}
		seen = append(seen, strings.TrimSpace(string(raw)))
	}
	seen = append(seen, do(a, "SHUTDOWN", "ABORT"), do(a, "GET", "b"))
	// The client released from its inline SHUTDOWN sends a multibulk PING.
	if err := s.Send([]byte("PING")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		raw, err := s.Receive(ReplyTimeout)
		if err != nil {
			t.Fatalf("%s: PING after the released inline SHUTDOWN: %v", master, err)
		}
		seen = append(seen, strings.TrimSpace(string(raw)))
	}
	// A multibulk SHUTDOWN, aborted, then a command from its client.
	z := dial(master)
	if err := z.Send([]byte("SHUTDOWN")); err != nil {
		t.Fatal(err)
	}
	if err := awaitProcessed(master, z, ReplyTimeout); err != nil {
		t.Fatalf("%s: the second SHUTDOWN: %v", master, err)
	}
	seen = append(seen, do(a, "SHUTDOWN", "ABORT"))
	raw, err := z.Receive(ReplyTimeout)
	if err != nil {
		t.Fatalf("%s: after the second abort: %v", master, err)
	}
	seen = append(seen, strings.TrimSpace(string(raw)))
	if err := z.Send([]byte("PING")); err != nil {
		t.Fatal(err)
	}
	_, err = z.Receive(ReplyTimeout)
	seen = append(seen, "closed without a reply:"+boolWord(err != nil && !strings.Contains(err.Error(), "no reply within")))
	// The process is gone once its port refuses connections.
	gone := false
	for deadline := time.Now().Add(10 * time.Second); !gone && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		nc, err := net.DialTimeout("tcp", master, time.Second)
		if err != nil {
			gone = true
		} else {
			_ = nc.Close()
		}
	}
	seen = append(seen, "exited:"+boolWord(gone))
	for _, c := range []*Conn{a, s, w, z} {
		_ = c.nc.Close()
	}
	return strings.Join(seen, " | ")
}
