package acl

import (
	"bytes"
	"fmt"

	"github.com/redsim/redsim/nodes/redis/glob"
)

// KeyFlags are a key's access flags from the command's key specs
// (CMD_KEY_*), as getKeysFromCommandWithSpecs reports them. Only ACCESS
// (which needs read permission) and UPDATE, INSERT and DELETE (which
// need write permission) decide ACL checks; a key with none of them is
// allowed by any pattern that matches it, whatever the pattern's
// permissions. RO, RW, OW and RM are kept for callers that describe keys.
type KeyFlags uint16

// The key spec flags.
const (
	KeyRO KeyFlags = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
)

// perms is the permissions a key with these flags needs.
func (f KeyFlags) perms() int {
	p := 0
	if f&KeyAccess != 0 {
		p |= permRead
	}
	if f&(KeyInsert|KeyDelete|KeyUpdate) != 0 {
		p |= permWrite
	}
	return p
}

// Key is one key argument of a command: argv[Pos] with its flags.
type Key struct {
	Pos   int
	Flags KeyFlags
}

// ChannelFlags say how a command uses a channel argument (CMD_CHANNEL_*).
type ChannelFlags uint8

// The channel flags. Only Publish and Subscribe channels are checked:
// unsubscribing is always allowed.
const (
	ChannelPattern ChannelFlags = 1 << iota
	ChannelSubscribe
	ChannelUnsubscribe
	ChannelPublish
)

// Channel is one channel argument of a command: argv[Pos].
type Channel struct {
	Pos   int
	Flags ChannelFlags
}

// Request is a command as the permission check sees it.
type Request struct {
	// Command is the command or subcommand being run (its table entry).
	Command *Command
	// Argv is the whole command line, name included.
	Argv [][]byte
	// Keys returns the command's keys in argv (getKeysFromCommandWithSpecs);
	// nil when the command has no keys (doesCommandHaveKeys is false). It
	// is called at most once, and only when a selector lacks allkeys.
	Keys func(argv [][]byte) []Key
	// Channels returns the channels of SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE,
	// PUBLISH, SPUBLISH and the unsubscribe commands (getChannelsFromCommand);
	// nil for every other command. Called only when a selector lacks
	// allchannels.
	Channels func(argv [][]byte) []Channel
}

// Reason is why a command was denied (ACL_DENIED_*). The values order
// the reasons as Redis does when selectors disagree: a channel denial
// beats a key denial, which beats a command denial.
type Reason int

// The reasons, with Redis's values.
const (
	Allowed       Reason = 0
	DeniedCommand Reason = 1
	DeniedKey     Reason = 2
	DeniedAuth    Reason = 3
	DeniedChannel Reason = 4
)

// String is the reason as ACL LOG shows it.
func (r Reason) String() string {
	switch r {
	case DeniedCommand:
		return "command"
	case DeniedKey:
		return "key"
	case DeniedChannel:
		return "channel"
	case DeniedAuth:
		return "auth"
	}
	return "unknown"
}

// Verdict is the result of a permission check.
type Verdict struct {
	Reason Reason
	// Pos is the argv index of the denied key or channel (meaningless for
	// a command denial).
	Pos int
}

// OK reports whether the command may run.
func (v Verdict) OK() bool { return v.Reason == Allowed }

// Error is processCommand's reply for a denied command, for the command
// with full name cmd.
func (v Verdict) Error(cmd string) string {
	switch v.Reason {
	case DeniedCommand:
		return fmt.Sprintf("NOPERM this user has no permissions to run the '%s' command", cmd)
	case DeniedKey:
		return "NOPERM this user has no permissions to access one of the keys used as arguments"
	case DeniedChannel:
		return "NOPERM this user has no permissions to access one of the channels used as arguments"
	}
	return "ERR no permission"
}

// LogObject is what ACL LOG records as the object of the denial: the
// command's full name, or the denied key or channel.
func (v Verdict) LogObject(r *Request) string {
	switch v.Reason {
	case DeniedKey, DeniedChannel:
		return string(r.Argv[v.Pos])
	case DeniedCommand:
		return r.Command.FullName
	}
	return ""
}

// checkCache holds a command's keys between selectors.
type checkCache struct {
	done bool
	keys []Key
}

// Check decides whether u may run r (ACLCheckAllUserCommandPerm): the
// first selector that allows the command with all its keys and channels
// wins; when none does, the verdict is the highest reason any selector
// gave and, among those, the highest argv position.
func (u *User) Check(r *Request) Verdict {
	if u.AllowsAll() {
		return Verdict{}
	}
	v := Verdict{Reason: DeniedCommand}
	var cache checkCache
	pos := 0
	for _, s := range u.selectors {
		reason, p := s.check(r, &cache)
		if reason == Allowed {
			return Verdict{}
		}
		if reason != DeniedCommand {
			pos = p // Redis keeps a stale position across command denials
		}
		if reason > v.Reason || (reason == v.Reason && pos > v.Pos) {
			v = Verdict{Reason: reason, Pos: pos}
		}
	}
	return v
}

