package redis

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/sim"
)

// A full resynchronization's payload on the wire, as Redis 7.0 sends and
// reads it. The master sends "$<len>\r\n" and the RDB file, with nothing
// after it (sendBulkToSlave), or, to a replica that said "capa eof",
// "$EOF:<40 chars>\r\n", the file and the same 40 chars (the diskless
// form); newlines may come first, a master's keepalives while it
// prepares the file. The replication stream follows the payload at once,
// so a byte too many (a RESP bulk's CRLF) would shift every offset the
// replica acknowledges.

// eofMarkLen is CONFIG_RUN_ID_SIZE, the length of the diskless end mark.
const eofMarkLen = 40

// appendFullSyncPayload appends the payload of a full resync in the form
// of a disk-based master (the node sends the file once it has it whole).
func appendFullSyncPayload(dst, rdb []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(rdb)), 10)
	dst = append(dst, '\r', '\n')
	return append(dst, rdb...)
}

// replTransfer is the link's connection handler from +FULLRESYNC on
// (readSyncBulkPayload): it reads the payload, loads it, and then hands
// the bytes that follow to the master client.
type replTransfer struct {
	l *replLink
	// size is the payload's length once the "$" line is read; -1 before,
	// and with mark set, unknown (the payload ends with mark).
	size      int64
	mark      []byte
	buf       []byte
	streaming bool
	// loading is set while the payload loads (loading.go): what the
	// master sends meanwhile waits in rest, as it waits in the socket of
	// a Redis whose read handler is off, and a close waits too (closed,
	// closeErr) to be seen at the first read after the load.
	loading  bool
	rest     []byte
	closed   bool
	closeErr error
}

// startTransfer takes the connection from the Conn right after
// +FULLRESYNC: the payload is not a RESP reply.
func (l *replLink) startTransfer() {
	t := &replTransfer{l: l, size: -1}
	conn, rest := l.rc.Hijack(t)
	if conn == nil {
		return
	}
	l.conn, l.transfer = conn, true
	t.OnData(conn, rest)
}

// OnOpen implements sim.ConnHandler; the connection is open already.
func (*replTransfer) OnOpen(sim.Conn) {}

// OnClose implements sim.ConnHandler.
func (t *replTransfer) OnClose(_ sim.Conn, err error) {
	if t.loading {
		t.closed, t.closeErr = true, err
		return
	}
	t.l.lost(err)
}

// OnData implements sim.ConnHandler.
func (t *replTransfer) OnData(c sim.Conn, p []byte) {
	l := t.l
	if t.streaming {
		replStream{l}.OnData(c, p)
		return
	}
	if t.loading {
		t.rest = append(t.rest, p...)
		return
	}
	if l.dead || len(p) == 0 {
		return
	}
	t.buf = append(t.buf, p...)
	if t.size < 0 && t.mark == nil && !t.header() {
		return
	}
	var payload, rest []byte
	switch {
	case t.mark != nil:
		if len(t.buf) < eofMarkLen || !bytes.HasSuffix(t.buf, t.mark) {
			return
		}
		payload = t.buf[:len(t.buf)-eofMarkLen]
	case int64(len(t.buf)) >= t.size:
		payload, rest = t.buf[:t.size], t.buf[t.size:]
	default:
		return
	}
	t.buf = nil
	t.rest = bytes.Clone(rest)
	t.load(c, payload)
}

// header reads the "$" line once it is whole, skipping the keepalive
// newlines before it; it reports whether the payload's bytes follow.
func (t *replTransfer) header() bool {
	l := t.l
	t.buf = bytes.TrimLeft(t.buf, "\n")
	i := bytes.Index(t.buf, []byte("\r\n"))
	if i < 0 {
		return false
	}
	line := string(t.buf[:i])
	t.buf = t.buf[i+2:]
	switch {
	case strings.HasPrefix(line, "-"):
		l.fail("MASTER aborted replication with an error: " + line[1:])
		return false
	case !strings.HasPrefix(line, "$"):
		l.corrupt("Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "'), are you sure the host and port are right?")
		return false
	case strings.HasPrefix(line, "$EOF:") && len(line) == 5+eofMarkLen:
		t.mark = []byte(line[5:])
		l.s.env.Logf("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk")
		return true
	}
	n, err := strconv.ParseInt(line[1:], 10, 64)
	if err != nil || n < 0 {
		l.corrupt("bad snapshot payload length " + strconv.Quote(line))
		return false
	}
	t.size = n
	l.s.env.Logf("MASTER <-> REPLICA sync: receiving %d bytes from master to disk", n)
	return true
}

// load replaces the dataset with the payload and, once the load's
// window has passed (loading.go), makes the link stream.
func (t *replTransfer) load(c sim.Conn, payload []byte) {
	l, s := t.l, t.l.s
	// replicationAttachToNewMaster, once the snapshot is in and before the
	// old dataset goes: nothing may continue the history we leave,
	// neither we (the cached master) nor our sub-replicas, which must
	// load the new dataset too.
	s.discardCachedMaster()
	if !bugs.On(bugs.ChainedPsyncAfterUpstreamFullsync) {
		// Before the fix of redis/redis#2694 the sub-replicas went on
		// streaming from us, and the backlog stayed to serve them.
		s.disconnectReplicas()
		s.backlog = nil // freeReplicationBacklog: no PSYNC into it
	}
	s.env.Logf("MASTER <-> REPLICA sync: Flushing old data")
	s.env.Logf("MASTER <-> REPLICA sync: Loading DB in memory")
	p, ok := s.loadFromMaster(payload)
	if !ok {
		l.corrupt("failed loading the snapshot from master")
		return
	}
	t.loading = true
	s.runLoad(p, func() { t.loaded(c) })
}

// loaded is the end of the payload's load: the link streams what the
// master sent meanwhile, unless the link went while the node loaded.
func (t *replTransfer) loaded(c sim.Conn) {
	l, s := t.l, t.l.s
	t.loading = false
	if l.dead || s.link != l {
		return
	}
	s.replid, s.offset = l.fullReplid, l.fullOffset
	s.meaningfulOffset = s.offset
	s.replid2, s.secondOffset = strings.Repeat("0", 40), -1
	s.env.Logf("MASTER <-> REPLICA sync: Finished with success")
	if s.aofOn {
		// Redis restarts the AOF after a full sync so that it matches.
		s.restartAOF()
	}
	t.streaming = true
	rest := t.rest
	t.rest = nil
	l.attach(c, rest, 0)
	if t.closed && !l.dead {
		l.lost(t.closeErr)
	}
}
