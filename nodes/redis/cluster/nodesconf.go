package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/resp"
)

// NodeLine is one line of CLUSTER NODES and of nodes.conf, the two being the
// same text (clusterGenNodeDescription):
//
//	<id> <ip>:<port>@<cport>[,<hostname>] <flags> <master|-> <ping_sent> <pong_received> <configEpoch> <connected|disconnected> <slots>...
type NodeLine struct {
	// ID is the node's 40-character ID.
	ID string
	// IP is its address, "" when unknown.
	IP string
	// Port and CPort are its client and bus ports.
	Port, CPort int
	// Hostname is its announced hostname, "" for none.
	Hostname string
	// Flags are its flags; only those flagNames lists are written.
	Flags NodeFlags
	// MasterID is its master's ID, "" for a master ("-" on the line).
	MasterID string
	// PingSent and PongReceived are Unix times in milliseconds, 0 for none.
	// Loading only asks whether they are non-zero (see PingSentSet).
	PingSent, PongReceived int64
	// ConfigEpoch is its config epoch; a replica's line carries its master's.
	ConfigEpoch uint64
	// Connected is the link state: true for "connected" (always for myself).
	Connected bool
	// Slots are its slot ranges in order. A range whose Start exceeds its
	// End loads as no slot, as in Redis.
	Slots []SlotRange
	// Migrating and Importing are the [slot->-id] and [slot-<-id] entries,
	// written on the myself line only.
	Migrating, Importing []SlotPeer
}

// SlotRange is the slots Start to End inclusive.
type SlotRange struct{ Start, End int }

// SlotPeer is a slot being migrated to, or imported from, node Node.
type SlotPeer struct {
	Slot int
	Node string
}

// Config is a nodes.conf: a line per known node (but those in handshake)
// and the vars line clusterSaveConfig appends.
type Config struct {
	Nodes []NodeLine
	// CurrentEpoch and LastVoteEpoch are the vars line's values, 0 when
	// the file has none.
	CurrentEpoch, LastVoteEpoch uint64
	// Warnings are the lines Redis logs while loading and goes on:
	// "Skipping unknown cluster config variable 'x'".
	Warnings []string
}

// Myself is the line flagged myself; ParseConfig guarantees there is one.
func (c *Config) Myself() *NodeLine {
	for i := range c.Nodes {
		if c.Nodes[i].Flags&FlagMyself != 0 {
			return &c.Nodes[i]
		}
	}
	return nil
}

// PingSentSet reports whether loading this line marks a ping as pending:
// Redis tests atoi(ping_sent) != 0, and atoi keeps 32 bits of the number.
func (l *NodeLine) PingSentSet() bool { return int32(l.PingSent) != 0 }

// PongReceivedSet is PingSentSet for pong_received.
func (l *NodeLine) PongReceivedSet() bool { return int32(l.PongReceived) != 0 }

// AppendTo appends the line, without its newline, as Redis writes it.
func (l *NodeLine) AppendTo(b []byte) []byte {
	b = append(b, l.ID...)
	b = append(b, ' ')
	b = append(b, l.IP...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(l.Port), 10)
	b = append(b, '@')
	b = strconv.AppendInt(b, int64(l.CPort), 10)
	if l.Hostname != "" {
		b = append(b, ',')
		b = append(b, l.Hostname...)
	}
	b = append(b, ' ')
	b = append(b, l.Flags.String()...)
	b = append(b, ' ')
	if l.MasterID == "" {
		b = append(b, '-')
	} else {
		b = append(b, l.MasterID...)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, l.PingSent, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, l.PongReceived, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, l.ConfigEpoch, 10)
	if l.Connected || l.Flags&FlagMyself != 0 {
		b = append(b, " connected"...)
	} else {
		b = append(b, " disconnected"...)
	}
	for _, r := range l.Slots {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(r.Start), 10)
		if r.End != r.Start {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(r.End), 10)
		}
	}
	if l.Flags&FlagMyself != 0 {
		b = appendMoves(b, l.Migrating, l.Importing)
	}
	return b
}

// appendMoves writes the open migrations in slot order; a slot both
// migrating and importing shows only as migrating, as in Redis.
func appendMoves(b []byte, mig, imp []SlotPeer) []byte {
	if len(mig)+len(imp) == 0 {
		return b
	}
	bySlot := func(x, y SlotPeer) int { return x.Slot - y.Slot }
	mig, imp = slices.Clone(mig), slices.Clone(imp)
	slices.SortStableFunc(mig, bySlot)
	slices.SortStableFunc(imp, bySlot)
	i, j := 0, 0
	for i < len(mig) || j < len(imp) {
		if j == len(imp) || (i < len(mig) && mig[i].Slot <= imp[j].Slot) {
			s := mig[i].Slot
			b = fmt.Appendf(b, " [%d->-%.40s]", s, mig[i].Node)
			for i < len(mig) && mig[i].Slot == s {
				i++ // Redis holds one target per slot: the last loaded
			}
			for j < len(imp) && imp[j].Slot == s {
				j++
			}
			continue
		}
		s := imp[j].Slot
		b = fmt.Appendf(b, " [%d-<-%.40s]", s, imp[j].Node)
		for j < len(imp) && imp[j].Slot == s {
			j++
		}
	}
	return b
}

