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

// The cluster operator's other commands, each as redis-cli --cluster or a
// person at redis-cli would run it against a running cluster: add-node,
// del-node, a manual CLUSTER FAILOVER, and the CLUSTER FORGET round that
// removes a node lost with its disk. Each runs as a script of commands
// from OperatorHost, one step after the replies of the one before; an
// error reply or a dead connection stops the script where it is and says
// so in the trace, as redis-cli exits and leaves the cluster as it is.

// opSession is one operator command's connections.
type opSession struct {
	b     *Deployed
	env   sim.Env
	name  string
	conns map[string]*redisconn.Conn
	ended bool
}

func (s *opSession) Stop() {}

// operatorRun starts the script start on a process of OperatorHost.
func (b *Deployed) operatorRun(name string, start func(s *opSession)) error {
	h := b.w.Host(OperatorHost)
	if h == nil {
		var err error
		if h, err = b.w.AddHost(OperatorHost, sim.HostConfig{}); err != nil {
			return err
		}
	}
	b.note("operator: " + name)
	s := &opSession{b: b, name: name, conns: map[string]*redisconn.Conn{}}
	p, err := h.Spawn(fmt.Sprintf("%s-%d", strings.Fields(name)[0], len(h.Processes())), func(env sim.Env) sim.Node {
		s.env = env
		start(s)
		return s
	})
	if err != nil {
		return err
	}
	p.Start()
	return nil
}

// do sends args to the node on host and hands the reply to then; an error
// ends the script.
func (s *opSession) do(host string, then func(v resp.Value), args ...string) {
	if s.ended {
		return
	}
	c := s.conns[host]
	if c == nil {
		c = redisconn.New(s.env, host+":6379", redisconn.Options{Timeout: 5 * time.Second})
		s.conns[host] = c
	}
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	c.Do(redisconn.Func(func(v resp.Value, err error) {
		if s.ended {
			return
		}
		if err != nil || v.IsError() {
			why := v.String()
			if err != nil {
				why = err.Error()
			}
			s.stop(strings.Join(args, " ") + " on " + host + ": " + why)
			return
		}
		then(v)
	}), 0, bs...)
}

// stop ends the script with why.
func (s *opSession) stop(why string) {
	s.b.note("operator: " + s.name + " stopped: " + why)
	s.end()
}

// done ends the script as it should end.
func (s *opSession) done(what string) {
	s.b.note("operator: " + s.name + " done" + what)
	s.end()
}

func (s *opSession) end() {
	s.ended = true
	hosts := make([]string, 0, len(s.conns))
	for h := range s.conns {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		s.conns[h].Close()
	}
}

// nodeLine is one line of CLUSTER NODES, as redis-cli reads it.
type nodeLine struct {
	id, host, flags, master string
	slots                   int
}

func (l nodeLine) has(flag string) bool { return slices.Contains(strings.Split(l.flags, ","), flag) }

// parseNodes reads a CLUSTER NODES reply.
func parseNodes(v resp.Value) []nodeLine {
	_, text := v.VerbatimText()
	var out []nodeLine
	for _, line := range strings.Split(string(text), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		host, _, _ := strings.Cut(f[1], ":")
		l := nodeLine{id: f[0], host: host, flags: f[2], master: f[3]}
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue // a slot being imported or migrated
			}
			lo, hi, isRange := strings.Cut(r, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b, _ = strconv.Atoi(hi)
			}
			l.slots += b - a + 1
		}
		out = append(out, l)
	}
	return out
}

// refNode is the node an operator's command starts from: the first cluster
// node other than host that runs.
func (b *Deployed) refNode(host string) string {
	for _, n := range b.nodes {
		if n != host && b.Server(n) != nil {
			return n
		}
	}
	return ""
}

// loadCluster is clusterManagerLoadInfoFromNode: the reference node's
// CLUSTER NODES, without the nodes it has flagged as failed or without an
// address, as redis-cli drops them from its list.
func (s *opSession) loadCluster(ref string, then func(nodes []nodeLine)) {
	s.do(ref, func(v resp.Value) {
		var out []nodeLine
		for _, l := range parseNodes(v) {
			if l.has("fail") || l.has("noaddr") || l.has("handshake") {
				continue
			}
			if l.has("myself") {
				l.flags = strings.ReplaceAll(l.flags, "myself,", "")
				out = slices.Insert(out, 0, l)
				continue
			}
			out = append(out, l)
		}
		then(out)
	}, "CLUSTER", "NODES")
}

