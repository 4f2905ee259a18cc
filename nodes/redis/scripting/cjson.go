package scripting

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The cjson library is lua-cjson 2.1.0 as Redis 7.0 bundles it: encode,
// decode, null, new, the configuration functions and _NAME/_VERSION. The
// code follows lua_cjson.c rule for rule: which tables are arrays, when an
// array is too sparse, how strings are escaped, numbers printed ("%.14g")
// and parsed (strtod), and the text of every error.

const (
	cjsonName    = "cjson"
	cjsonVersion = "2.1.0"
)

// cjsonConfig is lua-cjson's json_config_t, less the buffer it keeps.
type cjsonConfig struct {
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	precision      int
	encodeInvalid  int // 0 off, 1 on, 2 null
	decodeInvalid  bool
	keepBuffer     bool
}

// defaultCJSONConfig is lua-cjson's defaults.
func defaultCJSONConfig() cjsonConfig {
	return cjsonConfig{
		sparseRatio:    2,
		sparseSafe:     10,
		encodeMaxDepth: 1000,
		decodeMaxDepth: 1000,
		precision:      14,
		decodeInvalid:  true,
		keepBuffer:     true,
	}
}

// cjsonLib is one cjson module: the table scripts see and its settings.
type cjsonLib struct {
	sb   *sandbox
	null lua.LValue
	cfg  cjsonConfig
}

// newCJSON builds the cjson table, its keys in sorted order. null is the
// value that stands for JSON null (Lua's NULL light userdata), shared by
// every module new() makes.
func newCJSON(sb *sandbox, null lua.LValue) (*lua.LTable, *cjsonLib) {
	L := sb.L
	c := &cjsonLib{sb: sb, null: null, cfg: defaultCJSONConfig()}
	t := L.NewTable()
	fn := func(k string, f lua.LGFunction) { t.RawSetString(k, L.NewFunction(f)) }
	t.RawSetString("_NAME", lua.LString(cjsonName))
	t.RawSetString("_VERSION", lua.LString(cjsonVersion))
	fn("decode", c.decode)
	fn("decode_invalid_numbers", c.cfgDecodeInvalidNumbers)
	fn("decode_max_depth", c.cfgDecodeMaxDepth)
	fn("encode", c.encode)
	fn("encode_invalid_numbers", c.cfgEncodeInvalidNumbers)
	fn("encode_keep_buffer", c.cfgEncodeKeepBuffer)
	fn("encode_max_depth", c.cfgEncodeMaxDepth)
	fn("encode_number_precision", c.cfgEncodeNumberPrecision)
	fn("encode_sparse_array", c.cfgEncodeSparseArray)
	fn("new", c.newModule)
	t.RawSetString("null", null)
	return t, c
}

// reset restores the default settings. Redis keeps what a script set with
// the configuration functions for later scripts; the engine does not, so
// that a run depends only on its own script.
func (c *cjsonLib) reset() { c.cfg = defaultCJSONConfig() }

// newModule is cjson.new(): a fresh, writable module with its own settings.
func (c *cjsonLib) newModule(L *lua.LState) int {
	t, _ := newCJSON(c.sb, c.null)
	L.Push(t)
	return 1
}

// argError is luaL_argerror as Redis reports it.
func argError(L *lua.LState, n int, fname, msg string) {
	if !calledFromLua(L) {
		// lua_getinfo finds no name for a function a C function (pcall)
		// called.
		fname = "?"
	}
	luaError(L, "bad argument #%d to '%s' (%s)", n, fname, msg)
}

// calledFromLua reports whether the running library function was called
// by a Lua function (level 1 of the stack), not by a Go one such as pcall.
func calledFromLua(L *lua.LState) bool {
	dbg, ok := L.GetStack(1)
	if !ok {
		return false
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
		return false
	}
	return dbg.What != "G" && dbg.CurrentLine > 0
}

