package acl

import (
	"bytes"
	"fmt"
)

// ruleError is why a rule was refused: the errno ACLSetUser sets.
type ruleError int

const (
	errNone            ruleError = iota
	errSyntax                    // EINVAL
	errUnknown                   // ENOENT
	errKeyAfterAll               // EEXIST
	errChannelAfterAll           // EISDIR
	errNoSuchPassword            // ENODEV
	errBadHash                   // EBADMSG
	errFirstArgOfSub             // ECHILD
)

// String is ACLSetUserStringError's text for the error.
func (e ruleError) String() string {
	switch e {
	case errUnknown:
		return "Unknown command or category name in ACL"
	case errSyntax:
		return "Syntax error"
	case errKeyAfterAll:
		return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	case errChannelAfterAll:
		return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	case errNoSuchPassword:
		return "The password you are trying to remove from the user does not exist"
	case errBadHash:
		return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	case errFirstArgOfSub:
		return "Allowing first-arg of a subcommand is not supported"
	}
	return "Wrong format"
}

// Error is an error reply: Msg is the whole text after the '-', error
// code included ("ERR ...", "WRONGPASS ...").
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// mergeSelectors joins rules that spread a "(...)" selector over several
// arguments into one (ACLMergeSelectorArguments): an argument that starts
// with '(' and does not end with ')' opens a selector, and the arguments
// up to one ending with ')' are added to it, space separated. A second
// opening argument before the close starts over from it, dropping what
// was collected, as Redis does. unmatched is the index of the argument
// that opened a selector left open, or -1.
func mergeSelectors(args [][]byte) (merged [][]byte, unmatched int) {
	open := -1
	var sel []byte
	for j, op := range args {
		if len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			sel = bytes.Clone(op)
			open = j
			continue
		}
		if open != -1 {
			sel = append(sel, ' ')
			sel = append(sel, cstr(op)...)
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				merged = append(merged, sel)
			}
			continue
		}
		merged = append(merged, op)
	}
	if open != -1 {
		return merged, open
	}
	return merged, -1
}

// SetUser applies rules to the user named name, creating it if it does
// not exist, all or nothing (ACLStringSetUser): the rules are applied to
// a copy, and a failing rule leaves the user (or its absence) unchanged.
// The returned error is the reply's text: "ERR Error in ACL SETUSER
// modifier '<rule>': <reason>" or "ERR Unmatched parenthesis in acl
// selector starting at '<rule>'.". revoked reports that an existing
// user's channel permissions shrank, so the node must disconnect the
// user's pub/sub clients whose channels CheckChannel now denies.
//
// Like Redis, SetUser does not check the username: ACL SETUSER refuses
// names with spaces first (see Command).
func (a *ACL) SetUser(name []byte, rules [][]byte) (u *User, revoked bool, err error) {
	merged, bad := mergeSelectors(rules)
	if bad >= 0 {
		return nil, false, errorf("ERR Unmatched parenthesis in acl selector starting at '%s'.", cstr(rules[bad]))
	}
	old := a.users[string(name)]
	tmp := newUser(a.table, "", a.pubsubAll())
	if old != nil {
		tmp.copyFrom(old)
	}
	for _, op := range merged {
		if e := tmp.apply(a, op); e != errNone {
			return nil, false, errorf("ERR Error in ACL SETUSER modifier '%s': %s", cstr(op), e)
		}
	}
	if old != nil {
		revoked = channelsRevoked(tmp, old)
	} else {
		old = newUser(a.table, string(name), a.pubsubAll())
		a.users[string(name)] = old
	}
	old.copyFrom(tmp)
	return old, revoked, nil
}

// channelsRevoked is the test of ACLKillPubsubClientsIfNeeded: false when
// some new selector allows all channels, or when every channel pattern of
// every old selector is among the new patterns (and no old selector
// allowed all channels).
func channelsRevoked(updated, original *User) bool {
	var upcoming [][]byte
	for _, s := range updated.selectors {
		if s.allChannels {
			return false
		}
		upcoming = append(upcoming, s.channels...)
	}
	for _, s := range original.selectors {
		if s.allChannels {
			return true
		}
		for _, c := range s.channels {
			if !containsBytes(upcoming, c) {
				return true
			}
		}
	}
	return false
}
