package history

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Value is what a register holds, what a read returned, a counter's reading or
// a set or list element: nothing, an integer or a string. The zero Value is
// None, the "no value" a read of a missing key finds. Values are comparable
// with ==; use Equal to also match an integer against its decimal string, as
// Redis stores integers as strings.
type Value struct {
	str  string
	num  int64
	kind valueKind
}

type valueKind uint8

const (
	noneKind valueKind = iota
	intKind
	strKind
)

// None is the absence of a value.
var None = Value{}

// Int returns the integer value n.
func Int(n int64) Value { return Value{num: n, kind: intKind} }

// Str returns the string value s.
func Str(s string) Value { return Value{str: s, kind: strKind} }

// IsNone reports whether v is the absence of a value.
func (v Value) IsNone() bool { return v.kind == noneKind }

// Int returns v's integer and whether v is one. A string holding a canonical
// decimal integer counts, as it does for Redis's INCR.
func (v Value) Int() (int64, bool) {
	switch v.kind {
	case intKind:
		return v.num, true
	case strKind:
		return canonicalInt(v.str)
	}
	return 0, false
}

// canonicalInt is the integer s holds and whether it looks like
// strconv.FormatInt's output: an optional '-', then digits with no
// leading zero, and not "-0", within int64's range.
func canonicalInt[T string | []byte](s T) (int64, bool) {
	d, neg := s, false
	if len(d) > 0 && d[0] == '-' {
		d, neg = d[1:], true
	}
	if len(d) == 0 || len(d) > 19 || d[0] == '0' && (len(d) > 1 || len(s) > 1) {
		return 0, false
	}
	var u uint64 // 19 digits fit
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		u = u*10 + uint64(d[i]-'0')
	}
	switch {
	case neg && u <= 1<<63:
		return int64(-u), true
	case !neg && u < 1<<63:
		return int64(u), true
	}
	return 0, false
}

// StrBytes returns Str(string(b)).Canonical() without making the string
// when b holds a canonical decimal integer: what a read of a Redis string
// found.
func StrBytes(b []byte) Value {
	if n, ok := canonicalInt(b); ok {
		return Int(n)
	}
	return Str(string(b))
}

// Canonical returns v with a string that holds a canonical decimal integer
// turned into that integer, so that == compares what Redis would.
func (v Value) Canonical() Value {
	if v.kind == strKind {
		if n, ok := v.Int(); ok {
			return Int(n)
		}
	}
	return v
}

// Equal reports whether v and w are the same value once canonical.
func (v Value) Equal(w Value) bool {
	if v.kind == w.kind {
		return v == w
	}
	return v.Canonical() == w.Canonical()
}

// Text returns v as Redis stores it: an integer in decimal, a string as
// is, None as "".
func (v Value) Text() string {
	switch v.kind {
	case intKind:
		return strconv.FormatInt(v.num, 10)
	case strKind:
		return v.str
	}
	return ""
}

// String prints None as "nil", an integer in decimal and a string quoted.
func (v Value) String() string {
	switch v.kind {
	case intKind:
		return strconv.FormatInt(v.num, 10)
	case strKind:
		return strconv.Quote(v.str)
	}
	return "nil"
}

// AppendJSON appends v as JSON: null, a number or a string.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case intKind:
		return strconv.AppendInt(b, v.num, 10)
	case strKind:
		return appendJSONString(b, v.str)
	}
	return append(b, "null"...)
}

// MarshalJSON encodes v as null, a number or a string.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// UnmarshalJSON decodes null, an integer or a string.
func (v *Value) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("empty value")
	}
	switch b[0] {
	case 'n':
		if string(b) != "null" {
			return fmt.Errorf("value %s is not null, an integer or a string", b)
		}
		*v = None
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = Str(s)
	default:
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("value %s is not null, an integer or a string", b)
		}
		*v = Int(n)
	}
	return nil
}
