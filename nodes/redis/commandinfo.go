package redis

import (
	"slices"
	"strings"

	"github.com/redsim/redsim/nodes/redis/glob"
)

// cmdMeta is what Redis 7.0.15 says of a command beyond what the table
// holds: COMMAND INFO's flags, ACL categories, tips and key-spec flags,
// and the whole of COMMAND DOCS. commandmeta.go holds it for every
// command of the release, generated from a real redis-server (see
// internal/redisdiff); COMMAND INFO takes the name, the arity, the key
// range and the key specs' searches from the table itself.
type cmdMeta struct {
	// flags are COMMAND INFO's flags but movablekeys, which the key
	// specs decide.
	flags []string
	acl   []string // "@read"...
	tips  []string
	specs []specMeta
	doc   cmdDoc
}

// specMeta is a key spec's flags ("RW", "access"...) and notes.
type specMeta struct {
	flags []string
	notes string
}

// cmdDoc is a command's COMMAND DOCS entry.
type cmdDoc struct {
	summary, since, group, complexity string
	docFlags                          []string
	deprecatedSince, replacedBy       string
	history                           [][2]string
	args                              []docArg
}

// docArg is one argument of COMMAND DOCS; keySpec is key_spec_index, -1
// for none.
type docArg struct {
	name, typ                              string
	keySpec                                int
	token, summary, since, deprecatedSince string
	flags                                  []string
	args                                   []docArg
}

// commandTokens are the tokens of a command's arguments, at any depth:
// the option keywords it takes.
func commandTokens(name string) []string {
	m := commandMetas[name]
	if m == nil {
		return nil
	}
	var out []string
	var walk func(args []docArg)
	walk = func(args []docArg) {
		for _, a := range args {
			if a.token != "" {
				out = append(out, a.token)
			}
			walk(a.args)
		}
	}
	walk(m.doc.args)
	return out
}

// Tokens are the option keywords of the command with the full lowercase
// name ("set", "client|kill"): the tokens of its COMMAND DOCS arguments,
// at any depth; the command fuzzers draw arguments from them.
func (t *CommandTable) Tokens(name string) []string { return commandTokens(name) }

// commandInfoFlagOrder is the order addReplyFlagsForCommand lists flags in.
var commandInfoFlagOrder = []string{"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "no_mandatory_keys",
	"no_async_loading", "no_multi", "movablekeys", "allow_busy"}

// infoFlags are the flags COMMAND INFO shows for cmd: its meta's, or for
// a command Redis 7.0.15 lacks, those the table has.
func (cmd *command) infoFlags() []string {
	var flags []string
	if m := commandMetas[cmd.name]; m != nil {
		flags = slices.Clone(m.flags)
	} else {
		for _, f := range []struct {
			bit  cmdFlags
			name string
		}{{flagWrite, "write"}, {flagReadonly, "readonly"}, {flagDenyOOM, "denyoom"}, {flagAdmin, "admin"},
			{flagPubSub, "pubsub"}, {flagNoScript, "noscript"}, {flagBlocking, "blocking"}, {flagStale, "stale"},
			{flagNoAuth, "no_auth"}, {flagNoMulti, "no_multi"}} {
			if cmd.flags&f.bit != 0 {
				flags = append(flags, f.name)
			}
		}
	}
	if cmd.keys.legacyRange().Movable {
		flags = append(flags, "movablekeys")
	}
	slices.SortStableFunc(flags, func(a, b string) int {
		return slices.Index(commandInfoFlagOrder, a) - slices.Index(commandInfoFlagOrder, b)
	})
	return flags
}

// writeCommandInfo is addReplyCommandInfo; a nil cmd is a null.
func (c *client) writeCommandInfo(cmd *command) {
	if cmd == nil {
		c.w.WriteNull()
		return
	}
	m := commandMetas[cmd.name]
	if m == nil {
		m = &cmdMeta{}
	}
	r := cmd.keys.legacyRange()
	c.w.WriteArrayLen(10)
	c.w.WriteBulkString(cmd.name)
	c.w.WriteInt(int64(cmd.arity))
	c.writeSimpleSet(cmd.infoFlags())
	c.w.WriteInt(int64(r.First))
	c.w.WriteInt(int64(r.Last))
	c.w.WriteInt(int64(r.Step))
	c.writeSimpleSet(m.acl)
	c.w.WriteSetLen(len(m.tips))
	for _, t := range m.tips {
		c.w.WriteBulkString(t)
	}
	c.w.WriteSetLen(len(cmd.keys.specs))
	for i, sp := range cmd.keys.specs {
		var sm specMeta
		if i < len(m.specs) {
			sm = m.specs[i]
		}
		c.writeKeySpec(sp, sm)
	}
	subs := cmd.subNames()
	if subs == nil {
		c.w.WriteSetLen(0)
		return
	}
	c.w.WriteArrayLen(len(subs))
	for _, s := range subs {
		c.writeCommandInfo(cmd.subs[s])
	}
}

