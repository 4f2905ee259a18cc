package redis

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/nodes/rnum"
	"github.com/redsim/redsim/sim"
)

// Replica link states, as INFO's master_link_status and ROLE show them.
const (
	linkNone       = iota // not a replica
	linkConnect           // must connect (REPL_STATE_CONNECT)
	linkConnecting        // dialing
	linkHandshake         // PING, AUTH, REPLCONF, PSYNC
	linkTransfer          // receiving the snapshot of a full resync
	linkConnected         // streaming
)

// Replica states on the master's side.
const (
	replNone       = iota
	replWaitBgsave // full resync requested, snapshot not started
	replSendBulk   // snapshot being sent; the stream is buffered
	replOnline     // streaming
)

// replState is the replication state, on either side. A node has one
// replication ID and offset whether it is a master or a replica: a
// replica's are its master's, as far as it has applied the stream.
type replState struct {
	replid       string
	replid2      string
	offset       int64 // master_repl_offset: bytes of stream produced or applied
	secondOffset int64 // second_repl_offset, -1 when replid2 is unused
	backlog      *backlog
	replSelDB    int // the db the stream last SELECTed; -1 forces a SELECT
	replScratch  []byte
	// propRaw is AppendCommand of the args call() propagates, as the
	// client sent them, while it propagates them; nil when unknown.
	propRaw  []byte
	replicas []*client
	// noReplicasSince is repl_no_slaves_since: the unixtime since which
	// the node has had no replica, which repl-backlog-ttl counts from.
	noReplicasSince int64

	// replChild is a full sync's snapshot being sent (the child of a
	// diskless BGSAVE): no other snapshot starts meanwhile.
	replChild     bool
	replCronLoops int64 // replication_cron_loops: the PING period counts them
	waiters       []*client
	getAckPending bool
	// goodReplicas is repl_good_slaves_count, as refreshGoodReplicas last
	// counted it; min-replicas-to-write compares with it.
	goodReplicas int

	// Replica side.
	masterHost   string
	masterPort   int
	link         *replLink
	linkState    int
	master       *client // the link's client once streaming
	cachedReplid string  // PSYNC's replid and offset when the link is down
	cachedOffset int64
	cachedDB     int
	lastIOMs     int64
	linkDownMs   int64 // repl_down_since: when the last up link was lost, 0 if none since start
	syncStartMs  int64
	applying     bool // executing the master's stream
	replCron     sim.Timer
	replCronLate bool // replicationCron came due while the loop was held
	// loadedReplid/Offset/DB come from the snapshot loaded at boot.
	// loadExpired are the keys a master found expired in it.
	loadExpired  []dbKey
	loadedReplid string
	loadedOffset int64
	loadedDB     int

	// meaningfulOffset is offset without the PINGs that trail the last
	// other command of the stream (Redis 6.0's master_repl_meaningful_offset);
	// only a planted bug reads it (trimTrailingPings).
	meaningfulOffset int64
	// staleMaster is the master client of a dropped link, kept only by a
	// planted bug (bugs.PartialResyncKeepsMulti) for its unapplied input
	// and transaction state.
	staleMaster *client

	// repl are the counters that INFO does not show (ReplStats).
	repl replCounters
}

func (s *Server) isReplica() bool { return s.masterHost != "" }

func (s *Server) role() string {
	if s.isReplica() {
		return "slave"
	}
	return "master"
}

// initReplID sets a fresh replication ID, as initServer does.
func (s *Server) initReplID() {
	s.replid = randomHex(s.rng, 40)
	s.replid2 = strings.Repeat("0", 40)
	s.secondOffset = -1
	s.replSelDB = -1
	s.cachedOffset = -1
	s.noReplicasSince = s.env.Now().Unix() // time(NULL)
}

// configuredMaster is the `replicaof` of the configuration, if any.
func (s *Server) configuredMaster() (host string, port int, ok bool) {
	if s.cfg.ReplicaOf == "" {
		return "", 0, false
	}
	host, p, err := net.SplitHostPort(s.cfg.ReplicaOf)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil {
		return "", 0, false
	}
	return host, port, true
}

// initReplication starts replicating once the dataset is loaded, when the
// configuration says replicaof, and starts the replication cron.
func (s *Server) initReplication() {
	if s.cfg.ReplicaOf != "" {
		host, p, ok := s.configuredMaster()
		if !ok {
			s.env.Logf("Bad replicaof %q", s.cfg.ReplicaOf)
		} else {
			s.setMaster(host, p)
			// A replica booting from its configuration has no history of its
			// own to offer (PSYNC ? -1) unless its snapshot recorded one.
			s.cachedReplid, s.cachedOffset = "", -1
			if s.loadedReplid != "" {
				// loadDataFromDisk: the snapshot's history becomes the
				// replica's own (INFO's master_replid and offsets show it,
				// and a Sentinel ranks the replica by it), and a cached
				// master made from it (replicationCacheMasterUsingMyself).
				s.replid, s.offset = s.loadedReplid, s.loadedOffset
				s.cachedReplid, s.cachedOffset, s.cachedDB = s.loadedReplid, s.loadedOffset, s.loadedDB
				s.env.Logf("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.")
			}
		}
	}
	// In cluster mode a node's role comes from nodes.conf, which this
	// does not consult: a cluster node restarts as it did before.
	if !s.isReplica() && s.cl == nil {
		s.restoreMasterHistory()
	}
	// Redis's first replicationCron runs with serverCron's first, 1 ms
	// after start, as loop 0: a master has no replica yet to PING then,
	// and its next PING is at loop repl-ping-replica-period, that many
	// seconds on. The node's first cron runs a second after start and is
	// Redis's loop 1.
	s.replCronLoops = 1
	s.replCron = s.env.After(time.Second, s.replicationCron)
}

// restoreMasterHistory is loadDataFromDisk for a master: it loads with a
// backlog, into which the DELs of the keys found expired go; when the
// snapshot recorded a replication ID and offset, the ID becomes the
// secondary one, valid up to that offset, and the offsets count on from
// it, so that the replicas of before the restart continue partially
// (Redis 7.0); without them the backlog is dropped, the offset staying
// where the DELs took it.
func (s *Server) restoreMasterHistory() {
	if len(s.loadExpired) == 0 && s.loadedReplid == "" {
		return // a backlog made and dropped at once
	}
	s.createBacklog()
	for _, k := range s.loadExpired {
		s.replPropagate(k.db, [][]byte{s.expireDelVerb(), []byte(k.key)})
	}
	s.loadExpired = nil
	if s.loadedReplid == "" {
		s.backlog = nil
		return
	}
	s.replid2 = s.loadedReplid
	s.secondOffset = s.loadedOffset + 1
	s.offset += s.loadedOffset
	s.noReplicasSince = s.env.Now().Unix() // time(NULL)
}

// replFeed adds data to the replication stream: the backlog, the online
// replicas, and the buffers of replicas waiting for their snapshot.
func (s *Server) replFeed(data []byte) {
	if s.backlog == nil {
		return
	}
	before := s.offset
	s.offset += int64(len(data))
	if !bytes.Equal(data, replPing) {
		s.meaningfulOffset = s.offset
	}
	if s.backlog.add(data) {
		// A new block lets the oldest go (incrementalTrimReplicationBacklog
		// after add_new_block), those a replica refers to aside.
		s.backlog.trimTo(s.offset, s.backlogHoldAt(before, true))
	}
	var over []*client
	for _, r := range s.replicas {
		switch r.replState {
		case replOnline:
			r.w.WriteRaw(data)
			r.markPending()
			if siteReplicaObuf.Fire(s.env) {
				over = append(over, r)
			}
		case replSendBulk:
			if !r.rdbOnly { // canFeedReplicaReplBuffer
				r.replBuf = append(r.replBuf, data...)
			}
		}
	}
	for _, r := range over {
		// closeClientOnOutputBufferLimitReached: what the buffer held is
		// lost with the connection.
		s.env.Logf("Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", r.id, r.addr)
		r.w.Reset()
		r.kill()
	}
}

