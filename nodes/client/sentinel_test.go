package client

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// fakeSentinel answers SENTINEL GET-MASTER-ADDR-BY-NAME from its table
// (null for a name it does not know) and counts the questions.
type fakeSentinel struct {
	masters map[string][2]string
	asked   int
}

func (f *fakeSentinel) Stop() {}

func (f *fakeSentinel) accept(sim.Conn) sim.ConnHandler {
	return &fakeSentinelConn{f: f, r: resp.NewReader()}
}

type fakeSentinelConn struct {
	f *fakeSentinel
	r *resp.Reader
}

func (fc *fakeSentinelConn) OnOpen(sim.Conn) {}
func (fc *fakeSentinelConn) OnData(c sim.Conn, p []byte) {
	fc.r.Feed(p)
	for {
		args, ok, err := fc.r.Next()
		if err != nil || !ok {
			return
		}
		fc.f.asked++
		w := resp.NewWriter(2)
		if len(args) == 3 && strings.EqualFold(string(args[1]), "get-master-addr-by-name") {
			if a, ok := fc.f.masters[string(args[2])]; ok {
				w.WriteArrayLen(2)
				w.WriteBulkString(a[0])
				w.WriteBulkString(a[1])
			} else {
				w.WriteNullArray()
			}
		} else {
			w.WriteError("ERR unknown command")
		}
		c.Write(w.Bytes())
	}
}
func (fc *fakeSentinelConn) OnClose(sim.Conn, error) {}

func (tw *testWorld) addFakeSentinel(host string, f *fakeSentinel) *sim.Process {
	tw.t.Helper()
	h, err := tw.w.AddHost(host, sim.HostConfig{})
	if err != nil {
		tw.t.Fatal(err)
	}
	p, _ := h.Spawn("sentinel-"+host, func(env sim.Env) sim.Node {
		if err := env.Listen(26379, f.accept); err != nil {
			tw.t.Fatal(err)
		}
		return f
	})
	p.Start()
	return p
}

// TestSentinelDiscoveryAndFailover: the client skips a sentinel that is
// down and one that does not know the master, writes to the master the
// next one names, and after a failover (the old master demoted, the
// sentinels naming the new one) its -READONLY makes it ask again and
// follow.
func TestSentinelDiscoveryAndFailover(t *testing.T) {
	tw := newTestWorld(t, 3, lan(), redis.DefaultConfig())
	tw.addRedis("r2", redis.DefaultConfig())
	if _, err := tw.w.AddHost("s1", sim.HostConfig{}); err != nil { // no sentinel runs there
		t.Fatal(err)
	}
	empty := &fakeSentinel{masters: map[string][2]string{}}
	good := &fakeSentinel{masters: map[string][2]string{"mymaster": {"r1", "6379"}}}
	tw.addFakeSentinel("s2", empty)
	tw.addFakeSentinel("s3", good)
	o := tw.options(0, NewRegister())
	o.Target = nil
	o.Sentinel = &Sentinel{Addrs: []string{"s1:26379", "s2:26379", "s3:26379"}, MasterName: "mymaster"}
	tw.spawn(o)
	tw.w.RunFor(time.Second)
	before := len(tw.h.Ops())
	if before < 20 {
		t.Fatalf("%d operations in a second", before)
	}
	for _, op := range tw.h.Ops() {
		if op.Node != "r1" || op.Outcome != history.Ok {
			t.Fatalf("before the failover: %+v", op)
		}
	}
	asked := good.asked
	if asked != 1 || empty.asked != 1 {
		t.Fatalf("discovery asked s2 %d and s3 %d times, want once each", empty.asked, good.asked)
	}

	// The failover as Sentinel makes it: r2 is promoted, the sentinels name
	// it, then r1 is made its replica.
	tw.do("r2", "REPLICAOF", "NO", "ONE")
	good.masters["mymaster"] = [2]string{"r2", "6379"}
	tw.do("r1", "REPLICAOF", "r2", "6379")
	tw.w.RunFor(time.Second)
	ops := tw.h.Ops()[before:]
	readonly, onR2 := 0, 0
	for _, op := range ops {
		switch {
		case op.Outcome == history.Fail && strings.HasPrefix(op.Error, "READONLY"):
			readonly++
		case op.Node == "r2" && op.Outcome == history.Ok:
			onR2++
		}
	}
	if readonly == 0 || readonly > 2 || onR2 < 20 {
		t.Fatalf("after the failover: %d READONLY, %d ok on r2 of %d operations", readonly, onR2, len(ops))
	}
	// The sentinel that answered was asked first: s2 was not asked again.
	if empty.asked != 1 || good.asked != asked+1 {
		t.Errorf("rediscovery asked s2 %d and s3 %d times", empty.asked, good.asked)
	}
}

