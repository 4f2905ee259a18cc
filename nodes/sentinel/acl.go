package sentinel

import (
	"errors"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
)

// A sentinel's ACLs, as redis-sentinel 7.0.15 has them: the ACL command,
// users in the configuration file ("user" lines, rewritten with the rest
// of it), AUTH and HELLO AUTH as users, and the permission check of
// processCommand. The users, rules and checks are nodes/redis/acl's,
// over a table of the sentinel's own commands.

// aclTable is the ACL command table of commandTable, with the ACL
// categories redis-sentinel reports for each command (commandmeta.go);
// built by command.go's init, once commandTable is.
var aclTable *acl.Table

func buildACLTable() *acl.Table {
	specOf := func(name, full string) acl.CommandSpec {
		sp := acl.CommandSpec{Name: name}
		v := metaInfo[full]
		if len(v.Elems) > 6 {
			var cats []string
			for _, c := range v.Elems[6].Elems {
				cats = append(cats, string(c.Str))
			}
			sp.Categories, _ = acl.ParseCategories(cats)
		}
		if len(v.Elems) > 2 {
			for _, f := range v.Elems[2].Elems {
				sp.NoAuth = sp.NoAuth || string(f.Str) == "no_auth"
			}
		}
		return sp
	}
	var specs []acl.CommandSpec
	for _, cmd := range commandTable {
		sp := specOf(cmd.name, cmd.name)
		for _, sub := range cmd.sub {
			sp.Subcommands = append(sp.Subcommands, specOf(sub.name, cmd.name+"|"+sub.name))
		}
		specs = append(specs, sp)
	}
	t, err := acl.NewTable(specs)
	if err != nil {
		panic("sentinel: the command table does not make an ACL table: " + err.Error())
	}
	return t
}

// newACL is the ACL state of a sentinel at boot: the default user alone.
func newACL() *acl.ACL { return acl.New(aclTable, acl.DefaultConfig()) }

// loadConfiguredUsers is ACLLoadConfiguredUsers: the configuration file's
// "user" lines, in order, after every other directive (requirepass
// included) took effect. A "default" line starts from a reset default
// user. The error is what Redis logs before it exits.
func (s *Sentinel) loadConfiguredUsers() error {
	for _, argv := range s.usersToLoad {
		name := argv[0]
		if strings.ContainsAny(name, " \x00") {
			return errors.New("Spaces not allowed in ACL usernames")
		}
		rules := argv[1:]
		if name == "default" {
			rules = append([]string{"reset"}, rules...)
		} else if _, _, err := s.acl.SetUser([]byte(name), nil); err != nil {
			return err
		}
		// One rule at a time, as ACLSetUser is called for each, so that
		// the error names the rule.
		for _, r := range rules {
			if _, _, err := s.acl.SetUser([]byte(name), [][]byte{[]byte(r)}); err != nil {
				why := strings.TrimPrefix(err.Error(), "ERR Error in ACL SETUSER modifier '"+cstring(r)+"': ")
				return errors.New("Error loading ACL rule '" + r + "' for the user named '" + name + "': " + why)
			}
		}
	}
	s.usersToLoad = nil
	return nil
}

// aclClient is what the ACL log records of c.
func (c *client) aclClient() acl.Client {
	return acl.Client{User: c.user, Context: acl.ContextToplevel, Info: c.info(), NowMs: c.s.mstime()}
}

// aclRequest is the permission check's view of running the command with
// full name full and argv.
func aclRequest(full string, argv [][]byte) acl.Request {
	return acl.Request{Command: aclTable.Lookup([]byte(full)), Argv: argv, Channels: aclChannels(full)}
}

