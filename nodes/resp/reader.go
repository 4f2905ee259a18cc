package resp

import (
	"math"

	"github.com/redsim/redsim/nodes/rnum"
)

// Limits of Redis 7's request parsing (server.h, networking.c).
const (
	// InlineMaxSize is PROTO_INLINE_MAX_SIZE: the most bytes an inline
	// request, or a multibulk count or bulk length line, may buffer while
	// its terminator has not arrived.
	InlineMaxSize = 64 * 1024
	// IOBufLen is PROTO_IOBUF_LEN, the size of Redis's ordinary reads from a
	// client socket.
	IOBufLen = 16 * 1024
	// BigArg is PROTO_MBULK_BIG_ARG: a bulk argument at least this long is
	// read with reads sized to the rest of it (see NextReadSize).
	BigArg = 32 * 1024
	// DefaultMaxBulkLen is the default of proto-max-bulk-len, the longest
	// bulk argument a client (but not a master) may send.
	DefaultMaxBulkLen int64 = 512 * 1024 * 1024
	// MaxMultibulkLen is the largest multibulk count (INT_MAX).
	MaxMultibulkLen int64 = math.MaxInt32
	// UnauthMaxMultibulkLen and UnauthMaxBulkLen bound the requests of a
	// client that still has to authenticate.
	UnauthMaxMultibulkLen = 10
	UnauthMaxBulkLen      = 16384
)

// The texts of the protocol errors, as Redis sends them after "-ERR ".
// The "expected '$', got 'c'" text is built from the offending byte; see
// ProtocolError.
const (
	MsgTooBigInline           = "Protocol error: too big inline request"
	MsgUnbalancedQuotes       = "Protocol error: unbalanced quotes in request"
	MsgInvalidMultibulkLength = "Protocol error: invalid multibulk length"
	MsgUnauthMultibulkLength  = "Protocol error: unauthenticated multibulk length"
	MsgTooBigMbulkCount       = "Protocol error: too big mbulk count string"
	MsgTooBigBulkCount        = "Protocol error: too big bulk count string"
	MsgInvalidBulkLength      = "Protocol error: invalid bulk length"
	MsgUnauthBulkLength       = "Protocol error: unauthenticated bulk length"
	// MsgExpectedDollarPrefix starts the error for a multibulk element
	// that is not a bulk string: "Protocol error: expected '$', got 'X'".
	MsgExpectedDollarPrefix = "Protocol error: expected '$', got '"
)

// A ProtocolError is a request Redis refuses: it replies with Reply (unless
// NoReply) and closes the connection once the reply is written, after the
// replies to the commands that came before it in the stream.
type ProtocolError struct {
	// Msg is the error text that follows "-ERR " on the wire; empty when
	// NoReply.
	Msg string
	// Reason is the short description Redis logs with
	// "Protocol error (%s) from client".
	Reason string
	// NoReply is set when Redis closes without replying: a master that
	// sends a non-empty inline request.
	NoReply bool
}

func (e *ProtocolError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return "Protocol error: " + e.Reason
}

// AppendReply appends the bytes Redis sends for e, "-ERR <Msg>\r\n", to dst;
// it appends nothing when e.NoReply.
func (e *ProtocolError) AppendReply(dst []byte) []byte {
	if e.NoReply {
		return dst
	}
	dst = append(dst, "-ERR "...)
	dst = append(dst, e.Msg...)
	return append(dst, '\r', '\n')
}

const (
	reqNone uint8 = iota
	reqInline
	reqMultibulk
)

