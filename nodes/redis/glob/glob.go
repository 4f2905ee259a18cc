package glob

// maxNesting is the recursion bound from the Debian 7.0.15 security patch
// (CVE-2022-36021 hardening): deeper star nesting reports "no match", which
// is observable for patterns with more than 1000 separated stars.
const maxNesting = 1000

// Match reports whether s matches pattern under Redis's glob rules:
// '*' any run, '?' one byte, "[...]" a class with '^' negation, "a-z"
// ranges (either order) and '\' escapes, and '\' escaping outside classes.
// nocase folds ASCII letters the way glibc's tolower does in the C locale.
func Match(pattern, s []byte, nocase bool) bool {
	// skipLongerMatches is shared by every level of the recursion: once the
	// rest of the pattern after some '*' has failed at every later offset,
	// letting an earlier '*' swallow more bytes cannot help either, which
	// is what keeps "a*a*a*...b" from going exponential.
	skip := false
	return match(pattern, s, nocase, &skip, 0)
}

func match(p, s []byte, nocase bool, skip *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	pi, si := 0, 0
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			if pi+1 == len(p) {
				return true
			}
			for si < len(s) {
				if match(p[pi+1:], s[si:], nocase, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
				si++
			}
			*skip = true
			return false
		case '?':
			si++
		case '[':
			pi++
			not := pi < len(p) && p[pi] == '^'
			if not {
				pi++
			}
			c := s[si]
			matched := false
			for {
				if len(p)-pi >= 2 && p[pi] == '\\' {
					// Escaped class members compare exactly, even with nocase.
					pi++
					if p[pi] == c {
						matched = true
					}
				} else if pi < len(p) && p[pi] == ']' {
					break
				} else if pi == len(p) {
					// Unterminated class: C steps back one byte so that the
					// common advance below leaves the pattern exhausted; the
					// class still counts with whatever it matched so far.
					pi--
					break
				} else if len(p)-pi >= 3 && p[pi+1] == '-' {
					// C reads these as (signed) char, so bytes >= 0x80 sort
					// below ASCII in ranges; reproduced via int8.
					start, end, cc := int(int8(p[pi])), int(int8(p[pi+2])), int(int8(c))
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, cc = toLower(start), toLower(end), toLower(cc)
					}
					pi += 2
					if cc >= start && cc <= end {
						matched = true
					}
				} else if equal(p[pi], c, nocase) {
					matched = true
				}
				pi++
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			si++
		case '\\':
			// A trailing backslash is an ordinary byte.
			if len(p)-pi >= 2 {
				pi++
			}
			fallthrough
		default:
			if !equal(p[pi], s[si], nocase) {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(p) && si == len(s)
}

func equal(a, b byte, nocase bool) bool {
	if !nocase {
		return a == b
	}
	return toLower(int(int8(a))) == toLower(int(int8(b)))
}

// toLower is glibc's tolower in the C locale applied to a sign-extended
// char: ASCII letters fold, -1 is EOF and stays, and other negative values
// come back as their unsigned byte (the table is indexed from -128).
func toLower(c int) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return c + ('a' - 'A')
	case c < -1:
		return c + 256
	}
	return c
}