// replPing is the PING a master sends its replicas every
// repl-ping-replica-period, as the stream carries it.
var replPing = resp.AppendCommandStrings(nil, "PING")

// trimTrailingPings is Redis 6.0's adjustMeaningfulReplOffset, a planted
// bug (bugs.BacklogTrimsTrailingPings, redis/redis#7306): before a node
// caches its master, or itself as its new master's cached master, it
// drops the PINGs that trail its last other command from its offset and
// backlog, to ask for them again with PSYNC; its sub-replicas, which had
// them already, are not told.
func (s *Server) trimTrailingPings() {
	delta := s.offset - s.meaningfulOffset
	if delta <= 0 || s.backlog == nil {
		return
	}
	s.env.Logf("Using the meaningful offset %d instead of %d to exclude the final PINGs (%d bytes difference)", s.meaningfulOffset, s.offset, delta)
	s.offset = s.meaningfulOffset
	s.backlog.trim(delta)
}

// replPropagate encodes a write for the stream, with a SELECT when the db
// changes.
func (s *Server) replPropagate(db int, args [][]byte) {
	// replicationFeedSlaves: a replica feeds its sub-replicas its master's
	// stream only (replFeed from applyMasterStream), never its own writes
	// (a writable replica's, a script's made before a demotion).
	if s.backlog == nil || s.applying || s.isReplica() {
		return
	}
	if raw := s.propRaw; raw != nil && s.replSelDB == db {
		s.propRaw = nil
		s.replFeed(raw)
		return
	}
	// replFeed copies what it is given, so one scratch buffer serves.
	buf := s.replScratch[:0]
	if db >= 0 && s.replSelDB != db {
		buf = resp.AppendCommandStrings(buf, "SELECT", strconv.Itoa(db))
		s.replSelDB = db
	}
	buf = resp.AppendCommand(buf, args...)
	s.replScratch = buf
	s.replFeed(buf)
}

// backlogHold is the oldest stream offset that a replica's output buffer
// still refers to in the backlog's blocks (math.MaxInt64 if none): the
// blocks from there on cannot be freed. A replica whose snapshot is being
// sent holds the stream since it began. An online replica's output goes
// out at the end of the event (beforeSleep writes it, moves the replica's
// reference on and trims), so it holds nothing after the event, but
// during a feed (feeding, called before the offset moves) it holds the
// block where the fed bytes start.
func (s *Server) backlogHold(feeding bool) int64 { return s.backlogHoldAt(s.offset, feeding) }

// backlogHoldAt is backlogHold when the master's offset was offset, as
// it was before a feed.
func (s *Server) backlogHoldAt(offset int64, feeding bool) int64 {
	hold := int64(math.MaxInt64)
	for _, r := range s.replicas {
		switch {
		case r.replState == replSendBulk:
			hold = min(hold, offset-int64(len(r.replBuf))+1)
		case feeding && r.replState == replOnline:
			hold = min(hold, offset+1)
		}
	}
	return hold
}

// trimBacklog is beforeSleep's incrementalTrimReplicationBacklog: blocks
// that a replica no longer refers to are freed.
func (s *Server) trimBacklog() {
	if s.backlog != nil && s.backlog.trimmable() {
		s.backlog.trimTo(s.offset, s.backlogHold(false))
	}
}

func (s *Server) createBacklog() {
	if s.backlog == nil {
		if siteBacklogSmall.Fire(s.env) {
			// As if configured so: INFO and CONFIG GET agree with the size.
			s.cfg.ReplBacklogSize = min(s.cfg.ReplBacklogSize, minBacklogSize)
		}
		s.backlog = newBacklog(s.cfg.ReplBacklogSize)
	}
}

// shiftReplid is shiftReplicationId: on promotion the old ID stays valid
// as replid2 up to the offset reached, and a new history starts.
func (s *Server) shiftReplid() {
	probePromoted.Reach(s.env)
	s.replid2 = s.replid
	s.secondOffset = s.offset + 1
	s.replid = randomHex(s.rng, 40)
	s.env.Logf("Setting secondary replication ID to %s, valid up to offset: %d. New replication ID is %s", s.replid2, s.secondOffset, s.replid)
}

var replicationCommands = []cmdSpec{
	{"replicaof", 3, fadm | flagStale, replicaofCommand, noKeys},
	{"slaveof", 3, fadm | flagStale, replicaofCommand, noKeys},
	{"replconf", -1, fadm | flagStale, replconfCommand, noKeys},
	{"psync", -3, fadm | flagNoMulti, psyncCommand, noKeys},
	{"sync", 1, fadm | flagNoMulti, func(c *client, a [][]byte) {
		if !c.isReplicaClient {
			c.prePsync = true
		}
		psyncCommand(c, [][]byte{[]byte("SYNC"), []byte("?"), []byte("-1")})
	}, noKeys},
	{"wait", 3, flagNoScript, waitCommand, noKeys},
	{"role", 1, flagNoScript | flagStale, roleCommand, noKeys},
}

func replicaofCommand(c *client, args [][]byte) {
	s := c.s
	// Cluster mode configures replication from the master's address
	// itself (CLUSTER REPLICATE).
	if s.clusterEnabled() {
		c.w.WriteError("ERR REPLICAOF not allowed in cluster mode.")
		return
	}
	if s.fo.state != noFailover {
		c.w.WriteError("ERR REPLICAOF not allowed while failing over.")
		return
	}
	if cEqualFold(args[1], "no") && cEqualFold(args[2], "one") {
		if s.isReplica() {
			s.unsetMaster()
			s.env.Logf("MASTER MODE enabled (user request from 'id=%d')", c.id)
		}
		c.w.WriteOK()
		return
	}
	port, ok := rnum.ParseInt(args[2])
	if !ok || port < 0 || port > 65535 {
		c.w.WriteError("ERR Invalid master port")
		return
	}
	host := string(args[1])
	if s.isReplica() && s.masterHost == host && s.masterPort == int(port) {
		c.w.WriteSimpleString("OK Already connected to specified master")
		return
	}
	s.setMaster(host, int(port))
	s.env.Logf("REPLICAOF %s:%d enabled (user request from 'id=%d')", host, port, c.id)
	c.w.WriteOK()
}

// setMaster is replicationSetMaster: become (or change) a replica.
func (s *Server) setMaster(host string, port int) {
	wasMaster := !s.isReplica()
	s.dropLink()
	if wasMaster {
		// replicationCacheMasterUsingMyself: our own history is what we
		// can continue from.
		if bugs.On(bugs.BacklogTrimsTrailingPings) {
			s.trimTrailingPings()
		}
		s.cachedReplid, s.cachedOffset, s.cachedDB = s.replid, s.offset, 0
	}
	// Clients blocked in master, now slave; or in a replica whose master
	// changes (after a failover, every other replica).
	s.disconnectAllBlockedClients()
	s.masterHost, s.masterPort = host, port
	// Sub-replicas stay connected: they may continue with us as they are.
	// They are dropped when our replication ID changes (+CONTINUE with a
	// new one) or when a full sync replaces our dataset.
	// repl_down_since is left as it is: the time of the link lost just
	// now (dropLink), or 0, "down since ever", for a former master.
	s.linkState = linkConnect
	if bugs.On(bugs.SetMasterZeroesDownSince) {
		// replicationSetMaster before redis/redis#5081: "never
		// disconnected", which the failover's data age reads as
		// disconnected since the epoch until the link is up.
		s.linkDownMs = 0
	}
	s.connectToMaster()
}

