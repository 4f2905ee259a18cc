package client

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// testWorld is one Redis node on host r1 and client processes on host c1,
// over a network with the given latency.
type testWorld struct {
	t     testing.TB
	w     *sim.World
	net   *network.Network
	redis *sim.Process
	h     *history.History
}

func newTestWorld(t testing.TB, seed uint64, latency sim.Dist, cfg redis.Config) *testWorld {
	t.Helper()
	w := sim.NewWorld(seed)
	n, err := network.New(w, network.Config{Latency: latency})
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWorld{t: t, w: w, net: n, h: &history.History{}}
	tw.redis = tw.addRedis("r1", cfg)
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	return tw
}

func (tw *testWorld) addRedis(host string, cfg redis.Config) *sim.Process {
	tw.t.Helper()
	h, err := tw.w.AddHost(host, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
	if err != nil {
		tw.t.Fatal(err)
	}
	p, err := h.Spawn("redis-"+host, redis.Program(cfg))
	if err != nil {
		tw.t.Fatal(err)
	}
	p.Start()
	return p
}

// options are the test clients' defaults: short timeouts, so that faults
// show within a second of virtual time.
func (tw *testWorld) options(id int, wl Workload) Options {
	return Options{
		Process:     id,
		History:     tw.h,
		Now:         tw.w.Now,
		Target:      Fixed("r1:6379"),
		Workload:    wl,
		Timeout:     300 * time.Millisecond,
		DialTimeout: 200 * time.Millisecond,
		BackoffMin:  5 * time.Millisecond,
		BackoffMax:  50 * time.Millisecond,
		Think:       10 * time.Millisecond,
	}
}

// spawn starts a client process running opts on host c1.
func (tw *testWorld) spawn(opts Options) *sim.Process {
	tw.t.Helper()
	prog, err := Program(opts)
	if err != nil {
		tw.t.Fatal(err)
	}
	p, err := tw.w.Host("c1").Spawn("client"+strconv.Itoa(opts.Process), prog)
	if err != nil {
		tw.t.Fatal(err)
	}
	p.Start()
	return p
}

func (tw *testWorld) at(d time.Duration, fn func()) { tw.w.At(clock.Time(d), fn) }

// finalRead runs a final read of wl on addr from a new process and waits
// for it.
func (tw *testWorld) finalRead(id int, addr string, wl Workload) {
	tw.t.Helper()
	done := false
	prog, err := FinalReadProgram(addr, tw.options(id, wl), func() { done = true })
	if err != nil {
		tw.t.Fatal(err)
	}
	p, err := tw.w.Host("c1").Spawn("final"+strconv.Itoa(id)+"-"+addr, prog)
	if err != nil {
		tw.t.Fatal(err)
	}
	p.Start()
	for i := 0; !done && i < 1000; i++ {
		tw.w.RunFor(10 * time.Millisecond)
	}
	if !done {
		tw.t.Fatalf("final read on %s did not finish", addr)
	}
}

func (tw *testWorld) jsonl() []byte {
	var b bytes.Buffer
	if err := tw.h.WriteJSONL(&b); err != nil {
		tw.t.Fatal(err)
	}
	return b.Bytes()
}

// count counts the operations that match.
func count(ops []history.Op, match func(*history.Op) bool) int {
	n := 0
	for i := range ops {
		if match(&ops[i]) {
			n++
		}
	}
	return n
}

func lan() sim.Dist { return sim.FixedDist(200 * time.Microsecond) }