// luaError is luaL_error: the message, after the position of the Lua
// function that called the running library function (luaL_where(L, 1)),
// or alone when a Go function such as pcall called it. gopher-lua's
// RaiseError looks past Go functions for a position.
func luaError(L *lua.LState, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if dbg, ok := L.GetStack(1); ok && calledFromLua(L) {
		_, _ = L.GetInfo("Sl", dbg, lua.LNil)
		msg = fmt.Sprintf("%s:%d: %s", dbg.Source, dbg.CurrentLine, msg)
	}
	L.Error(lua.LString(msg), 0)
}

// typeError is luaL_typerror.
func typeError(L *lua.LState, n int, fname, want string) {
	got := "no value"
	if n <= L.GetTop() {
		got = L.Get(n).Type().String()
	}
	argError(L, n, fname, want+" expected, got "+got)
}

// --- encode ---

type cjsonEncoder struct {
	c   *cjsonLib
	L   *lua.LState
	cfg *cjsonConfig
	buf []byte
}

func (c *cjsonLib) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	enc := &cjsonEncoder{c: c, L: L, cfg: &c.cfg}
	enc.value(L.Get(1), 0)
	L.Push(lua.LString(enc.buf))
	return 1
}

// fail is json_encode_exception: v is the value (or key) at fault.
func (enc *cjsonEncoder) fail(v lua.LValue, reason string) {
	luaError(enc.L, "%s", "Cannot serialise "+enc.typeName(v)+": "+reason)
}

func (enc *cjsonEncoder) typeName(v lua.LValue) string {
	if v == enc.c.null {
		return "userdata"
	}
	return v.Type().String()
}

func (enc *cjsonEncoder) value(v lua.LValue, depth int) {
	switch t := v.(type) {
	case lua.LString:
		enc.buf = appendJSONString(enc.buf, string(t))
	case lua.LNumber:
		enc.number(t)
	case lua.LBool:
		if t {
			enc.buf = append(enc.buf, "true"...)
		} else {
			enc.buf = append(enc.buf, "false"...)
		}
	case *lua.LNilType:
		enc.buf = append(enc.buf, "null"...)
	case *lua.LTable:
		depth++
		if depth > enc.cfg.encodeMaxDepth {
			luaError(enc.L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		t = enc.c.sb.raw(t)
		if n := enc.arrayLength(t); n > 0 {
			enc.array(t, n, depth)
		} else {
			enc.object(t, depth)
		}
	default:
		if v == enc.c.null {
			enc.buf = append(enc.buf, "null"...)
			return
		}
		enc.fail(v, "type not supported")
	}
}

func (enc *cjsonEncoder) number(n lua.LNumber) {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch enc.cfg.encodeInvalid {
		case 0:
			enc.fail(n, "must not be NaN or Inf")
		case 1:
			if math.IsNaN(f) {
				enc.buf = append(enc.buf, "nan"...)
				return
			}
		default:
			enc.buf = append(enc.buf, "null"...)
			return
		}
	}
	enc.buf = append(enc.buf, formatG(f, enc.cfg.precision)...)
}

// arrayLength is lua_array_length: the largest key when every key is an
// integer >= 1, -1 for an object (or a sparse array converted to one), 0 for
// an empty table. An array too sparse to encode is an error. As in C, the
// largest key is kept in an int: a key of 2^31 or more makes it INT_MIN,
// and the table an object.
func (enc *cjsonEncoder) arrayLength(t *lua.LTable) int {
	maxKey, items := int32(0), 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || math.Floor(f) != f || f < 1 {
			return -1
		}
		if f > float64(maxKey) {
			maxKey = math.MinInt32 // x86-64's (int) of an out-of-range double
			if f < 1<<31 {
				maxKey = int32(f)
			}
		}
		items++
	}
	cfg := enc.cfg
	if cfg.sparseRatio > 0 && int64(maxKey) > int64(items)*int64(cfg.sparseRatio) && int(maxKey) > cfg.sparseSafe {
		if !cfg.sparseConvert {
			enc.fail(t, "excessively sparse array")
		}
		return -1
	}
	return int(maxKey)
}

func (enc *cjsonEncoder) array(t *lua.LTable, n, depth int) {
	enc.buf = append(enc.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			enc.buf = append(enc.buf, ',')
		}
		enc.value(t.RawGetInt(i), depth)
	}
	enc.buf = append(enc.buf, ']')
}

