package redis

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/redis/scripting"
)

var persistenceCommands = []cmdSpec{
	{"save", 1, fadm | flagNoMulti, saveCommand, noKeys},
	{"bgsave", -1, fadm, bgsaveCommand, noKeys},
	{"lastsave", 1, 0 | flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(c.s.lastSaveMs / 1000) }, noKeys},
	{"bgrewriteaof", 1, fadm, bgrewriteaofCommand, noKeys},
}

// snapshot serialises the dataset in Redis 7.0's RDB format: the instant
// copy a fork gives Redis, for SAVE, BGSAVE, shutdown and a full resync.
func (s *Server) snapshot() []byte { return s.snapshotFor(false, false, false) }

// replSnapshot is the snapshot a full sync sends r: its REPLCONF
// rdb-filter-only may leave out the keys or the functions.
func (s *Server) replSnapshot(r *client) []byte { return s.snapshotFor(false, r.noData, r.noFunctions) }

// sameReplReq reports whether two replicas can share one snapshot.
func sameReplReq(a, b *client) bool { return a.noData == b.noData && a.noFunctions == b.noFunctions }

// snapshotFor is snapshot, or (aofBase) the RDB base of the AOF, which
// rdbSaveRio writes with aof-base 1 and no replication info; noData and
// noFunctions leave those parts out (a replica's rdb-filter-only).
func (s *Server) snapshotFor(aofBase, noData, noFunctions bool) []byte {
	w := rdbfile.NewWriter(nil, s.rdbOptions())
	info := rdbfile.Info{
		RedisVer: Version,
		Bits:     64,
		CTime:    s.nowMs() / 1000,
		UsedMem:  s.usedMemory(),
		AOFBase:  aofBase,
	}
	if !aofBase {
		info.Repl = s.saveReplInfo()
	}
	w.InfoAux(info)
	if s.funcs != nil && !noFunctions {
		for _, code := range s.funcs.Codes() {
			w.Function(code)
		}
	}
	for _, d := range s.dbs {
		if d.keys.Len() == 0 || noData {
			continue
		}
		w.SelectDB(d.id, uint64(d.keys.Len()), uint64(d.expires.Len()))
		d.keys.All(func(key string, o *object) bool {
			meta := rdbfile.NoMeta
			meta.ExpireAtMs = s.rdbExpireAt(o)
			if err := w.Key([]byte(key), o.rdbValue(), meta); err != nil {
				// The node never holds what the format cannot take (an
				// empty collection, a NaN score); say so if it does.
				s.env.Logf("Snapshot left out a key the RDB format cannot hold: %v", err)
			}
			return true
		})
	}
	return w.Finish()
}

// saveReplInfo is rdbPopulateSaveInfo: the replication ID, offset and
// selected db a restarted node needs to PSYNC from where it was. A master
// has them once it has a backlog (it is in a replication chain), a
// replica while it has a master or a cached one; nil otherwise.
func (s *Server) saveReplInfo() *rdbfile.ReplInfo {
	switch {
	case !s.isReplica():
		if s.backlog == nil {
			return nil
		}
		// -1 (no write since the last full sync) is saved as 0: the next
		// write selects its db anyway.
		return &rdbfile.ReplInfo{StreamDB: max(s.replSelDB, 0), ID: s.replid, Offset: s.offset}
	case s.master != nil:
		return &rdbfile.ReplInfo{StreamDB: s.master.db.id, ID: s.replid, Offset: s.offset}
	case s.cachedReplid != "" && s.cachedOffset >= 0:
		return &rdbfile.ReplInfo{StreamDB: s.cachedDB, ID: s.cachedReplid, Offset: s.cachedOffset}
	}
	return nil
}

