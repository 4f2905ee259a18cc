package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// A cluster deployment (Deployment.Cluster) runs every node of every shard
// with cluster-enabled yes and no replicaof: the shards are the cluster's
// masters (Nodes[0]) and their replicas once the operator has created the
// cluster (nemesis's cluster-create, Deployed.ClusterCreate), as
// `redis-cli --cluster create` does it, over the network, from a host of
// its own (OperatorHost).

// OperatorHost is the host the cluster operator's commands come from.
const OperatorHost = "operator"

// clusterOp is one run of the cluster operator: a script of commands sent
// over connections from OperatorHost, each step waiting for the replies
// of the one before.
type clusterOp struct {
	b     *Deployed
	env   sim.Env
	conns map[string]*redisconn.Conn
	ids   map[string]string
	// masters are the shards' first nodes, replicas the rest with the
	// master each follows.
	masters  []string
	replicas [][2]string
	all      []string
	done     func()
	polls    int
}

func (op *clusterOp) Stop() {}

// ClusterCreate creates the cluster from the deployment's shards, as
// redis-cli --cluster create: each master takes an equal share of the
// 16384 slots (ADDSLOTSRANGE), each node its own config epoch (1, 2, ...,
// SET-CONFIG-EPOCH), the first node meets all others (MEET), and once
// every node knows every other (CLUSTER NODES polled each second, as
// redis-cli waits "for the cluster to join") each replica follows its
// shard's master (REPLICATE).
func (b *Deployed) ClusterCreate() error {
	if !b.cluster {
		return fmt.Errorf("nemesis cluster-create: the deployment is not a cluster")
	}
	if b.pf != nil {
		return fmt.Errorf("nemesis cluster-create: not supported on a live platform yet")
	}
	h := b.w.Host(OperatorHost)
	if h == nil {
		var err error
		if h, err = b.w.AddHost(OperatorHost, sim.HostConfig{}); err != nil {
			return err
		}
	}
	op := &clusterOp{b: b, conns: map[string]*redisconn.Conn{}, ids: map[string]string{}}
	for _, sh := range b.shards {
		op.masters = append(op.masters, sh.Nodes[0].Host)
		for _, n := range sh.Nodes[1:] {
			op.replicas = append(op.replicas, [2]string{n.Host, sh.Nodes[0].Host})
		}
	}
	op.all = append(op.all, b.nodes...)
	b.note("operator: cluster-create " + strings.Join(op.masters, ",") + " with " + strconv.Itoa(len(op.replicas)) + " replicas")
	p, err := h.Spawn(fmt.Sprintf("cluster-create-%d", len(h.Processes())), func(env sim.Env) sim.Node {
		op.env = env
		for _, n := range op.all {
			op.conns[n] = redisconn.New(env, n+":6379", redisconn.Options{Timeout: 5 * time.Second})
		}
		op.step1()
		return op
	})
	if err != nil {
		return err
	}
	p.Start()
	return nil
}

// fail notes that the operator's script stopped: the cluster is left as
// it is, as a redis-cli that errors out leaves it.
func (op *clusterOp) fail(what string, v resp.Value, err error) {
	why := ""
	if err != nil {
		why = err.Error()
	} else {
		why = v.String()
	}
	op.b.note("operator: cluster-create stopped: " + what + ": " + why)
}

// each sends args(i, n) to every node of nodes, hands each reply to seen
// (when set) and calls then once every reply is in; an error stops the
// script.
func (op *clusterOp) each(nodes []string, what string, args func(i int, n string) []string, seen func(n string, v resp.Value), then func()) {
	left := len(nodes)
	failed := false
	if left == 0 {
		then()
		return
	}
	for i, n := range nodes {
		a := args(i, n)
		bs := make([][]byte, len(a))
		for j, s := range a {
			bs[j] = []byte(s)
		}
		n := n
		op.conns[n].Do(redisconn.Func(func(v resp.Value, err error) {
			if failed {
				return
			}
			if err != nil || v.IsError() {
				failed = true
				op.fail(what+" on "+n, v, err)
				return
			}
			if seen != nil {
				seen(n, v)
			}
			left--
			if left == 0 {
				then()
			}
		}), 0, bs...)
	}
}

func (op *clusterOp) step1() {
	op.each(op.all, "CLUSTER MYID", func(int, string) []string { return []string{"CLUSTER", "MYID"} },
		func(n string, v resp.Value) { op.ids[n] = string(v.Str) }, op.step2)
}

