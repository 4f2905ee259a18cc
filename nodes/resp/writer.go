package resp

import (
	"strconv"
	"strings"
)

// A Writer appends replies to a reusable buffer in the protocol version of
// the connection, as Redis's addReply* functions do for a client whose
// c->resp is 2 or 3. The RESP3-only types degrade in RESP2 the way Redis
// degrades them: maps become flat arrays, sets and pushes arrays, doubles,
// big numbers and verbatim strings bulk strings, booleans integers and nulls
// "$-1" (or "*-1" for WriteNullArray).
//
// The zero Writer writes RESP2 into a nil buffer; NewWriter picks the
// version. Take the bytes with Bytes and Reset the Writer to reuse its
// buffer.
type Writer struct {
	buf   []byte
	proto int
}

// NewWriter returns a Writer for protocol version proto (2 or 3).
func NewWriter(proto int) *Writer {
	return &Writer{proto: proto}
}

// SetProto sets the protocol version, 2 or 3, as HELLO does; any value other
// than 3 means RESP2.
func (w *Writer) SetProto(proto int) { w.proto = proto }

// Proto returns the protocol version, 2 or 3.
func (w *Writer) Proto() int {
	if w.proto == 3 {
		return 3
	}
	return 2
}

func (w *Writer) resp3() bool { return w.proto == 3 }

// Bytes returns the replies written since the last Reset. The slice aliases
// the Writer's buffer: it is valid until the next write or Reset.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written since the last Reset.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the buffer, keeping its capacity.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Truncate discards all but the first n bytes written, for instance to take
// back a partial reply; it does nothing if n is out of range.
func (w *Writer) Truncate(n int) {
	if n >= 0 && n <= len(w.buf) {
		w.buf = w.buf[:n]
	}
}

// WriteRaw appends p as it is: a reply already encoded.
func (w *Writer) WriteRaw(p []byte) { w.buf = append(w.buf, p...) }

