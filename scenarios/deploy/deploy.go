// Package deploy describes a Redis deployment as data (shards of nodes,
// their hosts, configurations, disks and clocks, and the clients that
// drive them) and builds it in a world, handing back handles per shard,
// node and client process that faults, operator actions, observers and
// checks use. Its checks judge the nodes themselves: Convergence compares
// digests after the final heal, and a ReplicationWatch judges replication
// offsets, ACKs, protocol errors and resync loops against a drain barrier.
//
// Invariants: Build creates hosts and spawns processes in the order the
// deployment lists them (shards and their nodes, sentinels, then client
// groups), so
// the same deployment gives the same process ids and the same run.
// Observers and checks only read nodes (every incarnation, the crashed
// ones too), so a run is the same with or without them.
package deploy

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// Deployment is what runs where. Cluster nodes join it when they exist.
type Deployment struct {
	// Latency is the default one-way latency of every link; the zero Dist
	// keeps the network's default.
	Latency sim.Dist
	// Loopback is the one-way latency between processes of one host (a
	// client and the node beside it); the zero Dist keeps the network's
	// default.
	Loopback sim.Dist
	// Shards are replication groups.
	Shards []Shard
	// Sentinels are Redis Sentinel processes watching the shards.
	Sentinels []Sentinel
	// Clients are groups of workload clients.
	Clients []Clients
	// Cluster runs every node with cluster-enabled yes and none with
	// replicaof: the shards become one Redis Cluster when the operator
	// creates it (nemesis's cluster-create), each shard's first node a
	// master and the others its replicas.
	Cluster bool
}

// Sentinel is one redis-sentinel process. It runs on Host, beside the
// Redis node of that host if there is one (Jepsen's setup), else on a
// host of its own (Disk and Clock apply only then). It monitors every shard (or those named in Shards),
// each under the shard's name, at the shard's first node, with Quorum and
// the periods below; zero periods keep Redis's defaults. Extra is appended
// to its configuration file (any "sentinel ..." or other redis.conf line
// redis-sentinel reads).
type Sentinel struct {
	Host   string
	Port   int
	Shards []string
	Quorum int
	// DownAfter is down-after-milliseconds; FailoverTimeout is
	// failover-timeout; ParallelSyncs is parallel-syncs.
	DownAfter       time.Duration
	FailoverTimeout time.Duration
	ParallelSyncs   int
	Extra           string
	Disk            sim.DiskConfig
	Clock           clock.Config
}

// Shard is one replication group: Nodes[0] is the initial master and the
// others replicate it (Build sets their replicaof).
type Shard struct {
	Name  string
	Nodes []Node
}

// Node is one Redis node on its own host.
type Node struct {
	Host   string
	Config redis.Config
	Disk   sim.DiskConfig
	Clock  clock.Config
	// Upstream, for a replica, is the host of another node of the shard
	// that it replicates (a chained replica); "" means Nodes[0].
	Upstream string
}

// Addr is the node's address (host:port).
func (n Node) Addr() string { return net.JoinHostPort(n.Host, strconv.Itoa(n.Config.Port)) }

// Clients are Count clients of one workload on Host (created if no node
// runs there). They send to Target, or, when Follow is set, to the address
// published under that name (initially Target), read before every
// operation; an operator action moves it. They stop at Stop, and fall
// silent as client.Options's IdleEvery and IdleFor say.
type Clients struct {
	Host     string
	Count    int
	Workload client.Workload
	Target   string
	Follow   string
	// Sentinel, when set, is the name of the master the clients find
	// through the deployment's sentinels (client.Sentinel), asking them in
	// the order of Sentinels (hosts; empty: the deployment's order with
	// the sentinel on the clients' own host first). Target is then unused.
	Sentinel  string
	Sentinels []string
	// Cluster, when set, makes them Redis Cluster clients that find the
	// slot map from Cluster.Addrs (client.Cluster) and route each
	// operation by its key; Target and Follow are then unused, and the
	// Workload should be adapted by client.ForCluster (the client refuses
	// one whose transactions could span slots). A cluster client has no
	// single master, so the observations record no belief for it.
	Cluster            *client.Cluster
	Stop               time.Duration
	IdleEvery, IdleFor time.Duration
}

