package resp

import (
	"bytes"
	"math"
	"strconv"
)

// Kind is the type of a Value: the RESP type byte that introduces it.
type Kind byte

// The RESP2 and RESP3 types.
const (
	KindInvalid      Kind = 0
	KindSimpleString Kind = '+'
	KindError        Kind = '-'
	KindInt          Kind = ':'
	KindBulk         Kind = '$'
	KindArray        Kind = '*'
	KindNull         Kind = '_' // RESP3 null
	KindDouble       Kind = ','
	KindBool         Kind = '#'
	KindBigNum       Kind = '('
	KindBlobError    Kind = '!'
	KindVerbatim     Kind = '='
	KindMap          Kind = '%'
	KindSet          Kind = '~'
	KindPush         Kind = '>'
)

// String returns the name of the kind.
func (k Kind) String() string {
	switch k {
	case KindSimpleString:
		return "simple-string"
	case KindError:
		return "error"
	case KindInt:
		return "integer"
	case KindBulk:
		return "bulk-string"
	case KindArray:
		return "array"
	case KindNull:
		return "null"
	case KindDouble:
		return "double"
	case KindBool:
		return "boolean"
	case KindBigNum:
		return "big-number"
	case KindBlobError:
		return "blob-error"
	case KindVerbatim:
		return "verbatim-string"
	case KindMap:
		return "map"
	case KindSet:
		return "set"
	case KindPush:
		return "push"
	}
	return "invalid"
}

// A Value is one reply, as parsed by a ReplyReader or to be encoded by
// AppendValue. Which fields are meaningful depends on Kind:
//
//   - KindSimpleString, KindError, KindBulk, KindBlobError, KindBigNum: Str.
//   - KindVerbatim: Str holds the whole payload, format included
//     ("txt:hello"); see VerbatimText.
//   - KindInt: Int. KindBool: Int is 1 or 0.
//   - KindDouble: Float, and Str its text as received (empty in a Value
//     built by hand, which AppendValue then formats like Redis).
//   - KindArray, KindSet, KindPush: Elems. KindMap: Elems holds keys and
//     values alternately, k1, v1, k2, v2, ...
//   - IsNull: a RESP2 null bulk ("$-1", Kind KindBulk) or null array ("*-1",
//     KindArray), or the RESP3 null (KindNull).
//
// Attrs holds the RESP3 attribute ("|") that came before the value, if any,
// as alternate keys and values.
type Value struct {
	Kind   Kind
	IsNull bool
	Str    []byte
	Int    int64
	Float  float64
	Elems  []Value
	Attrs  []Value
}

// Clone returns a deep copy of v, which shares no memory with it: a Value
// to keep from a reader that reuses its memory (SetReuse).
func (v Value) Clone() Value {
	c := v
	if v.Str != nil {
		c.Str = append([]byte(nil), v.Str...)
	}
	c.Elems = cloneValues(v.Elems)
	c.Attrs = cloneValues(v.Attrs)
	return c
}

func cloneValues(vs []Value) []Value {
	if vs == nil {
		return nil
	}
	out := make([]Value, len(vs))
	for i := range vs {
		out[i] = vs[i].Clone()
	}
	return out
}

// IsError reports whether v is an error reply (simple or blob).
func (v Value) IsError() bool { return v.Kind == KindError || v.Kind == KindBlobError }

// VerbatimText splits a verbatim string's payload into its three-byte
// format and its text; for other kinds it returns Str and an empty format.
func (v Value) VerbatimText() (format, text []byte) {
	if v.Kind == KindVerbatim && len(v.Str) >= 4 && v.Str[3] == ':' {
		return v.Str[:3], v.Str[4:]
	}
	return nil, v.Str
}

// String renders v for humans and test failures, roughly like redis-cli.
func (v Value) String() string { return string(v.appendText(nil)) }

func (v Value) appendText(dst []byte) []byte {
	if v.IsNull {
		return append(dst, "(nil)"...)
	}
	switch v.Kind {
	case KindSimpleString, KindBigNum:
		return append(dst, v.Str...)
	case KindError, KindBlobError:
		dst = append(dst, "(error) "...)
		return append(dst, v.Str...)
	case KindInt:
		dst = append(dst, "(integer) "...)
		return strconv.AppendInt(dst, v.Int, 10)
	case KindBool:
		if v.Int != 0 {
			return append(dst, "(true)"...)
		}
		return append(dst, "(false)"...)
	case KindDouble:
		dst = append(dst, "(double) "...)
		if len(v.Str) > 0 {
			return append(dst, v.Str...)
		}
		return appendDouble17(dst, v.Float)
	case KindBulk, KindVerbatim:
		return strconv.AppendQuote(dst, string(v.Str))
	case KindArray, KindSet, KindPush, KindMap:
		dst = append(dst, '[')
		for i := range v.Elems {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = v.Elems[i].appendText(dst)
		}
		return append(dst, ']')
	}
	return append(dst, "(invalid)"...)
}

