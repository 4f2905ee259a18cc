package redis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// client is one connection's state (Redis's client struct). Fake clients
// (scripts, AOF loading) have no conn.
type client struct {
	s     *Server
	id    int64
	conn  sim.Conn
	r     *resp.Reader
	w     *resp.Writer
	db    *db
	name  string
	addr  string
	laddr string

	authed bool
	// user is the ACL user the client runs as (c->user): the default user
	// until AUTH; nil for the master's link and the AOF loader, which
	// every command may run for.
	user        *acl.User
	closing     bool // CLIENT_CLOSE_AFTER_REPLY
	closed      bool
	queuedFlush bool

	multi     bool
	dirtyExec bool // a command was rejected while queueing
	dirtyCAS  bool // a watched key was touched
	queue     [][][]byte
	// multiRaw is, on the master's link, the stream read from MULTI on:
	// it joins the offset, the backlog and the sub-replicas' streams with
	// the EXEC (applyMasterStream).
	multiRaw []byte
	watching []dbKey

	blocked *blockState

	subs  []string // subscribed channels, in subscription order
	psubs []string
	ssubs []string // shard channels, in subscription order

	tracking trackingState
	replyMode
	paused  *pausedCmd // the command a CLIENT PAUSE postponed
	resp    int
	lastCmd string
	// asking and readonlyCluster are CLIENT_ASKING and CLIENT_READONLY
	// (cluster mode's ASKING and READONLY).
	asking, readonlyCluster bool
	// slot is c->slot in cluster mode: the hash slot of the command being
	// run, -1 when it has no key; the keys a script touches must stay in
	// it (scriptVerifyClusterState).
	slot int
	// rejecting is the name of the command being checked, for reject.
	rejecting string
	// ctime and lastInteraction are c->ctime and c->lastinteraction:
	// the cached server.unixtime (whole seconds) when the client was made
	// and when it last read or was written to.
	ctime, lastInteraction int64
	// bpopTimeout is c->bpop.timeout: the deadline (wall ms) of the last
	// blocking command that blocked, 0 if it had none; Redis never
	// clears it (see shutdownCommand).
	bpopTimeout int64
	// unreset is a client released from SHUTDOWN by an abort, a failure
	// or CLIENT UNBLOCK: Redis has not reset it, and the next multibulk
	// command it sends trips processMultibulkBuffer's assertion.
	unreset, unresetInline bool
	// readHeld is input that arrived while the node was held, to be
	// stamped as an interaction when the node reads it (stampRead).
	readHeld bool

	// argv is the command being run; prop, when set, is what it propagates
	// to the AOF instead (SET EX as SET PXAT, EXPIRE as PEXPIREAT...).
	argv   [][]byte
	prop   [][]byte
	noProp bool
	// forceRepl is CLIENT_FORCE_REPL: the command goes to the replicas
	// (not the AOF) though it changed nothing, as PUBLISH does.
	forceRepl bool
	isFake    bool

	// Replication: the master's link client, or a replica of this node.
	isMaster        bool
	isReplicaClient bool
	replState       int
	replPort        int
	replAddr        string // REPLCONF ip-address (slave_addr)
	replAck         int64  // the offset the replica last acknowledged
	replAckTime     int64  // repl_ack_time: Server.unixtime when it last did, or went online
	// replNewlines is r.EmptyLines when replAckTime last took one: a
	// replica's bare newline refreshes it, as it loads its snapshot.
	replNewlines   int64
	replBuf        []byte // stream held while the snapshot is sent
	fullResyncSent bool   // +FULLRESYNC went out with the PSYNC (a planted bug)
	// prePsync is CLIENT_PRE_PSYNC: a replica that asked with SYNC (an
	// old replica, redis-cli --replica) gets the snapshot without a
	// +FULLRESYNC line and is never expected to ACK.
	prePsync bool
	// rdbOnly (REPLCONF rdb-only 1) wants the snapshot and nothing after
	// it; noData and noFunctions (REPLCONF rdb-filter-only) leave the
	// keys or the functions out of it (slave_req).
	rdbOnly, noData, noFunctions bool
	woff                         int64 // the replication offset after this client's last command (processCommand)
	waitN                        int
	waitOff                      int64
	deniedBlocking               bool // scripts and MULTI: blocking commands do not block
	// closedDuringScript: the connection closed while the client's script
	// was running; it is freed when the script ends.
	closedDuringScript bool
	monitor            bool // in MONITOR mode (monitor.go)
}

func (s *Server) newClient(conn sim.Conn) *client {
	s.nextID++
	c := &client{
		s:      s,
		id:     s.nextID,
		conn:   conn,
		r:      resp.NewReader(),
		w:      resp.NewWriter(2),
		db:     s.dbs[0],
		resp:   2,
		authed: s.acl.AuthenticatedOnConnect(),
		user:   s.acl.Default(),
		ctime:  s.unixtime,
	}
	c.muteFrom = -1
	c.lastInteraction = c.ctime
	c.r.SetMaxBulkLen(s.cfg.ProtoMaxBulkLen)
	c.r.SetAuthRequired(!c.authed)
	if conn != nil {
		c.addr = conn.RemoteAddr()
		c.laddr = conn.LocalAddr()
	}
	return c
}

