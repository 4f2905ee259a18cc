package redis

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/resp"
)

// persist is the persistence state: the AOF and the RDB snapshots.
type persist struct {
	loading bool

	// aofOn is aof_state != AOF_OFF; aofWaitRewrite is AOF_WAIT_REWRITE,
	// the state of a CONFIG SET appendonly yes until its first rewrite is
	// done: writes go to a temp incr file, and only while it runs.
	aofOn          bool
	aofWaitRewrite bool
	aofBuf         []byte // written at the end of the event (beforeSleep)
	aofSelDB       int    // the db the AOF last SELECTed; -1 none
	// aofManifest is the manifest as last persisted (server.aof_manifest),
	// loaded at every boot.
	aofManifest *aofManifest
	// aofIncr is the incr file the writes are appended to (aof_fd), in
	// the AOF directory; "" when none is open.
	aofIncr         string
	aofSize         int64 // aof_current_size
	aofBaseSize     int64 // aof_rewrite_base_size
	aofLastIncrSize int64
	aofFsyncing     bool
	// aofPostponedSince is aof_flush_postponed_start: the second since
	// which an everysec write waits for a background fsync, 0 if none
	// does; aofDelayedFsync counts the writes that stopped waiting.
	aofPostponedSince, aofDelayedFsync int64
	aofLastFsyncMs                     int64
	aofWriteErr                        string
	aofLastRewriteOK                   bool
	aofRewrites                        int64 // stat_aof_rewrites
	aofRewriteFails                    int64 // stat_aofrw_consecutive_failures
	aofScheduled                       bool  // aof_rewrite_scheduled
	// aofLimitMinutes and aofLimitUntil are aofRewriteLimited's statics:
	// the delay before the next try once rewrites keep failing, and the
	// unix time that try waits for (0 when none is set).
	aofLimitMinutes int64
	aofLimitUntil   int64
	// aofRewriting is child_type == CHILD_TYPE_AOF: from the fork of a
	// rewrite until serverCron reaps it. aofChildDone and aofChildOK say
	// whether and how the child has exited; aofChildPid names its files;
	// aofChildGen orphans the callbacks of a killed child.
	aofRewriting      bool
	aofChildDone      bool
	aofChildOK        bool
	aofChildPid       int
	aofChildGen       int
	aofRewriteStartMs int64
	aofRewriteLastSec int64

	execDepth       int      // > 0 inside EXEC or a script
	propagatedMulti bool     // a MULTI has been propagated for the current EXEC
	held            heldProp // the first write of the current EXEC or script, when hasHeld
	hasHeld         bool

	lastSaveMs    int64
	lastBgsaveTry int64 // lastbgsave_try: the second of the last background save's start
	// bgsaveScheduled is rdb_bgsave_scheduled: a BGSAVE waits for the
	// running child (BGSAVE SCHEDULE, or one inside EXEC).
	bgsaveScheduled bool
	exitStatus      int // ExitStatus
	lastBgsaveOK    bool
	bgsaving        bool
	dirtyAtBgsave   int64
	// rdbGen orphans the callbacks of a killed background save, whose
	// temp file is rdbTmp.
	rdbGen int
	rdbTmp string
	// rdbKilled is a killed background save not reaped yet.
	rdbKilled       bool
	activeExpireOff bool
	// rdbSaveTimed is a background save of BGSAVE or a save point
	// running (child_type RDB), begun at rdbSaveStartSec;
	// rdbSaveLastSec is how long the last one took (-1 before one).
	rdbSaveTimed    bool
	rdbSaveStartSec int64
	rdbSaveLastSec  int64
	// rdbLoadLoaded and rdbLoadExpired are the keys the last RDB load
	// added and dropped as expired.
	rdbLoadLoaded, rdbLoadExpired int64
	// peakMem is stat_peak_memory: the highest used_memory read.
	peakMem int64
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
	s.datasetChanged() // a write, whether or not it is fed anywhere
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
		if !s.hasHeld {
			s.held, s.hasHeld = p, true
			return
		}
		first := s.held
		s.held, s.hasHeld = heldProp{}, false
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
	case s.hasHeld:
		p := s.held
		s.held, s.hasHeld = heldProp{}, false
		s.emit(p)
	}
}

