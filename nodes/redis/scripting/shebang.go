package scripting

import (
	"bytes"
	"errors"
	"strings"
)

// Flags are the script flags of a "#!lua flags=..." shebang (Redis 7.0).
// The server enforces them; the engine only parses them.
type Flags uint32

// The shebang flags. FlagShebang marks a script that has a shebang at all:
// without one Redis runs it in EVAL compatibility mode.
const (
	FlagShebang Flags = 1 << iota
	FlagNoWrites
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlotKeys
)

var flagNames = []struct {
	name string
	flag Flags
}{
	{"no-writes", FlagNoWrites},
	{"allow-oom", FlagAllowOOM},
	{"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster},
	{"allow-cross-slot-keys", FlagAllowCrossSlotKeys},
}

// parseShebang parses the shebang line of body, if any, as
// evalExtractShebangFlags does, returning the flags and how many bytes to
// skip (the line without its newline).
func parseShebang(body []byte) (flags Flags, skip int, err error) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return 0, 0, nil
	}
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return 0, 0, errors.New("ERR Invalid script shebang")
	}
	parts := strings.Fields(string(body[:nl]))
	if len(parts) == 0 || parts[0] != "#!lua" {
		engine := ""
		if len(parts) > 0 {
			engine = parts[0]
		}
		return 0, 0, errors.New("ERR Unexpected engine in script shebang: " + engine)
	}
	flags = FlagShebang
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, 0, errors.New("ERR Unknown lua shebang option: " + p)
		}
		for _, name := range strings.Split(list, ",") {
			if name == "" {
				continue
			}
			found := false
			for _, f := range flagNames {
				if f.name == name {
					flags |= f.flag
					found = true
				}
			}
			if !found {
				return 0, 0, errors.New("ERR Unexpected flag in script shebang: " + name)
			}
		}
	}
	return flags, nl, nil
}

// ShebangFlags is evalGetCommandFlags' reading of an EVAL body: the flags
// of its shebang, and false when it has none or an invalid one (EVAL
// compatibility mode, or an error EVAL itself reports).
func ShebangFlags(body []byte) (Flags, bool) {
	flags, _, err := parseShebang(body)
	if err != nil || flags&FlagShebang == 0 {
		return 0, false
	}
	return flags, true
}
