package redis

import (
	"slices"
	"strconv"
)

// monitorState lists the clients in MONITOR mode, in the order they
// asked.
type monitorState struct {
	monitors []*client
}

var monitorCommands = []cmdSpec{
	{"monitor", 1, fadm | flagStale, monitorCommand, noKeys},
}

// monitorCommand is MONITOR: the client becomes a replica-like client
// that gets every command the others run. A client already in MONITOR
// mode, or a replica, gets no reply at all.
func monitorCommand(c *client, _ [][]byte) {
	if c.deniedBlocking {
		c.w.WriteError("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if c.monitor || c.isReplicaClient {
		return
	}
	c.monitor = true
	c.s.monitors = append(c.s.monitors, c)
	c.w.WriteOK()
}

// dropMonitor forgets a closed client's MONITOR mode.
func (s *Server) dropMonitor(c *client) {
	if c.monitor {
		s.monitors = slices.DeleteFunc(s.monitors, func(x *client) bool { return x == c })
	}
}

// feedMonitors is replicationFeedMonitors: one status line per command,
// "+<seconds>.<µs> [<db> <peer>] "arg" ...", the arguments quoted as
// sdscatrepr quotes them and the secrets redacted; the script client shows
// as "lua". Nothing is fed while the node loads its data.
func (s *Server) feedMonitors(c *client, args [][]byte) {
	if len(s.monitors) == 0 || c.isFake && !s.inScript {
		return
	}
	if cmd := s.lookup(args); cmd != nil {
		args = redactedArgv(cmd, args)
	}
	now := s.env.Now()
	us := now.UnixMicro()
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, us/1e6, 10)
	line = append(line, '.')
	frac := strconv.FormatInt(us%1e6, 10)
	for range 6 - len(frac) {
		line = append(line, '0')
	}
	line = append(line, frac...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(c.db.id), 10)
	line = append(line, ' ')
	if c.isFake {
		line = append(line, "lua"...)
	} else {
		line = append(line, c.peerID()...)
	}
	line = append(line, "] "...)
	for j, a := range args {
		if j > 0 {
			line = append(line, ' ')
		}
		line = appendRepr(line, a)
	}
	line = append(line, "\r\n"...)
	for _, m := range s.monitors {
		if m.closed {
			continue
		}
		m.w.WriteRaw(line)
		m.markPending()
	}
}

// appendRepr is sdscatrepr: a double-quoted string with \\, \", \n, \r,
// \t, \a and \b escaped, other bytes outside printable ASCII as \xHH.
func appendRepr(dst, p []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, b := range p {
		switch b {
		case '\\', '"':
			dst = append(dst, '\\', b)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if b >= 0x20 && b < 0x7f {
				dst = append(dst, b)
			} else {
				dst = append(dst, '\\', 'x', hex[b>>4], hex[b&15])
			}
		}
	}
	return append(dst, '"')
}
