package scenarios

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// Observations are what a run samples for its report: each node's role and
// replication lag, and which node each client process targets.
type Observations struct {
	Roles   []reports.RoleSample
	Beliefs []reports.BeliefSample
	Lag     []reports.LagSample
}

// redisTopology is a set of Redis nodes, one per host, with client hosts.
// It is the run's operator: the nemesis's operator actions act through it.
type redisTopology struct {
	r       *Run
	names   []string
	procs   map[string]*sim.Process
	hist    *history.History
	targets map[int]func() string
	nextPID int
	// published is the directory that clients following a name (such as
	// "master") read before each operation; OpPublish changes it.
	published map[string]string
}

func newTopology(r *Run) *redisTopology {
	r.History = &history.History{}
	t := &redisTopology{r: r, procs: map[string]*sim.Process{}, hist: r.History, targets: map[int]func() string{}, published: map[string]string{}}
	r.operator = t
	return t
}

// follow is a client target that reads the address published under name,
// initially addr.
func (t *redisTopology) follow(name, addr string) func() string {
	t.published[name] = addr
	return func() string { return t.published[name] }
}

// Publish implements nemesis.Operator.
func (t *redisTopology) Publish(name, addr string) error {
	if _, ok := t.published[name]; !ok {
		return fmt.Errorf("nemesis publish: no client follows %q", name)
	}
	t.published[name] = addr
	return nil
}

// operated returns the running node on host for an operator action; nil
// (and a note in the trace) when the node is down, since an operator's
// command to a dead node fails without stopping the run.
func (t *redisTopology) operated(op, host string) (*redis.Server, error) {
	if t.procs[host] == nil {
		return nil, fmt.Errorf("nemesis %s: no Redis node on host %q", op, host)
	}
	s := t.server(host)
	if s == nil {
		t.r.World.Note(sim.LevelFault, "operator: "+op+" "+host+" failed: the node is down")
	}
	return s, nil
}

// Promote implements nemesis.Operator: REPLICAOF NO ONE.
func (t *redisTopology) Promote(host string) error {
	s, err := t.operated("promote", host)
	if s != nil {
		s.PromoteToMaster()
	}
	return err
}

// ReplicaOf implements nemesis.Operator: REPLICAOF host port.
func (t *redisTopology) ReplicaOf(host, master string) error {
	mh, mp, err := net.SplitHostPort(master)
	port, perr := strconv.Atoi(mp)
	if err != nil || perr != nil {
		return fmt.Errorf("nemesis replicaof: master %q is not host:port", master)
	}
	s, err := t.operated("replicaof", host)
	if s != nil {
		s.ReplicaOf(mh, port)
	}
	return err
}

// node adds host name running a Redis node with cfg.
func (t *redisTopology) node(name string, cfg redis.Config, disk sim.DiskConfig) error {
	h, err := t.r.World.AddHost(name, sim.HostConfig{Disk: disk})
	if err != nil {
		return err
	}
	p, err := h.Spawn("redis-"+name, redis.Program(cfg))
	if err != nil {
		return err
	}
	t.names = append(t.names, name)
	t.procs[name] = p
	p.Start()
	return nil
}

// server is the node's current incarnation, nil when it is down.
func (t *redisTopology) server(name string) *redis.Server {
	p := t.procs[name]
	if p == nil || p.State() == sim.Down {
		return nil
	}
	s, _ := p.Node().(*redis.Server)
	return s
}

// clients starts n clients of workload wl on host (created if needed),
// sending to target, stopping at stop.
func (t *redisTopology) clients(host string, n int, target func() string, wl client.Workload, stop time.Duration) error {
	w := t.r.World
	h := w.Host(host)
	if h == nil {
		var err error
		if h, err = w.AddHost(host, sim.HostConfig{}); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		pid := t.nextPID
		t.nextPID++
		prog, err := client.Program(client.Options{
			Process: pid, History: t.hist, Now: w.Now, Target: target,
			Workload: wl, Stop: clock.Time(stop),
		})
		if err != nil {
			return err
		}
		p, err := h.Spawn(fmt.Sprintf("client%d", pid), prog)
		if err != nil {
			return err
		}
		t.targets[pid] = target
		p.Start()
	}
	return nil
}

