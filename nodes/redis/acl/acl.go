package acl

import (
	"sort"
)

// Config holds the server settings the ACL engine reads.
type Config struct {
	// PubsubDefaultAllChannels is acl-pubsub-default: false is
	// "resetchannels" (7.0's default: new users and selectors may use no
	// channel), true is "allchannels".
	PubsubDefaultAllChannels bool
	// LogMaxLen is acllog-max-len (default 128).
	LogMaxLen int
}

// DefaultConfig is redis.conf's defaults.
func DefaultConfig() Config { return Config{LogMaxLen: 128} }

// ACL is the user table of one server, its ACL log, and the command table
// rules are resolved against. It is not safe for concurrent use; the node
// calls it from its one event loop.
type ACL struct {
	// Config may be changed at any time (CONFIG SET); changes apply to
	// users and selectors created or reset afterwards, and to the log's
	// next addition.
	Config Config
	table  *Table
	users  map[string]*User
	def    *User
	log    Log
}

// New creates the ACL state of a starting server: only the default user,
// "on nopass ~* &* +@all" (ACLCreateDefaultUser).
func New(t *Table, cfg Config) *ACL {
	a := &ACL{Config: cfg, table: t, users: map[string]*User{}}
	a.def = a.newDefaultUser()
	a.users["default"] = a.def
	return a
}

func (a *ACL) newDefaultUser() *User {
	u := newUser(a.table, "default", a.pubsubAll())
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		u.apply(a, []byte(op))
	}
	return u
}

func (a *ACL) pubsubAll() bool { return a.Config.PubsubDefaultAllChannels }

// Table is the command table the rules are resolved against.
func (a *ACL) Table() *Table { return a.table }

// Default is the default user, the same *User for the life of the ACL
// (ACL LOAD copies the file's default user into it).
func (a *ACL) Default() *User { return a.def }

// User returns the user named name, or nil.
func (a *ACL) User(name []byte) *User { return a.users[string(name)] }

// Users returns the users sorted by name, as Redis's radix tree walks
// them (byte order).
func (a *ACL) Users() []*User {
	out := make([]*User, 0, len(a.users))
	for _, u := range a.users { //redsim:ordered sorted below
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// SetRequirePass mirrors the requirepass setting into the default user
// (ACLUpdateDefaultUserPassword): "resetpass" then ">pass", or "nopass"
// when pass is nil.
func (a *ACL) SetRequirePass(pass []byte) {
	a.def.apply(a, []byte("resetpass"))
	if pass != nil {
		a.def.apply(a, append([]byte(">"), pass...))
	} else {
		a.def.apply(a, []byte("nopass"))
	}
}

// AuthRequired reports whether a connection that has not authenticated
// must (authRequired): the default user has a password or is off.
func (a *ACL) AuthRequired() bool { return !a.def.NoPass() || !a.def.Enabled() }

// AuthenticatedOnConnect reports whether a new connection starts
// authenticated as the default user (clientSetDefaultAuth).
func (a *ACL) AuthenticatedOnConnect() bool { return a.def.NoPass() && a.def.Enabled() }

// Authenticate checks a username and password (ACLCheckUserCredentials)
// and returns the user on success. On failure it adds an "auth" entry to
// the ACL log, as ACLAuthenticateUser does, with the object being the
// command's name as the client typed it (argv[0]).
func (a *ACL) Authenticate(username, password []byte, c Client, cmdName []byte) (*User, bool) {
	u := a.users[string(username)]
	if u != nil && u.CheckPassword(password) {
		return u, true
	}
	a.AddLogEntry(c, LogEntry{Reason: DeniedAuth, Object: string(cmdName), Username: string(username)})
	return nil, false
}

// DelUser removes the named users (ACL DELUSER). It refuses, removing
// nothing, when "default" is among them. It returns the users removed,
// whose connections the node must close (ACLFreeUserAndKillClients:
// they fall back to the default user, unauthenticated, and are closed
// after the current command's reply).
func (a *ACL) DelUser(names [][]byte) ([]*User, error) {
	for _, n := range names {
		if string(cstr(n)) == "default" { // strcmp: a NUL ends the name
			return nil, &Error{Msg: "ERR The 'default' user cannot be removed"}
		}
	}
	var gone []*User
	for _, n := range names {
		if u := a.users[string(n)]; u != nil {
			delete(a.users, string(n))
			gone = append(gone, u)
		}
	}
	return gone, nil
}