// unsetMaster is REPLICAOF NO ONE.
func (s *Server) unsetMaster() {
	s.dropLink()
	s.masterHost, s.masterPort = "", 0
	s.linkState = linkNone
	s.linkDownMs = 0
	s.staleMaster = nil
	s.shiftReplid()
	s.cachedReplid, s.cachedOffset = "", -1
	s.disconnectReplicas()
	// No backlog is made here: a replica that never synced has none,
	// and its offset stays until a replica of its own attaches (which
	// makes one with a new replication ID, syncCommand's rule).
	s.replSelDB = -1
	// The backlog's time to live counts from the promotion, not from
	// whenever the node last had a replica of its own.
	s.noReplicasSince = s.unixtime
}

// disconnectAllBlockedClients is disconnectAllBlockedClients: every
// blocked client is told so, unblocked and closed after the reply
// (CLIENT_CLOSE_AFTER_REPLY). Clients a pause holds are not blocked here.
func (s *Server) disconnectAllBlockedClients() {
	for _, c := range slices.Clone(s.clients) {
		if c.blocked != nil {
			c.w.WriteError("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
			c.closing = true
			c.unblock(false)
			c.markPending()
		}
	}
}

// discardCachedMaster is replicationDiscardCachedMaster: what PSYNC would
// have continued from (the dropped master's, or our own history as a
// former master) is forgotten.
func (s *Server) discardCachedMaster() {
	if s.cachedReplid == "" && s.staleMaster == nil {
		return
	}
	s.env.Logf("Discarding previously cached master state.")
	s.cachedReplid, s.cachedOffset = "", -1
	s.staleMaster = nil
}

func (s *Server) disconnectReplicas() {
	for _, r := range slices.Clone(s.replicas) {
		r.kill() // removeReplica notes when the last one went
	}
	s.replicas = s.replicas[:0]
}

// dropLink closes the link to the master and keeps what PSYNC needs to
// continue (replicationCacheMaster). The time the replica counts itself
// disconnected restarts only when a streaming link drops
// (replicationHandleMasterDisconnection), not when a handshake fails
// (cancelReplicationHandshake), as in Redis.
func (s *Server) dropLink() {
	if s.link != nil {
		s.repl.linkDrops++
		l := s.link
		s.link = nil
		l.dead = true
		if s.master != nil || l.transfer {
			l.conn.Close() // the hijacked connection's
		} else {
			l.rc.Close()
		}
	}
	if s.master != nil {
		if bugs.On(bugs.BacklogTrimsTrailingPings) {
			s.trimTrailingPings()
		}
		s.cachedReplid, s.cachedOffset, s.cachedDB = s.replid, s.offset, s.master.db.id
		if bugs.On(bugs.PartialResyncKeepsMulti) {
			// replicationCacheMaster without its cleanup (the fixes of
			// redis/redis#3899): the unprocessed input and the open MULTI
			// stay with the cached master.
			s.staleMaster = s.master
		}
		s.master = nil
	}
	if s.isReplica() {
		// repl_down_since moves only when an established master link is
		// lost (replicationHandleMasterDisconnection); a failed connect
		// or handshake (cancelReplicationHandshake) leaves it alone, so
		// a replica that cannot reconnect keeps ageing.
		if s.linkState == linkConnected {
			s.linkDownMs = s.nowMs()
		}
		s.linkState = linkConnect
	}
}

// replLink is the replica's connection to its master. A redisconn.Conn
// runs the handshake, one command per reply, and takes a full resync's
// snapshot as the reply that follows +FULLRESYNC; on
// +CONTINUE, or once the snapshot is loaded, Hijack hands the raw
// connection over and the stream is applied by a master client. A dead
// link (dropped, or replaced) ignores whatever still reaches it.
type replLink struct {
	s    *Server
	rc   *redisconn.Conn
	conn sim.Conn // as dialled; after the hijack, the stream's
	dead bool
	// transfer is set once the connection is taken from rc for a full
	// resync's payload (replTransfer).
	transfer bool
	// fullReplid and fullOffset are +FULLRESYNC's, applied once the
	// snapshot has loaded.
	fullReplid string
	fullOffset int64
	// awaitPsync is set from PSYNC's sending until its reply's first
	// byte: the newlines a master sends meanwhile to keep the link alive
	// (a diskless sync waiting for repl-diskless-sync-delay) are skipped,
	// as slaveTryPartialResynchronization skips empty lines.
	awaitPsync bool
}

// The handshake's steps, each the tag of the command that starts it.
const (
	stepPing = iota
	stepAuth
	stepPort
	stepIP
	stepCapa
	stepPsync
)

func (s *Server) connectToMaster() {
	s.dialMaster("Connecting to MASTER %s:%d")
}

// reconnect is what Redis 7.0 does when it loses a link it was streaming
// from (replicationHandleMasterDisconnection) or times out a handshake or
// a transfer (cancelReplicationHandshake): it connects again at once,
// rather than at the next replicationCron, lest the backlog move on
// meanwhile. Other failures of a handshake wait for the cron.
func (s *Server) reconnect(afterFailure bool) {
	if afterFailure {
		s.dialMaster("Reconnecting to MASTER %s:%d after failure")
		return
	}
	s.dialMaster("Reconnecting to MASTER %s:%d")
}

// dialMaster starts a link to the master, logging logf.
func (s *Server) dialMaster(logf string) {
	if s.link != nil || !s.isReplica() {
		return
	}
	if s.long != nil {
		// Made a replica by a bus message served in a busy script's hook
		// (an UPDATE): replicationCron connects once the script is over,
		// as the node cannot sync in the middle of it.
		return
	}
	l := &replLink{s: s}
	// No Timeout and no Reconnect: replicationCron times the link out and
	// connects again, as Redis's does.
	l.rc = redisconn.New(&replWire{Env: s.env, l: l}, net.JoinHostPort(s.masterHost, strconv.Itoa(s.masterPort)), redisconn.Options{
		DialTimeout: time.Duration(s.cfg.ReplTimeoutSeconds) * time.Second,
		MaxBulkLen:  1 << 40,
		OnUp:        l.up,
		OnDown:      l.down,
	})
	s.link = l
	s.linkState = linkConnecting
	s.lastIOMs = s.nowMs()
	s.env.Logf(logf, s.masterHost, s.masterPort)
	l.rc.Connect()
}

// replWire is the Env that the link's redisconn.Conn dials through, and
// the handler of the connection it dials, ahead of the Conn's own. Redis
// counts the master as alive on every read, not every complete reply
// (repl_transfer_lastio, which a slow snapshot relies on), and runs
// beforeSleep once per read; and it closes a link it cannot parse where
// the Conn would reset it, which takes the connection itself.
type replWire struct {
	sim.Env
	l *replLink
	h sim.ConnHandler // the Conn's handler
}

// Dial implements sim.Env.
func (w *replWire) Dial(addr string, timeout time.Duration, h sim.ConnHandler) sim.Conn {
	w.h = h
	w.l.conn = w.Env.Dial(addr, timeout, w)
	return w.l.conn
}

// OnOpen implements sim.ConnHandler.
func (w *replWire) OnOpen(c sim.Conn) {
	if !w.l.dead {
		w.h.OnOpen(c)
	}
}

// OnData implements sim.ConnHandler.
func (w *replWire) OnData(c sim.Conn, p []byte) {
	s := w.l.s
	if w.l.dead {
		return
	}
	s.lastIOMs = s.nowMs()
	if w.l.awaitPsync {
		p = bytes.TrimLeft(p, "\n")
		if len(p) == 0 {
			s.afterEvent()
			return
		}
		w.l.awaitPsync = false
	}
	w.h.OnData(c, p)
	s.afterEvent()
}

// OnClose implements sim.ConnHandler.
func (w *replWire) OnClose(c sim.Conn, err error) {
	if !w.l.dead {
		w.h.OnClose(c, err)
		w.l.s.afterEvent()
	}
}

func (l *replLink) do(step int, args ...string) {
	l.awaitPsync = step == stepPsync
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	l.rc.Do(l, step, b...)
}

func (l *replLink) fail(why string) {
	s := l.s
	if l.dead {
		return
	}
	s.env.Logf("Master link: %s", why)
	if s.link != l {
		return
	}
	state, streaming := s.linkState, s.master != nil
	s.dropLink()
	switch {
	case streaming:
		s.reconnect(false)
	case state == linkTransfer:
		s.reconnect(true) // readSyncBulkPayload's errors cancel the handshake and reconnect
	}
}

// corrupt fails the link for what a sound master never sends, and
// records it as a replication protocol error (ReplStats).
func (l *replLink) corrupt(why string) {
	if !l.dead {
		l.s.replError("Master link: " + why)
	}
	l.fail(why)
}

// lost is the connection's end, by the peer or the network; err is nil
// for the master's orderly close.
func (l *replLink) lost(err error) {
	l.s.env.Logf("Connection with master lost (%v)", err)
	l.fail("closed")
}

// up is the Conn's OnUp: the connection is open and the handshake starts.
func (l *replLink) up() {
	l.s.env.Logf("MASTER <-> REPLICA sync started")
	l.s.linkState = linkHandshake
	l.do(stepPing, "PING")
}

// down is the Conn's OnDown, before the hijack.
func (l *replLink) down(cause error) {
	switch e := cause.(type) {
	case *redisconn.ProtocolError:
		l.corrupt("protocol error: " + e.Err.Error())
		l.conn.Close() // as Redis closes it; the Conn would reset it
	case *redisconn.UnexpectedReplyError:
		l.fail("unexpected reply from master: " + redisconn.Brief(e.Reply))
		l.conn.Close()
	default:
		if cause == redisconn.ErrPeerClosed {
			cause = nil // the Env's word for the master's orderly close
		}
		l.lost(cause)
	}
}

// Reply implements redisconn.Waiter: step's reply advances the handshake.
func (l *replLink) Reply(step int, v resp.Value, err error) {
	if l.dead || err != nil {
		return // dropped, or down said why
	}
	s := l.s
	text := string(v.Str)
	switch step {
	case stepPing:
		if v.IsError() && !strings.HasPrefix(text, "NOAUTH") && !strings.HasPrefix(text, "NOPERM") && !strings.HasPrefix(text, "ERR operation not permitted") {
			l.fail("error reply to PING from master: '" + text + "'")
			return
		}
		// The handshake's commands go out at once, and their replies are
		// read one by one (syncWithMaster's SEND_HANDSHAKE).
		if s.cfg.MasterAuth != "" {
			if s.cfg.MasterUser != "" {
				l.do(stepAuth, "AUTH", s.cfg.MasterUser, s.cfg.MasterAuth)
			} else {
				l.do(stepAuth, "AUTH", s.cfg.MasterAuth)
			}
		}
		port := s.cfg.Port
		if s.cfg.ReplicaAnnouncePort != 0 {
			port = s.cfg.ReplicaAnnouncePort
		}
		l.do(stepPort, "REPLCONF", "listening-port", strconv.Itoa(port))
		if s.cfg.ReplicaAnnounceIP != "" {
			l.do(stepIP, "REPLCONF", "ip-address", s.cfg.ReplicaAnnounceIP)
		}
		l.do(stepCapa, "REPLCONF", "capa", "eof", "capa", "psync2")
	case stepAuth:
		if v.IsError() {
			l.fail("Unable to AUTH to MASTER: " + text)
		}
	case stepPort:
		if v.IsError() {
			s.env.Logf("(Non critical) Master does not understand REPLCONF listening-port: %s", text)
		}
	case stepIP:
		if v.IsError() {
			s.env.Logf("(Non critical) Master does not understand REPLCONF ip-address: %s", text)
		}
	case stepCapa:
		if v.IsError() {
			s.env.Logf("(Non critical) Master does not understand REPLCONF capa: %s", text)
		}
		if s.cachedReplid != "" && s.cachedOffset >= 0 {
			s.env.Logf("Trying a partial resynchronization (request %s:%d).", s.cachedReplid, s.cachedOffset+1)
			l.do(stepPsync, s.failoverPsyncArgs("PSYNC", s.cachedReplid, strconv.FormatInt(s.cachedOffset+1, 10))...)
		} else {
			s.env.Logf("Partial resynchronization not possible (no cached master)")
			l.do(stepPsync, s.failoverPsyncArgs("PSYNC", "?", "-1")...)
		}
	case stepPsync:
		switch {
		case strings.HasPrefix(text, "FULLRESYNC "):
			f := strings.Fields(text)
			if len(f) != 3 {
				l.corrupt("bad FULLRESYNC reply")
				return
			}
			off, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				l.corrupt("bad FULLRESYNC offset")
				return
			}
			s.repl.fullSyncs++
			s.failoverPsyncReplied(true)
			l.fullReplid, l.fullOffset = f[1], off
			s.linkState = linkTransfer
			s.syncStartMs = s.nowMs()
			s.env.Logf("Full resync from master: %s:%d", f[1], off)
			l.startTransfer()
		case strings.HasPrefix(text, "CONTINUE"):
			newID := strings.TrimSpace(strings.TrimPrefix(text, "CONTINUE"))
			s.repl.partialSyncs++
			s.failoverPsyncReplied(true)
			s.env.Logf("Successful partial resynchronization with master.")
			if newID != "" && newID != s.cachedReplid {
				s.replid2 = s.cachedReplid
				s.secondOffset = s.cachedOffset + 1
				s.replid = newID
				s.env.Logf("Master replication ID changed to %s", newID)
				// Our sub-replicas must learn the new ID.
				s.disconnectReplicas()
			} else {
				s.replid = s.cachedReplid
			}
			s.offset = s.cachedOffset
			s.meaningfulOffset = s.offset
			l.startStream(s.cachedDB)
		default:
			if s.fo.state == failoverInProgress {
				s.failoverPsyncReplied(false)
				return
			}
			l.fail("unexpected reply to PSYNC from master: " + text)
		}
	}
}

