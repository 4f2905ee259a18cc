package redisdiff

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// CLIENT UNBLOCK of a client that a pause holds (BLOCKED_POSTPONE), which
// Redis 7.0.15 does not expect: with ERROR the client reads -UNBLOCKED and
// its command, run again, is held again until the pause ends; with
// TIMEOUT replyToBlockedClientTimedOut meets a block it does not know and
// the server panics.
func TestUnblockPostponed(t *testing.T) {
	t.Parallel()
	want := unblockPostponed(t, Side{Name: "redis", Addr: StartRedis(t)})
	got := unblockPostponed(t, Side{Name: "node", Addr: startNode(t)})
	if want != got {
		t.Errorf("\n\tredis: %s\n\tnode:  %s", want, got)
	}
}

func unblockPostponed(t *testing.T, side Side) string {
	var seen []string
	a, err := Dial(side.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Dial(side.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	do := func(c *Conn, args ...string) string {
		raw, err := c.DoStrings(args...)
		if err != nil {
			t.Fatalf("%s: %v: %v", side.Name, args, err)
		}
		return strings.TrimSpace(string(raw))
	}
	id := strings.TrimPrefix(do(b, "CLIENT", "ID"), ":")
	flagsOfB := func() string {
		m := regexp.MustCompile(`(?m)^id=` + id + ` .* flags=(\S+) `).FindStringSubmatch(do(a, "CLIENT", "LIST"))
		if m == nil {
			t.Fatalf("%s: CLIENT LIST has no id=%s", side.Name, id)
		}
		return m[1]
	}
	postpone := func(args ...string) {
		if err := b.Send(strArgs(args)...); err != nil {
			t.Fatal(err)
		}
		if err := awaitProcessed(side.Addr, b, ReplyTimeout); err != nil {
			t.Fatalf("%s: %v: %v", side.Name, args, err)
		}
	}
	seen = append(seen, do(a, "CLIENT", "PAUSE", "100000", "WRITE"))
	postpone("SET", "k", "v")
	seen = append(seen, "held:"+flagsOfB(), "unblock error:"+do(a, "CLIENT", "UNBLOCK", id, "ERROR"))
	raw, err := b.Receive(ReplyTimeout)
	seen = append(seen, "b:"+strings.TrimSpace(string(raw)), "after:"+flagsOfB(), "GET:"+do(a, "GET", "k"))
	if err != nil {
		t.Fatalf("%s: the unblocked client: %v", side.Name, err)
	}
	seen = append(seen, do(a, "CLIENT", "UNPAUSE"))
	raw, err = b.Receive(ReplyTimeout)
	seen = append(seen, "b:"+strings.TrimSpace(string(raw)), "GET:"+do(a, "GET", "k"))
	if err != nil {
		t.Fatalf("%s: the released client: %v", side.Name, err)
	}
	// The same with TIMEOUT: the server dies without a reply.
	seen = append(seen, do(a, "CLIENT", "PAUSE", "100000", "WRITE"))
	postpone("SET", "k", "w")
	_, err = a.DoStrings("CLIENT", "UNBLOCK", id)
	seen = append(seen, "unblock timeout answered:"+boolWord(err == nil))
	// The process is gone once its port refuses connections (redis-server
	// writes its crash report first).
	gone := false
	for deadline := time.Now().Add(10 * time.Second); !gone && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		nc, err := net.DialTimeout("tcp", side.Addr, time.Second)
		if err != nil {
			gone = true
		} else {
			_ = nc.Close()
		}
	}
	seen = append(seen, "exited:"+boolWord(gone))
	return strings.Join(seen, " | ")
}

func strArgs(args []string) [][]byte {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	return bs
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
