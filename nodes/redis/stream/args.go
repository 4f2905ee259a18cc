package stream

import (
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// isOpt reports whether arg is the option name opt (lower case), compared
// as strcasecmp compares C strings: case-insensitively, up to a NUL.
func isOpt(arg []byte, opt string) bool {
	a := cstr(arg)
	if len(a) != len(opt) {
		return false
	}
	for i := range len(a) {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != opt[i] {
			return false
		}
	}
	return true
}

// checkArity returns the error the command table gives when argv has
// fewer than min arguments (the command name included). The node's
// command table checks arities first; this keeps the package safe on any
// argv.
func checkArity(argv [][]byte, name string, min int) error {
	if len(argv) < min {
		return errorf("ERR wrong number of arguments for '", name, "' command")
	}
	return nil
}

// isCStr reports whether arg equals s as strcmp compares C strings.
func isCStr(arg []byte, s string) bool { return string(cstr(arg)) == s }

// asciiUpper is sdstoupper: toupper in the C locale, byte by byte.
func asciiUpper(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// parseInt is getLongLongFromObjectOrReply: string2ll over the whole
// argument, failing with msg (or the generic integer error when msg is
// nil).
func parseInt(arg []byte, msg error) (int64, error) {
	v, ok := rnum.ParseInt(arg)
	if !ok {
		if msg == nil {
			msg = ErrNotInteger
		}
		return 0, msg
	}
	return v, nil
}

// formatInt is createStringObjectFromLongLong's text.
func formatInt(v int64) []byte { return strconv.AppendInt(make([]byte, 0, 20), v, 10) }

// idArg returns id as an argument for a propagated command.
func idArg(id ID) []byte { return id.Append(make([]byte, 0, 41)) }