// Limits of the ReplyReader, changeable with its setters.
const (
	// DefaultReplyMaxBulkLen is the longest bulk, blob error or verbatim
	// string a ReplyReader accepts by default.
	DefaultReplyMaxBulkLen int64 = 1 << 32
	// DefaultReplyMaxDepth is how deeply aggregates may nest by default.
	DefaultReplyMaxDepth = 512
	// maxAggregateLen bounds the element count of one aggregate.
	maxAggregateLen int64 = math.MaxInt32
)

// A SyntaxError reports a reply stream that is not valid RESP. The stream
// cannot be resynchronised: the connection is to be closed.
type SyntaxError struct {
	Offset int64 // of the offending line, counted from the first byte fed
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "resp: " + e.Msg + " at offset " + strconv.FormatInt(e.Offset, 10)
}

type scanFrame struct {
	rem  int64 // elements still to come
	attr bool  // the aggregate is an attribute
}

// A ReplyReader parses the replies a server sends, in RESP2 or RESP3,
// incrementally: Feed it bytes as they arrive, in any split, and call Next
// until it reports no reply. The zero ReplyReader is not ready for use; call
// NewReplyReader.
//
// Next first scans the buffered bytes for a complete reply, resuming where
// the previous scan stopped so that a reply arriving in many pieces is
// scanned once, then builds the Value. The Value's strings point into a
// copy of the reply's bytes that is never written again, so Values stay
// valid after further Feeds (unless SetReuse says otherwise).
type ReplyReader struct {
	buf []byte
	pos int // start of the reply being scanned
	// scan state of the reply starting at pos
	scan  int
	stack []scanFrame

	slab     []byte // the tail of the current slab, see alloc
	consumed int64  // bytes dropped from the front of buf, for offsets
	maxBulk  int64
	maxDepth int
	err      error

	// reuse: see SetReuse. arena holds the elements of the last reply's
	// aggregates.
	reuse bool
	arena []Value
}

// NewReplyReader returns a ReplyReader with the default limits.
func NewReplyReader() *ReplyReader {
	return &ReplyReader{maxBulk: DefaultReplyMaxBulkLen, maxDepth: DefaultReplyMaxDepth}
}

// SetMaxBulkLen sets the longest string payload accepted; longer is a
// SyntaxError.
func (r *ReplyReader) SetMaxBulkLen(n int64) { r.maxBulk = n }

// SetMaxDepth sets how deeply aggregates may nest; deeper is a SyntaxError.
func (r *ReplyReader) SetMaxDepth(n int) { r.maxDepth = n }

// SetReuse makes the Values that Next returns valid only until the next
// call of Next or Feed: their strings then point into the reader's buffer
// rather than into a copy, and their aggregates' elements into an arena
// that the next reply overwrites. A consumer that decodes each reply before
// asking for the next (a workload client turning an SMEMBERS reply into
// history values) is spared a copy of every reply and an allocation for
// every aggregate.
func (r *ReplyReader) SetReuse(on bool) { r.reuse = on }

// arenaKeep is the most elements a reusing reader keeps in its arena between
// replies; a larger arena, made for one large reply, is let go.
const arenaKeep = 1 << 16

// Feed appends p, bytes read from the connection, to the buffer; p is
// copied. Feed does nothing once Next has returned an error.
func (r *ReplyReader) Feed(p []byte) {
	if r.err != nil {
		return
	}
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:])
		r.buf = r.buf[:n]
		r.scan -= r.pos
		r.consumed += int64(r.pos)
		r.pos = 0
		if n == 0 && cap(r.buf) > 1<<20 {
			r.buf = nil
		}
	}
	r.buf = append(r.buf, p...)
}

// Buffered returns the number of bytes fed and not yet consumed.
func (r *ReplyReader) Buffered() int { return len(r.buf) - r.pos }

// Peek returns the bytes fed and not yet consumed, for a caller that has to
// read raw data off the stream (a replica reading the RDB payload that
// follows +FULLRESYNC). It aliases the buffer: valid until the next Feed.
func (r *ReplyReader) Peek() []byte { return r.buf[r.pos:] }

