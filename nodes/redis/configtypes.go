package redis

import (
	"math"
	"strconv"
	"strings"
)

// This file holds the kinds of CONFIG parameter that config.c's
// static_configs table knows (bool, string, enum, the numeric types and
// their units) and how each parses, checks, stores and prints a value, so
// that CONFIG SET refuses what Redis refuses with Redis's words.

// paramFlag is one of config.c's flags that CONFIG GET and SET act upon.
type paramFlag uint8

const (
	// flagImmutable is IMMUTABLE_CONFIG: CONFIG SET refuses it ("can't
	// set immutable config").
	flagImmutable paramFlag = 1 << iota
	// flagProtected is PROTECTED_CONFIG: CONFIG SET refuses it unless
	// enable-protected-configs allows the client.
	flagProtected
	// flagHidden is HIDDEN_CONFIG: CONFIG GET lists it for its exact name
	// only, never for a pattern.
	flagHidden
	// flagDenyLoading is DENY_LOADING_CONFIG: refused with -LOADING while
	// the dataset loads.
	flagDenyLoading
	// flagSensitive is SENSITIVE_CONFIG: CONFIG SET's value is redacted
	// in the slow log.
	flagSensitive
)

// enumName is one name of an enum config and its value; several names
// may share a value (oom-score-adj's yes and relative), and CONFIG GET
// prints the first.
type enumName struct {
	name string
	val  int
}

// enumParam is createEnumConfig: one of names, case-insensitively, stored
// as the first name of its value. With bitflags (MULTI_ARG_CONFIG) the
// value is several names separated by spaces, or-ed together, and printed
// as configEnumGetName does. valid, if not nil, refuses a value with a
// reason.
func enumParam(name string, flags paramFlag, names []enumName, bitflags bool, f func(c *Config) *string, valid func(v int) string) param {
	return param{name: name, flags: flags,
		get: func(c *Config) string { return *f(c) },
		set: func(s *Server, v string) string {
			args := []string{v}
			if bitflags {
				args = splitConfigArgs(v)
			}
			val, ok := enumValue(names, args, bitflags)
			if !ok {
				list := make([]string, len(names))
				for i, n := range names {
					list[i] = n.name
				}
				return "argument(s) must be one of the following: " + strings.Join(list, ", ")
			}
			if valid != nil {
				if why := valid(val); why != "" {
					return why
				}
			}
			*f(&s.cfg) = enumString(names, val, bitflags)
			return ""
		}}
}

// enumValue is configEnumGetValue.
func enumValue(names []enumName, args []string, bitflags bool) (int, bool) {
	if len(args) == 0 || (!bitflags && len(args) != 1) {
		return 0, false
	}
	v := 0
	for _, a := range args {
		matched := false
		for _, n := range names {
			if strings.EqualFold(cStr(a), n.name) {
				v |= n.val
				matched = true
			}
		}
		if !matched {
			return 0, false
		}
	}
	return v, true
}

// enumString is configEnumGetName: the first name of v, or for bitflags
// the names whose bits v holds, in table order; "unknown" if some bit has
// no name.
func enumString(names []enumName, v int, bitflags bool) string {
	var out []string
	unmatched := v
	for _, n := range names {
		if v == n.val {
			return n.name
		}
		if bitflags && n.val != 0 && n.val == unmatched&n.val {
			out = append(out, n.name)
			unmatched &^= n.val
		}
	}
	if len(out) == 0 || unmatched != 0 {
		return "unknown"
	}
	return strings.Join(out, " ")
}

// yesNoParam is createBoolConfig: yes or no in any case. valid, if not
// nil, refuses a value with a reason.
func yesNoParam(name string, flags paramFlag, f func(c *Config) *bool, valid func(b bool) string) param {
	return param{name: name, flags: flags,
		get: func(c *Config) string { return yesNo(*f(c)) },
		set: func(s *Server, v string) string {
			var b bool
			switch {
			case strings.EqualFold(cStr(v), "yes"):
				b = true
			case strings.EqualFold(cStr(v), "no"):
			default:
				return "argument must be 'yes' or 'no'"
			}
			if valid != nil {
				if why := valid(b); why != "" {
					return why
				}
			}
			*f(&s.cfg) = b
			return ""
		}}
}

