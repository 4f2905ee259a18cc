package redis

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/resp"
)

// persist is the persistence state: the AOF and the RDB snapshots.
type persist struct {
	loading bool

	aofOn            bool
	aofBuf           []byte // written at the end of the event (beforeSleep)
	aofSelDB         int    // the db the AOF last SELECTed; -1 none
	aofSize          int64
	aofBaseSize      int64
	aofFsyncing      bool
	aofLastFsyncMs   int64
	aofWriteErr      string
	aofRewriting     bool
	aofRewriteBuf    []byte
	aofRewriteSelDB  int
	aofLastRewriteOK bool

	execDepth       int       // > 0 inside EXEC or a script
	propagatedMulti bool      // a MULTI has been propagated for the current EXEC
	held            *heldProp // the first write of the current EXEC or script

	lastSaveMs      int64
	lastBgsaveOK    bool
	bgsaving        bool
	dirtyAtBgsave   int64
	activeExpireOff bool
}

// propagate feeds a write to the AOF and the replicas. Inside an EXEC or
// a script the writes are held as 7.0's also_propagate holds them: the
// first alone, and from the second on inside MULTI ... EXEC
// (propagatePendingCommands wraps only more than one command).
func (s *Server) propagate(db int, args [][]byte) { s.propagateSplit(db, args, args) }

// propagateSplit is propagate for a write that reaches the replicas in
// another form than the AOF, as relative expiry times did before Redis 7.0
// (a planted bug, bugs.RelativeExpirePropagated).
func (s *Server) propagateSplit(db int, repl, aof [][]byte) {
	s.propagateHeld(heldProp{db: db, repl: repl, aof: aof, target: scripting.ReplAll})
}

// propagateTo is propagate to the AOF or the replicas only (target), as
// alsoPropagate with PROPAGATE_AOF or PROPAGATE_REPL.
func (s *Server) propagateTo(db int, args [][]byte, target int) {
	s.propagateHeld(heldProp{db: db, repl: args, aof: args, target: target})
}

func (s *Server) propagateHeld(p heldProp) {
	if s.loading {
		return
	}
	if s.inScript {
		p.target &= s.scriptRepl // redis.set_repl
	}
	if p.target == scripting.ReplNone {
		return
	}
	if s.execDepth == 0 {
		s.emit(p)
		return
	}
	if !s.propagatedMulti {
		if s.held == nil {
			s.held = &p
			return
		}
		first := *s.held
		s.held = nil
		s.propagatedMulti = true
		s.emit(heldProp{db: -1, repl: multiArgs, aof: multiArgs, target: scripting.ReplAll})
		s.emit(first)
	}
	s.emit(p)
}

var (
	multiArgs = [][]byte{[]byte("MULTI")}
	execArgs  = [][]byte{[]byte("EXEC")}
)

// heldProp is one write waiting to be propagated, with where it goes: db
// -1 selects no database (MULTI and EXEC).
type heldProp struct {
	db        int
	repl, aof [][]byte
	target    int // scripting.ReplAOF | scripting.ReplReplica
}

// closeTxn ends what the outermost EXEC or script propagated: EXEC after a
// MULTI, or the one write it made, bare.
func (s *Server) closeTxn() {
	switch {
	case s.propagatedMulti:
		s.propagatedMulti = false
		s.emit(heldProp{db: -1, repl: execArgs, aof: execArgs, target: scripting.ReplAll})
	case s.held != nil:
		p := *s.held
		s.held = nil
		s.emit(p)
	}
}

func (s *Server) propagateRaw(db int, args [][]byte) {
	s.emit(heldProp{db: db, repl: args, aof: args, target: scripting.ReplAll})
}

// emit feeds p to the replication stream and to the AOF (and the rewrite
// buffer while a rewrite runs), as its target says.
func (s *Server) emit(p heldProp) {
	if p.target&scripting.ReplReplica != 0 {
		s.replPropagate(p.db, p.repl)
	}
	if p.target&scripting.ReplAOF == 0 || !s.aofOn {
		return
	}
	s.aofBuf = appendWithSelect(s.aofBuf, &s.aofSelDB, p.db, p.aof)
	if s.aofRewriting {
		s.aofRewriteBuf = appendWithSelect(s.aofRewriteBuf, &s.aofRewriteSelDB, p.db, p.aof)
	}
}

