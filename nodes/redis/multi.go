package redis

import "github.com/redsim/redsim/nodes/redis/acl"

var multiCommands = []cmdSpec{
	{"multi", 1, flagNoScript | flagStale, multiCommand, noKeys},
	{"exec", 1, flagNoScript | flagStale, execCommand, noKeys},
	{"discard", 1, flagNoScript | flagStale, discardCommand, noKeys},
	{"watch", -2, flagNoScript | flagStale, watchCommand, allKeys},
	{"unwatch", 1, flagNoScript | flagStale, unwatchCommand, noKeys},
}

func multiCommand(c *client, args [][]byte) {
	if c.multi {
		c.w.WriteError("ERR MULTI calls can not be nested")
		return
	}
	c.multi = true
	c.w.WriteOK()
}

// queuedWrite reports whether the transaction has a write queued (Redis's
// mstate.cmd_flags & CMD_WRITE).
func (c *client) queuedWrite() bool {
	for _, q := range c.queue {
		if cmd := c.s.lookup(q); cmd != nil && cmd.flags&flagWrite != 0 {
			return true
		}
	}
	return false
}

func (c *client) discardTransaction() {
	c.multi, c.dirtyExec, c.queue = false, false, nil
	c.unwatchAll()
}

func discardCommand(c *client, args [][]byte) {
	if !c.multi {
		c.w.WriteError("ERR DISCARD without MULTI")
		return
	}
	c.discardTransaction()
	c.w.WriteOK()
}

func execCommand(c *client, args [][]byte) {
	s := c.s
	if !c.multi {
		c.w.WriteError("ERR EXEC without MULTI")
		return
	}
	if c.dirtyExec {
		c.discardTransaction()
		c.w.WriteError("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if c.dirtyCAS {
		c.discardTransaction()
		c.w.WriteNullArray()
		return
	}
	queue := c.queue
	c.multi, c.queue = false, nil
	c.unwatchAll()
	c.w.WriteArrayLen(len(queue))
	s.execDepth++
	c.deniedBlocking = true
	for _, q := range queue {
		cmd := s.lookup(q)
		c.lastCmd = cmd.name
		// ACLs are checked again: they may have changed since queueing.
		if v := c.checkACL(cmd, q, acl.ContextMulti); !v.OK() {
			c.w.WriteError("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + execDenial(v.Reason))
			continue
		}
		s.call(c, cmd, q)
	}
	c.deniedBlocking = false
	s.execDepth--
	if s.execDepth == 0 {
		s.closeTxn()
	}
	c.noProp = true // EXEC itself is not propagated
}

func watchCommand(c *client, args [][]byte) {
	if c.multi {
		c.w.WriteError("ERR WATCH inside MULTI is not allowed")
		return
	}
	if c.dirtyCAS {
		// Already doomed; watching more cannot change the outcome.
		c.w.WriteOK()
		return
	}
	for _, k := range args[1:] {
		dk := dbKey{c.db.id, string(k)}
		already := false
		for _, w := range c.watching {
			if w == dk {
				already = true
				break
			}
		}
		if already {
			continue
		}
		c.watching = append(c.watching, dk)
		c.s.watched[dk] = append(c.s.watched[dk], c)
	}
	c.w.WriteOK()
}

func unwatchCommand(c *client, args [][]byte) {
	c.unwatchAll()
	c.dirtyCAS = false
	c.w.WriteOK()
}

func (c *client) unwatchAll() {
	for _, dk := range c.watching {
		l := c.s.watched[dk]
		for i, x := range l {
			if x == c {
				l = append(l[:i], l[i+1:]...)
				break
			}
		}
		if len(l) == 0 {
			delete(c.s.watched, dk)
		} else {
			c.s.watched[dk] = l
		}
	}
	c.watching = nil
	c.dirtyCAS = false
}

// signalModified is signalModifiedKey: WATCHers of key lose their
// transaction.
func (s *Server) signalModified(d *db, key string) {
	s.datasetChanged()
	s.memTouched(d, key)
	s.trackingInvalidate(key, s.current, true)
	if len(s.watched) == 0 {
		return
	}
	s.touchWatched(d, key)
}

// signalNeedsKey reports whether signalModified has more to do than
// datasetChanged: maxmemory accounting, client tracking or a WATCH, each
// the condition of one of its parts (modified skips it otherwise; a new
// part there needs its condition here).
func (s *Server) signalNeedsKey() bool {
	return s.mem.tracking || s.trackingOn != 0 || s.trackedKeys.Len() != 0 || len(s.watched) != 0
}

func (s *Server) touchWatched(d *db, key string) {
	for _, c := range s.watched[dbKey{d.id, key}] {
		c.dirtyCAS = true
	}
}

// forWatched calls fn for each watched key of d (FLUSHDB touches them all).
func (s *Server) forWatched(d *db, fn func(key string)) {
	for dk := range s.watched { //redsim:ordered fn only sets flags; order cannot show
		if dk.db == d.id {
			fn(dk.key)
		}
	}
}

// execDenial is EXEC's reason text for a command its ACLs now deny.
func execDenial(r acl.Reason) string {
	switch r {
	case acl.DeniedCommand:
		return "no permission to execute the command or subcommand"
	case acl.DeniedKey:
		return "no permission to touch the specified keys"
	case acl.DeniedChannel:
		return "no permission to access one of the channels used as arguments"
	}
	return "no permission"
}

// endsQueueing reports whether cmd runs at once inside MULTI rather than
// being queued (processCommand's list).
func endsQueueing(cmd *command) bool {
	switch cmd.name {
	case "exec", "discard", "multi", "watch", "reset", "quit":
		return true
	}
	return false
}