func (s *Server) propagateRaw(db int, args [][]byte) {
	s.emit(heldProp{db: db, repl: args, aof: args, target: scripting.ReplAll})
}

// emit feeds p to the replication stream and to the AOF, as its target
// says.
func (s *Server) emit(p heldProp) {
	if p.target&scripting.ReplReplica != 0 {
		s.replPropagate(p.db, p.repl)
	}
	if p.target&scripting.ReplAOF == 0 || !s.aofFeeding() {
		return
	}
	s.aofBuf = appendWithSelect(s.aofBuf, &s.aofSelDB, p.db, p.aof)
}

func appendWithSelect(buf []byte, sel *int, db int, args [][]byte) []byte {
	if db >= 0 && *sel != db {
		buf = resp.AppendCommandStrings(buf, "SELECT", strconv.Itoa(db))
		*sel = db
	}
	return resp.AppendCommand(buf, args...)
}

// serverPid is the pid the node's files and logs give the server: a
// container's Redis, pid 1. A rewrite's child takes the next free one.
const serverPid = 1

// aofFeeding is feedAppendOnlyFile's test: the AOF is on, or waits for
// the rewrite that is running to switch it on.
func (s *Server) aofFeeding() bool {
	return s.aofOn && (!s.aofWaitRewrite || s.aofRewriting)
}

// openAOFAtStart is aofOpenIfNeededOnServerStart, after the load: with an
// empty manifest, a base file of the (empty) dataset is written first;
// then the last incr file is opened for appending, a new one if there is
// none, and the manifest persisted if it changed. Both the base and the
// manifest are fsynced before their rename, holding the node, as Redis's
// main thread does. done(false) stops the node.
func (s *Server) openAOFAtStart(done func(ok bool)) {
	if !s.cfg.AppendOnly {
		done(true)
		return
	}
	s.aofOn = true
	s.aofSelDB = -1
	m := s.aofManifest
	hadIncr := len(m.incrs) > 0
	openIncr := func() {
		name := m.lastIncr(s.cfg.AppendFilename)
		if err := s.env.Disk().Append(s.aofPath(name), nil); err != nil {
			s.env.Logf("Can't open the append-only file %s: %v", name, err)
			done(false)
			return
		}
		s.persistManifest(m, func(ok bool) {
			if !ok {
				done(false)
				return
			}
			s.aofIncr = name
			s.aofLastIncrSize = s.aofFileSize(name)
			if hadIncr {
				s.env.Logf("Opening AOF incr file %s on server start", name)
			} else {
				s.env.Logf("Creating AOF incr file %s on server start", name)
			}
			done(true)
		})
	}
	if !m.empty() {
		openIncr()
		return
	}
	base := m.newBase(s.cfg.AppendFilename, s.cfg.AOFUseRDBPreamble)
	s.writeBaseNow(s.aofPath(base), func(ok bool) {
		if !ok {
			done(false)
			return
		}
		s.env.Logf("Creating AOF base file %s on server start", base)
		openIncr()
	})
}

// aofBase is what a rewrite writes: the dataset as an RDB file (with the
// aof-base aux field and no replication info), or as commands.
func (s *Server) aofBase() []byte {
	if s.cfg.AOFUseRDBPreamble {
		return s.snapshotFor(true, false, false)
	}
	return s.datasetCommands()
}

// writeBaseNow is rewriteAppendOnlyFile in the main thread: the base
// written to a temp file, fsynced (holding the node) and renamed to path.
func (s *Server) writeBaseNow(path string, done func(ok bool)) {
	disk := s.env.Disk()
	tmp := "temp-rewriteaof-" + strconv.Itoa(serverPid) + ".aof"
	fail := func(err error) {
		s.env.Logf("Write error writing append only file on disk: %v", err)
		_ = disk.Remove(tmp)
		done(false)
	}
	if err := disk.Write(tmp, s.aofBase()); err != nil {
		fail(err)
		return
	}
	s.holdSync(tmp, func(err error) {
		if err != nil {
			fail(err)
			return
		}
		if err := disk.Rename(tmp, path); err != nil {
			s.env.Logf("Error moving temp append only file on the final destination: %v", err)
			_ = disk.Remove(tmp)
			done(false)
			return
		}
		done(true)
	})
}

