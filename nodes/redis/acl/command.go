package acl

import (
	"fmt"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// Host is what the ACL command needs from the node besides the ACL state.
type Host interface {
	// NowMs is the server's wall clock in milliseconds (ACL LOG ages).
	NowMs() int64
	// RandomBytes fills p from the node's random stream (ACL GENPASS).
	RandomBytes(p []byte)
	// ACLFile is the aclfile setting, "" when unset.
	ACLFile() string
	// ReadACLFile reads the ACL file for ACL LOAD; an error's text is the
	// strerror of the failure ("No such file or directory").
	ReadACLFile() ([]byte, error)
	// WriteACLFile replaces the ACL file with data for ACL SAVE (a
	// temporary file renamed over it); an error is logged by the node.
	WriteACLFile(data []byte) error
	// Resolve finds the command argv would run, for ACL DRYRUN
	// (lookupCommand on the current, renamed, table, then the arity check).
	Resolve(argv [][]byte) (Request, Resolution)
}

// Resolution is the outcome of Host.Resolve.
type Resolution int

// The resolutions.
const (
	Resolved   Resolution = iota
	NotFound              // no such command or subcommand
	WrongArity            // found, but argv has the wrong number of arguments
)

// Result is what the ACL command hands back to the node.
type Result struct {
	Reply Reply
	// Dropped are users that ACL DELUSER removed or ACL LOAD replaced. The
	// node moves their connections to the default user, unauthenticated,
	// and closes them (the calling client after its reply).
	Dropped []*User
	// Revoked is a user whose channel permissions ACL SETUSER narrowed:
	// the node closes the user's pub/sub clients that are subscribed to a
	// channel or pattern that User.CheckChannel now denies.
	Revoked *User
}

// subcommandArity is the arity of each ACL subcommand in the command
// table, as processCommand checks it before aclCommand runs.
var subcommandArity = map[string]int{
	"cat": -2, "deluser": -3, "dryrun": -4, "genpass": -2, "getuser": 3,
	"help": 2, "list": 2, "load": 2, "log": -2, "save": 2, "setuser": -3,
	"users": 2, "whoami": 2,
}

// Command runs ACL <subcommand> argv[2:]... for a client authenticated as
// caller (aclCommand). argv[0] is "ACL" as the client spelled it. It
// gives processCommand's replies for an unknown subcommand or a wrong
// argument count too, so the node may hand it any ACL command line.
func (a *ACL) Command(h Host, caller *User, argv [][]byte) Result {
	r := func(rep Reply) Result { return Result{Reply: rep} }
	if len(argv) < 2 {
		return r(Err("ERR wrong number of arguments for 'acl' command"))
	}
	sub, n := argv[1], len(argv)
	arity, known := subcommandArity[lowerString(sub)]
	switch {
	case !known:
		return r(Err(fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", trunc(cstr(sub), 128), upperString(cstr(argv[0])))))
	case (arity > 0 && n != arity) || n < -arity:
		return r(Err(fmt.Sprintf("ERR wrong number of arguments for 'acl|%s' command", lowerString(sub))))
	}
	switch {
	case eqFold(sub, "setuser") && n >= 3:
		if hasSpaces(argv[2]) {
			return r(Err("ERR Usernames can't contain spaces or null characters"))
		}
		u, revoked, err := a.SetUser(argv[2], argv[3:])
		if err != nil {
			return r(errReply(err))
		}
		res := r(OK())
		if revoked {
			res.Revoked = u
		}
		return res
	case eqFold(sub, "deluser") && n >= 3:
		gone, err := a.DelUser(argv[2:])
		if err != nil {
			return r(errReply(err))
		}
		return Result{Reply: Int(int64(len(gone))), Dropped: gone}
	case eqFold(sub, "getuser") && n == 3:
		u := a.users[string(argv[2])]
		if u == nil {
			return r(Null())
		}
		return r(u.GetUser(a.table))
	case (eqFold(sub, "list") || eqFold(sub, "users")) && n == 2:
		users := a.Users()
		out := make([]Reply, len(users))
		for i, u := range users {
			if eqFold(sub, "users") {
				out[i] = Bulk(u.name)
			} else {
				out[i] = Bulk("user " + u.name + " " + u.Describe(a.table))
			}
		}
		return r(Array(out...))
	case eqFold(sub, "whoami") && n == 2:
		if caller == nil {
			return r(Null())
		}
		return r(Bulk(caller.name))
	case h.ACLFile() == "" && (eqFold(sub, "load") || eqFold(sub, "save")):
		return r(Err("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."))
	case eqFold(sub, "load") && n == 2:
		data, err := h.ReadACLFile()
		if err != nil {
			return r(Err(fmt.Sprintf("ERR Error loading ACLs, opening file '%s': %s", h.ACLFile(), err.Error())))
		}
		dropped, lerr := a.LoadFile(h.ACLFile(), data)
		if lerr != nil {
			return r(errReply(lerr))
		}
		return Result{Reply: OK(), Dropped: dropped}
	case eqFold(sub, "save") && n == 2:
		if err := h.WriteACLFile(a.FormatFile()); err != nil {
			return r(Err("ERR There was an error trying to save the ACLs. Please check the server logs for more information"))
		}
		return r(OK())
	case eqFold(sub, "cat") && n == 2:
		out := make([]Reply, len(CategoryNames))
		for i, c := range CategoryNames {
			out[i] = Bulk(c)
		}
		return r(Array(out...))
	case eqFold(sub, "cat") && n == 3:
		cat, ok := CategoryByName(string(cstr(argv[2])))
		if !ok {
			return r(Err(fmt.Sprintf("ERR Unknown category '%s'", trunc(cstr(argv[2]), 128))))
		}
		var out []Reply
		a.table.walk(func(c *Command) {
			if c.Categories&cat != 0 {
				out = append(out, Bulk(c.FullName))
			}
		})
		return r(Array(out...))
	case eqFold(sub, "genpass") && (n == 2 || n == 3):
		bits := int64(256)
		if n == 3 {
			v, ok := rnum.ParseInt(argv[2])
			if !ok {
				return r(Err("ERR value is not an integer or out of range"))
			}
			bits = v
		}
		pass, err := GenPass(bits, h.RandomBytes)
		if err != nil {
			return r(errReply(err))
		}
		return r(Bulk(pass))
	case eqFold(sub, "log") && (n == 2 || n == 3):
		count := int64(10)
		if n == 3 {
			if eqFold(argv[2], "reset") {
				a.log.Reset()
				return r(OK())
			}
			v, ok := rnum.ParseInt(argv[2])
			if !ok {
				return r(Err("ERR value is not an integer or out of range"))
			}
			count = max(v, 0)
		}
		return r(a.log.reply(count, h.NowMs()))
	case eqFold(sub, "dryrun") && n >= 4:
		return r(a.DryRun(h, argv[2], argv[3:]))
	case n == 2 && eqFold(sub, "help"):
		return r(help(argv[0]))
	}
	return r(Err(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		trunc(cstr(sub), 128), upperString(cstr(argv[0])))))
}

// upperString is sdstoupper: ASCII letters only.
func upperString(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = upper(c)
	}
	return string(out)
}

// trunc is printf's "%.<n>s".
func trunc(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// GetUser is ACL GETUSER's reply for u: a map of flags (a set),
// passwords (hashes), the root selector's commands, keys and channels,
// and selectors (an array of maps of commands, keys and channels).
func (u *User) GetUser(t *Table) Reply {
	var flags []Reply
	for _, f := range userFlagNames {
		if u.flags&f.flag != 0 {
			flags = append(flags, Bulk(f.name))
		}
	}
	pw := make([]Reply, len(u.passwords))
	for i, p := range u.passwords {
		pw[i] = Bulk(string(p))
	}
	kv := []Reply{Bulk("flags"), Set(flags...), Bulk("passwords"), Array(pw...)}
	kv = append(kv, u.root().getUser(t)...)
	sels := make([]Reply, 0, len(u.selectors)-1)
	for _, s := range u.selectors[1:] {
		sels = append(sels, Map(s.getUser(t)...))
	}
	kv = append(kv, Bulk("selectors"), Array(sels...))
	return Map(kv...)
}

// getUser is aclAddReplySelectorDescription: commands, keys and
// channels, the patterns space separated ("~*" and "&*" for all).
func (s *selector) getUser(t *Table) []Reply {
	var keys, chans strings.Builder
	if s.allKeys {
		keys.WriteString("~*")
	} else {
		for i, k := range s.keys {
			if i > 0 {
				keys.WriteByte(' ')
			}
			keys.WriteString(k.String())
		}
	}
	if s.allChannels {
		chans.WriteString("&*")
	} else {
		for i, c := range s.channels {
			if i > 0 {
				chans.WriteByte(' ')
			}
			chans.WriteByte('&')
			chans.Write(c)
		}
	}
	return []Reply{
		Bulk("commands"), Bulk(s.describeCommands(t)),
		Bulk("keys"), Bulk(keys.String()),
		Bulk("channels"), Bulk(chans.String()),
	}
}

// genPassMaxBits is GENPASS_MAX_BITS.
const genPassMaxBits = 4096

// GenPass is ACL GENPASS: (bits+3)/4 hex digits, each the low nibble of a
// random byte from random, as getRandomHexChars makes them.
func GenPass(bits int64, random func(p []byte)) (string, error) {
	if bits <= 0 || bits > genPassMaxBits {
		return "", errorf("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to %d", genPassMaxBits)
	}
	p := make([]byte, (bits+3)/4)
	random(p)
	const hexDigits = "0123456789abcdef"
	for i, c := range p {
		p[i] = hexDigits[c&0x0f]
	}
	return string(p), nil
}

// DryRun is ACL DRYRUN username command [arg...]: OK, or a bulk string
// saying what the user may not do, or an error for an unknown user or
// command or a wrong argument count.
func (a *ACL) DryRun(h Host, username []byte, argv [][]byte) Reply {
	u := a.users[string(username)]
	if u == nil {
		return Err(fmt.Sprintf("ERR User '%s' not found", cstr(username)))
	}
	req, res := h.Resolve(argv)
	switch res {
	case NotFound:
		return Err(fmt.Sprintf("ERR Command '%s' not found", cstr(argv[0])))
	case WrongArity:
		return Err(fmt.Sprintf("ERR wrong number of arguments for '%s' command", req.Command.FullName))
	}
	v := u.Check(&req)
	switch v.Reason {
	case DeniedCommand:
		return Bulk(fmt.Sprintf("This user has no permissions to run the '%s' command", req.Command.FullName))
	case DeniedKey:
		return Bulk(fmt.Sprintf("This user has no permissions to access the '%s' key", cstr(argv[v.Pos])))
	case DeniedChannel:
		return Bulk(fmt.Sprintf("This user has no permissions to access the '%s' channel", cstr(argv[v.Pos])))
	}
	return OK()
}

var helpLines = []string{
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
}

// help is addReplyHelp's reply for ACL HELP.
func help(name []byte) Reply {
	out := []Reply{Simple(upperString(cstr(name)) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")}
	for _, l := range helpLines {
		out = append(out, Simple(l))
	}
	out = append(out, Simple("HELP"), Simple("    Prints this help."))
	return Array(out...)
}
