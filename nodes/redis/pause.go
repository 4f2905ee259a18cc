package redis

import (
	"slices"

	"github.com/redsim/redsim/nodes/rnum"
)

// CLIENT PAUSE (networking.c's pauseClients). While a pause lasts, the
// commands it covers are postponed: the client stops reading and runs the
// command when the pause ends, clients in the order they were paused. A
// WRITE pause covers the commands that may replicate (writes, PUBLISH,
// EVAL, FCALL...) and lets reads, EVAL_RO and FCALL_RO through; ALL covers
// everything. Replicas are never paused. The dataset is held still: keys
// do not expire, lazily or actively, while any pause lasts. A pause ends
// at CLIENT UNPAUSE or, once its time has passed, at the next cron or
// expiry check.

// pauseType is Redis's pause_type; a larger one is more restrictive.
type pauseType uint8

const (
	pauseOff pauseType = iota
	pauseWrite
	pauseAll
)

// pauseState is the server's pause (the PAUSE_BY_CLIENT_COMMAND purpose,
// the only one the node has) and its postponed clients.
type pauseState struct {
	pause    pauseType
	pauseEnd int64 // ms on the wall clock, server.client_pause_end_time
	// postponed are the clients blocked by the pause (BLOCKED_POSTPONE),
	// in the order they were paused.
	postponed []*client
	// unblocked are clients to resume before the loop sleeps
	// (server.unblocked_clients): their pending input runs then.
	unblocked []*client
}

// pausedCmd is a client's command postponed by a pause.
type pausedCmd struct {
	args [][]byte
}

func clientPauseCommand(c *client, args [][]byte) {
	if len(args) > 4 {
		c.w.WriteError(subcommandSyntaxError(args))
		return
	}
	typ := pauseAll
	if len(args) == 4 {
		switch {
		case cEqualFold(args[3], "write"):
			typ = pauseWrite
		case cEqualFold(args[3], "all"):
		default:
			c.w.WriteError("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.w.WriteError("ERR timeout is negative")
		return
	}
	// A timeout of 0 is an end time of 0, and mstime()+ms overflows as
	// in C: either pause is over before it starts.
	end := int64(0)
	if ms > 0 {
		end = int64(uint64(c.s.nowMs()) + uint64(ms))
	}
	s := c.s
	if s.pause == pauseOff {
		s.pause, s.pauseEnd = typ, end
	} else {
		s.pause, s.pauseEnd = max(s.pause, typ), max(s.pauseEnd, end)
	}
	s.paused()
	c.w.WriteOK()
}

func clientUnpauseCommand(c *client, _ [][]byte) {
	c.s.setPause(pauseOff)
	c.w.WriteOK()
}

// setPause changes the pause; a less restrictive one releases the
// postponed clients, which are paused again if the new pause covers them.
func (s *Server) setPause(t pauseType) {
	old := s.pause
	s.pause = t
	if t == pauseOff {
		s.pauseEnd = 0
	}
	if t < old {
		s.unblocked = append(s.unblocked, s.postponed...)
		s.postponed = nil
	}
}

// paused is checkClientPauseTimeoutAndReturnIfPaused: whether a pause is
// in force, ending the one whose time has passed.
func (s *Server) paused() bool {
	mf := s.mfPaused()
	if s.pause == pauseOff {
		return s.fo.paused || mf || s.shut.endMs != 0
	}
	if s.pauseEnd < s.nowMs() {
		s.setPause(pauseOff)
	}
	return s.pause != pauseOff || s.fo.paused || mf || s.shut.endMs != 0
}

// postpones reports whether the pause in force covers cmd run by c, as
// processCommand checks it (is_may_replicate_command under WRITE).
func (s *Server) postpones(c *client, cmd *command) bool {
	pause := s.pause
	if (s.fo.paused || s.mfPaused() || s.shut.endMs != 0) && pause < pauseWrite {
		pause = pauseWrite // PAUSE_DURING_FAILOVER, PAUSE_DURING_SHUTDOWN
	}
	if pause == pauseOff || c.isReplicaClient {
		return false
	}
	if pause == pauseAll {
		return true
	}
	if cmd.name == "exec" {
		for _, q := range c.queue {
			if qc := s.lookup(q); qc != nil && mayReplicate(qc) {
				return true
			}
		}
		return false
	}
	return mayReplicate(cmd)
}

// mayReplicate is CMD_WRITE or CMD_MAY_REPLICATE.
func mayReplicate(cmd *command) bool {
	if cmd.flags&flagWrite != 0 {
		return true
	}
	m := commandMetas[cmd.name]
	return m != nil && slices.Contains(m.flags, "may_replicate")
}

// postpone parks c's command until the pause ends.
func (c *client) postpone(args [][]byte) {
	q := make([][]byte, len(args))
	for i, a := range args {
		q[i] = append([]byte(nil), a...)
	}
	c.paused = &pausedCmd{args: q}
	c.s.postponed = append(c.s.postponed, c)
}

// resumeClients is processUnblockedClients: clients released by the end
// of a pause run their postponed command, then their pending input; an
// unblocked client just reads on.
func (s *Server) resumeClients() {
	for len(s.unblocked) > 0 {
		c := s.unblocked[0]
		s.unblocked = s.unblocked[1:]
		if c.closed {
			continue
		}
		if p := c.paused; p != nil {
			c.paused = nil
			c.beginCommandReply()
			c.processCommand(p.args)
			if c.paused == nil {
				c.afterCommand()
			}
			c.markPending()
		}
		c.processInput()
	}
	s.unblocked = nil
}

// forgetPaused drops a closing client from the pause's lists.
func (c *client) forgetPaused() {
	s := c.s
	s.postponed = slices.DeleteFunc(s.postponed, func(x *client) bool { return x == c })
	s.unblocked = slices.DeleteFunc(s.unblocked, func(x *client) bool { return x == c })
	c.paused = nil
}
