package resp

import "strconv"

// AppendCommand appends the command args encoded as a multibulk request,
// "*<n>\r\n" then "$<len>\r\n<arg>\r\n" per argument, as clients send
// commands, and returns the extended buffer.
//
// It and AppendCommandStrings are written out, not one generic function:
// escape analysis does not see through a generic call, so the arguments
// of every caller (the variadic slice, []byte("SET")) went to the heap.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = appendPrefixed(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = appendPrefixed(dst, '$', int64(len(a)))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendCommandStrings is AppendCommand for string arguments.
func AppendCommandStrings(dst []byte, args ...string) []byte {
	dst = appendPrefixed(dst, '*', int64(len(args)))
	for _, a := range args {
		dst = appendPrefixed(dst, '$', int64(len(a)))
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendValue appends v encoded in its own kind's wire form (RESP3 kinds
// stay RESP3) and returns the extended buffer. A Value parsed by a
// ReplyReader encodes to the bytes it was parsed from, up to the spelling
// of numbers and lengths. Simple strings and errors are written as they
// are: they must not contain "\r\n". A non-nil Attrs, even empty, is written
// as an attribute before the value. An invalid Kind is written as a RESP3
// null.
func AppendValue(dst []byte, v Value) []byte {
	if v.Attrs != nil {
		dst = appendPrefixed(dst, '|', int64(len(v.Attrs)/2))
		for i := 0; i+1 < len(v.Attrs); i += 2 {
			dst = AppendValue(dst, v.Attrs[i])
			dst = AppendValue(dst, v.Attrs[i+1])
		}
	}
	switch v.Kind {
	case KindSimpleString, KindError, KindBigNum:
		dst = append(dst, byte(v.Kind))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case KindInt:
		return appendPrefixed(dst, ':', v.Int)
	case KindNull:
		return append(dst, "_\r\n"...)
	case KindBool:
		if v.Int != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case KindDouble:
		dst = append(dst, ',')
		if len(v.Str) > 0 {
			dst = append(dst, v.Str...)
		} else {
			dst = appendDouble17(dst, v.Float)
		}
		return append(dst, '\r', '\n')
	case KindBulk, KindBlobError, KindVerbatim:
		if v.IsNull && v.Kind == KindBulk {
			return append(dst, "$-1\r\n"...)
		}
		dst = appendPrefixed(dst, byte(v.Kind), int64(len(v.Str)))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case KindArray, KindSet, KindPush:
		if v.IsNull && v.Kind == KindArray {
			return append(dst, "*-1\r\n"...)
		}
		dst = appendPrefixed(dst, byte(v.Kind), int64(len(v.Elems)))
		for i := range v.Elems {
			dst = AppendValue(dst, v.Elems[i])
		}
		return dst
	case KindMap:
		dst = append(dst, '%')
		dst = strconv.AppendInt(dst, int64(len(v.Elems)/2), 10)
		dst = append(dst, '\r', '\n')
		for i := 0; i+1 < len(v.Elems); i += 2 {
			dst = AppendValue(dst, v.Elems[i])
			dst = AppendValue(dst, v.Elems[i+1])
		}
		return dst
	}
	return append(dst, "_\r\n"...)
}