// Discard consumes the first n unconsumed bytes as raw data (see Peek),
// abandoning any partial scan.
func (r *ReplyReader) Discard(n int) {
	if n < 0 {
		n = 0
	}
	if n > len(r.buf)-r.pos {
		n = len(r.buf) - r.pos
	}
	r.pos += n
	r.scan = r.pos
	r.stack = r.stack[:0]
}

// Reset empties the reader for a new connection, keeping its limits.
func (r *ReplyReader) Reset() {
	r.buf = r.buf[:0]
	r.pos, r.scan = 0, 0
	r.stack = r.stack[:0]
	r.consumed = 0
	r.err = nil
}

// Next returns the next complete reply: the Value and ok true, ok false with
// a nil error when more bytes are needed, or a *SyntaxError for a malformed
// stream (sticky: every later call returns it again). Error replies are
// Values of KindError or KindBlobError, not Go errors.
func (r *ReplyReader) Next() (v Value, ok bool, err error) {
	if r.err != nil {
		return Value{}, false, r.err
	}
	if r.scan < r.pos {
		r.scan = r.pos
	}
	end, complete, err := r.scanReply()
	if err != nil {
		r.err = err
		return Value{}, false, err
	}
	if !complete {
		return Value{}, false, nil
	}
	var raw []byte
	if r.reuse {
		raw = r.buf[r.pos:end:end]
	} else {
		raw = r.alloc(end - r.pos)
		copy(raw, r.buf[r.pos:end])
	}
	if scalarInto(raw, &v) {
		r.pos = end
		r.scan = end
		r.stack = r.stack[:0]
		return v, true, nil
	}
	p := parser{buf: raw, maxDepth: r.maxDepth + 1}
	if r.reuse {
		if cap(r.arena) > arenaKeep {
			r.arena = nil
		}
		r.arena = r.arena[:0]
		p.arena = &r.arena
	}
	v, err = p.value(0)
	if err == nil && p.off != len(raw) {
		err = p.fail("reply length mismatch")
	}
	if err != nil {
		// The scan accepted what the parser refuses: a bug, but reported as
		// malformed input rather than a panic.
		if se, isSE := err.(*SyntaxError); isSE {
			se.Offset += r.consumed + int64(r.pos)
		}
		r.err = err
		return Value{}, false, err
	}
	r.pos = end
	r.scan = end
	r.stack = r.stack[:0]
	return v, true, nil
}

// scalar builds the Value of a reply that the scan found complete and
// valid when it is a simple string, an error, an integer or a bulk string,
// the replies of most commands, without the parser's general walk. ok is
// false for any other reply.
func scalar(raw []byte) (v Value, ok bool) {
	ok = scalarInto(raw, &v)
	return v, ok
}

// scalarInto is scalar storing the value in *v, which Next returns, so
// that the value is not copied on its way; *v is unchanged when it
// reports false.
func scalarInto(raw []byte, v *Value) bool {
	if len(raw) < 3 {
		return false
	}
	switch t := Kind(raw[0]); t {
	case KindSimpleString, KindError:
		// The whole reply is its one line.
		*v = Value{Kind: t, Str: raw[1 : len(raw)-2 : len(raw)-2]}
		return true
	case KindInt:
		n, ok := parseInteger(raw[1 : len(raw)-2])
		if ok {
			*v = Value{Kind: t, Int: n}
		}
		return ok
	case KindBulk:
		// "$<n>\r\n<payload>\r\n" or "$-1\r\n": the length holds no \r.
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			return false
		}
		n, ok := parseLength(raw[1:i])
		if ok && n == -1 {
			*v = Value{Kind: t, IsNull: true}
			return true
		}
		if !ok || n < 0 || int64(len(raw)-i-4) != n {
			return false
		}
		start, end := i+2, i+2+int(n)
		*v = Value{Kind: t, Str: raw[start:end:end]}
		return true
	}
	return false
}

// Replies up to slabMax bytes are copied into slabs of slabSize bytes
// shared by successive replies, saving an allocation per reply; a slab is
// freed once no Value refers to it any more.
const (
	slabSize = 16 * 1024
	slabMax  = 1024
)

// alloc returns n bytes for a reply's copy, with capacity clipped to n.
func (r *ReplyReader) alloc(n int) []byte {
	if n > slabMax {
		return make([]byte, n)
	}
	if len(r.slab)+n > cap(r.slab) {
		r.slab = make([]byte, 0, slabSize)
	}
	start := len(r.slab)
	r.slab = r.slab[:start+n]
	return r.slab[start : start+n : start+n]
}

func (r *ReplyReader) syntaxError(at int, msg string) error {
	return &SyntaxError{Offset: r.consumed + int64(at), Msg: msg}
}