// loadRDB rebuilds the dataset from the snapshot file at boot; a missing
// file is an empty dataset, a bad one stops the node as Redis stops. The
// plan is the load's window (nil for a missing file, which Redis does not
// even start loading).
func (s *Server) loadRDB() (bool, *loadPlan) {
	name := s.cfg.DBFilename
	data, err := s.env.Disk().Read(name)
	if err != nil {
		return true, nil
	}
	f, err := rdbfile.ReadAll(data, s.rdbReadOptions())
	if err == nil {
		err = s.applyRDB(f, !s.isReplica())
	}
	if err == nil && !s.isReplica() && s.cl == nil {
		// A master drops the keys found expired and feeds their DELs
		// to its backlog (RDBFLAGS_FEED_REPL); initReplication does,
		// once the backlog is there.
		now := s.nowMs()
		for _, k := range f.Keys {
			if k.Meta.ExpireAtMs != -1 && k.Meta.ExpireAtMs < now {
				s.loadExpired = append(s.loadExpired, dbKey{k.DB, string(k.Key)})
			}
		}
	}
	if err != nil {
		s.logLoadError(err)
		s.env.Logf("Fatal error loading the DB %s: %v. Exiting.", name, err)
		return false, nil
	}
	if id, ok := f.AuxValue("repl-id"); ok {
		off, ok1 := f.AuxValue("repl-offset")
		db, ok2 := f.AuxValue("repl-stream-db")
		n, err1 := strconv.ParseInt(off, 10, 64)
		dbn, err2 := strconv.Atoi(db)
		// Older files may hold a repl-stream-db of -1, which Redis does
		// not trust (loadDataFromDisk).
		if ok1 && ok2 && err1 == nil && err2 == nil && dbn >= 0 && dbn < len(s.dbs) && len(id) == 40 && n != -1 {
			s.loadedReplid, s.loadedOffset, s.loadedDB = id, n, dbn
		}
	}
	if f.EmptyKeysSkipped > 0 {
		s.env.Logf("Done loading RDB, keys loaded: %d, keys expired: 0, empty keys skipped: %d.", len(f.Keys), f.EmptyKeysSkipped)
	}
	p := s.newLoadPlan(int64(len(data)))
	p.usedMem = rdbUsedMem(f)
	s.planRDB(p, int64(len(data)))
	return true, p
}

