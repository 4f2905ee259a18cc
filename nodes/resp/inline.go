package resp

import "bytes"

// splitArgs splits an inline request line into arguments exactly like
// Redis's sdssplitargs (sds.c), which processInlineBuffer calls:
//
//   - arguments are separated by runs of C isspace bytes (space, \t, \n, \v,
//     \f, \r), but inside an unquoted argument only space, \t, \n and \r end
//     it (so "a\vb" is one argument, as in Redis);
//   - "double quotes" take the escapes \xHH (two hex digits), \n, \r, \t,
//     \b, \a, and \c for any other c (\\ and \" included); 'single quotes'
//     take only \';
//   - a quote may open in the middle of an argument (foo"bar" is foobar), but
//     a closing quote must be followed by a space or the end of the line;
//   - the line is a C string: it ends at its first NUL byte.
//
// The arguments' bytes are appended to dst and their [start, end) offsets in
// dst to offs, so that no slice is taken until dst has stopped growing. ok is
// false for unbalanced quotes (including a closing quote followed by a
// non-space), Redis's NULL return; dst and offs are then to be discarded.
func splitArgs(line, dst []byte, offs []int) (_ []byte, _ []int, ok bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	n := len(line)
	// at reads line as the C string it stands for: a NUL past its end.
	at := func(i int) byte {
		if i < n {
			return line[i]
		}
		return 0
	}
	p := 0
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return dst, offs, true
		}
		start := len(dst)
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHexDigit(at(p+2)) && isHexDigit(at(p+3)):
					dst = append(dst, hexDigitToInt(at(p+2))<<4|hexDigitToInt(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					switch e := line[p]; e {
					case 'n':
						dst = append(dst, '\n')
					case 'r':
						dst = append(dst, '\r')
					case 't':
						dst = append(dst, '\t')
					case 'b':
						dst = append(dst, '\b')
					case 'a':
						dst = append(dst, '\a')
					default:
						dst = append(dst, e)
					}
				case c == '"':
					// The closing quote must be followed by a space or nothing.
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return dst, offs, false
					}
					done = true
				case c == 0:
					return dst, offs, false // unterminated quotes
				default:
					dst = append(dst, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					dst = append(dst, '\'')
				case c == '\'':
					if nx := at(p + 1); nx != 0 && !isSpace(nx) {
						return dst, offs, false
					}
					done = true
				case c == 0:
					return dst, offs, false
				default:
					dst = append(dst, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					dst = append(dst, c)
				}
			}
			if p < n {
				p++
			}
		}
		offs = append(offs, start, len(dst))
	}
}

// isSpace is C isspace in the C locale.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexDigitToInt(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

// SplitArgs is sdssplitargs for the other lines Redis splits that way (an
// AOF manifest's): the arguments of line, or ok false for unbalanced
// quotes.
func SplitArgs(line []byte) (args [][]byte, ok bool) {
	dst, offs, ok := splitArgs(line, nil, nil)
	if !ok {
		return nil, false
	}
	for i := 0; i < len(offs); i += 2 {
		args = append(args, dst[offs[i]:offs[i+1]:offs[i+1]])
	}
	return args, true
}