// scanReply advances the completeness scan of the reply at r.pos. It
// returns the end of the reply when it is complete.
func (r *ReplyReader) scanReply() (end int, complete bool, err error) {
	for {
		// A value starts at r.scan.
		line, lineEnd, ok := readLine(r.buf, r.scan)
		if !ok {
			if len(r.buf)-r.scan > int(min(r.maxBulk, math.MaxInt32))+64 {
				return 0, false, r.syntaxError(r.scan, "line too long")
			}
			return 0, false, nil
		}
		if len(line) == 0 {
			return 0, false, r.syntaxError(r.scan, "empty line")
		}
		t, body := Kind(line[0]), line[1:]
		attr := false
		switch t {
		case KindSimpleString, KindError:
			r.scan = lineEnd
		case KindInt, KindNull, KindDouble, KindBool, KindBigNum:
			if msg := checkScalar(t, body); msg != "" {
				return 0, false, r.syntaxError(r.scan, msg)
			}
			r.scan = lineEnd
		case KindBulk, KindBlobError, KindVerbatim:
			n, ok := parseLength(body)
			if !ok || n < -1 || (n == -1 && t != KindBulk) {
				return 0, false, r.syntaxError(r.scan, "invalid bulk length")
			}
			if n > r.maxBulk {
				return 0, false, r.syntaxError(r.scan, "bulk length over the limit")
			}
			if n == -1 {
				r.scan = lineEnd
				break
			}
			if t == KindVerbatim && n < 4 {
				return 0, false, r.syntaxError(r.scan, "verbatim string too short")
			}
			if int64(len(r.buf)-lineEnd)-2 < n {
				return 0, false, nil // payload incomplete; rescan the short header later
			}
			payEnd := lineEnd + int(n)
			if r.buf[payEnd] != '\r' || r.buf[payEnd+1] != '\n' {
				return 0, false, r.syntaxError(payEnd, "bulk payload not followed by CRLF")
			}
			if t == KindVerbatim && r.buf[lineEnd+3] != ':' {
				return 0, false, r.syntaxError(lineEnd, "verbatim string without format")
			}
			r.scan = payEnd + 2
		case KindArray, KindMap, KindSet, KindPush, '|':
			n, ok := parseLength(body)
			if !ok || n < -1 || (n == -1 && t != KindArray) || n > maxAggregateLen {
				return 0, false, r.syntaxError(r.scan, "invalid aggregate length")
			}
			r.scan = lineEnd
			if n > 0 {
				if len(r.stack) >= r.maxDepth {
					return 0, false, r.syntaxError(r.scan, "aggregates nested too deeply")
				}
				if t == KindMap || t == '|' {
					n *= 2
				}
				r.stack = append(r.stack, scanFrame{rem: n, attr: t == '|'})
				continue
			}
			attr = t == '|'
		default:
			return 0, false, r.syntaxError(r.scan, "unknown type byte")
		}
		// A value ended at r.scan; close the aggregates it completes.
		for {
			if attr {
				// An attribute is followed by the value it describes,
				// which its parent counts instead.
				break
			}
			if len(r.stack) == 0 {
				return r.scan, true, nil
			}
			top := &r.stack[len(r.stack)-1]
			top.rem--
			if top.rem > 0 {
				break
			}
			attr = top.attr
			r.stack = r.stack[:len(r.stack)-1]
		}
	}
}

// readLine returns the line at off, without its CRLF, and the offset after
// the CRLF; ok is false when the CRLF has not arrived.
//
// Lines are mostly a few bytes (a length, a number, +OK), for which a plain
// loop beats bytes.Index's call and vector set-up.
func readLine(buf []byte, off int) (line []byte, next int, ok bool) {
	for i := off; i+1 < len(buf); i++ {
		if buf[i] == '\r' && buf[i+1] == '\n' {
			return buf[off:i], i + 2, true
		}
	}
	return nil, 0, false
}

