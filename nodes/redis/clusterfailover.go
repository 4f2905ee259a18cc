package redis

import (
	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// Replica elections, manual failover and replica migration (cluster.c's
// "SLAVE node specific functions").

// clusterRequestFailoverAuth is clusterRequestFailoverAuth.
func (s *Server) clusterRequestFailoverAuth() {
	m := s.buildHeader(cluster.TypeFailoverAuthRequest)
	if s.cl.mfEnd != 0 {
		m.MFlags[0] |= cluster.MFlag0ForceAck
	}
	s.clusterBroadcast(m)
}

// sendFailoverAuthIfNeeded is clusterSendFailoverAuthIfNeeded: a master
// votes at most once per epoch, only for a replica of a failed master
// (or one that forces the ack in a manual failover), not again for the
// same master within twice the node timeout, and only when no slot it
// claims has a newer owner.
func (s *Server) sendFailoverAuthIfNeeded(n *clusterNode, req *cluster.Msg) {
	cl := s.cl
	me := cl.myself
	master := n.master
	forceAck := req.MFlags[0]&cluster.MFlag0ForceAck != 0
	if me.isReplica() || me.numSlots == 0 {
		return
	}
	if req.CurrentEpoch < cl.currentEpoch {
		s.env.Logf("Failover auth denied to %.40s: reqEpoch (%d) < curEpoch(%d)", n.name, req.CurrentEpoch, cl.currentEpoch)
		return
	}
	if cl.lastVoteEpoch == cl.currentEpoch {
		s.env.Logf("Failover auth denied to %.40s: already voted for epoch %d", n.name, cl.currentEpoch)
		return
	}
	if n.isMaster() || master == nil || (!master.failed() && !forceAck) {
		switch {
		case n.isMaster():
			s.env.Logf("Failover auth denied to %.40s: it is a master node", n.name)
		case master == nil:
			s.env.Logf("Failover auth denied to %.40s: I don't know its master", n.name)
		default:
			s.env.Logf("Failover auth denied to %.40s: its master is up", n.name)
		}
		return
	}
	now := s.mstime()
	timeout := s.cfg.Cluster.NodeTimeoutMs
	if now-master.votedTime < timeout*2 {
		s.env.Logf("Failover auth denied to %.40s: can't vote about this master before %d milliseconds", n.name, timeout*2-(now-master.votedTime))
		return
	}
	for j := range setSlots(&req.MySlots) {
		if cl.slotUnclaimed(j) || cl.slots[j].configEpoch <= req.ConfigEpoch {
			continue
		}
		s.env.Logf("Failover auth denied to %.40s: slot %d epoch (%d) > reqEpoch (%d)", n.name, j, cl.slots[j].configEpoch, req.ConfigEpoch)
		return
	}
	if bugs.On(bugs.ClusterVoteNotFsynced) {
		// Before redis/redis@9176f4b94: the ACK is written at once (no
		// AE_BARRIER) and the vote is saved only with some later change.
		if n.link != nil {
			s.clusterSend(n.link, s.buildHeader(cluster.TypeFailoverAuthAck))
			s.clusterFlushLink(n.link)
		}
		cl.lastVoteEpoch = cl.currentEpoch
		master.votedTime = now
		s.env.Logf("Failover auth granted to %.40s for epoch %d", n.name, cl.currentEpoch)
		return
	}
	cl.lastVoteEpoch = cl.currentEpoch
	master.votedTime = now
	cl.todo |= todoSaveConfig | todoFsyncConfig
	if n.link != nil {
		s.clusterSend(n.link, s.buildHeader(cluster.TypeFailoverAuthAck))
	}
	s.env.Logf("Failover auth granted to %.40s for epoch %d", n.name, cl.currentEpoch)
}

// replicaRank is clusterGetSlaveRank: how many replicas of the same master
// (that may fail over) have a greater replication offset.
func (s *Server) replicaRank() int {
	me := s.cl.myself
	master := me.master
	if master == nil {
		return 0
	}
	mine := s.replicaOffset()
	rank := 0
	for _, r := range master.replicas {
		if r != me && !r.cantFailover() && r.replOffset > mine {
			rank++
		}
	}
	return rank
}

// logCantFailover is clusterLogCantFailover: the reason is logged when it
// changes or every five minutes, and not in the first node timeout plus
// 5 s after the master failed.
func (s *Server) logCantFailover(reason int) {
	cl := s.cl
	now := s.env.Now().Unix()
	if reason == cl.cantFailoverReason && now-cl.lastCantLogTime < clusterCantFailoverRelog {
		return
	}
	cl.cantFailoverReason = reason
	me := cl.myself
	if me.master != nil && me.master.failed() && s.mstime()-me.master.failTime < s.cfg.Cluster.NodeTimeoutMs+5000 {
		return
	}
	msg := "Unknown reason code."
	switch reason {
	case cantFailoverDataAge:
		msg = "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option."
	case cantFailoverWaitingDelay:
		msg = "Waiting the delay before I can start a new failover."
	case cantFailoverExpired:
		msg = "Failover attempt expired."
	case cantFailoverWaitingVotes:
		msg = "Waiting for votes, but majority still not reached."
	}
	cl.lastCantLogTime = now
	s.env.Logf("Currently unable to failover: %s", msg)
}

// failoverReplaceYourMaster is clusterFailoverReplaceYourMaster: myself
// becomes a master with the old master's slots and tells everybody.
func (s *Server) failoverReplaceYourMaster() {
	cl := s.cl
	me := cl.myself
	old := me.master
	if me.isMaster() || old == nil {
		return
	}
	s.setNodeAsMaster(me)
	s.unsetMaster()
	for j := range setSlots(&old.slots) {
		s.clusterDelSlot(j)
		s.clusterAddSlot(me, j)
	}
	s.clusterUpdateState()
	s.saveClusterConfig(true)
	s.clusterBroadcastPong(false)
	s.resetManualFailover()
}

// clusterHandleReplicaFailover is clusterHandleSlaveFailover.
func (s *Server) clusterHandleReplicaFailover() {
	cl := s.cl
	me := cl.myself
	now := s.mstime()
	authAge := now - cl.failoverAuthTime
	quorum := cl.size/2 + 1
	if bugs.On(bugs.ClusterHalfMastersMajority) {
		quorum = cl.size / 2
	}
	manual := cl.mfEnd != 0 && cl.mfCanStart
	cl.todo &^= todoHandleFailover
	timeout := s.cfg.Cluster.NodeTimeoutMs
	authTimeout := max(timeout*2, 2000)
	authRetry := authTimeout * 2
	if me.isMaster() || me.master == nil || (!me.master.failed() && !manual) ||
		(s.cfg.Cluster.ReplicaNoFailover && !manual) || me.master.numSlots == 0 {
		cl.cantFailoverReason = cantFailoverNone
		return
	}
	var dataAge int64
	if s.linkState == linkConnected {
		dataAge = (s.unixtime - s.lastIOMs/1000) * 1000
	} else {
		dataAge = (s.unixtime - s.linkDownMs/1000) * 1000
	}
	if dataAge > timeout {
		dataAge -= timeout
	}
	if f := int64(s.cfg.Cluster.ReplicaValidityFactor); f != 0 &&
		dataAge > int64(s.cfg.ReplPingReplicaPeriod)*1000+timeout*f && !manual {
		s.logCantFailover(cantFailoverDataAge)
		return
	}
	if authAge > authRetry {
		cl.failoverAuthTime = now + 500 + int64(s.rng.IntN(500))
		cl.failoverAuthCount = 0
		cl.failoverAuthSent = false
		cl.failoverAuthRank = s.replicaRank()
		cl.failoverAuthTime += int64(cl.failoverAuthRank) * 1000
		if cl.mfEnd != 0 {
			cl.failoverAuthTime = now
			cl.failoverAuthRank = 0
			cl.todo |= todoHandleFailover
		}
		s.env.Logf("Start of election delayed for %d milliseconds (rank #%d, offset %d).", cl.failoverAuthTime-now, cl.failoverAuthRank, s.replicaOffset())
		s.clusterBroadcastPong(true)
		return
	}
	if !cl.failoverAuthSent && cl.mfEnd == 0 {
		if rank := s.replicaRank(); rank > cl.failoverAuthRank {
			added := int64(rank-cl.failoverAuthRank) * 1000
			cl.failoverAuthTime += added
			cl.failoverAuthRank = rank
			s.env.Logf("Replica rank updated to #%d, added %d milliseconds of delay.", rank, added)
		}
	}
	if now < cl.failoverAuthTime {
		s.logCantFailover(cantFailoverWaitingDelay)
		return
	}
	if authAge > authTimeout {
		s.logCantFailover(cantFailoverExpired)
		return
	}
	if !cl.failoverAuthSent {
		cl.currentEpoch++
		cl.failoverAuthEpoch = cl.currentEpoch
		s.env.Logf("Starting a failover election for epoch %d.", cl.currentEpoch)
		s.clusterRequestFailoverAuth()
		cl.failoverAuthSent = true
		cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
		return
	}
	if cl.failoverAuthCount >= quorum {
		s.env.Logf("Failover election won: I'm the new master.")
		probeClusterFailoverWon.Reach(s.env)
		if me.configEpoch < cl.failoverAuthEpoch {
			me.configEpoch = cl.failoverAuthEpoch
			s.env.Logf("configEpoch set to %d after successful failover", me.configEpoch)
		}
		s.failoverReplaceYourMaster()
	} else {
		s.logCantFailover(cantFailoverWaitingVotes)
	}
}

// clusterHandleReplicaMigration is clusterHandleSlaveMigration: the
// replica with the smallest name among the masters with the most working
// replicas moves to an orphaned master after it has been orphaned for 5 s.
func (s *Server) clusterHandleReplicaMigration(maxReplicas int) {
	cl := s.cl
	me := cl.myself
	if cl.state != cluster.StateOK {
		return
	}
	mymaster := me.master
	if mymaster == nil {
		return
	}
	ok := 0
	for _, r := range mymaster.replicas {
		if !r.failed() && !r.timedOut() {
			ok++
		}
	}
	if ok <= s.cfg.Cluster.MigrationBarrier {
		return
	}
	var target *clusterNode
	candidate := me
	now := s.mstime()
	for _, n := range cl.nodes {
		okReplicas := 0
		orphaned := true
		if n.isReplica() || n.failed() || n.flags&cluster.FlagMigrateTo == 0 {
			orphaned = false
		}
		if n.isMaster() {
			okReplicas = n.countNonFailingReplicas()
		}
		if okReplicas > 0 {
			orphaned = false
		}
		if orphaned {
			if target == nil && n.numSlots > 0 {
				target = n
			}
			if n.orphanedTime == 0 {
				n.orphanedTime = now
			}
		} else {
			n.orphanedTime = 0
		}
		if okReplicas == maxReplicas {
			for _, r := range n.replicas {
				if r.name < candidate.name {
					candidate = r
				}
			}
		}
	}
	if target != nil && candidate == me && now-target.orphanedTime > clusterSlaveMigrationMs {
		s.env.Logf("Migrating to orphaned master %.40s", target.name)
		s.clusterSetMaster(target)
	}
}

// resetManualFailover is resetManualFailover.
func (s *Server) resetManualFailover() {
	cl := s.cl
	if cl.mfSlave != nil {
		s.unpauseForFailover()
	}
	cl.mfEnd = 0
	cl.mfCanStart = false
	cl.mfSlave = nil
	cl.mfMasterOffset = -1
}

// manualFailoverCheckTimeout is manualFailoverCheckTimeout.
func (s *Server) manualFailoverCheckTimeout() {
	if cl := s.cl; cl.mfEnd != 0 && cl.mfEnd < s.mstime() {
		s.env.Logf("Manual failover timed out.")
		s.resetManualFailover()
	}
}

// clusterHandleManualFailover is clusterHandleManualFailover: the replica
// may start once it has processed the paused master's whole stream.
func (s *Server) clusterHandleManualFailover() {
	cl := s.cl
	if cl.mfEnd == 0 || cl.mfCanStart || cl.mfMasterOffset == -1 {
		return
	}
	if cl.mfMasterOffset == s.replicaOffset() {
		cl.mfCanStart = true
		s.env.Logf("All master replication stream processed, manual failover can start.")
		cl.todo |= todoHandleFailover
		return
	}
	cl.todo |= todoHandleManualFailover
}

// pauseForFailover is pauseClients(PAUSE_DURING_FAILOVER, end, WRITE) for
// a manual failover: writes wait until end or the failover's end.
func (s *Server) pauseForFailover(end int64) {
	s.cl.mfPauseEnd = end
}

// unpauseForFailover is unpauseClients(PAUSE_DURING_FAILOVER).
func (s *Server) unpauseForFailover() {
	if s.cl.mfPauseEnd == 0 {
		return
	}
	s.cl.mfPauseEnd = 0
	s.unblocked = append(s.unblocked, s.postponed...)
	s.postponed = nil
}

// mfPaused reports whether a manual failover holds writes, ending the
// pause whose time has passed.
func (s *Server) mfPaused() bool {
	if s.cl == nil || s.cl.mfPauseEnd == 0 {
		return false
	}
	if s.cl.mfPauseEnd < s.nowMs() {
		s.unpauseForFailover()
		return false
	}
	return true
}