// strParam is createStringConfig and createSDSConfig: any string; valid,
// if not nil, refuses one with a reason. An EMPTY_STRING_IS_NULL config
// stores NULL for "", which CONFIG GET prints as "" all the same.
func strParam(name string, flags paramFlag, f func(c *Config) *string, valid func(v string) string) param {
	return param{name: name, flags: flags,
		get: func(c *Config) string { return *f(c) },
		set: func(s *Server, v string) string {
			if valid != nil {
				if why := valid(v); why != "" {
					return why
				}
			}
			*f(&s.cfg) = v
			return ""
		}}
}

// numUnit is what a numeric config accepts besides a plain integer
// (config.c's INTEGER_CONFIG, MEMORY_CONFIG, PERCENT_CONFIG, OCTAL_CONFIG).
type numUnit uint8

const (
	unitInteger       numUnit = iota // string2ll only
	unitMemory                       // memtoull: 5, 5k, 5kb, 5mb, 5gb...
	unitMemoryPercent                // memtoull, or N% stored as -N
	unitOctal                        // strtoll in base 8, printed in octal
)

// numSpec is a numeric config's bounds and unit. The value is kept as
// config.c keeps it while it checks it, a long long; unsigned says the
// bounds are compared as unsigned (unsigned int, size_t and unsigned long
// long configs), so that -1 is past any upper bound and a memory value
// beyond LLONG_MAX is not negative.
type numSpec struct {
	lo, hi   int64
	unsigned bool
	unit     numUnit
}

// numField reads and writes a numeric config's Config field as the long
// long that config.c's GET_NUMERIC_TYPE and setNumericType see.
type numField struct {
	get func(c *Config) int64
	set func(c *Config, v int64)
}

func intField(f func(c *Config) *int) numField {
	return numField{func(c *Config) int64 { return int64(*f(c)) }, func(c *Config, v int64) { *f(c) = int(v) }}
}

func int64Field(f func(c *Config) *int64) numField {
	return numField{func(c *Config) int64 { return *f(c) }, func(c *Config, v int64) { *f(c) = v }}
}

func uint64Field(f func(c *Config) *uint64) numField {
	return numField{func(c *Config) int64 { return int64(*f(c)) }, func(c *Config, v int64) { *f(c) = uint64(v) }}
}

// numParam is createIntConfig and its siblings: parse as the unit says
// (numericParseString), check the bounds (numericBoundaryCheck), store.
func numParam(name string, flags paramFlag, spec numSpec, f numField) param {
	return param{name: name, flags: flags,
		get: func(c *Config) string { return spec.format(f.get(c)) },
		set: func(s *Server, v string) string {
			n, why := spec.parse(v)
			if why == "" {
				why = spec.check(n)
			}
			if why != "" {
				return why
			}
			f.set(&s.cfg, n)
			return ""
		}}
}

// parse is numericParseString.
func (sp numSpec) parse(v string) (int64, string) {
	switch sp.unit {
	case unitMemory:
		if n, ok := memtoull(v); ok {
			return int64(n), ""
		}
		return 0, "argument must be a memory value"
	case unitMemoryPercent:
		if n, ok := memtoull(v); ok {
			return int64(n), ""
		}
		if len(v) > 1 && v[len(v)-1] == '%' {
			if n, ok := string2ll(v[:len(v)-1]); ok && n >= 0 {
				return -n, "" // a percentage is stored negative
			}
		}
		return 0, "argument must be a memory or percent value"
	case unitOctal:
		if n, ok := strtoll(v, 8); ok {
			return n, ""
		}
		return 0, "argument couldn't be parsed as an octal number"
	}
	if n, ok := string2ll(v); ok {
		return n, ""
	}
	return 0, "argument couldn't be parsed into an integer"
}