// subNames are a container's subcommands in byte order (Redis lists them
// in the order of its seeded dict); nil for a command without any.
func (cmd *command) subNames() []string {
	if cmd.subs == nil {
		return nil
	}
	names := make([]string, 0, len(cmd.subs))
	for s := range cmd.subs { //redsim:ordered sorted below
		names = append(names, s)
	}
	slices.Sort(names)
	return names
}

func (c *client) writeSimpleSet(items []string) {
	c.w.WriteSetLen(len(items))
	for _, s := range items {
		c.w.WriteSimpleString(s)
	}
}

// writeKeySpec is one key spec of addReplyCommandKeySpecs.
func (c *client) writeKeySpec(sp keySpec, sm specMeta) {
	n := 3
	if sm.notes != "" {
		n++
	}
	c.w.WriteMapLen(n)
	if sm.notes != "" {
		c.w.WriteBulkString("notes")
		c.w.WriteBulkString(sm.notes)
	}
	c.w.WriteBulkString("flags")
	c.writeSimpleSet(sm.flags)
	c.w.WriteBulkString("begin_search")
	c.w.WriteMapLen(2)
	c.w.WriteBulkString("type")
	unknown := false
	switch {
	case sp.index > 0:
		c.w.WriteBulkString("index")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(1)
		c.writeField("index", sp.index)
	case sp.keyword != "":
		c.w.WriteBulkString("keyword")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(2)
		c.w.WriteBulkString("keyword")
		c.w.WriteBulkString(sp.keyword)
		c.writeField("startfrom", sp.startFrom)
	default:
		unknown = true
		c.w.WriteBulkString("unknown")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(0)
	}
	c.w.WriteBulkString("find_keys")
	c.w.WriteMapLen(2)
	c.w.WriteBulkString("type")
	switch {
	case unknown:
		c.w.WriteBulkString("unknown")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(0)
	case sp.keyNum:
		c.w.WriteBulkString("keynum")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(3)
		c.writeField("keynumidx", sp.keyNumIdx)
		c.writeField("firstkey", sp.firstKey)
		c.writeField("keystep", sp.keyStep)
	default:
		c.w.WriteBulkString("range")
		c.w.WriteBulkString("spec")
		c.w.WriteMapLen(3)
		c.writeField("lastkey", sp.lastKey)
		c.writeField("keystep", sp.keyStep)
		c.writeField("limit", sp.limit)
	}
}

func (c *client) writeField(name string, v int) {
	c.w.WriteBulkString(name)
	c.w.WriteInt(int64(v))
}

// writeCommandDocs is addReplyCommandDocs.
func (c *client) writeCommandDocs(cmd *command) {
	var d cmdDoc
	if m := commandMetas[cmd.name]; m != nil {
		d = m.doc
	}
	if d.group == "" {
		d.group = "generic"
	}
	n := 1
	for _, s := range []string{d.summary, d.since, d.complexity, d.deprecatedSince, d.replacedBy} {
		if s != "" {
			n++
		}
	}
	if len(d.docFlags) > 0 {
		n++
	}
	if len(d.history) > 0 {
		n++
	}
	if d.args != nil {
		n++
	}
	if cmd.subs != nil {
		n++
	}
	c.w.WriteMapLen(n)
	c.bulkField("summary", d.summary)
	c.bulkField("since", d.since)
	c.bulkField("group", d.group)
	c.bulkField("complexity", d.complexity)
	if len(d.docFlags) > 0 {
		c.w.WriteBulkString("doc_flags")
		c.writeSimpleSet(d.docFlags)
	}
	c.bulkField("deprecated_since", d.deprecatedSince)
	c.bulkField("replaced_by", d.replacedBy)
	if len(d.history) > 0 {
		c.w.WriteBulkString("history")
		c.w.WriteSetLen(len(d.history))
		for _, h := range d.history {
			c.w.WriteArrayLen(2)
			c.w.WriteBulkString(h[0])
			c.w.WriteBulkString(h[1])
		}
	}
	if d.args != nil {
		c.w.WriteBulkString("arguments")
		c.writeDocArgs(d.args)
	}
	if subs := cmd.subNames(); subs != nil {
		c.w.WriteBulkString("subcommands")
		c.w.WriteMapLen(len(subs))
		for _, s := range subs {
			sub := cmd.subs[s]
			c.w.WriteBulkString(sub.name)
			c.writeCommandDocs(sub)
		}
	}
}

// bulkField writes name and value, unless value is empty.
func (c *client) bulkField(name, value string) {
	if value != "" {
		c.w.WriteBulkString(name)
		c.w.WriteBulkString(value)
	}
}

