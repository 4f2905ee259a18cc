package sentinel

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// rawConn collects every byte a connection receives.
type rawConn struct {
	c    sim.Conn
	got  []byte
	shut bool
}

func (r *rawConn) OnOpen(sim.Conn)             {}
func (r *rawConn) OnData(_ sim.Conn, p []byte) { r.got = append(r.got, p...) }
func (r *rawConn) OnClose(_ sim.Conn, _ error) { r.shut = true }
func (r *rawConn) send(args ...string) []byte  { return resp.AppendCommandStrings(nil, args...) }

// TestCommandsLikeRedisSentinel replays testdata/commands.txt, recorded
// from a real redis-sentinel 7.0.15 monitoring an unreachable master
// ("mymaster" at 10.0.0.1:6379, quorum 2, down-after 60000), and compares
// the bytes of every reply.
func TestCommandsLikeRedisSentinel(t *testing.T) {
	f, err := os.Open("testdata/commands.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	h, _ := w.AddHost("s1", sim.HostConfig{})
	_ = h.Disk().Write(DefaultConfigFile, []byte("port 26387\nsentinel monitor mymaster 10.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster 60000\n"))
	p, _ := h.Spawn("sentinel", Program(Options{}))
	p.Start()
	ch, _ := w.AddHost("c1", sim.HostConfig{})
	rc := &rawConn{}
	cp, _ := ch.Spawn("client", func(env sim.Env) sim.Node {
		rc.c = env.Dial("s1:26387", time.Second, rc)
		return nopNode{}
	})
	cp.Start()
	w.RunFor(100 * time.Millisecond)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		cmdPart, wantPart, ok := strings.Cut(line, " -> ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		// The command is JSON strings separated by spaces (NUL bytes as
		// \u0000).
		var args []string
		dec := json.NewDecoder(strings.NewReader(cmdPart))
		for dec.More() {
			var a string
			if err := dec.Decode(&a); err != nil {
				t.Fatalf("bad command %q: %v", cmdPart, err)
			}
			args = append(args, a)
		}
		var want string
		if err := json.Unmarshal([]byte(wantPart), &want); err != nil {
			t.Fatalf("%q: %v", wantPart, err)
		}
		rc.got = rc.got[:0]
		rc.c.Write(rc.send(args...))
		w.RunFor(50 * time.Millisecond)
		if string(rc.got) != want {
			t.Errorf("%v\n got  %q\n want %q", args, rc.got, want)
		}
		n++
	}
	if n < 80 {
		t.Fatalf("only %d commands", n)
	}
}

// TestClientPause: CLIENT PAUSE holds every other command of every client
// until its end (seen by serverCron, at the next tick after it), WRITE only
// PUBLISH, and CLIENT UNPAUSE releases the held commands at once.
func TestClientPause(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 1})
	tw.w.RunFor(time.Second)
	a, b := tw.dial("s1:26379"), tw.dial("s1:26379")
	tw.w.RunFor(10 * time.Millisecond)
	if v := a.do("CLIENT", "PAUSE", "500"); v.String() != "OK" {
		t.Fatalf("PAUSE: %s", v.String())
	}
	start := tw.w.Now()
	v := b.do("PING") // waits in steps of 50 ms
	if d := tw.w.Now().Sub(start); v.String() != "PONG" || d < 500*time.Millisecond || d > 650*time.Millisecond {
		t.Fatalf("PING during a 500 ms pause: %s after %v", v.String(), d)
	}
	a.do("CLIENT", "PAUSE", "10000", "WRITE")
	start = tw.w.Now()
	if v := b.do("PING"); v.String() != "PONG" || tw.w.Now().Sub(start) > 100*time.Millisecond { // do waits in steps of 50 ms
		t.Fatal("PING held by a WRITE pause")
	}
	n := len(b.replies)
	b.c.Write(resp.AppendCommandStrings(nil, "PUBLISH", "__sentinel__:hello", "x"))
	tw.w.RunFor(2 * time.Second)
	if len(b.replies) != n {
		t.Fatalf("PUBLISH answered during a WRITE pause: %s", b.replies[n].String())
	}
	a.do("CLIENT", "UNPAUSE")
	tw.w.RunFor(10 * time.Millisecond)
	if len(b.replies) != n+1 || b.replies[n].String() != "(integer) 1" {
		t.Fatalf("PUBLISH after UNPAUSE: %d replies", len(b.replies)-n)
	}
}