// object writes the pairs of t in the order next() visits them: gopher-lua's
// array part 1..n, then the other keys in the order they were first set.
func (enc *cjsonEncoder) object(t *lua.LTable, depth int) {
	enc.buf = append(enc.buf, '{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			enc.buf = append(enc.buf, ',')
		}
		first = false
		switch key := k.(type) {
		case lua.LNumber:
			enc.buf = append(enc.buf, '"')
			enc.number(key)
			enc.buf = append(enc.buf, '"', ':')
		case lua.LString:
			enc.buf = appendJSONString(enc.buf, string(key))
			enc.buf = append(enc.buf, ':')
		default:
			enc.fail(k, "table key must be a number or string")
		}
		enc.value(v, depth)
	}
	enc.buf = append(enc.buf, '}')
}

// appendJSONString quotes s with lua-cjson's escapes: control characters
// and DEL as \u00XX (but \b \t \n \f \r), '"', '\\' and '/'; other bytes,
// UTF-8 or not, as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\', '/':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < 0x20 || c == 0x7f {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// --- decode ---

type jsonTokenType int

const (
	tObjBegin jsonTokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

// Redis's lua-cjson names tokens by their enum names in parse errors.
var jsonTokenNames = [...]string{
	"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END",
	"T_WHITESPACE", "T_ERROR", "T_UNKNOWN",
}

type jsonToken struct {
	typ   jsonTokenType
	index int // 0-based offset of the token (of the fault, for errors)
	str   string
	num   float64
	b     bool
}

type cjsonDecoder struct {
	c     *cjsonLib
	L     *lua.LState
	data  string // the input up to its first NUL, the C string lua-cjson reads
	pos   int
	depth int
}

// at is the byte at i, 0 past the end as in a C string.
func (d *cjsonDecoder) at(i int) byte {
	if i < len(d.data) {
		return d.data[i]
	}
	return 0
}

func (c *cjsonLib) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = formatNumber14(float64(v))
	default:
		typeError(L, 1, "decode", "string")
	}
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		luaError(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	d := &cjsonDecoder{c: c, L: L, data: s}
	var tok jsonToken
	d.next(&tok)
	v := d.value(&tok)
	d.next(&tok)
	if tok.typ != tEnd {
		d.parseError("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (d *cjsonDecoder) parseError(expected string, tok *jsonToken) {
	found := jsonTokenNames[tok.typ]
	if tok.typ == tError {
		found = tok.str
	}
	luaError(d.L, "Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (d *cjsonDecoder) setError(tok *jsonToken, msg string) {
	tok.typ = tError
	tok.index = d.pos
	tok.str = msg
}

func charToken(c byte) jsonTokenType {
	switch c {
	case '{':
		return tObjBegin
	case '}':
		return tObjEnd
	case '[':
		return tArrBegin
	case ']':
		return tArrEnd
	case ':':
		return tColon
	case ',':
		return tComma
	case ' ', '\t', '\n', '\r':
		return tWhitespace
	case 0:
		return tEnd
	case 'f', 'i', 'I', 'n', 'N', 't', '"', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return tUnknown
	}
	return tError
}

// next is json_next_token.
func (d *cjsonDecoder) next(tok *jsonToken) {
	var c byte
	for {
		c = d.at(d.pos)
		tok.typ = charToken(c)
		if tok.typ != tWhitespace {
			break
		}
		d.pos++
	}
	tok.index = d.pos
	switch tok.typ {
	case tError:
		d.setError(tok, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		d.pos++
		return
	}
	rest := d.data[d.pos:]
	switch {
	case c == '"':
		d.stringToken(tok)
	case c == '-' || ('0' <= c && c <= '9'):
		if !d.c.cfg.decodeInvalid && d.invalidNumber() {
			d.setError(tok, "invalid number")
			return
		}
		d.numberToken(tok)
	case strings.HasPrefix(rest, "true"):
		tok.typ, tok.b = tBoolean, true
		d.pos += 4
	case strings.HasPrefix(rest, "false"):
		tok.typ, tok.b = tBoolean, false
		d.pos += 5
	case strings.HasPrefix(rest, "null"):
		tok.typ = tNull
		d.pos += 4
	case d.c.cfg.decodeInvalid && d.invalidNumber():
		d.numberToken(tok)
	default:
		d.setError(tok, "invalid token")
	}
}

// invalidNumber is json_is_invalid_number: numbers JSON does not allow
// but strtod reads (leading '+' or zeros, hex, inf, nan).
func (d *cjsonDecoder) invalidNumber() bool {
	p := d.pos
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	if d.at(p) == '0' {
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || ('0' <= c2 && c2 <= '9')
	}
	if d.at(p) <= '9' {
		return false
	}
	rest := strings.ToLower(d.data[p:min(p+3, len(d.data))])
	return rest == "inf" || rest == "nan"
}

func (d *cjsonDecoder) numberToken(tok *jsonToken) {
	tok.typ = tNumber
	n, f := strtod(d.data[d.pos:])
	if n == 0 {
		d.setError(tok, "invalid number")
		return
	}
	tok.num = f
	d.pos += n
}

var jsonEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'u': 'u'}

// stringToken is json_next_string_token; d.pos is at the opening quote.
func (d *cjsonDecoder) stringToken(tok *jsonToken) {
	d.pos++
	var b []byte
	for {
		c := d.at(d.pos)
		if c == '"' {
			break
		}
		if c == 0 {
			d.setError(tok, "unexpected end of string")
			return
		}
		if c == '\\' {
			c = jsonEscapes[d.at(d.pos+1)]
			if c == 'u' {
				var ok bool
				if b, ok = d.unicodeEscape(b); ok {
					continue
				}
				d.setError(tok, "invalid unicode escape code")
				return
			}
			if c == 0 {
				d.setError(tok, "invalid escape code")
				return
			}
			d.pos++
		}
		b = append(b, c)
		d.pos++
	}
	d.pos++
	tok.typ = tString
	tok.str = string(b)
}

func (d *cjsonDecoder) hex4(i int) int {
	n := 0
	for j := range 4 {
		c := d.at(i + j)
		var v int
		switch {
		case '0' <= c && c <= '9':
			v = int(c - '0')
		case 'a' <= c && c <= 'f':
			v = int(c-'a') + 10
		case 'A' <= c && c <= 'F':
			v = int(c-'A') + 10
		default:
			return -1
		}
		n = n<<4 | v
	}
	return n
}

// unicodeEscape is json_append_unicode_escape: \uXXXX, or a surrogate pair
// of them, appended as UTF-8.
func (d *cjsonDecoder) unicodeEscape(b []byte) ([]byte, bool) {
	cp := d.hex4(d.pos + 2)
	if cp < 0 {
		return b, false
	}
	escLen := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return b, false
		}
		if d.at(d.pos+6) != '\\' || d.at(d.pos+7) != 'u' {
			return b, false
		}
		low := d.hex4(d.pos + 8)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return b, false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		escLen = 12
	}
	switch {
	case cp <= 0x7F:
		b = append(b, byte(cp))
	case cp <= 0x7FF:
		b = append(b, byte(0xC0|cp>>6), byte(0x80|cp&0x3F))
	case cp <= 0xFFFF:
		b = append(b, byte(0xE0|cp>>12), byte(0x80|(cp>>6)&0x3F), byte(0x80|cp&0x3F))
	default:
		b = append(b, byte(0xF0|cp>>18), byte(0x80|(cp>>12)&0x3F), byte(0x80|(cp>>6)&0x3F), byte(0x80|cp&0x3F))
	}
	d.pos += escLen
	return b, true
}

// value is json_process_value.
func (d *cjsonDecoder) value(tok *jsonToken) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tObjBegin:
		return d.object()
	case tArrBegin:
		return d.array()
	case tNull:
		return d.c.null
	}
	d.parseError("value", tok)
	return lua.LNil
}

