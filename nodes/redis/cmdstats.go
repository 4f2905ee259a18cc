package redis

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// adminState is what the server keeps for its introspection commands:
// error counters, the slow log, the latency monitor and the MONITOR
// clients. It is embedded in Server so that each of those files owns its
// part without growing Server's own field list.
type adminState struct {
	// errorStats counts error replies by their code ("ERR", "WRONGTYPE"),
	// INFO errorstats; totalErrors is stat_total_error_replies.
	errorStats  map[string]int64
	totalErrors int64
	// foreignError is set when the running command sent an error reply
	// to another client (CLIENT UNBLOCK ... ERROR, SHUTDOWN ABORT): call()
	// sees stat_total_error_replies grow and counts a failed call.
	foreignError bool
	// heldTotal is how long the node's loop has been held by DEBUG SLEEP
	// since boot: a command that holds the loop is as slow as its hold,
	// though its proc returns at once.
	heldTotal time.Duration
	// scriptErrors are the error replies of the commands the running
	// script called, which its own error reply must not count again.
	scriptErrors []string
	// readsProcessed and writesProcessed count the reads of client input
	// and the writes of replies (stat_total_reads_processed...).
	readsProcessed, writesProcessed int64
	// procArgs is the command processCommand is checking, which
	// execCommandAbort shows to the monitors.
	procArgs [][]byte

	slowlogState
	latencyState
	monitorState
}

// callTimer is what call() notes before it runs a command, to measure the
// command's duration and find its reply.
type callTimer struct {
	mono, held time.Duration
	replyAt    int // where the command's reply starts in the client's buffer
}

// startCall notes the clocks before a command runs; EVAL and EVALSHA feed
// the monitors here, before the commands their script calls, as
// evalCommand does.
func (s *Server) startCall(c *client, cmd *command, args [][]byte) callTimer {
	if isScriptCommand(cmd) && !s.inScript {
		s.scriptErrors = s.scriptErrors[:0]
		if len(s.monitors) > 0 {
			s.feedMonitors(c, args)
		}
	}
	return callTimer{mono: s.env.Mono(), held: s.heldTotal, replyAt: c.w.Len()}
}

// endCall is what call() does after the command: the duration, the
// failed-call and error counters, the latency monitor, the slow log, the
// monitors, and the command statistics. A command that blocked is counted
// when it is unblocked (countUnblocked).
func (s *Server) endCall(c *client, cmd *command, args [][]byte, t callTimer) {
	dur := s.env.Mono() - t.mono + s.heldTotal - t.held
	usec := max(int64(dur/time.Microsecond), 0)
	if b := c.w.Bytes(); len(b) > t.replyAt && b[t.replyAt] == '-' {
		// The command replied with an error (afterErrorReply): an error a
		// script returns after redis.call raised it was counted then.
		if !s.countedInScript(cmd, b[t.replyAt:]) {
			s.countError(b[t.replyAt:])
		}
		s.foreignError = false
		if s.inScript && c == s.sclient {
			s.scriptErrors = append(s.scriptErrors, errorMessage(b[t.replyAt:]))
		}
		cmd.failed++
	} else if s.foreignError {
		s.foreignError = false
		cmd.failed++
	}
	fast := cmd.fast
	if fast {
		s.latencyAddSample("fast-command", usec/1000)
	} else {
		s.latencyAddSample("command", usec/1000)
	}
	blocked := c.blocked != nil
	if !blocked {
		s.slowlogPush(c, cmd, args, usec)
	}
	if len(s.monitors) > 0 && !isScriptCommand(cmd) && !cmd.hasMetaFlag("admin") && !cmd.hasMetaFlag("skip_monitor") {
		s.feedMonitors(c, args)
	}
	cmd.calls++
	cmd.usec += usec
	if blocked {
		c.blocked.cmd, c.blocked.argv, c.blocked.usec = cmd, args, usec
		return
	}
	s.trackLatency(cmd, usec)
}

// countUnblocked is updateStatsOnUnblock, for a client blocked on keys
// that is served or times out: the call's duration is added to the
// command's time a second time (call() added it already, a quirk of
// 7.0), and the latency histogram and the slow log get the command now.
// WAIT is not counted here, as replyToBlockedClientTimedOut does not.
func (s *Server) countUnblocked(c *client, b *blockState) {
	if b.cmd == nil || b.wait {
		return
	}
	b.cmd.usec += b.usec
	s.trackLatency(b.cmd, b.usec)
	s.slowlogPush(c, b.cmd, b.argv, b.usec)
}