// startStream takes the connection over from the Conn, where the master's
// replies end and its stream begins, and turns it into the master client.
func (l *replLink) startStream(db int) {
	// The connection is open: its reply has just been read.
	conn, rest := l.rc.Hijack(replStream{l})
	l.attach(conn, rest, db)
}

// attach makes conn, whose stream begins with rest, the master client's
// connection, its commands applied in db.
func (l *replLink) attach(conn sim.Conn, rest []byte, db int) {
	s := l.s
	l.conn = conn
	s.linkState = linkConnected
	s.cachedReplid, s.cachedOffset = "", -1
	s.createBacklog()
	m := s.newClient(conn)
	if stale := s.staleMaster; stale != nil {
		// A planted bug resurrects what the dropped link's client had not
		// applied (bugs.PartialResyncKeepsMulti); the master resends it.
		s.staleMaster = nil
		m.r, m.multi, m.queue, m.dirtyExec, m.multiRaw = stale.r, stale.multi, stale.queue, stale.dirtyExec, stale.multiRaw
	}
	m.isMaster = true
	m.authed = true
	m.r.SetMaster(true)
	m.r.SetAuthRequired(false)
	m.db = s.dbs[db]
	s.master = m
	s.sendAck()
	if len(rest) > 0 {
		// Stream bytes that came with the last reply.
		m.r.Feed(rest)
		s.applyMasterStream()
	}
}

