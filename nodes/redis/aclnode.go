package redis

import (
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/sim"
)

// The node's side of Redis's ACLs (src/acl.c): nodes/redis/acl holds the
// users, the rules and the permission check; this file builds its command
// table from the node's, keeps each client's user, checks every command
// where processCommand, EXEC and scripts check it, runs the ACL command
// and closes the connections of users that ACL DELUSER, ACL LOAD or a
// narrowing ACL SETUSER leaves without the right.
var aclCommands = []cmdSpec{
	{"acl", -2, 0, nil, noKeys},
	{"acl|cat", -2, flagNoScript | flagStale, aclCommand, noKeys},
	{"acl|deluser", -3, fadm | flagStale, aclCommand, noKeys},
	{"acl|dryrun", -4, fadm | flagStale, aclCommand, noKeys},
	{"acl|genpass", -2, flagNoScript | flagStale, aclCommand, noKeys},
	{"acl|getuser", 3, fadm | flagStale, aclCommand, noKeys},
	{"acl|help", 2, flagStale, aclCommand, noKeys},
	{"acl|list", 2, fadm | flagStale, aclCommand, noKeys},
	{"acl|load", 2, fadm | flagStale, aclCommand, noKeys},
	{"acl|log", -2, fadm | flagStale, aclCommand, noKeys},
	{"acl|save", 2, fadm | flagStale, aclCommand, noKeys},
	{"acl|setuser", -3, fadm | flagStale, aclCommand, noKeys},
	{"acl|users", 2, fadm | flagStale, aclCommand, noKeys},
	{"acl|whoami", 2, flagNoScript | flagStale, aclCommand, noKeys},
}

// newACL builds the ACL state for the node's command table: the categories
// come from what a real 7.0.15 reports (commandmeta.go).
func (s *Server) newACL() *acl.ACL {
	cfg := acl.DefaultConfig()
	cfg.LogMaxLen = s.cfg.ACLLogMaxLen
	cfg.PubsubDefaultAllChannels = s.cfg.ACLPubsubDefault == "allchannels"
	a := acl.New(aclTable, cfg)
	if s.cfg.RequirePass != "" {
		a.SetRequirePass([]byte(s.cfg.RequirePass))
	}
	return a
}

// aclTable is the ACL command table every node shares: NewCommandTable
// builds the same commands for every node (no config adds or renames one),
// and an acl.Table is never changed once built, so it is built once per
// process, as the package starts; building it at each node's boot was
// 1.6% of a failover-partition sweep.
var aclTable = buildACLTable(NewCommandTable())

// buildACLTable makes the ACL table of the command table t.
func buildACLTable(t *CommandTable) *acl.Table {
	specOf := func(name string, cmd *command) acl.CommandSpec {
		sp := acl.CommandSpec{Name: cmd.name, NoAuth: cmd.flags&flagNoAuth != 0}
		if i := strings.IndexByte(sp.Name, '|'); i >= 0 {
			sp.Name = sp.Name[i+1:]
		}
		if m := commandMetas[name]; m != nil {
			// Unknown names would be a generator bug; they are dropped.
			sp.Categories, _ = acl.ParseCategories(m.acl)
		}
		return sp
	}
	var specs []acl.CommandSpec
	names := make([]string, 0, len(t.cmds))
	for name := range t.cmds { //redsim:ordered sorted below
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		cmd := t.cmds[name]
		sp := specOf(name, cmd)
		subs := make([]string, 0, len(cmd.subs))
		for sub := range cmd.subs { //redsim:ordered sorted below
			subs = append(subs, sub)
		}
		slices.Sort(subs)
		for _, sub := range subs {
			sp.Subcommands = append(sp.Subcommands, specOf(name+"|"+sub, cmd.subs[sub]))
		}
		specs = append(specs, sp)
	}
	table, err := acl.NewTable(specs)
	if err != nil {
		panic("redis: the command table does not make an ACL table: " + err.Error())
	}
	return table
}

// loadACLFile is ACLLoadUsersAtStartup: the users of aclfile, when set;
// an error stops the node as it stops Redis.
func (s *Server) loadACLFile() bool {
	if s.cfg.ACLFile == "" {
		return true
	}
	data, err := s.env.Disk().Read(s.cfg.ACLFile)
	if err != nil {
		s.env.Logf("Aborting Redis startup because of ACL errors: Error loading ACLs, opening file '%s': %s", s.cfg.ACLFile, strerror(err))
		return false
	}
	if _, err := s.acl.LoadFile(s.cfg.ACLFile, data); err != nil {
		s.env.Logf("Aborting Redis startup because of ACL errors: %v", err)
		return false
	}
	return true
}

// strerror is the C library's text for the errors a disk gives.
func strerror(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, sim.ErrNoSpace):
		return "No space left on device"
	case errors.Is(err, sim.ErrIO):
		return "Input/output error"
	}
	return err.Error()
}

