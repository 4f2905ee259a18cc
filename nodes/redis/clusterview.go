package redis

import (
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// ClusterView is what a cluster node believes at one moment, for the
// scenarios' observations and checks, mostly as CLUSTER INFO and CLUSTER
// NODES would show it; ConfigEpoch is the exception (see its field).
type ClusterView struct {
	// MyID is the node's ID; State "ok" or "fail".
	MyID, State string
	// CurrentEpoch is the node's currentEpoch; ConfigEpoch its own
	// configEpoch: a replica's own, not its master's, which CLUSTER
	// INFO's cluster_my_epoch shows.
	CurrentEpoch, ConfigEpoch uint64
	// Master reports whether the node is a master; MasterID is a
	// replica's master, "" when unknown.
	Master   bool
	MasterID string
	// Owners are the slot ranges each node serves in this node's table,
	// in slot order; unassigned slots are left out.
	Owners []SlotOwner
	// Hosts maps the node IDs it knows to their addresses' hosts.
	Hosts map[string]string
}

// SlotOwner is a range of slots and the ID of the node that serves them,
// with that node's configEpoch as this node knows it.
type SlotOwner struct {
	Start, End  int
	ID          string
	ConfigEpoch uint64
}

// ClusterView returns the node's view; ok is false when the node is not in
// cluster mode.
func (s *Server) ClusterView() (v ClusterView, ok bool) {
	cl := s.cl
	if cl == nil {
		return v, false
	}
	me := cl.myself
	v = ClusterView{MyID: me.name, State: "ok", CurrentEpoch: cl.currentEpoch, ConfigEpoch: me.configEpoch,
		Master: me.isMaster(), Hosts: make(map[string]string, len(cl.nodes))}
	if cl.state == cluster.StateFail {
		v.State = "fail"
	}
	if me.master != nil {
		v.MasterID = me.master.name
	}
	for _, n := range cl.nodes {
		v.Hosts[n.name] = n.ip
	}
	cl.slotRuns(func(n *clusterNode, start, end int) {
		v.Owners = append(v.Owners, SlotOwner{Start: start, End: end, ID: n.name, ConfigEpoch: n.configEpoch})
	})
	return v, true
}