// leastReplicas is clusterManagerNodeWithLeastReplicas: the first master
// of the list with the fewest replicas.
func leastReplicas(nodes []nodeLine) nodeLine {
	count := map[string]int{}
	for _, n := range nodes {
		if n.master != "-" {
			count[n.master]++
		}
	}
	var best nodeLine
	found := false
	for _, n := range nodes {
		if n.has("slave") {
			continue
		}
		if !found || count[n.id] < count[best.id] {
			best, found = n, true
		}
	}
	return best
}

// ClusterAddNode adds the node on host to the cluster, as redis-cli
// --cluster add-node host:6379 ref:6379 does: the new node must be empty
// (it knows no other node and has no key); without master it joins as a
// master with no slots and takes the cluster's functions (FUNCTION DUMP on
// the reference node, FUNCTION RESTORE on it); with master (a host) it
// becomes that node's replica (--cluster-slave --cluster-master-id) once
// it has joined.
func (b *Deployed) ClusterAddNode(host, master string) error {
	if err := b.clusterOpCheck("cluster-add-node", host); err != nil {
		return err
	}
	if master != "" && !slices.Contains(b.nodes, master) {
		return fmt.Errorf("nemesis cluster-add-node: master %q is not a node of the deployment", master)
	}
	ref := b.refNode(host)
	name := "cluster-add-node " + host
	if master != "" {
		name += " replica of " + master
	}
	if ref == "" || b.Server(host) == nil {
		b.note("operator: " + name + " not started: no node to start from, or " + host + " is down")
		return nil
	}
	return b.operatorRun(name, func(s *opSession) {
		s.loadCluster(ref, func(nodes []nodeLine) {
			masterID := ""
			if master != "" {
				i := slices.IndexFunc(nodes, func(n nodeLine) bool { return n.host == master && !n.has("slave") })
				if i < 0 {
					s.stop("[ERR] No such master: " + master + " is not a master the cluster knows")
					return
				}
				masterID = nodes[i].id
			}
			s.do(host, func(v resp.Value) {
				if !strings.Contains(string(v.Str), "cluster_known_nodes:1\r\n") {
					s.stop("[ERR] Node " + host + ":6379 is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0.")
					return
				}
				s.do(host, func(v resp.Value) {
					if strings.Contains(string(v.Str), "db0:") {
						s.stop("[ERR] Node " + host + ":6379 is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0.")
						return
					}
					meet := func() {
						s.do(host, func(resp.Value) {
							if masterID == "" {
								s.done("")
								return
							}
							s.env.After(time.Second, func() { s.waitJoin(host, nodes, 0, masterID) })
						}, "CLUSTER", "MEET", nodes[0].host, "6379")
					}
					if masterID != "" {
						meet()
						return
					}
					s.do(ref, func(dump resp.Value) {
						s.do(host, func(list resp.Value) {
							if len(list.Elems) > 0 {
								s.stop(">>> New node already contains functions and can not be added to the cluster. Use FUNCTION FLUSH and try again.")
								return
							}
							s.do(host, func(resp.Value) { meet() }, "FUNCTION", "RESTORE", string(dump.Str))
						}, "FUNCTION", "LIST")
					}, "FUNCTION", "DUMP")
				}, "INFO", "keyspace")
			}, "CLUSTER", "INFO")
		})
	})
}

// waitJoin is clusterManagerWaitForClusterJoin before CLUSTER REPLICATE:
// each second, until the new node knows every node of the list and is in
// handshake with none.
func (s *opSession) waitJoin(host string, nodes []nodeLine, polls int, masterID string) {
	s.do(host, func(v resp.Value) {
		known := parseNodes(v)
		for _, n := range nodes {
			i := slices.IndexFunc(known, func(k nodeLine) bool { return k.id == n.id })
			if i < 0 || known[i].has("handshake") {
				s.env.After(time.Second, func() { s.waitJoin(host, nodes, polls+1, masterID) })
				return
			}
		}
		s.do(host, func(resp.Value) { s.done(fmt.Sprintf(" after %d polls", polls+1)) }, "CLUSTER", "REPLICATE", masterID)
	}, "CLUSTER", "NODES")
}

