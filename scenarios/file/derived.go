package file

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/redsim/redsim/scenarios"
)

// A derived scenario file names a base scenario (a built-in or another
// scenario file) and changes it: the defaults of some of its parameters
// ([set]) and, with [[nemesis.action]] tables, its whole schedule. It is
// what `simulate shrink` writes: a failing run made small, that anyone
// can run again.
//
//	base = "failover-partition"
//	[set]
//	clients = 1
//	[nemesis]
//	explicit = true          # the actions below are the whole schedule
//	[[nemesis.action]]
//	at = "15s"
//	op = "promote"
//	target = "n3"

// Lookup finds a built-in scenario by name, as Registry.Lookup does.
type Lookup func(name string) (*scenarios.Scenario, error)

// maxBaseDepth bounds a chain of derived files, each the base of the next,
// so that a cycle is an error rather than a hang.
const maxBaseDepth = 8

// LoadWith reads a scenario file; a derived file's base is found with
// lookup (built-ins) or read from disk (files, relative to the derived
// file's directory).
func LoadWith(path string, lookup Lookup) (*scenarios.Scenario, error) {
	return load(path, lookup, 0)
}

func load(path string, lookup Lookup, depth int) (*scenarios.Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, string(data), lookup, depth)
}

// ParseWith parses a scenario file's text as LoadWith does.
func ParseWith(path, src string, lookup Lookup) (*scenarios.Scenario, error) {
	return parse(path, src, lookup, 0)
}

func parse(path, src string, lookup Lookup, depth int) (*scenarios.Scenario, error) {
	root, err := parseTOML(path, src)
	if err != nil {
		return nil, err
	}
	var s *scenarios.Scenario
	if _, ok := root.vals["base"]; !ok {
		s, err = parseSpec(path, root)
	} else {
		s, err = parseDerived(path, root, lookup, depth)
	}
	if err != nil {
		return nil, err
	}
	// A derived scenario's Digest is its base's (a file's, or empty for a
	// built-in) until here.
	sum := sha256.Sum256([]byte(s.Digest + "\x00" + src))
	s.Digest = hex.EncodeToString(sum[:8])
	return s, nil
}

func parseDerived(path string, root *tomlTable, lookup Lookup, depth int) (*scenarios.Scenario, error) {
	d := &decoder{file: path, used: map[*tomlTable]map[string]bool{}}
	baseName := d.str(root, "", "base", "", nil)
	baseLine := d.line(root, "base")
	if d.err != nil {
		return nil, d.err
	}
	var base *scenarios.Scenario
	var err error
	switch {
	case depth >= maxBaseDepth:
		return nil, fmt.Errorf("%s:%d: base %q: more than %d files each the base of the next; is there a cycle?", path, baseLine, baseName, maxBaseDepth)
	case strings.HasSuffix(baseName, ".toml") || strings.ContainsRune(baseName, '/'):
		p := baseName
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		base, err = load(p, lookup, depth+1)
	case lookup == nil:
		err = fmt.Errorf("no built-in scenarios to look it up in")
	default:
		base, err = lookup(baseName)
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%d: base %q: %v", path, baseLine, baseName, err)
	}
	name := d.scenarioName(root, path)
	summary := d.str(root, "", "summary", base.Summary+" (derived by "+path+")", nil)
	set := map[string]string{}
	setTable := d.one(root, "", "set")
	if setTable != nil {
		for _, k := range setTable.keys {
			v, _ := d.get(setTable, k)
			switch x := v.v.(type) {
			case string:
				set[k] = x
			case int64:
				set[k] = strconv.FormatInt(x, 10)
			case bool:
				set[k] = strconv.FormatBool(x)
			default:
				d.fail(v.line, "set.%s must be a string, an integer or true/false", k)
			}
		}
	}
	nem := d.one(root, "", "nemesis")
	explicit := d.boolean(nem, "nemesis.", "explicit", nem != nil && len(nem.subs["action"]) > 0)
	actions, lines := d.actions(nem, nil, nil)
	if len(actions) > 0 && !explicit {
		d.fail(nem.vals["explicit"].line, "nemesis.explicit = false with [[nemesis.action]] tables: a derived file's actions are its whole schedule; drop the actions or the line")
	}
	d.unknownKeys(root, "", "set", "nemesis")
	d.unknownKeys(nem, "nemesis.", "action")
	if d.err != nil {
		return nil, d.err
	}
	s, err := scenarios.Derive(base, scenarios.Derivation{Name: name, Summary: summary, Source: path, Set: set, Schedule: actions, Explicit: explicit})
	if err != nil {
		line := baseLine
		if setTable != nil {
			line = setTable.line
		}
		return nil, fmt.Errorf("%s:%d: [set]: %v", path, line, err)
	}
	if explicit {
		params, err := scenarios.NewParams(s.Params, nil)
		if err == nil {
			end := params.Duration("duration")
			for i, a := range actions {
				if a.At >= end {
					return nil, fmt.Errorf("%s:%d: nemesis.action at %q is after the run ends (duration %v); it would never happen", path, lines[i], a.At.String(), end)
				}
			}
		}
	}
	return s, nil
}