// FormatNodes is lines as CLUSTER NODES returns them: each line ends in
// "\n".
func FormatNodes(lines []NodeLine) []byte {
	var b []byte
	for i := range lines {
		b = lines[i].AppendTo(b)
		b = append(b, '\n')
	}
	return b
}

// Format is c as clusterSaveConfig writes it: the node lines, then
// "vars currentEpoch N lastVoteEpoch M".
func (c *Config) Format() []byte {
	b := FormatNodes(c.Nodes)
	return fmt.Appendf(b, "vars currentEpoch %d lastVoteEpoch %d\n", c.CurrentEpoch, c.LastVoteEpoch)
}

// ErrNoConfig is ParseConfig's answer for an empty file, which Redis
// treats as no file at all: it starts as a new node and writes a config.
var ErrNoConfig = errors.New("nodes.conf is empty: Redis starts a new node and writes it")

// What Redis 7.0.15 logs as it stops on a nodes.conf it cannot load:
// CorruptLog for the errors it checks for, and a crash report for the
// cases it asserts against or does not foresee.
const (
	CorruptLog        = "Unrecoverable error: corrupted cluster config file."
	unknownFlagLog    = "Guru Meditation: Unknown flag in redis cluster config file #cluster.c:292"
	twoMyselfLog      = "==> cluster.c:271 'server.cluster->myself == NULL' is not true"
	moveNoDashLog     = "==> cluster.c:333 'p != NULL' is not true"
	blankLineCrashLog = "Redis 7.0.15 crashed by signal: 11"
)

// ConfigError is a nodes.conf that Redis refuses to start with.
type ConfigError struct {
	// Line is the 1-based line number; 0 when the file as a whole is wrong
	// (no myself line).
	Line int
	// Text is the offending line, without its newline.
	Text string
	// Reason says what is wrong.
	Reason string
	// Log is the line Redis logs as it stops: CorruptLog when it exits, or
	// the key line of its crash report where it asserts or crashes.
	Log string
}

func (e *ConfigError) Error() string {
	text := e.Text
	if len(text) > 120 {
		text = text[:120] + "..."
	}
	if e.Line == 0 {
		return fmt.Sprintf("nodes.conf: %s (Redis: %s)", e.Reason, e.Log)
	}
	return fmt.Sprintf("nodes.conf:%d: %s in %q (Redis: %s)", e.Line, e.Reason, text, e.Log)
}

// maxConfigLine is the buffer clusterLoadConfig reads lines into; fgets
// cuts a longer line into pieces that are parsed as lines of their own.
const maxConfigLine = 1024 + Slots*128

// ParseConfig reads a nodes.conf as clusterLoadConfig does and refuses what
// it refuses, with its message: too few fields, a malformed node ID, address
// or slot, a vars line with an even number of words, unbalanced quotes, no
// myself line. Blank lines are skipped, and so are unknown vars (with a
// warning). It is as lenient as Redis where Redis is lenient: numbers are
// read as atoi and strtoull read them, and a last line cut short still
// loads if what remains is well-formed (a slot range "0-54" cut from
// "0-5460" loads as such; Redis does not detect it either).
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(data) == 0 {
		return c, ErrNoConfig
	}
	myself := false
	lineNo := 0
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 || n > maxConfigLine-1 {
			n = min(len(data), maxConfigLine-1)
		}
		raw := data[:n]
		data = data[n:]
		lineNo++
		// Everything after a NUL byte is invisible to the C string calls.
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			raw = raw[:i]
		}
		if len(raw) == 0 || raw[0] == '\n' {
			continue
		}
		text := strings.TrimRight(string(raw), "\n")
		fail := func(reason string) error {
			return &ConfigError{Line: lineNo, Text: text, Reason: reason, Log: CorruptLog}
		}
		words, ok := resp.SplitArgs(raw)
		if !ok {
			return Config{}, fail("unbalanced quotes")
		}
		argv := make([]string, len(words))
		for i, w := range words {
			argv[i] = string(w)
		}
		if len(argv) == 0 {
			// sdssplitargs returns no words and Redis reads argv[0] anyway.
			return Config{}, &ConfigError{Line: lineNo, Text: text, Reason: "a line of only blanks (Redis reads an uninitialized word and crashes)", Log: blankLineCrashLog}
		}
		if strings.EqualFold(argv[0], "vars") {
			if len(argv)%2 == 0 {
				return Config{}, fail(fmt.Sprintf("vars line with %d words, want an odd number (vars and name/value pairs)", len(argv)))
			}
			for j := 1; j < len(argv); j += 2 {
				switch {
				case strings.EqualFold(argv[j], "currentEpoch"):
					c.CurrentEpoch = strtoull(argv[j+1])
				case strings.EqualFold(argv[j], "lastVoteEpoch"):
					c.LastVoteEpoch = strtoull(argv[j+1])
				default:
					c.Warnings = append(c.Warnings, fmt.Sprintf("Skipping unknown cluster config variable '%s'", cStr(argv[j])))
				}
			}
			continue
		}
		l, err := parseNodeLine(argv)
		if err != nil {
			err.Line, err.Text = lineNo, text
			return Config{}, err
		}
		if l.Flags&FlagMyself != 0 {
			if myself {
				return Config{}, &ConfigError{Line: lineNo, Text: text, Reason: "a second myself line",
					Log: twoMyselfLog}
			}
			myself = true
		}
		c.Nodes = append(c.Nodes, l)
	}
	if !myself {
		return Config{}, &ConfigError{Reason: "no line is flagged myself", Log: CorruptLog}
	}
	return c, nil
}

