package redis

import (
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// clusterInit is clusterInit: load nodes.conf or start a new node and
// save it, listen on the bus port, start the cron. False when the node
// must stop (a corrupt nodes.conf, a bus port it cannot listen on).
func (s *Server) clusterInit() bool {
	cl := &clusterState{
		state:          cluster.StateFail,
		size:           1,
		byName:         map[string]*clusterNode{},
		blacklist:      map[string]int64{},
		mfMasterOffset: -1,
	}
	s.cl = cl
	s.dbs[0].slotKeys = newSlotKeys()
	loaded, ok := s.loadClusterConfig()
	if !ok {
		return false
	}
	if !loaded {
		me := s.createClusterNode("", cluster.FlagMyself|cluster.FlagMaster)
		cl.myself = me
		s.env.Logf("No cluster configuration found, I'm %.40s", me.name)
		cl.addNode(me)
		// clusterSaveConfigOrDie(1): the fsync is asked for without
		// holding the node, which has not started serving yet.
		s.saveClusterConfig(false)
		s.env.Disk().Sync(s.clusterConfigFile(), func(error) {})
	}
	port := s.cfg.Port
	if s.cfg.Cluster.Port == 0 && port > 65535-clusterPortIncr {
		s.env.Logf("Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.")
		return false
	}
	cl.cport = port + clusterPortIncr
	if s.cfg.Cluster.Port != 0 {
		cl.cport = s.cfg.Cluster.Port
	}
	if err := s.env.Listen(cl.cport, s.clusterAccept); err != nil {
		s.env.Logf("Failed listening on port %d (cluster), aborting.", cl.cport)
		return false
	}
	me := cl.myself
	me.port, me.pport, me.cport = s.announcedPorts()
	s.resetManualFailover()
	s.clusterUpdateMyselfFlags()
	s.clusterUpdateMyselfIP()
	me.hostname = s.cfg.Cluster.AnnounceHostname
	s.scheduleClusterCron()
	return true
}

// clusterUpdateMyselfFlags is clusterUpdateMyselfFlags: nofailover
// follows cluster-replica-no-failover, at startup and at CONFIG SET.
func (s *Server) clusterUpdateMyselfFlags() {
	if s.cl == nil || s.cl.myself == nil {
		return
	}
	me := s.cl.myself
	old := me.flags
	if s.cfg.Cluster.ReplicaNoFailover {
		me.flags |= cluster.FlagNoFailover
	} else {
		me.flags &^= cluster.FlagNoFailover
	}
	if me.flags != old {
		s.cl.todo |= todoSaveConfig | todoUpdateState
	}
}

// clusterUpdateMyselfIP is clusterUpdateMyselfIp, at startup and at
// CONFIG SET cluster-announce-ip: when the option differs from what it
// was the last time (prevIP), myself takes it, or, set to "", forgets
// its address so the next message teaches it again.
func (s *Server) clusterUpdateMyselfIP() {
	if s.cl == nil || s.cl.myself == nil {
		return
	}
	cl := s.cl
	ip := s.cfg.Cluster.AnnounceIP
	if ip == cl.prevIP {
		return
	}
	cl.prevIP = ip
	cl.myself.ip = ip
}

// clusterUpdateMyselfPorts is clusterUpdateMyselfAnnouncedPorts, at
// CONFIG SET of the cluster-announce ports.
func (s *Server) clusterUpdateMyselfPorts() {
	if s.cl == nil || s.cl.myself == nil {
		return
	}
	me := s.cl.myself
	me.port, me.pport, me.cport = s.announcedPorts()
}

// clusterUpdateMyselfHostname is clusterUpdateMyselfHostname, at
// CONFIG SET cluster-announce-hostname and at every clusterCron.
func (s *Server) clusterUpdateMyselfHostname() {
	if s.cl == nil || s.cl.myself == nil {
		return
	}
	s.cl.myself.hostname = s.cfg.Cluster.AnnounceHostname
}

// scheduleClusterCron runs clusterCron ten times a second, from serverCron
// as Redis does (run_with_period(100)); it has a timer of its own here.
func (s *Server) scheduleClusterCron() {
	s.cl.cron = s.env.After(100*time.Millisecond, s.clusterCronTick)
}

func (s *Server) clusterCronTick() {
	if s.stopped {
		return
	}
	s.scheduleClusterCron()
	if s.sleeping {
		return
	}
	s.clusterCron()
	s.afterEvent()
}

// clusterCron is clusterCron.
func (s *Server) clusterCron() {
	cl := s.cl
	cl.iteration++
	now := s.mstime()
	timeout := s.cfg.Cluster.NodeTimeoutMs
	handshakeTimeout := max(timeout, 1000)
	s.clusterUpdateMyselfHostname()
	cl.pfailNodes = 0
	cl.cronNodes = append(cl.cronNodes[:0], cl.nodes...)
	for _, n := range cl.cronNodes {
		if n.deleted {
			continue
		}
		s.cronReconnect(n, handshakeTimeout, now)
	}
	// Ping the node with the oldest pong of five drawn at random, about
	// once a second.
	if cl.iteration%10 == 0 {
		var minNode *clusterNode
		var minPong int64
		for range 5 {
			n := cl.nodes[s.rng.IntN(len(cl.nodes))]
			if n.link == nil || n.pingSent != 0 || n.flags&(cluster.FlagMyself|cluster.FlagHandshake) != 0 {
				continue
			}
			if minNode == nil || minPong > n.pongReceived {
				minNode, minPong = n, n.pongReceived
			}
		}
		if minNode != nil {
			s.clusterSendPing(minNode.link, cluster.TypePing)
		}
	}
	me := cl.myself
	orphaned, maxReplicas, myReplicas := 0, 0, 0
	updateState := false
	cl.cronNodes = append(cl.cronNodes[:0], cl.nodes...)
	for _, n := range cl.cronNodes {
		if n.deleted || n.flags&(cluster.FlagMyself|cluster.FlagNoAddr|cluster.FlagHandshake) != 0 {
			continue
		}
		now = s.mstime()
		if me.isReplica() && n.isMaster() && !n.failed() {
			ok := n.countNonFailingReplicas()
			if ok == 0 && n.numSlots > 0 && n.flags&cluster.FlagMigrateTo != 0 {
				orphaned++
			}
			maxReplicas = max(maxReplicas, ok)
			if me.master == n {
				myReplicas = ok
			}
		}
		pingDelay := now - n.pingSent
		dataDelay := now - n.dataReceived
		if n.link != nil && now-n.link.ctime > timeout && n.pingSent != 0 &&
			pingDelay > timeout/2 && dataDelay > timeout/2 {
			s.freeClusterLink(n.link)
		}
		if n.link != nil && n.pingSent == 0 && now-n.pongReceived > timeout/2 {
			s.clusterSendPing(n.link, cluster.TypePing)
			continue
		}
		if cl.mfEnd != 0 && me.isMaster() && cl.mfSlave == n && n.link != nil {
			s.clusterSendPing(n.link, cluster.TypePing)
			continue
		}
		if n.pingSent == 0 {
			continue
		}
		delay := min(pingDelay, dataDelay)
		if delay > timeout && n.flags&(cluster.FlagPFail|cluster.FlagFail) == 0 {
			n.flags |= cluster.FlagPFail
			updateState = true
		}
	}
	if me.isReplica() && !s.isReplica() && me.master != nil && me.master.hasAddr() {
		s.setMaster(me.master.ip, me.master.port)
	}
	s.manualFailoverCheckTimeout()
	if me.isReplica() {
		s.clusterHandleManualFailover()
		s.clusterHandleReplicaFailover()
		if orphaned > 0 && maxReplicas >= 2 && myReplicas == maxReplicas && s.cfg.Cluster.AllowReplicaMigration {
			s.clusterHandleReplicaMigration(maxReplicas)
		}
	}
	if updateState || cl.state == cluster.StateFail {
		s.clusterUpdateState()
	}
}

// cronReconnect is clusterNodeCronHandleReconnect: a node in handshake
// for longer than the handshake timeout is forgotten; a node without a
// link gets a new one.
func (s *Server) cronReconnect(n *clusterNode, handshakeTimeout, now int64) {
	if n.flags&(cluster.FlagMyself|cluster.FlagNoAddr) != 0 {
		return
	}
	if n.flags&cluster.FlagPFail != 0 {
		s.cl.pfailNodes++
	}
	if n.inHandshake() && now-n.ctime > handshakeTimeout {
		s.delNode(n)
		return
	}
	if n.link == nil {
		s.clusterConnect(n)
	}
}

// clusterBeforeSleep is clusterBeforeSleep, run from afterEvent.
func (s *Server) clusterBeforeSleep() {
	cl := s.cl
	flags := cl.todo
	cl.todo = 0
	if flags&todoHandleManualFailover != 0 {
		if cl.myself.isReplica() {
			s.clusterHandleManualFailover()
			s.clusterHandleReplicaFailover()
		}
	} else if flags&todoHandleFailover != 0 {
		s.clusterHandleReplicaFailover()
	}
	if flags&todoUpdateState != 0 {
		s.clusterUpdateState()
	}
	if flags&todoSaveConfig != 0 {
		s.saveClusterConfig(flags&todoFsyncConfig != 0)
	}
}

// markNodeAsFailingIfNeeded is markNodeAsFailingIfNeeded: a node in PFAIL
// that a majority of masters (myself included, if a master) reports as
// failing becomes FAIL, and everybody is told.
func (s *Server) markNodeAsFailingIfNeeded(n *clusterNode) {
	cl := s.cl
	quorum := cl.size/2 + 1
	if bugs.On(bugs.ClusterHalfMastersMajority) {
		quorum = cl.size / 2
	}
	if !n.timedOut() || n.failed() {
		return
	}
	failures := n.failureReportsCount(s.mstime(), s.cfg.Cluster.NodeTimeoutMs)
	if cl.myself.isMaster() {
		failures++
	}
	if failures < quorum {
		return
	}
	s.env.Logf("Marking node %.40s as failing (quorum reached).", n.name)
	n.flags &^= cluster.FlagPFail
	n.flags |= cluster.FlagFail
	n.failTime = s.mstime()
	s.clusterSendFail(n.name)
	cl.todo |= todoUpdateState | todoSaveConfig
}

// clearNodeFailureIfNeeded is clearNodeFailureIfNeeded.
func (s *Server) clearNodeFailureIfNeeded(n *clusterNode) {
	now := s.mstime()
	if n.isReplica() || n.numSlots == 0 {
		what := "master without slots"
		if n.isReplica() {
			what = "replica"
		}
		s.env.Logf("Clear FAIL state for node %.40s: %s is reachable again.", n.name, what)
		n.flags &^= cluster.FlagFail
		s.cl.todo |= todoUpdateState | todoSaveConfig
	}
	if n.isMaster() && n.numSlots > 0 && now-n.failTime > s.cfg.Cluster.NodeTimeoutMs*clusterFailUndoTimeMult {
		s.env.Logf("Clear FAIL state for node %.40s: is reachable again and nobody is serving its slots after some time.", n.name)
		n.flags &^= cluster.FlagFail
		s.cl.todo |= todoUpdateState | todoSaveConfig
	}
}

// clusterUpdateState is clusterUpdateState.
func (s *Server) clusterUpdateState() {
	cl := s.cl
	me := cl.myself
	cl.todo &^= todoUpdateState
	now := s.mstime()
	if cl.firstUpdateCall == 0 {
		cl.firstUpdateCall = now
	}
	if me.isMaster() && cl.state == cluster.StateFail && now-cl.firstUpdateCall < clusterWritableDelay {
		return
	}
	newState := cluster.StateOK
	if s.cfg.Cluster.RequireFullCoverage && !cl.fullCoverage() {
		newState = cluster.StateFail
	}
	reachable := 0
	cl.size = 0
	for _, n := range cl.nodes {
		if n.isMaster() && n.numSlots > 0 {
			cl.size++
			if n.flags&(cluster.FlagFail|cluster.FlagPFail) == 0 {
				reachable++
			}
		}
	}
	if reachable < cl.size/2+1 {
		newState = cluster.StateFail
		cl.amongMinorityTime = now
	}
	if newState != cl.state {
		rejoin := min(max(s.cfg.Cluster.NodeTimeoutMs, clusterMinRejoinDelay), clusterMaxRejoinDelay)
		if newState == cluster.StateOK && me.isMaster() && now-cl.amongMinorityTime < rejoin {
			return
		}
		word := "ok"
		if newState == cluster.StateFail {
			word = "fail"
		}
		s.env.Logf("Cluster state changed: %s", word)
		cl.state = newState
	}
}

// verifyClusterConfigWithData is verifyClusterConfigWithData: keys in
// slots the node does not serve are claimed (unassigned slots) or marked
// as importing. False when a database other than 0 has keys.
func (s *Server) verifyClusterConfigWithData() bool {
	cl := s.cl
	if cl.myself.isReplica() {
		return true
	}
	for _, d := range s.dbs[1:] {
		if d.keys.Len() > 0 {
			return false
		}
	}
	update := false
	for j := 0; j < cluster.Slots; j++ {
		if s.countKeysInSlot(j) == 0 || cl.slots[j] == cl.myself || cl.importingFrom[j] != nil {
			continue
		}
		update = true
		if cl.slots[j] == nil {
			s.env.Logf("I have keys for unassigned slot %d. Taking responsibility for it.", j)
			s.clusterAddSlot(cl.myself, j)
		} else {
			s.env.Logf("I have keys for slot %d, but the slot is assigned to another node. Setting it to importing state.", j)
			cl.setImporting(j, cl.slots[j])
		}
	}
	if update {
		s.saveClusterConfig(true)
	}
	return true
}
