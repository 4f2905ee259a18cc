package nemesis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
)

// Op is the kind of a nemesis action.
type Op string

// The nemesis actions. Each targets hosts by name.
const (
	OpPartition   Op = "partition"  // Shape with Groups
	OpHeal        Op = "heal"       // partitions only
	OpCrash       Op = "crash"      // Target host loses power
	OpRestart     Op = "restart"    // Target host's processes start again
	OpCrashTorn   Op = "crash-torn" // Target host loses power and tears writes: each file keeps a random prefix of its unsynced appends
	OpCrashWipe   Op = "crash-wipe" // Target host loses power and its disk: restart brings it up with no files
	OpPause       Op = "pause"      // Target host's processes stop (SIGSTOP)
	OpResume      Op = "resume"     // and continue
	OpClockJump   Op = "clock-jump" // Target's wall clock moves by Delta
	OpClockDrift  Op = "clock-drift"
	OpClockStrobe Op = "clock-strobe" // wall flips by Delta every Period for Duration
	OpDiskFsync   Op = "disk-fail-fsync"
	OpDiskFull    Op = "disk-full"
	OpDiskOK      Op = "disk-ok"
	OpClog        Op = "clog" // Groups[0][0] <-> Groups[0][1]
	OpUnclog      Op = "unclog"
	OpReset       Op = "reset"     // resets connections between Groups[0][0] and Groups[0][1]
	OpKillLink    Op = "kill-link" // the Redis node on Target closes its link to its master (CLIENT KILL TYPE master)
	OpSlow        Op = "slow"      // Count is the latency factor; 1 restores
	OpLatency     Op = "latency"   // Groups[0][0] <-> Groups[0][1] take Latency each way
	OpHealAll     Op = "heal-all"

	// OpStop sends SIGTERM to Target host's processes: a graceful stop,
	// which each finishes in its own time. A Redis node saves if it has
	// save points and first waits up to shutdown-timeout (10 s) for
	// lagging replicas, holding writes meanwhile; restart starts again
	// those that have exited by then.
	OpStop Op = "stop"

	// Operator actions: what a person or a tool does to the deployment.
	OpPromote   Op = "promote"   // the Redis node on Target becomes a master (REPLICAOF NO ONE)
	OpReplicaOf Op = "replicaof" // the Redis node on Target follows Master (host:port)
	OpPublish   Op = "publish"   // clients that follow Target (a name such as "master") now go to Master
	// OpFailover is an operator's failover: of the hosts in Groups[0], the
	// running Redis node with the largest replication offset becomes the
	// master (the first listed wins a tie), the other running ones and
	// those of Groups[1] (the old master, say) follow it, and clients that
	// follow Target go to it.
	OpFailover Op = "failover"
	// OpClusterCreate creates a Redis Cluster of the deployment's shards
	// as redis-cli --cluster create does.
	OpClusterCreate Op = "cluster-create"
	// OpReshard moves Count slots from the master on Groups[0][0] to the
	// master on Groups[0][1], keys and all, as redis-cli --cluster
	// reshard does.
	OpReshard Op = "reshard"
	// OpClusterAddNode adds the empty node on Target to the cluster as
	// redis-cli --cluster add-node does: a master with no slots, or, with
	// Master (a host), that master's replica.
	OpClusterAddNode Op = "cluster-add-node"
	// OpClusterDelNode removes the node on Target, which must serve no
	// slot, as redis-cli --cluster del-node does.
	OpClusterDelNode Op = "cluster-del-node"
	// OpClusterForget sends CLUSTER FORGET, to every other node, of the
	// IDs they know at Target's address other than its node's own: what
	// a person does for a node lost with its disk (crash-wipe).
	OpClusterForget Op = "cluster-forget"
	// OpClusterFailover sends CLUSTER FAILOVER to the replica on Target,
	// with Mode "force" or "takeover", or none.
	OpClusterFailover Op = "cluster-failover"
	// OpAssignSlots gives Count slots of the master on Groups[0][0] (its
	// lowest) to the master on Groups[0][1] without moving their keys:
	// CLUSTER SETSLOT IMPORTING, then NODE, on the target, as an operator
	// who gives a slot's data up does. The source drops the keys when it
	// hears of the new owner.
	OpAssignSlots Op = "assign-slots"
)

// Ops lists every op in the order scenario files document them.
var Ops = []Op{OpPartition, OpHeal, OpCrash, OpRestart, OpCrashTorn, OpCrashWipe, OpPause, OpResume, OpStop, OpClockJump, OpClockDrift,
	OpClockStrobe, OpDiskFsync, OpDiskFull, OpDiskOK, OpClog, OpUnclog, OpReset, OpKillLink, OpSlow, OpLatency, OpHealAll,
	OpPromote, OpReplicaOf, OpPublish, OpFailover, OpClusterCreate, OpReshard, OpClusterAddNode, OpClusterDelNode,
	OpClusterForget, OpClusterFailover, OpAssignSlots}

