package redis

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/sim"
)

// clusterLink is a connection of the cluster bus: outbound to node (link)
// or accepted from it (inboundLink, node known once its first message
// names it).
type clusterLink struct {
	s       *Server
	ctime   int64
	conn    sim.Conn
	node    *clusterNode
	inbound bool
	rcv     []byte
	freed   bool
	// msg is the message being processed, parsed in place each time
	// (its gossip and extension sections reused).
	msg cluster.Msg
	// waiting is set while input sits unread because the node is held
	// (an fsync, DEBUG SLEEP): resume reads it.
	waiting bool
	// sndbuf is what the node sent and the socket has not yet taken:
	// clusterSendMessage installs the write handler with a barrier, so
	// the bytes leave after beforeSleep, after the config is saved and
	// fsynced (a vote is durable before its ACK is on the wire).
	sndbuf []byte
	// open is set once the connection is made (an inbound link's at
	// once): the read handler is installed (CLUSTER LINKS' events).
	open bool
}

// createClusterLink is createClusterLink; an outbound link becomes the
// node's link at once.
func (s *Server) createClusterLink(n *clusterNode) *clusterLink {
	l := &clusterLink{s: s, ctime: s.mstime(), node: n, inbound: n == nil}
	if n != nil {
		n.link = l
	}
	return l
}

// freeClusterLink is freeClusterLink: the connection closes and the node
// forgets the link.
func (s *Server) freeClusterLink(l *clusterLink) {
	if l.freed {
		return
	}
	l.freed = true
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
	if n := l.node; n != nil {
		if n.link == l {
			n.link = nil
		} else if n.inboundLink == l {
			n.inboundLink = nil
		}
	}
}

// setInboundLink is setClusterNodeToInboundClusterLink.
func (s *Server) setInboundLink(n *clusterNode, l *clusterLink) {
	if n.inboundLink != nil {
		s.freeClusterLink(n.inboundLink)
	}
	n.inboundLink = l
	l.node = n
}

// clusterAccept is clusterAcceptHandler and clusterConnAcceptHandler.
// While a master loads its data at startup it does not accept bus
// connections (UPDATE messages could meet the dataset half loaded); the
// peer's connection is reset.
func (s *Server) clusterAccept(c sim.Conn) sim.ConnHandler {
	if s.stopped || (!s.isReplica() && s.loading) {
		c.Abort()
		return nil
	}
	l := s.createClusterLink(nil)
	l.conn, l.open = c, true
	s.cl.unbound = append(s.cl.unbound, l)
	return l
}

// OnOpen is clusterLinkConnectHandler: the first message on a new link is
// a PING, or a MEET to a node met by CLUSTER MEET.
func (l *clusterLink) OnOpen(c sim.Conn) {
	s := l.s
	if l.freed || s.stopped || l.inbound {
		return
	}
	l.open = true
	n := l.node
	old := n.pingSent
	typ := cluster.TypePing
	if n.flags&cluster.FlagMeet != 0 {
		typ = cluster.TypeMeet
	}
	s.clusterSendPing(l, typ)
	if old != 0 {
		n.pingSent = old
	}
	n.flags &^= cluster.FlagMeet
	s.afterEvent()
}

// OnData is clusterReadHandler: whole messages are processed as they
// complete; a bad signature or length frees the link.
func (l *clusterLink) OnData(c sim.Conn, p []byte) {
	s := l.s
	if l.freed || s.stopped {
		return
	}
	l.rcv = append(l.rcv, p...)
	if s.sleeping || s.long != nil {
		l.waiting = true
		return
	}
	l.readMessages()
	s.afterEvent()
}

