package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/redlock"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// The Redlock scenarios settle the cases of the Kleppmann/antirez debate by
// measurement: five independent masters n1..n5, lock clients on hosts
// c0, c1, ..., a resource (fenced or not) and a token source. Each case is
// one built-in with the same parameters and its own defaults, so `simulate
// study redlock` can sweep them.

// redlockParams are every Redlock scenario's parameters; defaults differ per
// case.
func redlockParams(over map[string]string) []scenarios.Param {
	ps := []scenarios.Param{
		scenarios.DurationParam("duration", "30s", "virtual time the world runs"),
		scenarios.IntParam("clients", 3, 1, 50, "lock clients, each on its own host"),
		scenarios.DurationParam("ttl", "1s", "the lock's TTL (SET NX PX), at least 1ms"),
		scenarios.DurationParam("work", "100ms", "how long a holder works before writing to the resource"),
		scenarios.BoolParam("fenced", false, "clients fetch a token and the resource rejects lower tokens"),
		scenarios.ChoiceParam("expire-clock", "wall", []string{"wall", "mono"}, "what the masters' key expiry reads: wall (Redis) or mono"),
		scenarios.ChoiceParam("appendfsync", "none", append([]string{"none"}, scenarios.FsyncPolicies...), "masters' persistence: none (no AOF), or the AOF's fsync policy"),
		scenarios.DurationParam("restart-delay", "0s", "how long a crashed master stays down"),
		scenarios.DurationParam("pause", "0s", "stop-the-world pause of client 0 after its validity check, before its write"),
		scenarios.DurationParam("jump", "0s", "forward wall-clock jump of n3, repeated every 2s"),
		scenarios.DurationParam("latency", "0s", "extra one-way latency between client 0 and every master"),
		scenarios.FloatParam("drift-ppm", "0", -clock.MaxDriftPPM, clock.MaxDriftPPM, false, "how fast every master's clocks run, in ppm (10000 = the default drift factor)"),
		scenarios.FloatParam("drift-factor", "0.01", 0, 1, false, "the client's drift factor"),
		scenarios.BoolParam("skip-validity", false, "ablation: client 0 does not subtract the time acquiring took: any quorum is the lock, valid for TTL minus drift from when the replies came"),
		scenarios.DurationParam("think", "20ms", "longest pause of a client between its lock cycles (drawn from 1ms up to it)"),
		scenarios.DurationParam("liveness-bound", "0s", "longest wait with no holder that lock liveness allows (0s: measured only); a crashed holder's lock frees after the TTL, so TTL + retry delay + slack is the bound of a live lock"),
	}
	for i := range ps {
		if v, ok := over[ps[i].Name]; ok {
			ps[i].Default = v
		}
	}
	return ps
}

// redlockCase is one built-in: its defaults and its faults.
type redlockCase struct {
	name, summary string
	defaults      map[string]string
	// faults installs the case's faults once the topology exists.
	faults func(r *scenarios.Run, rl *redlockWorld) error
}

func redlockCases() []redlockCase {
	return []redlockCase{
		{name: "redlock-quiet", summary: "no faults, several clients contending: must be safe and live in every seed",
			defaults: map[string]string{"clients": "5", "liveness-bound": "1.5s"}},
		{name: "redlock-holder-crash", summary: "client 0 works close to the TTL and its host crashes while it holds the lock: the others must wait no longer than the TTL and the retry delay",
			defaults: map[string]string{"clients": "3", "work": "900ms", "liveness-bound": "1.5s"}, faults: crashC0},
		{name: "redlock-pause", summary: "client 0 pauses longer than the lock's validity, then writes: unsafe unless the resource is fenced",
			defaults: map[string]string{"pause": "2s"}},
		{name: "redlock-clock-jump", summary: "n3's wall clock jumps forward while clients see different majorities: unsafe when keys expire on the wall clock",
			defaults: map[string]string{"jump": "5s", "work": "600ms", "clients": "2"}, faults: splitClients},
		{name: "redlock-crash-restart", summary: "a master that granted the lock crashes and restarts: unsafe without persistence and a delayed restart",
			defaults: map[string]string{"work": "600ms", "clients": "2"}, faults: crashN3},
		{name: "redlock-slow-network", summary: "client 0's round trips to the masters take longer than the TTL: safe thanks to the validity check, unsafe when client 0 skips it",
			defaults: map[string]string{"latency": "600ms", "clients": "2", "work": "900ms", "think": "2s"}},
		{name: "redlock-drift", summary: "the masters' clocks run faster than the drift factor allows: unsafe above it, safe below",
			defaults: map[string]string{"drift-ppm": "100000", "work": "970ms", "clients": "4"}},
	}
}

