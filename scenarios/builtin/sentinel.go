package builtin

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// sentinelPartitionScenario is Jepsen's 2013 analysis of Redis exactly:
// five hosts n1..n5, each with a Redis node and a sentinel (quorum 3), n1
// the master, clients beside every node that find the master through
// Sentinel (their own host's sentinel first). The partition {n1,n2} |
// {n3,n4,n5} lets the majority's sentinels fail n1 over to one of n3..n5
// while n1 keeps acknowledging the writes of the clients beside it; after
// the heal the sentinels convert n1 into a replica of the new master and
// those writes are gone. Jepsen lost 56% of its acknowledged writes.
func sentinelPartitionScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "sentinel-partition",
		Summary: "Jepsen 2013 with Redis Sentinel: a partition, Sentinel promotes a majority-side replica, the old master's acknowledged writes are lost on heal",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "80s", "virtual time the world runs (after the heal the sentinels take some 20 s to reconfigure every replica)"),
			scenarios.DurationParam("partition-at", "15s", "when the partition starts (full syncs and sentinel discovery take the first seconds)"),
			scenarios.DurationParam("heal-at", "40s", "when the partition heals"),
			scenarios.DurationParam("down-after", "5s", "sentinel down-after-milliseconds"),
			scenarios.DurationParam("failover-timeout", "20s", "sentinel failover-timeout"),
			scenarios.IntParam("clients", 1, 1, 20, "clients per host and per workload (set and register)"),
			scenarios.OneWayLatencyParam(),
			scenarios.SameHostLatencyParam(),
		},
		Setup: setupSentinelPartition,
	}
}

var jepsenHosts = []string{"n1", "n2", "n3", "n4", "n5"}