// aclClient is what the ACL log records of c; a script's call is logged
// with the client that ran the script.
func (c *client) aclClient(ctx acl.Context) acl.Client {
	info := c
	if c.isFake && c.s.scriptCaller != nil {
		info = c.s.scriptCaller
	}
	return acl.Client{User: c.user, Context: ctx, Info: strings.TrimSuffix(info.info(), "\n"), NowMs: c.s.nowMs()}
}

// aclRequest is the permission check's view of running cmd with args. It
// is returned by value, and its parts that depend on cmd alone (the ACL
// table's entry and the key and channel finders) are made once per
// command: a check that runs on every command allocates nothing.
func (s *Server) aclRequest(cmd *command, args [][]byte) acl.Request {
	if t := s.acl.Table(); cmd.acl.table != t {
		cmd.acl = cmdACL{
			table:    t,
			command:  t.Lookup([]byte(cmd.name)),
			keys:     func(argv [][]byte) []acl.Key { return aclKeys(cmd, argv) },
			channels: func(argv [][]byte) []acl.Channel { return aclChannels(cmd, argv) },
		}
	}
	return acl.Request{Command: cmd.acl.command, Argv: args, Keys: cmd.acl.keys, Channels: cmd.acl.channels}
}

// cmdACL is what aclRequest keeps of a command, for the ACL table it was
// looked up in.
type cmdACL struct {
	table    *acl.Table
	command  *acl.Command
	keys     func(argv [][]byte) []acl.Key
	channels func(argv [][]byte) []acl.Channel
}

// checkACL is ACLCheckAllPerm for c running cmd: the verdict, logged when
// it denies. A client without a user (the master's link, the AOF loader)
// may run anything.
func (c *client) checkACL(cmd *command, args [][]byte, ctx acl.Context) acl.Verdict {
	if c.user == nil || c.user.AllowsAll() {
		return acl.Verdict{}
	}
	req := c.s.aclRequest(cmd, args)
	if req.Command == nil {
		return acl.Verdict{}
	}
	v := c.user.Check(&req)
	if !v.OK() {
		c.s.acl.LogDenial(c.aclClient(ctx), v, &req)
	}
	return v
}

// aclKeys is getKeysFromCommandWithSpecs with the access flags: each key
// with the flags of the spec that found it. When the specs cannot answer,
// the getkeys proc's keys get the flags of all specs together.
func aclKeys(cmd *command, argv [][]byte) []acl.Key {
	m := commandMetas[cmd.name]
	flagsOf := func(i int) acl.KeyFlags {
		if m == nil || i < 0 || i >= len(m.specs) {
			return 0
		}
		return keySpecFlags(cmd.name, m.specs[i].flags, argv)
	}
	var out []acl.Key
	specsOK := len(cmd.keys.specs) > 0
	for i, sp := range cmd.keys.specs {
		pos, ok := specPositions([]keySpec{sp}, argv)
		if !ok {
			specsOK = false
			break
		}
		for _, p := range pos {
			out = append(out, acl.Key{Pos: p, Flags: flagsOf(i)})
		}
	}
	if specsOK {
		return out
	}
	// The getkeys proc answers: a key takes the flags of the first spec
	// that finds it alone, else those of the last spec that cannot search
	// (SORT's STORE key, MIGRATE's KEYS), as the procs set them.
	out = out[:0]
	last := -1
	perSpec := make([][]int, len(cmd.keys.specs))
	for i, sp := range cmd.keys.specs {
		if pos, ok := specPositions([]keySpec{sp}, argv); ok {
			perSpec[i] = pos
		} else {
			last = i
		}
	}
	for _, p := range cmd.keys.positions(argv) {
		from := last
		for i, pos := range perSpec {
			if slices.Contains(pos, p) {
				from = i
				break
			}
		}
		out = append(out, acl.Key{Pos: p, Flags: flagsOf(from)})
	}
	return out
}

// keySpecFlags converts a spec's flag names, resolving VARIABLE_FLAGS as
// the getkeys procs do: SET without GET only overwrites, BITFIELD with
// only GET subcommands only reads.
func keySpecFlags(name string, names []string, argv [][]byte) acl.KeyFlags {
	var f acl.KeyFlags
	variable := false
	for _, n := range names {
		switch strings.ToLower(n) {
		case "ro":
			f |= acl.KeyRO
		case "rw":
			f |= acl.KeyRW
		case "ow":
			f |= acl.KeyOW
		case "rm":
			f |= acl.KeyRM
		case "access":
			f |= acl.KeyAccess
		case "update":
			f |= acl.KeyUpdate
		case "insert":
			f |= acl.KeyInsert
		case "delete":
			f |= acl.KeyDelete
		case "variable_flags":
			variable = true
		}
	}
	if !variable {
		return f
	}
	switch name {
	case "set":
		for _, a := range argv[3:] {
			if cEqualFold(a, "get") {
				return acl.KeyRW | acl.KeyAccess | acl.KeyUpdate
			}
		}
		return acl.KeyOW | acl.KeyUpdate
	case "bitfield":
		for _, a := range argv[2:] {
			if cEqualFold(a, "set") || cEqualFold(a, "incrby") {
				return acl.KeyRW | acl.KeyAccess | acl.KeyUpdate
			}
		}
		return acl.KeyRO | acl.KeyAccess
	}
	return f
}

