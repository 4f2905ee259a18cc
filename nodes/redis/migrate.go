package redis

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/nodes/rnum"
	"github.com/redsim/redsim/sim"
)

// MIGRATE (src/cluster.c): the keys go to another instance as RESTORE
// commands over a cached connection, and, without COPY, are deleted here
// once the target acknowledged them (propagated as DEL). Redis does the
// whole exchange with blocking socket calls, its event loop stopped for
// as long; the node holds its loop the same way (as DEBUG SLEEP does)
// while the exchange runs over the simulated network, then replies.
var migrateCommands = []cmdSpec{
	{"migrate", -6, fw, migrateCommand, cmdKeys{
		specs: []keySpec{keyAt(3), {keyword: "KEYS", startFrom: -2, lastKey: -1, keyStep: 1, incomplete: true}},
		proc:  migrateGetKeys,
	}},
}

// migrateGetKeys is migrateGetKeys: the keys after KEYS, or the key
// argument; none when KEYS follows a non-empty key.
func migrateGetKeys(argv [][]byte) []int {
	first, n := 3, 1
	if len(argv) > 6 {
		for i := 6; i < len(argv); i++ {
			switch {
			case cEqualFold(argv[i], "auth"):
				i++
			case cEqualFold(argv[i], "auth2"):
				i += 2
			case cEqualFold(argv[i], "keys"):
				if len(argv[3]) > 0 {
					return nil
				}
				first, n = i+1, len(argv)-i-1
				i = len(argv)
			}
		}
	}
	pos := make([]int, 0, n)
	for i := first; i < first+n; i++ {
		pos = append(pos, i)
	}
	return pos
}

// The migrate connection cache (MIGRATE_SOCKET_CACHE_*).
const (
	migrateCacheItems = 64
	migrateCacheTTL   = 10 // seconds idle before migrateCloseTimedoutSockets
)

// migrateSocket is migrateCachedSocket: a connection to a target, the db
// last selected on it (-1 forces a SELECT), and when it was last used.
type migrateSocket struct {
	name    string
	conn    sim.Conn
	lastDB  int64
	lastUse int64 // unix seconds
	open    bool
	closed  bool
	err     error // why it closed
	in      []byte
	// wake is the running MIGRATE's continuation, run on every event of
	// the connection.
	wake func()
}

func (m *migrateSocket) OnOpen(sim.Conn) {
	m.open = true
	m.poke()
}

func (m *migrateSocket) OnData(_ sim.Conn, p []byte) {
	m.in = append(m.in, p...)
	m.poke()
}

func (m *migrateSocket) OnClose(_ sim.Conn, err error) {
	m.closed, m.err = true, err
	m.poke()
}

func (m *migrateSocket) poke() {
	if m.wake != nil {
		m.wake()
	}
}

// line takes one reply line (without \r\n) off the input, as
// connSyncReadLine reads it.
func (m *migrateSocket) line() ([]byte, bool) {
	i := bytes.IndexByte(m.in, '\n')
	if i < 0 {
		return nil, false
	}
	l := bytes.TrimSuffix(m.in[:i], []byte("\r"))
	m.in = m.in[i+1:]
	return l, true
}

// migrateOp is one MIGRATE in flight.
type migrateOp struct {
	c                  *client
	host, port         []byte
	dbid, timeout      int64
	copy, replace      bool
	username, password []byte
	keys               [][]byte
	retried            bool
	cs                 *migrateSocket
	sel                bool
	// pos counts the reply lines read: AUTH's, SELECT's, then one per key.
	pos      int
	auth     []byte
	selReply []byte
	sent     [][]byte // the keys whose RESTORE went out
	acked    [][]byte
	errSent  bool
	timer    sim.Timer
	phase    migratePhase
	// waitStart is mstime() when the running syncWrite or syncRead
	// began, which its waits count the timeout from.
	waitStart int64
	// partial is how many bytes of a reply line were read already.
	partial int
}