func appendWithSelect(buf []byte, sel *int, db int, args [][]byte) []byte {
	if db >= 0 && *sel != db {
		buf = resp.AppendCommandStrings(buf, "SELECT", strconv.Itoa(db))
		*sel = db
	}
	return resp.AppendCommand(buf, args...)
}

// openAOF is aofOpenIfNeededOnServerStart: at boot with appendonly yes the
// node appends to the file it loaded, or creates it. Redis 7.0 writes a
// base file of the dataset, empty here since there was no AOF to load,
// and opens an incr file; the node's one file stands for both, and is
// created empty. A node that cannot create it exits, as Redis does.
func (s *Server) openAOF() bool {
	s.aofOn = true
	s.aofSelDB = -1
	s.aofLastRewriteOK = true
	name := s.cfg.AppendFilename
	disk := s.env.Disk()
	if n, err := disk.Size(name); err == nil {
		s.aofSize, s.aofBaseSize = n, n
		s.env.Logf("Opening AOF incr file %s on server start", name)
		return true
	}
	if err := disk.Append(name, nil); err != nil {
		s.env.Logf("Can't open the append-only file %s: %v", name, err)
		return false
	}
	s.env.Logf("Creating AOF base file %s on server start", name)
	s.env.Logf("Creating AOF incr file %s on server start", name)
	return true
}

// startAOF is CONFIG SET appendonly yes: write the dataset as a new AOF
// first, as Redis does with a rewrite.
func (s *Server) startAOF() {
	s.aofOn = true
	s.aofSelDB = -1
	s.aofLastRewriteOK = true
	s.rewriteAOF()
}

func (s *Server) stopAOF() {
	s.aofOn = false
	s.aofBuf = s.aofBuf[:0]
	s.aofRewriting = false
}

