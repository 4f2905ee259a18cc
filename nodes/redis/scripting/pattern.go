package scripting

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's patterns, for string.find, match, gmatch and gsub: the
// matcher of lstrlib.c, rule for rule. gopher-lua's own matcher lacks the
// %f frontier, anchors gmatch with ^ (5.1 reads it as a plain ^ there),
// keeps %x in a gsub replacement (5.1 adds the x), accepts replacement
// values that are tables, and fails with texts of its own. As in C, the
// pattern ends at its first NUL byte (%z matches one in the subject), and
// a character class is the C locale's: no byte above 127 is a letter.

const (
	maxCaptures   = 32 // LUA_MAXCAPTURES
	capUnfinished = -1
	capPosition   = -2
	patSpecials   = "^$*+?.([%-"
)

type patCapture struct{ init, len int }

type matcher struct {
	L       *lua.LState
	budget  *stepBudget // charged a step per match, when limited
	src     string
	pat     string
	level   int
	capture [maxCaptures]patCapture
}

func (sb *sandbox) newMatcher(L *lua.LState, src, pat string) *matcher {
	return &matcher{L: L, budget: sb.e.budget, src: src, pat: cString(pat)}
}

func (m *matcher) fail(msg string) { luaError(m.L, "%s", msg) }

// at is the pattern's byte at p, 0 past its end (C's terminating NUL).
func (m *matcher) at(p int) byte {
	if p < len(m.pat) {
		return m.pat[p]
	}
	return 0
}

// srcAt is the subject's byte at s, 0 at its end (Lua strings end in a
// NUL that the matcher reads there).
func (m *matcher) srcAt(s int) byte {
	if s < len(m.src) {
		return m.src[s]
	}
	return 0
}

func (m *matcher) classEnd(p int) int {
	c := m.at(p)
	p++
	switch c {
	case '%':
		if m.at(p) == 0 {
			m.fail("malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if m.at(p) == '^' {
			p++
		}
		for {
			if m.at(p) == 0 {
				m.fail("malformed pattern (missing ']')")
			}
			c := m.at(p)
			p++
			if c == '%' && m.at(p) != 0 {
				p++
			}
			if m.at(p) == ']' {
				return p + 1
			}
		}
	}
	return p
}

// matchClass is match_class: c against the class letter cl (%a, %A...),
// in the C locale.
func matchClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = isDigit(c)
	case 'l':
		res = c >= 'a' && c <= 'z'
	case 'p':
		res = c > 32 && c < 127 && !isAlpha(c) && !isDigit(c)
	case 's':
		res = isSpace(c)
	case 'u':
		res = c >= 'A' && c <= 'Z'
	case 'w':
		res = isAlpha(c) || isDigit(c)
	case 'x':
		res = isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if cl >= 'a' && cl <= 'z' {
		return res
	}
	return !res
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// bracket is matchbracketclass: c against the set [...] from p to ec
// (the closing bracket).
func (m *matcher) bracket(c byte, p, ec int) bool {
	sig := true
	if m.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case m.at(p) == '%':
			p++
			if matchClass(c, m.at(p)) {
				return sig
			}
		case m.at(p+1) == '-' && p+2 < ec:
			p += 2
			if m.at(p-2) <= c && c <= m.at(p) {
				return sig
			}
		case m.at(p) == c:
			return sig
		}
	}
	return !sig
}

func (m *matcher) single(c byte, p, ep int) bool {
	switch m.at(p) {
	case '.':
		return true
	case '%':
		return matchClass(c, m.at(p+1))
	case '[':
		return m.bracket(c, p, ep-1)
	}
	return m.at(p) == c
}