// rdbUsedMem is the file's used-mem aux field, which rdbLoadRio keeps as
// loading_rdb_used_mem; 0 when it has none.
func rdbUsedMem(f *rdbfile.File) int64 {
	v, ok := f.AuxValue("used-mem")
	if !ok {
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// logLoadError logs a bad file as rdbLoadRio does before Redis exits.
func (s *Server) logLoadError(err error) {
	switch {
	case errors.Is(err, rdbfile.ErrChecksum):
		s.env.Logf("Wrong RDB checksum. Aborting now.")
	case errors.Is(err, rdbfile.ErrTruncated):
		s.env.Logf("Short read or OOM loading DB. Unrecoverable error, aborting now.")
	case errors.Is(err, rdbfile.ErrVersion):
		s.env.Logf("Can't handle RDB format version: %v", err)
	default:
		s.env.Logf("Internal error in RDB reading: %v", err)
	}
}

// applyRDB replaces the dataset and the function libraries with a file's,
// or, when the file holds what the node cannot load, returns why and
// leaves everything as it was. dropExpired is a master's load: keys whose
// time has passed are not loaded (a replica waits for its master's DEL).
func (s *Server) applyRDB(f *rdbfile.File, dropExpired bool) error {
	type loaded struct {
		db  int
		key string
		o   *object
	}
	now := s.nowMs()
	var expired int64
	objs := make([]loaded, 0, len(f.Keys))
	seen := make([]dict[struct{}], len(s.dbs))
	for _, k := range f.Keys {
		if k.DB < 0 || k.DB >= len(s.dbs) {
			return fmt.Errorf("the file selects db %d; this server has %d databases", k.DB, len(s.dbs))
		}
		if !seen[k.DB].Set(string(k.Key), struct{}{}) {
			return fmt.Errorf("RDB has duplicated key '%s' in DB %d", k.Key, k.DB)
		}
		if dropExpired && k.Meta.ExpireAtMs != -1 && k.Meta.ExpireAtMs < now {
			expired++
			continue
		}
		o, err := s.objectFromRDB(k.Value)
		if err != nil {
			return fmt.Errorf("key %q: %w", k.Key, err)
		}
		if k.Meta.ExpireAtMs != -1 {
			o.expireAt = s.expireFromRDB(k.Meta.ExpireAtMs)
		}
		objs = append(objs, loaded{k.DB, string(k.Key), o})
	}
	if len(f.Functions) > 0 || s.funcs != nil {
		if err := s.functions().Restore(f.Functions, scripting.RestoreFlush); err != nil {
			return fmt.Errorf("failed loading the function libraries: %v", err)
		}
	}
	for _, d := range s.dbs {
		d.flush()
	}
	for _, l := range objs {
		s.dbs[l.db].add(l.key, l.o)
	}
	s.rdbLoadLoaded, s.rdbLoadExpired = int64(len(objs)), expired
	return nil
}

// load reads the dataset at boot (loadDataFromDisk): the AOF when
// appendonly is on, else the RDB file. done runs with whether the node
// may go on.
func (s *Server) load(done func(ok bool)) {
	s.lastBgsaveOK = true
	s.aofLastRewriteOK = true
	s.aofRewriteLastSec, s.aofRewriteStartMs = -1, -1
	s.rdbSaveLastSec = -1
	s.aofChildPid = serverPid
	if s.cfg.AppendOnly {
		s.loadAOF(func(ok bool, p *loadPlan) {
			s.runLoad(p, func() {
				if p != nil {
					s.env.Logf("DB loaded from append only file: %s seconds", loadSeconds(p.at))
				}
				s.dirty = 0
				done(ok)
			})
		})
		return
	}
	ok, p := s.loadRDB()
	s.runLoad(p, func() {
		if p != nil {
			s.env.Logf("DB loaded from disk: %s seconds", loadSeconds(p.at))
		}
		s.dirty = 0
		done(ok)
	})
}

// bgsave writes a snapshot in the background: the data is taken now, the
// write and fsync take disk time, and the rename makes it the new file.
// done, if set, runs with the outcome.
func (s *Server) bgsave(done func(ok bool)) bool {
	if s.bgsaving {
		return false
	}
	s.bgsaving = true
	s.dirtyAtBgsave = s.dirty
	data := s.snapshot()
	tmp := "temp-" + strconv.FormatInt(s.nowMs(), 10) + ".rdb"
	s.rdbGen++
	gen := s.rdbGen
	s.rdbTmp = tmp
	disk := s.env.Disk()
	finish := func(err error) {
		if s.rdbGen != gen {
			return // killed (killRDBChild)
		}
		s.bgsaving = false
		// checkChildrenDone starts a snapshot replicas wait for at once.
		defer s.startPendingFork()
		if s.rdbSaveTimed {
			s.rdbSaveTimed = false
			s.rdbSaveLastSec = s.nowMs()/1000 - s.rdbSaveStartSec
		}
		if err != nil {
			s.env.Logf("Background saving error: %v", err)
			_ = disk.Remove(tmp)
			s.lastBgsaveOK = false
		} else {
			s.env.Logf("Background saving terminated with success")
			s.dirty -= s.dirtyAtBgsave
			s.lastSaveMs = s.nowMs()
			s.lastBgsaveOK = true
		}
		if done != nil {
			done(err == nil)
		}
	}
	if err := disk.Write(tmp, data); err != nil {
		finish(err)
		return true
	}
	if bugs.On(bugs.RDBRenameBeforeFsync) {
		// The new file replaces the old one before its data is durable:
		// a power loss now leaves an empty or short dump.rdb.
		if err := disk.Rename(tmp, s.cfg.DBFilename); err != nil {
			finish(err)
			return true
		}
		disk.Sync(s.cfg.DBFilename, func(err error) {
			if (s.stopped && done == nil) || s.rdbGen != gen {
				return
			}
			finish(err)
		})
		return true
	}
	syncTmp := func() {
		disk.Sync(tmp, func(err error) {
			if (s.stopped && done == nil) || s.rdbGen != gen {
				return // the node is gone, or the save was killed
			}
			if err == nil {
				err = disk.Rename(tmp, s.cfg.DBFilename)
			}
			finish(err)
		})
	}
	if siteBgsaveSlow.Fire(s.env) {
		s.env.After(siteBgsaveSlow.Delay(s.env, 5*time.Second), syncTmp)
		return true
	}
	syncTmp()
	return true
}

// killRDBChild is killRDBChild and rdbRemoveTempFile: the background save
// is abandoned (its pending disk work reports to no one) and its temp
// file removed; the next cron reaps the child (reapKilledRDBChild).
func (s *Server) killRDBChild() {
	if !s.bgsaving || s.rdbKilled {
		return
	}
	s.rdbGen++
	s.rdbKilled = true
	_ = s.env.Disk().Remove(s.rdbTmp)
}

// reapKilledRDBChild is checkChildrenDone finding the child that
// killRDBChild signalled: SIGUSR1 is no error (lastbgsave_status stays).
func (s *Server) reapKilledRDBChild() {
	if !s.rdbKilled {
		return
	}
	s.rdbKilled, s.bgsaving = false, false
	defer s.startPendingFork()
	s.env.Logf("Background saving terminated by signal 10")
	if s.rdbSaveTimed {
		s.rdbSaveTimed = false
		s.rdbSaveLastSec = s.nowMs()/1000 - s.rdbSaveStartSec
	}
}

// rdbSaveBackground is BGSAVE's and the save points' snapshot, the one
// INFO counts in rdb_saves and times: SAVE is counted, not timed; the
// saves of FLUSHALL and SHUTDOWN are neither.
func (s *Server) rdbSaveBackground() bool {
	if s.bgsaving {
		return false
	}
	s.stats.rdbSaves++
	s.rdbSaveTimed, s.rdbSaveStartSec = true, s.nowMs()/1000
	s.lastBgsaveTry = s.nowMs() / 1000
	return s.bgsave(nil)
}

// saveSync is SAVE: a snapshot while the node waits, replies included.
func (s *Server) saveSync(done func(ok bool)) {
	s.sleeping = true
	inCall := true
	wasOK := s.lastBgsaveOK
	s.bgsave(func(ok bool) {
		s.sleeping = false
		if !ok {
			// rdbSave's failure leaves lastbgsave_status as it was: only a
			// background save's failure refuses writes (MISCONF).
			s.lastBgsaveOK = wasOK
		}
		done(ok)
		if !inCall {
			// Reported by the disk later: the held node resumes. A
			// failure reported at once leaves SAVE's call to go on.
			s.flushReplies()
			s.resume()
		}
	})
	inCall = false
}

func saveCommand(c *client, args [][]byte) {
	if c.s.bgsaving {
		c.w.WriteError("ERR Background save already in progress")
		return
	}
	c.s.stats.rdbSaves++
	c.s.saveSync(func(ok bool) {
		if ok {
			c.w.WriteOK()
		} else {
			c.w.WriteError("ERR")
		}
		c.markPending()
	})
}

func bgsaveCommand(c *client, args [][]byte) {
	if len(args) > 2 || (len(args) == 2 && !bytes.EqualFold(args[1], []byte("schedule"))) {
		c.w.WriteError(errSyntax)
		return
	}
	s := c.s
	switch {
	case s.bgsaving || s.replChild:
		// child_type is RDB (a full sync's snapshot is one too).
		c.w.WriteError("ERR Background save already in progress")
	case s.aofRewriting || s.execDepth > 0:
		// Another child, or inside EXEC: scheduled when asked to (always
		// inside EXEC), for serverCron to start once no child runs.
		if len(args) == 2 || s.execDepth > 0 {
			s.bgsaveScheduled = true
			c.w.WriteSimpleString("Background saving scheduled")
			return
		}
		c.w.WriteError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
	default:
		s.rdbSaveBackground()
		c.w.WriteSimpleString("Background saving started")
	}
}

// bgrewriteaofCommand is BGREWRITEAOF. With the AOF off it still writes
// a base and a manifest naming only it, as Redis does. Its reply waits
// for what Redis does before it in the main thread: the flush of the AOF
// and the manifest of the new incr file, fsynced.
func bgrewriteaofCommand(c *client, args [][]byte) {
	s := c.s
	switch {
	case s.aofRewriting:
		c.w.WriteError("ERR Background append only file rewriting already in progress")
	case s.bgsaving || s.replChild || s.execDepth > 0:
		s.aofScheduled = true
		// A manual rewrite runs at once, whatever the failures before it.
		s.aofRewriteFails = 0
		c.w.WriteSimpleString("Background append only file rewriting scheduled")
	default:
		s.startRewrite(func(ok bool) {
			if ok {
				c.w.WriteSimpleString("Background append only file rewriting started")
			} else {
				c.w.WriteError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
			}
			c.markPending()
		})
	}
}

// rdbSaveNow writes a snapshot in the background, as FLUSHALL does.
func (s *Server) rdbSaveNow() { s.bgsave(nil) }

// persistCron is the part of serverCron that saves on save points and
// runs the AOF (aofCron).
func (s *Server) persistCron() {
	s.reapKilledRDBChild()
	s.aofCron()
	if s.hasChild() || s.sleeping {
		return // a full sync's snapshot is a child too
	}
	if s.bgsaveScheduled && (s.lastBgsaveOK || s.nowMs()/1000-s.lastBgsaveTry > 5) {
		// A BGSAVE SCHEDULE (or one inside EXEC) waited for no child.
		s.bgsaveScheduled = false
		s.rdbSaveBackground()
		s.autoRewrite()
		return
	}
	// In whole seconds, as Redis counts: a save point is due once more
	// than its seconds passed since the last save, and after a failed
	// save only more than CONFIG_BGSAVE_RETRY_DELAY (5 s) after the last
	// attempt.
	now := s.nowMs() / 1000
	for _, sp := range s.cfg.Save {
		if s.dirty >= int64(sp.Changes) && now-s.lastSaveMs/1000 > int64(sp.Seconds) && (s.lastBgsaveOK || now-s.lastBgsaveTry > 5) {
			s.env.Logf("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			s.rdbSaveBackground()
			break
		}
	}
	s.autoRewrite()
}
