package acl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/redsim/redsim/nodes/resp"
)

// User flags (USER_FLAG_*). Exactly one of on/off and at most one of the
// two payload flags is set.
const (
	flagOn = 1 << iota
	flagOff
	flagNoPass
	flagSanitize
	flagSkipSanitize
)

// userFlagNames is ACLUserFlags: the order of flags in ACL LIST and ACL
// GETUSER.
var userFlagNames = []struct {
	name string
	flag int
}{
	{"on", flagOn},
	{"off", flagOff},
	{"nopass", flagNoPass},
	{"skip-sanitize-payload", flagSkipSanitize},
	{"sanitize-payload", flagSanitize},
}

// User is one ACL user. A *User stays the same object for as long as the
// user exists: ACL SETUSER on an existing user changes it in place, as
// Redis copies the staged user into the old struct, so a connection can
// hold the pointer. ACL DELUSER and ACL LOAD drop users; the Result of
// those commands names them so that the node can close their connections.
type User struct {
	name      string
	flags     int
	passwords [][]byte // SHA-256 hex digests, in the order added
	// selectors[0] is the root selector; the rest are "(...)" selectors
	// in the order added.
	selectors []*selector
}

func newUser(t *Table, name string, pubsubAll bool) *User {
	return &User{name: name, flags: flagOff, selectors: []*selector{newSelector(t, true, pubsubAll)}}
}

// Name is the user's name.
func (u *User) Name() string { return u.name }

// Enabled reports whether the user is "on": it can authenticate.
func (u *User) Enabled() bool { return u.flags&flagOff == 0 }

// NoPass reports the "nopass" flag: any password authenticates, and for
// the default user no AUTH is needed at all.
func (u *User) NoPass() bool { return u.flags&flagNoPass != 0 }

// SkipSanitizePayload reports the "skip-sanitize-payload" flag, which
// spares RESTORE's deep sanitization under sanitize-dump-payload clients.
func (u *User) SkipSanitizePayload() bool { return u.flags&flagSkipSanitize != 0 }

func (u *User) root() *selector { return u.selectors[0] }

// copyFrom makes u's rules those of src (ACLCopyUser): the name stays.
func (u *User) copyFrom(src *User) {
	u.flags = src.flags
	u.passwords = append([][]byte(nil), src.passwords...)
	u.selectors = make([]*selector, len(src.selectors))
	for i, s := range src.selectors {
		u.selectors[i] = s.clone()
	}
}

// hashPassword is ACLHashPassword: the SHA-256 of the cleartext in
// lower-case hex.
func hashPassword(p []byte) []byte {
	sum := sha256.Sum256(p)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum[:])
	return out
}

// validHash is ACLCheckPasswordHash: 64 characters of [0-9a-f].
func validHash(h []byte) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for _, c := range h {
		if (c < 'a' || c > 'f') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// CheckPassword reports whether password authenticates u
// (ACLCheckUserCredentials past the user lookup): the user must be on,
// and then nopass or one of its password hashes must match.
func (u *User) CheckPassword(password []byte) bool {
	if !u.Enabled() {
		return false
	}
	if u.NoPass() {
		return true
	}
	h := hashPassword(password)
	for _, p := range u.passwords {
		if bytes.Equal(p, h) {
			return true
		}
	}
	return false
}

// apply applies one SETUSER rule to u (ACLSetUser). Rules that are not
// user flags or passwords go to the root selector.
func (u *User) apply(a *ACL, op []byte) ruleError {
	if len(op) == 0 {
		return errNone
	}
	switch {
	case eqFold(op, "on"):
		u.flags = u.flags&^flagOff | flagOn
	case eqFold(op, "off"):
		u.flags = u.flags&^flagOn | flagOff
	case eqFold(op, "skip-sanitize-payload"):
		u.flags = u.flags&^flagSanitize | flagSkipSanitize
	case eqFold(op, "sanitize-payload"):
		u.flags = u.flags&^flagSkipSanitize | flagSanitize
	case eqFold(op, "nopass"):
		u.flags |= flagNoPass
		u.passwords = nil
	case eqFold(op, "resetpass"):
		u.flags &^= flagNoPass
		u.passwords = nil
	case op[0] == '>' || op[0] == '#':
		var h []byte
		if op[0] == '>' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return errBadHash
			}
			h = bytes.Clone(op[1:])
		}
		if !containsBytes(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.flags &^= flagNoPass
	case op[0] == '<' || op[0] == '!':
		var h []byte
		if op[0] == '<' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return errBadHash
			}
			h = op[1:]
		}
		i := indexBytes(u.passwords, h)
		if i < 0 {
			return errNoSuchPassword
		}
		u.passwords = append(u.passwords[:i:i], u.passwords[i+1:]...)
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(a.table, false, a.pubsubAll())
		// sdssplitargs reads the inside as a C string; unbalanced quotes
		// make it return no arguments at all, which leaves the selector
		// empty rather than failing.
		args, _ := resp.SplitArgs(cstr(op[1 : len(op)-1]))
		for _, arg := range args {
			if err := s.apply(a.table, arg); err != errNone {
				return err
			}
		}
		u.selectors = append(u.selectors, s)
	case eqFold(op, "clearselectors"):
		u.selectors = u.selectors[:1]
	case eqFold(op, "reset"):
		u.flags &^= flagNoPass
		u.passwords = nil
		r := u.root()
		r.allKeys, r.keys = false, nil
		r.allChannels, r.channels = a.pubsubAll(), nil
		u.flags = u.flags&^(flagOn|flagSkipSanitize) | flagOff | flagSanitize
		u.selectors = u.selectors[:1]
		r.setAll(false)
	default:
		return u.root().apply(a.table, op)
	}
	return errNone
}

func indexBytes(list [][]byte, b []byte) int {
	for i, x := range list {
		if bytes.Equal(x, b) {
			return i
		}
	}
	return -1
}

func containsBytes(list [][]byte, b []byte) bool { return indexBytes(list, b) >= 0 }