// replStream is the hijacked connection's handler: the master's stream.
type replStream struct{ l *replLink }

// OnOpen implements sim.ConnHandler; the connection is open already.
func (replStream) OnOpen(sim.Conn) {}

// OnData implements sim.ConnHandler.
func (r replStream) OnData(_ sim.Conn, p []byte) {
	s := r.l.s
	s.master.r.Feed(p)
	s.applyMasterStream()
}

// OnClose implements sim.ConnHandler.
func (r replStream) OnClose(_ sim.Conn, err error) { r.l.lost(err) }

// loadFromMaster replaces the dataset with a full resync's snapshot, as
// readSyncBulkPayload does: the old data goes first ("Flushing old
// data"), then the payload loads whole or not at all. The plan is the
// load's window.
func (s *Server) loadFromMaster(data []byte) (*loadPlan, bool) {
	f, err := rdbfile.ReadAll(data, s.rdbReadOptions())
	for _, d := range s.dbs {
		d.flush()
	}
	s.trackingFlushed()
	s.dirty++
	if err == nil {
		err = s.applyRDB(f, false)
	}
	if err != nil {
		s.logLoadError(err)
		s.env.Logf("Failed trying to load the MASTER synchronization DB from socket: %v", err)
		return nil, false
	}
	p := s.newLoadPlan(int64(len(data)))
	p.usedMem = rdbUsedMem(f)
	s.planRDB(p, int64(len(data)))
	return p, true
}

// applyMasterStream runs the master's commands, without replies, counting
// their bytes into the offset and forwarding them to sub-replicas.
func (s *Server) applyMasterStream() {
	m := s.master
	for s.master == m && m != nil && !s.sleeping {
		args, ok, err := m.r.Next()
		if err != nil {
			s.masterProtocolError(m)
			return
		}
		if !ok {
			return
		}
		// What the replica passes on is what it read (Redis feeds its
		// sub-replicas and backlog from the query buffer), which is the
		// command's encoding unless the stream has odd line ends.
		raw := m.r.Raw()
		if raw == nil {
			raw = resp.AppendCommand(s.replScratch[:0], args...)
			s.replScratch = raw
		}
		if len(args) >= 2 && strings.EqualFold(string(args[0]), "replconf") && strings.EqualFold(string(args[1]), "getack") {
			s.sendAck()
			s.applying = true
			s.replFeed(raw)
			s.applying = false
			continue
		}
		cmd := s.lookup(args)
		s.applying = true
		switch {
		case cmd == nil:
			s.errorToMaster(unknownCommandError(s, args), "<unknown>")
		case (cmd.arity > 0 && cmd.arity != len(args)) || len(args) < -cmd.arity:
			s.errorToMaster("ERR wrong number of arguments for '"+cmd.name+"' command", cmd.name)
		case cmd.proc == nil:
		case s.masterOOM(cmd):
			s.errorToMaster(errOOM, cmd.name)
		case cmd.flags&flagWrite != 0 && s.tooFewGoodReplicas() && bugs.On(bugs.MinReplicasRejectsMasterStream):
			// Before the fix of redis/redis#1434, processCommand's
			// min-replicas check ran for the master client too.
			s.errorToMaster("NOREPLICAS Not enough good replicas to write.", cmd.name)
		case m.multi && !endsQueueing(cmd):
			// processCommand queues the master's commands inside MULTI as
			// any client's: they run at EXEC.
			q := make([][]byte, len(args))
			for i, a := range args {
				q[i] = bytes.Clone(a)
			}
			m.queue = append(m.queue, q)
		default:
			m.lastCmd = cmd.name
			m.rejecting = cmd.name
			s.call(m, cmd, args)
			if b := m.w.Bytes(); len(b) > 0 && b[0] == '-' {
				line, _, _ := strings.Cut(string(b[1:]), "\r\n")
				s.errorToMaster(line, cmd.name)
			}
		}
		m.w.Reset()
		// commandProcessed moves the applied offset only outside a
		// transaction, and feeds the backlog and the sub-replicas what it
		// moved over: a MULTI's commands join the offset with its EXEC, at
		// once. A link lost in between discards them (the cached master's
		// offset is the MULTI's), so the next PSYNC asks for the whole
		// transaction again.
		switch {
		case m.multi:
			m.multiRaw = append(m.multiRaw, raw...)
		case len(m.multiRaw) > 0:
			m.multiRaw = append(m.multiRaw, raw...)
			s.replFeed(m.multiRaw)
			m.multiRaw = m.multiRaw[:0]
		default:
			s.replFeed(raw)
		}
		s.applying = false
	}
}

// masterProtocolError ends a master link whose stream does not parse, as
// Redis's setProtocolError and freeClient do for the master: the cached
// master is discarded (CLIENT_PROTOCOL_ERROR), so the next sync is a full
// one. Redis also logs a sample of the query buffer, which the reader does
// not expose.
func (s *Server) masterProtocolError(m *client) {
	pe := m.r.Err()
	if pe.Reason == "Master using the inline protocol. Desync?" {
		s.env.Logf("WARNING: Receiving inline protocol from master, master stream corruption? Closing the master connection and discarding the cached master.")
	}
	line := "Protocol error (" + pe.Reason + ") from client: " + m.info() + "."
	s.env.Logf("%s", line)
	s.replError(line)
	s.env.Logf("Connection with master lost.")
	s.dropLink()
	s.cachedReplid, s.cachedOffset = "", -1
	s.reconnect(false)
}

// errorToMaster is afterErrorReply for the master client: the reply is
// never sent, but a replica that errs on its master's stream has diverged
// from it, so Redis logs it as critical and counts it
// (stat_unexpected_error_replies). Redis also logs the backlog's tail.
func (s *Server) errorToMaster(msg, cmdName string) {
	if len(msg) > 4096 {
		msg = msg[:4096]
	}
	line := "== CRITICAL == This replica is sending an error to its master: '" + msg + "' after processing the command '" + cmdName + "'"
	s.env.Logf("%s", line)
	s.repl.unexpectedErrorReplies++
	s.replError(line)
}

// sendAck is replicationSendAck.
func (s *Server) sendAck() {
	if s.master == nil || s.link == nil {
		return
	}
	s.link.conn.Write(resp.AppendCommandStrings(nil, "REPLCONF", "ACK", strconv.FormatInt(s.offset, 10)))
}

// replicationCron runs every second: the replica's ACK, reconnects and
// timeouts on both sides, the master's PING to its replicas. Due while
// the loop is held, it runs late (runLateCrons): a replica whose fsyncs
// hold it still ACKs.
func (s *Server) replicationCron() {
	if s.stopped {
		return
	}
	if s.sleeping {
		s.replCronLate = true
		return
	}
	s.replicationCronRun()
	s.afterEvent()
}