// readMessages processes every whole message in the receive buffer.
func (l *clusterLink) readMessages() {
	s := l.s
	l.waiting = false
	for !l.freed && !s.stopped && !s.sleeping {
		need, err := cluster.FrameLen(l.rcv)
		if err != nil {
			var pe *cluster.PacketError
			if errors.As(err, &pe) && pe.Log != "" {
				s.env.Logf("%s", pe.Log)
			}
			s.freeClusterLink(l)
			return
		}
		if len(l.rcv) < need || need < cluster.HeaderLen {
			return
		}
		frame := l.rcv[:need]
		msg := &l.msg
		typ := cluster.FrameType(frame)
		err = cluster.ParseInto(msg, frame)
		// Parse keeps copies: the buffer's space is reused for the next
		// messages.
		n := copy(l.rcv, l.rcv[need:])
		l.rcv = l.rcv[:n]
		if err != nil {
			// clusterProcessPacket counts the message before its sanity
			// checks drop it.
			if int(typ) < len(s.cl.received) {
				s.cl.received[typ]++
			}
			var pe *cluster.PacketError
			if errors.As(err, &pe) {
				if pe.Log != "" {
					s.env.Logf("%s", pe.Log)
				}
				if pe.CloseLink {
					s.freeClusterLink(l)
					return
				}
			}
			continue
		}
		if !s.clusterProcessPacket(l, msg) {
			return
		}
	}
}

// OnClose is handleLinkIOError.
func (l *clusterLink) OnClose(c sim.Conn, err error) {
	if l.freed || l.s.stopped {
		return
	}
	l.conn = nil
	l.s.freeClusterLink(l)
}

// resumeClusterLinks reads the bus input that waited while the node was
// held.
func (s *Server) resumeClusterLinks() {
	if s.cl == nil {
		return
	}
	for _, n := range append([]*clusterNode(nil), s.cl.nodes...) {
		for _, l := range []*clusterLink{n.link, n.inboundLink} {
			if l != nil && l.waiting {
				l.readMessages()
			}
		}
	}
	for _, l := range s.cl.orphanLinks() {
		if l.waiting {
			l.readMessages()
		}
	}
}

// clusterEventsWhileBlocked is the bus's part of processEventsWhileBlocked
// in a busy script's hook: Redis runs every file event then, the bus
// links' included, so the held node answers PINGs and takes FAIL, UPDATE
// or vote requests. What the messages leave for clusterBeforeSleep waits,
// as beforeSleep skips the cluster while events are processed this way;
// the replies leave at once. (A load's pauses leave the bus waiting:
// loading.go.)
func (s *Server) clusterEventsWhileBlocked() {
	if s.cl == nil || s.stopped {
		return
	}
	s.resumeClusterLinks()
	if !s.stopped && s.cl != nil {
		s.clusterFlushLinks()
	}
}

// orphanLinks are the inbound links not yet tied to a node.
func (cl *clusterState) orphanLinks() []*clusterLink {
	out := cl.unbound[:0:0]
	for _, l := range cl.unbound {
		if !l.freed && l.node == nil {
			out = append(out, l)
		}
	}
	cl.unbound = out
	return out
}

// clusterConnect is the dial of clusterNodeCronHandleReconnect. Redis's
// connect has no timeout of its own (the kernel's SYN retries, about two
// minutes); the cron frees a link that stays silent.
func (s *Server) clusterConnect(n *clusterNode) {
	l := s.createClusterLink(n)
	addr := net.JoinHostPort(n.ip, strconv.Itoa(n.cport))
	l.conn = s.env.Dial(addr, 127*time.Second, l)
}

// sendMessage is clusterSendMessage.
func (s *Server) clusterSend(l *clusterLink, m *cluster.Msg) {
	if l == nil || l.freed || l.conn == nil {
		return
	}
	if int(m.Type) < len(s.cl.sent) {
		s.cl.sent[m.Type]++
	}
	if len(l.sndbuf) == 0 {
		s.cl.pendingLinks = append(s.cl.pendingLinks, l)
	}
	l.sndbuf = m.AppendTo(l.sndbuf)
}

// clusterFlushLinks is the bus links' write handlers, which run after
// beforeSleep: what each link has buffered goes out.
func (s *Server) clusterFlushLinks() {
	cl := s.cl
	for _, l := range cl.pendingLinks {
		if !l.freed && l.conn != nil && len(l.sndbuf) > 0 {
			l.conn.Write(l.sndbuf)
		}
		l.sndbuf = l.sndbuf[:0]
	}
	clear(cl.pendingLinks)
	cl.pendingLinks = cl.pendingLinks[:0]
}