// countRejected is rejectCommand's bookkeeping: the error, and the
// command's rejected_calls when it is known.
func (s *Server) countRejected(c *client, msg string) {
	s.countError([]byte("-" + msg))
	if cmd := s.commands.command(c.rejecting); cmd != nil {
		cmd.rejected++
	}
}

// countError is incrementErrorCount: the error code is the reply's first
// word, looked for in its first 32 bytes; without a space it is ERR.
func (s *Server) countError(reply []byte) {
	s.totalErrors++
	code := "ERR"
	head := reply[:min(len(reply), 32)]
	if i := strings.IndexByte(string(head), ' '); i > 1 {
		code = string(head[1:i])
	}
	if s.errorStats == nil {
		s.errorStats = map[string]int64{}
	}
	s.errorStats[code]++
}

// countedInScript reports whether the error EVAL replies with was raised
// by a command the script called, and counted then. Redis marks such an
// error (ignore_error_stats_update) and does not count it again; the node
// compares the reply's message with the errors of the script's commands.
func (s *Server) countedInScript(cmd *command, reply []byte) bool {
	if !isScriptCommand(cmd) {
		return false
	}
	msg := errorMessage(reply)
	if i := strings.Index(msg, " script: "); i >= 0 {
		msg = msg[:i]
	}
	return slices.Contains(s.scriptErrors, msg)
}

// errorMessage is an error reply's text without the '-' and the CRLF.
func errorMessage(reply []byte) string {
	msg := string(reply[1:])
	if i := strings.Index(msg, "\r\n"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func isScriptCommand(cmd *command) bool {
	switch cmd.name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro":
		return true
	}
	return false
}

// hasMetaFlag reports whether Redis 7.0.15 gives the command flag, as
// COMMAND INFO shows it ("admin", "fast", "skip_monitor"...).
func (cmd *command) hasMetaFlag(flag string) bool {
	return cmd.meta != nil && slices.Contains(cmd.meta.flags, flag)
}

// resetCommandStats is CONFIG RESETSTAT's part: the command and error
// statistics (resetCommandTableStats, resetErrorTableStats).
func (s *Server) resetCommandStats() {
	for _, name := range s.commands.Names() {
		cmd := s.commands.command(name)
		cmd.calls, cmd.usec, cmd.rejected, cmd.failed, cmd.hist = 0, 0, 0, 0, nil
	}
	s.errorStats, s.totalErrors = nil, 0
	s.readsProcessed, s.writesProcessed = 0, 0
}

// infoCommandStats writes INFO commandstats: every command called or
// rejected at least once. Redis walks its command dict, whose order is
// its hash's; the node lists commands by name.
func (s *Server) infoCommandStats(b *strings.Builder) {
	b.WriteString("# Commandstats\r\n")
	for _, name := range s.commands.Names() {
		cmd := s.commands.command(name)
		if cmd.calls == 0 && cmd.failed == 0 && cmd.rejected == 0 {
			continue
		}
		perCall := 0.0
		if cmd.calls > 0 {
			perCall = float64(cmd.usec) / float64(cmd.calls)
		}
		b.WriteString("cmdstat_" + name + ":calls=" + strconv.FormatInt(cmd.calls, 10) +
			",usec=" + strconv.FormatInt(cmd.usec, 10) +
			",usec_per_call=" + strconv.FormatFloat(perCall, 'f', 2, 64) +
			",rejected_calls=" + strconv.FormatInt(cmd.rejected, 10) +
			",failed_calls=" + strconv.FormatInt(cmd.failed, 10) + "\r\n")
	}
}

// infoErrorStats writes INFO errorstats, the codes in byte order as
// Redis's rax holds them.
func (s *Server) infoErrorStats(b *strings.Builder) {
	b.WriteString("# Errorstats\r\n")
	codes := make([]string, 0, len(s.errorStats))
	for code := range s.errorStats { //redsim:ordered sorted below
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		b.WriteString("errorstat_" + code + ":count=" + strconv.FormatInt(s.errorStats[code], 10) + "\r\n")
	}
}
