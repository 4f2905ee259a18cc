package deploy

import (
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// Platform runs a deployment outside the simulated world: real
// redis-server processes, and the same client programs on a real-time
// loop (scenarios/live). Build builds a deployment in the world; BuildOn
// builds it on a platform. The Deployed handle is the same either way,
// so a scenario's setup does not change: its methods that start, steer
// or read nodes go through the platform, which answers with real
// commands instead of reading a simulated node's memory.
//
// Every method is called on the platform's one goroutine (the one that
// runs the clients and At's functions), so that the history, the
// published addresses and the observations are written from one
// goroutine, as in the simulator.
type Platform interface {
	// Now is the true time since the run began: the history's clock.
	Now() clock.Time
	// At runs fn at true time at.
	At(at time.Duration, fn func())
	// StartNode starts a Redis node on host with cfg; cfg.ReplicaOf, if
	// set, names another host of the deployment ("n1:6379").
	StartNode(host string, cfg redis.Config) error
	// Spawn runs prog as a process on host (a client).
	Spawn(host, name string, prog sim.Program) error
	// Promote runs REPLICAOF NO ONE on the node on host; ReplicaOf runs
	// REPLICAOF master's address; KillLink runs CLIENT KILL TYPE master
	// and reports whether it killed a link.
	Promote(host string) error
	ReplicaOf(host, masterHost string, port int) error
	KillLink(host string) (bool, error)
	// State reads the node on host (INFO replication, and DEBUG DIGEST
	// when digest is set); an error when it is down or does not answer.
	State(host string, digest bool) (NodeState, error)
	// Note records what the operator did or could not do, as the
	// simulator's trace notes do.
	Note(text string)
	// Addr is the address the platform gives host (its own loopback
	// address), for the lines of a configuration file that name another
	// host; HostAddr maps an "ip:port" of the platform's back to
	// "host:port", false for an address it did not give.
	Addr(host string) string
	HostAddr(addr string) (string, bool)
	// StartSentinel starts a redis-sentinel on host, listening on port,
	// with conf: the deployment's lines (monitors at the platform's
	// addresses, periods, Extra), to which the platform adds its own
	// (bind, announce, dir, log). onEvent is told every event the
	// sentinel publishes (+sdown, +switch-master...), on the platform's
	// goroutine, with the platform's addresses written as host names.
	StartSentinel(host string, port int, conf string, onEvent func(typ, msg string)) error
	// SentinelState reads the sentinel on host (SENTINEL MASTERS, INFO);
	// an error when it is down or does not answer. A paused sentinel is
	// not asked: its state says Paused and nothing more.
	SentinelState(host string) (SentinelState, error)
	// SentinelCommand sends one command to the sentinel on host, as an
	// administrator would (SENTINEL FAILOVER mymaster), and returns its
	// reply in brief; an error reply is an error.
	SentinelCommand(host string, args ...string) (string, error)
}

// SentinelState is what a platform reads of a running sentinel.
type SentinelState struct {
	Paused, Tilt bool
	CurrentEpoch uint64
	// Masters are the masters it monitors, in its order.
	Masters []SentinelMaster
}

// SentinelMaster is one master as a sentinel sees it: its name, its
// address ("host:port"), its status ("ok", "sdown" or "odown") and its
// configuration epoch.
type SentinelMaster struct {
	Name, Addr, Status string
	ConfigEpoch        uint64
}

// NodeState is what a platform reads of a running node.
type NodeState struct {
	// Role is "master" or "slave"; LinkUp whether a replica's link to its
	// master is up.
	Role   string
	LinkUp bool
	ReplID string
	Offset int64
	// MasterHost is the host a replica replicates from (INFO's
	// master_host, as a host name when it is one of the platform's).
	MasterHost string
	// Digest is DEBUG DIGEST's reply, when asked for.
	Digest string
}

// BuildOn builds d on pf, as Build does in a world; clients record into
// hist. Latencies, disks and clocks of the deployment are the
// platform's: it says which it could not give.
func BuildOn(pf Platform, d Deployment, hist *history.History) (*Deployed, error) {
	b := newDeployed(nil, hist)
	b.pf = pf
	return b, b.build(d)
}

// At runs fn at true time at, in the world or on the platform: for a
// check's own sampling, which on a platform cannot ride on the world's
// timers (nothing runs in the world).
func (b *Deployed) At(at time.Duration, fn func()) { b.at(at, fn) }

// now is the history's clock, the world's or the platform's.
func (b *Deployed) now() clock.Time {
	if b.pf != nil {
		return b.pf.Now()
	}
	return b.w.Now()
}

// at runs fn at true time at, in the world or on the platform.
func (b *Deployed) at(at time.Duration, fn func()) {
	if b.pf != nil {
		b.pf.At(at, fn)
		return
	}
	b.w.At(clock.Time(at), fn)
}

// note is a fault-level note: the world's trace, or the platform's.
func (b *Deployed) note(text string) {
	if b.pf != nil {
		b.pf.Note(text)
		return
	}
	b.w.Note(sim.LevelFault, text)
}
