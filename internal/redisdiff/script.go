package redisdiff

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// stepKind says what a script step does.
type stepKind uint8

const (
	stepCommand stepKind = iota // send a command (and compare its reply unless async)
	stepConn                    // switch the current connection
	stepSleep                   // sleep on the wall clock
	stepRecv                    // read and compare the next reply of the current connection
)

// Match says how two replies are compared; the zero Match wants identical
// bytes.
type Match struct {
	// Sort sorts the elements of every innermost array (one with no array
	// among its elements) before comparing, for replies in hash-table order.
	Sort bool
	// Shape compares only the reply's type and, for an array, its length.
	Shape bool
	// Within lets integers anywhere in the reply differ by up to this much.
	Within int64
	// Slow waits SlowReplyTimeout for the reply instead of ReplyTimeout.
	Slow bool
	// Quiet expects no reply: QuietTimeout of silence on both sides is
	// enough (a command that blocks for ever, a push that must not come).
	Quiet bool
	// Mask replaces, in every string of the reply, what differs between
	// two servers by nature: client addresses (ip:port) and MONITOR's
	// leading timestamp.
	Mask bool
}

// wait is how long a step with these modifiers waits for a reply: zero
// for ReplyTimeout.
func (m Match) wait() time.Duration {
	switch {
	case m.Slow:
		return SlowReplyTimeout
	case m.Quiet:
		return QuietTimeout
	}
	return 0
}

func (m Match) merge(o Match) Match {
	return Match{Sort: m.Sort || o.Sort, Shape: m.Shape || o.Shape, Within: max(m.Within, o.Within), Mask: m.Mask || o.Mask, Slow: m.Slow || o.Slow, Quiet: m.Quiet || o.Quiet}
}

// step is one line of a script that does something.
type step struct {
	pos   string // file:line
	kind  stepKind
	args  []string
	conn  int
	sleep time.Duration
	match Match
	async bool
}

// text renders the command of a step for messages, quoted as a script
// would write it.
func (s *step) text() string {
	return commandText(s.args)
}

func commandText(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\"'\\") && strconv.CanBackquote(a) && !strings.ContainsAny(a, "\r\n") {
			b.WriteString(a)
		} else {
			b.WriteString(strconv.Quote(a))
		}
	}
	return b.String()
}

// maxConns bounds the connection numbers a script may use.
const maxConns = 8

// parseFile reads and parses a script file.
func parseFile(path string) ([]step, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseScript(filepath.Base(path), string(data))
}

// parseScript parses a script; name prefixes the positions of its steps.
func parseScript(name, src string) ([]step, error) {
	var (
		steps   []step
		pending Match // modifiers waiting for their command
		async   bool
		modPos  string // where the pending modifiers started
	)
	for i, line := range strings.Split(src, "\n") {
		pos := name + ":" + strconv.Itoa(i+1)
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] != '!' {
			args, err := splitArgs(line)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", pos, err)
			}
			steps = append(steps, step{pos: pos, kind: stepCommand, args: args, match: pending, async: async})
			pending, async, modPos = Match{}, false, ""
			continue
		}
		word, rest, _ := strings.Cut(line[1:], " ")
		rest = strings.TrimSpace(rest)
		isModifier := true
		switch word {
		case "sort":
			pending.Sort = true
		case "ignore":
			pending.Shape = true
		case "async":
			async = true
		case "mask":
			pending.Mask = true
		case "slow":
			pending.Slow = true
		case "quiet":
			pending.Quiet = true
		case "within":
			n, tail, _ := strings.Cut(rest, " ")
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("%s: !within wants a non-negative integer, as in `!within 1`, not %q", pos, n)
			}
			pending.Within = v
			rest = strings.TrimSpace(tail)
		default:
			isModifier = false
		}
		if isModifier {
			if modPos == "" {
				modPos = pos
			}
			if rest == "" {
				continue // the command follows on a later line
			}
			args, err := splitArgs(rest)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", pos, err)
			}
			steps = append(steps, step{pos: pos, kind: stepCommand, args: args, match: pending, async: async})
			pending, async, modPos = Match{}, false, ""
			continue
		}
		switch word {
		case "recv":
			if async {
				return nil, fmt.Errorf("%s: !async applies to a command, not to !recv", pos)
			}
			if rest != "" {
				return nil, fmt.Errorf("%s: !recv takes no arguments", pos)
			}
			steps = append(steps, step{pos: pos, kind: stepRecv, match: pending})
			pending, modPos = Match{}, ""
			continue
		}
		if modPos != "" {
			return nil, fmt.Errorf("%s: !%s follows modifiers (line %s) that need a command or !recv", pos, word, modPos)
		}
		switch word {
		case "conn":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n >= maxConns {
				return nil, fmt.Errorf("%s: !conn wants a connection number 0-%d, not %q", pos, maxConns-1, rest)
			}
			steps = append(steps, step{pos: pos, kind: stepConn, conn: n})
		case "sleep":
			d, err := time.ParseDuration(rest)
			if err != nil || d < 0 || d > 5*time.Second {
				return nil, fmt.Errorf("%s: !sleep wants a duration up to 5s, as in `!sleep 150ms`, not %q", pos, rest)
			}
			steps = append(steps, step{pos: pos, kind: stepSleep, sleep: d})
		default:
			return nil, fmt.Errorf("%s: unknown directive !%s; one of sort, ignore, within, mask, async, recv, conn, sleep", pos, word)
		}
	}
	if modPos != "" {
		return nil, fmt.Errorf("%s: modifiers at the end of the script apply to nothing", modPos)
	}
	return steps, nil
}

// splitArgs splits a command line into arguments as redis-cli does
// (sdssplitargs): "..." strings take \n \r \t \b \a \\ \" and \xHH escapes,
// '...' strings take \' only, and a closing quote must end the argument.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, nil
		}
		var cur []byte
		inq, insq := false, false
		for done := false; !done; {
			if i == len(line) {
				if inq || insq {
					return nil, fmt.Errorf("unbalanced quotes in %q", line)
				}
				break
			}
			c := line[i]
			switch {
			case inq:
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					v, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					cur = append(cur, byte(v))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, line[i])
					}
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, fmt.Errorf("closing quote must be followed by a space in %q", line)
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					cur = append(cur, '\'')
					i++
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, fmt.Errorf("closing quote must be followed by a space in %q", line)
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case isSpace(c):
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			i++
		}
		args = append(args, string(cur))
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