// fakeClient is a connectionless client for scripts and AOF loading.
func (s *Server) fakeClient() *client {
	c := &client{s: s, id: -1, r: resp.NewReader(), w: resp.NewWriter(2), db: s.dbs[0], resp: 2, authed: true, isFake: true}
	return c
}

func (s *Server) accept(conn sim.Conn) sim.ConnHandler {
	// acceptCommonHandler: the cluster bus's connections count against
	// maxclients, and a connection refused never becomes a client (it
	// takes no client id and is not in total_connections_received).
	if len(s.clients)+s.clusterConnections() >= s.cfg.MaxClients {
		s.stats.rejectedConns++
		msg := "-ERR max number of clients reached\r\n"
		if s.clusterEnabled() {
			msg = "-ERR max number of clients + cluster connections reached\r\n"
		}
		conn.Write([]byte(msg))
		conn.Close()
		return refusedConn{}
	}
	c := s.newClient(conn)
	s.stats.connectionsReceived++
	s.clients = append(s.clients, c)
	return c
}

// OnOpen is part of sim.ConnHandler.
func (c *client) OnOpen(conn sim.Conn) {}

// refusedConn is the handler of a connection refused at accept: closed
// by the node at once, it has nothing to do.
type refusedConn struct{}

func (refusedConn) OnOpen(sim.Conn)         {}
func (refusedConn) OnData(sim.Conn, []byte) {}
func (refusedConn) OnClose(sim.Conn, error) {}

// OnData runs the commands that p completes.
func (c *client) OnData(conn sim.Conn, p []byte) {
	if c.closed {
		return
	}
	c.s.stats.netInputBytes += int64(len(p))
	c.s.readsProcessed++
	if l := c.s.long; l != nil && l.c == c {
		l.input = append(l.input, p...)
		return
	}
	c.r.Feed(p)
	if c.s.sleeping {
		// The loop is held: Redis reads this when it next processes
		// events (readQueryFromClient), and stamps it then.
		c.readHeld = true
	} else {
		c.lastInteraction = c.s.unixtime // as cached before the commands run
	}
	c.processInput()
	if c.isReplicaClient && c.r.EmptyLines() != c.replNewlines {
		c.replNewlines = c.r.EmptyLines()
		c.replAckTime = c.s.unixtime
	}
	c.s.afterEvent()
}

// OnClose is part of sim.ConnHandler.
func (c *client) OnClose(conn sim.Conn, err error) {
	if l := c.s.long; l != nil && l.c == c {
		// protectClient: the script's caller is freed when it ends.
		c.closedDuringScript = true
		return
	}
	c.free()
	c.s.afterEvent()
}

// processInput runs the buffered commands until one blocks the client, the
// node sleeps, or the input runs out.
func (c *client) processInput() {
	for !c.closed && !c.closing && c.blocked == nil && c.paused == nil && !c.s.sleeping && !c.s.stopped {
		if c.unreset && c.r.Buffered() > 0 {
			// The client still has the reqtype and argv of the SHUTDOWN
			// that blocked it. Sent as a multibulk, its next input goes
			// to processMultibulkBuffer, which asserts argc is 0; sent
			// inline, its next line is read inline whatever it is, and
			// that command resets it.
			c.unreset = false
			if !c.unresetInline {
				c.s.env.Logf("=== ASSERTION FAILED ===")
				c.s.env.Logf("==> networking.c:2295 'c->argc == 0' is not true")
				c.s.crashExit()
				return
			}
			c.r.ForceInline()
		}
		args, ok, err := c.r.Next()
		if err != nil {
			pe := c.r.Err()
			line := fmt.Sprintf("Protocol error (%s) from client: id=%d addr=%s", pe.Reason, c.id, c.addr)
			c.s.env.Logf("%s", line)
			if c.isReplicaClient {
				// What a replica sends (its ACKs) is replication protocol.
				c.s.replError(line)
			}
			c.w.WriteRaw(pe.AppendReply(nil))
			c.closing = true
			c.markPending()
			return
		}
		if !ok {
			return
		}
		c.beginCommandReply()
		if c.s.mayRunScript(c, args) {
			if c.runLong(args) {
				return // its script timed out: the command goes on later
			}
		} else {
			c.processCommand(args)
			if c.paused == nil {
				c.afterCommand()
			}
		}
		c.markPending()
	}
}

// stampRead makes held input an interaction now, as Redis's read of it
// when its loop comes back to the socket: c->lastinteraction is the
// cached unixtime of that moment.
func (c *client) stampRead() {
	if c.readHeld {
		c.readHeld = false
		c.lastInteraction = c.s.unixtime
	}
}

func (c *client) markPending() {
	if c.isFake || c.queuedFlush || c.closed {
		return
	}
	c.queuedFlush = true
	c.s.pending = append(c.s.pending, c)
}