// TestSentinelStaleAnswer: a sentinel naming a replica (ROLE says slave)
// is not followed; the client asks again until the answer is a master.
func TestSentinelStaleAnswer(t *testing.T) {
	tw := newTestWorld(t, 4, lan(), redis.DefaultConfig())
	tw.addRedis("r2", redis.DefaultConfig())
	tw.w.RunFor(10 * time.Millisecond)
	tw.do("r2", "REPLICAOF", "r1", "6379")
	s := &fakeSentinel{masters: map[string][2]string{"m": {"r2", "6379"}}}
	tw.addFakeSentinel("s1", s)
	o := tw.options(0, NewRegister())
	o.Target = nil
	o.Sentinel = &Sentinel{Addrs: []string{"s1:26379"}, MasterName: "m"}
	tw.spawn(o)
	tw.w.RunFor(500 * time.Millisecond)
	if n := len(tw.h.Ops()); n != 0 {
		t.Fatalf("%d operations went to a replica", n)
	}
	if s.asked < 3 {
		t.Fatalf("the sentinel was asked %d times in 500 ms", s.asked)
	}
	s.masters["m"] = [2]string{"r1", "6379"}
	tw.w.RunFor(500 * time.Millisecond)
	ops := tw.h.Ops()
	if len(ops) < 10 {
		t.Fatalf("%d operations after the sentinel named the master", len(ops))
	}
	for _, op := range ops {
		if op.Node != "r1" || op.Outcome != history.Ok {
			t.Fatalf("%+v", op)
		}
	}
}

// TestSentinelTranslate: a live run's sentinel answers with an address
// of the machine's; Translate maps it to the deployment's host, which the
// client dials and its history names.
func TestSentinelTranslate(t *testing.T) {
	tw := newTestWorld(t, 4, lan(), redis.DefaultConfig())
	s := &fakeSentinel{masters: map[string][2]string{"m": {"127.0.9.1", "6379"}}}
	tw.addFakeSentinel("s1", s)
	o := tw.options(0, NewRegister())
	o.Target = nil
	var asked []string
	o.Sentinel = &Sentinel{Addrs: []string{"s1:26379"}, MasterName: "m", Translate: func(addr string) string {
		asked = append(asked, addr)
		if addr == "127.0.9.1:6379" {
			return "r1:6379"
		}
		return addr
	}}
	tw.spawn(o)
	tw.w.RunFor(500 * time.Millisecond)
	ops := tw.h.Ops()
	if len(ops) < 10 || len(asked) == 0 || asked[0] != "127.0.9.1:6379" {
		t.Fatalf("%d operations; Translate was asked %q", len(ops), asked)
	}
	for _, op := range ops {
		if op.Node != "r1" || op.Outcome != history.Ok {
			t.Fatalf("want every operation on r1, the translated address: %+v", op)
		}
	}
}

func TestSentinelOptions(t *testing.T) {
	o := Options{History: &history.History{}, Now: func() clock.Time { return 0 }, Workload: NewRegister()}
	o.Target, o.Sentinel = Fixed("r1:6379"), &Sentinel{Addrs: []string{"s1:26379"}, MasterName: "m"}
	if _, err := Program(o); err == nil || !strings.Contains(err.Error(), "exclusive") {
		t.Errorf("Target and Sentinel: %v", err)
	}
	o.Target, o.Sentinel = nil, &Sentinel{MasterName: "m"}
	if _, err := Program(o); err == nil || !strings.Contains(err.Error(), "sentinels' addresses") {
		t.Errorf("no sentinel addresses: %v", err)
	}
}

// do runs one command on host's Redis node from a process of its own and
// waits for the reply.
func (tw *testWorld) do(host string, args ...string) {
	tw.t.Helper()
	var got string
	done := false
	n := len(tw.w.Host("c1").Processes())
	p, _ := tw.w.Host("c1").Spawn("admin"+strconv.Itoa(n), func(env sim.Env) sim.Node {
		c := redisconn.New(env, host+":6379", redisconn.Options{DialTimeout: time.Second, Timeout: time.Second})
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		c.Do(redisconn.Func(func(v resp.Value, err error) {
			got, done = redisconn.Brief(v), true
			if err != nil {
				got = err.Error()
			}
			c.Close()
		}), 0, bs...)
		return clientNodeStub{}
	})
	p.Start()
	tw.w.RunFor(50 * time.Millisecond)
	if !done || got != "OK" {
		tw.t.Fatalf("%s %q: %q (replied %v)", host, args, got, done)
	}
}

type clientNodeStub struct{}

func (clientNodeStub) Stop() {}
