package acl

import "bytes"

// Key pattern permissions (ACL_READ_PERMISSION, ACL_WRITE_PERMISSION).
const (
	permRead  = 1 << 0
	permWrite = 1 << 1
	permAll   = permRead | permWrite
)

// keyPattern is one key rule: "~p" (read and write), "%R~p" or "%W~p".
type keyPattern struct {
	pattern []byte
	perms   int
}

// selector is one set of command, key and channel permissions: the root
// selector of a user (its rules written outside parentheses) or one of
// its "(...)" selectors. A command is allowed when any one selector
// allows it with all its keys and channels.
type selector struct {
	root        bool
	allKeys     bool
	allChannels bool
	// allCommands is SELECTOR_FLAG_ALLCOMMANDS: set by +@all, cleared by
	// any rule that clears a command bit. It lets the check skip the
	// bitmap and the first-arg lists.
	allCommands bool
	// future is Redis's reserved last bit of the command bitmap: set by
	// +@all and allcommands, cleared only by -@all and nocommands. It
	// decides whether ACL LIST describes the commands from +@all or -@all.
	future bool
	// allowed has one bit per command ID.
	allowed []uint64
	// firstArgs holds, per command ID, the first arguments "+cmd|arg"
	// allowed for a command whose bit is clear, in the order added.
	firstArgs map[int][][]byte
	keys      []keyPattern
	channels  [][]byte
}

func newSelector(t *Table, root bool, pubsubAll bool) *selector {
	return &selector{root: root, allChannels: pubsubAll, allowed: make([]uint64, (t.Len()+63)/64)}
}

func (s *selector) clone() *selector {
	c := *s
	c.allowed = append([]uint64(nil), s.allowed...)
	c.keys = append([]keyPattern(nil), s.keys...)
	c.channels = append([][]byte(nil), s.channels...)
	c.firstArgs = nil
	for id, args := range s.firstArgs { //redsim:ordered copies into another map
		if c.firstArgs == nil {
			c.firstArgs = map[int][][]byte{}
		}
		c.firstArgs[id] = append([][]byte(nil), args...)
	}
	return &c
}

func (s *selector) bit(id int) bool { return s.allowed[id/64]&(1<<(id%64)) != 0 }

func (s *selector) setBit(id int, on bool) {
	if on {
		s.allowed[id/64] |= 1 << (id % 64)
		return
	}
	s.allowed[id/64] &^= 1 << (id % 64)
	s.allCommands = false
}

// changePerm allows or blocks c and, for a container, all its
// subcommands; the command's first-arg list goes (ACLChangeSelectorPerm).
func (s *selector) changePerm(c *Command, allow bool) {
	s.setBit(c.id, allow)
	delete(s.firstArgs, c.id)
	for _, sub := range c.Subcommands {
		s.setBit(sub.id, allow)
	}
}

// setCategory applies +@cat or -@cat: changePerm on every command (and
// subcommand) in the category.
func (s *selector) setCategory(t *Table, cat Categories, allow bool) {
	t.walk(func(c *Command) {
		if c.Categories&cat != 0 {
			s.changePerm(c, allow)
		}
	})
}

func (s *selector) setAll(on bool) {
	var v uint64
	if on {
		v = ^uint64(0)
	}
	for i := range s.allowed {
		s.allowed[i] = v
	}
	s.allCommands, s.future = on, on
	s.firstArgs = nil
}

func (s *selector) addFirstArg(id int, arg []byte) {
	for _, a := range s.firstArgs[id] {
		if eqFold(a, string(cstr(arg))) {
			return
		}
	}
	if s.firstArgs == nil {
		s.firstArgs = map[int][][]byte{}
	}
	s.firstArgs[id] = append(s.firstArgs[id], bytes.Clone(cstr(arg)))
}

