package redis

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/rdb"
	"github.com/redsim/redsim/nodes/redis/stream"
)

var persistenceCommands = []cmdSpec{
	{"save", 1, fadm | flagNoMulti | flagStale, saveCommand, noKeys},
	{"bgsave", -1, fadm | flagStale, bgsaveCommand, noKeys},
	{"lastsave", 1, 0 | flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(c.s.lastSaveMs / 1000) }, noKeys},
	{"bgrewriteaof", 1, fadm | flagStale, bgrewriteaofCommand, noKeys},
}

// snapshot serialises the dataset: the instant copy a fork gives Redis.
func (s *Server) snapshot() []byte {
	w := rdb.NewWriter(nil)
	w.Aux("redis-ver", Version)
	w.Aux("ctime", strconv.FormatInt(s.nowMs()/1000, 10))
	// What a restarted replica needs to PSYNC from where it was.
	if s.isReplica() {
		id, off := s.replid, s.offset
		if s.master == nil {
			id, off = s.cachedReplid, s.cachedOffset
		}
		if id != "" && off >= 0 {
			w.Aux("repl-id", id)
			w.Aux("repl-offset", strconv.FormatInt(off, 10))
		}
	}
	for _, d := range s.dbs {
		if d.keys.Len() == 0 {
			continue
		}
		w.SelectDB(d.id)
		d.keys.All(func(key string, o *object) bool {
			exp := int64(-1)
			if o.expireAt != 0 {
				exp = o.expireAt
			}
			k := []byte(key)
			switch o.kind {
			case kindString:
				w.Key(rdb.TypeString, k, exp, 1)
				w.Elem(o.str)
			case kindList:
				w.Key(rdb.TypeList, k, exp, o.list.Len())
				for i := 0; i < o.list.Len(); i++ {
					w.Elem(o.list.At(i))
				}
			case kindSet:
				w.Key(rdb.TypeSet, k, exp, o.set.len())
				o.set.each(w.Elem)
			case kindHash:
				w.Key(rdb.TypeHash, k, exp, o.hash.len())
				o.hash.each(func(f, v []byte) { w.Elem(f); w.Elem(v) })
			case kindZSet:
				w.Key(rdb.TypeZSet, k, exp, o.zset.Len())
				for m, sc := range o.zset.All() {
					w.Elem([]byte(m))
					w.Score(sc)
				}
			case kindStream:
				w.Key(rdb.TypeStream, k, exp, 1)
				w.Elem(o.stream.AppendBinary(nil))
			}
			return true
		})
	}
	return w.Finish()
}

// loadRDB rebuilds the dataset from the snapshot file; a missing file is an
// empty dataset, a bad one stops the node as Redis stops.
func (s *Server) loadRDB() bool {
	data, err := s.env.Disk().Read(s.cfg.DBFilename)
	if err != nil {
		return true
	}
	r, err := rdb.NewReader(data)
	if err == nil {
		if id, ok := r.AuxValue("repl-id"); ok {
			if off, ok := r.AuxValue("repl-offset"); ok {
				if n, perr := strconv.ParseInt(off, 10, 64); perr == nil {
					s.loadedReplid, s.loadedOffset = id, n
				}
			}
		}
		for {
			var e rdb.Entry
			var ok bool
			e, ok, err = r.Next()
			if err != nil || !ok {
				break
			}
			s.loadEntry(e)
		}
	}
	if err != nil {
		switch {
		case errors.Is(err, rdb.ErrChecksum):
			s.env.Logf("Wrong RDB checksum in %s: %v. Aborting now.", s.cfg.DBFilename, err)
		case errors.Is(err, rdb.ErrTruncated):
			s.env.Logf("Short read or OOM loading DB %s: %v. Unrecoverable error, aborting now.", s.cfg.DBFilename, err)
		default:
			s.env.Logf("Bad file format reading %s: %v. Aborting now.", s.cfg.DBFilename, err)
		}
		return false
	}
	s.env.Logf("DB loaded from disk: %d bytes", len(data))
	return true
}

