package redis

import (
	"slices"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// The CLIENT subcommands beyond naming, listing and killing: reply modes,
// eviction protection, pauses, unblocking, and client-side caching's
// settings (tracking.go holds the caching itself, pause.go the pauses).

var clientCommands = []cmdSpec{
	{"client|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], clientHelp) }, noKeys},
	{"client|reply", 3, flagNoScript | flagStale, clientReplyCommand, noKeys},
	{"client|no-evict", 3, fadm | flagStale, clientNoEvictCommand, noKeys},
	{"client|unblock", -3, fadm | flagStale, clientUnblockCommand, noKeys},
	{"client|pause", -3, fadm | flagStale, clientPauseCommand, noKeys},
	{"client|unpause", 2, fadm | flagStale, clientUnpauseCommand, noKeys},
	{"client|tracking", -3, flagNoScript | flagStale, clientTrackingCommand, noKeys},
	{"client|caching", 3, flagNoScript | flagStale, clientCachingCommand, noKeys},
	{"client|getredir", 2, flagNoScript | flagStale, clientGetRedirCommand, noKeys},
	{"client|trackinginfo", 2, flagNoScript | flagStale, clientTrackingInfoCommand, noKeys},
}

// clientHelp is CLIENT HELP's text in 7.0.15.
var clientHelp = []string{
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
}

// subcommandSyntaxError is addReplySubcommandSyntaxError: a container's
// subcommand with arguments its own parser refuses.
func subcommandSyntaxError(args [][]byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + cstr(args[1], 128) + "'. Try " + strings.ToUpper(cstr(args[0], len(args[0]))) + " HELP."
}

// replyMode is the client's CLIENT REPLY state. The reply of a command
// run while it is off or skipping is dropped after the command, except
// the pushes written meanwhile (pub/sub messages, invalidations), which
// Redis sends whatever the mode (CLIENT_PUSHING).
type replyMode struct {
	replyOff      bool // CLIENT_REPLY_OFF
	replySkip     bool // CLIENT_REPLY_SKIP: this command's reply is dropped
	replySkipNext bool // CLIENT_REPLY_SKIP_NEXT: set by CLIENT REPLY SKIP
	// muteFrom is where in c.w the dropped reply of the running command
	// starts, or -1 while replies go out.
	muteFrom int
	noEvict  bool // CLIENT_NO_EVICT; the node never evicts clients
}

// beginCommandReply starts a command's reply: muted when the mode says so.
func (c *client) beginCommandReply() {
	c.muteFrom = -1
	if c.replyOff || c.replySkip {
		c.muteFrom = c.w.Len()
	}
}

// endCommandReply drops what the muted command wrote since the last push,
// and advances SKIP as resetClient does.
func (c *client) endCommandReply() {
	if c.muteFrom >= 0 {
		c.w.Truncate(c.muteFrom)
		c.muteFrom = -1
	}
	c.replySkip = false
	if c.replySkipNext {
		c.replySkip, c.replySkipNext = true, false
	}
}

// afterCommand is resetClient's part for these modes: the reply mode
// advances, and CLIENT CACHING lasts one command (outside MULTI, and
// unless the command was CLIENT itself).
func (c *client) afterCommand() {
	c.endCommandReply()
	// resetClient: ASKING holds for the next command only.
	if !c.multi && c.lastCmd != "asking" {
		c.asking = false
	}
	if !c.multi && !strings.HasPrefix(c.lastCmd, "client|") {
		c.tracking.caching = false
	}
}

// beginPush keeps a push out of a muted reply: what the command wrote so
// far is dropped now, and the push itself stays (endPush).
func (c *client) beginPush() {
	if c.muteFrom >= 0 {
		c.w.Truncate(c.muteFrom)
	}
}

// endPush marks the end of a push written to a muted client.
func (c *client) endPush() {
	if c.muteFrom >= 0 {
		c.muteFrom = c.w.Len()
	}
}

func clientReplyCommand(c *client, args [][]byte) {
	switch {
	case cEqualFold(args[2], "on"):
		c.replyOff, c.replySkip, c.replySkipNext = false, false, false
		if c.muteFrom >= 0 {
			// The OK of CLIENT REPLY ON goes out.
			c.w.Truncate(c.muteFrom)
			c.muteFrom = -1
		}
		c.w.WriteOK()
	case cEqualFold(args[2], "off"):
		c.replyOff = true
	case cEqualFold(args[2], "skip"):
		if !c.replyOff {
			c.replySkipNext = true
		}
	default:
		c.w.WriteError(errSyntax)
	}
}

func clientNoEvictCommand(c *client, args [][]byte) {
	switch {
	case cEqualFold(args[2], "on"):
		c.noEvict = true
	case cEqualFold(args[2], "off"):
		c.noEvict = false
	default:
		c.w.WriteError(errSyntax)
		return
	}
	c.w.WriteOK()
}

// clientByID is lookupClientByID.
func (s *Server) clientByID(id int64) *client {
	for _, x := range s.clients {
		if x.id == id {
			return x
		}
	}
	return nil
}

// unblockPostponed is CLIENT UNBLOCK of a client a pause holds
// (BLOCKED_POSTPONE), which 7.0.15 does not expect (nor one blocked on
// SHUTDOWN, clientUnblockCommand): with TIMEOUT,
// replyToBlockedClientTimedOut knows no such block and the server panics;
// with ERROR the client is told so and unblocked, and its command, run
// again, is postponed again, behind the others.
func (c *client) unblockPostponed(x *client, withError bool) {
	s := c.s
	if !withError {
		s.env.Logf("Guru Meditation: Unknown btype in replyToBlockedClientTimedOut(). #blocked.c:231")
		s.crashExit()
		return
	}
	x.w.WriteError("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	x.markPending()
	s.postponed = slices.DeleteFunc(s.postponed, func(y *client) bool { return y == x })
	s.unblocked = append(s.unblocked, x)
	c.w.WriteInt(1)
}

func clientUnblockCommand(c *client, args [][]byte) {
	if len(args) > 4 {
		c.w.WriteError(subcommandSyntaxError(args))
		return
	}
	withError := false
	if len(args) == 4 {
		switch {
		case cEqualFold(args[3], "timeout"):
		case cEqualFold(args[3], "error"):
			withError = true
		default:
			c.w.WriteError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	x := c.s.clientByID(id)
	if x != nil && x.blocked == nil && x.paused != nil {
		c.unblockPostponed(x, withError)
		return
	}
	if x == nil || x.blocked == nil {
		c.w.WriteInt(0)
		return
	}
	switch b := x.blocked; {
	case b.shutdown && !withError:
		// replyToBlockedClientTimedOut knows no BLOCKED_SHUTDOWN.
		c.s.env.Logf("Guru Meditation: Unknown btype in replyToBlockedClientTimedOut(). #blocked.c:230")
		c.s.crashExit()
		return
	case withError:
		// updateStatsOnUnblock with had_errors: the blocked command is a
		// failed call, and the error, sent during this one, makes it one.
		if b.cmd != nil {
			b.cmd.failed++
		}
		x.unreset = x.unreset || b.shutdown
		x.unblockWait()
		const msg = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
		c.s.countError([]byte("-" + msg))
		c.s.foreignError = true
		x.w.WriteError(msg)
	case b.wait:
		x.unblockWait()
		x.w.WriteInt(int64(c.s.replicasAcked(x.waitOff)))
	default:
		x.unblock(false)
		x.w.WriteNullArray()
	}
	x.markPending()
	c.w.WriteInt(1)
	c.s.unblocked = append(c.s.unblocked, x)
}

// unblockWait unblocks c, a WAIT included, without a reply.
func (c *client) unblockWait() {
	if c.blocked != nil && c.blocked.wait {
		c.s.waiters = deleteClient(c.s.waiters, c)
	}
	c.unblock(false)
}

func deleteClient(l []*client, c *client) []*client {
	for i, x := range l {
		if x == c {
			return append(l[:i], l[i+1:]...)
		}
	}
	return l
}

func clientCachingCommand(c *client, args [][]byte) {
	t := &c.tracking
	if !t.on {
		c.w.WriteError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case cEqualFold(args[2], "yes"):
		if !t.optin {
			c.w.WriteError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case cEqualFold(args[2], "no"):
		if !t.optout {
			c.w.WriteError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.w.WriteError(errSyntax)
		return
	}
	t.caching = true
	c.w.WriteOK()
}

func clientGetRedirCommand(c *client, _ [][]byte) {
	c.w.WriteInt(c.tracking.redirectReply())
}

// redirectReply is the redirection as CLIENT GETREDIR and TRACKINGINFO
// report it: -1 when tracking is off, 0 without a redirection.
func (t *trackingState) redirectReply() int64 {
	if !t.on {
		return -1
	}
	return t.redirect
}

func clientTrackingInfoCommand(c *client, _ [][]byte) {
	t := &c.tracking
	flags := []string{"off"}
	if t.on {
		flags[0] = "on"
	}
	if t.bcast {
		flags = append(flags, "bcast")
	}
	if t.optin {
		flags = append(flags, "optin")
		if t.caching {
			flags = append(flags, "caching-yes")
		}
	}
	if t.optout {
		flags = append(flags, "optout")
		if t.caching {
			flags = append(flags, "caching-no")
		}
	}
	if t.noloop {
		flags = append(flags, "noloop")
	}
	if t.brokenRedir {
		flags = append(flags, "broken_redirect")
	}
	c.w.WriteMapLen(3)
	c.w.WriteBulkString("flags")
	c.w.WriteSetLen(len(flags))
	for _, f := range flags {
		c.w.WriteBulkString(f)
	}
	c.w.WriteBulkString("redirect")
	c.w.WriteInt(t.redirectReply())
	c.w.WriteBulkString("prefixes")
	c.w.WriteArrayLen(len(t.prefixes))
	for _, p := range t.prefixes {
		c.w.WriteBulkString(p)
	}
}

// flagString is CLIENT LIST's flags field: a letter per flag in Redis's
// order, N for none.
func (c *client) flagString() string {
	var b []byte
	for _, f := range []struct {
		on bool
		c  byte
	}{{c.isReplicaClient, 'S'}, {c.isMaster, 'M'}, {c.subscribed(), 'P'}, {c.multi, 'x'},
		{c.blocked != nil || c.paused != nil, 'b'}, {c.tracking.on, 't'}, {c.tracking.brokenRedir, 'R'},
		{c.tracking.bcast, 'B'}, {c.dirtyCAS, 'd'}, {c.noEvict, 'e'}} {
		if f.on {
			b = append(b, f.c)
		}
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}
