package client

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// fakeServer answers the n-th request (from 1, over all connections) with
// replies[n-1] after delays[n-1], and "+OK" once the script runs out.
type fakeServer struct {
	env     sim.Env
	replies []string
	delays  []time.Duration
	n       int
}

func (f *fakeServer) Stop() {}

// start runs f on a new host of tw's world, listening on port 6379.
func (f *fakeServer) start(t *testing.T, tw *testWorld, host string) {
	t.Helper()
	h, _ := tw.w.AddHost(host, sim.HostConfig{})
	p, _ := h.Spawn("fake", func(env sim.Env) sim.Node {
		f.env = env
		if err := env.Listen(6379, f.accept); err != nil {
			t.Fatal(err)
		}
		return f
	})
	p.Start()
}

func (f *fakeServer) accept(sim.Conn) sim.ConnHandler { return &fakeConn{f: f, r: resp.NewReader()} }

type fakeConn struct {
	f *fakeServer
	r *resp.Reader
}

func (fc *fakeConn) OnOpen(sim.Conn) {}
func (fc *fakeConn) OnData(c sim.Conn, p []byte) {
	fc.r.Feed(p)
	for {
		_, ok, err := fc.r.Next()
		if err != nil || !ok {
			return
		}
		f := fc.f
		f.n++
		reply, delay := "+OK\r\n", time.Duration(0)
		if f.n <= len(f.replies) {
			reply, delay = f.replies[f.n-1], f.delays[f.n-1]
		}
		f.env.After(delay, func() { c.Write([]byte(reply)) })
	}
}
func (fc *fakeConn) OnClose(sim.Conn, error) {}

// TestRepliesTheClientCannotTrust: a reply later than the timeout is Info
// and never matched to the next request; a reply of the wrong shape is Info;
// a malformed stream is Info and the connection is replaced.
func TestRepliesTheClientCannotTrust(t *testing.T) {
	tw := newTestWorld(t, 9, lan(), redis.DefaultConfig())
	f := &fakeServer{
		replies: []string{":7\r\n", "+OK\r\n", ":1\r\n", "?junk\r\n", "+OK\r\n"},
		delays:  []time.Duration{0, 400 * time.Millisecond, 100 * time.Millisecond, 0, 0},
	}
	f.start(t, tw, "f1")
	o := tw.options(0, &Register{Keys: 1})
	o.Target = Fixed("f1:6379")
	tw.spawn(o)
	tw.w.RunFor(time.Second)
	ops := tw.h.Ops()
	if len(ops) < 6 {
		t.Fatalf("%d ops", len(ops))
	}
	want := []struct {
		outcome history.Outcome
		err     string
	}{
		{history.Info, "unexpected reply: (integer) 7"},
		{history.Info, "timeout after 300ms"},
		// The late "+OK" (at 400ms) went to the closed connection; this SET,
		// sent on a new one before it came, sees its own ":1" (at 100ms).
		{history.Info, "unexpected reply: (integer) 1"},
		{history.Info, "bad reply stream from f1:6379: "},
		{history.Ok, ""},
	}
	for i, w := range want {
		op := ops[i]
		if op.Outcome != w.outcome || !strings.HasPrefix(op.Error, w.err) {
			t.Errorf("op %d = %s %q, want %s %q", i, op.Outcome, op.Error, w.outcome, w.err)
		}
	}
}

// TestWaitAddErrorAfterApply: WaitAdd's SADD runs before its WAIT; a WAIT
// that then fails (UNBLOCKED when the master becomes a replica) leaves the
// add applied: Info, not Fail, which would make the element "failed but
// present". A refused SADD still fails the add.
func TestWaitAddErrorAfterApply(t *testing.T) {
	tw := newTestWorld(t, 9, lan(), redis.DefaultConfig())
	f := &fakeServer{
		replies: []string{":1\r\n", "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n",
			"-READONLY You can't write against a read only replica.\r\n", "-ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.\r\n"},
		delays: make([]time.Duration, 4),
	}
	f.start(t, tw, "f1")
	o := tw.options(0, &WaitAdd{Keys: 1, Replicas: 1, TimeoutMS: 100})
	o.Target = Fixed("f1:6379")
	tw.spawn(o)
	tw.w.RunFor(50 * time.Millisecond)
	ops := tw.h.Ops()
	if len(ops) < 2 {
		t.Fatalf("%d ops", len(ops))
	}
	if ops[0].Outcome != history.Info || !strings.Contains(ops[0].Error, "UNBLOCKED") {
		t.Errorf("an add whose WAIT failed after the SADD: %s %q, want info", ops[0].Outcome, ops[0].Error)
	}
	if ops[1].Outcome != history.Fail || !strings.HasPrefix(ops[1].Error, "READONLY") {
		t.Errorf("an add whose SADD was refused: %s %q, want fail", ops[1].Outcome, ops[1].Error)
	}
}

// TestScriptErrorIsInfo: an error raised inside a script (Redis names the
// script: " script: <sha>") comes after the writes the script made, which
// stay: the transaction is info; an error refusing the script (NOSCRIPT,
// a wrong argument count) fails it.
func TestScriptErrorIsInfo(t *testing.T) {
	tw := newTestWorld(t, 9, lan(), redis.DefaultConfig())
	f := &fakeServer{
		replies: []string{"-ERR Script attempted to access a non local key in a cluster node script: 8f3b6d6b0e0f0b1a2a6f9e1c2d3e4f5a6b7c8d9e, on @user_script:1.\r\n",
			"-ERR wrong number of arguments for 'eval' command\r\n"},
		delays: make([]time.Duration, 2),
	}
	f.start(t, tw, "f1")
	w := NewTxn()
	w.Script = true
	o := tw.options(0, w)
	o.Target = Fixed("f1:6379")
	tw.spawn(o)
	tw.w.RunFor(50 * time.Millisecond)
	ops := tw.h.Ops()
	if len(ops) < 2 {
		t.Fatalf("%d ops", len(ops))
	}
	if ops[0].Outcome != history.Info {
		t.Errorf("an error raised in the script: %s %q, want info", ops[0].Outcome, ops[0].Error)
	}
	if ops[1].Outcome != history.Fail {
		t.Errorf("a script refused: %s %q, want fail", ops[1].Outcome, ops[1].Error)
	}
}