// A Reader parses the requests of one client connection the way Redis does:
// it is the client's query buffer together with processInputBuffer. Feed it
// the bytes as they are read, in any split, then call Next until it reports
// no command; a command split over several Feeds is completed by the later
// ones, and several commands in one Feed (a pipeline) come out one per Next.
//
// The zero Reader is not ready for use; call NewReader.
type Reader struct {
	buf []byte // the query buffer; buf[pos:] is not yet parsed
	pos int

	maxBulk      int64
	authRequired bool
	master       bool

	reqtype   uint8
	multibulk int64 // arguments still expected by the multibulk in progress
	bulklen   int64 // length of the bulk being read, -1 before its length line
	offs      []int // [start, end) in buf of the arguments parsed so far
	args      [][]byte
	inline    []byte // unescaped inline arguments
	err       *ProtocolError
	// start is where in buf the multibulk being parsed, or last parsed,
	// begins; odd is set when one of its line or argument ends is not
	// \r\n (Redis skips those bytes unseen), raw false when the last
	// command was not a multibulk (Raw).
	start   int
	odd     bool
	rawLast bool
	// lastInline is set when the last command Next returned was inline.
	lastInline bool
	// emptyLines counts the bare newlines read (EmptyLines).
	emptyLines int64
}

// NewReader returns a Reader with Redis's defaults: proto-max-bulk-len of
// DefaultMaxBulkLen, no authentication required, not a master link.
func NewReader() *Reader {
	return &Reader{maxBulk: DefaultMaxBulkLen, bulklen: -1}
}

// SetMaxBulkLen sets proto-max-bulk-len, the longest bulk argument accepted
// from a client that is not the master.
func (r *Reader) SetMaxBulkLen(n int64) { r.maxBulk = n }

// MaxBulkLen returns the proto-max-bulk-len in force.
func (r *Reader) MaxBulkLen() int64 { return r.maxBulk }

// SetAuthRequired says whether the client still has to authenticate
// (Redis's authRequired); while it does, multibulk counts above
// UnauthMaxMultibulkLen and bulk lengths above UnauthMaxBulkLen are
// protocol errors. The node clears it once the client has authenticated.
func (r *Reader) SetAuthRequired(v bool) { r.authRequired = v }

// SetMaster marks the connection as the link from this node's master
// (CLIENT_MASTER): proto-max-bulk-len does not apply, and a non-empty inline
// request is a protocol error that closes the link without a reply.
func (r *Reader) SetMaster(v bool) { r.master = v }

// Feed appends p, bytes read from the connection, to the query buffer. p is
// copied. Feed invalidates the arguments returned by earlier calls to Next,
// and does nothing once Next has returned an error.
func (r *Reader) Feed(p []byte) {
	if r.err != nil {
		return
	}
	r.compact()
	r.buf = append(r.buf, p...)
}

// compact drops the parsed bytes at the front of the buffer, keeping the
// arguments of a multibulk in progress.
func (r *Reader) compact() {
	keep := r.pos
	if len(r.offs) > 0 || (r.reqtype == reqMultibulk && r.multibulk > 0) {
		keep = r.start
	}
	r.rawLast = false
	if keep == 0 {
		return
	}
	n := copy(r.buf, r.buf[keep:])
	if n == 0 && cap(r.buf) > 1<<20 {
		// Let a buffer grown by a big argument go, as Redis's
		// clientsCron resizes idle query buffers.
		r.buf = nil
	} else {
		r.buf = r.buf[:n]
	}
	r.pos -= keep
	r.start -= keep
	for i := range r.offs {
		r.offs[i] -= keep
	}
}