// flush writes the pending replies and closes after them if asked to.
func (c *client) flush() {
	c.queuedFlush = false
	if c.closed {
		return
	}
	if c.w.Len() > 0 {
		c.s.stats.netOutputBytes += int64(c.w.Len())
		c.s.writesProcessed++
		c.conn.Write(c.w.Bytes())
		c.w.Reset()
		if !c.isMaster {
			// writeToClient: sending to a master (REPLCONF ACK) is not
			// an interaction.
			c.lastInteraction = c.s.unixtime
		}
	}
	if c.closing {
		c.conn.Close()
		c.free()
	}
}

// free unlinks a closed client from the server's structures.
func (c *client) free() {
	if c.closed {
		return
	}
	c.closed = true
	c.unwatchAll()
	c.unblock(false)
	if c.isReplicaClient {
		c.s.removeReplica(c)
	}
	c.unsubscribeAll(false)
	c.disableTracking()
	c.forgetPaused()
	s := c.s
	s.dropMonitor(c)
	for i, x := range s.clients {
		if x == c {
			s.clients = append(s.clients[:i], s.clients[i+1:]...)
			break
		}
	}
}

// kill closes the connection at once (CLIENT KILL, timeout). Killing the
// master client is freeClient's: the replica caches the master's state for
// a partial resync and connects again at once.
func (c *client) kill() {
	if c.closed {
		return
	}
	if c.isMaster && c.s.master == c {
		c.closed = true
		c.s.env.Logf("Connection with master lost.")
		c.s.env.Logf("Caching the disconnected master state.")
		c.s.dropLink()
		c.s.reconnect(false)
		return
	}
	c.conn.Close()
	c.free()
}

// typeName is getClientType's class, as CLIENT KILL TYPE and CLIENT LIST
// TYPE name it.
func (c *client) typeName() string {
	switch {
	case c.isMaster:
		return "master"
	case c.isReplicaClient:
		return "replica"
	case c.subscribed():
		return "pubsub"
	}
	return "normal"
}

// clientsCron is clientsCron's clientsCronHandleTimeout: each run visits
// numclients/hz clients (at least 5, or all when fewer), newest first
// and round the list run after run, as Redis rotates its client list
// tail to head; it closes those idle for longer than `timeout` and, in
// cluster mode, unblocks with a redirection those blocked on keys of a
// slot this node no longer serves.
func (s *Server) clientsCron() {
	n := len(s.clients)
	iterations := n / max(s.cfg.Hz, 1)
	if iterations < 5 {
		iterations = min(n, 5)
	}
	// clientsCronHandleTimeout compares whole seconds: the clock's now
	// in seconds against lastinteraction, itself the cached unixtime.
	now := s.nowMs() / 1000
	limit := int64(s.cfg.TimeoutSeconds)
	for ; iterations > 0 && len(s.clients) > 0; iterations-- {
		c := s.clients[len(s.clients)-1-int(s.cronRot%uint64(len(s.clients)))]
		s.cronRot++
		switch {
		case limit > 0 && c.blocked == nil && !c.subscribed() && !c.isReplicaClient && !c.isMaster && !c.monitor && now-c.lastInteraction > limit:
			c.kill()
		case c.blocked != nil && s.cl != nil:
			if msg := s.clusterRedirectBlocked(c); msg != "" {
				c.unblockRedirected(msg)
			}
		}
	}
}

// info is one line of CLIENT LIST / CLIENT INFO.
func (c *client) info() string {
	var b strings.Builder
	flags := c.flagString()
	multi := -1
	if c.multi {
		multi = len(c.queue)
	}
	cmd := c.lastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	b.WriteString("id=" + strconv.FormatInt(c.id, 10))
	b.WriteString(" addr=" + c.addr + " laddr=" + c.laddr + " fd=8 name=" + c.name)
	b.WriteString(" age=" + strconv.FormatInt(c.s.unixtime-c.ctime, 10))
	b.WriteString(" idle=" + strconv.FormatInt(c.s.unixtime-c.lastInteraction, 10))
	b.WriteString(" flags=" + flags + " db=" + strconv.Itoa(c.db.id))
	b.WriteString(" sub=" + strconv.Itoa(len(c.subs)) + " psub=" + strconv.Itoa(len(c.psubs)) + " ssub=" + strconv.Itoa(len(c.ssubs)))
	b.WriteString(" multi=" + strconv.Itoa(multi))
	b.WriteString(" qbuf=" + strconv.Itoa(c.r.Buffered()) + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r")
	b.WriteString(" cmd=" + cmd + " user=" + c.userName() + " redir=" + strconv.FormatInt(c.tracking.redirectReply(), 10) + " resp=" + strconv.Itoa(c.resp))
	return b.String()
}

// userName is CLIENT LIST's user field: the client's ACL user ("default"
// for the clients that have none).
func (c *client) userName() string {
	if c.user == nil {
		return "default"
	}
	return c.user.Name()
}