func redlockScenario(c redlockCase) *scenarios.Scenario {
	return &scenarios.Scenario{Name: c.name, Summary: c.summary, Params: redlockParams(c.defaults),
		Setup: func(r *scenarios.Run) (scenarios.Checks, error) { return setupRedlock(r, c) }}
}

// redlockWorld is a built Redlock topology.
type redlockWorld struct {
	masters []string
	clients []string
	holds   []history.Hold
	writes  redlock.Writes
}

func setupRedlock(r *scenarios.Run, c redlockCase) (scenarios.Checks, error) {
	p := r.Params
	n := p.Int("clients")
	durs := map[string]time.Duration{}
	for _, name := range []string{"ttl", "work", "restart-delay", "pause", "jump", "latency"} {
		durs[name] = p.Duration(name)
	}
	if durs["ttl"] < time.Millisecond {
		return nil, fmt.Errorf("parameter ttl=%v: want at least 1ms", durs["ttl"])
	}
	fenced, skip := p.Bool("fenced"), p.Bool("skip-validity")
	ppm, factor, expClock, aof := p.Float("drift-ppm"), p.Float("drift-factor"), p.String("expire-clock"), p.String("appendfsync")
	// Five independent masters, each a shard of one node, their clocks
	// running at drift-ppm.
	cfg := scenarios.NoSave()
	if aof != "none" {
		cfg.AppendOnly, cfg.AppendFsync = true, aof
	}
	if expClock == "mono" {
		cfg.ExpireClock = redis.ExpireMonotonic
	}
	d := deploy.Deployment{Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8)}
	rl := &redlockWorld{}
	for i := 1; i <= 5; i++ {
		name := fmt.Sprintf("n%d", i)
		d.Shards = append(d.Shards, deploy.Shard{Name: name, Nodes: []deploy.Node{{Host: name, Config: cfg,
			Disk: sim.DiskConfig{FsyncLatency: sim.UniformDist(time.Millisecond, 3*time.Millisecond)}, Clock: clock.Config{DriftPPM: ppm}}}})
		rl.masters = append(rl.masters, name)
	}
	if _, err := r.Deploy(d); err != nil {
		return nil, err
	}
	w := r.World
	for _, svc := range []struct {
		host string
		prog sim.Program
	}{
		{"res", nil}, {"tok", redlock.TokenProgram(redlock.TokenOptions{})},
	} {
		h, err := w.AddHost(svc.host, sim.HostConfig{})
		if err != nil {
			return nil, err
		}
		prog := svc.prog
		if prog == nil {
			if prog, err = redlock.ResourceProgram(redlock.ResourceOptions{Fenced: fenced, Writes: &rl.writes, Now: w.Now}); err != nil {
				return nil, err
			}
		}
		pr, err := h.Spawn(svc.host, prog)
		if err != nil {
			return nil, err
		}
		pr.Start()
	}
	var addrs []string
	for _, m := range rl.masters {
		addrs = append(addrs, m+":6379")
	}
	stop := r.Duration - 3*time.Second
	for i := 0; i < n; i++ {
		host := fmt.Sprintf("c%d", i)
		h, err := w.AddHost(host, sim.HostConfig{})
		if err != nil {
			return nil, err
		}
		opts := redlock.Options{
			Process: i, Masters: addrs, TTL: durs["ttl"], DriftFactor: factor,
			ValidityFromReply: skip && i == 0, Fenced: fenced, TokenSource: fmt.Sprintf("tok:%d", redlock.DefaultTokenPort),
			Resource: fmt.Sprintf("res:%d", redlock.DefaultResourcePort),
			WorkTime: sim.UniformDist(durs["work"]*9/10, durs["work"]*11/10+1),
			Think:    sim.UniformDist(time.Millisecond, max(time.Millisecond, p.Duration("think"))),
			History:  r.History, Holds: &rl.holds, Now: w.Now, MonoToTrue: redlock.HostMonoToTrue(w, h), Stop: clock.Time(stop),
		}
		if i == 0 {
			if pause := durs["pause"]; pause > 0 {
				opts.PauseAfterAcquire = sim.FixedDist(pause)
				opts.OnPause = func(d time.Duration) {
					now := w.Now().Duration()
					r.ClientFaults = append(r.ClientFaults, reports.Fault{At: now, End: now + d, Op: "client-pause", Target: host,
						Text: fmt.Sprintf("%s stop-the-world pause %v after its validity check, before its write", host, d)})
				}
			}
			if lat := durs["latency"]; lat > 0 {
				for _, m := range rl.masters {
					r.Schedule = append(r.Schedule, nemesis.Action{Op: nemesis.OpLatency, Groups: [][]string{{host, m}}, Latency: lat})
				}
				// Its rounds and its dials (a connection takes a round
				// trip) wait for the slow replies, as a client configured
				// for such a network would; the validity check is then
				// what must refuse a lock that took longer than the TTL.
				opts.Timeout, opts.DialTimeout = 3*lat, max(redlock.DefaultDialTimeout, 3*lat)
			}
		}
		prog, err := redlock.Program(opts)
		if err != nil {
			return nil, err
		}
		pr, err := h.Spawn("lock-"+host, prog)
		if err != nil {
			return nil, err
		}
		rl.clients = append(rl.clients, host)
		pr.Start()
	}
	if jump := durs["jump"]; jump > 0 {
		for at := 2 * time.Second; at < stop; at += 2 * time.Second {
			r.Schedule = append(r.Schedule, nemesis.Action{At: at, Op: nemesis.OpClockJump, Target: "n3", Delta: jump})
		}
	}
	if c.faults != nil {
		if err := c.faults(r, rl); err != nil {
			return nil, err
		}
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := r.History.Ops()
		acq := 0
		for _, op := range ops {
			if op.Kind == history.Acquire && op.Outcome == history.Ok {
				acq++
			}
		}
		r.Facts = append(r.Facts, fmt.Sprintf("%d acquisitions, %d holds, %d writes accepted, %d rejected", acq, len(rl.holds), len(rl.writes.Accepted), len(rl.writes.Rejected)))
		me := checker.MutualExclusion(rl.holds)
		rs := checker.ResourceSafety(rl.holds, rl.writes.Accepted, checker.ResourceOptions{Fenced: fenced})
		lv := checker.LockLiveness(ops, rl.holds, checker.LockLivenessOptions{MaxGap: p.Duration("liveness-bound")})
		if fenced && rs.Verdict == checker.Ok {
			// With fencing the resource is what must be safe; overlapping
			// holds are measured but are not a failure.
			if me.Verdict == checker.Violation {
				me.Verdict = checker.Ok
				me.Summary = "holds overlapped, but the fenced resource kept writes ordered: " + me.Summary
				me.Evidence = checker.Evidence{}
			}
		}
		return []checker.Result{me, rs, lv}
	}, nil
}