// clusterFlushLink writes what l has buffered now, ahead of beforeSleep:
// a write handler installed without AE_BARRIER (only a planted bug does
// that).
func (s *Server) clusterFlushLink(l *clusterLink) {
	if !l.freed && l.conn != nil && len(l.sndbuf) > 0 {
		l.conn.Write(l.sndbuf)
	}
	l.sndbuf = l.sndbuf[:0]
}

// broadcastMessage is clusterBroadcastMessage: every node with a link but
// myself and those in handshake.
func (s *Server) clusterBroadcast(m *cluster.Msg) {
	for _, n := range s.cl.nodes {
		if n.flags&(cluster.FlagMyself|cluster.FlagHandshake) != 0 {
			continue
		}
		s.clusterSend(n.link, m)
	}
}

// buildHeader is clusterBuildMessageHdr: a replica sends its master's
// slots and configEpoch, flagged as a replica.
func (s *Server) buildHeader(typ cluster.MsgType) *cluster.Msg {
	cl := s.cl
	me := cl.myself
	master := me
	if me.isReplica() && me.master != nil {
		master = me.master
	}
	// One message is reused for every header built: a clusterMsg is
	// 4.5 KB, mostly its slot bitmaps. It is sent before the next is
	// built (clusterSend copies it out).
	m := &cl.msg
	*m = cluster.Msg{Type: typ, Sender: cluster.NameOf(me.name), MySlots: master.slots, Gossip: m.Gossip[:0], Exts: m.Exts[:0]}
	if ip := s.cfg.Cluster.AnnounceIP; ip != "" {
		m.MyIP = cluster.IPOf(ip)
	}
	port, pport, cport := s.announcedPorts()
	if me.master != nil {
		m.SlaveOf = cluster.NameOf(me.master.name)
	}
	m.Port, m.PPort, m.CPort = uint16(port), uint16(pport), uint16(cport)
	m.Flags = me.flags
	m.State = uint8(cl.state)
	m.CurrentEpoch = cl.currentEpoch
	m.ConfigEpoch = master.configEpoch
	if me.isReplica() {
		m.Offset = uint64(s.replicaOffset())
	} else {
		m.Offset = uint64(s.offset)
	}
	if me.isMaster() && cl.mfEnd != 0 {
		m.MFlags[0] |= cluster.MFlag0Paused
	}
	return m
}

// announcedPorts is deriveAnnouncedPorts.
func (s *Server) announcedPorts() (port, pport, cport int) {
	port, cport = s.cfg.Port, s.cl.cport
	if p := s.cfg.Cluster.AnnouncePort; p != 0 {
		port = p
	}
	if p := s.cfg.Cluster.AnnounceBusPort; p != 0 {
		cport = p
	}
	return port, 0, cport
}

// replicaOffset is replicationGetSlaveOffset: the offset processed from
// the master, or the cached master's, else 0.
func (s *Server) replicaOffset() int64 {
	switch {
	case !s.isReplica():
		return 0
	case s.master != nil:
		return s.offset
	case s.cachedReplid != "":
		return max(s.cachedOffset, 0)
	}
	return 0
}

// gossipEntry is clusterSetGossipEntry.
func gossipEntry(n *clusterNode) cluster.Gossip {
	return cluster.Gossip{
		Name: cluster.NameOf(n.name), PingSentSec: uint32(n.pingSent / 1000), PongReceivedSec: uint32(n.pongReceived / 1000),
		IP: cluster.IPOf(n.ip), Port: uint16(n.port), CPort: uint16(n.cport), Flags: n.flags, PPort: uint16(n.pport),
	}
}