// deleteAOFHistory is aofDelHistoryFiles: the history files are removed
// and the manifest persisted without them. A crash in between leaves a
// manifest naming history files that are gone, which nothing reads.
func (s *Server) deleteAOFHistory(done func()) {
	m := s.aofManifest
	if m == nil || len(m.history) == 0 {
		done()
		return
	}
	for _, h := range m.history {
		s.env.Logf("Removing the history file %s in the background", h.name)
		_ = s.env.Disk().Remove(s.aofPath(h.name))
	}
	m.history = nil
	m.dirty = true
	s.persistManifest(m, func(bool) { done() })
}

// startAOF is startAppendOnly (CONFIG SET appendonly yes): the AOF waits
// for a rewrite, its writes going to a temp incr file meanwhile.
func (s *Server) startAOF() {
	s.aofOn, s.aofWaitRewrite = true, true
	switch {
	case s.bgsaving || s.replChild:
		s.aofScheduled = true
		s.env.Logf("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
	case s.execDepth > 0:
		s.aofScheduled = true
		s.env.Logf("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.")
	default:
		if s.aofRewriting {
			s.env.Logf("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.")
			s.killAOFChild()
		}
		// Waiting for a rewrite, nothing holds the node here: the flush
		// has nothing to write and the temp incr file needs no manifest.
		s.startRewrite(func(ok bool) {
			if !ok {
				s.aofOn, s.aofWaitRewrite = false, false
				s.env.Logf("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
			}
		})
	}
	s.aofLastFsyncMs = s.nowMs()
}

// stopAOF is stopAppendOnly (CONFIG SET appendonly no): what is buffered
// is written and fsynced, and a running rewrite is killed. Redis waits
// for that fsync in its main thread; the node lets it run in the
// background, which changes no acknowledged write's fate (under
// appendfsync always each was fsynced before its reply).
func (s *Server) stopAOF() {
	if s.aofIncr != "" {
		disk := s.env.Disk()
		path := s.aofPath(s.aofIncr)
		if len(s.aofBuf) > 0 {
			_ = disk.Append(path, s.aofBuf)
		}
		disk.Sync(path, func(err error) {
			if err != nil {
				s.env.Logf("Fail to fsync the AOF file: %v", err)
			}
		})
	}
	s.aofOn, s.aofWaitRewrite = false, false
	s.aofIncr = ""
	s.aofSelDB = -1
	s.aofScheduled = false
	s.aofLastIncrSize = 0
	s.killAOFChild()
	s.aofBuf = s.aofBuf[:0]
}

// restartAOF is restartAOFAfterSYNC: after a full resync the AOF starts
// over from a rewrite of the new dataset.
func (s *Server) restartAOF() {
	s.stopAOF()
	s.startAOF()
}

// killAOFChild is killAppendOnlyChild: the rewrite is abandoned, its temp
// files removed; no failure is counted (SIGUSR1).
func (s *Server) killAOFChild() {
	if !s.aofRewriting {
		return
	}
	s.env.Logf("Killing running AOF rewrite child: %d", s.aofChildPid)
	s.aofChildGen++
	s.removeRewriteTemps()
	s.aofRewriting, s.aofChildDone = false, false
	s.aofRewriteStartMs = -1
}

// removeRewriteTemps is aofRemoveTempFile.
func (s *Server) removeRewriteTemps() {
	_ = s.env.Disk().Remove(s.rewriteTemp(true))
	_ = s.env.Disk().Remove(s.rewriteTemp(false))
}

// rewriteTemp names the child's temp file: the one it writes, or (bg) the
// one it renames that to when it is complete.
func (s *Server) rewriteTemp(bg bool) string {
	if bg {
		return "temp-rewriteaof-bg-" + strconv.Itoa(s.aofChildPid) + ".aof"
	}
	return "temp-rewriteaof-" + strconv.Itoa(s.aofChildPid) + ".aof"
}

// flushAOF is flushAppendOnlyFile: write the buffer to the incr file;
// with appendfsync always, fsync it and hold the node (and its replies)
// until the fsync completes, which it reports by returning true.
func (s *Server) flushAOF() bool {
	if !s.aofOn || len(s.aofBuf) == 0 || s.sleeping || s.aofIncr == "" {
		return false
	}
	if s.cfg.AppendFsync == "everysec" && s.aofFsyncing {
		// The background fsync is still running: the write waits for it,
		// up to two (whole) seconds, the buffer held in memory only, its
		// replies sent. A crash then loses what it holds.
		switch {
		case s.aofPostponedSince == 0:
			s.aofPostponedSince = s.unixtime
			return false
		case s.unixtime-s.aofPostponedSince < 2:
			return false
		}
		s.aofDelayedFsync++
		s.env.Logf("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.")
	}
	s.aofPostponedSince = 0
	disk := s.env.Disk()
	path := s.aofPath(s.aofIncr)
	if err := disk.Append(path, s.aofBuf); err != nil {
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
	s.aofLastIncrSize += int64(len(s.aofBuf))
	s.aofBuf = s.aofBuf[:0]
	if s.cfg.AppendFsync != "always" || s.noFsyncNow() {
		return false
	}
	if bugs.On(bugs.AppendfsyncAlwaysAcksBeforeFsync) {
		// The replies leave before the fsync that covers them, as when
		// the write handler ran ahead of beforeSleep (redis/redis#9416).
		s.flushReplies()
	}
	s.sleeping = true
	disk.Sync(path, func(err error) {
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
	s.exitStatus = 1
	s.stopped = true
	s.env.Cancel(s.cron)
	s.env.Exit()
}

// aofCron is the part of serverCron that runs the AOF: the everysec
// fsync (in the background, as Redis's bio thread does), the reaping of a
// finished rewrite, and a scheduled rewrite.
func (s *Server) aofCron() {
	if s.aofRewriting && s.aofChildDone {
		s.rewriteDone()
		if s.sleeping {
			return
		}
	}
	if !s.hasChild() && s.aofScheduled && !s.aofRewriteLimited() {
		s.startRewrite(func(bool) {})
		if s.sleeping {
			return
		}
	}
	s.everysecFsync()
}

// autoRewrite is serverCron's "Trigger an AOF rewrite if needed", run
// when no child is active and no save started: once the AOF is larger
// than auto-aof-rewrite-min-size and has grown by
// auto-aof-rewrite-percentage over its size after the last rewrite (or
// its base's size at load), a background rewrite starts.
func (s *Server) autoRewrite() {
	if !s.aofOn || s.aofWaitRewrite || s.hasChild() || s.cfg.AutoAOFRewritePercentage == 0 || s.aofSize <= s.cfg.AutoAOFRewriteMinSize {
		return
	}
	base := max(s.aofBaseSize, 1)
	growth := s.aofSize*100/base - 100
	if growth >= int64(s.cfg.AutoAOFRewritePercentage) && !s.aofRewriteLimited() {
		s.env.Logf("Starting automatic rewriting of AOF on %d%% growth", growth)
		s.startRewrite(func(bool) {})
	}
}

// aofRewriteLimited is aofRewriteLimited: after 3 consecutive failed
// rewrites, automatic and scheduled rewrites wait 1 minute, then 2, 4, ...
// up to an hour between tries.
func (s *Server) aofRewriteLimited() bool {
	const threshold, maxMinutes = 3, 60
	if s.aofRewriteFails < threshold {
		s.aofLimitMinutes, s.aofLimitUntil = 0, 0
		return false
	}
	now := s.nowMs() / 1000
	if s.aofLimitUntil != 0 {
		if now < s.aofLimitUntil {
			return true
		}
		s.aofLimitUntil = 0
		return false
	}
	s.aofLimitMinutes = min(max(s.aofLimitMinutes*2, 1), maxMinutes)
	s.aofLimitUntil = now + s.aofLimitMinutes*60
	s.env.Logf("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d minutes", s.aofLimitMinutes)
	return true
}

// ExitStatus is the status the node exited with: 1 after an error made it
// exit (a file it could not load, an fsync that failed under always), as
// redis-server's exit(1); 0 otherwise. simulate serve exits with it.
func (s *Server) ExitStatus() int { return s.exitStatus }

// hasChild is hasActiveChildProcess: a BGSAVE, an AOF rewrite or a full
// sync's snapshot is running.
func (s *Server) hasChild() bool { return s.bgsaving || s.aofRewriting || s.replChild }

// noFsyncNow is no-appendfsync-on-rewrite's rule: with it set, the AOF is
// not fsynced while a child (a BGSAVE, an AOF rewrite, a full sync's
// snapshot) does I/O, under appendfsync always too, whose replies then
// go without waiting for one.
func (s *Server) noFsyncNow() bool {
	return s.cfg.NoAppendfsyncOnRewrite && s.hasChild()
}

func (s *Server) everysecFsync() {
	if !s.aofOn || s.cfg.AppendFsync != "everysec" || s.aofFsyncing || s.aofIncr == "" || s.noFsyncNow() {
		return
	}
	now := s.nowMs()
	if now-s.aofLastFsyncMs < 1000 {
		return
	}
	s.aofFsyncing = true
	s.env.Disk().Sync(s.aofPath(s.aofIncr), func(err error) {
		s.aofFsyncing = false
		if errors.Is(err, fs.ErrNotExist) {
			// Redis fsyncs the descriptor it appends to, which cannot be
			// missing, and its bio thread takes EBADF for no failure.
			// The node fsyncs a name, which a failed rewrite may have
			// removed: nothing to sync, and nothing to refuse writes for.
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

// startRewrite is rewriteAppendOnlyFileBackground: what is buffered goes
// to the current incr file, a new incr file takes the writes from now on
// (its manifest persisted first, holding the node; a temp incr file
// instead while the AOF waits for this rewrite), and the child writes the
// dataset as of now (a fork is an instant snapshot) to a temp file, which
// serverCron turns into the new base once it is written and fsynced.
// done reports whether the rewrite started.
func (s *Server) startRewrite(done func(ok bool)) {
	if s.hasChild() {
		done(false)
		return
	}
	s.aofSelDB = -1
	s.flushAOFNow(func() {
		s.openNewIncr(func(ok bool) {
			if !ok {
				s.aofLastRewriteOK = false
				done(false)
				return
			}
			s.forkRewrite()
			done(true)
		})
	})
}

// flushAOFNow is flushAppendOnlyFile(1) before an incr file is switched:
// the buffer written, and with appendfsync always fsynced, holding the
// node, so that no acknowledged write waits on a file being left.
func (s *Server) flushAOFNow(then func()) {
	if !s.aofOn || s.aofIncr == "" || len(s.aofBuf) == 0 {
		then()
		return
	}
	path := s.aofPath(s.aofIncr)
	if err := s.env.Disk().Append(path, s.aofBuf); err != nil {
		// Left in the buffer: flushAOF retries it into the new file.
		s.env.Logf("Error writing to the AOF file: %v", err)
		then()
		return
	}
	s.aofSize += int64(len(s.aofBuf))
	s.aofLastIncrSize += int64(len(s.aofBuf))
	s.aofBuf = s.aofBuf[:0]
	if s.cfg.AppendFsync != "always" {
		then()
		return
	}
	s.holdSync(path, func(err error) {
		if err != nil {
			s.env.Logf("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %v. Exiting...", err)
			s.crashExit()
			return
		}
		s.aofLastFsyncMs = s.nowMs()
		then()
	})
}

// openNewIncr is openNewIncrAofForAppend: nothing while the AOF is off.
func (s *Server) openNewIncr(done func(ok bool)) {
	if !s.aofOn {
		done(true)
		return
	}
	var tm *aofManifest
	var name string
	if s.aofWaitRewrite {
		name = s.tempIncrName()
	} else {
		tm = s.aofManifest.clone()
		name = tm.newIncr(s.cfg.AppendFilename)
	}
	disk := s.env.Disk()
	if err := disk.Write(s.aofPath(name), nil); err != nil {
		s.env.Logf("Can't open the append-only file %s: %v", name, err)
		done(false)
		return
	}
	switchTo := func() {
		s.env.Logf("Creating AOF incr file %s on background rewrite", name)
		if s.aofIncr != "" {
			// aof_background_fsync_and_close: the file being left is
			// fsynced in the background, whatever the policy.
			disk.Sync(s.aofPath(s.aofIncr), func(error) {})
			s.aofLastFsyncMs = s.nowMs()
		}
		s.aofIncr = name
		s.aofLastIncrSize = 0
		if tm != nil {
			s.aofManifest = tm
		}
		done(true)
	}
	if tm == nil {
		switchTo()
		return
	}
	s.persistManifest(tm, func(ok bool) {
		if !ok {
			done(false)
			return
		}
		switchTo()
	})
}

// forkRewrite is the fork of rewriteAppendOnlyFileBackground and the
// child's rewriteAppendOnlyFile: the dataset now, written to a temp file
// and fsynced while the node goes on, then renamed to the bg temp file.
func (s *Server) forkRewrite() {
	s.aofRewrites++
	s.aofChildPid++
	if s.aofChildPid == serverPid {
		s.aofChildPid++
	}
	s.aofChildGen++
	gen := s.aofChildGen
	s.aofRewriting, s.aofChildDone, s.aofChildOK = true, false, false
	s.aofScheduled = false
	s.aofRewriteStartMs = s.nowMs()
	s.env.Logf("Background append only file rewriting started by pid %d", s.aofChildPid)
	disk := s.env.Disk()
	tmp, bg := s.rewriteTemp(false), s.rewriteTemp(true)
	exit := func(ok bool) {
		if gen != s.aofChildGen {
			return // killed meanwhile
		}
		s.aofChildDone, s.aofChildOK = true, ok
	}
	if err := disk.Write(tmp, s.aofBase()); err != nil {
		s.env.Logf("Write error writing append only file on disk: %v", err)
		_ = disk.Remove(tmp)
		exit(false)
		return
	}
	disk.Sync(tmp, func(err error) {
		if gen != s.aofChildGen {
			return
		}
		if err == nil {
			err = disk.Rename(tmp, bg)
		}
		if err != nil {
			s.env.Logf("Write error writing append only file on disk: %v", err)
			_ = disk.Remove(tmp)
			exit(false)
			return
		}
		s.env.Logf("Successfully created the temporary AOF base file %s", bg)
		exit(true)
	})
}

// rewriteDone is backgroundRewriteDoneHandler, run by serverCron once the
// child has exited: the temp file becomes the next base, the incr files
// it covers become history, and the manifest saying so is persisted
// (holding the node) before the history is deleted. Until that manifest
// is on disk the old one still names every file a load needs.
func (s *Server) rewriteDone() {
	if !s.aofChildOK {
		s.aofLastRewriteOK = false
		s.aofRewriteFails++
		s.env.Logf("Background AOF rewrite terminated with error")
		s.rewriteCleanup()
		return
	}
	s.env.Logf("Background AOF rewrite terminated with success")
	disk := s.env.Disk()
	fail := func() {
		s.aofLastRewriteOK = false
		s.aofRewriteFails++
		s.rewriteCleanup()
	}
	tm := s.aofManifest.clone()
	base := tm.newBase(s.cfg.AppendFilename, s.cfg.AOFUseRDBPreamble)
	bg := s.rewriteTemp(true)
	if err := disk.Rename(bg, s.aofPath(base)); err != nil {
		s.env.Logf("Error trying to rename the temporary AOF base file %s into %s: %v", bg, s.aofPath(base), err)
		fail()
		return
	}
	s.env.Logf("Successfully renamed the temporary AOF base file %s into %s", bg, base)
	newIncr := ""
	if s.aofWaitRewrite {
		tmpIncr := s.tempIncrName()
		newIncr = tm.newIncr(s.cfg.AppendFilename)
		if err := disk.Rename(s.aofPath(tmpIncr), s.aofPath(newIncr)); err != nil {
			s.env.Logf("Error trying to rename the temporary AOF incr file %s into %s: %v", s.aofPath(tmpIncr), s.aofPath(newIncr), err)
			_ = disk.Remove(s.aofPath(base))
			fail()
			return
		}
		s.env.Logf("Successfully renamed the temporary AOF incr file %s into %s", tmpIncr, newIncr)
		s.aofIncr = newIncr // the descriptor follows its file
	}
	tm.markIncrsHistory(s.aofIncr != "")
	s.persistManifest(tm, func(ok bool) {
		if !ok {
			_ = disk.Remove(s.aofPath(base))
			if newIncr != "" {
				_ = disk.Remove(s.aofPath(newIncr))
			}
			fail()
			return
		}
		s.aofManifest = tm
		if s.aofOn {
			s.aofSize = s.aofFileSize(base) + s.aofLastIncrSize
			s.aofBaseSize = s.aofSize
		}
		s.deleteAOFHistory(func() {
			s.aofLastRewriteOK = true
			s.aofRewriteFails = 0
			s.env.Logf("Background AOF rewrite finished successfully")
			s.aofWaitRewrite = false
			s.rewriteCleanup()
		})
	})
}

// rewriteCleanup is the end of backgroundRewriteDoneHandler, whatever
// the outcome.
func (s *Server) rewriteCleanup() {
	s.removeRewriteTemps()
	if s.aofWaitRewrite {
		s.aofBuf = s.aofBuf[:0]
		name := s.tempIncrName()
		s.env.Logf("Removing the temp incr aof file %s in the background", name)
		_ = s.env.Disk().Remove(s.aofPath(name))
		if s.aofIncr == name {
			s.aofIncr = ""
		}
	}
	s.aofRewriteLastSec = (s.nowMs() - s.aofRewriteStartMs) / 1000
	s.aofRewriteStartMs = -1
	s.aofRewriting, s.aofChildDone = false, false
	if s.aofWaitRewrite {
		s.aofScheduled = true
	}
	s.startPendingFork() // checkChildrenDone
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

// infoAOF writes INFO persistence's AOF fields, as 7.0 shows them; the
// sizes only while appendonly is yes (server.aof_enabled, the config).
func (s *Server) infoAOF(b *strings.Builder) {
	field(b, "aof_enabled", s.aofOn)
	field(b, "aof_rewrite_in_progress", s.aofRewriting)
	field(b, "aof_rewrite_scheduled", s.aofScheduled)
	field(b, "aof_last_rewrite_time_sec", s.aofRewriteLastSec)
	current := int64(-1)
	if s.aofRewriting {
		current = (s.nowMs() - s.aofRewriteStartMs) / 1000
	}
	field(b, "aof_current_rewrite_time_sec", current)
	field(b, "aof_last_bgrewrite_status", okErr(s.aofLastRewriteOK))
	field(b, "aof_rewrites", s.aofRewrites)
	field(b, "aof_rewrites_consecutive_failures", s.aofRewriteFails)
	field(b, "aof_last_write_status", okErr(s.aofWriteErr == ""))
	field(b, "aof_last_cow_size", 0)
	field(b, "module_fork_in_progress", 0)
	field(b, "module_fork_last_cow_size", 0)
	if s.cfg.AppendOnly {
		field(b, "aof_current_size", s.aofSize)
		field(b, "aof_base_size", s.aofBaseSize)
		field(b, "aof_pending_rewrite", s.aofScheduled)
		field(b, "aof_buffer_length", len(s.aofBuf))
		pending := 0
		if s.aofFsyncing {
			pending = 1
		}
		field(b, "aof_pending_bio_fsync", pending)
		field(b, "aof_delayed_fsync", s.aofDelayedFsync)
	}
}