func (d *cjsonDecoder) descend() {
	d.depth++
	if d.depth > d.c.cfg.decodeMaxDepth {
		luaError(d.L, "Found too many nested data structures (%d) at character %d", d.depth, d.pos)
	}
}

func (d *cjsonDecoder) object() lua.LValue {
	d.descend()
	t := d.L.NewTable()
	var tok jsonToken
	d.next(&tok)
	if tok.typ == tObjEnd {
		d.depth--
		return t
	}
	for {
		if tok.typ != tString {
			d.parseError("object key string", &tok)
		}
		key := tok.str
		d.next(&tok)
		if tok.typ != tColon {
			d.parseError("colon", &tok)
		}
		d.next(&tok)
		t.RawSetString(key, d.value(&tok))
		d.next(&tok)
		if tok.typ == tObjEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.parseError("comma or object end", &tok)
		}
		d.next(&tok)
	}
}

func (d *cjsonDecoder) array() lua.LValue {
	d.descend()
	t := d.L.NewTable()
	var tok jsonToken
	d.next(&tok)
	if tok.typ == tArrEnd {
		d.depth--
		return t
	}
	for i := 1; ; i++ {
		t.RawSetInt(i, d.value(&tok))
		d.next(&tok)
		if tok.typ == tArrEnd {
			d.depth--
			return t
		}
		if tok.typ != tComma {
			d.parseError("comma or array end", &tok)
		}
		d.next(&tok)
	}
}