// replicationCronRun is one run of replicationCron; the next is due a
// second after it.
func (s *Server) replicationCronRun() {
	s.replCron = s.env.After(time.Second, s.replicationCron)
	s.updateCachedTime() // replicationCron runs inside serverCron
	// Redis counts the silence in whole seconds: time(NULL) less the
	// second of the last read (repl_transfer_lastio, lastinteraction),
	// over repl-timeout. A link goes between repl-timeout and a second
	// more after its last read, at a cron run.
	silent := s.nowMs()/1000-s.lastIOMs/1000 > int64(s.cfg.ReplTimeoutSeconds)
	if s.isReplica() {
		switch s.linkState {
		case linkConnect:
			s.connectToMaster()
		case linkConnecting, linkHandshake, linkTransfer:
			if silent {
				if s.linkState == linkTransfer {
					s.env.Logf("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.")
				} else {
					s.env.Logf("Timeout connecting to the MASTER...")
				}
				s.dropLink()
				s.reconnect(true)
			}
		case linkConnected:
			if silent {
				probeLinkTimeout.Reach(s.env)
				s.env.Logf("MASTER timeout: no data nor PING received...")
				s.dropLink()
				s.reconnect(false)
			} else if !siteAckLate.Fire(s.env) {
				s.sendAck()
			}
		}
	}
	// The PING period counts cron runs, not wall time, so a master whose
	// clock steps back goes on pinging.
	if len(s.replicas) > 0 && !s.isReplica() && s.replCronLoops%int64(max(s.cfg.ReplPingReplicaPeriod, 1)) == 0 {
		// Not while a manual failover (cluster's, or FAILOVER's with a
		// TIMEOUT) holds clients paused: the PING would move the offset
		// past the one the replica was told to reach.
		failingOver := (s.cl != nil && s.cl.mfEnd != 0 || s.fo.endMs != 0) && s.paused()
		if !failingOver {
			s.replPropagatePing()
		}
	}
	// A newline a second to each replica waiting for its snapshot to
	// start (is_presync; a diskless transfer's replicas get none): it
	// keeps the replica's link alive through repl-diskless-sync-delay,
	// and moves no offset.
	for _, r := range s.replicas {
		if r.replState == replWaitBgsave && !r.closed {
			// connWrite: straight to the socket, no reply buffer, so
			// neither the output counters nor lastinteraction move.
			r.conn.Write(presyncNewline)
		}
	}
	for _, r := range slices.Clone(s.replicas) {
		// A SYNC replica never ACKs, so it is never timed out.
		if r.replState == replOnline && !r.prePsync && s.unixtime-r.replAckTime > int64(s.cfg.ReplTimeoutSeconds) {
			s.env.Logf("Disconnecting timedout replica (streaming sync): %s", r.addr)
			r.kill()
		}
	}
	s.startPendingFork()
	s.backlogTTL()
	s.refreshGoodReplicas()
	s.replCronLoops++
}

var presyncNewline = []byte("\n")

// backlogTTL is replicationCron's repl-backlog-ttl: a master that has had
// no replica for longer frees its backlog, with a new replication ID and
// no secondary one (so that, made a replica later, it cannot continue its
// old history by the second ID after writes the backlog did not count).
func (s *Server) backlogTTL() {
	ttl := s.cfg.ReplBacklogTTL
	if len(s.replicas) > 0 || ttl == 0 || s.backlog == nil || s.isReplica() || s.unixtime-s.noReplicasSince <= ttl {
		return
	}
	s.replid = randomHex(s.rng, 40)
	s.replid2, s.secondOffset = strings.Repeat("0", 40), -1
	s.backlog = nil
	s.env.Logf("Replication backlog freed after %d seconds without connected replicas.", int32(ttl))
}

func (s *Server) replPropagatePing() {
	if s.backlog == nil {
		return
	}
	s.replFeed(resp.AppendCommandStrings(nil, "PING"))
}

func replconfCommand(c *client, args [][]byte) {
	s := c.s
	if len(args)%2 == 0 {
		c.w.WriteError(errSyntax)
		return
	}
	for i := 1; i < len(args); i += 2 {
		opt := lowerC(args[i])
		v := args[i+1]
		switch opt {
		case "listening-port":
			p, ok := rnum.ParseInt(v)
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			c.replPort = int(p)
		case "ip-address":
			// The address the replica announces (replica-announce-ip):
			// INFO, ROLE and the logs name it by that.
			if len(v) >= 256 { // NET_HOST_STR_LEN
				c.w.WriteError(fmt.Sprintf("ERR REPLCONF ip-address provided by replica instance is too long: %d bytes", len(v)))
				return
			}
			c.replAddr = string(v)
		case "capa":
		case "ack":
			// An ACK gets no reply.
			if !c.isReplicaClient {
				return
			}
			off, ok := rnum.ParseInt(v)
			if ok && off > c.replAck {
				c.replAck = off
			}
			// The good replicas wait for the cron's recount, and the WAITs
			// this may release for beforeSleep (afterEvent).
			c.replAckTime = s.unixtime
			return
		case "getack":
			if s.isReplica() {
				s.sendAck()
			}
			return
		case "rdb-only":
			n, ok := rnum.ParseInt(v)
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if n < 0 || n > 1 {
				c.w.WriteError("ERR value is out of range, value must between 0 and 1")
				return
			}
			c.rdbOnly = n == 1
		case "rdb-filter-only":
			filters, ok := resp.SplitArgs(v)
			if !ok {
				c.w.WriteError("ERR Missing rdb-filter-only values")
				return
			}
			// Everything is left out but what a filter names; "functions"
			// is the only one.
			c.noData, c.noFunctions = true, true
			for _, f := range filters {
				if !strings.EqualFold(string(f), "functions") {
					c.w.WriteError("ERR Unsupported rdb-filter-only option: " + string(f))
					return
				}
				c.noFunctions = false
			}
		default:
			c.w.WriteError("ERR Unrecognized REPLCONF option: " + cstr(args[i], len(args[i])))
			return
		}
	}
	c.w.WriteOK()
}

// psyncCommand is syncCommand: a partial resync from the backlog when the
// replica's history is ours and the backlog covers its offset, else a full
// resync.
func psyncCommand(c *client, args [][]byte) {
	s := c.s
	if c.isReplicaClient {
		return
	}
	if len(args) > 3 && strings.EqualFold(string(args[0]), "psync") && strings.EqualFold(string(args[3]), "failover") {
		if !c.psyncFailover(args) {
			return
		}
	}
	if s.fo.state != noFailover {
		c.w.WriteError("NOMASTERLINK Can't SYNC while failing over")
		return
	}
	if s.isReplica() && s.linkState != linkConnected {
		c.w.WriteError("NOMASTERLINK Can't SYNC while not connected with my master")
		return
	}
	id := string(args[1])
	off, ok := rnum.ParseInt(args[2])
	if !ok {
		off = -1
	}
	c.isReplicaClient = true
	s.replicas = append(s.replicas, c)
	if s.tryPartial(c, id, off) {
		s.stats.syncPartialOK++
		return
	}
	if id != "?" {
		// A replica that asks for a full resync on purpose is no failure.
		s.stats.syncPartialErr++
	}
	s.stats.syncFull++
	if len(s.replicas) == 1 && s.backlog == nil {
		s.replid = randomHex(s.rng, 40)
		s.replid2, s.secondOffset = strings.Repeat("0", 40), -1
		s.createBacklog()
	}
	s.env.Logf("Replica %s asks for synchronization; full resync", c.addr)
	c.replState = replWaitBgsave
	if bugs.On(bugs.FullresyncOffsetAtRequest) {
		// Before redis/redis@292fec0, +FULLRESYNC went out at once with
		// the offset of now, though the snapshot is taken later.
		c.w.WriteRaw([]byte("+FULLRESYNC " + s.replid + " " + strconv.FormatInt(s.offset, 10) + "\r\n"))
		c.fullResyncSent = true
	}
	probeFullResync.Reach(s.env)
	// syncCommand's CASE 3: with a diskless delay the snapshot waits for
	// replicationCron (startPendingFork); else it starts now, if no
	// child runs.
	if !s.cfg.ReplDisklessSync || s.cfg.ReplDisklessSyncDelay == 0 {
		s.startPendingFork()
	}
}