// Deployed is a deployment built in a world.
type Deployed struct {
	w    *sim.World
	hist *history.History
	// pf, when set, is the platform the deployment runs on instead of w
	// (BuildOn); w is then nil.
	pf Platform
	// shards keep the deployment's order, nodes the order of all nodes.
	shards []Shard
	nodes  []string
	procs  map[string]*sim.Process
	// lives are every incarnation of each node, oldest first, so that
	// checks can read what a crashed incarnation counted.
	lives map[string][]life
	// published is the directory that following clients read; targets is
	// each client process's target, for observation.
	published map[string]string
	targets   map[int]func() string
	nextPID   int
	// settled is each shard's last drained view near the end (Observe).
	settled map[string]shardView
	// digests are each node host's last digest, for digestInto to reuse.
	digests map[string]nodeDigest
	// sentinels are the hosts of the sentinels in the deployment's order,
	// sentinelProcs their processes.
	sentinels      []string
	sentinelProcs  map[string]*sim.Process
	sentinelPorts  map[string]int
	sentinelEvents []SentinelEvent
	// observed is what Observe fills, which the sentinels' events are
	// also appended to; sentinelNames are the masters each sentinel was
	// last seen monitoring, for the samples taken while it is down.
	observed      *Observations
	sentinelNames map[string][]string
	// cluster is Deployment.Cluster; clusterTicks the instants Observe
	// looked at the nodes' cluster views (which it records in
	// Observations.Cluster where they change); clusterLast the index there
	// of each node's last sample.
	cluster      bool
	clusterTicks []time.Duration
	clusterLast  map[string]int
	// hostIDs are the node IDs each host's node has had, oldest first.
	hostIDs map[string][]string
	// resharding is set while a reshard runs; reshardQueue holds those
	// asked for meanwhile.
	resharding   bool
	reshardQueue []func()
	// givenAway are the slots AssignSlots gave to another master without
	// their keys, in the order it did.
	givenAway []int
}

// Build creates d's hosts and processes in w and starts them; clients
// record into hist.
func Build(w *sim.World, n *network.Network, d Deployment, hist *history.History) (*Deployed, error) {
	if d.Latency != (sim.Dist{}) {
		if err := n.SetDefaultLatency(d.Latency); err != nil {
			return nil, err
		}
	}
	if d.Loopback != (sim.Dist{}) {
		if err := n.SetLoopbackLatency(d.Loopback); err != nil {
			return nil, err
		}
	}
	b := newDeployed(w, hist)
	return b, b.build(d)
}

func newDeployed(w *sim.World, hist *history.History) *Deployed {
	return &Deployed{w: w, hist: hist, procs: map[string]*sim.Process{}, lives: map[string][]life{},
		published: map[string]string{}, targets: map[int]func() string{},
		sentinelProcs: map[string]*sim.Process{}, sentinelPorts: map[string]int{}}
}

// build creates d's processes in order: shards and their nodes, sentinels,
// then client groups.
func (b *Deployed) build(d Deployment) error {
	b.cluster = d.Cluster
	for _, sh := range d.Shards {
		if len(sh.Nodes) == 0 {
			return fmt.Errorf("deploy: shard %q has no nodes", sh.Name)
		}
		for i, node := range sh.Nodes {
			cfg := node.Config
			if d.Cluster {
				if node.Upstream != "" || cfg.ReplicaOf != "" {
					return fmt.Errorf("deploy: node %s of cluster shard %q: a cluster node replicates what CLUSTER REPLICATE says, not replicaof", node.Host, sh.Name)
				}
				cfg.Cluster.Enabled = true
				if err := b.node(node.Host, cfg, node.Disk, node.Clock); err != nil {
					return err
				}
				continue
			}
			if i > 0 {
				cfg.ReplicaOf = sh.Nodes[0].Addr()
			}
			if node.Upstream != "" {
				j := slices.IndexFunc(sh.Nodes, func(n Node) bool { return n.Host == node.Upstream })
				if i == 0 || j < 0 || j == i {
					return fmt.Errorf("deploy: node %s of shard %q: upstream %q must be another node of the shard, and the first node is the master", node.Host, sh.Name, node.Upstream)
				}
				cfg.ReplicaOf = sh.Nodes[j].Addr()
			}
			if err := b.node(node.Host, cfg, node.Disk, node.Clock); err != nil {
				return err
			}
		}
		b.shards = append(b.shards, sh)
	}
	for _, st := range d.Sentinels {
		if err := b.sentinel(st); err != nil {
			return err
		}
	}
	for _, c := range d.Clients {
		if err := b.clients(c); err != nil {
			return err
		}
	}
	return nil
}