func setupSentinelPartition(r *scenarios.Run) (scenarios.Checks, error) {
	partAt, healAt := r.Params.Duration("partition-at"), r.Params.Duration("heal-at")
	downAfter, foTimeout := r.Params.Duration("down-after"), r.Params.Duration("failover-timeout")
	n := r.Params.Int("clients")
	if !(partAt < healAt && healAt+15*time.Second <= r.Duration) {
		return nil, fmt.Errorf("parameters: want partition-at < heal-at and heal-at + 15s <= duration (got %v, %v, %v)", partAt, healAt, r.Duration)
	}
	if d := r.Params.Duration("same-host-latency"); d <= 0 {
		return nil, fmt.Errorf("parameters: want same-host-latency > 0 (got %v)", d)
	}
	stop := r.Duration - 6*time.Second
	set, reg := client.NewSet(), client.NewRegister()
	var sentinels []deploy.Sentinel
	var groups []deploy.Clients
	for _, h := range jepsenHosts {
		sentinels = append(sentinels, deploy.Sentinel{Host: h, Quorum: 3, DownAfter: downAfter, FailoverTimeout: foTimeout, ParallelSyncs: 1})
		for _, wl := range []client.Workload{set, reg} {
			groups = append(groups, deploy.Clients{Host: h, Count: n, Workload: wl, Sentinel: "mymaster", Stop: stop})
		}
	}
	dep, err := r.Deploy(deploy.Deployment{
		Latency:   scenarios.OneWayLatency(r.Params.Duration("one-way-latency")),
		Loopback:  sim.FixedDist(r.Params.Duration("same-host-latency")),
		Shards:    []deploy.Shard{{Name: "mymaster", Nodes: scenarios.RedisNodes(scenarios.NoSave(), sim.DiskConfig{}, jepsenHosts...)}},
		Sentinels: sentinels,
		Clients:   groups,
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("n3", r.Duration-3*time.Second, set, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = []nemesis.Action{
		{At: partAt, Op: nemesis.OpPartition, Shape: nemesis.ShapeMajority, Groups: [][]string{{"n1", "n2"}, {"n3", "n4", "n5"}}},
		{At: healAt, Op: nemesis.OpHeal},
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History))
		set := checker.SetWrites(scenarios.KeyOps(r.History, 's'), checker.SetOptions{})
		if lost, ok := set.Metric("lost"); ok {
			acked, _ := set.Metric("acknowledged")
			r.Facts = append(r.Facts, fmt.Sprintf("acknowledged writes lost: %.0f of %.0f (%.1f%%; Jepsen 2013 lost 56%% of its acknowledged writes in this setup). "+
				"The mechanism: n1 kept acknowledging the writes of the clients beside it for the whole partition, while the majority's sentinels promoted another node; "+
				"after the heal the sentinels turned n1 into a replica of the new master, and its full resync replaced its dataset", lost, acked, 100*lost/max(acked, 1)))
		}
		return []checker.Result{
			set,
			r.Linearizable(scenarios.KeyOps(r.History, 'r')),
			splitBrain(dep, r.History.Ops(), "n1"),
			dep.Convergence(),
			sentinelAgreement(dep, "mymaster"),
		}
	}, nil
}

// sentinelAgreement is the sentinels' convergence: at the end every
// sentinel is up, out of TILT, and names the same master with the same
// configuration epoch, and that node is a master.
func sentinelAgreement(dep *deploy.Deployed, name string) checker.Result {
	res := checker.Result{Checker: "sentinel-agreement", Kind: checker.KindLiveness, Verdict: checker.Ok}
	var views []string
	masters := map[string]bool{}
	epochs := map[uint64]bool{}
	var bad []string
	for _, h := range dep.Sentinels() {
		v := dep.SentinelView(h)
		if v.Down {
			bad = append(bad, "sentinel "+h+" is down"+errSuffix(v.Err))
			continue
		}
		if v.Paused && len(v.Masters) == 0 {
			bad = append(bad, "sentinel "+h+" is paused")
			continue
		}
		m, ok := v.Master(name)
		if !ok {
			bad = append(bad, "sentinel "+h+" does not monitor "+name)
			continue
		}
		if v.Tilt {
			bad = append(bad, "sentinel "+h+" is in TILT")
		}
		addr, ep := m.Addr, m.ConfigEpoch
		masters[addr], epochs[ep] = true, true
		views = append(views, fmt.Sprintf("%s: %s (epoch %d)", h, addr, ep))
	}
	if len(masters) > 1 || len(epochs) > 1 {
		bad = append(bad, "the sentinels disagree: "+strings.Join(views, ", "))
	}
	if len(masters) == 1 {
		for addr := range masters { //redsim:ordered one entry
			host := addr[:strings.LastIndexByte(addr, ':')]
			if dep.Role(host) != "master" {
				bad = append(bad, "the sentinels name "+addr+", which is not a master")
			}
		}
	}
	slices.Sort(views)
	res.Evidence.Notes = views
	if len(bad) > 0 {
		res.Verdict = checker.Violation
		res.Summary = bad[0]
		res.Evidence.Notes = append(bad, views...)
		return res
	}
	for addr := range masters { //redsim:ordered one entry
		for ep := range epochs { //redsim:ordered one entry
			res.Summary = fmt.Sprintf("all %d sentinels name %s, configuration epoch %d", len(views), addr, ep)
		}
	}
	return res
}

// errSuffix is ": err" for a reason given, "" for none.
func errSuffix(err string) string {
	if err == "" {
		return ""
	}
	return " (" + err + ")"
}

// sentinelFailoverScenario: the master crashes (or pauses) under write
// load; Sentinel must promote a replica within a bound and the clients
// must find it; when the old master comes back it is made a replica. The
// writes that asynchronous replication loses on the way are measured and
// reported, not judged: Redis documents them. With min-replicas-to-write 1
// and min-replicas-max-lag 10 the loss window narrows but does not close.
func sentinelFailoverScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "sentinel-failover",
		Summary: "the master crashes or pauses; Sentinel promotes a replica within a bound, clients find it, the old master rejoins as a replica",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "60s", "virtual time the world runs"),
			scenarios.ChoiceParam("fault", "crash", []string{"crash", "pause"}, "what happens to the master's host"),
			scenarios.DurationParam("fault-at", "15s", "when the master's host crashes or pauses"),
			scenarios.DurationParam("back-after", "15s", "how long until it restarts or resumes"),
			scenarios.DurationParam("down-after", "5s", "sentinel down-after-milliseconds"),
			scenarios.DurationParam("failover-timeout", "20s", "sentinel failover-timeout"),
			scenarios.DurationParam("failover-bound", "15s", "the longest acceptable time from the fault to the first acknowledged write on the new master"),
			scenarios.IntParam("min-replicas-to-write", 0, 0, 2, "the nodes' min-replicas-to-write (with min-replicas-max-lag 10)"),
			scenarios.IntParam("clients", 2, 1, 20, "clients per workload (set and register)"),
		},
		Setup: setupSentinelFailover,
	}
}