// Next parses the next command from the bytes fed so far. It returns the
// command's arguments and ok true; ok false with a nil error when the
// buffer holds no complete command yet (Feed more); or the
// *ProtocolError that Redis would reply with before closing the connection.
// The error is sticky: every later call returns it again.
//
// Empty commands are skipped as Redis skips them: blank inline lines and
// multibulks with a count <= 0.
//
// args and the byte slices in it belong to the Reader and are valid until
// the next call to Next or Feed; copy what must outlive that. Each argument
// has its capacity clipped to its length, so appending to one cannot
// overwrite its neighbours.
func (r *Reader) Next() (args [][]byte, ok bool, err error) {
	if r.err != nil {
		return nil, false, r.err
	}
	r.rawLast = false
	for r.pos < len(r.buf) {
		if r.reqtype == reqNone && r.buf[r.pos] == '*' && r.multibulk == 0 && r.wholeMultibulk() {
			// processMultibulk's common case, without its state.
			r.rawLast = !r.odd
			r.lastInline = false
			return r.args, true, nil
		}
		if r.reqtype == reqNone {
			if r.buf[r.pos] == '*' {
				r.reqtype = reqMultibulk
			} else {
				r.reqtype = reqInline
			}
		}
		var done bool
		if r.reqtype == reqInline {
			done = r.processInline()
		} else {
			done = r.processMultibulk()
		}
		if r.err != nil {
			return nil, false, r.err
		}
		if !done {
			return nil, false, nil
		}
		multibulk := r.reqtype == reqMultibulk
		r.reqtype = reqNone
		if len(r.args) == 0 {
			continue
		}
		r.rawLast = multibulk && !r.odd
		r.lastInline = !multibulk
		return r.args, true, nil
	}
	return nil, false, nil
}

// LastWasInline reports whether the last command Next returned was an
// inline one.
func (r *Reader) LastWasInline() bool { return r.lastInline }

// ForceInline makes the next request, unless one is being parsed, an
// inline one whatever its first byte: what a client's stale reqtype does
// when Redis has not reset the client after an inline command.
func (r *Reader) ForceInline() {
	if r.reqtype == reqNone {
		r.reqtype = reqInline
	}
}

// Raw returns the bytes of the command the last call to Next returned,
// when they are what AppendCommand makes of its arguments (a multibulk
// whose lines and arguments all end in \r\n), else nil. Like the
// arguments, they belong to the Reader and are valid until the next call
// to Next or Feed.
func (r *Reader) Raw() []byte {
	if !r.rawLast {
		return nil
	}
	return r.buf[r.start:r.pos:r.pos]
}

// RawOf is Raw when args is the argument slice the last call to Next
// returned (the same backing array, as callers pass it on), else nil.
func (r *Reader) RawOf(args [][]byte) []byte {
	if !r.rawLast || len(args) == 0 || len(args) != len(r.args) || &args[0] != &r.args[0] {
		return nil
	}
	return r.Raw()
}

// EmptyLines is how many bare newlines (an inline line of length 0) Next
// has read and skipped: a replica sends them to its master while it loads
// a snapshot, and the master takes each as an ACK's time
// (processInlineBuffer).
func (r *Reader) EmptyLines() int64 { return r.emptyLines }

// Err returns the protocol error Next has returned, or nil.
func (r *Reader) Err() *ProtocolError { return r.err }

// Buffered returns how many bytes have been fed and not yet parsed: the
// length of Redis's query buffer, which the node checks against
// client-query-buffer-limit after each read.
func (r *Reader) Buffered() int { return len(r.buf) - r.pos }

// InProgress reports whether part of a command has been parsed or buffered.
func (r *Reader) InProgress() bool { return r.reqtype != reqNone || r.pos < len(r.buf) }

// NextReadSize returns how many bytes Redis's readQueryFromClient would ask
// read(2) for next: the rest of a bulk argument of at least BigArg bytes
// being read (at least IOBufLen for a master), IOBufLen otherwise. (When its
// query buffer has grown Redis may read more than IOBufLen at once, up to
// the free space of the buffer; that allocator-dependent case is not
// modelled.)
func (r *Reader) NextReadSize() int {
	if r.reqtype == reqMultibulk && r.multibulk > 0 && r.bulklen >= BigArg {
		remaining := int64(math.MaxInt64) // a master's claim may be that big
		if r.bulklen <= math.MaxInt64-2 {
			remaining = r.bulklen + 2 - int64(len(r.buf)-r.pos)
		}
		n := int64(IOBufLen)
		if remaining > 0 {
			n = remaining
		}
		if r.master && n < IOBufLen {
			n = IOBufLen
		}
		if n > math.MaxInt32 {
			n = math.MaxInt32
		}
		return int(n)
	}
	return IOBufLen
}

