package sentinel

import (
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
)

// link is instanceLink: the command and pub/sub connections to an
// instance and the times failure detection reads. Links to masters and
// replicas belong to one instance; a link to a sentinel is shared by the
// instances that stand for that sentinel under every master (refcount).
type link struct {
	refcount     int
	disconnected bool
	pending      int
	cc, pc       *conn

	ccConnTime, pcConnTime int64
	pcLastActivity         int64
	lastAvail              int64
	actPing                int64
	lastPing               int64
	lastPong               int64
	lastReconn             int64
}

// conn is one hiredis asynchronous context: a redisconn.Conn that is
// never dialled again once lost (Redis makes a new context instead).
type conn struct {
	c    *redisconn.Conn
	dead bool
	err  error
}

func (s *Sentinel) newLink() *link {
	now := s.mstime()
	return &link{refcount: 1, disconnected: true, actPing: now, lastAvail: now, lastPong: now}
}

// closeCC and closePC are instanceLinkCloseConnection.
func (s *Sentinel) closeCC(l *link) {
	if l.cc == nil {
		return
	}
	c := l.cc
	l.cc = nil
	l.pending = 0
	l.disconnected = true
	c.dead = true
	c.c.Close()
}

func (s *Sentinel) closePC(l *link) {
	if l.pc == nil {
		return
	}
	c := l.pc
	l.pc = nil
	l.disconnected = true
	c.dead = true
	c.c.Close()
}

// releaseLink is releaseInstanceLink: replies still due to ri on a shared
// link are discarded when they come (their callbacks see ri released).
func (s *Sentinel) releaseLink(l *link, ri *instance) {
	l.refcount--
	if l.refcount != 0 {
		return
	}
	s.closeCC(l)
	s.closePC(l)
}

// tryConnectionSharing is sentinelTryConnectionSharing.
func (s *Sentinel) tryConnectionSharing(ri *instance) bool {
	if ri.runid == "" || ri.link.refcount > 1 {
		return false
	}
	for _, m := range s.masters {
		if m == ri.master {
			continue
		}
		match := getByAddrAndRunID(m.sentinels, "", 0, ri.runid)
		if match == nil || match == ri {
			continue
		}
		s.releaseLink(ri.link, nil)
		ri.link = match.link
		match.link.refcount++
		return true
	}
	return false
}

// updateSentinelAddressInAllMasters is
// sentinelUpdateSentinelAddressInAllMasters.
func (s *Sentinel) updateSentinelAddressInAllMasters(ri *instance) int {
	reconfigured := 0
	for _, m := range s.masters {
		match := getByAddrAndRunID(m.sentinels, "", 0, ri.runid)
		if match == nil {
			continue
		}
		s.closeCC(match.link)
		s.closePC(match.link)
		if match == ri {
			continue
		}
		match.addr = ri.addr
		reconfigured++
	}
	if reconfigured > 0 {
		s.event(llNotice, "+sentinel-address-update", ri, "%@ %d additional matching instances", reconfigured)
	}
	return reconfigured
}

// dial is redisAsyncConnectBind with the link's disconnect callbacks.
func (s *Sentinel) dial(ri *instance, l *link, pubsub bool) *conn {
	c := &conn{}
	c.c = redisconn.New(s.env, ri.addr.String(), redisconn.Options{
		DialTimeout:       s.o.DialTimeout,
		WriteWhileDialing: true,
		OnDown: func(err error) {
			c.dead, c.err = true, err
			s.later(func() { s.connectionError(l, c) })
		},
	})
	c.c.Connect()
	return c
}

// connectionError is instanceLinkConnectionError.
func (s *Sentinel) connectionError(l *link, c *conn) {
	switch c {
	case l.pc:
		l.pc = nil
	case l.cc:
		l.cc = nil
	default:
		return
	}
	l.disconnected = true
}

// authArgs are what sentinelSendAuthIfNeeded sends, or nil.
func (s *Sentinel) authArgs(ri *instance) []string {
	var pass, user string
	switch {
	case ri.flags&sriMaster != 0:
		pass, user = ri.authPass, ri.authUser
	case ri.flags&sriSlave != 0:
		pass, user = ri.master.authPass, ri.master.authUser
	default:
		if s.sentinelPass != "" {
			pass, user = s.sentinelPass, s.sentinelUser
		} else {
			pass = s.requirePass
		}
	}
	switch {
	case pass != "" && user == "":
		return []string{ri.mapCommand("AUTH"), pass}
	case pass != "":
		return []string{ri.mapCommand("AUTH"), user, pass}
	}
	return nil
}

