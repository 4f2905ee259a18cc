package redis

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Shutting down as Redis 7.0 does (server.c's prepareForShutdown,
// finishShutdown and abortShutdown, db.c's shutdownCommand). Unless NOW
// is given or shutdown-timeout is 0, a node whose replicas have not all
// acknowledged its offset asks them for an ACK, pauses writes (reads go
// on) and waits: serverCron finishes the shutdown once every replica has
// acknowledged the offset or the timeout has passed, and SHUTDOWN ABORT
// cancels it. Finishing flushes and fsyncs the AOF, saves the final
// snapshot when asked or configured to, and exits; Redis does that in its
// main thread, so here the node is held until the disk is done. A failed
// save cancels the shutdown unless FORCE is given: the clients blocked on
// SHUTDOWN are told so and the node runs on. SIGTERM (sim.Process.Terminate)
// asks for the same shutdown, with shutdown-on-sigterm's flags, at the next
// serverCron (or, while the node loads, at its next pause in the load).

// shutdownFlag is SHUTDOWN_SAVE, _NOSAVE, _NOW and _FORCE.
type shutdownFlag uint8

const (
	shutdownSave shutdownFlag = 1 << iota
	shutdownNosave
	shutdownNow
	shutdownForce
)

// shutdownState is a shutdown in progress.
type shutdownState struct {
	// asap is server.shutdown_asap: a SIGTERM or SIGINT is waiting for
	// the cron, or has started the shutdown; sigint is set when the last
	// signal was SIGINT (last_sig_received).
	asap, sigint bool
	// caller is the client whose SHUTDOWN is running, nil outside it;
	// async is set once finishShutdown has handed its work to the disk,
	// so that a failure reported later resumes the held node.
	caller *client
	async  bool
	// endMs is server.shutdown_mstime: when the wait for the replicas
	// gives up; 0 unless a shutdown waits for them.
	endMs int64
	flags shutdownFlag
	// finishing is set while finishShutdown's disk work holds the node.
	finishing bool
}

func shutdownCommand(c *client, args [][]byte) {
	var flags shutdownFlag
	abort := false
	for _, a := range args[1:] {
		switch lowerC(a) {
		case "nosave":
			flags |= shutdownNosave
		case "save":
			flags |= shutdownSave
		case "now":
			flags |= shutdownNow
		case "force":
			flags |= shutdownForce
		case "abort":
			abort = true
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	if (abort && flags != 0) || (flags&shutdownNosave != 0 && flags&shutdownSave != 0) {
		c.w.WriteError(errSyntax)
		return
	}
	s := c.s
	if abort {
		if s.abortShutdown() {
			c.w.WriteOK()
		} else {
			c.w.WriteError("ERR No shutdown in progress.")
		}
		return
	}
	if msg := s.busyError(); msg != "" && flags&shutdownNosave == 0 {
		c.w.WriteError(msg) // only SHUTDOWN NOSAVE stops a node with a busy script
		return
	}
	// blockClient(c, BLOCKED_SHUTDOWN): the client hears back only if
	// the shutdown fails or is aborted.
	b := &blockState{shutdown: true}
	c.blocked = b
	if c.bpopTimeout != 0 && c.bpopTimeout != math.MaxInt64 {
		// blockClient files the client in the timeout table with the
		// timeout of its last blocking command, never cleared: when that
		// time comes (now, if it has passed) replyToBlockedClientTimedOut
		// meets a block it does not know, and the server panics.
		s.env.After(time.Duration(max(c.bpopTimeout-s.nowMs(), 0))*time.Millisecond, func() {
			if c.blocked == b && !s.stopped {
				s.env.Logf("Guru Meditation: Unknown btype in replyToBlockedClientTimedOut(). #blocked.c:230")
				s.crashExit()
			}
		})
	}
	c.unresetInline = c.r.LastWasInline()
	s.shut.caller = c
	s.prepareForShutdown(flags)
	s.shut.caller = nil
}

// prepareForShutdown is prepareForShutdown: wait for lagging replicas,
// or finish at once.
func (s *Server) prepareForShutdown(flags shutdownFlag) {
	if s.shut.endMs != 0 || s.shut.finishing {
		return // isShutdownInitiated
	}
	if s.loading {
		// Never save a half-loaded dataset over the file.
		flags = flags&^shutdownSave | shutdownNosave
	}
	s.shut.flags = flags
	s.env.Logf("User requested shutdown...")
	if flags&shutdownNow == 0 && s.cfg.ShutdownTimeout != 0 && !s.readyToShutdown() {
		if !s.clientsPaused() {
			s.sendGetAckNow()
		}
		s.shut.endMs = s.nowMs() + int64(s.cfg.ShutdownTimeout)*1000
		// pauseClients(PAUSE_DURING_SHUTDOWN, forever, WRITE): endMs
		// being set is the pause (postpones, paused).
		s.env.Logf("Waiting for replicas before shutting down.")
		return
	}
	s.finishShutdown()
}

// Terminate is SIGTERM (sigShutdownHandler): the shutdown starts at the
// next cron, with shutdown-on-sigterm's flags.
func (s *Server) Terminate() {
	if s.stopped {
		return
	}
	s.scheduleShutdown(false)
}

// Interrupt is SIGINT (sigShutdownHandler): as SIGTERM, with
// shutdown-on-sigint's flags; but when a signal has asked for a shutdown
// already (and it has not been cancelled), Redis gives up at once,
// without saving or waiting for replicas, and exits with status 1.
// Interrupt reports whether the node exited that way.
func (s *Server) Interrupt() bool {
	if s.stopped {
		return false
	}
	if s.shut.asap {
		s.env.Logf("You insist... exiting now.")
		s.crashExit()
		return true
	}
	s.scheduleShutdown(true)
	return false
}

// scheduleShutdown is the rest of sigShutdownHandler: the log line, and
// the request serverCron takes up.
func (s *Server) scheduleShutdown(sigint bool) {
	switch {
	case s.loading:
		s.env.Logf("Received shutdown signal during loading, scheduling shutdown.")
	case sigint:
		s.env.Logf("Received SIGINT scheduling shutdown...")
	default:
		s.env.Logf("Received SIGTERM scheduling shutdown...")
	}
	s.shut.asap, s.shut.sigint = true, sigint
}

// sigFlags are the flags of shutdown-on-sigint or shutdown-on-sigterm,
// after the last signal (serverCron's last_sig_received).
func (s *Server) sigFlags() shutdownFlag {
	opt := s.cfg.ShutdownOnSigterm
	if s.shut.sigint {
		opt = s.cfg.ShutdownOnSigint
	}
	var f shutdownFlag
	for _, w := range strings.Fields(opt) {
		switch w {
		case "save":
			f |= shutdownSave
		case "nosave":
			f |= shutdownNosave
		case "now":
			f |= shutdownNow
		case "force":
			f |= shutdownForce
		}
	}
	return f
}

// shutdownCron is serverCron's part: a SIGTERM starts the shutdown, and
// one waiting for replicas finishes once they have caught up or its time
// is up. It reports whether the node is now held or gone, in which case
// the rest of the cron waits.
func (s *Server) shutdownCron() bool {
	switch {
	case s.shut.asap && s.shut.endMs == 0 && !s.shut.finishing:
		s.prepareForShutdown(s.sigFlags())
	case s.shut.endMs != 0 && (s.nowMs() >= s.shut.endMs || s.readyToShutdown()):
		s.finishShutdown()
	}
	return s.sleeping || s.stopped
}

// shutdownWhileLoading is whileBlockedCron's: a SIGTERM during a load
// shuts the node down without saving. It reports whether the node is now
// held or gone.
func (s *Server) shutdownWhileLoading() bool {
	if !s.shut.asap || s.shut.finishing {
		return s.shut.finishing
	}
	if s.shut.endMs == 0 {
		s.prepareForShutdown(shutdownNosave)
		if s.stopped || s.shut.finishing {
			return true
		}
	}
	// Waiting for replicas instead: whileBlockedCron gives up on it.
	s.env.Logf("SIGTERM received but errors trying to shut down the server, check the logs for more information")
	s.shut.asap = false
	return false
}

// readyToShutdown is isReadyToShutdown: every replica has acknowledged the
// offset.
func (s *Server) readyToShutdown() bool {
	for _, r := range s.replicas {
		if !r.closed && r.replAck != s.offset {
			return false
		}
	}
	return true
}

// clientsPaused is areClientsPaused: some pause is in force, whatever its
// purpose.
func (s *Server) clientsPaused() bool {
	return s.pause != pauseOff || s.fo.paused || (s.cl != nil && s.cl.mfPauseEnd != 0) || s.shut.endMs != 0
}

// sendGetAckNow is sendGetackToReplicas.
func (s *Server) sendGetAckNow() {
	if s.isReplica() || s.backlog == nil {
		return
	}
	s.replFeed(replGetAck)
}

var replGetAck = []byte("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n")

// replicaName is replicationGetSlaveName.
func (c *client) replicaName() string {
	if c.replPort == 0 {
		return c.replIP() + ":<unknown-replica-port>"
	}
	return c.replIP() + ":" + strconv.Itoa(c.replPort)
}

// finishShutdown is finishShutdown: report the lagging replicas, stop the
// children, fsync the AOF, save, and exit; on an error, cancel.
func (s *Server) finishShutdown() {
	flags := s.shut.flags
	force := flags&shutdownForce != 0
	n, lagging := 0, 0
	for _, r := range s.replicas {
		if r.closed {
			continue
		}
		n++
		if r.replAck != s.offset {
			lagging++
			lag := int64(0)
			if r.replState == replOnline {
				lag = s.env.Now().Unix() - r.replAckTime
			}
			s.env.Logf("Lagging replica %s reported offset %d behind master, lag=%d, state=%s.",
				r.replicaName(), s.offset-r.replAck, lag, replStateName(r.replState))
		}
	}
	if n > 0 {
		s.env.Logf("%d of %d replicas are in sync when shutting down.", n-lagging, n)
	}
	if s.bgsaving {
		s.env.Logf("There is a child saving an .rdb. Killing it!")
		s.killRDBChild()
	}
	if s.aofRewriting {
		if s.aofWaitRewrite {
			if !force {
				s.env.Logf("Writing initial AOF, can't exit.")
				s.shutdownFailed()
				return
			}
			s.env.Logf("Writing initial AOF. Exit anyway.")
		}
		s.env.Logf("There is a child rewriting the AOF. Killing it!")
		s.killAOFChild()
	}
	s.shut.finishing, s.shut.async = true, false
	s.sleeping = true
	defer func() { s.shut.async = true }()
	save := func() {
		if (len(s.cfg.Save) == 0 || flags&shutdownNosave != 0) && flags&shutdownSave == 0 {
			s.exitShutdown()
			return
		}
		s.env.Logf("Saving the final RDB snapshot before exiting.")
		s.saveForShutdown(func(err error) {
			switch {
			case err == nil:
				s.exitShutdown()
			case force:
				s.env.Logf("Error trying to save the DB. Exit anyway.")
				s.exitShutdown()
			default:
				s.env.Logf("Error trying to save the DB, can't exit.")
				s.shutdownFailed()
			}
		})
	}
	if !s.aofOn {
		save()
		return
	}
	s.env.Logf("Calling fsync() on the AOF file.")
	if s.aofIncr == "" {
		save()
		return
	}
	path := s.aofPath(s.aofIncr)
	disk := s.env.Disk()
	if len(s.aofBuf) > 0 {
		_ = disk.Append(path, s.aofBuf)
		s.aofBuf = s.aofBuf[:0]
	}
	disk.Sync(path, func(err error) {
		if err != nil {
			s.env.Logf("Fail to fsync the AOF file: %v.", err)
		}
		save()
	})
}

// saveForShutdown is rdbSave: the snapshot written to a temp file,
// fsynced and renamed over the dump, with rdbSave's log lines. A write
// error shows at the write of a snapshot larger than stdio's buffer, at
// its fflush otherwise.
func (s *Server) saveForShutdown(done func(error)) {
	disk := s.env.Disk()
	tmp := "temp-shutdown.rdb"
	werr := func(op string, err error) {
		s.env.Logf("Write error saving DB on disk(%s): %s", op, strerror(err))
		_ = disk.Remove(tmp)
		done(err)
	}
	data := s.snapshot()
	if err := disk.Write(tmp, data); err != nil {
		op := "fflush"
		if len(data) > stdioBuffer {
			op = "rdbSaveRio"
		}
		werr(op, err)
		return
	}
	disk.Sync(tmp, func(err error) {
		if err != nil {
			werr("fsync", err)
			return
		}
		if err := disk.Rename(tmp, s.cfg.DBFilename); err != nil {
			s.env.Logf("Error moving temp DB file %s on the final destination %s (in server root dir %s): %s", tmp, s.cfg.DBFilename, s.cfg.Dir, strerror(err))
			_ = disk.Remove(tmp)
			done(err)
			return
		}
		s.env.Logf("DB saved on disk")
		done(nil)
	})
}

// stdioBuffer is glibc's stdio buffer for a file (st_blksize).
const stdioBuffer = 4096

// exitShutdown is finishShutdown's end: the replicas get what is queued
// for them (flushSlavesOutputBuffers) and the node exits.
func (s *Server) exitShutdown() {
	for _, r := range s.replicas {
		if !r.closed {
			r.flush()
		}
	}
	s.env.Logf("Redis is now ready to exit, bye bye...")
	s.stopped = true
	s.env.Cancel(s.cron)
	if s.cl != nil {
		s.env.Cancel(s.cl.cron)
	}
	s.env.Exit()
}

// shutdownFailed is finishShutdown's error path: the shutdown is
// cancelled and the node, held for the disk, runs on.
func (s *Server) shutdownFailed() {
	s.env.Logf("Errors trying to shut down the server. Check the logs for more information.")
	s.cancelShutdown()
	if s.shut.finishing {
		s.shut.finishing = false
		s.sleeping = false
		if s.shut.async {
			s.flushReplies()
			s.resume()
		}
	}
}

// cancelShutdown is cancelShutdown: the clients blocked on SHUTDOWN are
// told it failed, and the writes it paused run.
func (s *Server) cancelShutdown() {
	wasPaused := s.shut.endMs != 0
	s.shut.endMs, s.shut.flags, s.shut.asap, s.shut.sigint = 0, 0, false, false
	for _, c := range s.clients {
		if c.blocked != nil && c.blocked.shutdown {
			// replyToClientsBlockedOnShutdown: unblockClient updates no
			// command statistics; the error reply is counted, and makes
			// the command running now (an ABORT) a failed call.
			c.blocked.cmd = nil
			c.unblock(false)
			const msg = "ERR Errors trying to SHUTDOWN. Check logs."
			if c != s.shut.caller { // the caller's own reply is counted by its call
				s.countError([]byte("-" + msg))
				s.foreignError = true
			}
			c.w.WriteError(msg)
			c.markPending()
			s.unblocked = append(s.unblocked, c)
			if c != s.shut.caller {
				// unblockClient does not reset a client blocked on
				// SHUTDOWN, and only the call that blocked it resets it
				// afterwards: its argv stays, and processMultibulkBuffer
				// asserts on the next command it sends.
				c.unreset = true
			}
		}
	}
	if wasPaused && !s.pauseStillWrite() {
		// unpauseClients(PAUSE_DURING_SHUTDOWN): the held clients run
		// again, unless a pause at least as strict is still in force.
		s.unblocked = append(s.unblocked, s.postponed...)
		s.postponed = nil
	}
}

// pauseStillWrite reports whether a pause other than the shutdown's holds
// writes (so that ending the shutdown's leaves the pause type as it is).
func (s *Server) pauseStillWrite() bool {
	return s.pause != pauseOff || s.fo.paused || (s.cl != nil && s.cl.mfPauseEnd != 0)
}

// abortShutdown is abortShutdown (SHUTDOWN ABORT).
func (s *Server) abortShutdown() bool {
	switch {
	case s.shut.endMs != 0:
		s.cancelShutdown()
	case s.shut.asap:
		s.shut.asap = false // a SIGTERM the cron has not taken up yet
	default:
		return false
	}
	s.env.Logf("Shutdown manually aborted.")
	return true
}