// Reset empties the Reader for a new connection, keeping its settings and
// buffers.
func (r *Reader) Reset() {
	r.buf = r.buf[:0]
	r.pos = 0
	r.reqtype = reqNone
	r.multibulk = 0
	r.bulklen = -1
	r.offs = r.offs[:0]
	r.args = r.args[:0]
	r.err = nil
	r.start, r.odd, r.rawLast = 0, false, false
}

func (r *Reader) fail(msg, reason string) {
	r.err = &ProtocolError{Msg: msg, Reason: reason}
}

// processInline is processInlineBuffer: it reports whether a whole line was
// parsed into r.args.
func (r *Reader) processInline() bool {
	rest := r.buf[r.pos:]
	nl := cIndexByte(rest, '\n')
	if nl < 0 {
		if len(rest) > InlineMaxSize {
			r.fail(MsgTooBigInline, "too big inline request")
		}
		return false
	}
	querylen, linefeed := nl, 1
	if nl > 0 && rest[nl-1] == '\r' {
		querylen--
		linefeed++
	}
	var ok bool
	r.offs = r.offs[:0]
	r.inline, r.offs, ok = splitArgs(rest[:querylen], r.inline[:0], r.offs)
	if !ok {
		r.offs = r.offs[:0]
		r.fail(MsgUnbalancedQuotes, "unbalanced quotes in inline request")
		return false
	}
	if querylen == 0 {
		r.emptyLines++
	}
	if querylen != 0 && r.master {
		// Masters may send a bare newline as a keepalive, nothing else.
		r.offs = r.offs[:0]
		r.err = &ProtocolError{Reason: "Master using the inline protocol. Desync?", NoReply: true}
		return false
	}
	r.pos += querylen + linefeed
	r.args = r.args[:0]
	for i := 0; i+1 < len(r.offs); i += 2 {
		r.args = append(r.args, r.inline[r.offs[i]:r.offs[i+1]:r.offs[i+1]])
	}
	r.offs = r.offs[:0]
	return true
}

// processMultibulk is processMultibulkBuffer: it reports whether the whole
// multibulk was parsed into r.args (which is empty for a count <= 0).
func (r *Reader) processMultibulk() bool {
	if r.multibulk == 0 && r.wholeMultibulk() {
		return true
	}
	if r.multibulk == 0 {
		rest := r.buf[r.pos:]
		ll, nl := countLine(rest)
		ok := nl > 0
		if !ok {
			nl = cIndexByte(rest, '\r')
			if nl < 0 {
				if len(rest) > InlineMaxSize {
					r.fail(MsgTooBigMbulkCount, "too big mbulk count string")
				}
				return false
			}
			// The byte after \r must have arrived too; Redis skips it unseen.
			if nl > len(rest)-2 {
				return false
			}
			ll, ok = rnum.ParseInt(rest[1:nl])
		}
		r.start, r.odd = r.pos, rest[nl+1] != '\n'
		if !ok || ll > MaxMultibulkLen {
			r.fail(MsgInvalidMultibulkLength, "invalid mbulk count")
			return false
		} else if ll > UnauthMaxMultibulkLen && r.authRequired {
			r.fail(MsgUnauthMultibulkLength, "unauth mbulk count")
			return false
		}
		r.pos += nl + 2
		r.args = r.args[:0]
		if ll <= 0 {
			return true
		}
		r.multibulk = ll
		r.bulklen = -1
		r.offs = r.offs[:0]
		if want := 2 * int(min(ll, 1024)); cap(r.offs) < want {
			r.offs = make([]int, 0, want)
		}
	}

	for r.multibulk > 0 {
		if r.bulklen == -1 {
			rest := r.buf[r.pos:]
			ll, nl := countLine(rest)
			ok := nl > 0
			if !ok {
				nl = cIndexByte(rest, '\r')
				if nl < 0 {
					if len(rest) > InlineMaxSize {
						r.fail(MsgTooBigBulkCount, "too big bulk count string")
						return false
					}
					break
				}
				if nl > len(rest)-2 {
					break
				}
			}
			if rest[0] != '$' {
				r.fail(expectedDollar(rest[0]), "expected $ but got something else")
				return false
			}
			if !ok {
				ll, ok = rnum.ParseInt(rest[1:nl])
			}
			if !ok || ll < 0 || (!r.master && ll > r.maxBulk) {
				r.fail(MsgInvalidBulkLength, "invalid bulk length")
				return false
			} else if ll > UnauthMaxBulkLen && r.authRequired {
				r.fail(MsgUnauthBulkLength, "unauth bulk length")
				return false
			}
			if rest[nl+1] != '\n' {
				r.odd = true
			}
			r.pos += nl + 2
			r.bulklen = ll
		}
		// The payload and the two bytes after it, which Redis skips unseen.
		if int64(len(r.buf)-r.pos)-2 < r.bulklen {
			break
		}
		end := r.pos + int(r.bulklen)
		if r.buf[end] != '\r' || r.buf[end+1] != '\n' {
			r.odd = true
		}
		r.offs = append(r.offs, r.pos, end)
		r.pos = end + 2
		r.bulklen = -1
		r.multibulk--
	}
	if r.multibulk > 0 {
		return false
	}
	for i := 0; i+1 < len(r.offs); i += 2 {
		r.args = append(r.args, r.buf[r.offs[i]:r.offs[i+1]:r.offs[i+1]])
	}
	r.offs = r.offs[:0]
	return true
}