// check is numericBoundaryCheck.
func (sp numSpec) check(n int64) string {
	if sp.unsigned {
		if uint64(n) > uint64(sp.hi) || uint64(n) < uint64(sp.lo) {
			if sp.unit == unitOctal {
				return "argument must be between " + strconv.FormatUint(uint64(sp.lo), 8) + " and " + strconv.FormatUint(uint64(sp.hi), 8) + " inclusive"
			}
			return "argument must be between " + strconv.FormatUint(uint64(sp.lo), 10) + " and " + strconv.FormatUint(uint64(sp.hi), 10) + " inclusive"
		}
		return ""
	}
	if sp.unit == unitMemoryPercent && n < 0 {
		if n < sp.lo {
			return "percentage argument must be less or equal to " + strconv.FormatInt(-sp.lo, 10)
		}
		return ""
	}
	if n > sp.hi || n < sp.lo {
		return "argument must be between " + strconv.FormatInt(sp.lo, 10) + " and " + strconv.FormatInt(sp.hi, 10) + " inclusive"
	}
	return ""
}

// format is numericConfigGet.
func (sp numSpec) format(n int64) string {
	switch {
	case sp.unit == unitMemoryPercent && n < 0:
		return strconv.FormatInt(-n, 10) + "%"
	case sp.unit == unitMemory || sp.unit == unitMemoryPercent:
		return strconv.FormatUint(uint64(n), 10)
	case sp.unit == unitOctal:
		return strconv.FormatUint(uint64(n), 8)
	}
	return strconv.FormatInt(n, 10)
}

// The bounds of config.c's numeric configs, by their C names.
const (
	cIntMax   = math.MaxInt32
	cIntMin   = math.MinInt32
	cUintMax  = math.MaxUint32
	cLongMax  = math.MaxInt64
	cLLongMax = math.MaxInt64
	cULLMax   = -1 // ULLONG_MAX as the long long config.c compares as unsigned
)

// Shorthands for the numeric specs of the table.
func intRange(lo, hi int64) numSpec  { return numSpec{lo: lo, hi: hi} }
func uintRange(lo, hi int64) numSpec { return numSpec{lo: lo, hi: hi, unsigned: true} }
func memRange(lo, hi int64) numSpec  { return numSpec{lo: lo, hi: hi, unit: unitMemory} }
func umemRange(lo, hi int64) numSpec {
	return numSpec{lo: lo, hi: hi, unsigned: true, unit: unitMemory}
}

// splitConfigArgs splits a MULTI_ARG_CONFIG value as sdssplitlen(value,
// " ") does: at every single space, so that two spaces make an empty
// argument; "" is no argument at all.
func splitConfigArgs(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}

// string2ll is Redis's string2ll: the canonical decimal spelling of a long
// long and nothing else.
func string2ll(v string) (int64, bool) {
	if len(v) == 0 || len(v) >= 21 {
		return 0, false
	}
	neg := v[0] == '-'
	d := v
	if neg {
		d = v[1:]
	}
	if d == "" || (d[0] == '0' && v != "0") {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// strtoll is glibc's strtoll(v, &end, base) with the check that Redis
// makes of it, *end == '\0': leading white space, a sign, then digits to
// the end (none at all only for ""), saturating at the long long range.
func strtoll(v string, base int) (int64, bool) {
	i := 0
	for i < len(v) && (v[i] == ' ' || '\t' <= v[i] && v[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		neg = v[i] == '-'
		i++
	}
	digits := v[i:]
	if digits == "" {
		return 0, v == "" // no conversion: end is v itself
	}
	var n uint64
	over := false
	for j := 0; j < len(digits); j++ {
		d := uint64(digits[j] - '0')
		if digits[j] < '0' || d >= uint64(base) {
			return 0, false
		}
		if n > (math.MaxUint64-d)/uint64(base) {
			over = true
			continue
		}
		n = n*uint64(base) + d
	}
	switch {
	case neg && (over || n > 1<<63):
		return math.MinInt64, true
	case neg:
		return -int64(n), true
	case over || n > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(n), true
}

// isLocalClient is islocalClient: a client of the loopback address (the
// node has no unix socket).
func isLocalClient(c *client) bool {
	i := strings.LastIndexByte(c.addr, ':')
	if i < 0 {
		return false
	}
	host := strings.TrimSuffix(strings.TrimPrefix(c.addr[:i], "["), "]")
	return host == "127.0.0.1" || host == "::1"
}