// match is match: where the pattern from p matches the subject from s
// to, or -1.
func (m *matcher) match(s, p int) int {
	if b := m.budget; b != nil && b.limited {
		// A pattern that backtracks exponentially runs in the matcher,
		// where no Lua instruction is counted; with a step budget it is
		// cut there too (Redis, and a run with an interrupt, would hang).
		if b.left <= 0 {
			b.exceeded = true
			m.fail("pattern matching exceeded the step budget")
		}
		b.left--
	}
	for {
		switch m.at(p) {
		case '(':
			if m.at(p+1) == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case 0:
			return s
		case '%':
			switch c := m.at(p + 1); {
			case c == 'b':
				if s = m.matchBalance(s, p+2); s < 0 {
					return -1
				}
				p += 4
				continue
			case c == 'f':
				p += 2
				if m.at(p) != '[' {
					m.fail("missing '[' after '%f' in pattern")
				}
				ep := m.classEnd(p)
				var prev byte
				if s > 0 {
					prev = m.src[s-1]
				}
				if m.bracket(prev, p, ep-1) || !m.bracket(m.srcAt(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			case isDigit(c):
				if s = m.matchCapture(s, c); s < 0 {
					return -1
				}
				p += 2
				continue
			}
		case '$':
			if m.at(p+1) == 0 {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		}
		ep := m.classEnd(p)
		ok := s < len(m.src) && m.single(m.src[s], p, ep)
		switch m.at(ep) {
		case '?':
			if ok {
				if r := m.match(s+1, ep+1); r >= 0 {
					return r
				}
			}
			p = ep + 1
		case '*':
			return m.maxExpand(s, p, ep)
		case '+':
			if !ok {
				return -1
			}
			return m.maxExpand(s+1, p, ep)
		case '-':
			return m.minExpand(s, p, ep)
		default:
			if !ok {
				return -1
			}
			s++
			p = ep
		}
	}
}

func (m *matcher) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(m.src) && m.single(m.src[s+i], p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r >= 0 {
			return r
		}
	}
	return -1
}

func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r >= 0 {
			return r
		}
		if s < len(m.src) && m.single(m.src[s], p, ep) {
			s++
			continue
		}
		return -1
	}
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.fail("too many captures")
	}
	m.capture[m.level] = patCapture{init: s, len: what}
	m.level++
	r := m.match(s, p)
	if r < 0 {
		m.level--
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.capture[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.fail("invalid pattern capture")
	}
	m.capture[l].len = s - m.capture[l].init
	r := m.match(s, p)
	if r < 0 {
		m.capture[l].len = capUnfinished
	}
	return r
}

func (m *matcher) matchBalance(s, p int) int {
	if m.at(p) == 0 || m.at(p+1) == 0 {
		m.fail("unbalanced pattern")
	}
	if m.srcAt(s) != m.at(p) {
		return -1
	}
	b, e := m.at(p), m.at(p+1)
	cont := 1
	for s++; s < len(m.src); s++ {
		switch m.src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (m *matcher) matchCapture(s int, c byte) int {
	l := int(c) - '1'
	if l < 0 || l >= m.level || m.capture[l].len == capUnfinished {
		m.fail("invalid capture index")
	}
	n := m.capture[l].len
	if len(m.src)-s >= n && m.src[m.capture[l].init:m.capture[l].init+n] == m.src[s:s+n] {
		return s + n
	}
	return -1
}

// capture is push_onecapture's value: capture i of the match s..e.
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i != 0 {
			m.fail("invalid capture index")
		}
		return lua.LString(m.src[s:e])
	}
	c := m.capture[i]
	switch c.len {
	case capUnfinished:
		m.fail("unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(m.src[c.init : c.init+c.len])
}

// pushCaptures is push_captures: the captures, or the whole match s..e
// when there are none (nothing when s < 0, as for find).
func (m *matcher) pushCaptures(s, e int) int {
	n := m.level
	if n == 0 && s >= 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}

// posrelat is posrelat: a relative position, negative from the end.
func posrelat(pos int64, n int) int64 {
	if pos < 0 {
		pos += int64(n) + 1
	}
	return max(pos, 0)
}

func (sb *sandbox) strFind(L *lua.LState) int  { return sb.strFindAux(L, true) }
func (sb *sandbox) strMatch(L *lua.LState) int { return sb.strFindAux(L, false) }

func (sb *sandbox) strFindAux(L *lua.LState, find bool) int {
	fname := "match"
	if find {
		fname = "find"
	}
	s := checkLString(L, 1, fname)
	p := checkLString(L, 2, fname)
	init := posrelat(optInt64(L, 3, 1, fname), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(cString(p), patSpecials)) {
		// A plain search, of the whole pattern.
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	m := sb.newMatcher(L, s, p)
	pat := 0
	anchor := m.at(0) == '^'
	if anchor {
		pat = 1
	}
	for s1 := int(init); ; s1++ {
		m.level = 0
		if e := m.match(s1, pat); e >= 0 {
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(e))
				return m.pushCaptures(-1, 0) + 2
			}
			return m.pushCaptures(s1, e)
		}
		if s1 >= len(s) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

// strGmatch is string.gmatch: an iterator over the matches, each search
// from where the last ended (one further after an empty match); ^ is no
// anchor here.
func (sb *sandbox) strGmatch(L *lua.LState) int {
	s := checkLString(L, 1, "gmatch")
	p := checkLString(L, 2, "gmatch")
	start := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := sb.newMatcher(L, s, p)
		for src := start; src <= len(s); src++ {
			m.level = 0
			if e := m.match(src, 0); e >= 0 {
				start = e
				if e == src {
					start++
				}
				return m.pushCaptures(src, e)
			}
		}
		return 0
	}))
	return 1
}

