package deploy

import (
	"fmt"
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

// step3 meets every other node from the first.
func (op *clusterOp) step3() {
	first := op.all[0]
	others := op.all[1:]
	var firsts []string
	for range others {
		firsts = append(firsts, first)
	}
	// One connection to the first node carries every MEET, in order.
	op.each(firsts[:min(1, len(firsts))], "CLUSTER MEET", func(int, string) []string {
		return []string{"CLUSTER", "MEET", others[0], "6379"}
	}, nil, func() {
		rest := others[1:]
		left := len(rest)
		if left == 0 {
			op.env.After(time.Second, op.waitJoin)
			return
		}
		for _, n := range rest {
			n := n
			op.conns[first].Do(redisconn.Func(func(v resp.Value, err error) {
				if err != nil || v.IsError() {
					op.fail("CLUSTER MEET "+n, v, err)
					return
				}
				left--
				if left == 0 {
					op.env.After(time.Second, op.waitJoin)
				}
			}), 0, []byte("CLUSTER"), []byte("MEET"), []byte(n), []byte("6379"))
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
