package acl

import (
	"math"
	"strings"
)

// Describe is the user's rules as ACL LIST and the ACL file show them,
// without the leading "user <name> " (ACLDescribeUser): flags, "#hash"
// per password, the root selector, then " (...)" per selector.
func (u *User) Describe(t *Table) string {
	var b strings.Builder
	for _, f := range userFlagNames {
		if u.flags&f.flag != 0 {
			b.WriteString(f.name)
			b.WriteByte(' ')
		}
	}
	for _, p := range u.passwords {
		b.WriteByte('#')
		b.Write(p)
		b.WriteByte(' ')
	}
	for _, s := range u.selectors {
		if s.root {
			b.WriteString(s.describe(t))
		} else {
			b.WriteString(" (")
			b.WriteString(s.describe(t))
			b.WriteByte(')')
		}
	}
	return b.String()
}

// describe is ACLDescribeSelector: key patterns, channel patterns (always
// led by "resetchannels" unless all channels are allowed), then the
// command rules.
func (s *selector) describe(t *Table) string {
	var b strings.Builder
	if s.allKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.keys {
			b.WriteString(k.String())
			b.WriteByte(' ')
		}
	}
	if s.allChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.channels {
			b.WriteByte('&')
			b.Write(c)
			b.WriteByte(' ')
		}
	}
	b.WriteString(s.describeCommands(t))
	return b.String()
}

// String is the rule that gives the pattern: "~p", "%R~p" or "%W~p".
func (k keyPattern) String() string {
	switch k.perms {
	case permRead:
		return "%R~" + string(k.pattern)
	case permWrite:
		return "%W~" + string(k.pattern)
	}
	return "~" + string(k.pattern)
}

// describeCommands is ACLDescribeSelectorCommandRules: "+@all" or "-@all"
// (by the reserved future-commands bit), then greedily the categories
// that fit the bitmap best, then the single commands that still differ,
// then "+cmd|arg" for each first-arg of a blocked command. Replaying the
// rules on an empty selector gives the same bitmap; the categories are
// tried in CategoryNames order, so ties go to the earlier one.
func (s *selector) describeCommands(t *Table) string {
	var b strings.Builder
	fake := newSelector(t, false, false)
	additive := !s.future
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	temp := newSelector(t, false, false)
	copy(temp.allowed, s.allowed)
	var applied [len(CategoryNames)]bool
	for {
		best := -1
		minDiff, maxSame := math.MaxInt32, 0
		for j := range CategoryNames {
			if applied[j] {
				continue
			}
			on, off := temp.countCategory(t, 1<<j)
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		cat := Categories(1) << best
		fake.setCategory(t, cat, additive)
		temp.setCategory(t, cat, !additive)
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(CategoryNames[best])
		b.WriteByte(' ')
		applied[best] = true
	}
	for _, c := range t.top {
		s.describeSingle(&b, fake, c)
		for _, sub := range c.Subcommands {
			s.describeSingle(&b, fake, sub)
		}
		s.describeFirstArgs(&b, c)
	}
	out := b.String()
	return out[:len(out)-1]
}

func (s *selector) describeSingle(b *strings.Builder, fake *selector, c *Command) {
	user := s.bit(c.id)
	if user == fake.bit(c.id) {
		return
	}
	if user {
		b.WriteByte('+')
	} else {
		b.WriteByte('-')
	}
	b.WriteString(c.FullName)
	b.WriteByte(' ')
	fake.changePerm(c, user)
}

func (s *selector) describeFirstArgs(b *strings.Builder, c *Command) {
	if s.bit(c.id) {
		return
	}
	for _, arg := range s.firstArgs[c.id] {
		b.WriteByte('+')
		b.WriteString(c.FullName)
		b.WriteByte('|')
		b.Write(arg)
		b.WriteByte(' ')
	}
}

// countCategory counts the commands of cat (subcommands included) that
// the selector allows and blocks.
func (s *selector) countCategory(t *Table, cat Categories) (on, off int) {
	t.walk(func(c *Command) {
		if c.Categories&cat != 0 {
			if s.bit(c.id) {
				on++
			} else {
				off++
			}
		}
	})
	return on, off
}