// splitClients makes c0 reach only n1..n3 and c1 only n3..n5, so the two
// clients' majorities share n3 alone: then only n3's key keeps them apart.
func splitClients(r *scenarios.Run, rl *redlockWorld) error {
	if len(rl.clients) < 2 {
		return fmt.Errorf("this case needs at least 2 clients")
	}
	for _, pair := range [][]string{{"c0", "n4"}, {"c0", "n5"}, {"c1", "n1"}, {"c1", "n2"}} {
		r.Schedule = append(r.Schedule, nemesis.Action{Op: nemesis.OpClog, Groups: [][]string{pair}})
	}
	return nil
}

// crashN3 splits the clients as splitClients does and crashes n3, the
// shared master, every 3 s; it restarts after restart-delay.
func crashN3(r *scenarios.Run, rl *redlockWorld) error {
	if err := splitClients(r, rl); err != nil {
		return err
	}
	delay := r.Params.Duration("restart-delay")
	stop := r.Duration - 3*time.Second
	for at := 2 * time.Second; at+delay < stop; at += 3*time.Second + delay {
		r.Schedule = append(r.Schedule, nemesis.Action{At: at, Op: nemesis.OpCrash, Target: "n3"}, nemesis.Action{At: at + delay, Op: nemesis.OpRestart, Target: "n3"})
	}
	return nil
}

// crashC0 crashes client 0's host every 3 s and restarts it 500 ms later:
// with work close to the TTL the crash usually falls while it holds the
// lock, which it then never releases, so the others wait for the TTL.
func crashC0(r *scenarios.Run, rl *redlockWorld) error {
	stop := r.Duration - 3*time.Second
	for at := 2 * time.Second; at+500*time.Millisecond < stop; at += 3 * time.Second {
		r.Schedule = append(r.Schedule, nemesis.Action{At: at, Op: nemesis.OpCrash, Target: "c0"}, nemesis.Action{At: at + 500*time.Millisecond, Op: nemesis.OpRestart, Target: "c0"})
	}
	return nil
}