// aclChannels is getChannelsFromCommand: the channel arguments of the
// pub/sub commands.
func aclChannels(cmd *command, argv [][]byte) []acl.Channel {
	var first, step int
	var flags acl.ChannelFlags
	switch cmd.name {
	case "subscribe", "ssubscribe":
		first, step, flags = 1, 1, acl.ChannelSubscribe
	case "psubscribe":
		first, step, flags = 1, 1, acl.ChannelSubscribe|acl.ChannelPattern
	case "unsubscribe", "sunsubscribe":
		first, step, flags = 1, 1, acl.ChannelUnsubscribe
	case "punsubscribe":
		first, step, flags = 1, 1, acl.ChannelUnsubscribe|acl.ChannelPattern
	case "publish", "spublish":
		return []acl.Channel{{Pos: 1, Flags: acl.ChannelPublish}}
	default:
		return nil
	}
	var out []acl.Channel
	for i := first; i < len(argv); i += step {
		out = append(out, acl.Channel{Pos: i, Flags: flags})
	}
	return out
}

// aclHost is what the ACL command needs from the node.
type aclHost struct{ s *Server }

func (h aclHost) NowMs() int64 { return h.s.nowMs() }

func (h aclHost) RandomBytes(p []byte) {
	for i := range p {
		p[i] = byte(h.s.rng.Uint32())
	}
}

func (h aclHost) ACLFile() string { return h.s.cfg.ACLFile }

func (h aclHost) ReadACLFile() ([]byte, error) {
	data, err := h.s.env.Disk().Read(h.s.cfg.ACLFile)
	if err != nil {
		return nil, errors.New(strerror(err))
	}
	return data, nil
}

// WriteACLFile is ACLSaveToFile: a temporary file, fsynced, renamed over
// the ACL file.
func (h aclHost) WriteACLFile(data []byte) error {
	disk := h.s.env.Disk()
	tmp := h.s.cfg.ACLFile + ".tmp-acl"
	if err := disk.Write(tmp, data); err != nil {
		return err
	}
	disk.Sync(tmp, func(error) {})
	return disk.Rename(tmp, h.s.cfg.ACLFile)
}

// Resolve is ACL DRYRUN's lookup and arity check.
func (h aclHost) Resolve(argv [][]byte) (acl.Request, acl.Resolution) {
	cmd := h.s.lookup(argv)
	if cmd == nil {
		return acl.Request{}, acl.NotFound
	}
	req := h.s.aclRequest(cmd, argv)
	if req.Command == nil {
		return acl.Request{}, acl.NotFound
	}
	if (cmd.arity > 0 && cmd.arity != len(argv)) || len(argv) < -cmd.arity {
		return req, acl.WrongArity
	}
	return req, acl.Resolved
}

func aclCommand(c *client, args [][]byte) {
	s := c.s
	res := s.acl.Command(aclHost{s}, c.user, args)
	res.Reply.Write(c.w)
	for _, u := range res.Dropped {
		s.dropUserClients(u, c)
	}
	if u := res.Revoked; u != nil {
		s.dropRevokedSubscribers(u, c)
	}
}

// dropUserClients is the end of ACLFreeUserAndKillClients: the clients
// authenticated as u fall back to the default user, unauthenticated, and
// are closed (the current one once its reply is out).
func (s *Server) dropUserClients(u *acl.User, current *client) {
	for _, cl := range slices.Clone(s.clients) {
		if cl.user != u {
			continue
		}
		cl.user = s.acl.Default()
		cl.authed = false
		cl.r.SetAuthRequired(true)
		cl.closeAfterReply(current)
	}
}

// dropRevokedSubscribers is ACLKillPubsubClientsIfNeeded: a client of u
// subscribed to a channel or pattern that u may no longer use is closed.
func (s *Server) dropRevokedSubscribers(u *acl.User, current *client) {
	for _, cl := range slices.Clone(s.clients) {
		if cl.user != u {
			continue
		}
		lost := false
		for _, ch := range cl.subs {
			lost = lost || !u.CheckChannel([]byte(ch), false)
		}
		for _, p := range cl.psubs {
			lost = lost || !u.CheckChannel([]byte(p), true)
		}
		if lost {
			cl.closeAfterReply(current)
		}
	}
}