// clusterSendPing is clusterSendPing: a PING, PONG or MEET with gossip
// about a tenth of the nodes (at least 3) drawn at random, then every node
// in PFAIL.
func (s *Server) clusterSendPing(l *clusterLink, typ cluster.MsgType) {
	cl := s.cl
	cl.pingsSent++
	fresh := len(cl.nodes) - 2
	wanted := len(cl.nodes) / 10
	if wanted < 3 {
		wanted = 3
	}
	if wanted > fresh {
		wanted = fresh
	}
	pfailWanted := cl.pfailNodes
	if !l.inbound && typ == cluster.TypePing {
		l.node.pingSent = s.mstime()
	}
	m := s.buildHeader(typ)
	maxIter := wanted * 3
	for fresh > 0 && len(m.Gossip) < wanted && maxIter > 0 {
		maxIter--
		n := cl.nodes[s.rng.IntN(len(cl.nodes))]
		if n == cl.myself || n.flags&cluster.FlagPFail != 0 {
			continue
		}
		if n.flags&(cluster.FlagHandshake|cluster.FlagNoAddr) != 0 || (n.link == nil && n.numSlots == 0) {
			fresh--
			continue
		}
		if n.lastInPingGossip == cl.pingsSent {
			continue
		}
		m.Gossip = append(m.Gossip, gossipEntry(n))
		n.lastInPingGossip = cl.pingsSent
		fresh--
	}
	if pfailWanted > 0 {
		for _, n := range cl.nodes {
			if pfailWanted == 0 {
				break
			}
			if n.flags&(cluster.FlagHandshake|cluster.FlagNoAddr) != 0 || n.flags&cluster.FlagPFail == 0 {
				continue
			}
			m.Gossip = append(m.Gossip, gossipEntry(n))
			pfailWanted--
		}
	}
	if h := cl.myself.hostname; h != "" {
		m.Exts = append(m.Exts, cluster.HostnameExt(h))
	}
	s.clusterSend(l, m)
}

// clusterBroadcastPong is clusterBroadcastPong: to all nodes, or with
// localReplicas only to the replicas of myself's shard.
func (s *Server) clusterBroadcastPong(localReplicas bool) {
	cl := s.cl
	me := cl.myself
	for _, n := range cl.nodes {
		if n.link == nil || n == me || n.inHandshake() {
			continue
		}
		if localReplicas {
			local := n.isReplica() && n.master != nil && (n.master == me || n.master == me.master)
			if !local {
				continue
			}
		}
		s.clusterSendPing(n.link, cluster.TypePong)
	}
}

// clusterSendFail is clusterSendFail.
func (s *Server) clusterSendFail(name string) {
	m := s.buildHeader(cluster.TypeFail)
	m.About = cluster.NameOf(name)
	s.clusterBroadcast(m)
}

// clusterSendUpdate is clusterSendUpdate: n's slots and configEpoch, less
// the slots n stopped claiming.
func (s *Server) clusterSendUpdate(l *clusterLink, n *clusterNode) {
	if l == nil {
		return
	}
	m := s.buildHeader(cluster.TypeUpdate)
	u := &cluster.Update{ConfigEpoch: n.configEpoch, Name: cluster.NameOf(n.name), Slots: n.slots}
	for i := range u.Slots {
		u.Slots[i] &^= s.cl.ownerNotClaiming[i]
	}
	m.Update = u
	s.clusterSend(l, m)
}

// clusterSendPublish is clusterSendPublish to every node
// (clusterPropagatePublish).
func (s *Server) clusterPropagatePublish(channel, message []byte, sharded bool) {
	typ := cluster.TypePublish
	if sharded {
		typ = cluster.TypePublishShard
	}
	m := s.buildHeader(typ)
	m.Channel, m.Message = channel, message
	if sharded {
		// PUBLISHSHARD goes to the nodes of myself's shard only
		// (clusterSendPublishShard via the shard's nodes).
		me := s.cl.myself
		master := me
		if me.isReplica() && me.master != nil {
			master = me.master
		}
		for _, n := range append([]*clusterNode{master}, master.replicas...) {
			if n != me {
				s.clusterSend(n.link, m)
			}
		}
		return
	}
	s.clusterBroadcast(m)
}

// nodeIP is nodeIp2String: the announced address, else the peer's.
func nodeIP(l *clusterLink, m *cluster.Msg) (string, bool) {
	if m.MyIP[0] != 0 {
		return m.MyIP.String(), true
	}
	if l.conn == nil {
		return "", false
	}
	host, _, err := net.SplitHostPort(l.conn.RemoteAddr())
	if err != nil {
		return "", false
	}
	return host, true
}

// localIP is the address the link's connection has on this side, as
// connSockName gives it.
func localIP(l *clusterLink) (string, bool) {
	if l.conn == nil {
		return "", false
	}
	host, _, err := net.SplitHostPort(l.conn.LocalAddr())
	return host, err == nil
}
