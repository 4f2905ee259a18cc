package sentinel

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/redis/glob"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// server is the part of redis-server a sentinel keeps: its clients, their
// commands, and pub/sub on its event channels.
type server struct {
	pause
	clients  []*client // by id, ascending
	nextID   int64
	channels map[string][]*client
	patterns []patternSub
	stats    serverStats
	// current is the client whose command is running (server.current_client).
	current *client
}

// CLIENT PAUSE types.
const (
	pauseNone = iota
	pauseWrite
	pauseAll
)

// pause is CLIENT PAUSE's state: the pause the CLIENT command asked for
// (Redis's PAUSE_BY_CLIENT_COMMAND purpose, the only one a sentinel has),
// with its end on the wall clock as Redis compares it with mstime(); the
// pause in force; and the clients whose commands wait, in order.
type pause struct {
	asked     bool
	askedType int
	askedEnd  int64
	pauseType int
	postponed []*client
}

// postpone blocks c with its command until the pause ends
// (BLOCKED_POSTPONE).
func (s *Sentinel) postpone(c *client, args [][]byte) {
	c.postponed = make([][]byte, len(args))
	for i, a := range args {
		c.postponed[i] = append([]byte(nil), a...)
	}
	s.postponed = append(s.postponed, c)
}

// pauseClients is pauseClients for the CLIENT command's purpose: the more
// restrictive type and the later end win.
func (s *Sentinel) pauseClients(end int64, typ int) {
	if !s.asked {
		s.asked, s.askedType, s.askedEnd = true, typ, end
	} else {
		s.askedType = max(s.askedType, typ)
		s.askedEnd = max(s.askedEnd, end)
	}
	s.updatePause()
}

// updatePause is updateClientPauseTypeAndEndTime: an expired pause is
// dropped, and when the pause gets less restrictive the postponed
// commands run again, in order (they may be postponed again).
func (s *Sentinel) updatePause() {
	old := s.pauseType
	if s.asked && s.askedEnd < s.mstime() {
		s.asked = false
	}
	s.pauseType = pauseNone
	if s.asked {
		s.pauseType = s.askedType
	}
	if s.pauseType < old {
		waiting := s.postponed
		s.postponed = nil
		for _, c := range waiting {
			args := c.postponed
			c.postponed = nil
			if c.closed {
				continue
			}
			s.call(c, args)
			s.processInput(c)
		}
	}
}

// checkPause is checkClientPauseTimeoutAndReturnIfPaused, which serverCron
// runs: a pause whose end has passed ends.
func (s *Sentinel) checkPause() {
	if s.pauseType != pauseNone && s.askedEnd < s.mstime() {
		s.updatePause()
	}
}

type serverStats struct {
	connections int64
	// rejected counts the connections refused at maxclients.
	rejected int64
	commands int64
	netIn    int64
	netOut   int64
	errors   int64
	// reads and writes count the reads and writes of client sockets
	// (stat_total_reads_processed, stat_total_writes_processed): a
	// delivery of data is one read here.
	reads, writes int64
}

type patternSub struct {
	c       *client
	pattern string
}

// client is one inbound connection.
type client struct {
	s               *Sentinel
	id              int64
	conn            sim.Conn
	r               *resp.Reader
	w               *resp.Writer
	name            string
	authed          bool
	user            *acl.User
	tracking        trackingState
	noEvict         bool
	channels        []string
	patterns        []string
	closeAfterReply bool
	closed          bool
	// ctime and lastInteraction are c->ctime and c->lastinteraction: the
	// cached server.unixtime (whole seconds) when the client was made and
	// when it last read or was written to. readAny: the query buffer has
	// been allocated by a first read.
	ctime, lastInteraction int64
	// trimmed is set when clientsCron has freed the query buffer's
	// space (the client idle for more than 2 s at its visit); only a
	// read allocates it again.
	trimmed bool
	readAny bool
	// curQbuf and curArgv are the query buffer's length and the
	// arguments' bytes while the client's command runs (CLIENT LIST's
	// qbuf and argv-mem for the client running it).
	curQbuf, curArgv int
	lastCmd          string
	// CLIENT REPLY: off, skip this command's reply, skip the next's.
	replyOff, replySkip, replySkipNext bool
	// postponed is the command held by CLIENT PAUSE (BLOCKED_POSTPONE).
	postponed [][]byte
}

func (sv *server) init(s *Sentinel) {
	sv.channels = map[string][]*client{}
}

func (s *Sentinel) accept(c sim.Conn) sim.ConnHandler {
	// acceptCommonHandler: a connection beyond maxclients is told so and
	// closed; it never becomes a client, so it takes no id and is not in
	// total_connections_received. The sentinel's own links to instances
	// are not clients and do not count.
	if uint64(len(s.clients)) >= uint64(s.maxClients) {
		s.stats.rejected++
		c.Write([]byte("-ERR max number of clients reached\r\n"))
		c.Close()
		return refusedConn{}
	}
	if s.nextID == 0 {
		// The Lua and functions clients that initServer creates take ids
		// 1 and 2: the first connection is client 3.
		s.nextID = 2
	}
	s.nextID++
	s.stats.connections++
	cl := &client{s: s, id: s.nextID, conn: c, r: resp.NewReader(), w: resp.NewWriter(2),
		ctime: s.unixtime, lastInteraction: s.unixtime, authed: s.acl.AuthenticatedOnConnect(), user: s.acl.Default(), lastCmd: "NULL"}
	cl.r.SetAuthRequired(!cl.authed)
	s.clients = append(s.clients, cl)
	return cl
}