// apply applies one selector rule (ACLSetSelector). op is the rule as
// given; C string functions in Redis see it only up to a NUL byte, and
// cstr reproduces that where it matters.
func (s *selector) apply(t *Table, op []byte) ruleError {
	switch {
	case eqFold(op, "allkeys") || eqFold(op, "~*"):
		s.allKeys = true
		s.keys = nil
	case eqFold(op, "resetkeys"):
		s.allKeys = false
		s.keys = nil
	case eqFold(op, "allchannels") || eqFold(op, "&*"):
		s.allChannels = true
		s.channels = nil
	case eqFold(op, "resetchannels"):
		s.allChannels = false
		s.channels = nil
	case eqFold(op, "allcommands") || eqFold(op, "+@all"):
		s.setAll(true)
	case eqFold(op, "nocommands") || eqFold(op, "-@all"):
		s.setAll(false)
	case len(op) == 0:
		return errSyntax
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.allChannels {
			return errChannelAfterAll
		}
		pat := op[1:]
		if hasSpaces(pat) {
			return errSyntax
		}
		for _, c := range s.channels {
			if bytes.Equal(c, pat) {
				s.allChannels = false
				return errNone
			}
		}
		s.channels = append(s.channels, bytes.Clone(pat))
		s.allChannels = false
	case op[0] == '+' && at(op, 1) != '@':
		return s.allowCommand(t, op)
	case op[0] == '-' && at(op, 1) != '@':
		c := t.Lookup(op[1:])
		if c == nil {
			return errUnknown
		}
		s.changePerm(c, false)
	case (op[0] == '+' || op[0] == '-') && at(op, 1) == '@':
		cat, ok := CategoryByName(string(cstr(op[2:])))
		if !ok {
			return errUnknown
		}
		s.setCategory(t, cat, op[0] == '+')
	default:
		return errSyntax
	}
	return errNone
}

// addKeyPattern applies "~pattern" or "%<perms>~pattern". As in Debian's
// 7.0.15 (the CVE-2024-31227 fix), "%~p" without a permission letter is a
// syntax error; "%R" with no '~' still adds the empty pattern.
func (s *selector) addKeyPattern(op []byte) ruleError {
	if s.allKeys {
		return errKeyAfterAll
	}
	perms, off := 0, 1
	if op[0] == '%' {
		for ; off < len(op); off++ {
			c := upper(op[off])
			if c == 'R' && perms&permRead == 0 {
				perms |= permRead
			} else if c == 'W' && perms&permWrite == 0 {
				perms |= permWrite
			} else if op[off] == '~' && perms != 0 {
				off++
				break
			} else {
				return errSyntax
			}
		}
		if perms == 0 {
			// A bare "%" grants nothing: a syntax error.
			return errSyntax
		}
	} else {
		perms = permAll
	}
	pat := op[off:]
	if hasSpaces(pat) {
		return errSyntax
	}
	found := false
	for i := range s.keys {
		if bytes.Equal(s.keys[i].pattern, pat) {
			s.keys[i].perms |= perms
			found = true
			break
		}
	}
	if !found {
		s.keys = append(s.keys, keyPattern{pattern: bytes.Clone(pat), perms: perms})
	}
	s.allKeys = false
	return errNone
}

// allowCommand applies "+cmd", "+cmd|sub" and "+cmd|firstarg".
func (s *selector) allowCommand(t *Table, op []byte) ruleError {
	name := cstr(op[1:])
	bar := bytes.LastIndexByte(name, '|')
	if bar < 0 {
		c := t.Lookup(name)
		if c == nil {
			return errUnknown
		}
		s.changePerm(c, true)
		return errNone
	}
	c := t.Lookup(name[:bar])
	switch {
	case c == nil:
		return errUnknown
	case c.Parent != nil:
		return errFirstArgOfSub
	case bar == len(name)-1:
		return errSyntax
	case c.Subcommands != nil:
		sub := t.Lookup(name)
		if sub == nil {
			return errUnknown
		}
		s.changePerm(sub, true)
	default:
		// Redis logs a deprecation warning here and keeps the first-arg.
		s.addFirstArg(c.id, name[bar+1:])
	}
	return errNone
}

// hasSpaces is ACLStringHasSpaces: a C-locale isspace byte or a NUL.
func hasSpaces(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0:
			return true
		}
	}
	return false
}