// reconnectInstance is sentinelReconnectInstance.
func (s *Sentinel) reconnectInstance(ri *instance) {
	l := ri.link
	if !l.disconnected || ri.addr.port == 0 {
		return
	}
	now := s.mstime()
	if now-l.lastReconn < s.pingPeriod {
		return
	}
	l.lastReconn = now
	if l.cc == nil {
		l.cc = s.dial(ri, l, false)
		if l.cc.dead { // the connect failed at once: link->cc->err
			s.event(llDebug, "-cmd-link-reconnection", ri, "%@ #%v", l.cc.err)
			s.closeCC(l)
		} else {
			l.pending = 0
			l.ccConnTime = s.mstime()
			if a := s.authArgs(ri); a != nil {
				s.command(ri, l.cc, cbDiscard, a...)
			}
			s.command(ri, l.cc, cbDiscard, ri.mapCommand("CLIENT"), "SETNAME", "sentinel-"+s.myid[:8]+"-cmd")
			s.sendPing(ri)
		}
	}
	if ri.flags&(sriMaster|sriSlave) != 0 && l.pc == nil {
		l.pc = s.dial(ri, l, true)
		if l.pc.dead {
			s.event(llDebug, "-pubsub-link-reconnection", ri, "%@ #%v", l.pc.err)
			s.closePC(l)
		} else {
			l.pcConnTime = s.mstime()
			if a := s.authArgs(ri); a != nil {
				s.command(ri, l.pc, cbDiscard, a...)
			}
			s.command(ri, l.pc, cbDiscard, ri.mapCommand("CLIENT"), "SETNAME", "sentinel-"+s.myid[:8]+"-pubsub")
			s.command(ri, l.pc, cbHello, ri.mapCommand("SUBSCRIBE"), helloChannel)
		}
	}
	if l.cc != nil && (ri.flags&sriSentinel != 0 || l.pc != nil) {
		l.disconnected = false
	}
}

// Reply callbacks, sentinel.c's *ReplyCallback.
const (
	cbDiscard = iota
	cbPing
	cbInfo
	cbPublish
	cbHello
	cbIsMasterDown
)

// reply is one command's callback and its privdata.
type reply struct {
	s    *Sentinel
	ri   *instance
	l    *link
	c    *conn
	kind int
}

// command is redisAsyncCommand on c with a callback for ri; like hiredis
// on a context being freed it refuses a dead one. Every command but the
// SUBSCRIBE counts in link-pending-commands, on either connection, as
// Redis counts them.
func (s *Sentinel) command(ri *instance, c *conn, kind int, args ...string) bool {
	if c == nil || c.dead {
		return false
	}
	r := &reply{s: s, ri: ri, l: ri.link, c: c, kind: kind}
	o := outgoing{r: r, first: len(s.argEnd)}
	for _, a := range args {
		s.argBuf = append(s.argBuf, a...)
		s.argEnd = append(s.argEnd, len(s.argBuf))
	}
	o.last = len(s.argEnd)
	s.outbox = append(s.outbox, o)
	if kind != cbHello {
		ri.link.pending++
	}
	return true
}

// outgoing is a command issued on a link and not yet written: hiredis
// writes its output buffer when the event loop comes back to the socket,
// so commands leave when the current event ends (sendOutbox), and after
// the fsyncs of a configuration flush made in it.
type outgoing struct {
	r *reply
	// The command's arguments end at s.argEnd[first:last] in s.argBuf.
	first, last int
}

// sendOutbox writes the commands issued during the event that ends, in
// order; those of a connection closed meanwhile are dropped, as hiredis
// frees them with their context.
func (s *Sentinel) sendOutbox() {
	if s.sending {
		return // a write that failed at once ended in afterEvent
	}
	s.sending = true
	for i := 0; i < len(s.outbox); i++ {
		o := s.outbox[i]
		s.outbox[i] = outgoing{}
		if o.r.c.dead {
			continue
		}
		argv := s.argv[:0]
		start := 0
		if o.first > 0 {
			start = s.argEnd[o.first-1]
		}
		for _, end := range s.argEnd[o.first:o.last] {
			argv = append(argv, s.argBuf[start:end])
			start = end
		}
		s.argv = argv
		o.r.c.c.Do(o.r, 0, argv...) // encodes the arguments before it returns
	}
	s.outbox = s.outbox[:0]
	s.argBuf, s.argEnd = s.argBuf[:0], s.argEnd[:0]
	s.sending = false
}

