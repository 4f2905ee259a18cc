package acl

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// CommandSpec is what the caller tells the ACL engine about one command
// of its command table: Redis's server.orig_commands, which ACL rules
// read (renamed commands keep their original names here).
type CommandSpec struct {
	// Name is the command's name, or for a subcommand its name without the
	// container's ("get" for CONFIG GET). Matched without regard to case.
	Name string
	// Categories are the command's ACL categories as COMMAND INFO reports
	// them, implicit ones (@write for write commands, @slow for every
	// command that is not @fast...) included.
	Categories Categories
	// NoAuth is CMD_NO_AUTH (AUTH, HELLO): the command is allowed to every
	// selector whatever its command rules; keys and channels still count.
	NoAuth bool
	// Subcommands are a container's subcommands (CONFIG GET...), one
	// level deep as in Redis 7.0.
	Subcommands []CommandSpec
}

// Command is one entry of a Table.
type Command struct {
	// Name is the lower-case name, without the container's for a
	// subcommand.
	Name string
	// FullName is "config|get" for a subcommand, Name otherwise: what
	// error messages, ACL LIST and ACL CAT show.
	FullName   string
	Categories Categories
	NoAuth     bool
	// Parent is the container of a subcommand, nil for a top-level command.
	Parent *Command
	// Subcommands are sorted by name.
	Subcommands []*Command

	id    int
	byKey map[string]*Command // lower-case subcommand name -> subcommand
}

// Table is the command table that ACL rules are resolved against. Each
// command, subcommand and container has its own bit in a user's command
// bitmap, as Redis gives each an ID.
//
// Redis walks its command dict in hash order, which differs from one
// process to the next (the hash seed is random), and that order shows in
// ACL LIST's single-command rules and in ACL CAT <category>. The table
// walks commands sorted by name instead, so the output is deterministic
// and is one of the orders a real server could print.
type Table struct {
	top   []*Command          // sorted by name
	byKey map[string]*Command // lower-case name -> top-level command
	all   []*Command          // by id
}

// NewTable builds a table from specs. Names must be non-empty, must not
// contain '|' or spaces, and must be unique (without regard to case)
// among their siblings.
func NewTable(specs []CommandSpec) (*Table, error) {
	t := &Table{byKey: map[string]*Command{}}
	for _, s := range specs {
		c, err := t.add(s, nil)
		if err != nil {
			return nil, err
		}
		t.top = append(t.top, c)
	}
	sort.Slice(t.top, func(i, j int) bool { return t.top[i].Name < t.top[j].Name })
	return t, nil
}

func (t *Table) add(s CommandSpec, parent *Command) (*Command, error) {
	name := lowerString([]byte(s.Name))
	if name == "" || strings.ContainsAny(name, "| \t\r\n\x00") {
		return nil, fmt.Errorf("acl: command name %q is empty or holds '|' or a space", s.Name)
	}
	c := &Command{Name: name, FullName: name, Categories: s.Categories, NoAuth: s.NoAuth, Parent: parent, id: len(t.all)}
	siblings := t.byKey
	if parent != nil {
		c.FullName = parent.Name + "|" + name
		siblings = parent.byKey
	} else if len(s.Subcommands) > 0 {
		c.byKey = map[string]*Command{}
	}
	if _, dup := siblings[name]; dup {
		return nil, fmt.Errorf("acl: command %q is defined twice", c.FullName)
	}
	siblings[name] = c
	t.all = append(t.all, c)
	if parent != nil && len(s.Subcommands) > 0 {
		return nil, fmt.Errorf("acl: subcommand %q has subcommands; Redis 7.0 has one level only", c.FullName)
	}
	for _, sub := range s.Subcommands {
		sc, err := t.add(sub, c)
		if err != nil {
			return nil, err
		}
		c.Subcommands = append(c.Subcommands, sc)
	}
	sort.Slice(c.Subcommands, func(i, j int) bool { return c.Subcommands[i].Name < c.Subcommands[j].Name })
	return c, nil
}

// Len is the number of commands, subcommands included.
func (t *Table) Len() int { return len(t.all) }

// Commands returns the top-level commands sorted by name.
func (t *Table) Commands() []*Command { return t.top }

// Lookup finds a command by its full name ("get", "config|get"),
// without regard to case, as ACL rules name them (lookupCommandBySds on
// the original table): nil for an unknown name, for more than one '|',
// and for "cmd|sub" when cmd has no subcommands.
func (t *Table) Lookup(name []byte) *Command {
	name = cstr(name)
	if len(name) == 0 {
		return nil
	}
	base, sub, two := bytes.Cut(name, []byte("|"))
	if two && bytes.IndexByte(sub, '|') >= 0 {
		return nil
	}
	c := t.byKey[lowerString(base)]
	if c == nil || !two {
		return c
	}
	if c.byKey == nil {
		return nil
	}
	return c.byKey[lowerString(sub)]
}

// walk calls fn for every command in dict-walk order: each top-level
// command, then (depth first) its subcommands.
func (t *Table) walk(fn func(c *Command)) {
	for _, c := range t.top {
		fn(c)
		for _, s := range c.Subcommands {
			fn(s)
		}
	}
}

// cstr is b up to its first NUL byte: what C string functions (strcasecmp,
// strlen, "%s") see of an argument that Redis holds as an sds.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// at is b[i], or 0 past the end, as reading the NUL terminator of an sds.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// eqFold is strcasecmp(op, s) == 0 on the C string of op: ASCII letters
// fold, nothing else does (strings.EqualFold would also fold Unicode).
func eqFold(op []byte, s string) bool {
	op = cstr(op)
	if len(op) != len(s) {
		return false
	}
	for i := 0; i < len(op); i++ {
		if lower(op[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// lowerString folds the ASCII letters of b, as sdstolower does.
func lowerString(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower(c)
	}
	return string(out)
}
