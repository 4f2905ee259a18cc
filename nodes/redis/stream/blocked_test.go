package stream

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDifferentialBlocked blocks a client in XREAD or XREADGROUP on the
// oracle and on the model, wakes it with another command, and compares
// what the blocked client receives and what is propagated.
func TestDifferentialBlocked(t *testing.T) {
	o := newOracle(t)
	cases := []struct {
		name  string
		setup [][]string
		block []string
		wake  [][]string
	}{
		{"xread-dollar", [][]string{{"XADD", "s", "1-1", "f", "v"}},
			[]string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, [][]string{{"XADD", "s", "1-2", "f", "w"}}},
		{"xreadgroup", [][]string{{"XADD", "s", "1-1", "f", "v"}, {"XGROUP", "CREATE", "s", "g", "$"}},
			[]string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"}, [][]string{{"XADD", "s", "1-2", "f", "w"}}},
		{"xreadgroup-noack", [][]string{{"XADD", "s", "1-1", "f", "v"}, {"XGROUP", "CREATE", "s", "g", "$"}},
			[]string{"XREADGROUP", "GROUP", "g", "bob", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"}, [][]string{{"XADD", "s", "1-2", "f", "w"}}},
		{"group-destroyed", [][]string{{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}},
			[]string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"}, [][]string{{"XGROUP", "DESTROY", "s", "g"}}},
		{"xsetid-without-entries", [][]string{{"XADD", "s", "1-1", "f", "v"}},
			[]string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, [][]string{{"XSETID", "s", "5-5"}, {"XADD", "s", "6-0", "f", "v"}}},
		{"xadd-trimmed-away", [][]string{{"XADD", "s", "1-1", "f", "v"}},
			[]string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, [][]string{{"XADD", "s", "MAXLEN", "0", "1-2", "f", "v"}}},
		{"xreadgroup-trimmed-away", [][]string{{"XADD", "s", "1-1", "f", "v"}, {"XGROUP", "CREATE", "s", "g", "$"}},
			[]string{"XREADGROUP", "GROUP", "g", "carol", "COUNT", "3", "BLOCK", "0", "STREAMS", "s", ">"}, [][]string{{"XADD", "s", "MAXLEN", "0", "1-2", "f", "v"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o.t = t
			o.reset(DefaultConfig(), 2)
			for _, argv := range tc.setup {
				o.check(argv...)
			}
			blocker := newClient(t, o.client.Options().Addr, 2)
			got := make(chan any, 1)
			go func() {
				v, err := tryDo(blocker, toBytes(tc.block)...)
				if err != nil {
					v = err.Error()
				}
				got <- v
			}()
			waitBlocked(t, o)

			a, err := ParseXRead(toBytes(tc.block), false)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Resolve(o.m.lookup); err != nil {
				t.Fatal(err)
			}
			if res := XRead(a, time.Now().UnixMilli()); len(res.Reply.(ReadReply)) != 0 || a.Block != 0 {
				t.Fatalf("the model serves %q synchronously", tc.block)
			}

			// Each command runs on both sides; when the model's
			// command signals the key ready, the blocked client is
			// served as handleClientsBlockedOnKeys does after it.
			var myProp []string
			var blockedReply any
			served := false
			now := time.Now().UnixMilli()
			for _, argv := range tc.wake {
				theirs := do(o.client, toBytes(argv)...)
				now = time.Now().UnixMilli()
				mine, prop := o.m.exec(toBytes(argv), now)
				if canon(mine) != canon(theirs) {
					t.Fatalf("%q: model %s, redis %s", argv, canon(mine), canon(theirs))
				}
				myProp = append(myProp, propagated(prop)...)
				if o.m.ready == nil {
					continue
				}
				gt := a.IDs[0]
				res, ok, err := ServeBlocked(o.m.streams["s"], a.Keys[0], &gt, a.Group, a.Consumer, a.NoAck, a.BlockCount(), now)
				if !ok {
					continue
				}
				served = true
				if err != nil {
					blockedReply = replyErr(err.Error())
				} else {
					blockedReply = render(res.Reply, 2)
					myProp = append(myProp, propagated(res.Propagate)...)
				}
				break
			}
			if !served {
				t.Fatal("the model keeps the client blocked")
			}
			select {
			case theirBlocked := <-got:
				if canon(blockedReply) != canon(theirBlocked) {
					t.Fatalf("blocked client got\n model: %s\nredis: %s", canon(blockedReply), canon(theirBlocked))
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the oracle did not serve the blocked client")
			}
			theirProp := o.sync()
			if err := maskPropagated(myProp, theirProp); err != nil {
				t.Fatal(err)
			}
			if strings.Join(myProp, "\n") != strings.Join(theirProp, "\n") {
				t.Fatalf("propagated\n model: %q\nredis: %q", myProp, theirProp)
			}
			o.check("XINFO", "STREAM", "s", "FULL")
		})
	}
}

// waitBlocked waits until the oracle has a client blocked.
func waitBlocked(t *testing.T, o *oracle) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		info, err := o.client.Info(context.Background(), "clients").Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(info, "blocked_clients:1") {
			return
		}
	}
	t.Fatal("the client did not block")
}