func setupSentinelFailover(r *scenarios.Run) (scenarios.Checks, error) {
	faultAt, backAfter, bound := r.Params.Duration("fault-at"), r.Params.Duration("back-after"), r.Params.Duration("failover-bound")
	if faultAt+backAfter+15*time.Second > r.Duration || faultAt+bound > r.Duration {
		return nil, fmt.Errorf("parameters: want fault-at + back-after + 15s <= duration and fault-at + failover-bound <= duration (got %v, %v, %v, %v)", faultAt, backAfter, bound, r.Duration)
	}
	cfg := scenarios.NoSave()
	if m := r.Params.Int("min-replicas-to-write"); m > 0 {
		cfg.MinReplicasToWrite, cfg.MinReplicasMaxLag = m, 10
	}
	dep, err := sentinelTrio(r, cfg, r.Params.Duration("down-after"), r.Params.Duration("failover-timeout"))
	if err != nil {
		return nil, err
	}
	fault, back := nemesis.OpCrash, nemesis.OpRestart
	if r.Params.String("fault") == "pause" {
		fault, back = nemesis.OpPause, nemesis.OpResume
	}
	r.Schedule = []nemesis.Action{
		{At: faultAt, Op: fault, Target: "n1"},
		{At: faultAt + backAfter, Op: back, Target: "n1"},
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := r.History.Ops()
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History))
		measureLostWrites(r, "to asynchronous replication", "Redis documents this loss")
		return []checker.Result{
			failoverTime(ops, "n1", faultAt, bound),
			splitBrain(dep, ops, "n1"),
			dep.Convergence(),
			sentinelAgreement(dep, "mymaster"),
		}
	}, nil
}

// failoverTime is the liveness check of a failover: the time from the
// fault to the first acknowledged write on another node than the old
// master must be within bound.
func failoverTime(ops []history.Op, old string, faultAt, bound time.Duration) checker.Result {
	res := checker.Result{Checker: "failover-time", Kind: checker.KindLiveness}
	first := firstNewMasterWrite(ops, old, faultAt)
	if first >= 0 {
		first -= faultAt
	}
	switch {
	case first < 0:
		res.Verdict = checker.Violation
		res.Summary = "no write was acknowledged by a new master after the fault"
	case first > bound:
		res.Verdict = checker.Violation
		res.Summary = fmt.Sprintf("the first write on a new master came %v after the fault, over the bound of %v", first, bound)
	default:
		res.Verdict = checker.Ok
		res.Summary = fmt.Sprintf("the first write on a new master came %v after the fault (bound %v)", first, bound)
	}
	res.Metrics = []checker.Metric{{Name: "failover_ms", Value: float64(first.Milliseconds())}}
	return res
}

// sentinelTiltScenario: the master crashes, and just after it the wall
// clocks of two of the three sentinel hosts jump forward. Those two enter
// TILT for 30 s, as Redis documents: they neither act nor vote the master
// down, so the third alone cannot reach ODOWN (quorum 2) and the failover
// waits for TILT to end. The checks: both sentinels tilted, the failover
// came only after their TILT, and it did complete.
func sentinelTiltScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "sentinel-tilt",
		Summary: "wall-clock jumps on sentinel hosts put them in TILT and delay the failover of a crashed master",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "90s", "virtual time the world runs"),
			scenarios.DurationParam("fault-at", "15s", "when the master's host crashes; the clocks jump 1 s later"),
			scenarios.DurationParam("jump", "10s", "how far the two sentinel hosts' wall clocks jump forward (TILT needs more than 2 s)"),
			scenarios.DurationParam("down-after", "5s", "sentinel down-after-milliseconds"),
			scenarios.IntParam("clients", 2, 1, 20, "clients per workload (set and register)"),
		},
		Setup: setupSentinelTilt,
	}
}

