package redis

import (
	"math/bits"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// clusterProcessPacket is clusterProcessPacket for a message Parse
// accepted: false when the link was freed.
func (s *Server) clusterProcessPacket(l *clusterLink, m *cluster.Msg) bool {
	cl := s.cl
	now := s.mstime()
	typ := m.Type
	if int(typ) < len(cl.received) {
		cl.received[typ]++
	}
	sender := s.nodeFromLinkAndMsg(l, m)
	if sender != nil {
		sender.dataReceived = now
	}
	var senderCurrentEpoch, senderConfigEpoch uint64
	if sender != nil && !sender.inHandshake() {
		senderCurrentEpoch, senderConfigEpoch = m.CurrentEpoch, m.ConfigEpoch
		if senderCurrentEpoch > cl.currentEpoch {
			cl.currentEpoch = senderCurrentEpoch
		}
		if senderConfigEpoch > sender.configEpoch {
			sender.configEpoch = senderConfigEpoch
			cl.todo |= todoSaveConfig | todoFsyncConfig
		}
		sender.replOffset = int64(m.Offset)
		sender.replOffsetTime = now
		if cl.mfEnd != 0 && cl.myself.isReplica() && cl.myself.master == sender &&
			m.MFlags[0]&cluster.MFlag0Paused != 0 && cl.mfMasterOffset == -1 {
			cl.mfMasterOffset = sender.replOffset
			cl.todo |= todoHandleManualFailover
			s.env.Logf("Received replication offset for paused master manual failover: %d", cl.mfMasterOffset)
		}
	}

	if typ == cluster.TypePing || typ == cluster.TypeMeet {
		if (typ == cluster.TypeMeet || cl.myself.ip == "") && s.cfg.Cluster.AnnounceIP == "" {
			if ip, ok := localIP(l); ok && ip != cl.myself.ip {
				cl.myself.ip = ip
				s.env.Logf("IP address for this node updated to %s", ip)
				cl.todo |= todoSaveConfig
			}
		}
		if sender == nil && typ == cluster.TypeMeet {
			n := s.createClusterNode("", cluster.FlagHandshake)
			ip, _ := nodeIP(l, m)
			n.ip = ip
			n.port, n.pport, n.cport = int(m.Port), int(m.PPort), int(m.CPort)
			cl.addNode(n)
			cl.todo |= todoSaveConfig
			// A MEET from an unknown node is trusted for its gossip.
			s.processGossip(m, l)
		}
		s.clusterSendPing(l, cluster.TypePong)
	}

	switch typ {
	case cluster.TypePing, cluster.TypePong, cluster.TypeMeet:
		if !l.inbound {
			if l.node.inHandshake() {
				if sender != nil {
					// We already know this node: update its address
					// and drop the handshake node with its link.
					if s.nodeUpdateAddressIfNeeded(sender, l, m) {
						cl.todo |= todoSaveConfig | todoUpdateState
					}
					s.delNode(l.node)
					return false
				}
				s.renameNode(l.node, m.Sender.String())
				l.node.flags &^= cluster.FlagHandshake
				l.node.flags |= m.Flags & (cluster.FlagMaster | cluster.FlagSlave)
				cl.todo |= todoSaveConfig
			} else if l.node.name != m.Sender.String() {
				// The PONG names another node: the address is no
				// longer this node's.
				n := l.node
				n.flags |= cluster.FlagNoAddr
				n.ip, n.port, n.pport, n.cport = "", 0, 0, 0
				s.freeClusterLink(l)
				cl.todo |= todoSaveConfig
				return false
			}
		}
		if sender != nil {
			sender.flags = sender.flags&^cluster.FlagNoFailover | m.Flags&cluster.FlagNoFailover
		}
		if sender != nil && typ == cluster.TypePing && !sender.inHandshake() && s.nodeUpdateAddressIfNeeded(sender, l, m) {
			cl.todo |= todoSaveConfig | todoUpdateState
		}
		if !l.inbound && typ == cluster.TypePong {
			n := l.node
			n.pongReceived = now
			n.pingSent = 0
			if n.timedOut() {
				n.flags &^= cluster.FlagPFail
				cl.todo |= todoSaveConfig | todoUpdateState
			} else if n.failed() {
				s.clearNodeFailureIfNeeded(n)
			}
		}
		// A role switch.
		if sender != nil {
			if m.SlaveOf.IsZero() {
				s.setNodeAsMaster(sender)
			} else {
				master := cl.lookupNode(m.SlaveOf.String())
				if sender.isMaster() {
					s.clusterDelNodeSlots(sender)
					sender.flags &^= cluster.FlagMaster | cluster.FlagMigrateTo
					sender.flags |= cluster.FlagSlave
					cl.todo |= todoSaveConfig | todoUpdateState
				}
				if master != nil && sender.master != master {
					if sender.master != nil {
						sender.master.removeReplica(sender)
					}
					master.addReplica(sender)
					sender.master = master
					cl.todo |= todoSaveConfig
				}
			}
		}
		var senderMaster *clusterNode
		dirty := false
		if sender != nil {
			senderMaster = sender
			if !sender.isMaster() {
				senderMaster = sender.master
			}
			if senderMaster != nil {
				dirty = senderMaster.slots != m.MySlots
			}
		}
		if sender != nil && sender.isMaster() && dirty {
			s.updateSlotsConfigWith(sender, senderConfigEpoch, &m.MySlots)
		}
		// The sender claims slots a master with a greater configEpoch
		// owns: tell it (one UPDATE, as Redis sends only the first).
		// Redis walks every claimed slot; those the sender holds (its
		// bitmap is the table's view, see clusterNode.slots) are skipped
		// at once, as the check below would skip them.
		if sender != nil && dirty {
			for j := range setSlotsNotIn(&m.MySlots, &sender.slots) {
				if cl.slots[j] == sender || cl.slotUnclaimed(j) {
					continue
				}
				if cl.slots[j].configEpoch > senderConfigEpoch {
					s.logVerbose("Node %.40s has old slots configuration, sending an UPDATE message about %.40s", sender.name, cl.slots[j].name)
					s.clusterSendUpdate(sender.link, cl.slots[j])
					break
				}
			}
		}
		if sender != nil && cl.myself.isMaster() && sender.isMaster() && senderConfigEpoch == cl.myself.configEpoch {
			s.handleConfigEpochCollision(sender)
		}
		if sender != nil {
			s.processGossip(m, l)
			s.processPingExts(m, l)
		}
	case cluster.TypeFail:
		if sender == nil {
			s.env.Logf("Ignoring FAIL message from unknown node %.40s about %.40s", m.Sender.String(), m.About.String())
			break
		}
		failing := cl.lookupNode(m.About.String())
		if failing != nil && failing.flags&(cluster.FlagFail|cluster.FlagMyself) == 0 {
			s.env.Logf("FAIL message received from %.40s about %.40s", m.Sender.String(), m.About.String())
			failing.flags |= cluster.FlagFail
			failing.failTime = now
			failing.flags &^= cluster.FlagPFail
			cl.todo |= todoSaveConfig | todoUpdateState
		}
	case cluster.TypePublish, cluster.TypePublishShard:
		if sender == nil {
			return true
		}
		s.publishFromBus(m.Channel, m.Message, typ == cluster.TypePublishShard)
	case cluster.TypeFailoverAuthRequest:
		if sender == nil {
			return true
		}
		s.sendFailoverAuthIfNeeded(sender, m)
	case cluster.TypeFailoverAuthAck:
		if sender == nil {
			return true
		}
		if sender.isMaster() && sender.numSlots > 0 && senderCurrentEpoch >= cl.failoverAuthEpoch {
			cl.failoverAuthCount++
			cl.todo |= todoHandleFailover
		}
	case cluster.TypeMFStart:
		if sender == nil || sender.master != cl.myself {
			return true
		}
		s.resetManualFailover()
		cl.mfEnd = now + clusterMFTimeout
		cl.mfSlave = sender
		s.pauseForFailover(now + clusterMFTimeout*clusterMFPauseMult)
		s.env.Logf("Manual failover requested by replica %.40s.", sender.name)
		s.clusterSendPing(l, cluster.TypePing)
	case cluster.TypeUpdate:
		if sender == nil || m.Update == nil {
			return true
		}
		n := cl.lookupNode(m.Update.Name.String())
		if n == nil || n.configEpoch >= m.Update.ConfigEpoch {
			return true
		}
		if n.isReplica() {
			s.setNodeAsMaster(n)
		}
		n.configEpoch = m.Update.ConfigEpoch
		cl.todo |= todoSaveConfig | todoFsyncConfig
		s.updateSlotsConfigWith(n, m.Update.ConfigEpoch, &m.Update.Slots)
	case cluster.TypeModule:
		// No modules: nothing receives it.
	default:
		s.env.Logf("Received unknown packet type: %d", typ)
	}
	return true
}

// nodeFromLinkAndMsg is getNodeFromLinkAndMsg.
func (s *Server) nodeFromLinkAndMsg(l *clusterLink, m *cluster.Msg) *clusterNode {
	if l.node != nil && !l.node.inHandshake() {
		return l.node
	}
	sender := s.cl.lookupNode(m.Sender.String())
	if sender != nil && l.node == nil {
		s.setInboundLink(sender, l)
	}
	return sender
}

// processGossip is clusterProcessGossipSection.
func (s *Server) processGossip(m *cluster.Msg, l *clusterLink) {
	cl := s.cl
	sender := l.node
	if sender == nil {
		sender = cl.lookupNode(m.Sender.String())
	}
	now := s.mstime()
	timeout := s.cfg.Cluster.NodeTimeoutMs
	for i := range m.Gossip {
		g := &m.Gossip[i]
		flags := g.Flags
		name := g.Name.String()
		node := cl.lookupNode(name)
		if node != nil {
			if sender != nil && sender.isMaster() && node != cl.myself {
				if flags&(cluster.FlagFail|cluster.FlagPFail) != 0 {
					if node.addFailureReport(sender, now) {
						s.logVerbose("Node %.40s reported node %.40s as not reachable.", sender.name, node.name)
					}
					s.markNodeAsFailingIfNeeded(node)
				} else if node.delFailureReport(sender, now, timeout) {
					s.logVerbose("Node %.40s reported node %.40s is back online.", sender.name, node.name)
				}
			}
			if flags&(cluster.FlagFail|cluster.FlagPFail) == 0 && node.pingSent == 0 && node.failureReportsCount(now, timeout) == 0 {
				pong := int64(g.PongReceivedSec) * 1000
				if pong <= now+500 && pong > node.pongReceived {
					node.pongReceived = pong
				}
			}
			if node.flags&(cluster.FlagFail|cluster.FlagPFail) != 0 && flags&cluster.FlagNoAddr == 0 &&
				flags&(cluster.FlagFail|cluster.FlagPFail) == 0 &&
				(node.ip != g.IP.String() || node.port != int(g.Port) || node.cport != int(g.CPort)) {
				if node.link != nil {
					s.freeClusterLink(node.link)
				}
				node.ip = g.IP.String()
				node.port, node.pport, node.cport = int(g.Port), int(g.PPort), int(g.CPort)
				node.flags &^= cluster.FlagNoAddr
			}
		} else if sender != nil && flags&cluster.FlagNoAddr == 0 && !s.blacklisted(name) && verifyNodeID(name) {
			n := s.createClusterNode(name, flags)
			n.ip = g.IP.String()
			n.port, n.pport, n.cport = int(g.Port), int(g.PPort), int(g.CPort)
			cl.addNode(n)
		}
	}
}

// processPingExts is clusterProcessPingExtensions: the sender's announced
// hostname, cleared when it sends none.
func (s *Server) processPingExts(m *cluster.Msg, l *clusterLink) {
	sender := l.node
	if sender == nil {
		sender = s.cl.lookupNode(m.Sender.String())
	}
	if sender == nil {
		return
	}
	for _, e := range m.Exts {
		if e.Type != cluster.ExtHostname {
			s.env.Logf("Received unknown extension type %d", e.Type)
		}
	}
	// updateAnnouncedHostname: nodes.conf takes it at its next save.
	sender.hostname = m.Hostname()
}

// nodeUpdateAddressIfNeeded is nodeUpdateAddressIfNeeded.
func (s *Server) nodeUpdateAddressIfNeeded(n *clusterNode, l *clusterLink, m *cluster.Msg) bool {
	if l == n.link {
		return false
	}
	ip, ok := nodeIP(l, m)
	if !ok {
		return false
	}
	port, pport, cport := int(m.Port), int(m.PPort), int(m.CPort)
	if n.port == port && n.cport == cport && n.pport == pport && n.ip == ip {
		return false
	}
	n.ip, n.port, n.pport, n.cport = ip, port, pport, cport
	if n.link != nil {
		s.freeClusterLink(n.link)
	}
	n.flags &^= cluster.FlagNoAddr
	s.env.Logf("Address updated for node %.40s, now %s:%d", n.name, n.ip, n.port)
	if s.cl.myself.isReplica() && s.cl.myself.master == n {
		s.setMaster(n.ip, n.port)
	}
	return true
}

// setNodeAsMaster is clusterSetNodeAsMaster.
func (s *Server) setNodeAsMaster(n *clusterNode) {
	if n.isMaster() {
		return
	}
	if n.master != nil {
		n.master.removeReplica(n)
		if n != s.cl.myself {
			n.flags |= cluster.FlagMigrateTo
		}
	}
	n.flags &^= cluster.FlagSlave
	n.flags |= cluster.FlagMaster
	n.master = nil
	s.cl.todo |= todoSaveConfig | todoUpdateState
}

// updateSlotsConfigWith is clusterUpdateSlotsConfigWith.
func (s *Server) updateSlotsConfigWith(sender *clusterNode, senderConfigEpoch uint64, slots *cluster.Bitmap) {
	cl := s.cl
	me := cl.myself
	if sender == me {
		s.env.Logf("Discarding UPDATE message about myself.")
		return
	}
	curmaster := me
	if !me.isMaster() {
		curmaster = me.master
	}
	newmaster, dirtySlots, senderSlots, migratedOurSlots := s.takeClaimedSlots(sender, senderConfigEpoch, slots, curmaster)
	switch {
	case newmaster != nil && curmaster != nil && curmaster.numSlots == 0 &&
		(s.cfg.Cluster.AllowReplicaMigration || senderSlots == migratedOurSlots):
		s.env.Logf("Configuration change detected. Reconfiguring myself as a replica of %.40s", sender.name)
		probeClusterUpdateDemoted.Reach(s.env)
		s.clusterSetMaster(sender)
		cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
	case me.master != nil && me.master.master != nil && me.master.master != me:
		s.env.Logf("I'm a sub-replica! Reconfiguring myself as a replica of grandmaster %.40s", me.master.master.name)
		s.clusterSetMaster(me.master.master)
		cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
	case len(dirtySlots) > 0:
		for _, j := range dirtySlots {
			s.delKeysInSlot(j)
		}
	}
}

// takeClaimedSlots is clusterUpdateSlotsConfigWith's walk over the
// slots: the sender gets each slot it claims that is unclaimed or held
// with an older configEpoch (unless the slot is being imported), and the
// slots it holds but no longer claims are marked so. It returns the new
// master (the sender, if it took a slot of curmaster), myself's slots it
// took that still have keys (in slot order), how many slots the sender
// claims, and how many of curmaster's it took.
//
// Redis walks all 16384 slots one by one. Here a whole word of 64 slots
// is handled at once where only the ownerNotClaiming marks change (the
// slots the sender both holds and claims, or holds and does not claim),
// and only the others are visited one by one, in increasing order. That
// is the same outcome: a slot's handling reads and writes that slot
// alone. sender.slots stands for the slot table's "slots[j] == sender"
// (see clusterNode.slots); it is read a word at a time before the word's
// slots change, and the slots that change were not the sender's.
func (s *Server) takeClaimedSlots(sender *clusterNode, senderConfigEpoch uint64, slots *cluster.Bitmap, curmaster *clusterNode) (
	newmaster *clusterNode, dirtySlots []int, senderSlots, migratedOurSlots int) {
	cl := s.cl
	me := cl.myself
	for w := range bitmapWords {
		claimed, held := bitmapWord(slots, w), bitmapWord(&sender.slots, w)
		senderSlots += bits.OnesCount64(claimed & held)
		notClaiming := bitmapWord(&cl.ownerNotClaiming, w)
		setBitmapWord(&cl.ownerNotClaiming, w, notClaiming&^(claimed&held)|held&^claimed)
		for x := claimed &^ held; x != 0; x &= x - 1 {
			j := w*64 + bits.TrailingZeros64(x)
			senderSlots++
			if cl.importingFrom[j] != nil {
				continue
			}
			if cl.slotUnclaimed(j) || cl.slots[j].configEpoch < senderConfigEpoch {
				if cl.slots[j] == me && s.countKeysInSlot(j) > 0 && sender != me {
					dirtySlots = append(dirtySlots, j)
				}
				if cl.slots[j] == curmaster {
					newmaster = sender
					migratedOurSlots++
				}
				s.clusterDelSlot(j)
				s.clusterAddSlot(sender, j)
				cl.ownerNotClaiming.Clear(j)
				cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
			}
		}
	}
	return newmaster, dirtySlots, senderSlots, migratedOurSlots
}

// handleConfigEpochCollision is clusterHandleConfigEpochCollision: of two
// masters with the same configEpoch, the one with the greater name takes
// a new one.
func (s *Server) handleConfigEpochCollision(sender *clusterNode) {
	cl := s.cl
	me := cl.myself
	if sender.configEpoch != me.configEpoch || !sender.isMaster() || !me.isMaster() {
		return
	}
	if sender.name <= me.name {
		return
	}
	cl.currentEpoch++
	me.configEpoch = cl.currentEpoch
	probeClusterEpochCollision.Reach(s.env)
	s.saveClusterConfig(true)
	s.logVerbose("WARNING: configEpoch collision with node %.40s. configEpoch set to %d", sender.name, me.configEpoch)
}

// clusterSetMaster is clusterSetMaster: myself becomes a replica of n.
func (s *Server) clusterSetMaster(n *clusterNode) {
	cl := s.cl
	me := cl.myself
	if me.isMaster() {
		me.flags &^= cluster.FlagMaster | cluster.FlagMigrateTo
		me.flags |= cluster.FlagSlave
		cl.closeAllSlots()
	} else if me.master != nil {
		me.master.removeReplica(me)
	}
	me.master = n
	n.addReplica(me)
	s.setMaster(n.ip, n.port)
	s.resetManualFailover()
}

// blacklisted is clusterBlacklistExists.
func (s *Server) blacklisted(name string) bool {
	s.blacklistCleanup()
	_, ok := s.cl.blacklist[name]
	return ok
}

// blacklistAdd is clusterBlacklistAddNode.
func (s *Server) blacklistAdd(n *clusterNode) {
	s.blacklistCleanup()
	cl := s.cl
	if _, ok := cl.blacklist[n.name]; !ok {
		cl.blackOrder = append(cl.blackOrder, n.name)
	}
	cl.blacklist[n.name] = s.env.Now().Unix() + clusterBlacklistTTL
}

// blacklistCleanup is clusterBlacklistCleanup.
func (s *Server) blacklistCleanup() {
	cl := s.cl
	keep := cl.blackOrder[:0]
	for _, name := range cl.blackOrder {
		if cl.blacklist[name] < s.unixtime {
			delete(cl.blacklist, name)
			continue
		}
		keep = append(keep, name)
	}
	cl.blackOrder = keep
}
