package redis

import (
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// The limits of what a slow log entry keeps of a command (slowlog.h).
const (
	slowlogMaxArgc   = 32
	slowlogMaxString = 128
)

// slowlogEntry is one entry of the slow log.
type slowlogEntry struct {
	id, unixSec, usec int64
	argv              [][]byte
	peer, name        string
}

// slowlogState is the slow log, newest entry first, and the id the next
// entry gets (which SLOWLOG RESET does not reset).
type slowlogState struct {
	slowlog   []slowlogEntry
	slowlogID int64
}

var slowlogCommands = []cmdSpec{
	{"slowlog", -2, 0, nil, noKeys},
	{"slowlog|get", -2, flagAdmin | flagStale, slowlogGetCommand, noKeys},
	{"slowlog|len", 2, flagAdmin | flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(int64(len(c.s.slowlog))) }, noKeys},
	{"slowlog|reset", 2, flagAdmin | flagStale, slowlogResetCommand, noKeys},
	{"slowlog|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], slowlogHelp) }, noKeys},
}

var slowlogHelp = []string{
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
}

// slowlogPush is slowlogPushCurrentCommand: log the command when it took
// at least slowlog-log-slower-than µs (a negative threshold disables the
// log), then trim the log to slowlog-max-len.
func (s *Server) slowlogPush(c *client, cmd *command, args [][]byte, usec int64) {
	if cmd.skipSlowlog || s.cfg.SlowlogLogSlowerThan < 0 {
		return
	}
	if usec >= s.cfg.SlowlogLogSlowerThan {
		e := slowlogEntry{id: s.slowlogID, unixSec: s.env.Now().Unix(), usec: usec, peer: c.peerID(), name: c.name}
		s.slowlogID++
		e.argv = slowlogArgv(redactedArgv(cmd, args))
		s.slowlog = append(s.slowlog, slowlogEntry{})
		copy(s.slowlog[1:], s.slowlog)
		s.slowlog[0] = e
	}
	if len(s.slowlog) > s.cfg.SlowlogMaxLen {
		clear(s.slowlog[s.cfg.SlowlogMaxLen:])
		s.slowlog = s.slowlog[:s.cfg.SlowlogMaxLen]
	}
}

// slowlogArgv copies what an entry keeps of argv: at most 32 arguments,
// the last replaced by a count of those left out, and at most 128 bytes of
// each, followed by a count of the bytes left out.
func slowlogArgv(args [][]byte) [][]byte {
	n := min(len(args), slowlogMaxArgc)
	out := make([][]byte, n)
	for j := range n {
		a := args[j]
		switch {
		case n != len(args) && j == n-1:
			out[j] = []byte("... (" + strconv.Itoa(len(args)-n+1) + " more arguments)")
		case len(a) > slowlogMaxString:
			out[j] = append(append([]byte(nil), a[:slowlogMaxString]...), "... ("+strconv.Itoa(len(a)-slowlogMaxString)+" more bytes)"...)
		default:
			out[j] = append([]byte(nil), a...)
		}
	}
	return out
}

func slowlogGetCommand(c *client, args [][]byte) {
	count := int64(10)
	if len(args) > 3 {
		c.w.WriteError("ERR unknown subcommand or wrong number of arguments for '" + cstr(args[1], 128) + "'. Try SLOWLOG HELP.")
		return
	}
	if len(args) == 3 {
		n, ok := rnum.ParseInt(args[2])
		if !ok || n < -1 {
			c.w.WriteError("ERR count should be greater than or equal to -1")
			return
		}
		count = n
		if n == -1 {
			count = int64(len(c.s.slowlog))
		}
	}
	entries := c.s.slowlog[:min(int64(len(c.s.slowlog)), count)]
	c.w.WriteArrayLen(len(entries))
	for _, e := range entries {
		c.w.WriteArrayLen(6)
		c.w.WriteInt(e.id)
		c.w.WriteInt(e.unixSec)
		c.w.WriteInt(e.usec)
		c.w.WriteArrayLen(len(e.argv))
		for _, a := range e.argv {
			c.w.WriteBulk(a)
		}
		c.w.WriteBulkString(e.peer)
		c.w.WriteBulkString(e.name)
	}
}

func slowlogResetCommand(c *client, _ [][]byte) {
	clear(c.s.slowlog)
	c.s.slowlog = c.s.slowlog[:0]
	c.w.WriteOK()
}

// peerID is getClientPeerId: the client's remote address, "?:0" for a
// client without a connection (the script client).
func (c *client) peerID() string {
	if c.addr == "" {
		return "?:0"
	}
	return c.addr
}

// redactedArgv is argv as the slow log and the monitors see it: the
// arguments Redis redacts (redactClientCommandArgument) replaced by
// "(redacted)". Redis redacts as the command parses its arguments, so an
// argument after a syntax error that stops the parse is shown as it came.
func redactedArgv(cmd *command, args [][]byte) [][]byte {
	var red []int
	switch cmd.name {
	case "auth":
		if len(args) <= 3 {
			red = append(red, 1)
			if len(args) == 3 {
				red = append(red, 2)
			}
		}
	case "hello":
		red = helloRedactions(args)
	case "config|set":
		red = configSetRedactions(args)
	case "migrate":
		for j := 6; j < len(args); j++ {
			switch lowerC(args[j]) {
			case "auth":
				if j+1 < len(args) {
					red = append(red, j+1)
				}
				j++
			case "auth2":
				if j+2 < len(args) {
					red = append(red, j+1, j+2)
				}
				j += 2
			case "keys":
				j = len(args)
			}
		}
	}
	if len(red) == 0 {
		return args
	}
	out := append([][]byte(nil), args...)
	for _, j := range red {
		out[j] = []byte("(redacted)")
	}
	return out
}

// helloRedactions are the arguments helloCommand redacts: the user name
// and password of each AUTH option it reaches, once the protocol version
// has parsed.
func helloRedactions(args [][]byte) []int {
	if len(args) < 2 {
		return nil
	}
	ver, ok := rnum.ParseInt(args[1])
	if !ok || ver < 2 || ver > 3 {
		return nil
	}
	var red []int
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := lowerC(args[j]); {
		case opt == "auth" && more >= 2:
			red = append(red, j+1, j+2)
			j += 2
		case opt == "setname" && more >= 1:
			j++
		default:
			return red
		}
	}
	return red
}