func (s *Server) tryPartial(c *client, id string, off int64) bool {
	if s.backlog == nil {
		return false
	}
	if id == s.replid2 && id != s.replid && off > s.secondOffset {
		probePsyncSecondIDOffset.Reach(s.env)
		s.env.Logf("Partial resynchronization not accepted: Requested offset for second ID was %d, but I can reply up to %d", off, s.secondOffset)
		return false
	}
	if id != s.replid && id != s.replid2 {
		if id != "?" {
			probePsyncIDMismatch.Reach(s.env)
			s.env.Logf("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')", id, s.replid, s.replid2)
		}
		return false
	}
	if off < s.backlog.first(s.offset) || off > s.offset+1 || sitePsyncRefused.Fire(s.env) {
		s.repl.partialNoBacklog++
		probePsyncNoBacklog.Reach(s.env)
		s.env.Logf("Unable to partial resync with replica %s for lack of backlog (Replica request was: %d).", c.addr, off)
		return false
	}
	c.w.WriteRaw([]byte("+CONTINUE " + s.replid + "\r\n"))
	probePsyncContinue.Reach(s.env)
	if id == s.replid2 && id != s.replid {
		probePsyncContinueReplid2.Reach(s.env)
	}
	if s.backlog.wrapped() {
		probePsyncContinueAfterWrap.Reach(s.env)
	}
	if off <= s.offset {
		c.w.WriteRaw(s.backlog.from(off, s.offset))
		s.repl.partialWithData++
	}
	c.replState = replOnline
	c.replAckTime = s.unixtime
	c.markPending()
	s.env.Logf("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.", c.addr, s.offset-off+1, off)
	s.refreshGoodReplicas()
	return true
}

// startPendingFork is replicationStartPendingFork: once no child runs
// (a BGSAVE, an AOF rewrite, a full sync's snapshot), the replicas waiting
// for a snapshot with the first one's requirements get one when
// repl-diskless-sync is off, when repl-diskless-sync-max-replicas of them
// wait, or when one has been idle repl-diskless-sync-delay whole seconds
// (its PSYNC was its last interaction: the keepalive newlines do not
// count). replicationCron asks every second, and a child's end asks at
// once, so a snapshot starts 4 to 6 s after the PSYNC with the default
// delay of 5, not 5 exactly.
func (s *Server) startPendingFork() {
	if s.hasChild() {
		return
	}
	var first *client
	waiting, maxIdle := 0, int64(0)
	for _, r := range s.replicas {
		if r.replState != replWaitBgsave || r.closed {
			continue
		}
		if first == nil {
			first = r
		} else if !sameReplReq(r, first) {
			continue
		}
		waiting++
		maxIdle = max(maxIdle, s.unixtime-r.lastInteraction)
	}
	if waiting > 0 && (!s.cfg.ReplDisklessSync || s.cfg.ReplDisklessSyncMaxReplicas > 0 && waiting >= s.cfg.ReplDisklessSyncMaxReplicas ||
		maxIdle >= int64(s.cfg.ReplDisklessSyncDelay)) {
		s.startFullSync()
	}
}

// startFullSync snapshots the dataset (a fork's instant copy) and sends it
// to every waiting replica; the transfer takes len/ReplTransferBytesPerSec
// and the stream produced meanwhile is sent after it.
func (s *Server) startFullSync() {
	var targets []*client
	for _, r := range s.replicas {
		// One snapshot serves the replicas with the first one's
		// requirements (slave_req); the others wait for the next.
		if r.replState == replWaitBgsave && !r.closed && (len(targets) == 0 || sameReplReq(r, targets[0])) {
			targets = append(targets, r)
		}
	}
	if len(targets) == 0 {
		return
	}
	// A new full sync starts a fresh SELECT in the stream.
	s.replSelDB = -1
	payload := s.replSnapshot(targets[0])
	for _, r := range targets {
		if !r.fullResyncSent && !r.prePsync {
			r.w.WriteRaw([]byte("+FULLRESYNC " + s.replid + " " + strconv.FormatInt(s.offset, 10) + "\r\n"))
		}
		r.markPending()
		r.replState = replSendBulk
		r.replBuf = r.replBuf[:0]
	}
	s.replChild = true
	rate := max(s.cfg.ReplTransferBytesPerSecond, 1)
	d := time.Duration(float64(len(payload)) / float64(rate) * float64(time.Second))
	s.env.Logf("Starting diskless BGSAVE for SYNC to %d replicas (%d bytes)", len(targets), len(payload))
	s.env.After(d, func() {
		// Redis puts the replicas online when serverCron finds the
		// snapshot's child done, its cached time fresh.
		s.updateCachedTime()
		for _, r := range targets {
			if r.closed || r.replState != replSendBulk {
				continue
			}
			r.w.WriteRaw(appendFullSyncPayload(nil, payload))
			if r.rdbOnly {
				// replicaPutOnline: such a replica gets nothing more, and
				// is closed once the snapshot is out.
				s.env.Logf("RDB transfer completed, rdb only replica (%s) should be disconnected asap", r.replicaName())
				r.replBuf = nil
				r.closing = true
				r.markPending()
				continue
			}
			r.w.WriteRaw(r.replBuf)
			r.replBuf = nil
			// replicaPutOnline
			r.replState = replOnline
			r.replAckTime = s.unixtime
			s.refreshGoodReplicas()
			r.markPending()
			s.env.Logf("Synchronization with replica %s succeeded", r.addr)
		}
		// The child is done (checkChildrenDone), which starts any
		// pending fork at once.
		s.replChild = false
		s.startPendingFork()
		s.afterEvent()
	})
}

// removeReplica forgets a replica client that went away (freeClient).
func (s *Server) removeReplica(c *client) {
	s.replicas = slices.DeleteFunc(s.replicas, func(x *client) bool { return x == c })
	if len(s.replicas) == 0 {
		s.noReplicasSince = s.unixtime
	}
	s.refreshGoodReplicas()
}

// replicasAcked counts replicas that acknowledged offset.
func (s *Server) replicasAcked(offset int64) int {
	n := 0
	// A planted bug counts every online replica, whatever it acknowledged.
	anyAck := bugs.On(bugs.WaitIgnoresAckOffset)
	for _, r := range s.replicas {
		if r.replState == replOnline && (r.replAck >= offset || anyAck) {
			n++
		}
	}
	return n
}

func waitCommand(c *client, args [][]byte) {
	s := c.s
	if s.isReplica() {
		c.w.WriteError("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return
	}
	n, ok := rnum.ParseInt(args[1])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	timeout, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError("ERR timeout is not an integer or out of range")
		return
	}
	if timeout < 0 {
		c.w.WriteError("ERR timeout is negative")
		return
	}
	acked := s.replicasAcked(c.woff)
	if int64(acked) >= n || c.deniedBlocking || c.multi {
		c.w.WriteInt(int64(acked))
		return
	}
	// waitCommand compares the long it parsed, then blocks with it
	// stored in an int (c->bpop.numreplicas): 2^31 becomes -2^31, 2^32+1
	// becomes 1. A count that truncates to no more than the acks already
	// in is released by this event's beforeSleep (checkWaiters), which
	// also sends the replicas the GETACK that blocking asked for.
	c.waitN, c.waitOff = int(int32(n)), c.woff
	c.blocked = &blockState{db: c.db, wait: true}
	c.setBpopTimeout(timeout)
	s.waiters = append(s.waiters, c)
	if timeout > 0 && !timeoutNeverFires(timeout) {
		b := c.blocked
		b.timer = s.env.After(time.Duration(timeout)*time.Millisecond, func() {
			if c.blocked != b {
				return
			}
			if s.replicasAcked(c.waitOff) < c.waitN {
				probeWaitTimeout.Reach(s.env)
			}
			s.finishWait(c, s.replicasAcked(c.waitOff))
			c.processInput()
			s.afterEvent()
		})
	}
	s.getAckPending = true
}

