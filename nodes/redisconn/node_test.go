package redisconn_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// TestAgainstTheRedisNode runs a Conn against Redsim's own Redis node over
// the simulated network: AUTH and HELLO 3, a pipeline of 100 commands
// answered in order, a RESP3 map, and pub/sub pushes.
func TestAgainstTheRedisNode(t *testing.T) {
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(200 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	rh, _ := w.AddHost("r1", sim.HostConfig{})
	cfg := redis.DefaultConfig()
	cfg.RequirePass = "secret"
	rp, err := rh.Spawn("redis", redis.Program(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rp.Start()
	ch, _ := w.AddHost("c1", sim.HostConfig{})
	var got []string
	var pushes []string
	cp, _ := ch.Spawn("client", func(env sim.Env) sim.Node {
		o := redisconn.Options{Protocol: 3, Password: "secret", ClientName: "t", Timeout: time.Second}
		c := redisconn.New(env, "r1:6379", o)
		sub := redisconn.New(env, "r1:6379", redisconn.Options{Protocol: 3, Password: "secret", OnPush: func(v resp.Value) {
			pushes = append(pushes, v.String())
		}})
		sub.Send([]byte("SUBSCRIBE"), []byte("ch"))
		sub.Do(redisconn.Func(func(v resp.Value, err error) {
			// The PING is answered after the subscription's confirmation:
			// now a PUBLISH reaches the subscriber.
			got = append(got, "sub ping: "+v.String())
			c.Do(redisconn.Func(func(v resp.Value, err error) { got = append(got, "publish: "+v.String()) }), 0, []byte("PUBLISH"), []byte("ch"), []byte("hi"))
		}), 0, []byte("PING"))
		for i := 0; i < 100; i++ {
			c.Do(redisconn.Func(func(v resp.Value, err error) {
				if err != nil || v.Int != int64(i+1) {
					got = append(got, "incr "+strconv.Itoa(i)+": "+v.String())
				}
			}), i, []byte("INCR"), []byte("n"))
		}
		c.Do(redisconn.Func(func(v resp.Value, err error) { got = append(got, "hset: "+v.String()) }), 0, []byte("HSET"), []byte("h"), []byte("f"), []byte("v"))
		c.Do(redisconn.Func(func(v resp.Value, err error) {
			got = append(got, "hgetall: "+v.Kind.String()+" "+v.String())
			got = append(got, "hello proto: "+helloField(c.Hello(), "proto"))
		}), 0, []byte("HGETALL"), []byte("h"))
		return nil
	})
	cp.Start()
	w.RunFor(time.Second)
	want := []string{
		"sub ping: PONG",
		"hset: (integer) 1",
		"hgetall: map [\"f\" \"v\"]",
		"hello proto: (integer) 3",
		"publish: (integer) 1",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	wantPush := []string{`["subscribe" "ch" (integer) 1]`, `["message" "ch" "hi"]`}
	if len(pushes) != 2 || pushes[0] != wantPush[0] || pushes[1] != wantPush[1] {
		t.Fatalf("pushes %q, want %q", pushes, wantPush)
	}
}

func helloField(v resp.Value, name string) string {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == name {
			return v.Elems[i+1].String()
		}
	}
	return "(missing)"
}