// strGsub is string.gsub.
func (sb *sandbox) strGsub(L *lua.LState) int {
	src := checkLString(L, 1, "gsub")
	p := checkLString(L, 2, "gsub")
	repl := L.Get(3)
	maxN := int64(len(src) + 1)
	if L.Get(4) != lua.LNil {
		maxN = int64(int32(checkInt64(L, 4, "gsub")))
	}
	switch repl.(type) {
	case lua.LNumber, lua.LString, *lua.LFunction, *lua.LTable:
	default:
		argError(L, 3, "gsub", "string/function/table expected")
	}
	m := sb.newMatcher(L, src, p)
	pat := 0
	anchor := m.at(0) == '^'
	if anchor {
		pat = 1
	}
	var b []byte
	s, n := 0, int64(0)
loop:
	for n < maxN {
		m.level = 0
		e := m.match(s, pat)
		if e >= 0 {
			n++
			b = sb.addValue(m, b, repl, s, e)
		}
		switch {
		case e >= 0 && e > s:
			s = e
		case s < len(src):
			b = append(b, src[s])
			s++
		default:
			break loop
		}
		if anchor {
			break
		}
	}
	if s < len(src) {
		b = append(b, src[s:]...)
	}
	L.Push(lua.LString(b))
	L.Push(lua.LNumber(n))
	return 2
}

// addValue is add_value: the replacement of the match s..e.
func (sb *sandbox) addValue(m *matcher, b []byte, repl lua.LValue, s, e int) []byte {
	L := m.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LNumber, lua.LString:
		news := lua.LVAsString(r)
		if n, ok := r.(lua.LNumber); ok {
			news = formatNumber14(float64(n))
		}
		for i := 0; i < len(news); i++ {
			if news[i] != '%' {
				b = append(b, news[i])
				continue
			}
			i++
			var c byte // past the end, C reads the NUL
			if i < len(news) {
				c = news[i]
			}
			switch {
			case !isDigit(c):
				b = append(b, c)
			case c == '0':
				b = append(b, m.src[s:e]...)
			default:
				b = append(b, sb.stringOf(m.captureValue(int(c-'1'), s, e))...)
			}
		}
		return b
	case *lua.LFunction:
		L.Push(r)
		n := m.pushCaptures(s, e)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	case *lua.LTable:
		v = L.GetTable(r, m.captureValue(0, s, e))
	}
	switch t := v.(type) {
	case *lua.LNilType:
		return append(b, m.src[s:e]...)
	case lua.LBool:
		if !bool(t) {
			return append(b, m.src[s:e]...)
		}
	case lua.LString, lua.LNumber:
		return append(b, sb.stringOf(t)...)
	}
	luaError(L, "invalid replacement value (a %s)", v.Type().String())
	return b
}

// stringOf is lua_tolstring of a string or a number.
func (sb *sandbox) stringOf(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return formatNumber14(float64(n))
	}
	return lua.LVAsString(v)
}

// strLower and strUpper are string.lower and upper as C's tolower and
// toupper map bytes in the C locale: ASCII letters only (gopher-lua's
// map every Unicode letter of UTF-8 text).
func strLower(L *lua.LState) int {
	s := []byte(checkLString(L, 1, "lower"))
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			s[i] = c + 'a' - 'A'
		}
	}
	L.Push(lua.LString(s))
	return 1
}

func strUpper(L *lua.LState) int {
	s := []byte(checkLString(L, 1, "upper"))
	for i, c := range s {
		if c >= 'a' && c <= 'z' {
			s[i] = c - 'a' + 'A'
		}
	}
	L.Push(lua.LString(s))
	return 1
}

// coerceInts wraps a library function whose arguments at the given
// positions are integers: Lua 5.1 (luaL_checkinteger) takes a string that
// reads as a number there, which gopher-lua's CheckInt refuses.
func coerceInts(orig *lua.LFunction, minTop int, positions ...int) lua.LGFunction {
	return func(L *lua.LState) int {
		if L.GetTop() < minTop {
			// table.insert(t, v): v is a value, not a position.
			return orig.GFunction(L)
		}
		for _, p := range positions {
			if s, ok := L.Get(p).(lua.LString); ok && p <= L.GetTop() {
				if f, err := parseLuaNumber(string(s)); err == nil {
					L.Replace(p, lua.LNumber(f))
				}
			}
		}
		return orig.GFunction(L)
	}
}

// intArgs are the library functions whose integer arguments, at these
// positions, gopher-lua reads with CheckInt or OptInt, which refuse a
// numeric string ("2") that Lua 5.1 takes. table.insert's is its
// position, and only with three arguments.
var intArgs = map[string][]int{
	"string.byte":  {2, 3},
	"string.rep":   {2},
	"string.sub":   {2, 3},
	"table.concat": {3, 4},
	"table.insert": {2},
	"table.remove": {2},
	"unpack":       {2, 3},
	"select":       {1},
}
