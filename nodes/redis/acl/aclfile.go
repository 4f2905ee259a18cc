package acl

import (
	"bytes"
	"fmt"
	"strings"
)

// FormatFile is the ACL file ACL SAVE writes (ACLSaveToFile): one
// "user <name> <rules>" line per user, sorted by name, each ending in a
// newline.
func (a *ACL) FormatFile() []byte {
	var b bytes.Buffer
	for _, u := range a.Users() {
		b.WriteString("user ")
		b.WriteString(u.name)
		b.WriteByte(' ')
		b.WriteString(u.Describe(a.table))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// fileChunk is the fgets buffer size of ACLLoadFromFile: a NUL byte hides
// the rest of its 1023-byte (or up to newline) chunk.
const fileChunk = 1023

// LoadFile replaces all users with those of an ACL file's contents,
// all or nothing (ACLLoadFromFile). filename only appears in error texts.
// Lines are "user <name> <rule>..." separated by single spaces; blank
// lines are skipped, comments are errors. Every line is checked and all
// problems are reported in one error, "ERR <problems>WARNING: ACL errors
// detected, no change to the previously active ACL rules was performed",
// in which case nothing changes. On success the default user keeps its
// *User but takes the file's rules (or, when the file has none, those of
// a fresh default user: nopass, whatever requirepass says), and every
// other old user is returned as dropped: its connections must be closed,
// even when the file defines a user with the same name.
func (a *ACL) LoadFile(filename string, data []byte) (dropped []*User, err error) {
	var text []byte
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 || n > fileChunk {
			n = min(len(data), fileChunk)
		}
		text = append(text, cstr(data[:n])...)
		data = data[n:]
	}
	var errs strings.Builder
	users := map[string]*User{}
	for i, line := range bytes.Split(text, []byte("\n")) {
		if len(text) == 0 {
			break
		}
		lineNum := i + 1
		line = bytes.Trim(line, " \t\r\n")
		if len(line) == 0 {
			continue
		}
		argv := bytes.Split(line, []byte(" "))
		if string(cstr(argv[0])) != "user" || len(argv) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", filename, lineNum)
			continue
		}
		if hasSpaces(argv[1]) {
			fmt.Fprintf(&errs, "'%s:%d: username '%s' contains invalid characters. ", filename, lineNum, cstr(argv[1]))
			continue
		}
		name := string(argv[1])
		if users[name] != nil {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", cstr(argv[1]), lineNum)
			continue
		}
		u := newUser(a.table, name, a.pubsubAll())
		users[name] = u
		rules, bad := mergeSelectors(argv[2:])
		if bad >= 0 {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", filename, lineNum)
			// Redis goes on to read the rules merged before the open
			// selector from a freed array and crashes when there are
			// any; here they are skipped.
			continue
		}
		syntaxErr := false
		for _, op := range rules {
			op = bytes.Trim(op, "\t\r\n")
			e := u.apply(a, op)
			switch {
			case e == errNone:
			case e == errUnknown:
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", filename, lineNum, cstr(op), e)
			case !syntaxErr:
				fmt.Fprintf(&errs, "%s:%d: %s. ", filename, lineNum, e)
				syntaxErr = true
			}
		}
	}
	if errs.Len() > 0 {
		errs.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return nil, &Error{Msg: "ERR " + errs.String()}
	}
	newDef := users["default"]
	if newDef == nil {
		newDef = a.newDefaultUser()
	}
	a.def.copyFrom(newDef)
	users["default"] = a.def
	for _, u := range a.Users() {
		if u != a.def {
			dropped = append(dropped, u)
		}
	}
	a.users = users
	return dropped, nil
}