func (c *client) OnOpen(sim.Conn) {}

// refusedConn handles a connection refused at accept: closed at once, it
// has nothing to do.
type refusedConn struct{}

func (refusedConn) OnOpen(sim.Conn)         {}
func (refusedConn) OnData(sim.Conn, []byte) {}
func (refusedConn) OnClose(sim.Conn, error) {}

func (c *client) OnData(_ sim.Conn, p []byte) {
	s := c.s
	if s.stopped || c.closed {
		return
	}
	s.stats.netIn += int64(len(p))
	s.stats.reads++
	c.lastInteraction, c.readAny, c.trimmed = s.unixtime, true, false // as cached before the commands run
	c.r.Feed(p)
	if s.holding() {
		return // read when the hold ends (resume)
	}
	s.processInput(c)
	s.afterEvent()
}

func (c *client) OnClose(sim.Conn, error) {
	if !c.closed {
		c.s.stats.reads++ // the read that finds the connection closed
	}
	c.s.freeClient(c)
}

func (s *Sentinel) freeClient(c *client) {
	if c.closed {
		return
	}
	c.closed = true
	s.unsubscribeAll(c, false)
	s.punsubscribeAll(c, false)
	for i, x := range s.clients {
		if x == c {
			s.clients = append(s.clients[:i], s.clients[i+1:]...)
			break
		}
	}
}

// processInput runs c's complete commands until the input is used up, a
// command holds the process (a configuration flush), or c is closing.
func (s *Sentinel) processInput(c *client) {
	for !c.closed && !c.closeAfterReply && !s.stopped && !s.holding() && c.postponed == nil {
		args, ok, err := c.r.Next()
		if err != nil {
			if pe, isPE := err.(*resp.ProtocolError); isPE {
				c.w.WriteRaw(pe.AppendReply(nil))
			}
			c.closeAfterReply = true
			return
		}
		if !ok {
			return
		}
		if len(args) == 0 {
			continue
		}
		s.call(c, args)
	}
}

// processAllInput runs every client's waiting input, in client id order.
func (s *Sentinel) processAllInput() {
	for _, c := range append([]*client(nil), s.clients...) {
		if s.holding() {
			return
		}
		if c.r.Buffered() > 0 {
			s.processInput(c)
		}
	}
}

// writeReplies is writeToClient for every client with output.
func (s *Sentinel) writeReplies() {
	for i := 0; i < len(s.clients); i++ {
		c := s.clients[i]
		if c.w.Len() > 0 {
			s.stats.netOut += int64(c.w.Len())
			s.stats.writes++
			c.conn.Write(c.w.Bytes())
			c.w.Reset()
			c.lastInteraction = s.unixtime
		}
		if c.closeAfterReply && !c.closed {
			c.conn.Close()
			s.freeClient(c) // removes s.clients[i]
			i--
		}
	}
}

// publish is pubsubPublishMessage to this process's subscribers.
func (s *Sentinel) publish(channel, msg string) int {
	n := 0
	for _, c := range s.channels[channel] {
		c.w.WritePushLen(3)
		c.w.WriteBulkString("message")
		c.w.WriteBulkString(channel)
		c.w.WriteBulkString(msg)
		n++
	}
	for _, p := range s.patterns {
		if !glob.Match([]byte(p.pattern), []byte(channel), false) {
			continue
		}
		p.c.w.WritePushLen(4)
		p.c.w.WriteBulkString("pmessage")
		p.c.w.WriteBulkString(p.pattern)
		p.c.w.WriteBulkString(channel)
		p.c.w.WriteBulkString(msg)
		n++
	}
	return n
}

func (c *client) subCount() int { return len(c.channels) + len(c.patterns) }

func (s *Sentinel) subscribe(c *client, ch string) {
	if !containsString(c.channels, ch) {
		c.channels = append(c.channels, ch)
		s.channels[ch] = append(s.channels[ch], c)
	}
	c.w.WritePushLen(3)
	c.w.WriteBulkString("subscribe")
	c.w.WriteBulkString(ch)
	c.w.WriteInt(int64(c.subCount()))
}