// parseLength parses a length: "-1" or decimal digits.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 2 && b[0] == '-' && b[1] == '1' {
		return -1, true
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseInteger parses an integer reply's text: an optional sign and digits.
func parseInteger(b []byte) (int64, bool) {
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
		if len(b) > 0 && b[0] == '-' {
			return 0, false
		}
	}
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// parseDouble parses a double reply's text: a decimal float, "inf",
// "-inf", "+inf" or "nan" (with any sign).
func parseDouble(b []byte) (float64, bool) {
	s := b
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	switch string(s) {
	case "inf":
		if len(b) > 0 && b[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if len(s) == 0 {
		return 0, false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		// Out of range is still a number: ParseFloat returns ±Inf or 0.
		if ne, isNE := err.(*strconv.NumError); !isNE || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// checkBigNum checks a big number's text: an optional '-' and digits.
func checkBigNum(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// checkScalar validates the line of a one-line value other than simple
// strings and errors, returning a message when it is malformed.
func checkScalar(t Kind, body []byte) string {
	switch t {
	case KindInt:
		if _, ok := parseInteger(body); !ok {
			return "invalid integer"
		}
	case KindNull:
		if len(body) != 0 {
			return "invalid null"
		}
	case KindDouble:
		if _, ok := parseDouble(body); !ok {
			return "invalid double"
		}
	case KindBool:
		if len(body) != 1 || (body[0] != 't' && body[0] != 'f') {
			return "invalid boolean"
		}
	case KindBigNum:
		if !checkBigNum(body) {
			return "invalid big number"
		}
	}
	return ""
}

// parser builds a Value from a reply the scan found complete.
type parser struct {
	buf      []byte
	off      int
	maxDepth int
	// arena, when not nil, is where aggregates take their elements from
	// (a reusing ReplyReader's).
	arena *[]Value
}

// elems returns room for n elements of an aggregate: from the arena, or
// newly made.
func (p *parser) elems(n int) []Value {
	if p.arena == nil {
		return make([]Value, n)
	}
	a := *p.arena
	if cap(a)-len(a) < n {
		// Slices taken before stay in the old array, which they keep.
		a = make([]Value, 0, max(n, 2*cap(a), 16))
	}
	e := a[len(a) : len(a)+n : len(a)+n]
	*p.arena = a[:len(a)+n]
	return e
}

func (p *parser) fail(msg string) error {
	return &SyntaxError{Offset: int64(p.off), Msg: msg}
}

func (p *parser) value(depth int) (Value, error) {
	var attrs []Value
	for {
		line, next, ok := readLine(p.buf, p.off)
		if !ok || len(line) == 0 {
			return Value{}, p.fail("truncated reply")
		}
		t, body := Kind(line[0]), line[1:]
		if t != '|' {
			v, err := p.after(t, body, next, depth)
			v.Attrs = attrs
			return v, err
		}
		n, ok := parseLength(body)
		if !ok || n < 0 || n > maxAggregateLen || depth > p.maxDepth {
			return Value{}, p.fail("invalid attribute")
		}
		p.off = next
		attrs = make([]Value, 0, 2*n)
		for i := int64(0); i < 2*n; i++ {
			e, err := p.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			attrs = append(attrs, e)
		}
	}
}

// after parses the value of type t whose first line, body, ends at next.
func (p *parser) after(t Kind, body []byte, next, depth int) (Value, error) {
	v := Value{Kind: t}
	switch t {
	case KindSimpleString, KindError:
		v.Str = body[:len(body):len(body)]
		p.off = next
	case KindInt:
		n, ok := parseInteger(body)
		if !ok {
			return Value{}, p.fail("invalid integer")
		}
		v.Int = n
		p.off = next
	case KindNull:
		v.IsNull = true
		p.off = next
	case KindDouble:
		f, ok := parseDouble(body)
		if !ok {
			return Value{}, p.fail("invalid double")
		}
		v.Float = f
		v.Str = body[:len(body):len(body)]
		p.off = next
	case KindBool:
		if len(body) == 1 && body[0] == 't' {
			v.Int = 1
		}
		p.off = next
	case KindBigNum:
		v.Str = body[:len(body):len(body)]
		p.off = next
	case KindBulk, KindBlobError, KindVerbatim:
		n, ok := parseLength(body)
		if !ok {
			return Value{}, p.fail("invalid bulk length")
		}
		if n == -1 {
			v.IsNull = true
			p.off = next
			break
		}
		if int64(len(p.buf)-next)-2 < n {
			return Value{}, p.fail("truncated bulk")
		}
		end := next + int(n)
		v.Str = p.buf[next:end:end]
		p.off = end + 2
	case KindArray, KindMap, KindSet, KindPush:
		n, ok := parseLength(body)
		if !ok || n > maxAggregateLen || depth > p.maxDepth {
			return Value{}, p.fail("invalid aggregate length")
		}
		p.off = next
		if n == -1 {
			v.IsNull = true
			break
		}
		if t == KindMap {
			n *= 2
		}
		// The scan saw all n elements, so n is no bigger than the input.
		if n > int64(len(p.buf)-p.off) {
			return Value{}, p.fail("truncated aggregate")
		}
		v.Elems = p.elems(int(n))
		for i := range v.Elems {
			e, err := p.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Elems[i] = e
		}
	default:
		return Value{}, p.fail("unknown type byte")
	}
	return v, nil
}
