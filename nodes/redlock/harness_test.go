package redlock

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

// testWorld is N Redis masters (hosts r1..rN), a host "res" running the
// resource and the token source, and one host per lock client (c0, c1...).
type testWorld struct {
	t       testing.TB
	w       *sim.World
	net     *network.Network
	masters []string
	redis   []*sim.Process
	h       *history.History
	holds   []history.Hold
	writes  Writes
	clients []*sim.Process
}

// worldConfig is what a test varies.
type worldConfig struct {
	seed    uint64
	masters int
	latency sim.Dist
	fenced  bool
	redis   func(i int) redis.Config
}

func newTestWorld(t testing.TB, wc worldConfig) *testWorld {
	t.Helper()
	if wc.masters == 0 {
		wc.masters = 5
	}
	if wc.latency == (sim.Dist{}) {
		wc.latency = sim.UniformDist(200*time.Microsecond, 800*time.Microsecond)
	}
	w := sim.NewWorld(wc.seed)
	nw, err := network.New(w, network.Config{Latency: wc.latency})
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWorld{t: t, w: w, net: nw, h: &history.History{}}
	for i := 1; i <= wc.masters; i++ {
		name := "r" + strconv.Itoa(i)
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		cfg.ExpireClock = redis.ExpireMonotonic
		if wc.redis != nil {
			cfg = wc.redis(i - 1)
		}
		p, err := h.Spawn("redis-"+name, redis.Program(cfg))
		if err != nil {
			t.Fatal(err)
		}
		p.Start()
		tw.redis = append(tw.redis, p)
		tw.masters = append(tw.masters, name+":"+strconv.Itoa(cfg.Port))
	}
	res, err := w.AddHost("res", sim.HostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rprog, err := ResourceProgram(ResourceOptions{Fenced: wc.fenced, Writes: &tw.writes, Now: w.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, np := range []struct {
		name string
		prog sim.Program
	}{{"resource", rprog}, {"tokens", TokenProgram(TokenOptions{})}} {
		p, err := res.Spawn(np.name, np.prog)
		if err != nil {
			t.Fatal(err)
		}
		p.Start()
	}
	return tw
}

// options are the tests' client defaults: a 1 s TTL so that expiry shows
// within seconds of virtual time, short work and think times.
func (tw *testWorld) options(id int) Options {
	return Options{
		Process:     id,
		Masters:     tw.masters,
		TTL:         time.Second,
		Resource:    "res:" + strconv.Itoa(DefaultResourcePort),
		TokenSource: "res:" + strconv.Itoa(DefaultTokenPort),
		WorkTime:    sim.UniformDist(5*time.Millisecond, 20*time.Millisecond),
		Think:       sim.UniformDist(5*time.Millisecond, 15*time.Millisecond),
		History:     tw.h,
		Holds:       &tw.holds,
		Now:         tw.w.Now,
	}
}

// spawn starts a lock client on a host of its own, with clk.
func (tw *testWorld) spawn(opts Options, clk clock.Config) *sim.Process {
	tw.t.Helper()
	name := "c" + strconv.Itoa(opts.Process)
	h, err := tw.w.AddHost(name, sim.HostConfig{Clock: clk})
	if err != nil {
		tw.t.Fatal(err)
	}
	if opts.MonoToTrue == nil {
		opts.MonoToTrue = HostMonoToTrue(tw.w, h)
	}
	prog, err := Program(opts)
	if err != nil {
		tw.t.Fatal(err)
	}
	p, err := h.Spawn("lock-"+name, prog)
	if err != nil {
		tw.t.Fatal(err)
	}
	p.Start()
	tw.clients = append(tw.clients, p)
	return p
}

// run runs the world for d, then lets the clients' last cycles end.
func (tw *testWorld) run(d time.Duration) {
	tw.w.RunFor(d)
	tw.h.Finish(tw.w.Now())
}

// acquires counts the Acquire operations and the Ok ones.
func (tw *testWorld) acquires() (attempts, ok int) {
	for _, op := range tw.h.Ops() {
		if op.Kind == history.Acquire {
			attempts++
			if op.Outcome == history.Ok {
				ok++
			}
		}
	}
	return attempts, ok
}

// fingerprint is everything a run recorded, for the determinism test.
func (tw *testWorld) fingerprint() []byte {
	var b bytes.Buffer
	if err := tw.h.WriteJSONL(&b); err != nil {
		tw.t.Fatal(err)
	}
	for _, h := range tw.holds {
		b.WriteString(strconv.Itoa(h.Process) + " " + h.From.String() + " " + h.Until.String() + " " + strconv.FormatInt(h.Token, 10) + "\n")
	}
	for _, a := range tw.writes.Accepted {
		b.WriteString(strconv.Itoa(a.Process) + " " + a.At.String() + " " + strconv.FormatInt(a.Token, 10) + "\n")
	}
	return b.Bytes()
}