func (s *Sentinel) unsubscribe(c *client, ch string, notify bool) {
	if i := indexString(c.channels, ch); i >= 0 {
		c.channels = append(c.channels[:i], c.channels[i+1:]...)
		list := s.channels[ch]
		for j, x := range list {
			if x == c {
				list = append(list[:j], list[j+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.channels, ch)
		} else {
			s.channels[ch] = list
		}
	}
	if notify {
		c.w.WritePushLen(3)
		c.w.WriteBulkString("unsubscribe")
		c.w.WriteBulkString(ch)
		c.w.WriteInt(int64(c.subCount()))
	}
}

func (s *Sentinel) unsubscribeAll(c *client, notify bool) {
	if len(c.channels) == 0 && notify {
		c.w.WritePushLen(3)
		c.w.WriteBulkString("unsubscribe")
		c.w.WriteNull()
		c.w.WriteInt(int64(c.subCount()))
		return
	}
	for _, ch := range append([]string(nil), c.channels...) {
		s.unsubscribe(c, ch, notify)
	}
}

func (s *Sentinel) psubscribe(c *client, p string) {
	if !containsString(c.patterns, p) {
		c.patterns = append(c.patterns, p)
		s.patterns = append(s.patterns, patternSub{c: c, pattern: p})
	}
	c.w.WritePushLen(3)
	c.w.WriteBulkString("psubscribe")
	c.w.WriteBulkString(p)
	c.w.WriteInt(int64(c.subCount()))
}

func (s *Sentinel) punsubscribe(c *client, p string, notify bool) {
	if i := indexString(c.patterns, p); i >= 0 {
		c.patterns = append(c.patterns[:i], c.patterns[i+1:]...)
		for j, x := range s.patterns {
			if x.c == c && x.pattern == p {
				s.patterns = append(s.patterns[:j], s.patterns[j+1:]...)
				break
			}
		}
	}
	if notify {
		c.w.WritePushLen(3)
		c.w.WriteBulkString("punsubscribe")
		c.w.WriteBulkString(p)
		c.w.WriteInt(int64(c.subCount()))
	}
}

func (s *Sentinel) punsubscribeAll(c *client, notify bool) {
	if len(c.patterns) == 0 && notify {
		c.w.WritePushLen(3)
		c.w.WriteBulkString("punsubscribe")
		c.w.WriteNull()
		c.w.WriteInt(int64(c.subCount()))
		return
	}
	for _, p := range append([]string(nil), c.patterns...) {
		s.punsubscribe(c, p, notify)
	}
}

func containsString(list []string, s string) bool { return indexString(list, s) >= 0 }

func indexString(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// queryBufAlloc is the free space of a client's query buffer once a read
// has allocated it: PROTO_IOBUF_LEN (16 KB) in jemalloc's 20 KB size
// class, less the sds header, as redis-sentinel 7.0.15 reports it.
const queryBufAlloc = 20474

// addr is the client's address as CLIENT LIST shows it.
func (c *client) addr() string { return c.conn.RemoteAddr() }

// info is one CLIENT LIST line, with the fields Redis 7.0 prints.
func (c *client) info() string {
	// getClientInfoString's flags, in its order, N for none.
	var fb []byte
	for _, f := range []struct {
		on bool
		c  byte
	}{{c.subCount() > 0, 'P'}, {c.postponed != nil, 'b'}, {c.tracking.on, 't'}, {c.tracking.bcast, 'B'}, {c.noEvict, 'e'}} {
		if f.on {
			fb = append(fb, f.c)
		}
	}
	flags := string(fb)
	if flags == "" {
		flags = "N"
	}
	age := c.s.unixtime - c.ctime
	// The query buffer: PROTO_IOBUF_LEN as jemalloc sizes it once a read
	// allocated it, until clientsCron trims the free space of a client idle
	// for more than 2 s (of server.unixtime) at its visit.
	idle := c.s.unixtime - c.lastInteraction
	qbuf, argvMem := c.r.Buffered(), 0
	if c == c.s.current {
		qbuf, argvMem = c.curQbuf, c.curArgv
	}
	qfree := 0
	if c.readAny && (qbuf > 0 || !c.trimmed) {
		qfree = max(queryBufAlloc-qbuf, 0)
	}
	var b strings.Builder
	b.WriteString("id=" + strconv.FormatInt(c.id, 10) + " addr=" + c.addr() + " laddr=" + c.conn.LocalAddr() +
		" fd=" + strconv.FormatInt(c.id+7, 10) + " name=" + c.name + " age=" + strconv.FormatInt(age, 10) +
		" idle=" + strconv.FormatInt(idle, 10) + " flags=" + flags + " db=0 sub=" + strconv.Itoa(len(c.channels)) + " psub=" + strconv.Itoa(len(c.patterns)) +
		" ssub=0 multi=-1 qbuf=" + strconv.Itoa(qbuf) + " qbuf-free=" + strconv.Itoa(qfree) + " argv-mem=" + strconv.Itoa(argvMem) + " multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" +
		c.lastCmd + " user=" + c.user.Name() + " redir=" + strconv.FormatInt(c.tracking.redirectReply(), 10) + " resp=" + strconv.Itoa(c.w.Proto()))
	return b.String()
}

// numPatterns is dictSize(server.pubsub_patterns): the distinct patterns
// subscribed to, whatever the number of clients on each.
func (s *Sentinel) numPatterns() int {
	n := 0
	for i, p := range s.patterns {
		first := true
		for _, q := range s.patterns[:i] {
			if q.pattern == p.pattern {
				first = false
				break
			}
		}
		if first {
			n++
		}
	}
	return n
}