func (b *Deployed) node(host string, cfg redis.Config, disk sim.DiskConfig, clk clock.Config) error {
	if b.pf != nil {
		if err := b.pf.StartNode(host, cfg); err != nil {
			return err
		}
		b.nodes = append(b.nodes, host)
		return nil
	}
	h, err := b.w.AddHost(host, sim.HostConfig{Disk: disk, Clock: clk})
	if err != nil {
		return err
	}
	prog := redis.Program(cfg)
	p, err := h.Spawn("redis-"+host, func(env sim.Env) sim.Node {
		n := prog(env)
		if s, ok := n.(*redis.Server); ok {
			lives := b.lives[host]
			if len(lives) > 0 {
				lives[len(lives)-1].end()
			}
			b.lives[host] = append(lives, life{s: s})
		}
		return n
	})
	if err != nil {
		return err
	}
	b.nodes = append(b.nodes, host)
	b.procs[host] = p
	p.Start()
	return nil
}

func (b *Deployed) clients(c Clients) error {
	if b.pf != nil {
		return b.platformClients(c)
	}
	h := b.w.Host(c.Host)
	if h == nil {
		var err error
		if h, err = b.w.AddHost(c.Host, sim.HostConfig{}); err != nil {
			return err
		}
	}
	if c.Sentinel != "" {
		return b.sentinelClients(c)
	}
	target := b.target(c)
	for i := 0; i < c.Count; i++ {
		pid, prog, err := b.clientProgram(c, target)
		if err != nil {
			return err
		}
		p, err := h.Spawn(fmt.Sprintf("client%d", pid), prog)
		if err != nil {
			return err
		}
		if c.Cluster == nil {
			b.targets[pid] = target
		}
		p.Start()
	}
	return nil
}

// target is where c's clients send: c.Target, or the address published
// under c.Follow.
func (b *Deployed) target(c Clients) func() string {
	if c.Follow == "" {
		return client.Fixed(c.Target)
	}
	if _, ok := b.published[c.Follow]; !ok {
		b.published[c.Follow] = c.Target
	}
	name := c.Follow
	return func() string { return b.published[name] }
}

// clientProgram is the program of c's next client, and its process id.
func (b *Deployed) clientProgram(c Clients, target func() string) (int, sim.Program, error) {
	pid := b.nextPID
	b.nextPID++
	o := client.Options{
		Process: pid, History: b.hist, Now: b.now, Target: target,
		Workload: c.Workload, Stop: clock.Time(c.Stop), IdleEvery: c.IdleEvery, IdleFor: c.IdleFor,
	}
	if c.Cluster != nil {
		o.Target, o.Cluster = nil, c.Cluster
	}
	prog, err := client.Program(o)
	return pid, prog, err
}

// platformClients starts c's clients on the platform.
func (b *Deployed) platformClients(c Clients) error {
	if c.Sentinel != "" {
		return b.sentinelClients(c)
	}
	target := b.target(c)
	for i := 0; i < c.Count; i++ {
		pid, prog, err := b.clientProgram(c, target)
		if err != nil {
			return err
		}
		if err := b.pf.Spawn(c.Host, fmt.Sprintf("client%d", pid), prog); err != nil {
			return err
		}
		if c.Cluster == nil {
			b.targets[pid] = target
		}
	}
	return nil
}

// Nodes are the hosts of every node, in the deployment's order.
func (b *Deployed) Nodes() []string { return b.nodes }

// life is one incarnation of a node: its server while it is the
// latest, then only the replication counters the checks read of it, so
// that a long run with many restarts does not keep every dataset it ever
// loaded.
type life struct {
	s     *redis.Server
	stats redis.ReplStats
}

// end freezes an incarnation that a new one replaced.
func (l *life) end() {
	if l.s != nil {
		l.stats, l.s = l.s.ReplStats(), nil
	}
}

// ReplStats are the incarnation's replication counters.
func (l *life) ReplStats() redis.ReplStats {
	if l.s != nil {
		return l.s.ReplStats()
	}
	return l.stats
}

// Server is the current incarnation of the node on host, nil when it is
// down or there is none.
func (b *Deployed) Server(host string) *redis.Server {
	p := b.procs[host]
	if p == nil || p.State() == sim.Down {
		return nil
	}
	s, _ := p.Node().(*redis.Server)
	return s
}

// Process is the node process on host.
func (b *Deployed) Process(host string) *sim.Process { return b.procs[host] }
