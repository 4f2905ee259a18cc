package file

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The scenario file format is a subset of TOML: comments, [table] and
// [[array.of.tables]] headers, and `key = value` lines whose value is a
// "string", an integer, true or false, or a one-line [array] of those
// (arrays nest, up to maxArrayDepth). Keys are bare (letters, digits, '-'
// and '_'); quoted and dotted keys, literal 'strings', multi-line strings
// and arrays, floats, dates and inline tables are errors, not ignored. It
// is parsed here rather than with a TOML library because every later
// error must name the file, the line and the field, which the libraries
// report only for syntax errors.

// maxArrayDepth bounds how deep arrays nest, so that a file of brackets
// is an error rather than a stack overflow. Scenario files nest two deep
// (groups).
const maxArrayDepth = 32

// tomlValue is a parsed value with the line it came from.
type tomlValue struct {
	line int
	v    any // string, int64, bool, []any
}

// tomlTable is a table: its keys in file order, and where it started.
type tomlTable struct {
	line int
	// defined is false for a table named so far only as the parent of
	// another ([a.b] names a): TOML lets it be defined once later.
	defined bool
	// array is true for an element of an array of tables ([[name]]).
	array bool
	keys  []string
	vals  map[string]tomlValue
	subs  map[string][]*tomlTable // [[name]] arrays and [name] tables
}

func newTomlTable(line int) *tomlTable {
	return &tomlTable{line: line, vals: map[string]tomlValue{}, subs: map[string][]*tomlTable{}}
}

// parseTOML parses src; errors are "file:line: what".
func parseTOML(file, src string) (*tomlTable, error) {
	// Editors on Windows may start a UTF-8 file with a byte order mark.
	src = strings.TrimPrefix(src, "\ufeff")
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
			parts, array, ok := tableHeader(text)
			if !ok {
				return nil, fail("malformed table header %q", clip(text))
			}
			name := strings.Join(parts, ".")
			for _, p := range parts {
				if !isBareKey(p) {
					return nil, fail("table header %q: %q is not a bare key (letters, digits, '-' and '_'; quoted keys are not supported)", clip(text), clip(p))
				}
			}
			parent := root
			for _, p := range parts[:len(parts)-1] {
				if v, isKey := parent.vals[p]; isKey {
					return nil, fail("table [%s]: %s is a key (line %d), not a table", name, p, v.line)
				}
				l := parent.subs[p]
				if len(l) == 0 {
					l = []*tomlTable{newTomlTable(line)}
					parent.subs[p] = l
				}
				parent = l[len(l)-1]
			}
			last := parts[len(parts)-1]
			if v, isKey := parent.vals[last]; isKey {
				return nil, fail("table [%s]: %s is a key (line %d), not a table", name, last, v.line)
			}
			l := parent.subs[last]
			switch {
			case len(l) == 0 || array && l[0].array:
				cur = newTomlTable(line)
				cur.defined, cur.array = true, array
				parent.subs[last] = append(l, cur)
			case array:
				return nil, fail("[[%s]]: [%s] (line %d) is a table, not an array of tables", name, name, l[0].line)
			case l[0].array:
				return nil, fail("[%s]: [[%s]] (line %d) made it an array of tables; a table is given one way", name, name, l[0].line)
			case l[0].defined:
				return nil, fail("table [%s] is defined twice (first at line %d)", name, l[0].line)
			default:
				// Named before only as a parent, by a sub-table's header.
				cur = l[0]
				cur.defined, cur.line = true, line
			}
			continue
		}
		key, val, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fail("want key = value, got %q", clip(text))
		}
		if !isBareKey(key) {
			return nil, fail("key %q is not a bare key (letters, digits, '-' and '_'; quoted and dotted keys are not supported)", clip(key))
		}
		if prev, dup := cur.vals[key]; dup {
			return nil, fail("key %q is set twice (first at line %d)", key, prev.line)
		}
		if l := cur.subs[key]; len(l) > 0 {
			return nil, fail("key %q is also a table (line %d)", key, l[0].line)
		}
		v, rest, err := parseTOMLValue(strings.TrimSpace(val), 0)
		if err != nil {
			return nil, fail("%s: %v", key, err)
		}
		if strings.TrimSpace(rest) != "" {
			return nil, fail("%s: unexpected %q after the value", key, clip(rest))
		}
		cur.keys = append(cur.keys, key)
		cur.vals[key] = tomlValue{line, v}
	}
	return root, nil
}

// tableHeader splits a [table] or [[array.of.tables]] header into the
// parts of its dotted name; TOML allows spaces inside the brackets and
// around the dots.
func tableHeader(text string) (parts []string, array, ok bool) {
	var inner string
	switch {
	case strings.HasPrefix(text, "[["):
		if len(text) < 4 || !strings.HasSuffix(text, "]]") {
			return nil, true, false
		}
		inner, array = text[2:len(text)-2], true
	case strings.HasSuffix(text, "]"):
		inner = text[1 : len(text)-1]
	default:
		return nil, false, false
	}
	for _, p := range strings.Split(inner, ".") {
		p = strings.TrimSpace(p)
		if p == "" || strings.ContainsAny(p, "[]") {
			return nil, array, false
		}
		parts = append(parts, p)
	}
	return parts, array, true
}

// isBareKey reports whether s is a TOML bare key: letters, digits, '-'
// and '_'.
func isBareKey(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}

// stripComment cuts s at a '#' outside a string. In a string a backslash
// escapes the next character, so "a\\" ends at its last quote.
func stripComment(s string) string {
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case in && s[i] == '\\':
			i++
		case s[i] == '"':
			in = !in
		case !in && s[i] == '#':
			return s[:i]
		}
	}
	return s
}

// parseTOMLValue parses the value at the start of s and returns the rest
// of s after it; depth is how many arrays enclose it.
func parseTOMLValue(s string, depth int) (any, string, error) {
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
					return nil, "", fmt.Errorf("bad string %s", clip(s[:i+1]))
				}
				return v, s[i+1:], nil
			}
		}
		return nil, "", fmt.Errorf("unterminated string")
	case s[0] == '[':
		if depth >= maxArrayDepth {
			return nil, "", fmt.Errorf("arrays nest more than %d deep", maxArrayDepth)
		}
		var out []any
		rest := strings.TrimSpace(s[1:])
		for {
			if rest == "" {
				return nil, "", fmt.Errorf("the array is not closed on its line; arrays are one line, such as [\"a\", \"b\"]")
			}
			if strings.HasPrefix(rest, "]") {
				return out, rest[1:], nil
			}
			v, r, err := parseTOMLValue(rest, depth+1)
			if err != nil {
				return nil, "", err
			}
			out = append(out, v)
			rest = strings.TrimSpace(r)
			if strings.HasPrefix(rest, ",") {
				rest = strings.TrimSpace(rest[1:])
			} else if rest != "" && !strings.HasPrefix(rest, "]") {
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
	switch {
	case errors.Is(err, strconv.ErrRange):
		return nil, "", fmt.Errorf("%s is an integer out of range (over 64 bits)", clip(word))
	case err != nil && strings.HasPrefix(word, "'"):
		return nil, "", fmt.Errorf("%s: strings are in double quotes (literal strings in single quotes are not supported)", clip(word))
	case err != nil:
		return nil, "", fmt.Errorf("%q is not a string, integer, boolean or array (strings need quotes)", clip(word))
	}
	return n, rest, nil
}

// clip shortens s for an error message: a line of a malformed file may be
// megabytes long.
func clip(s string) string {
	n := 60
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