func setupSentinelTilt(r *scenarios.Run) (scenarios.Checks, error) {
	faultAt, jump := r.Params.Duration("fault-at"), r.Params.Duration("jump")
	const tiltPeriod = 30 * time.Second // SENTINEL_TILT_PERIOD
	if faultAt+time.Second+tiltPeriod+35*time.Second > r.Duration {
		return nil, fmt.Errorf("parameters: want fault-at + 1s + 30s of TILT + 35s <= duration (got %v, %v)", faultAt, r.Duration)
	}
	dep, err := sentinelTrio(r, scenarios.NoSave(), r.Params.Duration("down-after"), 20*time.Second)
	if err != nil {
		return nil, err
	}
	jumpAt := faultAt + time.Second
	r.Schedule = []nemesis.Action{
		{At: faultAt, Op: nemesis.OpCrash, Target: "n1"},
		{At: jumpAt, Op: nemesis.OpClockJump, Target: "s1", Delta: jump},
		{At: jumpAt, Op: nemesis.OpClockJump, Target: "s2", Delta: jump},
		// The old master comes back, to be made a replica of the new one.
		{At: jumpAt + tiltPeriod + 15*time.Second, Op: nemesis.OpRestart, Target: "n1"},
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := r.History.Ops()
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History))
		tilt := tiltDelay(dep, ops, jumpAt, tiltPeriod)
		if r.Live() {
			// The clock jumps are skipped live: judging TILT without
			// them would fail a run for what it did not do.
			tilt = checker.Result{Checker: "tilt-delay", Kind: checker.KindLiveness, Verdict: checker.Unknown,
				Summary: "not judged live: the sentinel hosts' clock jumps cannot be made on a shared machine clock, so no sentinel was meant to tilt"}
		}
		return []checker.Result{
			tilt,
			splitBrain(dep, ops, "n1"),
			dep.Convergence(),
			sentinelAgreement(dep, "mymaster"),
		}
	}, nil
}

// tiltDelay checks what TILT promises: s1 and s2 entered TILT after their
// clocks jumped, and no write was acknowledged by a new master before
// their TILT ended; one was after it.
func tiltDelay(dep *deploy.Deployed, ops []history.Op, jumpAt, period time.Duration) checker.Result {
	res := checker.Result{Checker: "tilt-delay", Kind: checker.KindLiveness, Verdict: checker.Ok}
	tilted := map[string]bool{}
	for _, e := range dep.SentinelEvents() {
		if e.Type == "+tilt" && e.At.Duration() >= jumpAt {
			tilted[e.Host] = true
		}
	}
	var bad []string
	for _, h := range []string{"s1", "s2"} {
		if !tilted[h] {
			bad = append(bad, "sentinel "+h+" did not enter TILT after its clock jumped")
		}
	}
	tiltEnd := jumpAt + period
	first := firstNewMasterWrite(ops, "n1", jumpAt)
	switch {
	case first < 0:
		bad = append(bad, "no write was acknowledged by a new master")
	case first < tiltEnd:
		bad = append(bad, fmt.Sprintf("a new master acknowledged a write at %v, before the sentinels' TILT ended at %v", first, tiltEnd))
	}
	res.Metrics = []checker.Metric{{Name: "failover_ms", Value: float64((first - jumpAt).Milliseconds())}}
	if len(bad) > 0 {
		res.Verdict, res.Summary, res.Evidence.Notes = checker.Violation, bad[0], bad
		return res
	}
	res.Summary = fmt.Sprintf("s1 and s2 tilted; the first write on the new master came at %v, after TILT ended at %v", first, tiltEnd)
	return res
}

// sentinelManualFailoverScenario: SENTINEL FAILOVER under write load. An
// administrator asks one sentinel to fail the master over although it is
// healthy; the sentinel promotes a replica at once (no agreement needed).
// The old master, healthy, stays a master until the sentinels see it
// report the role from the INFO they send replicas every 10 s and convert
// it (+convert-to-slave): clients that do not follow +switch-master keep
// writing to it until then, and those writes are lost when it resyncs.
// The loss is measured; the checks are that the clients reach the new
// master within the bound, the sentinels agree and the nodes converge.
func sentinelManualFailoverScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "sentinel-manual-failover",
		Summary: "SENTINEL FAILOVER under write load: a replica is promoted, the clients follow, the old master becomes its replica",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "60s", "virtual time the world runs"),
			scenarios.DurationParam("failover-at", "15s", "when SENTINEL FAILOVER is sent to s1"),
			scenarios.DurationParam("failover-bound", "20s", "the longest acceptable time from the command to the first acknowledged write on the new master (the clients move when the old master is converted, some 10 s later: see the summary)"),
			scenarios.IntParam("clients", 2, 1, 20, "clients per workload (set and register)"),
		},
		Setup: setupSentinelManualFailover,
	}
}

