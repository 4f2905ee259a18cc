package sentinel

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHelloMessage: what a sentinel publishes on a master's hello channel,
// in Redis's format: ip,port,runid,current_epoch,master_name,master_ip,
// master_port,master_config_epoch, every 2 s.
func TestHelloMessage(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 1})
	c := tw.dial("r1:6379")
	c.do("SUBSCRIBE", "__sentinel__:hello")
	tw.w.RunFor(10 * time.Second)
	id := tw.sentinel(0).myid
	want := "s1,26379," + id + ",0,mymaster,r1,6379,0"
	n := 0
	for _, v := range c.replies[1:] {
		if len(v.Elems) != 3 || string(v.Elems[0].Str) != "message" {
			t.Fatalf("not a message: %s", v.String())
		}
		if got := string(v.Elems[2].Str); got != want {
			t.Fatalf("hello %q, want %q", got, want)
		}
		n++
	}
	// Published when more than 2 s passed since the last one was
	// acknowledged: 3 to 5 in 10 s.
	if n < 3 || n > 5 {
		t.Fatalf("%d hellos in 10 s", n)
	}
}

// TestEventsPublished: a client subscribed to a sentinel sees its events
// on their channels, with Redis's message formats.
func TestEventsPublished(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1})
	c := tw.dial("s1:26379")
	c.do("PSUBSCRIBE", "*")
	tw.w.RunFor(5 * time.Second)
	tw.w.Host("r1").Crash()
	tw.w.RunFor(15 * time.Second)
	var got []string
	for _, v := range c.replies[1:] {
		if len(v.Elems) == 4 && string(v.Elems[0].Str) == "pmessage" {
			got = append(got, string(v.Elems[2].Str)+" "+string(v.Elems[3].Str))
		}
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		"+sdown master mymaster r1 6379",
		"+odown master mymaster r1 6379 #quorum 1/1",
		"+new-epoch 1",
		"+try-failover master mymaster r1 6379",
		"+vote-for-leader " + tw.sentinel(0).myid + " 1",
		"+elected-leader master mymaster r1 6379",
		"+failover-state-select-slave master mymaster r1 6379",
		"+selected-slave slave r2:6379 r2 6379 @ mymaster r1 6379",
		"+failover-state-send-slaveof-noone slave r2:6379 r2 6379 @ mymaster r1 6379",
		"+failover-state-wait-promotion slave r2:6379 r2 6379 @ mymaster r1 6379",
	} {
		if !strings.Contains(joined, want+"\n") && !strings.HasSuffix(joined, want) {
			t.Errorf("no %q in\n%s", want, joined)
		}
	}
}

// TestOneVotePerEpoch: over many seeds of a master crash, no sentinel
// votes twice in an epoch and at most one leader is elected per epoch.
func TestOneVotePerEpoch(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		tw := newWorld(t, worldOpts{seed: seed, replicas: 2, sentinels: 3, quorum: 2})
		tw.w.RunFor(20 * time.Second)
		tw.w.Host("r1").Crash()
		tw.w.RunFor(90 * time.Second)
		votes := map[string]string{}
		elected := map[uint64]string{}
		epochOf := map[string]uint64{} // sentinel -> its last +new-epoch or +try-failover epoch
		for _, e := range tw.events {
			f := strings.Fields(e)
			switch f[1] {
			case "+new-epoch":
				n, _ := strconv.ParseUint(f[2], 10, 64)
				epochOf[f[0]] = n
			case "+vote-for-leader":
				k := f[0] + " " + f[3]
				if prev, ok := votes[k]; ok && prev != f[2] {
					t.Fatalf("seed %d: %s voted for %s and %s in epoch %s", seed, f[0], prev, f[2], f[3])
				}
				votes[k] = f[2]
			case "+elected-leader":
				ep := epochOf[f[0]]
				if prev, ok := elected[ep]; ok && prev != f[0] {
					t.Fatalf("seed %d: %s and %s both elected in epoch %d", seed, prev, f[0], ep)
				}
				elected[ep] = f[0]
			}
		}
		if len(elected) == 0 {
			tw.dump()
			t.Fatalf("seed %d: nobody elected", seed)
		}
	}
}

// TestInfoEverySecondWhileODown: replicas of an ODOWN master are asked
// INFO every second instead of every 10 s.
func TestInfoEverySecondWhileODown(t *testing.T) {
	// The replica cannot be promoted (replica-priority 0): each failover
	// attempt aborts and the master stays ODOWN.
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 2, priority: map[int]int{1: 0}})
	tw.w.RunFor(15 * time.Second)
	s := tw.sentinel(0)
	sl := s.masterByName("mymaster").slaves[0]
	max := int64(0)
	for i := 0; i < 40; i++ {
		tw.w.RunFor(250 * time.Millisecond)
		if age := s.mstime() - sl.infoRefresh; age > max {
			max = age
		}
	}
	if max < 5000 {
		t.Fatalf("INFO to a replica of a healthy master at most %d ms old, want the 10 s period", max)
	}
	s.masterByName("mymaster").quorum = 1 // ODOWN alone
	tw.w.Host("r1").Crash()
	if !tw.runUntil(10*time.Second, func() bool { return tw.saw("+odown") > 0 }) {
		t.Fatal("no ODOWN")
	}
	// Failover attempts abort (no good replica); the master stays ODOWN.
	max = 0
	for i := 0; i < 40; i++ {
		tw.w.RunFor(250 * time.Millisecond)
		if age := s.mstime() - sl.infoRefresh; age > max {
			max = age
		}
	}
	if max > 1300 {
		t.Fatalf("INFO to a replica of an ODOWN master up to %d ms old, want about 1 s", max)
	}
}
