package nemesis

import (
	"fmt"
	"strconv"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// Operator carries out the operator actions on a deployment. A deployment
// without Redis nodes or clients to redirect has none (nil).
type Operator interface {
	// Promote makes the Redis node on host a master.
	Promote(host string) error
	// ReplicaOf makes the Redis node on host follow master (host:port).
	ReplicaOf(host, master string) error
	// Publish tells the clients that follow name (e.g. "master") to go to
	// addr from now on.
	Publish(name, addr string) error
	// KillLink makes the Redis node on host close its connection to its
	// master, as CLIENT KILL TYPE master run on it does.
	KillLink(host string) error
	// Failover promotes the running node among candidates with the largest
	// replication offset, points the other running candidates and those of
	// others at it, and publishes it under name.
	Failover(candidates, others []string, name string) error
	// ClusterCreate creates a Redis Cluster of the deployment's shards.
	ClusterCreate() error
	// Reshard moves count slots from the master on host from to the
	// master on host to.
	Reshard(from, to string, count int) error
	// ClusterAddNode adds the node on host to the cluster, as a master or,
	// with master (a host), as its replica.
	ClusterAddNode(host, master string) error
	// ClusterDelNode removes the node on host from the cluster.
	ClusterDelNode(host string) error
	// ClusterForget makes the other nodes forget the IDs host had before.
	ClusterForget(host string) error
	// ClusterFailover sends CLUSTER FAILOVER [mode] to the node on host.
	ClusterFailover(host, mode string) error
	// AssignSlots gives count slots of the master on host from to the
	// master on host to, without their keys.
	AssignSlots(from, to string, count int) error
}

// Apply performs a on the world now; op carries out operator actions. An
// action Check refuses is refused here too; what is left to fail is what
// depends on the world (an unknown host, no operator).
func (a Action) Apply(w *sim.World, n *network.Network, op Operator) error {
	if err := a.Check(); err != nil {
		return fmt.Errorf("nemesis %w", err)
	}
	host := func() (*sim.Host, error) {
		h := w.Host(a.Target)
		if h == nil {
			return nil, fmt.Errorf("nemesis %s: host %q is unknown", a.Op, a.Target)
		}
		return h, nil
	}
	switch a.Op {
	case OpPartition:
		switch a.Shape {
		case ShapeIsolate:
			return n.Isolate(a.Groups[0][0])
		case ShapeMajority:
			return n.Split(a.Groups)
		case ShapeOneWay:
			return n.OneWay(a.Groups[0], a.Groups[1])
		default: // ShapeBridge
			return n.Bridge(a.Groups[0], a.Groups[2], a.Groups[1][0])
		}
	case OpHeal:
		n.Heal()
	case OpCrash:
		h, err := host()
		if err != nil {
			return err
		}
		h.Crash()
	case OpCrashTorn, OpCrashWipe:
		h, err := host()
		if err != nil {
			return err
		}
		if a.Op == OpCrashTorn {
			h.CrashTorn()
		} else {
			h.CrashWipe()
		}
	case OpRestart:
		h, err := host()
		if err != nil {
			return err
		}
		h.Restart(0)
	case OpStop:
		h, err := host()
		if err != nil {
			return err
		}
		h.Terminate()
	case OpPause, OpResume:
		h, err := host()
		if err != nil {
			return err
		}
		for _, p := range h.Processes() {
			if a.Op == OpPause {
				p.Pause()
			} else {
				p.Resume()
			}
		}
	case OpClockJump:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-jump " + a.Target + " " + a.Delta.String())
		h.Clock.Jump(a.Delta)
	case OpClockDrift:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-drift " + a.Target + " ppm=" + strconv.FormatFloat(a.PPM, 'g', -1, 64))
		return h.Clock.SetDrift(w.Now(), a.PPM)
	case OpClockStrobe:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-strobe " + a.Target)
		h.Clock.Strobe(w.Now(), a.Delta, a.Period, a.Duration)
	case OpDiskFsync, OpDiskFull, OpDiskOK:
		h, err := host()
		if err != nil {
			return err
		}
		switch a.Op {
		case OpDiskFsync:
			h.Disk().FailSyncs(max(a.Count, 1))
		case OpDiskFull:
			h.Disk().SetFull(true)
		default:
			h.Disk().SetFull(false)
			h.Disk().FailSyncs(0)
		}
	case OpClog, OpUnclog, OpReset, OpSlow, OpLatency:
		x, y := a.Groups[0][0], a.Groups[0][1]
		switch a.Op {
		case OpClog:
			return n.Clog(x, y)
		case OpUnclog:
			return n.Unclog(x, y)
		case OpReset:
			_, err := n.ResetConns(x, y)
			return err
		case OpLatency:
			w.Fault("latency " + x + " <-> " + y + " " + a.Latency.String())
			if err := n.SetLatency(x, y, sim.FixedDist(a.Latency)); err != nil {
				return err
			}
			return n.SetLatency(y, x, sim.FixedDist(a.Latency))
		default:
			return n.Slow(x, y, max(a.Count, 1))
		}
	case OpHealAll:
		healAll(w, n)
	case OpReshard, OpAssignSlots:
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		from, to := a.Groups[0][0], a.Groups[0][1]
		w.Fault("operator: " + a.String()[len(clock.Time(a.At).String())+1:])
		if a.Op == OpAssignSlots {
			return op.AssignSlots(from, to, a.Count)
		}
		return op.Reshard(from, to, a.Count)
	case OpClusterCreate:
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		w.Fault("cluster-create")
		return op.ClusterCreate()
	case OpClusterAddNode, OpClusterDelNode, OpClusterForget, OpClusterFailover:
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		w.Fault("operator: " + a.String()[len(clock.Time(a.At).String())+1:])
		switch a.Op {
		case OpClusterAddNode:
			return op.ClusterAddNode(a.Target, a.Master)
		case OpClusterDelNode:
			return op.ClusterDelNode(a.Target)
		case OpClusterForget:
			return op.ClusterForget(a.Target)
		default:
			return op.ClusterFailover(a.Target, a.Mode)
		}
	case OpKillLink:
		// A fault, but one only the node can carry out: the connection
		// is the node's, and what it keeps for PSYNC is its decision.
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		w.Fault("kill-link " + a.Target)
		return op.KillLink(a.Target)
	case OpFailover:
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		w.Fault("operator: " + a.String()[len(clock.Time(a.At).String())+1:])
		var others []string
		if len(a.Groups) == 2 {
			others = a.Groups[1]
		}
		return op.Failover(a.Groups[0], others, a.Target)
	case OpPromote, OpReplicaOf, OpPublish:
		if op == nil {
			return fmt.Errorf("nemesis %s: this deployment has no operator (no Redis nodes)", a.Op)
		}
		w.Fault("operator: " + a.String()[len(clock.Time(a.At).String())+1:])
		switch a.Op {
		case OpPromote:
			return op.Promote(a.Target)
		case OpReplicaOf:
			return op.ReplicaOf(a.Target, a.Master)
		default:
			return op.Publish(a.Target, a.Master)
		}
	}
	return nil
}

// healAll ends every fault: partitions, clogs and slow links, pauses, crashes,
// drift and disk faults. Clock offsets from jumps stay, as they would after an
// operator fixed NTP without stepping clocks back.
func healAll(w *sim.World, n *network.Network) {
	w.Fault("heal-all")
	n.Restore()
	for _, h := range w.Hosts() {
		for _, p := range h.Processes() {
			p.Resume()
		}
		h.Restart(0)
		_ = h.Clock.SetDrift(w.Now(), 0)
		h.Clock.Strobe(w.Now(), 0, 0, 0)
		h.Disk().SetFull(false)
		h.Disk().FailSyncs(0)
	}
}

// Schedule installs every action at its time; a failing action halts the
// world through fail.
//
// Actions due now (at time zero, when Schedule is called before the world
// runs) are the deployment's initial conditions, such as a link's latency
// or a clogged pair: they apply at once, before any process has run, so a
// process starting at time zero already sees them.
func Schedule(w *sim.World, n *network.Network, op Operator, actions []Action, fail func(error)) {
	// The fault sites are faults too: they stop at the last heal-all,
	// which starts the quiet period, so the liveness phase has none. A
	// heal-all before it (a scenario's own mid-run one) leaves them on.
	last := -1
	for i, a := range actions {
		if a.Op == OpHealAll {
			last = i
		}
	}
	for i, a := range actions {
		a, calm := a, i == last
		apply := func() {
			if err := a.Apply(w, n, op); err != nil {
				fail(err)
			}
			if calm {
				w.CalmSites()
			}
		}
		if clock.Time(a.At) <= w.Now() {
			apply()
			continue
		}
		w.At(clock.Time(a.At), apply)
	}
}