func setupSentinelManualFailover(r *scenarios.Run) (scenarios.Checks, error) {
	at, bound := r.Params.Duration("failover-at"), r.Params.Duration("failover-bound")
	if at+bound+15*time.Second > r.Duration {
		return nil, fmt.Errorf("parameters: want failover-at + failover-bound + 15s <= duration (got %v, %v, %v)", at, bound, r.Duration)
	}
	dep, err := sentinelTrio(r, scenarios.NoSave(), 5*time.Second, 20*time.Second)
	if err != nil {
		return nil, err
	}
	reply := "no reply"
	if r.Live() {
		// No simulated host can reach a real sentinel: the run sends it
		// from its own address.
		dep.At(at, func() {
			var err error
			if reply, err = dep.SentinelCommand("s1", "SENTINEL", "FAILOVER", "mymaster"); err != nil {
				reply = err.Error()
			}
		})
	} else {
		r.World.At(clock.Time(at), func() {
			h, err := r.World.AddHost("admin", sim.HostConfig{})
			if err != nil {
				r.Fail(err)
				return
			}
			p, err := h.Spawn("admin", func(env sim.Env) sim.Node {
				c := redisconn.New(env, "s1:26379", redisconn.Options{DialTimeout: time.Second, Timeout: time.Second})
				c.Do(redisconn.Func(func(v resp.Value, err error) {
					if reply = redisconn.Brief(v); err != nil {
						reply = err.Error()
					}
					c.Close()
				}), 0, []byte("SENTINEL"), []byte("FAILOVER"), []byte("mymaster"))
				return adminNode{}
			})
			if err != nil {
				r.Fail(err)
				return
			}
			p.Start()
		})
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := r.History.Ops()
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), fmt.Sprintf("SENTINEL FAILOVER mymaster, sent to s1 at %v, replied %s", at, reply))
		measureLostWrites(r, "in the handover", "the old master takes writes until it is reconfigured")
		res := failoverTime(ops, "n1", at, bound)
		if reply != "OK" {
			res.Verdict, res.Summary = checker.Violation, "SENTINEL FAILOVER replied "+reply
		}
		return []checker.Result{res, splitBrain(dep, ops, "n1"), dep.Convergence(), sentinelAgreement(dep, "mymaster")}
	}, nil
}

type adminNode struct{}

func (adminNode) Stop() {}

// sentinelTrio deploys what sentinel-failover, -tilt and -manual-failover
// share: nodes n1 (the master), n2 and n3 with cfg, sentinels s1..s3
// (quorum 2, parallel-syncs 1), and the clients of set and register on
// c1, finding the master through Sentinel, with final reads and the
// observations.
func sentinelTrio(r *scenarios.Run, cfg redis.Config, downAfter, foTimeout time.Duration) (*deploy.Deployed, error) {
	set, reg := client.NewSet(), client.NewRegister()
	var sentinels []deploy.Sentinel
	for _, h := range []string{"s1", "s2", "s3"} {
		sentinels = append(sentinels, deploy.Sentinel{Host: h, Quorum: 2, DownAfter: downAfter, FailoverTimeout: foTimeout, ParallelSyncs: 1})
	}
	stop := r.Duration - 6*time.Second
	n := r.Params.Int("clients")
	dep, err := r.Deploy(deploy.Deployment{
		Latency:   sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:    []deploy.Shard{{Name: "mymaster", Nodes: scenarios.RedisNodes(cfg, sim.DiskConfig{}, "n1", "n2", "n3")}},
		Sentinels: sentinels,
		Clients: []deploy.Clients{
			{Host: "c1", Count: n, Workload: set, Sentinel: "mymaster", Stop: stop},
			{Host: "c1", Count: n, Workload: reg, Sentinel: "mymaster", Stop: stop},
		},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", r.Duration-3*time.Second, set, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	return dep, nil
}

// firstNewMasterWrite is when the first write invoked from `from` on
// was acknowledged by another node than old: -1 when none was.
func firstNewMasterWrite(ops []history.Op, old string, from time.Duration) time.Duration {
	first := time.Duration(-1)
	for _, op := range ops {
		if op.Outcome != history.Ok || op.Node == old || (op.Kind != history.Add && op.Kind != history.Write) || op.Invoke.Duration() < from {
			continue
		}
		if d := op.Complete.Duration(); first < 0 || d < first {
			first = d
		}
	}
	return first
}

// measureLostWrites adds to the facts the acknowledged set writes lost:
// measured, not judged, where losing them is what Redis documents (why).
func measureLostWrites(r *scenarios.Run, how, why string) {
	set := checker.SetWrites(scenarios.KeyOps(r.History, 's'), checker.SetOptions{})
	lost, _ := set.Metric("lost")
	acked, _ := set.Metric("acknowledged")
	r.Facts = append(r.Facts, fmt.Sprintf("acknowledged writes lost %s: %.0f of %.0f (measured, not judged: %s)", how, lost, acked, why))
}
