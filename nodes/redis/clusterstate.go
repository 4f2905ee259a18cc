package redis

import (
	"errors"
	"fmt"
	"slices"

	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/sim"
)

// Cluster mode (cluster-enabled yes) follows cluster.c of Redis 7.0.15:
// clusterState and clusterNode here, the bus in clusterbus.go, the cron and
// failure detection in clustercron.go, elections in clusterfailover.go, the
// CLUSTER command and key routing in clustercmd.go. The wire format,
// nodes.conf and key slots are package cluster's.
//
// Redis keeps its nodes in a dict, whose iteration order depends on a
// per-process hash seed; here they are a slice in the order they were
// added, and dictGetRandomKey is a draw from the node's PRNG.
//
// In the simulator a host's address is its name ("n1"): CLUSTER MEET takes
// a host name where Redis takes an IP address, and nodes gossip names.

const (
	clusterPortIncr          = 10000
	clusterFailReportMult    = 2    // CLUSTER_FAIL_REPORT_VALIDITY_MULT
	clusterFailUndoTimeMult  = 2    // CLUSTER_FAIL_UNDO_TIME_MULT
	clusterMFTimeout         = 5000 // CLUSTER_MF_TIMEOUT, ms
	clusterMFPauseMult       = 2
	clusterSlaveMigrationMs  = 5000
	clusterBlacklistTTL      = 60 // seconds
	clusterMaxRejoinDelay    = 5000
	clusterMinRejoinDelay    = 500
	clusterWritableDelay     = 2000
	clusterCantFailoverRelog = 60 * 5 // seconds
)

// The todo_before_sleep flags.
const (
	todoHandleFailover = 1 << iota
	todoUpdateState
	todoSaveConfig
	todoFsyncConfig
	todoHandleManualFailover
)

// The reasons a replica cannot fail over (CLUSTER_CANT_FAILOVER_*).
const (
	cantFailoverNone = iota
	cantFailoverDataAge
	cantFailoverWaitingDelay
	cantFailoverExpired
	cantFailoverWaitingVotes
)

// clusterNode is what this node knows of one node of the cluster.
type clusterNode struct {
	ctime       int64
	name        string
	flags       cluster.NodeFlags
	configEpoch uint64
	// slots has slot j set exactly when the slot table (clusterState's
	// slots) gives j to this node: clusterAddSlot and clusterDelSlot
	// change both, and nothing else changes either. numSlots counts them.
	slots    cluster.Bitmap
	numSlots int
	replicas []*clusterNode
	master   *clusterNode // slaveof
	// lastInPingGossip is the number of the last ping whose gossip
	// carried this node.
	lastInPingGossip uint64
	pingSent         int64
	pongReceived     int64
	dataReceived     int64
	failTime         int64
	votedTime        int64
	replOffsetTime   int64
	orphanedTime     int64
	replOffset       int64
	ip               string
	hostname         string
	port, pport      int
	cport            int
	link             *clusterLink // outbound
	inboundLink      *clusterLink
	failReports      []failReport
	// deleted is set once clusterDelNode removed the node, so that a
	// reference still held (a link being freed) does nothing.
	deleted bool
}

type failReport struct {
	node *clusterNode
	time int64
}

func (n *clusterNode) isMaster() bool    { return n.flags&cluster.FlagMaster != 0 }
func (n *clusterNode) isReplica() bool   { return n.flags&cluster.FlagSlave != 0 }
func (n *clusterNode) inHandshake() bool { return n.flags&cluster.FlagHandshake != 0 }
func (n *clusterNode) hasAddr() bool     { return n.flags&cluster.FlagNoAddr == 0 }
func (n *clusterNode) timedOut() bool    { return n.flags&cluster.FlagPFail != 0 }
func (n *clusterNode) failed() bool      { return n.flags&cluster.FlagFail != 0 }
func (n *clusterNode) cantFailover() bool {
	return n.flags&cluster.FlagNoFailover != 0
}