// step2 assigns the slots and the config epochs.
func (op *clusterOp) step2() {
	per := 16384 / len(op.masters)
	op.each(op.masters, "CLUSTER ADDSLOTSRANGE", func(i int, _ string) []string {
		start, end := i*per, (i+1)*per-1
		if i == len(op.masters)-1 {
			end = 16383
		}
		return []string{"CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(start), strconv.Itoa(end)}
	}, nil, func() {
		op.each(op.all, "CLUSTER SET-CONFIG-EPOCH", func(i int, _ string) []string {
			return []string{"CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i + 1)}
		}, nil, op.step3)
	})
}

// step3 meets every other node from the first, one MEET after the other
// on the first node's connection: the first MEET waits for its reply, the
// rest are sent together.
func (op *clusterOp) step3() {
	first, others := op.all[0], op.all[1:]
	if len(others) == 0 {
		op.env.After(time.Second, op.waitJoin)
		return
	}
	meet := func(n string, then func()) {
		op.conns[first].Do(redisconn.Func(func(v resp.Value, err error) {
			if err != nil || v.IsError() {
				op.fail("CLUSTER MEET "+n+" on "+first, v, err)
				return
			}
			then()
		}), 0, []byte("CLUSTER"), []byte("MEET"), []byte(n), []byte("6379"))
	}
	meet(others[0], func() {
		left := len(others) - 1
		if left == 0 {
			op.env.After(time.Second, op.waitJoin)
			return
		}
		for _, n := range others[1:] {
			meet(n, func() {
				left--
				if left == 0 {
					op.env.After(time.Second, op.waitJoin)
				}
			})
		}
	})
}

// waitJoin polls CLUSTER NODES on every node each second until each knows
// all the others, none in handshake.
func (op *clusterOp) waitJoin() {
	op.polls++
	joined := 0
	op.each(op.all, "CLUSTER NODES", func(int, string) []string { return []string{"CLUSTER", "NODES"} },
		func(n string, v resp.Value) {
			_, text := v.VerbatimText()
			if strings.Count(string(text), "\n") >= len(op.all) && !strings.Contains(string(text), "handshake") {
				joined++
			}
		}, func() {
			if joined == len(op.all) {
				op.step4()
				return
			}
			op.env.After(time.Second, op.waitJoin)
		})
}

// step4 makes the replicas follow their masters.
func (op *clusterOp) step4() {
	var hosts []string
	for _, r := range op.replicas {
		hosts = append(hosts, r[0])
	}
	op.each(hosts, "CLUSTER REPLICATE", func(i int, _ string) []string {
		return []string{"CLUSTER", "REPLICATE", op.ids[op.replicas[i][1]]}
	}, nil, func() {
		op.b.note(fmt.Sprintf("operator: cluster-create done after %d polls", op.polls))
		for _, n := range op.all {
			op.conns[n].Close()
		}
	})
}

// reshardOp moves slots from one master to another as redis-cli --cluster
// reshard does (clusterManagerMoveSlot), one slot at a time: SETSLOT
// IMPORTING on the target, SETSLOT MIGRATING on the source, batches of
// GETKEYSINSLOT (10 keys, --cluster-pipeline) moved with MIGRATE ... KEYS
// until the slot is empty, then SETSLOT NODE on the target, the source and
// every other master.
type reshardOp struct {
	b        *Deployed
	env      sim.Env
	conns    map[string]*redisconn.Conn
	ids      map[string]string
	from, to string
	masters  []string
	slots    []int
	moved    int
	keys     int
	// drop gives the slots away without their keys (AssignSlots).
	drop bool
}

func (op *reshardOp) Stop() {}

// Reshard moves count slots (the lowest the source serves) from the master
// on host from to the master on host to. The operator runs one reshard at
// a time, as one redis-cli after another: a reshard asked for while one
// runs starts when it ends.
func (b *Deployed) Reshard(from, to string, count int) error {
	return b.queueReshard(from, to, count, false)
}

// AssignSlots gives count slots (the lowest the source serves) of the
// master on host from to the master on host to without moving their keys:
// SETSLOT IMPORTING, then NODE, on the target, which takes a new epoch;
// the source drops the keys when it hears of it (clusterUpdateSlotsConfigWith's
// dirty slots). It waits for a reshard under way, as Reshard does.
func (b *Deployed) AssignSlots(from, to string, count int) error {
	return b.queueReshard(from, to, count, true)
}

// GivenAway returns the slots AssignSlots gave away without their keys
// (from its first SETSLOT on), sorted.
func (b *Deployed) GivenAway() []int {
	out := slices.Clone(b.givenAway)
	slices.Sort(out)
	return out
}

func (b *Deployed) queueReshard(from, to string, count int, drop bool) error {
	if b.resharding {
		b.note("operator: reshard " + from + " -> " + to + " waits for the reshard under way")
		b.reshardQueue = append(b.reshardQueue, func() { b.startReshard(from, to, count, drop) })
		return nil
	}
	return b.startReshard(from, to, count, drop)
}

// reshardDone starts the next queued reshard, if any.
func (b *Deployed) reshardDone() {
	b.resharding = false
	if len(b.reshardQueue) > 0 {
		next := b.reshardQueue[0]
		b.reshardQueue = b.reshardQueue[1:]
		next()
	}
}

func (b *Deployed) startReshard(from, to string, count int, drop bool) error {
	if !b.cluster {
		return fmt.Errorf("nemesis reshard: the deployment is not a cluster")
	}
	if b.pf != nil {
		return fmt.Errorf("nemesis reshard: not supported on a live platform yet")
	}
	src, dst := b.Server(from), b.Server(to)
	if src == nil || dst == nil {
		b.note("operator: reshard " + from + " -> " + to + " not started: a node is down")
		return nil
	}
	sv, _ := src.ClusterView()
	var slots []int
	for _, o := range sv.Owners {
		for s := o.Start; s <= o.End && o.ID == sv.MyID && len(slots) < count; s++ {
			slots = append(slots, s)
		}
	}
	if len(slots) == 0 {
		b.note("operator: reshard " + from + " -> " + to + ": " + from + " serves no slot")
		return nil
	}
	h := b.w.Host(OperatorHost)
	if h == nil {
		var err error
		if h, err = b.w.AddHost(OperatorHost, sim.HostConfig{}); err != nil {
			return err
		}
	}
	op := &reshardOp{b: b, conns: map[string]*redisconn.Conn{}, ids: map[string]string{}, from: from, to: to, slots: slots, drop: drop}
	for _, sh := range b.shards {
		for _, n := range sh.Nodes {
			if s := b.Server(n.Host); s != nil {
				if v, ok := s.ClusterView(); ok && v.Master {
					op.masters = append(op.masters, n.Host)
					op.ids[n.Host] = v.MyID
				}
			}
		}
	}
	b.resharding = true
	p, err := h.Spawn(fmt.Sprintf("reshard-%d", len(h.Processes())), func(env sim.Env) sim.Node {
		op.env = env
		for _, n := range op.masters {
			op.conns[n] = redisconn.New(env, n+":6379", redisconn.Options{Timeout: 65 * time.Second})
		}
		op.next()
		return op
	})
	if err != nil {
		return err
	}
	p.Start()
	return nil
}

func (op *reshardOp) do(node string, then func(v resp.Value), args ...string) {
	c := op.conns[node]
	if c == nil {
		op.b.note("operator: reshard stopped: " + node + " is not a master it knows")
		return
	}
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	c.Do(redisconn.Func(func(v resp.Value, err error) {
		if err != nil || v.IsError() {
			why := v.String()
			if err != nil {
				why = err.Error()
			}
			op.b.note(fmt.Sprintf("operator: reshard stopped at slot %d: %s on %s: %s", op.slots[op.moved], strings.Join(args, " "), node, why))
			op.close()
			return
		}
		then(v)
	}), 0, bs...)
}

func (op *reshardOp) close() {
	for _, n := range op.masters {
		op.conns[n].Close()
	}
	op.b.reshardDone()
}

// next moves the next slot, or ends.
func (op *reshardOp) next() {
	if op.moved == len(op.slots) {
		if op.drop {
			op.b.note(fmt.Sprintf("operator: assign-slots %s -> %s done: %d slots, their keys left behind", op.from, op.to, len(op.slots)))
		} else {
			op.b.note(fmt.Sprintf("operator: reshard %s -> %s done: %d slots, %d keys", op.from, op.to, len(op.slots), op.keys))
		}
		op.close()
		return
	}
	slot := strconv.Itoa(op.slots[op.moved])
	if op.drop {
		op.do(op.to, func(resp.Value) {
			op.b.givenAway = append(op.b.givenAway, op.slots[op.moved])
			op.setOwner(slot, []string{op.to})
		}, "CLUSTER", "SETSLOT", slot, "IMPORTING", op.ids[op.from])
		return
	}
	op.do(op.to, func(resp.Value) {
		op.do(op.from, func(resp.Value) { op.migrateKeys(slot) }, "CLUSTER", "SETSLOT", slot, "MIGRATING", op.ids[op.to])
	}, "CLUSTER", "SETSLOT", slot, "IMPORTING", op.ids[op.from])
}

// migrateKeys moves the slot's keys ten at a time, then gives the slot to
// the target everywhere.
func (op *reshardOp) migrateKeys(slot string) {
	op.do(op.from, func(v resp.Value) {
		if len(v.Elems) == 0 {
			op.setOwner(slot, append([]string{op.to, op.from}, op.others()...))
			return
		}
		args := []string{"MIGRATE", op.to, "6379", "", "0", "60000", "KEYS"}
		for _, k := range v.Elems {
			args = append(args, string(k.Str))
		}
		op.keys += len(v.Elems)
		op.do(op.from, func(resp.Value) { op.migrateKeys(slot) }, args...)
	}, "CLUSTER", "GETKEYSINSLOT", slot, "10")
}

func (op *reshardOp) others() []string {
	var out []string
	for _, m := range op.masters {
		if m != op.from && m != op.to {
			out = append(out, m)
		}
	}
	return out
}

// setOwner sends SETSLOT NODE to each node in turn.
func (op *reshardOp) setOwner(slot string, nodes []string) {
	if len(nodes) == 0 {
		op.moved++
		op.next()
		return
	}
	op.do(nodes[0], func(resp.Value) { op.setOwner(slot, nodes[1:]) }, "CLUSTER", "SETSLOT", slot, "NODE", op.ids[op.to])
}