func (s *Server) loadEntry(e rdb.Entry) {
	if e.DB < 0 || e.DB >= len(s.dbs) {
		return
	}
	if e.ExpireAtMs >= 0 && e.ExpireAtMs <= s.expireNowMs() && !s.isReplica() {
		return // expired while the node was down: not loaded, as on a master
	}
	o := &object{}
	switch e.Type {
	case rdb.TypeString:
		o = stringObject(bytes.Clone(e.Elems[0])) // rdbLoadObject's tryObjectEncoding
	case rdb.TypeList:
		o.kind, o.list = kindList, &list{}
		for _, v := range e.Elems {
			o.list.pushBack(bytes.Clone(v))
		}
	case rdb.TypeSet:
		if len(e.Elems) == 0 {
			return
		}
		o.kind, o.set = kindSet, newSetFor(e.Elems[0])
		for _, v := range e.Elems {
			o.set.add(s, v)
		}
	case rdb.TypeHash:
		o.kind, o.hash = kindHash, &hash{}
		for i := 0; i+1 < len(e.Elems); i += 2 {
			o.hash.set(s, e.Elems[i], e.Elems[i+1])
		}
	case rdb.TypeZSet:
		if len(e.Elems) == 0 {
			return
		}
		o.kind = kindZSet
		o.zset = s.newZSet(e.Elems[0])
		for i, m := range e.Elems {
			o.zset.Insert(string(m), e.Scores[i])
			s.zsetCheckConvert(o.zset, m)
		}
	case rdb.TypeStream:
		st, err := stream.Decode(e.Elems[0])
		if err != nil {
			s.env.Logf("Stream %q in the snapshot does not decode: %v", e.Key, err)
			return
		}
		o.kind, o.stream = kindStream, st
	default:
		return
	}
	if e.ExpireAtMs >= 0 {
		o.expireAt = max(e.ExpireAtMs, 1)
	}
	s.dbs[e.DB].add(string(e.Key), o)
}

// load reads the dataset at boot: the AOF when appendonly is on, else the
// RDB file.
func (s *Server) load() bool {
	s.lastBgsaveOK = true
	s.aofLastRewriteOK = true
	var ok bool
	if s.cfg.AppendOnly {
		ok = s.loadAOF()
	} else {
		ok = s.loadRDB()
	}
	s.dirty = 0
	return ok
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
	disk := s.env.Disk()
	finish := func(err error) {
		s.bgsaving = false
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
			if s.stopped && done == nil {
				return
			}
			finish(err)
		})
		return true
	}
	disk.Sync(tmp, func(err error) {
		if s.stopped && done == nil {
			return
		}
		if err == nil {
			err = disk.Rename(tmp, s.cfg.DBFilename)
		}
		finish(err)
	})
	return true
}

// saveSync is SAVE: a snapshot while the node waits, replies included.
func (s *Server) saveSync(done func(ok bool)) {
	s.sleeping = true
	s.bgsave(func(ok bool) {
		s.sleeping = false
		done(ok)
		s.flushReplies()
		s.resume()
	})
}

func saveCommand(c *client, args [][]byte) {
	if c.s.bgsaving {
		c.w.WriteError("ERR Background save already in progress")
		return
	}
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
	if c.s.bgsaving {
		if len(args) == 2 {
			c.w.WriteSimpleString("Background saving scheduled")
			return
		}
		c.w.WriteError("ERR Background save already in progress")
		return
	}
	c.s.bgsave(nil)
	c.w.WriteSimpleString("Background saving started")
}

func bgrewriteaofCommand(c *client, args [][]byte) {
	if c.s.aofRewriting {
		c.w.WriteError("ERR Background append only file rewriting already in progress")
		return
	}
	if !c.s.cfg.AppendOnly {
		// Redis rewrites anyway into a file it will not use; keep it simple
		// and honest: say it started, as Redis does, and write the file.
		c.s.aofSelDB = -1
	}
	c.s.rewriteAOF()
	c.w.WriteSimpleString("Background append only file rewriting started")
}

// rdbSaveNow writes a snapshot in the background, as FLUSHALL does.
func (s *Server) rdbSaveNow() { s.bgsave(nil) }

// persistCron is the part of serverCron that saves on save points and
// fsyncs the AOF every second.
func (s *Server) persistCron() {
	s.aofCron()
	if s.bgsaving || s.aofRewriting {
		return
	}
	now := s.nowMs()
	for _, sp := range s.cfg.Save {
		if s.dirty >= int64(sp.Changes) && now-s.lastSaveMs > int64(sp.Seconds)*1000 && (s.lastBgsaveOK || now-s.lastSaveMs > 5000) {
			s.env.Logf("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			s.bgsave(nil)
			break
		}
	}
}

// prepareShutdown is SHUTDOWN: with save, write a final snapshot (and
// refuse to stop if it fails); with the AOF on, fsync it; then exit.
func (s *Server) prepareShutdown(save, nosave bool) bool {
	s.env.Logf("User requested shutdown...")
	exit := func() {
		s.stopped = true
		s.env.Cancel(s.cron)
		s.env.Logf("Redis is now ready to exit, bye bye...")
		s.env.Exit()
	}
	if s.aofOn {
		if len(s.aofBuf) > 0 {
			_ = s.env.Disk().Append(s.cfg.AppendFilename, s.aofBuf)
			s.aofBuf = s.aofBuf[:0]
		}
	}
	if !save || nosave {
		if s.aofOn {
			s.stopped = true
			s.env.Disk().Sync(s.cfg.AppendFilename, func(error) { exit() })
			return true
		}
		exit()
		return true
	}
	s.stopped = true
	s.bgsaving = false
	s.bgsave(func(ok bool) {
		if !ok {
			s.env.Logf("Error trying to save the DB, can't exit.")
		}
		exit()
	})
	return true
}