// aclChannels is getChannelsFromCommand for the sentinel's pub/sub
// commands; nil for the others.
func aclChannels(full string) func(argv [][]byte) []acl.Channel {
	var flags acl.ChannelFlags
	switch full {
	case "subscribe":
		flags = acl.ChannelSubscribe
	case "psubscribe":
		flags = acl.ChannelSubscribe | acl.ChannelPattern
	case "unsubscribe":
		flags = acl.ChannelUnsubscribe
	case "punsubscribe":
		flags = acl.ChannelUnsubscribe | acl.ChannelPattern
	case "publish":
		return func([][]byte) []acl.Channel { return []acl.Channel{{Pos: 1, Flags: acl.ChannelPublish}} }
	default:
		return nil
	}
	return func(argv [][]byte) []acl.Channel {
		out := make([]acl.Channel, 0, len(argv)-1)
		for i := 1; i < len(argv); i++ {
			out = append(out, acl.Channel{Pos: i, Flags: flags})
		}
		return out
	}
}

// checkACL is ACLCheckAllPerm for c running the command full with args:
// the verdict, logged when it denies.
func (c *client) checkACL(full string, args [][]byte) acl.Verdict {
	if c.user == nil || c.user.AllowsAll() {
		return acl.Verdict{}
	}
	req := aclRequest(full, args)
	if req.Command == nil {
		return acl.Verdict{}
	}
	v := c.user.Check(&req)
	if !v.OK() {
		c.s.acl.LogDenial(c.aclClient(), v, &req)
	}
	return v
}

// aclHost is what the ACL command needs from the sentinel. A sentinel
// has no aclfile, so ACL LOAD and SAVE refuse.
type aclHost struct{ s *Sentinel }

func (h aclHost) NowMs() int64 { return h.s.mstime() }

func (h aclHost) RandomBytes(p []byte) {
	for i := range p {
		p[i] = byte(h.s.rng.Uint32())
	}
}

func (h aclHost) ACLFile() string                { return "" }
func (h aclHost) ReadACLFile() ([]byte, error)   { return nil, errors.New("no aclfile") }
func (h aclHost) WriteACLFile(data []byte) error { return errors.New("no aclfile") }

// Resolve is ACL DRYRUN's lookup and arity check.
func (h aclHost) Resolve(argv [][]byte) (acl.Request, acl.Resolution) {
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = string(a)
	}
	cmd, full := lookupCommandFull(args)
	if cmd == nil {
		return acl.Request{}, acl.NotFound
	}
	req := aclRequest(full, argv)
	if req.Command == nil {
		return acl.Request{}, acl.NotFound
	}
	if !arityOK(cmd.arity, len(argv)) {
		return req, acl.WrongArity
	}
	return req, acl.Resolved
}

// aclCommand is ACL <subcommand>: the users a command removed fall back to
// the default user, unauthenticated, and their connections are closed;
// subscribers that lost a channel are closed too.
func (s *Sentinel) aclCommand(c *client, argv []string) {
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = []byte(a)
	}
	res := s.acl.Command(aclHost{s}, c.user, args)
	if res.Reply.IsError() {
		s.stats.errors++
	}
	res.Reply.Write(c.w)
	for _, u := range res.Dropped {
		for _, cl := range s.clients {
			if cl.user == u {
				cl.user, cl.authed = s.acl.Default(), false
				cl.r.SetAuthRequired(true)
				cl.closeAfterReply = true
			}
		}
	}
	if u := res.Revoked; u != nil {
		for _, cl := range s.clients {
			if cl.user != u {
				continue
			}
			lost := false
			for _, ch := range cl.channels {
				lost = lost || !u.CheckChannel([]byte(ch), false)
			}
			for _, p := range cl.patterns {
				lost = lost || !u.CheckChannel([]byte(p), true)
			}
			if lost {
				cl.closeAfterReply = true
			}
		}
	}
}

// lookupCommandFull is lookupCommand with the full name of what it found.
func lookupCommandFull(argv []string) (*cmdSpec, string) {
	cmd := lookup(commandTable, argv[0])
	if cmd == nil || cmd.sub == nil || len(argv) == 1 {
		if cmd == nil {
			return nil, ""
		}
		return cmd, cmd.name
	}
	sub := lookup(cmd.sub, argv[1])
	if sub == nil {
		return nil, ""
	}
	return sub, cmd.name + "|" + sub.name
}