func parseNodeLine(argv []string) (NodeLine, *ConfigError) {
	var l NodeLine
	corrupt := func(reason string) (NodeLine, *ConfigError) {
		return NodeLine{}, &ConfigError{Reason: reason, Log: CorruptLog}
	}
	if len(argv) < 8 {
		return corrupt(fmt.Sprintf("%d fields, a node line has at least 8", len(argv)))
	}
	if !validNodeID(argv[0]) {
		return corrupt(fmt.Sprintf("node ID %q is not 40 characters of a-z and 0-9", argv[0]))
	}
	l.ID = argv[0]

	addr := cStr(argv[1])
	if i := strings.IndexByte(addr, ','); i >= 0 {
		addr, l.Hostname = addr[:i], addr[i+1:]
	}
	colon := strings.LastIndexByte(addr, ':')
	if colon < 0 {
		return corrupt(fmt.Sprintf("address %q has no ':'", addr))
	}
	l.IP = addr[:colon]
	if len(l.IP) >= IPLen {
		return corrupt(fmt.Sprintf("IP %q is longer than %d bytes (Redis would overflow its buffer)", l.IP, IPLen-1))
	}
	port, bus, hasBus := strings.Cut(addr[colon+1:], "@")
	l.Port = int(atoi(port))
	if hasBus {
		l.CPort = int(atoi(bus))
	} else {
		l.CPort = l.Port + PortIncr // files older than 4.0 have no @cport
	}

	for s := range strings.SplitSeq(cStr(argv[2]), ",") {
		f, ok := flagByName(s)
		if !ok {
			return NodeLine{}, &ConfigError{Reason: fmt.Sprintf("unknown flag %q", s),
				Log: unknownFlagLog}
		}
		l.Flags |= f
	}

	if argv[3] == "" || argv[3][0] != '-' {
		if !validNodeID(argv[3]) {
			return corrupt(fmt.Sprintf("master ID %q is not 40 characters of a-z and 0-9", argv[3]))
		}
		l.MasterID = argv[3]
	}
	l.PingSent = strtoll(argv[4])
	l.PongReceived = strtoll(argv[5])
	l.ConfigEpoch = strtoull(argv[6])
	l.Connected = argv[7] == "connected"

	for _, a := range argv[8:] {
		a = cStr(a)
		if strings.HasPrefix(a, "[") {
			dash := strings.IndexByte(a, '-')
			if dash < 0 {
				return NodeLine{}, &ConfigError{Reason: fmt.Sprintf("slot move %q has no '-'", a),
					Log: moveNoDashLog}
			}
			slot := int(atoi(a[1:]))
			if slot < 0 || slot >= Slots {
				return corrupt(fmt.Sprintf("slot %d of %q is outside 0-%d", slot, a, Slots-1))
			}
			if dash+3 > len(a) {
				return corrupt(fmt.Sprintf("slot move %q ends after its slot (Redis would read past it)", a))
			}
			rest := a[dash+3:]
			end := strings.IndexByte(rest, ']')
			if end < 0 || !validNodeID(rest[:end]) {
				return corrupt(fmt.Sprintf("slot move %q does not name a node as [slot->-id] or [slot-<-id]", a))
			}
			p := SlotPeer{Slot: slot, Node: rest[:end]}
			if a[dash+1] == '>' {
				l.Migrating = append(l.Migrating, p)
			} else {
				l.Importing = append(l.Importing, p)
			}
			continue
		}
		var r SlotRange
		if lo, hi, ok := strings.Cut(a, "-"); ok {
			r = SlotRange{int(atoi(lo)), int(atoi(hi))}
		} else {
			r.Start = int(atoi(a))
			r.End = r.Start
		}
		if r.Start < 0 || r.Start >= Slots || r.End < 0 || r.End >= Slots {
			return corrupt(fmt.Sprintf("slot range %q is outside 0-%d", a, Slots-1))
		}
		l.Slots = append(l.Slots, r)
	}
	return l, nil
}

// flagByName is the flag clusterLoadConfig reads for one word (any case);
// "noflags" is no flag.
func flagByName(s string) (NodeFlags, bool) {
	if strings.EqualFold(s, "noflags") {
		return 0, true
	}
	for _, fn := range flagNames {
		if strings.EqualFold(s, fn.name) {
			return fn.flag, true
		}
	}
	return 0, false
}

// validNodeID is verifyClusterNodeId: 40 characters of a-z and 0-9 (not
// only hex: Redis checks no more).
func validNodeID(s string) bool {
	if len(s) != NameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