// finishWait unblocks c's WAIT with the reply acked.
func (s *Server) finishWait(c *client, acked int) {
	s.waiters = slices.DeleteFunc(s.waiters, func(x *client) bool { return x == c })
	b := c.blocked
	c.blocked = nil
	if b != nil && !b.timer.IsZero() {
		s.env.Cancel(b.timer)
	}
	c.w.WriteInt(int64(acked))
	c.markPending()
}

// checkWaiters releases the WAITs whose replicas have acknowledged, as
// 7.0.15's processClientsWaitingReplicas does in beforeSleep. It takes
// the newest first (WAIT puts its client at the head of
// clients_waiting_acks), and a client whose offset and count the last
// one released covers is released with that one's count rather than its
// own: a WAIT for an older offset may be told of fewer replicas than
// have acknowledged it.
func (s *Server) checkWaiters() {
	var lastOff int64
	lastN := 0
	waiters := slices.Clone(s.waiters)
	for i := len(waiters) - 1; i >= 0; i-- {
		c := waiters[i]
		if !slices.Contains(s.waiters, c) {
			continue // released since, by a command of a client released before it
		}
		n := lastN
		if lastOff == 0 || lastOff < c.waitOff || lastN < c.waitN {
			if n = s.replicasAcked(c.waitOff); n < c.waitN {
				continue
			}
			lastOff, lastN = c.waitOff, n
		}
		s.finishWait(c, n)
		c.processInput()
	}
}

// sendGetAck asks the replicas for an ACK, once per event (beforeSleep),
// but not while clients are paused: the request would move the offset,
// and it waits for the pause to end.
func (s *Server) sendGetAck() {
	if !s.getAckPending || s.paused() {
		return
	}
	s.getAckPending = false
	if s.backlog != nil {
		s.replFeed(resp.AppendCommandStrings(nil, "REPLCONF", "GETACK", "*"))
	}
}

func roleCommand(c *client, args [][]byte) {
	s := c.s
	if !s.isReplica() {
		c.w.WriteArrayLen(3)
		c.w.WriteBulkString("master")
		c.w.WriteInt(s.offset)
		var online []*client
		for _, r := range s.replicas {
			if r.replState == replOnline {
				online = append(online, r)
			}
		}
		c.w.WriteArrayLen(len(online))
		for _, r := range online {
			c.w.WriteArrayLen(3)
			c.w.WriteBulkString(r.replIP())
			c.w.WriteBulkString(strconv.Itoa(r.replPort))
			c.w.WriteBulkString(strconv.FormatInt(r.replAck, 10))
		}
		return
	}
	c.w.WriteArrayLen(5)
	c.w.WriteBulkString("slave")
	c.w.WriteBulkString(s.masterHost)
	c.w.WriteInt(int64(s.masterPort))
	state := map[int]string{linkConnect: "connect", linkConnecting: "connecting", linkHandshake: "handshake", linkTransfer: "sync", linkConnected: "connected"}[s.linkState]
	c.w.WriteBulkString(state)
	// server.master ? server.master->reploff : -1: a cached master (the
	// link is down) does not count.
	off := int64(-1)
	if s.linkState == linkConnected {
		off = s.offset
	}
	c.w.WriteInt(off)
}

func (c *client) replIP() string {
	if c.replAddr != "" {
		return c.replAddr
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return c.addr
	}
	return host
}

// infoReplication writes INFO's replication section with Redis 7.0's
// fields.
func (s *Server) infoReplication(b *strings.Builder) {
	now := s.nowMs()
	field(b, "role", s.role())
	if s.isReplica() {
		field(b, "master_host", s.masterHost)
		field(b, "master_port", s.masterPort)
		up := s.linkState == linkConnected
		field(b, "master_link_status", map[bool]string{true: "up", false: "down"}[up])
		last := int64(-1)
		if up {
			last = (now - s.lastIOMs) / 1000
		}
		field(b, "master_last_io_seconds_ago", last)
		field(b, "master_sync_in_progress", s.linkState == linkTransfer)
		// The master client's offset, or the cached master's while there
		// is none; 1 when there is neither.
		offset := int64(1)
		switch {
		case s.master != nil:
			offset = s.offset
		case s.cachedReplid != "":
			offset = s.cachedOffset
		}
		field(b, "slave_read_repl_offset", offset)
		field(b, "slave_repl_offset", offset)
		if !up {
			down := int64(-1) // never up since start or since it was a master
			if s.linkDownMs != 0 {
				down = (now - s.linkDownMs) / 1000
			}
			field(b, "master_link_down_since_seconds", down)
		}
		field(b, "slave_priority", s.cfg.ReplicaPriority)
		field(b, "slave_read_only", s.cfg.ReplicaReadOnly)
		field(b, "replica_announced", s.cfg.ReplicaAnnounced)
	}
	var online []*client
	for _, r := range s.replicas {
		if !r.closed {
			online = append(online, r)
		}
	}
	field(b, "connected_slaves", len(online))
	if s.cfg.MinReplicasToWrite > 0 && s.cfg.MinReplicasMaxLag > 0 {
		field(b, "min_slaves_good_slaves", s.goodReplicas)
	}
	for i, r := range online {
		state := replStateName(r.replState)
		lag := int64(0)
		if r.replState == replOnline {
			lag = now/1000 - r.replAckTime // time(NULL), not the cached clock
		}
		field(b, "slave"+strconv.Itoa(i), "ip="+r.replIP()+",port="+strconv.Itoa(r.replPort)+",state="+state+",offset="+strconv.FormatInt(r.replAck, 10)+",lag="+strconv.FormatInt(lag, 10))
	}
	field(b, "master_failover_state", s.failoverInfo())
	field(b, "master_replid", s.replid)
	field(b, "master_replid2", s.replid2)
	field(b, "master_repl_offset", s.offset)
	field(b, "second_repl_offset", s.secondOffset)
	active := s.backlog != nil
	field(b, "repl_backlog_active", active)
	field(b, "repl_backlog_size", s.cfg.ReplBacklogSize)
	first, hist := int64(0), int64(0)
	if active {
		first, hist = s.backlog.first(s.offset), s.backlog.histlen
	}
	field(b, "repl_backlog_first_byte_offset", first)
	field(b, "repl_backlog_histlen", hist)
}

// Role is "master" or "slave", as ROLE and INFO say.
func (s *Server) Role() string { return s.role() }

// ReplOffset is master_repl_offset.
func (s *Server) ReplOffset() int64 { return s.offset }

// MasterLinkUp reports whether a replica is streaming from its master.
func (s *Server) MasterLinkUp() bool { return s.linkState == linkConnected }

// ReplicaOf makes the node a replica of host:port, as REPLICAOF does; an
// operator in a scenario uses it from outside the network.
func (s *Server) ReplicaOf(host string, port int) {
	if s.isReplica() && s.masterHost == host && s.masterPort == port {
		return
	}
	s.setMaster(host, port)
	s.env.Logf("REPLICAOF %s:%d enabled (operator)", host, port)
	s.afterEvent()
}

// KillMasterLink is CLIENT KILL TYPE master, run on this node from
// outside the network: a replica streaming from its master closes that
// connection, keeps what PSYNC needs (replicationCacheMaster) and connects
// again at once; a master, or a replica still in its handshake, has no
// master client and nothing happens. It reports whether
// a link was killed.
func (s *Server) KillMasterLink() bool {
	m := s.master
	if m == nil {
		return false
	}
	m.kill()
	s.afterEvent()
	return true
}

// PromoteToMaster is REPLICAOF NO ONE from outside the network.
func (s *Server) PromoteToMaster() {
	if s.isReplica() {
		s.unsetMaster()
		s.env.Logf("MASTER MODE enabled (operator)")
	}
	s.afterEvent()
}