// strtod reads the longest prefix of s that glibc's strtod reads (s starts
// at a non-space): an optional sign, then inf/infinity, nan or nan(...),
// a hexadecimal float or a decimal one. n is 0 when there is no number.
func strtod(s string) (n int, f float64) {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	lower := func(i int) byte { return at(i) | 0x20 }
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	isHex := func(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }
	i := 0
	neg := false
	if c := at(0); c == '+' || c == '-' {
		neg = c == '-'
		i++
	}
	sign := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	switch {
	case lower(i) == 'i' && lower(i+1) == 'n' && lower(i+2) == 'f':
		i += 3
		if strings.EqualFold(s[i:min(i+5, len(s))], "inity") {
			i += 5
		}
		return i, sign(math.Inf(1))
	case lower(i) == 'n' && lower(i+1) == 'a' && lower(i+2) == 'n':
		i += 3
		if at(i) == '(' {
			j := i + 1
			for c := at(j); isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') || c == '_'; c = at(j) {
				j++
			}
			if at(j) == ')' {
				i = j + 1
			}
		}
		return i, math.Copysign(math.NaN(), sign(1))
	case at(i) == '0' && lower(i+1) == 'x' && (isHex(at(i+2)) || (at(i+2) == '.' && isHex(at(i+3)))):
		start := i
		j := i + 2
		for isHex(at(j)) {
			j++
		}
		if at(j) == '.' {
			j++
			for isHex(at(j)) {
				j++
			}
		}
		mant := s[start:j]
		exp := "p0"
		if lower(j) == 'p' {
			k := j + 1
			if at(k) == '+' || at(k) == '-' {
				k++
			}
			if isDigit(at(k)) {
				for isDigit(at(k)) {
					k++
				}
				exp = s[j:k]
				j = k
			}
		}
		v, _ := strconv.ParseFloat(mant+exp, 64)
		return j, sign(v)
	}
	start := i
	digits := 0
	for isDigit(at(i)) {
		i++
		digits++
	}
	if at(i) == '.' {
		i++
		for isDigit(at(i)) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if lower(i) == 'e' {
		k := i + 1
		if at(k) == '+' || at(k) == '-' {
			k++
		}
		if isDigit(at(k)) {
			for isDigit(at(k)) {
				k++
			}
			i = k
		}
	}
	v, _ := strconv.ParseFloat(s[start:i], 64)
	return i, sign(v)
}

// --- configuration ---

// cfgArgs is json_arg_init: at most n arguments, padded with nils to n.
func cfgArgs(L *lua.LState, n int, fname string) {
	if L.GetTop() > n {
		argError(L, n+1, fname, "found too many arguments")
	}
	L.SetTop(n)
}