// clusterState is server.cluster.
type clusterState struct {
	myself       *clusterNode
	currentEpoch uint64
	state        int // cluster.StateOK or cluster.StateFail
	size         int
	nodes        []*clusterNode
	byName       map[string]*clusterNode
	// blacklist holds forgotten nodes' names until they expire (Unix
	// seconds); blackOrder keeps its insertion order.
	blacklist  map[string]int64
	blackOrder []string

	// migratingTo and importingFrom are changed only by setMigrating,
	// setImporting and closeAllSlots, which keep moving: slot j is set
	// there when either has an entry for j.
	migratingTo   [cluster.Slots]*clusterNode
	importingFrom [cluster.Slots]*clusterNode
	moving        cluster.Bitmap
	slots         [cluster.Slots]*clusterNode
	// cronNodes is clusterCron's copy of nodes, which it walks while
	// nodes may change.
	cronNodes []*clusterNode
	// ownerNotClaiming marks slots whose owner stopped claiming them.
	ownerNotClaiming cluster.Bitmap

	failoverAuthTime   int64
	failoverAuthCount  int
	failoverAuthSent   bool
	failoverAuthRank   int
	failoverAuthEpoch  uint64
	cantFailoverReason int
	lastCantLogTime    int64 // clusterLogCantFailover's static

	mfEnd          int64
	mfPauseEnd     int64 // the master's pause for a manual failover
	mfSlave        *clusterNode
	mfMasterOffset int64
	mfCanStart     bool

	lastVoteEpoch uint64
	todo          int

	sent, received [cluster.TypeCount]int64
	pfailNodes     int
	linksBufLimit  int64

	// The statics of clusterCron, clusterSendPing and clusterUpdateState.
	iteration         uint64
	pingsSent         uint64
	amongMinorityTime int64
	firstUpdateCall   int64

	cron  sim.Timer
	cport int
	// unbound are the accepted links whose node is not known yet.
	unbound []*clusterLink
	// msg and txBuf are reused for every message sent (buildHeader,
	// clusterSend).
	msg cluster.Msg
	// pendingLinks have bytes in their sndbuf (clusterFlushLinks).
	pendingLinks []*clusterLink
	// prevIP is clusterUpdateMyselfIp's static prev_ip: the
	// cluster-announce-ip myself last took.
	prevIP string
}

// clusterEnabled reports whether the node runs in cluster mode.
func (s *Server) clusterEnabled() bool { return s.cl != nil }

// clusterConnections is getClusterConnectionsCount: two bus links for
// every other node known, whether or not they are connected.
func (s *Server) clusterConnections() int {
	if s.cl == nil {
		return 0
	}
	return (len(s.cl.nodes) - 1) * 2
}

// mstime is mstime(): the wall clock in ms, which cluster.c reads
// for every timer it keeps.
func (s *Server) mstime() int64 { return s.env.Now().UnixMilli() }

// randomName is a new node ID: 40 random hex digits (getRandomHexChars).
func (s *Server) randomName() string { return randomHex(s.rng, cluster.NameLen) }

// createClusterNode is createClusterNode: name "" draws a random one.
func (s *Server) createClusterNode(name string, flags cluster.NodeFlags) *clusterNode {
	if name == "" {
		name = s.randomName()
	}
	return &clusterNode{ctime: s.mstime(), name: name, flags: flags}
}

// lookupNode is clusterLookupNode.
func (cl *clusterState) lookupNode(name string) *clusterNode {
	if !verifyNodeID(name) {
		return nil
	}
	return cl.byName[name]
}

