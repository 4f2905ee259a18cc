package redis

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/redis/acl"
)

var serverCommands = []cmdSpec{
	{"time", 1, 0 | flagStale, timeCommand, noKeys},
	{"flushdb", -1, fwn, flushdbCommand, noKeys},
	{"flushall", -1, fwn, flushallCommand, noKeys},
	{"info", -1, 0 | flagStale, infoCommand, noKeys},
	{"config", -2, 0, nil, noKeys},
	{"config|get", -3, fadm | flagStale, configGetCommand, noKeys},
	{"config|set", -4, fadm | flagStale, configSetCommand, noKeys},
	{"config|resetstat", 2, fadm | flagStale, configResetStatCommand, noKeys},
	{"config|rewrite", 2, fadm | flagStale, configRewriteCommand, noKeys},
	{"config|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], configHelp) }, noKeys},
	{"command", -1, 0 | flagStale, commandCommand, noKeys},
	{"command|count", 2, 0 | flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(int64(len(c.s.commands.cmds))) }, noKeys},
	{"command|docs", -2, 0 | flagStale, commandDocsCommand, noKeys},
	{"command|info", -2, 0 | flagStale, commandInfoCommand, noKeys},
	{"command|list", -2, 0 | flagStale, commandListCommand, noKeys},
	{"command|help", 2, 0 | flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], commandHelp) }, noKeys},
	{"command|getkeys", -4, 0 | flagStale, commandGetKeysCommand, noKeys},
	{"command|getkeysandflags", -4, 0 | flagStale, commandGetKeysAndFlagsCommand, noKeys},
	{"debug", -2, fadm | flagStale, debugCommand, noKeys},
	{"shutdown", -1, fadm | flagNoMulti | flagStale, shutdownCommand, noKeys},
}

func timeCommand(c *client, args [][]byte) {
	now := c.s.env.Now()
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(strconv.AppendInt(nil, now.Unix(), 10))
	c.w.WriteBulk(strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10))
}

// flushFlag parses FLUSHDB/FLUSHALL's [ASYNC|SYNC].
func flushFlag(c *client, args [][]byte) bool {
	if len(args) > 2 {
		c.w.WriteError(errSyntax)
		return false
	}
	if len(args) == 2 {
		f := lowerC(args[1])
		if f != "async" && f != "sync" {
			c.w.WriteError(errSyntax)
			return false
		}
	}
	return true
}

func flushdbCommand(c *client, args [][]byte) {
	if !flushFlag(c, args) {
		return
	}
	c.s.trackingFlushed()
	c.s.dirty += int64(c.db.flush())
	c.s.dirty++ // propagated even when empty, as Redis does
	c.w.WriteOK()
}

func flushallCommand(c *client, args [][]byte) {
	if !flushFlag(c, args) {
		return
	}
	c.s.trackingFlushed()
	for _, d := range c.s.dbs {
		c.s.dirty += int64(d.flush())
	}
	c.s.dirty++
	// FLUSHALL saves an empty snapshot when save points are configured.
	if len(c.s.cfg.Save) > 0 && !c.isFake {
		c.s.rdbSaveNow()
	}
	c.w.WriteOK()
}

// commandCommand is COMMAND with no subcommand: COMMAND INFO of every
// command.
func commandCommand(c *client, args [][]byte) {
	if len(args) > 1 {
		c.w.WriteError("ERR unknown subcommand '" + cstr(args[1], 128) + "'. Try COMMAND HELP.")
		return
	}
	names := sortedCommandNames(c.s)
	c.w.WriteArrayLen(len(names))
	for _, n := range names {
		c.writeCommandInfo(c.s.commands.cmds[n])
	}
}

// commandGetKeysCommand is COMMAND GETKEYS command [arg...]: the arguments
// that are keys, in the order the command's key specs find them.
func commandGetKeysCommand(c *client, args [][]byte) {
	argv := args[2:]
	pos, err := c.s.commands.KeyPositions(argv)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.w.WriteArrayLen(len(pos))
	for _, p := range pos {
		c.w.WriteBulk(argv[p])
	}
}

// configHelp is CONFIG HELP's text after its first line.
var configHelp = []string{
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
}

// commandGetKeysAndFlagsCommand is COMMAND GETKEYSANDFLAGS: COMMAND
// GETKEYS's keys, each with the flags of the key spec (or getkeys proc)
// that found it.
func commandGetKeysAndFlagsCommand(c *client, args [][]byte) {
	argv := args[2:]
	pos, err := c.s.commands.KeyPositions(argv)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	flags := map[int]acl.KeyFlags{}
	if cmd := c.s.lookup(argv); cmd != nil {
		for _, k := range aclKeys(cmd, argv) {
			flags[k.Pos] |= k.Flags
		}
	}
	c.w.WriteArrayLen(len(pos))
	for _, p := range pos {
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(argv[p])
		names := keyFlagNames(flags[p])
		c.w.WriteSetLen(len(names))
		for _, n := range names {
			c.w.WriteSimpleString(n)
		}
	}
}

// keyFlagNames is addReplyFlagsForKeyArgs's names, in its order.
func keyFlagNames(f acl.KeyFlags) []string {
	var out []string
	for _, kf := range []struct {
		flag acl.KeyFlags
		name string
	}{
		{acl.KeyRO, "RO"}, {acl.KeyRW, "RW"}, {acl.KeyOW, "OW"}, {acl.KeyRM, "RM"},
		{acl.KeyAccess, "access"}, {acl.KeyUpdate, "update"}, {acl.KeyInsert, "insert"}, {acl.KeyDelete, "delete"},
	} {
		if f&kf.flag != 0 {
			out = append(out, kf.name)
		}
	}
	return out
}

func sortedCommandNames(s *Server) []string {
	names := make([]string, 0, len(s.commands.cmds))
	for n := range s.commands.cmds { //redsim:ordered sorted below
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// sleep holds the whole node for d, as DEBUG SLEEP blocks Redis's event
// loop: input waits, timers wait, replies (including this one) wait.
func (s *Server) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	s.sleeping = true
	s.heldTotal += d
	s.env.After(d, func() {
		s.sleeping = false
		s.resume()
	})
}

// resume runs the input that waited while the node slept or fsynced, the
// clients' in id order, then the crons that came due meanwhile, as
// aeProcessEvents serves file events before time events. The master
// client is one of them: Redis reads its socket after a block as any
// other, though the node keeps it out of s.clients (CLIENT LIST does not
// show it).
func (s *Server) resume() {
	waiting := slices.Clone(s.clients)
	if m := s.master; m != nil {
		i, _ := slices.BinarySearchFunc(waiting, m.id, func(c *client, id int64) int { return cmp.Compare(c.id, id) })
		waiting = slices.Insert(waiting, i, m)
	}
	for _, c := range waiting {
		if !c.closed {
			c.stampRead()
		}
		switch {
		case c.closed || c.blocked != nil:
		case c.isMaster:
			if s.master == c {
				s.applyMasterStream()
			}
		default:
			c.processInput()
		}
	}
	s.resumeClusterLinks()
	s.runLateCrons()
	s.afterEvent()
}
