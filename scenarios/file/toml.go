package file

import (
	"fmt"
	"strconv"
	"strings"
)

// The scenario file format is a subset of TOML: comments, [table] and
// [[array.of.tables]] headers, and `key = value` lines whose value is a
// "string", an integer, true or false, or a one-line [array] of those
// (arrays nest). It is parsed here rather than with a TOML library because
// every later error must name the file, the line and the field, which the
// libraries report only for syntax errors.

// tomlValue is a parsed value with the line it came from.
type tomlValue struct {
	line int
	v    any // string, int64, bool, []any
}

// tomlTable is a table: its keys in file order, and where it started.
type tomlTable struct {
	line int
	keys []string
	vals map[string]tomlValue
	subs map[string][]*tomlTable // [[name]] arrays and [name] tables
}

func newTomlTable(line int) *tomlTable {
	return &tomlTable{line: line, vals: map[string]tomlValue{}, subs: map[string][]*tomlTable{}}
}

// parseTOML parses src; errors are "file:line: what".
func parseTOML(file, src string) (*tomlTable, error) {
	root := newTomlTable(1)
	cur := root
	for i, raw := range strings.Split(src, "\n") {
		line := i + 1
		text := strings.TrimSpace(stripComment(raw))
		if text == "" {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...))
		}
		if strings.HasPrefix(text, "[") {
			array := strings.HasPrefix(text, "[[")
			name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimLeft(text, "["), "]"), "]")
			if array && !strings.HasSuffix(text, "]]") || !array && !strings.HasSuffix(text, "]") || name == "" {
				return nil, fail("malformed table header %q", text)
			}
			parent := root
			parts := strings.Split(name, ".")
			for _, p := range parts[:len(parts)-1] {
				l := parent.subs[p]
				if len(l) == 0 {
					l = []*tomlTable{newTomlTable(line)}
					parent.subs[p] = l
				}
				parent = l[len(l)-1]
			}
			last := parts[len(parts)-1]
			if !array && len(parent.subs[last]) > 0 {
				return nil, fail("table [%s] is defined twice", name)
			}
			cur = newTomlTable(line)
			parent.subs[last] = append(parent.subs[last], cur)
			continue
		}
		key, val, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fail("want key = value, got %q", text)
		}
		if _, dup := cur.vals[key]; dup {
			return nil, fail("key %q is set twice", key)
		}
		v, rest, err := parseTOMLValue(strings.TrimSpace(val))
		if err != nil {
			return nil, fail("%s: %v", key, err)
		}
		if strings.TrimSpace(rest) != "" {
			return nil, fail("%s: unexpected %q after the value", key, rest)
		}
		cur.keys = append(cur.keys, key)
		cur.vals[key] = tomlValue{line, v}
	}
	return root, nil
}

func stripComment(s string) string {
	in := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			if i == 0 || s[i-1] != '\\' {
				in = !in
			}
		case '#':
			if !in {
				return s[:i]
			}
		}
	}
	return s
}

func parseTOMLValue(s string) (any, string, error) {
	switch {
	case s == "":
		return nil, "", fmt.Errorf("missing value")
	case s[0] == '"':
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == '"' {
				v, err := strconv.Unquote(s[:i+1])
				if err != nil {
					return nil, "", fmt.Errorf("bad string %s", s[:i+1])
				}
				return v, s[i+1:], nil
			}
		}
		return nil, "", fmt.Errorf("unterminated string")
	case s[0] == '[':
		var out []any
		rest := strings.TrimSpace(s[1:])
		for {
			if strings.HasPrefix(rest, "]") {
				return out, rest[1:], nil
			}
			v, r, err := parseTOMLValue(rest)
			if err != nil {
				return nil, "", err
			}
			out = append(out, v)
			rest = strings.TrimSpace(r)
			if strings.HasPrefix(rest, ",") {
				rest = strings.TrimSpace(rest[1:])
			} else if !strings.HasPrefix(rest, "]") {
				return nil, "", fmt.Errorf("want , or ] in an array (arrays are one line)")
			}
		}
	}
	end := strings.IndexAny(s, ",] ")
	if end < 0 {
		end = len(s)
	}
	word, rest := s[:end], s[end:]
	switch word {
	case "true":
		return true, rest, nil
	case "false":
		return false, rest, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(word, "_", ""), 10, 64)
	if err != nil {
		return nil, "", fmt.Errorf("%q is not a string, integer, boolean or array (strings need quotes)", word)
	}
	return n, rest, nil
}