// Shapes lists the partition shapes.
var Shapes = []string{ShapeIsolate, ShapeMajority, ShapeOneWay, ShapeBridge}

// Shapes of partitions.
const (
	ShapeIsolate  = "isolate"  // Groups[0] is one host cut off from all
	ShapeMajority = "majority" // Groups are cut from each other
	ShapeOneWay   = "oneway"   // Groups[0] cannot send to Groups[1]
	ShapeBridge   = "bridge"   // Groups[0] | Groups[1][0] | Groups[2]
)

// Action is one timed fault or operator action. A schedule is plain data:
// it can be printed, saved in a scenario file, edited and replayed, and
// every change a run makes to its world after setup is in it.
type Action struct {
	At       time.Duration `json:"at"`
	Op       Op            `json:"op"`
	Target   string        `json:"target,omitempty"`
	Shape    string        `json:"shape,omitempty"`
	Groups   [][]string    `json:"groups,omitempty"`
	Delta    time.Duration `json:"delta,omitempty"`
	Period   time.Duration `json:"period,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
	PPM      float64       `json:"ppm,omitempty"`
	Count    int           `json:"count,omitempty"`
	// Latency is the one-way delay of OpLatency.
	Latency time.Duration `json:"latency,omitempty"`
	// Master is the address (host:port) of OpReplicaOf and OpPublish, and
	// the host of the master an added cluster node replicates.
	Master string `json:"master,omitempty"`
	// Mode is OpClusterFailover's: "force", "takeover" or "".
	Mode string `json:"mode,omitempty"`
}

// String prints a one-line description.
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(clock.Time(a.At).String())
	b.WriteByte(' ')
	b.WriteString(string(a.Op))
	if a.Shape != "" {
		b.WriteString(" " + a.Shape)
	}
	if a.Target != "" {
		b.WriteString(" " + a.Target)
	}
	if len(a.Groups) > 0 {
		gs := make([]string, len(a.Groups))
		for i, g := range a.Groups {
			gs[i] = strings.Join(g, ",")
		}
		b.WriteString(" " + strings.Join(gs, " | "))
	}
	if a.Delta != 0 {
		b.WriteString(" delta=" + a.Delta.String())
	}
	if a.Period != 0 {
		b.WriteString(" period=" + a.Period.String())
	}
	if a.Duration != 0 {
		b.WriteString(" for=" + a.Duration.String())
	}
	if a.PPM != 0 {
		b.WriteString(" ppm=" + strconv.FormatFloat(a.PPM, 'g', -1, 64))
	}
	if a.Count != 0 {
		b.WriteString(" count=" + strconv.Itoa(a.Count))
	}
	if a.Latency != 0 {
		b.WriteString(" latency=" + a.Latency.String())
	}
	if a.Master != "" {
		b.WriteString(" -> " + a.Master)
	}
	if a.Mode != "" {
		b.WriteString(" " + a.Mode)
	}
	return b.String()
}

// FormatTOML writes actions as the [[nemesis.action]] tables of a scenario
// file, so that any schedule (a generated one, a built-in's) can be saved,
// edited and run again as a file.
func FormatTOML(actions []Action) string {
	var b strings.Builder
	dur := func(key string, d time.Duration) {
		if d != 0 {
			fmt.Fprintf(&b, "%s = %q\n", key, d.String())
		}
	}
	str := func(key, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s = %q\n", key, v)
		}
	}
	for i, a := range actions {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("[[nemesis.action]]\n")
		fmt.Fprintf(&b, "at = %q\n", a.At.String())
		str("op", string(a.Op))
		str("target", a.Target)
		str("shape", a.Shape)
		if len(a.Groups) > 0 {
			gs := make([]string, len(a.Groups))
			for j, g := range a.Groups {
				qs := make([]string, len(g))
				for k, h := range g {
					qs[k] = strconv.Quote(h)
				}
				gs[j] = "[" + strings.Join(qs, ", ") + "]"
			}
			fmt.Fprintf(&b, "groups = [%s]\n", strings.Join(gs, ", "))
		}
		dur("delta", a.Delta)
		dur("period", a.Period)
		dur("duration", a.Duration)
		if a.PPM != 0 {
			fmt.Fprintf(&b, "ppm = %s\n", strconv.FormatFloat(a.PPM, 'f', -1, 64))
		}
		if a.Count != 0 {
			fmt.Fprintf(&b, "count = %d\n", a.Count)
		}
		dur("latency", a.Latency)
		str("master", a.Master)
		str("mode", a.Mode)
	}
	return b.String()
}