// verifyNodeID is verifyClusterNodeId: 40 characters, each 0-9 or a-z.
func verifyNodeID(name string) bool {
	if len(name) != cluster.NameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// addNode is clusterAddNode.
func (cl *clusterState) addNode(n *clusterNode) {
	cl.nodes = append(cl.nodes, n)
	cl.byName[n.name] = n
}

// delNode is clusterDelNode: its slots' migration and import marks go,
// the failure reports it sent go, its links are freed, and it leaves the
// table.
func (s *Server) delNode(del *clusterNode) {
	cl := s.cl
	for j := 0; j < cluster.Slots; j++ {
		if cl.importingFrom[j] == del {
			cl.setImporting(j, nil)
		}
		if cl.migratingTo[j] == del {
			cl.setMigrating(j, nil)
		}
		if cl.slots[j] == del {
			s.clusterDelSlot(j)
		}
	}
	for _, n := range cl.nodes {
		if n != del {
			n.delFailureReport(del, s.mstime(), s.cfg.Cluster.NodeTimeoutMs)
		}
	}
	s.freeClusterNode(del)
}

// freeClusterNode is freeClusterNode: the node leaves its master's
// replicas, its replicas lose their master, its links close.
func (s *Server) freeClusterNode(n *clusterNode) {
	cl := s.cl
	for _, r := range n.replicas {
		r.master = nil
	}
	if n.isReplica() && n.master != nil {
		n.master.removeReplica(n)
	}
	i := slices.Index(cl.nodes, n)
	if i >= 0 {
		cl.nodes = slices.Delete(cl.nodes, i, i+1)
	}
	if cl.byName[n.name] == n {
		delete(cl.byName, n.name)
	}
	n.deleted = true
	if n.link != nil {
		s.freeClusterLink(n.link)
	}
	if n.inboundLink != nil {
		s.freeClusterLink(n.inboundLink)
	}
}

// renameNode is clusterRenameNode.
func (s *Server) renameNode(n *clusterNode, name string) {
	s.logDebug("Renaming node %.40s into %.40s", n.name, name)
	delete(s.cl.byName, n.name)
	n.name = name
	s.cl.byName[name] = n
}

func (m *clusterNode) removeReplica(r *clusterNode) {
	if i := slices.Index(m.replicas, r); i >= 0 {
		m.replicas = slices.Delete(m.replicas, i, i+1)
		if len(m.replicas) == 0 {
			m.flags &^= cluster.FlagMigrateTo
		}
	}
}

func (m *clusterNode) addReplica(r *clusterNode) {
	if slices.Contains(m.replicas, r) {
		return
	}
	m.replicas = append(m.replicas, r)
	m.flags |= cluster.FlagMigrateTo
}

// countNonFailingReplicas is clusterCountNonFailingSlaves.
func (n *clusterNode) countNonFailingReplicas() int {
	ok := 0
	for _, r := range n.replicas {
		if !r.failed() {
			ok++
		}
	}
	return ok
}

// addFailureReport is clusterNodeAddFailureReport: true when the report
// is new, false when it refreshed one.
func (n *clusterNode) addFailureReport(sender *clusterNode, now int64) bool {
	for i := range n.failReports {
		if n.failReports[i].node == sender {
			n.failReports[i].time = now
			return false
		}
	}
	n.failReports = append(n.failReports, failReport{node: sender, time: now})
	return true
}

// cleanupFailureReports is clusterNodeCleanupFailureReports: reports older
// than twice the node timeout go.
func (n *clusterNode) cleanupFailureReports(now, nodeTimeout int64) {
	maxtime := nodeTimeout * clusterFailReportMult
	n.failReports = slices.DeleteFunc(n.failReports, func(fr failReport) bool { return now-fr.time > maxtime })
}

// delFailureReport is clusterNodeDelFailureReport.
func (n *clusterNode) delFailureReport(sender *clusterNode, now, nodeTimeout int64) bool {
	i := slices.IndexFunc(n.failReports, func(fr failReport) bool { return fr.node == sender })
	if i < 0 {
		return false
	}
	n.failReports = slices.Delete(n.failReports, i, i+1)
	n.cleanupFailureReports(now, nodeTimeout)
	return true
}

// failureReportsCount is clusterNodeFailureReportsCount.
func (n *clusterNode) failureReportsCount(now, nodeTimeout int64) int {
	n.cleanupFailureReports(now, nodeTimeout)
	return len(n.failReports)
}

// Slots.

// clusterAddSlot is clusterAddSlot: false when the slot is taken.
func (s *Server) clusterAddSlot(n *clusterNode, slot int) bool {
	if s.cl.slots[slot] != nil {
		return false
	}
	s.cl.setSlot(n, slot)
	s.cl.slots[slot] = n
	return true
}

// clusterDelSlot is clusterDelSlot: false when the slot was unassigned.
func (s *Server) clusterDelSlot(slot int) bool {
	n := s.cl.slots[slot]
	if n == nil {
		return false
	}
	// The shard channels of a slot its shard no longer serves lose their
	// subscribers (clusterGetNodesServingMySlots holds myself).
	if m := n.servingMaster(); s.cl.myself == m || s.cl.myself.isReplica() && s.cl.myself.master == m {
		s.removeChannelsInSlot(slot)
	}
	n.clearSlot(slot)
	s.cl.slots[slot] = nil
	// The owner-not-claiming mark stays: only the owner's claim in
	// clusterUpdateSlotsConfigWith clears it.
	return true
}

// servingMaster is the master of the shard n is in: n, or its master
// (clusterGetNodesServingMySlots' first node).
func (n *clusterNode) servingMaster() *clusterNode {
	if n.isReplica() && n.master != nil {
		return n.master
	}
	return n
}

// clusterDelNodeSlots is clusterDelNodeSlots: how many slots it freed.
func (s *Server) clusterDelNodeSlots(n *clusterNode) int {
	deleted := 0
	for j := range setSlots(&n.slots) {
		s.clusterDelSlot(j)
		deleted++
	}
	return deleted
}

// clusterCloseAllSlots is clusterCloseAllSlots: no slot migrates or
// imports.
func (cl *clusterState) closeAllSlots() {
	cl.migratingTo = [cluster.Slots]*clusterNode{}
	cl.importingFrom = [cluster.Slots]*clusterNode{}
	cl.moving = cluster.Bitmap{}
}

// setMigrating sets the node slot migrates to, nil for none.
func (cl *clusterState) setMigrating(slot int, n *clusterNode) {
	cl.migratingTo[slot] = n
	cl.markMoving(slot)
}

// setImporting sets the node slot is imported from, nil for none.
func (cl *clusterState) setImporting(slot int, n *clusterNode) {
	cl.importingFrom[slot] = n
	cl.markMoving(slot)
}

// markMoving sets or clears slot in moving, which lets nodesDescription
// find the few open migrations without reading 16384 slots of both
// tables each time nodes.conf is saved.
func (cl *clusterState) markMoving(slot int) {
	if cl.migratingTo[slot] != nil || cl.importingFrom[slot] != nil {
		cl.moving.Set(slot)
	} else {
		cl.moving.Clear(slot)
	}
}

// setSlot is clusterNodeSetSlotBit: a node that gets its first slot
// becomes a replica-migration target if any master has replicas now
// (whether or not it has any itself, and whatever its role: redis#3043).
func (cl *clusterState) setSlot(n *clusterNode, slot int) {
	if n.slots.Has(slot) {
		return
	}
	n.slots.Set(slot)
	n.numSlots++
	if n.numSlots == 1 && cl.mastersHaveReplicas() {
		n.flags |= cluster.FlagMigrateTo
	}
}

// mastersHaveReplicas is clusterMastersHaveSlaves.
func (cl *clusterState) mastersHaveReplicas() bool {
	for _, m := range cl.nodes {
		if !m.isReplica() && len(m.replicas) > 0 {
			return true
		}
	}
	return false
}

func (n *clusterNode) clearSlot(slot int) {
	if !n.slots.Has(slot) {
		return
	}
	n.slots.Clear(slot)
	n.numSlots--
}

// slotUnclaimed is isSlotUnclaimed.
func (cl *clusterState) slotUnclaimed(slot int) bool {
	return cl.slots[slot] == nil || cl.ownerNotClaiming.Has(slot)
}

// slotRuns calls fn for each run of consecutive slots the slot table
// gives one node, in slot order (clusterGenNodesSlotsInfo's walk);
// unassigned slots are skipped. A run ends where its node's own bitmap
// does (the two agree, see clusterNode.slots), which a word scan finds
// without reading the table slot by slot.
func (cl *clusterState) slotRuns(fn func(n *clusterNode, start, end int)) {
	for start := 0; start < cluster.Slots; {
		n := cl.slots[start]
		if n == nil {
			start++
			continue
		}
		end := nextClearSlot(&n.slots, start+1)
		fn(n, start, end-1)
		start = end
	}
}

// fullCoverage reports whether every slot is assigned to a node not
// flagged FAIL: clusterUpdateState's check for
// cluster-require-full-coverage, over runs rather than slots.
func (cl *clusterState) fullCoverage() bool {
	next, ok := 0, true
	cl.slotRuns(func(n *clusterNode, start, end int) {
		if start != next || n.failed() {
			ok = false
		}
		next = end + 1
	})
	return ok && next == cluster.Slots
}

// maxEpoch is clusterGetMaxEpoch.
func (cl *clusterState) maxEpoch() uint64 {
	max := cl.currentEpoch
	for _, n := range cl.nodes {
		if n.configEpoch > max {
			max = n.configEpoch
		}
	}
	return max
}

// Descriptions.

// nodeLine is clusterGenNodeDescription's view of n as package cluster's
// NodeLine; slots come from the slot table (clusterGenNodesSlotsInfo).
func (s *Server) nodeLine(n *clusterNode) cluster.NodeLine {
	l := cluster.NodeLine{
		ID: n.name, IP: n.ip, Port: n.port, CPort: n.cport, Hostname: n.hostname, Flags: n.flags,
		PingSent: n.pingSent, PongReceived: n.pongReceived, ConfigEpoch: n.configEpoch,
		Connected: n.link != nil || n.flags&cluster.FlagMyself != 0,
	}
	if n.master != nil {
		l.MasterID = n.master.name
	}
	if n.isReplica() && n.master != nil {
		l.ConfigEpoch = n.master.configEpoch
	}
	return l
}

// nodesDescription is clusterGenNodesDescription: every node but those
// with a flag of filter, one line each.
func (s *Server) nodesDescription(filter cluster.NodeFlags) []byte {
	cl := s.cl
	lines := make(map[*clusterNode]*cluster.NodeLine, len(cl.nodes))
	out := make([]cluster.NodeLine, 0, len(cl.nodes))
	for _, n := range cl.nodes {
		if n.flags&filter != 0 {
			continue
		}
		out = append(out, s.nodeLine(n))
	}
	for i := range out {
		lines[cl.byName[out[i].ID]] = &out[i]
	}
	// Slot ranges from the slot table, in slot order.
	cl.slotRuns(func(n *clusterNode, start, end int) {
		if l := lines[n]; l != nil {
			l.Slots = append(l.Slots, cluster.SlotRange{Start: start, End: end})
		}
	})
	if l := lines[cl.myself]; l != nil {
		for j := range setSlots(&cl.moving) {
			if m := cl.migratingTo[j]; m != nil {
				l.Migrating = append(l.Migrating, cluster.SlotPeer{Slot: j, Node: m.name})
			} else if im := cl.importingFrom[j]; im != nil {
				l.Importing = append(l.Importing, cluster.SlotPeer{Slot: j, Node: im.name})
			}
		}
	}
	return cluster.FormatNodes(out)
}

// Config file.

// clusterConfigFile is cluster-config-file.
func (s *Server) clusterConfigFile() string {
	if s.cfg.Cluster.ConfigFile != "" {
		return s.cfg.Cluster.ConfigFile
	}
	return "nodes.conf"
}

// saveClusterConfig is clusterSaveConfig: the nodes' description and the
// vars line, written in place; with fsync the node is held until the disk
// has it. A write that fails stops the node, as clusterSaveConfigOrDie
// does.
func (s *Server) saveClusterConfig(fsync bool) {
	cl := s.cl
	cl.todo &^= todoSaveConfig
	data := s.nodesDescription(cluster.FlagHandshake)
	data = fmt.Appendf(data, "vars currentEpoch %d lastVoteEpoch %d\n", cl.currentEpoch, cl.lastVoteEpoch)
	name := s.clusterConfigFile()
	if err := s.env.Disk().Write(name, data); err != nil {
		s.env.Logf("Fatal: can't update cluster config file.")
		s.crashExit()
		return
	}
	if fsync {
		cl.todo &^= todoFsyncConfig
		fail := func(err error) {
			if err != nil && !s.stopped {
				s.env.Logf("Fatal: can't update cluster config file.")
				s.crashExit()
			}
		}
		if s.long != nil {
			// A bus message served in a busy script's hook (an epoch
			// collision): the script holds the node already, and the
			// fsync's end must not wake it (holdSync resumes the node).
			s.env.Disk().Sync(name, fail)
			return
		}
		s.holdSync(name, fail)
	}
}

// loadClusterConfig is clusterLoadConfig: false when there is no file (or
// an empty one), and a node that cannot read its file stops.
func (s *Server) loadClusterConfig() (loaded, ok bool) {
	cl := s.cl
	data, err := s.env.Disk().Read(s.clusterConfigFile())
	if err != nil {
		return false, true
	}
	conf, err := cluster.ParseConfig(data)
	if errors.Is(err, cluster.ErrNoConfig) {
		return false, true
	}
	if err != nil {
		var ce *cluster.ConfigError
		if errors.As(err, &ce) {
			s.env.Logf("%s", ce.Log)
		} else {
			s.env.Logf("Unrecoverable error: corrupted cluster config file.")
		}
		return false, false
	}
	for _, w := range conf.Warnings {
		s.env.Logf("%s", w)
	}
	cl.currentEpoch, cl.lastVoteEpoch = conf.CurrentEpoch, conf.LastVoteEpoch
	now := s.mstime()
	get := func(id string) *clusterNode {
		n := cl.byName[id]
		if n == nil {
			n = s.createClusterNode(id, 0)
			cl.addNode(n)
		}
		return n
	}
	for _, l := range conf.Nodes {
		n := get(l.ID)
		n.hostname = l.Hostname
		n.ip, n.port, n.cport = l.IP, l.Port, l.CPort
		n.flags |= l.Flags
		if l.Flags&cluster.FlagMyself != 0 {
			cl.myself = n
		}
		if l.Flags&cluster.FlagFail != 0 {
			n.failTime = now
		}
		if l.MasterID != "" {
			m := get(l.MasterID)
			n.master = m
			m.addReplica(n)
		}
		if l.PingSentSet() {
			n.pingSent = now
		}
		if l.PongReceivedSet() {
			n.pongReceived = now
		}
		n.configEpoch = l.ConfigEpoch
		if n.isReplica() && n.master != nil {
			n.configEpoch = 0
		}
		for _, p := range l.Migrating {
			cl.setMigrating(p.Slot, get(p.Node))
		}
		for _, p := range l.Importing {
			cl.setImporting(p.Slot, get(p.Node))
		}
		for _, r := range l.Slots {
			for j := r.Start; j <= r.End; j++ {
				s.clusterAddSlot(n, j)
			}
		}
	}
	s.env.Logf("Node configuration loaded, I'm %.40s", cl.myself.name)
	if e := cl.maxEpoch(); e > cl.currentEpoch {
		cl.currentEpoch = e
	}
	return true, true
}