// flushAOF is flushAppendOnlyFile: write the buffer; with appendfsync
// always, fsync and hold the node (and its replies) until the fsync
// completes, which it reports by returning true.
func (s *Server) flushAOF() bool {
	if !s.aofOn || len(s.aofBuf) == 0 || s.sleeping {
		return false
	}
	disk := s.env.Disk()
	if err := disk.Append(s.cfg.AppendFilename, s.aofBuf); err != nil {
		s.env.Logf("Error writing to the AOF file: %v", err)
		if s.cfg.AppendFsync == "always" {
			s.env.Logf("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
			s.crashExit()
			return true
		}
		s.aofWriteErr = err.Error()
		return false // retried at the next event; writes get MISCONF
	}
	if s.aofWriteErr != "" {
		s.env.Logf("AOF write error looks solved, Redis can write again.")
		s.aofWriteErr = ""
	}
	s.aofSize += int64(len(s.aofBuf))
	s.aofBuf = s.aofBuf[:0]
	if s.cfg.AppendFsync != "always" {
		return false
	}
	if bugs.On(bugs.AppendfsyncAlwaysAcksBeforeFsync) {
		// The replies leave before the fsync that covers them, as when
		// the write handler ran ahead of beforeSleep (redis/redis#9416).
		s.flushReplies()
	}
	s.sleeping = true
	disk.Sync(s.cfg.AppendFilename, func(err error) {
		if err != nil {
			s.env.Logf("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %v. Exiting...", err)
			s.crashExit()
			return
		}
		s.aofLastFsyncMs = s.nowMs()
		s.sleeping = false
		s.flushReplies()
		s.resume()
	})
	return true
}

// crashExit ends the process the way Redis's exit(1) does: no save, no
// goodbye to clients beyond the closing of their connections.
func (s *Server) crashExit() {
	s.stopped = true
	s.env.Cancel(s.cron)
	s.env.Exit()
}

// aofCron is the everysec fsync, done in the background as Redis's bio
// thread does.
func (s *Server) aofCron() {
	if !s.aofOn || s.cfg.AppendFsync != "everysec" || s.aofFsyncing {
		return
	}
	now := s.nowMs()
	if now-s.aofLastFsyncMs < 1000 {
		return
	}
	s.aofFsyncing = true
	s.env.Disk().Sync(s.cfg.AppendFilename, func(err error) {
		s.aofFsyncing = false
		if errors.Is(err, fs.ErrNotExist) {
			// Redis fsyncs the descriptor it appends to, which cannot be
			// missing, and its bio thread takes EBADF for no failure. The
			// node fsyncs a name, which has no file behind it until the
			// rewrite of CONFIG SET appendonly yes renames one there:
			// nothing to sync, and nothing to refuse writes for.
			err = nil
		}
		if err != nil {
			s.env.Logf("Fsync of the AOF file failed: %v", err)
			s.aofWriteErr = err.Error()
			return
		}
		s.aofLastFsyncMs = s.nowMs()
	})
}

// rewriteAOF is BGREWRITEAOF: the dataset as of now (a fork is an instant
// snapshot) becomes a new file; writes made while it is written and synced
// are appended to it before it replaces the old one.
func (s *Server) rewriteAOF() bool {
	if s.aofRewriting {
		return false
	}
	s.aofRewriting = true
	s.aofRewriteBuf = s.aofRewriteBuf[:0]
	s.aofRewriteSelDB = -1
	data := s.datasetCommands()
	tmp := "temp-rewriteaof-bg.aof"
	disk := s.env.Disk()
	fail := func(err error) {
		s.env.Logf("Background AOF rewrite failed: %v", err)
		s.aofRewriting = false
		s.aofLastRewriteOK = false
		_ = disk.Remove(tmp)
	}
	if err := disk.Write(tmp, data); err != nil {
		fail(err)
		return true
	}
	s.env.Logf("Background append only file rewriting started")
	disk.Sync(tmp, func(err error) {
		if !s.aofRewriting {
			return // appendonly was switched off meanwhile
		}
		if err != nil {
			fail(err)
			return
		}
		if err := disk.Append(tmp, s.aofRewriteBuf); err != nil {
			fail(err)
			return
		}
		// Whatever the old file had buffered is in the rewrite buffer too.
		s.aofBuf = s.aofBuf[:0]
		if err := disk.Rename(tmp, s.cfg.AppendFilename); err != nil {
			fail(err)
			return
		}
		s.aofSelDB = s.aofRewriteSelDB
		s.aofBaseSize = int64(len(data))
		s.aofSize = int64(len(data) + len(s.aofRewriteBuf))
		s.aofRewriting = false
		s.aofLastRewriteOK = true
		s.env.Logf("Background AOF rewrite finished successfully")
	})
	return true
}

// datasetCommands writes the dataset as commands that rebuild it.
func (s *Server) datasetCommands() []byte {
	var buf []byte
	for _, d := range s.dbs {
		if d.keys.Len() == 0 {
			continue
		}
		buf = resp.AppendCommandStrings(buf, "SELECT", strconv.Itoa(d.id))
		d.keys.All(func(key string, o *object) bool {
			buf = appendObjectCommands(buf, key, o)
			return true
		})
	}
	return buf
}

func appendObjectCommands(buf []byte, key string, o *object) []byte {
	k := []byte(key)
	switch o.kind {
	case kindString:
		buf = resp.AppendCommand(buf, []byte("SET"), k, o.str)
	case kindList:
		args := [][]byte{[]byte("RPUSH"), k}
		for i := 0; i < o.list.Len(); i++ {
			args = append(args, o.list.At(i))
		}
		buf = resp.AppendCommand(buf, args...)
	case kindSet:
		args := [][]byte{[]byte("SADD"), k}
		o.set.each(func(m []byte) { args = append(args, m) })
		buf = resp.AppendCommand(buf, args...)
	case kindHash:
		args := [][]byte{[]byte("HSET"), k}
		o.hash.each(func(f, v []byte) { args = append(args, f, v) })
		buf = resp.AppendCommand(buf, args...)
	case kindZSet:
		args := [][]byte{[]byte("ZADD"), k}
		for m, sc := range o.zset.All() {
			args = append(args, []byte(formatScoreArg(sc)), []byte(m))
		}
		buf = resp.AppendCommand(buf, args...)
	case kindStream:
		buf = appendStreamCommands(buf, k, o.stream)
	}
	if o.expireAt != 0 {
		buf = resp.AppendCommand(buf, []byte("PEXPIREAT"), k, strconv.AppendInt(nil, o.expireAt, 10))
	}
	return buf
}

// errAOFTruncated and errAOFFormat classify a bad AOF.
var (
	errAOFTruncated = errors.New("unexpected end of file")
	errAOFFormat    = errors.New("bad file format")
)

// nextAOFCommand parses one command of an AOF at data[off:]: the
// multibulk form only, as Redis's loader reads it.
func nextAOFCommand(data []byte, off int) (args [][]byte, next int, err error) {
	line := func(at int) ([]byte, int, error) {
		i := bytes.Index(data[at:], []byte("\r\n"))
		if i < 0 {
			return nil, 0, errAOFTruncated
		}
		return data[at : at+i], at + i + 2, nil
	}
	l, p, err := line(off)
	if err != nil {
		return nil, 0, err
	}
	if len(l) < 2 || l[0] != '*' {
		return nil, 0, errAOFFormat
	}
	n, perr := strconv.Atoi(string(l[1:]))
	if perr != nil || n < 1 {
		return nil, 0, errAOFFormat
	}
	for i := 0; i < n; i++ {
		l, p, err = line(p)
		if err != nil {
			return nil, 0, err
		}
		if len(l) < 2 || l[0] != '$' {
			return nil, 0, errAOFFormat
		}
		m, perr := strconv.Atoi(string(l[1:]))
		if perr != nil || m < 0 {
			return nil, 0, errAOFFormat
		}
		if p+m+2 > len(data) {
			return nil, 0, errAOFTruncated
		}
		if data[p+m] != '\r' || data[p+m+1] != '\n' {
			return nil, 0, errAOFFormat
		}
		args = append(args, data[p:p+m])
		p += m + 2
	}
	return args, p, nil
}

// loadAOF replays the AOF. A cut-short last command is dropped (and the file
// truncated) when aof-load-truncated is on, else the node refuses to start;
// anything else malformed refuses to start, as redis-check-aof must be run.
func (s *Server) loadAOF() bool {
	name := s.cfg.AppendFilename
	disk := s.env.Disk()
	data, err := disk.Read(name)
	if err != nil {
		return true // no file: an empty dataset
	}
	fake := s.fakeClient()
	s.loading = true
	defer func() { s.loading = false }()
	off, validUpTo, multiStart := 0, 0, -1
	var queued [][][]byte
	for off < len(data) {
		args, next, err := nextAOFCommand(data, off)
		if errors.Is(err, errAOFTruncated) {
			if !s.cfg.AOFLoadTruncated {
				s.env.Logf("Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name)
				return false
			}
			s.env.Logf("!!! Warning: short read while loading the AOF file %s!!!", name)
			if multiStart >= 0 {
				s.env.Logf("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
				validUpTo = multiStart
			}
			if err := disk.Truncate(name, int64(validUpTo)); err != nil {
				s.env.Logf("Error truncating the AOF file %s: %v", name, err)
				return false
			}
			s.env.Logf("AOF %s loaded anyway because aof-load-truncated is enabled", name)
			return true
		}
		if err != nil {
			s.env.Logf("Bad file format reading the append only file %s at offset %d: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>", name, off)
			return false
		}
		cmd := s.lookup(args)
		if cmd == nil {
			s.env.Logf("Unknown command '%s' reading the append only file %s", cstr(args[0], 128), name)
			return false
		}
		if next == len(data) && bugs.On(bugs.AOFLoadDropsLastCommand) {
			// An off-by-one at the end of the file: the last complete
			// command is read but never run.
			break
		}
		switch {
		case cmd.name == "multi":
			multiStart = off
		case cmd.name == "exec":
			for _, q := range queued {
				s.call(fake, s.lookup(q), q)
			}
			queued = queued[:0]
			multiStart = -1
		case multiStart >= 0:
			queued = append(queued, args)
		default:
			s.call(fake, cmd, args)
		}
		fake.w.Reset()
		off = next
		if multiStart < 0 {
			validUpTo = off
		}
	}
	if multiStart >= 0 {
		if !s.cfg.AOFLoadTruncated {
			s.env.Logf("Unexpected end of file reading the append only file %s (an unfinished MULTI).", name)
			return false
		}
		s.env.Logf("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
		if err := disk.Truncate(name, int64(multiStart)); err != nil {
			return false
		}
	}
	s.env.Logf("DB loaded from append only file: %d bytes", validUpTo)
	return true
}