// AllowsAll reports whether u's root selector allows every command on
// every key and channel (+@all ~* &*, the default user's rules): Check
// then allows any request without looking at it.
func (u *User) AllowsAll() bool {
	if len(u.selectors) == 0 {
		return false
	}
	s := u.selectors[0]
	return s.allCommands && s.allKeys && s.allChannels
}

// check is ACLSelectorCheckCmd.
func (s *selector) check(r *Request, cache *checkCache) (Reason, int) {
	c := r.Command
	if !s.allCommands && !c.NoAuth && !s.bit(c.id) {
		args := s.firstArgs[c.id]
		if len(r.Argv) < 2 || args == nil {
			return DeniedCommand, 0
		}
		idx := 1
		if c.Parent != nil {
			idx = 2
		}
		if idx >= len(r.Argv) {
			return DeniedCommand, 0
		}
		ok := false
		for _, a := range args {
			if eqFold(r.Argv[idx], string(a)) {
				ok = true
				break
			}
		}
		if !ok {
			return DeniedCommand, 0
		}
	}
	if !s.allKeys && r.Keys != nil {
		if !cache.done {
			cache.keys, cache.done = r.Keys(r.Argv), true
		}
		for _, k := range cache.keys {
			if !s.keyAllowed(r.Argv[k.Pos], k.Flags.perms()) {
				return DeniedKey, k.Pos
			}
		}
	}
	if !s.allChannels && r.Channels != nil {
		for _, ch := range r.Channels(r.Argv) {
			if ch.Flags&(ChannelPublish|ChannelSubscribe) == 0 {
				continue
			}
			if !channelAllowed(s.channels, r.Argv[ch.Pos], ch.Flags&ChannelPattern != 0) {
				return DeniedChannel, ch.Pos
			}
		}
	}
	return Allowed, 0
}

// keyAllowed is ACLSelectorCheckKey.
func (s *selector) keyAllowed(key []byte, need int) bool {
	if s.allKeys {
		return true
	}
	for _, p := range s.keys {
		if p.perms&need == need && glob.Match(p.pattern, key, false) {
			return true
		}
	}
	return false
}

// channelAllowed is ACLCheckChannelAgainstList: a channel is matched
// against the patterns as a glob; a pattern being subscribed to
// (PSUBSCRIBE) must equal one of them literally, compared as C strings.
func channelAllowed(patterns [][]byte, ch []byte, isPattern bool) bool {
	for _, p := range patterns {
		if isPattern {
			if bytes.Equal(cstr(p), cstr(ch)) {
				return true
			}
		} else if glob.Match(p, ch, false) {
			return true
		}
	}
	return false
}

// CheckKey reports whether some selector of u allows key with the given
// flags (ACLUserCheckKeyPerm), for keys a command reaches outside its key
// specs (SORT BY and GET patterns).
func (u *User) CheckKey(key []byte, flags KeyFlags) bool {
	for _, s := range u.selectors {
		if s.keyAllowed(key, flags.perms()) {
			return true
		}
	}
	return false
}

// CheckChannel reports whether some selector of u allows the channel, or
// with isPattern the literal pattern (ACLUserCheckChannelPerm). After a
// SETUSER that revoked channels, the node closes each pub/sub client of
// the user whose channels or patterns this denies.
func (u *User) CheckChannel(ch []byte, isPattern bool) bool {
	for _, s := range u.selectors {
		if s.allChannels || channelAllowed(s.channels, ch, isPattern) {
			return true
		}
	}
	return false
}

// CheckWithUnrestrictedKeys reports whether a selector of u both allows r
// and grants the access in flags to every key, through allkeys or a "*"
// pattern with those permissions (ACLUserCheckCmdWithUnrestrictedKeyAccess:
// used where a command touches keys it cannot name, as SORT's BY and GET
// patterns without a '*' do not).
func (u *User) CheckWithUnrestrictedKeys(r *Request, flags KeyFlags) bool {
	var cache checkCache
	need := flags.perms()
	for _, s := range u.selectors {
		if reason, _ := s.check(r, &cache); reason != Allowed {
			continue
		}
		if s.allKeys {
			return true
		}
		for _, p := range s.keys {
			if p.perms&need == need && string(cstr(p.pattern)) == "*" {
				return true
			}
		}
	}
	return false
}