// ClusterDelNode removes the node on host from the cluster, as redis-cli
// --cluster del-node ref:6379 <id> does: the node must serve no slot; its
// replicas are moved to the master with the fewest replicas, every other
// node is sent CLUSTER FORGET, and the node itself CLUSTER RESET SOFT. A
// node the cluster has marked as failed is not in redis-cli's list, so
// del-node refuses it ("No such node ID"), as redis-cli does; such a node
// is removed with cluster-forget.
func (b *Deployed) ClusterDelNode(host string) error {
	if err := b.clusterOpCheck("cluster-del-node", host); err != nil {
		return err
	}
	ref := b.refNode(host)
	name := "cluster-del-node " + host
	if ref == "" {
		b.note("operator: " + name + " not started: no running node to start from")
		return nil
	}
	return b.operatorRun(name, func(s *opSession) {
		s.loadCluster(ref, func(nodes []nodeLine) {
			i := slices.IndexFunc(nodes, func(n nodeLine) bool { return n.host == host })
			if i < 0 {
				s.stop("[ERR] No such node ID: the cluster lists no working node at " + host + ":6379")
				return
			}
			gone := nodes[i]
			if gone.slots != 0 {
				s.stop("[ERR] Node " + host + ":6379 is not empty! Reshard data away and try again.")
				return
			}
			var step func(j int)
			step = func(j int) {
				if j == len(nodes) {
					s.do(host, func(resp.Value) { s.done("") }, "CLUSTER", "RESET", "SOFT")
					return
				}
				n := nodes[j]
				if n.id == gone.id {
					step(j + 1)
					return
				}
				forget := func() { s.do(n.host, func(resp.Value) { step(j + 1) }, "CLUSTER", "FORGET", gone.id) }
				if n.master == gone.id {
					m := leastReplicas(nodes)
					s.do(n.host, func(resp.Value) { forget() }, "CLUSTER", "REPLICATE", m.id)
					return
				}
				forget()
			}
			step(0)
		})
	})
}

// sawID records that the node on host has (or had) the ID id.
func (b *Deployed) sawID(host, id string) {
	if b.hostIDs == nil {
		b.hostIDs = map[string][]string{}
	}
	if !slices.Contains(b.hostIDs[host], id) {
		b.hostIDs[host] = append(b.hostIDs[host], id)
	}
}

// ClusterForget is what a person does for a node lost with its disk: it
// came back, if at all, under a new ID, and the others show its old ID as
// failed and, once they have reached the new node at its address, without
// an address (fail,noaddr). CLUSTER FORGET of each ID the node on host has
// had before (as the run's record of node IDs has them), sent to every
// other running node that still knows it, in turn.
func (b *Deployed) ClusterForget(host string) error {
	if err := b.clusterOpCheck("cluster-forget", host); err != nil {
		return err
	}
	cur := ""
	if s := b.Server(host); s != nil {
		if v, ok := s.ClusterView(); ok {
			cur = v.MyID
			b.sawID(host, cur)
		}
	}
	type forget struct{ node, id string }
	var todo []forget
	for _, n := range b.nodes {
		s := b.Server(n)
		if n == host || s == nil {
			continue
		}
		v, ok := s.ClusterView()
		if !ok {
			continue
		}
		for _, id := range b.hostIDs[host] {
			if _, known := v.Hosts[id]; known && id != cur {
				todo = append(todo, forget{n, id})
			}
		}
	}
	return b.operatorRun("cluster-forget "+host, func(s *opSession) {
		var step func(i int)
		step = func(i int) {
			if i == len(todo) {
				s.done(fmt.Sprintf(": %d CLUSTER FORGET", len(todo)))
				return
			}
			s.do(todo[i].node, func(resp.Value) { step(i + 1) }, "CLUSTER", "FORGET", todo[i].id)
		}
		step(0)
	})
}

// ClusterFailover sends CLUSTER FAILOVER (with mode "force" or
// "takeover", or none) to the replica on host, as a person at redis-cli
// does; the failover itself is the node's.
func (b *Deployed) ClusterFailover(host, mode string) error {
	if err := b.clusterOpCheck("cluster-failover", host); err != nil {
		return err
	}
	args := []string{"CLUSTER", "FAILOVER"}
	name := "cluster-failover " + host
	switch mode {
	case "":
	case "force", "takeover":
		args = append(args, strings.ToUpper(mode))
		name += " " + mode
	default:
		return fmt.Errorf("nemesis cluster-failover: mode must be force, takeover or none, got %q", mode)
	}
	if b.Server(host) == nil {
		b.note("operator: " + name + " failed: the node is down")
		return nil
	}
	return b.operatorRun(name, func(s *opSession) {
		s.do(host, func(resp.Value) { s.done("") }, args...)
	})
}

// clusterOpCheck refuses a cluster operator command where it cannot run.
func (b *Deployed) clusterOpCheck(op, host string) error {
	if !b.cluster {
		return fmt.Errorf("nemesis %s: the deployment is not a cluster", op)
	}
	if b.pf != nil {
		return fmt.Errorf("nemesis %s: not supported on a live platform yet", op)
	}
	if !slices.Contains(b.nodes, host) {
		return fmt.Errorf("nemesis %s: no Redis node on host %q", op, host)
	}
	return nil
}