// TestUnblockPostponed: CLIENT UNBLOCK of a client a pause holds, as
// redis-sentinel 7.0.15 does it: CLIENT LIST flags it b; with ERROR it
// reads -UNBLOCKED and stays held until the pause ends; with TIMEOUT the
// sentinel panics (Unknown btype in replyToBlockedClientTimedOut).
func TestUnblockPostponed(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1})
	tw.w.RunFor(time.Second)
	a, b := tw.dial("s1:26379"), tw.dial("s1:26379")
	id := strconv.FormatInt(b.do("CLIENT", "ID").Int, 10)
	flagsOfB := func() string {
		m := regexp.MustCompile(`(?m)^id=` + id + ` .* flags=(\S+) `).FindStringSubmatch(string(a.do("CLIENT", "LIST").Str))
		if m == nil {
			t.Fatalf("CLIENT LIST has no id=%s", id)
		}
		return m[1]
	}
	send := func(c *tconn, args ...string) {
		c.c.Write(resp.AppendCommandStrings(nil, args...))
		tw.w.RunFor(10 * time.Millisecond)
	}
	a.do("CLIENT", "PAUSE", "100000", "WRITE")
	send(b, "PUBLISH", "x", "y")
	if f := flagsOfB(); f != "b" {
		t.Errorf("held: flags=%s, want b", f)
	}
	if got := a.do("CLIENT", "UNBLOCK", id, "ERROR").String(); got != "(integer) 1" {
		t.Errorf("CLIENT UNBLOCK ERROR -> %s, want 1", got)
	}
	tw.w.RunFor(10 * time.Millisecond)
	if len(b.replies) != 2 || b.replies[1].String() != "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Fatalf("the unblocked client read %v", b.replies)
	}
	if f := flagsOfB(); f != "b" {
		t.Errorf("after the unblock: flags=%s, want b (held again)", f)
	}
	a.do("CLIENT", "UNPAUSE")
	tw.w.RunFor(10 * time.Millisecond)
	if len(b.replies) != 3 || b.replies[2].String() != "(error) ERR Only HELLO messages are accepted by Sentinel instances." {
		t.Fatalf("after UNPAUSE the client read %v", b.replies)
	}
	a.do("CLIENT", "PAUSE", "100000", "WRITE")
	send(b, "PUBLISH", "x", "y")
	send(a, "CLIENT", "UNBLOCK", id)
	if tw.sentinels[0].State() != sim.Down || !strings.Contains(logs(tw.w), "Guru Meditation: Unknown btype in replyToBlockedClientTimedOut(). #blocked.c:230") {
		t.Errorf("CLIENT UNBLOCK TIMEOUT: sentinel %v, want down with the panic logged", tw.sentinels[0].State())
	}
}

// TestInfoPubsubPatterns: INFO's pubsub_patterns counts distinct patterns,
// as redis-sentinel 7.0.15 does (dictSize(server.pubsub_patterns)).
func TestInfoPubsubPatterns(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1})
	tw.w.RunFor(time.Second)
	a, b, c := tw.dial("s1:26379"), tw.dial("s1:26379"), tw.dial("s1:26379")
	a.do("PSUBSCRIBE", "p*")
	a.do("PSUBSCRIBE", "q*")
	b.do("PSUBSCRIBE", "p*")
	if info := string(c.do("INFO", "stats").Str); !strings.Contains(info, "\r\npubsub_patterns:2\r\n") {
		t.Errorf("INFO stats: want pubsub_patterns:2\n%s", info)
	}
}