func migrateCommand(c *client, args [][]byte) {
	s := c.s
	op := &migrateOp{c: c, host: args[1], port: args[2]}
	first, num := 3, 1
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case cEqualFold(args[j], "copy"):
			op.copy = true
		case cEqualFold(args[j], "replace"):
			op.replace = true
		case cEqualFold(args[j], "auth"):
			if more == 0 {
				c.w.WriteError(errSyntax)
				return
			}
			j++
			op.password = args[j]
		case cEqualFold(args[j], "auth2"):
			if more < 2 {
				c.w.WriteError(errSyntax)
				return
			}
			op.username, op.password = args[j+1], args[j+2]
			j += 2
		case cEqualFold(args[j], "keys"):
			if len(args[3]) != 0 {
				c.w.WriteError("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
				return
			}
			first, num = j+1, len(args)-j-1
			j = len(args)
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	timeout, ok := rnum.ParseInt(args[5])
	if !ok || timeout != int64(int(timeout)) {
		c.w.WriteError(errNotInt)
		return
	}
	dbid, ok := rnum.ParseInt(args[4])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if timeout <= 0 {
		timeout = 1000
	}
	op.timeout, op.dbid = timeout, dbid
	for _, k := range args[first : first+num] {
		if c.db.lookupRead(k) != nil {
			op.keys = append(op.keys, k)
		}
	}
	if len(op.keys) == 0 {
		c.w.WriteSimpleString("NOKEY")
		return
	}
	if s.execDepth > 0 || c.isFake {
		// Redis blocks inside EXEC or a script as anywhere else; the node
		// cannot hold an EXEC or a script half-way.
		c.w.WriteError("ERR MIGRATE inside MULTI/EXEC or a script is not supported by this simulated node")
		return
	}
	// The event loop is held until the exchange ends (replies included).
	s.sleeping = true
	c.blocked = &blockState{db: c.db}
	op.start()
}

// start is try_again: get (or make) the connection, then write.
//
// Redis does the exchange with blocking calls whose waits are aeWait, a
// poll(2) of at most the timeout. connBlockingConnect waits once for the
// connection and ignores the outcome (7.0.15 marks the connection
// connected even when the wait ran out, a bug fixed later): only a dial
// that fails at once, an unknown host here, is "connecting to the
// client". A refused or unanswered connection is found by the write
// that follows, which waits the timeout again: "writing to target
// instance", after up to twice the timeout.
func (op *migrateOp) start() {
	s := op.c.s
	name := string(op.host) + ":" + string(op.port)
	cs := s.migrateSockets[name]
	op.cs = cs
	if cs != nil {
		// A cached connection the target has closed since is found so by
		// the write or the read, which then retry on a new one.
		cs.lastUse = s.unixtime
		cs.wake = op.step
		op.write()
		return
	}
	if len(s.migrateSockets) == migrateCacheItems {
		s.dropRandomMigrateSocket()
	}
	cs = &migrateSocket{name: name, lastDB: -1, lastUse: s.unixtime}
	op.cs = cs
	cs.wake = op.step
	op.phase = migrateConnecting
	// No dial timeout of the network's: the kernel's own (some two
	// minutes of SYN retries) is beyond any wait of MIGRATE's.
	cs.conn = s.env.Dial(net.JoinHostPort(string(op.host), strconv.Itoa(rnum.Atoi(op.port))), 0, cs)
	op.poll(op.timeout)
}

// migratePhase is where a MIGRATE is in its exchange.
type migratePhase uint8

const (
	migrateConnecting migratePhase = iota // connBlockingConnect's aeWait
	migrateWriting                        // syncWrite
	migrateReading                        // syncReadLine
)

// poll is aeWait's poll(2) of ms milliseconds, which poll takes as an
// int: the low 32 bits, so a negative int waits for an event only and 0
// not at all. Any event of the connection ends it early (step).
func (op *migrateOp) poll(ms int64) {
	s := op.c.s
	op.stopTimer()
	t := int32(uint32(ms))
	switch {
	case t < 0:
		return
	case t == 0 && op.phase == migrateConnecting:
		op.pollEnd()
		return
	case t == 0:
		// A sync loop's poll(0) spins until mstime() moves on.
		t = 1
	}
	op.timer = s.env.After(time.Duration(t)*time.Millisecond, func() {
		op.timer = sim.Timer{}
		op.pollEnd()
	})
}

// stopTimer cancels the running poll's timer, if any.
func (op *migrateOp) stopTimer() {
	if !op.timer.IsZero() {
		op.c.s.env.Cancel(op.timer)
		op.timer = sim.Timer{}
	}
}

// pollEnd runs when a poll ends, by an event or its time.
func (op *migrateOp) pollEnd() {
	s := op.c.s
	op.stopTimer()
	switch op.phase {
	case migrateConnecting:
		if op.cs.closed && errors.Is(op.cs.err, sim.ErrNoHost) {
			op.connectFailed()
			return
		}
		if s.migrateSockets == nil {
			s.migrateSockets = map[string]*migrateSocket{}
		}
		s.migrateSockets[op.cs.name] = op.cs
		op.write()
	case migrateWriting, migrateReading:
		// syncWrite and syncRead judge the time after every wait, woken
		// by an event or not.
		if s.mstime()-op.waitStart >= op.timeout {
			op.socketError(true, op.phase == migrateWriting)
			return
		}
		if op.phase == migrateWriting {
			op.tryWrite()
		} else {
			op.read()
		}
	}
}

// syncWait is the wait inside syncWrite's and syncRead's loops, of the
// time left (at least SYNCIO__RESOLUTION, 10 ms).
func (op *migrateOp) syncWait() {
	op.poll(max(op.timeout-(op.c.s.mstime()-op.waitStart), 10))
}

func (op *migrateOp) connectFailed() {
	s := op.c.s
	if s.migrateSockets[op.cs.name] == op.cs {
		delete(s.migrateSockets, op.cs.name)
	}
	op.cs.wake = nil
	op.cs.conn.Abort()
	op.finish("IOERR error or timeout connecting to the client")
}

// write is syncWrite of the commands: sent at once on an open connection,
// an error on a closed one, a wait on one still connecting.
func (op *migrateOp) write() {
	op.phase = migrateWriting
	op.waitStart = op.c.s.mstime()
	op.tryWrite()
}

func (op *migrateOp) tryWrite() {
	switch cs := op.cs; {
	case cs.closed:
		op.socketError(false, true)
	case cs.open:
		op.send()
	default:
		op.syncWait()
	}
}

// send writes AUTH, SELECT and the RESTOREs in one buffer.
func (op *migrateOp) send() {
	s, c := op.c.s, op.c
	var buf []byte
	if op.password != nil {
		if op.username != nil {
			buf = resp.AppendCommand(buf, []byte("AUTH"), op.username, op.password)
		} else {
			buf = resp.AppendCommand(buf, []byte("AUTH"), op.password)
		}
	}
	op.sel = op.cs.lastDB != op.dbid
	if op.sel {
		buf = resp.AppendCommandStrings(buf, "SELECT", strconv.FormatInt(op.dbid, 10))
	}
	op.sent = op.sent[:0]
	now := s.expireNowMs()
	for _, k := range op.keys {
		o := c.db.lookupNoTouch(k)
		if o == nil {
			continue
		}
		ttl := int64(0)
		if o.expireAt != 0 {
			if ttl = o.expireAt - now; ttl < 0 {
				continue
			}
			ttl = max(ttl, 1)
		}
		payload, err := rdbfile.Dump(nil, o.rdbValue(), c.s.rdbOptions())
		if err != nil {
			continue // a value the format refuses; Redis would assert
		}
		// A cluster node sends RESTORE-ASKING, which an importing
		// target serves.
		restore := "RESTORE"
		if c.s.cl != nil {
			restore = "RESTORE-ASKING"
		}
		args := [][]byte{[]byte(restore), k, strconv.AppendInt(nil, ttl, 10), payload}
		if op.replace {
			args = append(args, []byte("REPLACE"))
		}
		buf = resp.AppendCommand(buf, args...)
		op.sent = append(op.sent, k)
	}
	op.pos = 0
	op.acked = op.acked[:0]
	op.partial = 0
	op.cs.conn.Write(buf)
	op.phase = migrateReading
	op.waitStart = s.mstime()
	op.read()
}

// step runs on every event of the connection: it ends the poll waiting
// for one.
func (op *migrateOp) step() {
	if op.cs.wake == nil {
		return
	}
	op.pollEnd()
}

// read takes the reply lines that came, as connSyncReadLine's reads of a
// byte at a time do: a byte there is taken at once; one that is not is
// waited for, the timeout counted from that byte's read.
func (op *migrateOp) read() {
	cs := op.cs
	if len(cs.in) > op.partial {
		op.waitStart = op.c.s.mstime()
	}
	for {
		l, ok := cs.line()
		if !ok {
			break
		}
		switch {
		case op.password != nil && op.pos == 0:
			op.auth = l
		case op.sel && op.pos == boolInt(op.password != nil):
			op.selReply = l
		default:
			op.restoreReply(l)
		}
		op.pos++
		if op.pos == boolInt(op.password != nil)+boolInt(op.sel)+len(op.sent) {
			op.done(false)
			return
		}
	}
	if cs.closed {
		// read(2) returns 0: a short read, not a timeout.
		op.socketError(false, false)
		return
	}
	op.partial = len(cs.in)
	op.syncWait()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// restoreReply handles one RESTORE's reply line.
func (op *migrateOp) restoreReply(l []byte) {
	c := op.c
	j := op.pos - boolInt(op.password != nil) - boolInt(op.sel)
	errLine := func() []byte {
		switch {
		case op.password != nil && len(op.auth) > 0 && op.auth[0] == '-':
			return op.auth
		case op.sel && len(op.selReply) > 0 && op.selReply[0] == '-':
			return op.selReply
		case len(l) > 0 && l[0] == '-':
			return l
		}
		return nil
	}()
	if errLine != nil {
		if !op.errSent {
			op.cs.lastDB = -1
			op.errSent = true
			op.replyError("ERR Target instance replied with error: " + string(errLine[1:]))
		}
		return
	}
	if !op.copy {
		k := op.sent[j]
		c.db.del(k)
		c.s.notify(notifyGeneric, "del", k, c.db.id)
		c.s.dirty++
		op.acked = append(op.acked, k)
	}
}

// socketError is socket_err: close the cached connection and retry once
// (not after a timeout, nor once a reply was read), else IOERR.
func (op *migrateOp) socketError(timedOut, writing bool) {
	read := op.pos - boolInt(op.password != nil) - boolInt(op.sel)
	if read > 0 || op.errSent {
		op.done(true)
		return
	}
	op.closeSocket()
	if !timedOut && !op.retried {
		op.retried = true
		op.start()
		return
	}
	what := "reading"
	if writing {
		what = "writing"
	}
	op.finish("IOERR error or timeout " + what + " to target instance")
}

func (op *migrateOp) closeSocket() {
	s := op.c.s
	op.cs.wake = nil
	if s.migrateSockets[op.cs.name] == op.cs {
		delete(s.migrateSockets, op.cs.name)
	}
	op.cs.conn.Abort()
}

// done ends the exchange once every reply came (or the connection broke
// after some did): the acknowledged keys are propagated as one DEL.
func (op *migrateOp) done(socketErr bool) {
	c := op.c
	if socketErr {
		op.closeSocket()
	}
	if len(op.acked) > 0 {
		c.s.propagate(c.db.id, append([][]byte{[]byte("DEL")}, op.acked...))
	}
	switch {
	case op.errSent:
	case socketErr:
		op.finish("IOERR error or timeout reading to target instance")
		return
	default:
		op.cs.lastDB = op.dbid
		c.w.WriteOK()
	}
	op.finish("")
}

// finish replies (an error unless it already did) and lets the loop run.
func (op *migrateOp) finish(errText string) {
	c, s := op.c, op.c.s
	op.stopTimer()
	if op.cs != nil {
		op.cs.wake = nil
	}
	if errText != "" {
		op.replyError(errText)
	}
	c.blocked = nil
	s.sleeping = false
	c.markPending()
	s.resume()
}

// replyError writes an error MIGRATE replies with once its exchange has
// run, counted as call() counts a synchronous MIGRATE's: in errorstats,
// total_error_replies and the command's failed_calls.
func (op *migrateOp) replyError(msg string) {
	s := op.c.s
	op.c.w.WriteError(msg)
	s.countError([]byte("-" + msg))
	if cmd := s.commands.command("migrate"); cmd != nil {
		cmd.failed++
	}
}

// dropRandomMigrateSocket makes room in a full cache as Redis does, with
// a victim drawn from the node's PRNG.
func (s *Server) dropRandomMigrateSocket() {
	names := make([]string, 0, len(s.migrateSockets))
	for n := range s.migrateSockets { //redsim:ordered sorted below
		names = append(names, n)
	}
	slices.Sort(names)
	victim := s.migrateSockets[names[s.rng.IntN(len(names))]]
	victim.conn.Abort()
	delete(s.migrateSockets, victim.name)
}

// closeIdleMigrateSockets is migrateCloseTimedoutSockets (serverCron,
// once a second): connections idle more than 10 s are closed.
func (s *Server) closeIdleMigrateSockets() {
	if len(s.migrateSockets) == 0 {
		return
	}
	names := make([]string, 0, len(s.migrateSockets))
	for n := range s.migrateSockets { //redsim:ordered sorted below: each close sends a packet
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		cs := s.migrateSockets[name]
		if s.unixtime-cs.lastUse > migrateCacheTTL && cs.wake == nil {
			cs.conn.Abort()
			delete(s.migrateSockets, name)
		}
	}
}