// checkInteger is luaL_checkinteger, as C int.
func checkInteger(L *lua.LState, i int, fname string) int {
	switch v := L.Get(i).(type) {
	case lua.LNumber:
		return int(int32(toInt64(float64(v))))
	case lua.LString:
		if f, err := parseLuaNumber(string(v)); err == nil {
			return int(int32(toInt64(f)))
		}
	}
	typeError(L, i, fname, "number")
	return 0
}

// intOption is json_integer_option.
func intOption(L *lua.LState, i int, setting *int, lo, hi int, fname string) {
	if L.Get(i) != lua.LNil {
		v := checkInteger(L, i, fname)
		if v < lo || v > hi {
			argError(L, 1, fname, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		}
		*setting = v
	}
	L.Push(lua.LNumber(*setting))
}

// enumOption is json_enum_option with bool_true 1: a boolean, or one of
// options ("off", "on" and maybe "null").
func enumOption(L *lua.LState, i int, setting *int, options []string, fname string) {
	switch v := L.Get(i).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*setting = 0
		if v {
			*setting = 1
		}
	default:
		s, ok := v.(lua.LString)
		if n, isNum := v.(lua.LNumber); isNum {
			s, ok = lua.LString(formatNumber14(float64(n))), true
		}
		if !ok {
			typeError(L, i, fname, "string")
		}
		found := false
		for k, o := range options {
			if string(s) == o {
				*setting, found = k, true
				break
			}
		}
		if !found {
			argError(L, i, fname, "invalid option '"+string(s)+"'")
		}
	}
	if *setting <= 1 {
		L.Push(lua.LBool(*setting == 1))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
}

var onOff = []string{"off", "on"}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *cjsonLib) boolOption(L *lua.LState, p *bool, fname string) int {
	cfgArgs(L, 1, fname)
	v := boolInt(*p)
	enumOption(L, 1, &v, onOff, fname)
	*p = v == 1
	return 1
}

func (c *cjsonLib) cfgEncodeKeepBuffer(L *lua.LState) int {
	return c.boolOption(L, &c.cfg.keepBuffer, "encode_keep_buffer")
}

func (c *cjsonLib) cfgDecodeInvalidNumbers(L *lua.LState) int {
	return c.boolOption(L, &c.cfg.decodeInvalid, "decode_invalid_numbers")
}

func (c *cjsonLib) cfgEncodeInvalidNumbers(L *lua.LState) int {
	cfgArgs(L, 1, "encode_invalid_numbers")
	enumOption(L, 1, &c.cfg.encodeInvalid, []string{"off", "on", "null"}, "encode_invalid_numbers")
	return 1
}

func (c *cjsonLib) cfgEncodeMaxDepth(L *lua.LState) int {
	cfgArgs(L, 1, "encode_max_depth")
	intOption(L, 1, &c.cfg.encodeMaxDepth, 1, math.MaxInt32, "encode_max_depth")
	return 1
}

func (c *cjsonLib) cfgDecodeMaxDepth(L *lua.LState) int {
	cfgArgs(L, 1, "decode_max_depth")
	intOption(L, 1, &c.cfg.decodeMaxDepth, 1, math.MaxInt32, "decode_max_depth")
	return 1
}

func (c *cjsonLib) cfgEncodeNumberPrecision(L *lua.LState) int {
	cfgArgs(L, 1, "encode_number_precision")
	intOption(L, 1, &c.cfg.precision, 1, 14, "encode_number_precision")
	return 1
}

func (c *cjsonLib) cfgEncodeSparseArray(L *lua.LState) int {
	const fname = "encode_sparse_array"
	cfgArgs(L, 3, fname)
	conv := boolInt(c.cfg.sparseConvert)
	enumOption(L, 1, &conv, onOff, fname)
	c.cfg.sparseConvert = conv == 1
	intOption(L, 2, &c.cfg.sparseRatio, 0, math.MaxInt32, fname)
	intOption(L, 3, &c.cfg.sparseSafe, 0, math.MaxInt32, fname)
	return 3
}