// finalReads reads every key of wl on every node at time at, from host.
func (t *redisTopology) finalReads(host string, at time.Duration, wl client.Workload) {
	w := t.r.World
	w.At(clock.Time(at), func() {
		h := w.Host(host)
		for _, name := range t.names {
			pid := t.nextPID
			t.nextPID++
			prog, err := client.FinalReadProgram(name+":6379", client.Options{Process: pid, History: t.hist, Now: w.Now, Workload: wl}, nil)
			if err != nil {
				t.r.fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
			p, err := h.Spawn(fmt.Sprintf("final%d-%s", pid, name), prog)
			if err != nil {
				t.r.fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
			p.Start()
		}
	})
}

// observe samples roles, offsets and client targets every period.
func (t *redisTopology) observe(period time.Duration) {
	w := t.r.World
	obs := &t.r.Observations
	var tick func()
	tick = func() {
		at := w.Now().Duration()
		var top int64
		offsets := map[string]int64{}
		for _, name := range t.names {
			s := t.server(name)
			role := "down"
			if s != nil {
				role = s.Role()
				offsets[name] = s.ReplOffset()
				if role == "master" && s.ReplOffset() > top {
					top = s.ReplOffset()
				}
			}
			obs.Roles = append(obs.Roles, reports.RoleSample{At: at, Node: name, Role: role})
		}
		for _, name := range t.names {
			if s := t.server(name); s != nil && s.Role() == "slave" {
				obs.Lag = append(obs.Lag, reports.LagSample{At: at, Node: name, Bytes: max(top-offsets[name], 0)})
			}
		}
		for pid := 0; pid < t.nextPID; pid++ {
			if tg, ok := t.targets[pid]; ok {
				obs.Beliefs = append(obs.Beliefs, reports.BeliefSample{At: at, Process: pid, Master: hostPart(tg())})
			}
		}
		if at+period < t.r.Duration {
			w.After(period, tick)
		}
	}
	w.After(0, tick)
}

func hostPart(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i]
		}
	}
	return addr
}

// convergence compares the digests of every node that is up; a node that
// is down, or a replica whose link is down, fails it too.
func (t *redisTopology) convergence() checker.Result {
	var reps []checker.Replica
	var bad []string
	for _, name := range t.names {
		s := t.server(name)
		if s == nil {
			bad = append(bad, name+" is down at the end")
			continue
		}
		reps = append(reps, checker.Replica{Node: name, Digest: s.Digest()})
		if s.Role() == "slave" && !s.MasterLinkUp() {
			bad = append(bad, name+": link to its master is down at the end")
		}
	}
	v := checker.Convergence([]checker.Shard{{Name: "shard", Replicas: reps}})
	if len(bad) > 0 {
		if v.Verdict != checker.Violation {
			v.Summary = fmt.Sprintf("%d nodes not converged: %s", len(bad), bad[0])
		}
		v.Verdict = checker.Violation
		v.Evidence.Notes = append(bad, v.Evidence.Notes...)
	}
	return v
}

// opCounts is a fact line: how many operations ended each way.
func opCounts(h *history.History) string {
	var ok, fail, info int
	for _, op := range h.Ops() {
		switch op.Outcome {
		case history.Ok:
			ok++
		case history.Fail:
			fail++
		default:
			info++
		}
	}
	return fmt.Sprintf("%d operations: %d ok, %d fail, %d info", ok+fail+info, ok, fail, info)
}

// keyPrefix keeps the ops whose key starts with prefix: one workload's keys
// ("r" register, "s" set...).
func keyPrefix(ops []history.Op, prefix byte) []history.Op {
	var out []history.Op
	for _, op := range ops {
		if len(op.Key) > 0 && op.Key[0] == prefix {
			out = append(out, op)
		}
	}
	return out
}

// linearizable runs porcupine on the register ops, with the checker's
// deterministic bound on the search.
func (r *Run) linearizable(ops []history.Op) checker.Result {
	return r.linearizableModel(checker.Register, ops)
}

// linearizableModel checks ops against m; the first violation's key is what
// the report draws with porcupine's visualization.
func (r *Run) linearizableModel(m checker.Model, ops []history.Op) checker.Result {
	res := checker.Linearizable(m, ops, checker.LinearizableOptions{})
	if res.Verdict == checker.Violation && r.visualize == nil {
		key := res.Evidence.Key
		r.visualize = func(w io.Writer) error {
			return checker.WriteVisualization(w, m, ops, checker.VisualizationOptions{Key: key})
		}
	}
	return res
}

// liveness demands that every client still working after the final heal
// gets an ok operation within bound.
func liveness(r *Run, faultsEnd, bound time.Duration) checker.Result {
	return checker.Liveness(r.History.Ops(), checker.LivenessOptions{
		FaultsStopped: clock.Time(faultsEnd), Bound: bound, PerProcess: true, End: r.World.Now(),
	})
}