// wholeMultibulk is processMultibulk's common case: a command whose
// every line and argument has arrived, with a count and lengths that
// countLine reads and no limit applies to. It parses it into r.args and
// reports true, or changes nothing and reports false, for the general
// path to parse (or refuse) it.
func (r *Reader) wholeMultibulk() bool {
	buf := r.buf
	pos := r.pos
	n, nl := countLine(buf[pos:])
	if nl == 0 || n <= 0 || (r.authRequired && n > UnauthMaxMultibulkLen) || n > 64 {
		return false
	}
	odd := buf[pos+nl+1] != '\n'
	pos += nl + 2
	args := r.args[:0]
	for ; n > 0; n-- {
		rest := buf[pos:]
		ll, nl := countLine(rest)
		if nl == 0 || rest[0] != '$' || (!r.master && ll > r.maxBulk) || (r.authRequired && ll > UnauthMaxBulkLen) {
			return false
		}
		start := pos + nl + 2
		end := start + int(ll)
		if end+2 > len(buf) {
			return false
		}
		if rest[nl+1] != '\n' || buf[end] != '\r' || buf[end+1] != '\n' {
			odd = true
		}
		args = append(args, buf[start:end:end])
		pos = end + 2
	}
	r.start, r.odd = r.pos, odd
	r.args = args
	r.pos = pos
	return true
}

// countLine is the common case of a multibulk count or bulk length line
// that has arrived whole: rest is the line from its prefix byte on, up to
// 9 digits with no leading zero (or a lone 0), then \r and one more byte.
// It returns the number and the index of the \r, which is what
// cIndexByte and rnum.ParseInt would find; nl is 0 when the line is not
// of that form, for them to judge.
func countLine(rest []byte) (ll int64, nl int) {
	i := 1
	for ; i < len(rest) && i <= 9; i++ {
		c := rest[i]
		if c < '0' || c > '9' {
			break
		}
		ll = ll*10 + int64(c-'0')
	}
	if i == 1 || i > len(rest)-2 || rest[i] != '\r' || (rest[1] == '0' && i > 2) {
		return 0, 0
	}
	return ll, i
}

// expectedDollar builds the text of addReplyErrorFormat("Protocol error:
// expected '$', got '%c'"), which turns \r and \n into spaces.
func expectedDollar(c byte) string {
	if c == '\r' || c == '\n' {
		c = ' '
	}
	return MsgExpectedDollarPrefix + string([]byte{c, '\''})
}