// Reply implements redisconn.Waiter. A command without a reply (its
// connection closed) gets no callback, as hiredis calls Sentinel's with a
// NULL reply, which they ignore.
func (r *reply) Reply(_ int, v resp.Value, err error) {
	if err != nil {
		return
	}
	if r.kind == cbHello && !r.c.dead {
		// hiredis keeps a subscription's callback for every message.
		r.c.c.Await(r, 0)
	}
	s := r.s
	if s.stopped {
		return
	}
	if !s.holding() {
		r.run(v)
		s.afterEvent()
		return
	}
	s.deferred = append(s.deferred, func() { r.run(v) })
}

func (r *reply) run(v resp.Value) {
	s, l := r.s, r.l
	if r.c != l.cc && r.c != l.pc {
		return // the connection was closed: c->data is NULL
	}
	if r.kind == cbHello {
		s.receiveHello(r, v)
		return
	}
	l.pending--
	ri := r.ri
	if ri.link == nil || ri.link != l {
		return // ri was released: sentinelDiscardReplyCallback
	}
	switch r.kind {
	case cbPing:
		s.pingReply(ri, v)
	case cbInfo:
		if v.Kind == resp.KindBulk && !v.IsNull {
			s.refreshInfo(ri, string(v.Str))
		}
	case cbPublish:
		if !v.IsError() {
			ri.lastPubTime = s.mstime()
		}
	case cbIsMasterDown:
		s.isMasterDownReply(ri, v)
	}
}

// sendPing is sentinelSendPing.
func (s *Sentinel) sendPing(ri *instance) bool {
	if !s.command(ri, ri.link.cc, cbPing, ri.mapCommand("PING")) {
		return false
	}
	l := ri.link
	l.lastPing = s.mstime()
	if l.actPing == 0 {
		l.actPing = l.lastPing
	}
	return true
}

// pingReply is sentinelPingReplyCallback after its checks.
func (s *Sentinel) pingReply(ri *instance, v resp.Value) {
	l := ri.link
	if v.Kind == resp.KindSimpleString || v.Kind == resp.KindError {
		str := string(v.Str)
		if hasPrefix(str, "PONG") || hasPrefix(str, "LOADING") || hasPrefix(str, "MASTERDOWN") {
			l.lastAvail = s.mstime()
			l.actPing = 0
			if ri.flags&sriMasterReboot != 0 && hasPrefix(str, "PONG") {
				ri.flags &^= sriMasterReboot
			}
		} else if hasPrefix(str, "BUSY") && ri.flags&sriSDown != 0 && ri.flags&sriScriptKillSent == 0 {
			s.command(ri, l.cc, cbDiscard, ri.mapCommand("SCRIPT"), "KILL")
			ri.flags |= sriScriptKillSent
		}
	}
	l.lastPong = s.mstime()
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// sendPeriodicCommands is sentinelSendPeriodicCommands.
func (s *Sentinel) sendPeriodicCommands(ri *instance) {
	now := s.mstime()
	l := ri.link
	if l.disconnected {
		return
	}
	if l.pending >= maxPendingCommands*l.refcount {
		return
	}
	infoPeriod := s.infoPeriod
	if ri.flags&sriSlave != 0 && (ri.master.flags&(sriODown|sriFailoverInProg) != 0 || ri.masterLinkDownTime != 0) {
		infoPeriod = 1000
	}
	pingPeriod := ri.downAfter
	if pingPeriod > s.pingPeriod {
		pingPeriod = s.pingPeriod
	}
	if ri.flags&sriSentinel == 0 && (ri.infoRefresh == 0 || now-ri.infoRefresh > infoPeriod) {
		s.command(ri, l.cc, cbInfo, ri.mapCommand("INFO"))
	}
	if now-l.lastPong > pingPeriod && now-l.lastPing > pingPeriod/2 {
		s.sendPing(ri)
	}
	if now-ri.lastPubTime > s.publishPeriod {
		s.sendHello(ri)
	}
}