// WriteSimpleString writes a status reply, "+s\r\n" (addReplyStatus). s must
// not contain \r or \n.
func (w *Writer) WriteSimpleString(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteOK writes "+OK\r\n".
func (w *Writer) WriteOK() { w.buf = append(w.buf, "+OK\r\n"...) }

// WriteError writes an error reply, "-s\r\n". s starts with the error code:
// "ERR syntax error", "WRONGTYPE Operation against a key ...". Like Redis's
// addReplyErrorFormat, \r and \n are trimmed from both ends of s (sdstrim)
// and any left inside are written as spaces, so that the reply stays one
// line: "ERR Unsupported option \r\n" goes out as "-ERR Unsupported option "
// and the line end.
func (w *Writer) WriteError(s string) { w.WriteErrorSafe(strings.Trim(s, "\r\n")) }

// WriteErrorSafe writes an error reply as Redis's addReplyErrorSdsSafe
// does: any \r or \n in s is written as a space, and none is trimmed
// ("ERR Unknown argument \r\n" is "-ERR Unknown argument   \r\n").
func (w *Writer) WriteErrorSafe(s string) {
	w.buf = append(w.buf, '-')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// WriteInt writes an integer reply, ":n\r\n" (addReplyLongLong).
func (w *Writer) WriteInt(n int64) { w.buf = appendPrefixed(w.buf, ':', n) }

// WriteBulk writes a bulk string, "$len\r\nb\r\n" (addReplyBulkCBuffer). A
// nil b is an empty string, not a null: use WriteNull for that.
func (w *Writer) WriteBulk(b []byte) {
	w.buf = appendPrefixed(w.buf, '$', int64(len(b)))
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBulkString writes s as a bulk string.
func (w *Writer) WriteBulkString(s string) {
	w.buf = appendPrefixed(w.buf, '$', int64(len(s)))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteBulkInt writes n in decimal as a bulk string (addReplyBulkLongLong).
func (w *Writer) WriteBulkInt(n int64) {
	var tmp [20]byte
	w.WriteBulk(strconv.AppendInt(tmp[:0], n, 10))
}

// WriteNull writes a null (addReplyNull): "$-1\r\n" in RESP2, "_\r\n" in
// RESP3.
func (w *Writer) WriteNull() {
	if w.resp3() {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
}

// WriteNullArray writes a null array (addReplyNullArray): "*-1\r\n" in RESP2,
// "_\r\n" in RESP3.
func (w *Writer) WriteNullArray() {
	if w.resp3() {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
}

// WriteArrayLen writes the header of an array of n elements, "*n\r\n".
func (w *Writer) WriteArrayLen(n int) { w.buf = appendPrefixed(w.buf, '*', int64(n)) }

// WriteMapLen writes the header of a map of n key-value pairs: "%n\r\n" in
// RESP3, an array of 2n elements in RESP2 (addReplyMapLen).
func (w *Writer) WriteMapLen(n int) {
	if w.resp3() {
		w.buf = appendPrefixed(w.buf, '%', int64(n))
	} else {
		w.buf = appendPrefixed(w.buf, '*', 2*int64(n))
	}
}

// WriteSetLen writes the header of a set of n elements: "~n\r\n" in RESP3,
// "*n\r\n" in RESP2.
func (w *Writer) WriteSetLen(n int) {
	if w.resp3() {
		w.buf = appendPrefixed(w.buf, '~', int64(n))
	} else {
		w.buf = appendPrefixed(w.buf, '*', int64(n))
	}
}

// WritePushLen writes the header of an out-of-band push of n elements:
// ">n\r\n" in RESP3, "*n\r\n" in RESP2 (where Redis sends pub/sub messages
// as plain arrays).
func (w *Writer) WritePushLen(n int) {
	if w.resp3() {
		w.buf = appendPrefixed(w.buf, '>', int64(n))
	} else {
		w.buf = appendPrefixed(w.buf, '*', int64(n))
	}
}

// WriteDouble writes d as Redis 7.0's addReplyDouble does: in RESP2 a bulk
// string holding printf("%.17g") of d ("inf" and "-inf" for infinities), in
// RESP3 ",<%.17g>\r\n" (",inf", ",-inf"; NaN is "nan" in both).
func (w *Writer) WriteDouble(d float64) {
	if w.resp3() {
		w.buf = append(w.buf, ',')
		w.buf = appendDouble17(w.buf, d)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.WriteBulk(appendDouble17(tmp[:0], d))
}

// WriteBool writes a boolean: "#t\r\n" or "#f\r\n" in RESP3, ":1\r\n" or
// ":0\r\n" in RESP2 (addReplyBool).
func (w *Writer) WriteBool(b bool) {
	switch {
	case w.resp3() && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.resp3():
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.buf = append(w.buf, ":1\r\n"...)
	default:
		w.buf = append(w.buf, ":0\r\n"...)
	}
}

// WriteBigNum writes a big number given in decimal: "(num\r\n" in RESP3, a
// bulk string in RESP2 (addReplyBigNum).
func (w *Writer) WriteBigNum(num string) {
	if w.resp3() {
		w.buf = append(w.buf, '(')
		w.buf = append(w.buf, num...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulkString(num)
}

// WriteVerbatim writes text as a verbatim string of format ext ("txt" or
// "mkd"; padded with spaces or cut to three bytes): "=len\r\next:text\r\n" in
// RESP3, a bulk string of text alone in RESP2 (addReplyVerbatim).
func (w *Writer) WriteVerbatim(text []byte, ext string) {
	if !w.resp3() {
		w.WriteBulk(text)
		return
	}
	w.verbatimHeader(len(text), ext)
	w.buf = append(w.buf, text...)
	w.buf = append(w.buf, '\r', '\n')
}

// WriteVerbatimString is WriteVerbatim for a string.
func (w *Writer) WriteVerbatimString(text, ext string) {
	if !w.resp3() {
		w.WriteBulkString(text)
		return
	}
	w.verbatimHeader(len(text), ext)
	w.buf = append(w.buf, text...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *Writer) verbatimHeader(n int, ext string) {
	w.buf = appendPrefixed(w.buf, '=', int64(n)+4)
	for i := 0; i < 3; i++ {
		if i < len(ext) {
			w.buf = append(w.buf, ext[i])
		} else {
			w.buf = append(w.buf, ' ')
		}
	}
	w.buf = append(w.buf, ':')
}

// DeferLen marks the place of an aggregate header whose length is not known
// yet (addReplyDeferredLen); write the elements, then pass the mark to one of
// the SetDeferred functions, which inserts the header there.
func (w *Writer) DeferLen() int { return len(w.buf) }

// SetDeferredArrayLen inserts at mark the header of an array of n elements.
func (w *Writer) SetDeferredArrayLen(mark, n int) { w.insertHeader(mark, '*', int64(n)) }

// SetDeferredMapLen inserts at mark the header of a map of n pairs ("*2n"
// in RESP2).
func (w *Writer) SetDeferredMapLen(mark, n int) {
	if w.resp3() {
		w.insertHeader(mark, '%', int64(n))
	} else {
		w.insertHeader(mark, '*', 2*int64(n))
	}
}

// SetDeferredSetLen inserts at mark the header of a set of n elements.
func (w *Writer) SetDeferredSetLen(mark, n int) {
	if w.resp3() {
		w.insertHeader(mark, '~', int64(n))
	} else {
		w.insertHeader(mark, '*', int64(n))
	}
}

func (w *Writer) insertHeader(mark int, prefix byte, n int64) {
	if mark < 0 || mark > len(w.buf) {
		return
	}
	var tmp [24]byte
	h := appendPrefixed(tmp[:0], prefix, n)
	old := len(w.buf)
	w.buf = append(w.buf, h...)
	copy(w.buf[mark+len(h):], w.buf[mark:old])
	copy(w.buf[mark:], h)
}

// appendPrefixed appends "<prefix><n>\r\n".
func appendPrefixed(dst []byte, prefix byte, n int64) []byte {
	// Most lengths and counts are short: spell them without strconv.
	switch {
	case uint64(n) < 10:
		return append(dst, prefix, byte('0'+n), '\r', '\n')
	case uint64(n) < 100:
		return append(dst, prefix, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	}
	dst = append(dst, prefix)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}