// writeDocArgs is addReplyCommandArgList.
func (c *client) writeDocArgs(args []docArg) {
	c.w.WriteArrayLen(len(args))
	for _, a := range args {
		n := 2
		if a.keySpec >= 0 {
			n++
		}
		for _, s := range []string{a.token, a.summary, a.since, a.deprecatedSince} {
			if s != "" {
				n++
			}
		}
		// A pure token always has one, "" included (MIGRATE's
		// empty_string); the generated table cannot tell "" from none.
		emptyToken := a.typ == "pure-token" && a.token == ""
		if emptyToken {
			n++
		}
		if len(a.flags) > 0 {
			n++
		}
		nested := a.typ == "oneof" || a.typ == "block"
		if nested {
			n++
		}
		c.w.WriteMapLen(n)
		c.bulkField("name", a.name)
		c.bulkField("type", a.typ)
		if a.keySpec >= 0 {
			c.writeField("key_spec_index", a.keySpec)
		}
		if emptyToken {
			c.w.WriteBulkString("token")
			c.w.WriteBulkString("")
		}
		c.bulkField("token", a.token)
		c.bulkField("summary", a.summary)
		c.bulkField("since", a.since)
		c.bulkField("deprecated_since", a.deprecatedSince)
		if len(a.flags) > 0 {
			c.w.WriteBulkString("flags")
			c.writeSimpleSet(a.flags)
		}
		if nested {
			c.w.WriteBulkString("arguments")
			c.writeDocArgs(a.args)
		}
	}
}

// lookupByFullName is lookupCommandBySds: "get" or "config|get", case
// insensitively.
func (t *CommandTable) lookupByFullName(name []byte) *command {
	parts := strings.Split(string(name), "|")
	if len(parts) > 2 {
		return nil
	}
	args := make([][]byte, len(parts))
	for i, p := range parts {
		args[i] = []byte(p)
	}
	cmd := t.find(args[0])
	if len(args) == 1 || cmd == nil {
		return cmd
	}
	if cmd.subs == nil {
		return nil
	}
	return findCommand(cmd.subs, args[1])
}

// all calls fn for every command, each container followed by its
// subcommands, in byte order.
func (t *CommandTable) all(fn func(cmd *command)) {
	for _, n := range t.Names() {
		fn(t.command(n))
	}
}

// commandInfoCommand is COMMAND INFO [name...].
func commandInfoCommand(c *client, args [][]byte) {
	t := c.s.commands
	if len(args) == 2 {
		names := sortedCommandNames(c.s)
		c.w.WriteArrayLen(len(names))
		for _, n := range names {
			c.writeCommandInfo(t.cmds[n])
		}
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, a := range args[2:] {
		c.writeCommandInfo(t.lookupByFullName(a))
	}
}

// commandDocsCommand is COMMAND DOCS [name...].
func commandDocsCommand(c *client, args [][]byte) {
	t := c.s.commands
	var cmds []*command
	if len(args) == 2 {
		for _, n := range sortedCommandNames(c.s) {
			cmds = append(cmds, t.cmds[n])
		}
	} else {
		for _, a := range args[2:] {
			if cmd := t.lookupByFullName(a); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.w.WriteMapLen(len(cmds))
	for _, cmd := range cmds {
		c.w.WriteBulkString(cmd.name)
		c.writeCommandDocs(cmd)
	}
}

// commandListCommand is COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p].
func commandListCommand(c *client, args [][]byte) {
	keep := func(*command) bool { return true }
	for i := 2; i < len(args); i++ {
		if !cEqualFold(args[i], "filterby") || len(args)-1-i != 2 {
			c.w.WriteError(errSyntax)
			return
		}
		arg := args[i+2]
		switch lowerC(args[i+1]) {
		case "module":
			keep = func(*command) bool { return false } // no modules
		case "aclcat":
			cat := "@" + lowerC(arg)
			keep = func(cmd *command) bool {
				m := commandMetas[cmd.name]
				return aclCategoryKnown(cat) && m != nil && slices.Contains(m.acl, cat)
			}
		case "pattern":
			keep = func(cmd *command) bool { return glob.Match(arg, []byte(cmd.name), true) }
		default:
			c.w.WriteError(errSyntax)
			return
		}
		i += 2
	}
	var names []string
	c.s.commands.all(func(cmd *command) {
		if keep(cmd) {
			names = append(names, cmd.name)
		}
	})
	c.w.WriteArrayLen(len(names))
	for _, n := range names {
		c.w.WriteBulkString(n)
	}
}

// aclCategories are Redis 7.0's ACL categories.
var aclCategories = strings.Fields("@keyspace @read @write @set @sortedset @list @hash @string @bitmap @hyperloglog " +
	"@geo @stream @pubsub @admin @fast @slow @blocking @dangerous @connection @transaction @scripting")

func aclCategoryKnown(cat string) bool { return slices.Contains(aclCategories, cat) }

var commandHelp = []string{
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
}
