package sentinel

import (
	"strings"

	"github.com/redsim/redsim/nodes/resp"
)

// COMMAND and its INFO, DOCS, GETKEYS and GETKEYSANDFLAGS subcommands.
// What redis-sentinel says of each command (its flags, ACL categories,
// tips and documentation) is in commandmeta.go, recorded from a real
// redis-sentinel 7.0.15 in RESP3 and written here in the client's
// protocol, as Redis writes the same reply in RESP2 or RESP3.

// metaValues are commandInfo and commandDocs parsed, by full name.
var metaInfo, metaDocs = parseMeta(commandInfo), parseMeta(commandDocs)

func parseMeta(raw map[string]string) map[string]resp.Value {
	out := make(map[string]resp.Value, len(raw))
	for name, r := range raw { //redsim:ordered a map filled from a map
		v, ok := parseRESP3(r)
		if !ok {
			panic("sentinel: commandmeta.go holds a reply that does not parse: " + name)
		}
		out[name] = v
	}
	return out
}

// parseRESP3 parses one whole RESP reply.
func parseRESP3(raw string) (resp.Value, bool) {
	rr := resp.NewReplyReader()
	rr.Feed([]byte(raw))
	v, ok, err := rr.Next()
	if err != nil || !ok {
		return resp.Value{}, false
	}
	return v.Clone(), true
}

// writeValue writes v in c's protocol: maps and sets become arrays in
// RESP2, as addReplyMapLen and addReplySetLen write them.
func writeValue(w *resp.Writer, v resp.Value) {
	switch v.Kind {
	case resp.KindArray:
		if v.IsNull {
			w.WriteNullArray()
			return
		}
		w.WriteArrayLen(len(v.Elems))
	case resp.KindMap:
		w.WriteMapLen(len(v.Elems) / 2)
	case resp.KindSet:
		w.WriteSetLen(len(v.Elems))
	case resp.KindBulk:
		if v.IsNull {
			w.WriteNull()
		} else {
			w.WriteBulk(v.Str)
		}
		return
	case resp.KindSimpleString:
		w.WriteSimpleString(string(v.Str))
		return
	case resp.KindInt:
		w.WriteInt(v.Int)
		return
	case resp.KindNull:
		w.WriteNull()
		return
	default:
		w.WriteRaw(resp.AppendValue(nil, v))
		return
	}
	for _, e := range v.Elems {
		writeValue(w, e)
	}
}

// lookupBySds is lookupCommandBySds: "name" or "container|sub", without
// regard to case.
func lookupBySds(name string) (*cmdSpec, string) {
	parts := strings.Split(name, "|")
	if len(parts) > 2 {
		return nil, ""
	}
	cmd := lookup(commandTable, parts[0])
	if cmd == nil {
		return nil, ""
	}
	if len(parts) == 1 {
		return cmd, cmd.name
	}
	if cmd.sub == nil {
		return nil, ""
	}
	sub := lookup(cmd.sub, parts[1])
	if sub == nil {
		return nil, ""
	}
	return sub, cmd.name + "|" + sub.name
}

// commandCommand is COMMAND alone: every command's COMMAND INFO entry.
func (s *Sentinel) commandCommand(c *client, _ []string) { s.commandInfoAll(c) }

func (s *Sentinel) commandInfoAll(c *client) {
	c.w.WriteArrayLen(len(commandTable))
	for _, cmd := range commandTable {
		writeValue(c.w, metaInfo[cmd.name])
	}
}

// commandInfoCommand is COMMAND INFO [name ...]: a null for a name the
// table lacks.
func (s *Sentinel) commandInfoCommand(c *client, argv []string) {
	if len(argv) == 2 {
		s.commandInfoAll(c)
		return
	}
	c.w.WriteArrayLen(len(argv) - 2)
	for _, name := range argv[2:] {
		if _, full := lookupBySds(name); full != "" {
			writeValue(c.w, metaInfo[full])
		} else {
			c.w.WriteNull()
		}
	}
}

// commandDocsCommand is COMMAND DOCS [name ...]: a map of the names
// found, each under its full name.
func (s *Sentinel) commandDocsCommand(c *client, argv []string) {
	var names []string
	if len(argv) == 2 {
		for _, cmd := range commandTable {
			names = append(names, cmd.name)
		}
	} else {
		for _, name := range argv[2:] {
			if _, full := lookupBySds(name); full != "" {
				names = append(names, full)
			}
		}
	}
	c.w.WriteMapLen(len(names))
	for _, n := range names {
		c.w.WriteBulkString(n)
		writeValue(c.w, metaDocs[n])
	}
}

// commandGetKeysCommand is COMMAND GETKEYS and GETKEYSANDFLAGS
// (getKeysSubcommandImpl): no sentinel command has keys.
func (s *Sentinel) commandGetKeysCommand(c *client, argv []string) {
	cmd, _ := lookupCommandFull(argv[2:])
	switch {
	case cmd == nil:
		c.errorReply("Invalid command specified")
	default:
		c.errorReply("The command has no key arguments")
	}
}

func (s *Sentinel) commandHelpCommand(c *client, _ []string) {
	writeHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}
