package resp

import (
	"bytes"
	"github.com/redsim/redsim/nodes/rnum"
	"math"
	"strconv"
	"strings"
	"testing"
)

// drain pulls every command out of r, returning them as strings and the
// protocol error text (the bytes Redis replies with), if any.
func drain(t testing.TB, r *Reader) (cmds [][]string, errReply string) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("Next does not stop")
		}
		args, ok, err := r.Next()
		if err != nil {
			pe, isPE := err.(*ProtocolError)
			if !isPE {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return cmds, string(pe.AppendReply(nil))
		}
		if !ok {
			return cmds, ""
		}
		cmd := make([]string, len(args))
		for j, a := range args {
			cmd[j] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

func parseString(t testing.TB, in string) ([][]string, string) {
	t.Helper()
	r := NewReader()
	r.Feed([]byte(in))
	return drain(t, r)
}

func fmtCmds(cmds [][]string) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteByte('[')
		for i, a := range c {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Quote(a))
		}
		b.WriteByte(']')
	}
	return b.String()
}

func errReply(msg string) string { return "-ERR " + msg + "\r\n" }

// Every case here was checked against redis-server 7.0.15 on a loopback port
// (the replies to the commands before the error, then the error and the
// close).
func TestReaderProtocolErrors(t *testing.T) {
	big := func(prefix string, n int) string { return prefix + strings.Repeat("1", n) }
	tests := []struct {
		name string
		in   string
		cmds string // fmtCmds of the commands parsed before the error
		err  string // the full error reply; "" when none
	}{
		{"invalid mbulk: empty", "*\r\nPING\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: plus sign", "*+1\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: leading zero", "*01\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: minus zero", "*-0\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: letters", "*abc\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: space", "*1 \r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: over INT_MAX", "*2147483648\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"invalid mbulk: overflow", "*99999999999999999999\r\n", "", errReply(MsgInvalidMultibulkLength)},
		{"mbulk INT_MAX waits", "*2147483647\r\n", "", ""},
		{"mbulk 2^30+1 waits", "*1073741825\r\n", "", ""},
		{"too big mbulk count", big("*", InlineMaxSize), "", errReply(MsgTooBigMbulkCount)},
		{"mbulk count at limit waits", big("*", InlineMaxSize-1), "", ""},
		{"too big bulk count", big("*1\r\n$", InlineMaxSize), "", errReply(MsgTooBigBulkCount)},
		{"bulk count at limit waits", big("*1\r\n$", InlineMaxSize-1), "", ""},
		{"expected $: letter", "*1\r\nfoo\r\n", "", errReply(MsgExpectedDollarPrefix + "f'")},
		{"expected $: CR becomes space", "*1\r\n\r\n", "", errReply(MsgExpectedDollarPrefix + " '")},
		{"expected $: LF becomes space", "*1\r\n\n\r\n", "", errReply(MsgExpectedDollarPrefix + " '")},
		{"expected $: high byte", "*1\r\n\xffoo\r\n", "", errReply(MsgExpectedDollarPrefix + "\xff'")},
		{"expected $: in second arg", "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "", errReply(MsgExpectedDollarPrefix + "f'")},
		{"invalid bulk: negative", "*1\r\n$-1\r\n", "", errReply(MsgInvalidBulkLength)},
		{"invalid bulk: leading zero", "*1\r\n$01\r\n", "", errReply(MsgInvalidBulkLength)},
		{"invalid bulk: empty", "*1\r\n$\r\n", "", errReply(MsgInvalidBulkLength)},
		{"invalid bulk: over proto-max-bulk-len", "*1\r\n$536870913\r\n", "", errReply(MsgInvalidBulkLength)},
		{"bulk at proto-max-bulk-len waits", "*1\r\n$536870912\r\n", "", ""},
		{"unbalanced: open double quote", "ECHO \"abc\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"unbalanced: open single quote", "ECHO 'abc\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"unbalanced: text after closing quote", "ECHO \"abc\"d\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"unbalanced: quote after closing quote", "ECHO \"a\"'b'\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"unbalanced: escaped closing quote", "ECHO \"ab\\\"\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"unbalanced: quote in the middle", "ECHO a\"b c\"d\r\n", "", errReply(MsgUnbalancedQuotes)},
		{"too big inline", strings.Repeat("A", InlineMaxSize+1), "", errReply(MsgTooBigInline)},
		{"inline at limit waits", strings.Repeat("A", InlineMaxSize), "", ""},
		{"NUL hides the newline", "ECHO a\x00" + strings.Repeat("a", InlineMaxSize), "", errReply(MsgTooBigInline)},
		{"commands before the error are served", "PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n", `["PING"]["PING"]`, errReply(MsgInvalidMultibulkLength)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmds, err := parseString(t, tc.in)
			if got := fmtCmds(cmds); got != tc.cmds {
				t.Errorf("commands = %s, want %s", got, tc.cmds)
			}
			if err != tc.err {
				t.Errorf("error reply = %q, want %q", err, tc.err)
			}
		})
	}
}

func TestReaderErrorIsSticky(t *testing.T) {
	r := NewReader()
	r.Feed([]byte("*x\r\n"))
	_, _, err1 := r.Next()
	r.Feed([]byte("PING\r\n"))
	args, ok, err2 := r.Next()
	if err1 == nil || err2 != err1 || ok || args != nil {
		t.Fatalf("got %v, %v, %v after %v", args, ok, err2, err1)
	}
	if r.Err() == nil || r.Err().Msg != MsgInvalidMultibulkLength || r.Err().Reason != "invalid mbulk count" {
		t.Fatalf("Err() = %+v", r.Err())
	}
	if r.Err().Error() != MsgInvalidMultibulkLength {
		t.Fatalf("Error() = %q", r.Err().Error())
	}
	r.Reset()
	r.Feed([]byte("PING\r\n"))
	if cmds, e := drain(t, r); fmtCmds(cmds) != `["PING"]` || e != "" {
		t.Fatalf("after Reset: %s %q", fmtCmds(cmds), e)
	}
}

func TestReaderMaxBulkLen(t *testing.T) {
	r := NewReader()
	r.SetMaxBulkLen(1 << 20)
	if r.MaxBulkLen() != 1<<20 {
		t.Fatal(r.MaxBulkLen())
	}
	r.Feed([]byte("*1\r\n$1048576\r\n"))
	if _, e := drain(t, r); e != "" {
		t.Fatalf("at the limit: %q", e)
	}
	r = NewReader()
	r.SetMaxBulkLen(1 << 20)
	r.Feed([]byte("*1\r\n$1048577\r\n"))
	if _, e := drain(t, r); e != errReply(MsgInvalidBulkLength) {
		t.Fatalf("over the limit: %q", e)
	}
	// The master link is not bound by proto-max-bulk-len.
	r = NewReader()
	r.SetMaxBulkLen(1 << 20)
	r.SetMaster(true)
	r.Feed([]byte("*1\r\n$1048577\r\n"))
	if _, e := drain(t, r); e != "" {
		t.Fatalf("master over the limit: %q", e)
	}
	r.Feed([]byte("*1\r\n$9223372036854775807\r\n"))
	if _, e := drain(t, r); e != "" {
		t.Fatalf("master with a huge claim: %q", e)
	}
}

func TestReaderAuthRequired(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{"*10\r\n", ""},
		{"*11\r\n", errReply(MsgUnauthMultibulkLength)},
		{"*-100\r\n", ""},
		{"*1\r\n$16384\r\n", ""},
		{"*1\r\n$16385\r\n", errReply(MsgUnauthBulkLength)},
		{"*1\r\n$536870913\r\n", errReply(MsgInvalidBulkLength)}, // checked first
	}
	for _, tc := range tests {
		r := NewReader()
		r.SetAuthRequired(true)
		r.Feed([]byte(tc.in))
		if _, e := drain(t, r); e != tc.err {
			t.Errorf("%q: error %q, want %q", tc.in, e, tc.err)
		}
	}
	r := NewReader()
	r.SetAuthRequired(true)
	r.Feed([]byte("AUTH x\r\n"))
	drain(t, r)
	r.SetAuthRequired(false)
	r.Feed([]byte("*11\r\n"))
	if _, e := drain(t, r); e != "" {
		t.Fatalf("after auth: %q", e)
	}
}

func TestReaderMasterInline(t *testing.T) {
	r := NewReader()
	r.SetMaster(true)
	r.Feed([]byte("\r\n\n*1\r\n$4\r\nPING\r\nPING\r\n"))
	cmds, _ := drain(t, r)
	if fmtCmds(cmds) != `["PING"]` {
		t.Fatalf("commands %s", fmtCmds(cmds))
	}
	pe := r.Err()
	if pe == nil || !pe.NoReply || pe.Msg != "" || len(pe.AppendReply(nil)) != 0 {
		t.Fatalf("master inline: %+v", pe)
	}
	if !strings.Contains(pe.Error(), "Master using the inline protocol") {
		t.Fatalf("Error() = %q", pe.Error())
	}
}

func TestReaderPipelineAndEmptyCommands(t *testing.T) {
	in := "PING\r\nPING\n*1\r\n$4\r\nPING\r\n" + // mixed framing
		"\r\n\n   \r\n" + // blank inline lines are skipped
		"*0\r\n*-5\r\n" + // so are multibulks with count <= 0
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n" + // empty argument
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\x00b\r\n\r\n" + // binary payload
		"ECHO \"\" \r\n" + "\"\" \"\"\r\n" // empty inline arguments are kept
	want := `["PING"]["PING"]["PING"]["ECHO" ""]["SET" "k" "a\x00b\r\n"]["ECHO" ""]["" ""]`
	cmds, e := parseString(t, in)
	if got := fmtCmds(cmds); got != want || e != "" {
		t.Fatalf("got %s %q\nwant %s", got, e, want)
	}
}

// Redis skips the two bytes after a length line's \r and after a bulk
// payload without looking at them.
func TestReaderSkipsTerminatorsUnchecked(t *testing.T) {
	cmds, e := parseString(t, "*1\rX$4\r\nPINGxxPING\r\n")
	if got := fmtCmds(cmds); got != `["PING"]["PING"]` || e != "" {
		t.Fatalf("got %s %q", got, e)
	}
	// A NUL before a length line's \r hides it (strchr): Redis waits.
	for _, in := range []string{"*1\x00\r\n$4\r\nPING\r\n", "*1\r\n$4\x00\r\nPING\r\n", "ECHO a\x00b\r\nPING\r\n", "\x00PING\r\n"} {
		if cmds, e := parseString(t, in); len(cmds) != 0 || e != "" {
			t.Errorf("%q: got %s %q, want nothing", in, fmtCmds(cmds), e)
		}
	}
}

func TestReaderInline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SET a b\r\n", `["SET" "a" "b"]`},
		{"SET a b\n", `["SET" "a" "b"]`},
		{"  SET\t a \t b  \r\n", `["SET" "a" "b"]`},
		{"ECHO ab\r\r\n", `["ECHO" "ab"]`},
		{"ECHO a\rb\r\n", `["ECHO" "a" "b"]`},
		{"ECHO a\vb\r\n", `["ECHO" "a\vb"]`},
		{"ECHO\fa\r\n", `["ECHO\fa"]`},
		{"\vECHO a\r\n", `["ECHO" "a"]`},
		{`ECHO "a\x41\n" ` + "\r\n", `["ECHO" "aA\n"]`},
		{`ECHO "a\tb\bc\ad\re"` + "\r\n", `["ECHO" "a\tb\bc\ad\re"]`},
		{`ECHO "a\qb\\\""` + "\r\n", `["ECHO" "aqb\\\""]`},
		{`ECHO "\xZZ" "\x4" "\xfF"` + "\r\n", `["ECHO" "xZZ" "x4" "\xff"]`},
		{`ECHO 'a\'b' 'a\nb' 'a"b'` + "\r\n", `["ECHO" "a'b" "a\\nb" "a\"b"]`},
		{`ECHO a"b c" x'd e'` + "\r\n", `["ECHO" "ab c" "xd e"]`},
		{"ECHO \"a\"\vb\r\n", `["ECHO" "a" "b"]`},
		{"ECHO \"a b\"\r\n", `["ECHO" "a b"]`},
		{"ECHO \"a\r\nPING\r\n", ``}, // the \r is cut before splitting: unbalanced
	}
	for _, tc := range tests {
		cmds, e := parseString(t, tc.in)
		got := fmtCmds(cmds)
		if tc.want == "" {
			if e != errReply(MsgUnbalancedQuotes) {
				t.Errorf("%q: got %s %q, want unbalanced quotes", tc.in, got, e)
			}
			continue
		}
		if got != tc.want || e != "" {
			t.Errorf("%q: got %s %q, want %s", tc.in, got, e, tc.want)
		}
	}
}

// The limit on an inline line applies only while its newline is missing,
// after each read, as in Redis: a 70000-byte line arriving in 16 KiB reads
// is served, since 4 reads make exactly InlineMaxSize bytes, which is not
// over the limit.
func TestReaderInlineLimitDependsOnChunking(t *testing.T) {
	line := "ECHO " + strings.Repeat("a", 70000) + "\r\n"
	for _, chunk := range []int{len(line), IOBufLen, 1000} {
		r := NewReader()
		var cmds [][]string
		var e string
		for i := 0; i < len(line) && e == ""; i += chunk {
			r.Feed([]byte(line[i:min(i+chunk, len(line))]))
			var c [][]string
			c, e = drain(t, r)
			cmds = append(cmds, c...)
		}
		wantErr := chunk == 1000 // 66000 bytes buffered without a newline
		if wantErr {
			if e != errReply(MsgTooBigInline) {
				t.Errorf("chunk %d: error %q", chunk, e)
			}
		} else if e != "" || len(cmds) != 1 || len(cmds[0][1]) != 70000 {
			t.Errorf("chunk %d: %d commands, error %q", chunk, len(cmds), e)
		}
	}
}

const pipeline = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n" +
	"GET key\r\n" +
	"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n" +
	"\r\n" +
	"ECHO \"q\\x41 \" 'x\\'y'\n" +
	"*0\r\n" +
	"*2\r\n$3\r\nDEL\r\n$6\r\nk\r\n\x00yz\r\n" +
	"PING\r\n"

const pipelineWant = `["SET" "key" "value"]["GET" "key"]["ECHO" ""]["ECHO" "qA " "x'y"]["DEL" "k\r\n\x00yz"]["PING"]`

func TestReaderSplitAtEveryBoundary(t *testing.T) {
	if cmds, e := parseString(t, pipeline); fmtCmds(cmds) != pipelineWant || e != "" {
		t.Fatalf("whole: %s %q", fmtCmds(cmds), e)
	}
	// Two chunks, split at every byte.
	for i := 0; i <= len(pipeline); i++ {
		r := NewReader()
		r.Feed([]byte(pipeline[:i]))
		c1, e1 := drain(t, r)
		r.Feed([]byte(pipeline[i:]))
		c2, e2 := drain(t, r)
		if got := fmtCmds(append(c1, c2...)); got != pipelineWant || e1 != "" || e2 != "" {
			t.Fatalf("split at %d: %s %q %q", i, got, e1, e2)
		}
	}
	// Three chunks, split at every pair of bytes.
	for i := 0; i <= len(pipeline); i++ {
		for j := i; j <= len(pipeline); j++ {
			r := NewReader()
			var all [][]string
			for _, part := range []string{pipeline[:i], pipeline[i:j], pipeline[j:]} {
				r.Feed([]byte(part))
				c, e := drain(t, r)
				if e != "" {
					t.Fatalf("split at %d,%d: %q", i, j, e)
				}
				all = append(all, c...)
			}
			if got := fmtCmds(all); got != pipelineWant {
				t.Fatalf("split at %d,%d: %s", i, j, got)
			}
		}
	}
	// One byte at a time.
	r := NewReader()
	var all [][]string
	for i := 0; i < len(pipeline); i++ {
		r.Feed([]byte{pipeline[i]})
		c, e := drain(t, r)
		if e != "" {
			t.Fatalf("byte %d: %q", i, e)
		}
		all = append(all, c...)
	}
	if got := fmtCmds(all); got != pipelineWant {
		t.Fatalf("bytewise: %s", got)
	}
	if r.InProgress() || r.Buffered() != 0 {
		t.Fatalf("leftover: %v %d", r.InProgress(), r.Buffered())
	}
}

func TestReaderArgsAreClipped(t *testing.T) {
	r := NewReader()
	r.Feed([]byte("*2\r\n$1\r\na\r\n$1\r\nb\r\n"))
	args, ok, _ := r.Next()
	if !ok || len(args) != 2 {
		t.Fatal(args, ok)
	}
	_ = append(args[0], 'X', 'X', 'X', 'X')
	if string(args[1]) != "b" {
		t.Fatalf("append to an argument overwrote the next: %q", args[1])
	}
}

func TestReaderBufferedAndReadSize(t *testing.T) {
	r := NewReader()
	if r.NextReadSize() != IOBufLen {
		t.Fatal(r.NextReadSize())
	}
	r.Feed([]byte("*2\r\n$3\r\nSET\r\n$100000\r\nabc"))
	if _, ok, err := r.Next(); ok || err != nil {
		t.Fatal(ok, err)
	}
	if !r.InProgress() {
		t.Fatal("not in progress")
	}
	if got := r.Buffered(); got != 3 {
		t.Fatalf("Buffered = %d", got)
	}
	if got := r.NextReadSize(); got != 100000+2-3 {
		t.Fatalf("NextReadSize = %d", got)
	}
	r.SetMaster(true)
	r.Feed(bytes.Repeat([]byte("x"), 100000-3-10))
	if got := r.NextReadSize(); got != IOBufLen {
		t.Fatalf("master NextReadSize = %d", got)
	}
	r.Feed(bytes.Repeat([]byte("x"), 10))
	r.Feed([]byte("\r\n"))
	args, ok, err := r.Next()
	defer func() {
		m := NewReader()
		m.SetMaster(true)
		m.Feed([]byte("*1\r\n$9223372036854775807\r\n"))
		m.Next()
		if got := m.NextReadSize(); got != math.MaxInt32 {
			t.Errorf("NextReadSize for a huge claim = %d", got)
		}
	}()
	if !ok || err != nil || string(args[0]) != "SET" || len(args[1]) != 100000 || string(args[1][:3]) != "abc" {
		t.Fatalf("%v %v %d", ok, err, len(args))
	}
}

func TestString2ll(t *testing.T) {
	tests := []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"", 0, false}, {"-", 0, false}, {"+1", 0, false},
		{"-0", 0, false}, {"01", 0, false}, {"00", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1a", 0, false}, {"000000000000000000001", 0, false},
	}
	for _, tc := range tests {
		v, ok := rnum.ParseInt([]byte(tc.in))
		if v != tc.v || ok != tc.ok {
			t.Errorf("string2ll(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.v, tc.ok)
		}
	}
}

func TestReaderNextAllocations(t *testing.T) {
	in := []byte(strings.Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\nGET \"key\"\r\n", 64))
	r := NewReader()
	run := func() {
		r.Feed(in)
		for {
			_, ok, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocations per pipeline, want 0", n)
	}
}

// TestCountLineAgrees checks the fast path for count lines against what
// cIndexByte and rnum.ParseInt find, over short lines of the bytes that
// matter.
func TestCountLineAgrees(t *testing.T) {
	alphabet := []byte("$*0159\r\n-+ \x00")
	var walk func(line []byte)
	walk = func(line []byte) {
		if ll, nl := countLine(line); nl > 0 {
			want := cIndexByte(line, '\r')
			v, ok := rnum.ParseInt(line[1:max(want, 1)])
			if want != nl || want > len(line)-2 || !ok || v != ll {
				t.Fatalf("countLine(%q) = %d, %d; cIndexByte %d, ParseInt %d %v", line, ll, nl, want, v, ok)
			}
		}
		if len(line) == 6 {
			return
		}
		for _, c := range alphabet {
			walk(append(line, c))
		}
	}
	walk([]byte("$"))
	walk([]byte("*"))
	for _, s := range []string{"$1234567890\r\n", "*999999999\r\n", "$0\r\n", "$00\r\n", "$12\r"} {
		ll, nl := countLine([]byte(s))
		want := cIndexByte([]byte(s), '\r')
		v, ok := rnum.ParseInt([]byte(s)[1:want])
		if nl > 0 && (nl != want || !ok || v != ll) {
			t.Errorf("countLine(%q) = %d, %d", s, ll, nl)
		}
	}
}

// TestReaderRaw checks that Raw gives the bytes of each command when they
// are AppendCommand's encoding of its arguments, whatever the split of
// the stream, and nil when they are not.
func TestReaderRaw(t *testing.T) {
	canon := AppendCommand(nil, []byte("SET"), []byte("key:1"), []byte("xxxxxxxxxxxxxxxx"))
	canon = append(canon, "\r\n"...) // a replica's keepalive newline
	canon = AppendCommand(canon, []byte("PING"))
	canon = append(canon, "*0\r\n"...)
	canon = AppendCommand(canon, []byte("DEL"), bytes.Repeat([]byte("k"), 200))
	for split := 0; split <= len(canon); split++ {
		r := NewReader()
		var got [][]byte
		for _, part := range [][]byte{canon[:split], canon[split:]} {
			r.Feed(part)
			for {
				args, ok, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				raw := r.Raw()
				if want := AppendCommand(nil, args...); !bytes.Equal(raw, want) {
					t.Fatalf("split %d: Raw() = %q, want %q", split, raw, want)
				}
				got = append(got, raw)
			}
		}
		if len(got) != 3 {
			t.Fatalf("split %d: %d commands, want 3", split, len(got))
		}
	}
	for _, in := range []string{"*1\r\n$3\r\nGETxy", "*1\rx$3\r\nGET\r\n", "*1\r\n$3\rxGET\r\n", "GET k\r\n"} {
		r := NewReader()
		r.Feed([]byte(in))
		if _, ok, err := r.Next(); !ok || err != nil {
			t.Fatalf("%q: no command (%v)", in, err)
		}
		if raw := r.Raw(); raw != nil {
			t.Errorf("%q: Raw() = %q, want nil", in, raw)
		}
	}
}

// TestReaderRawOf checks that RawOf gives Raw for the slice Next returned
// and nil for any other, a copy included.
func TestReaderRawOf(t *testing.T) {
	r := NewReader()
	r.Feed(AppendCommand(nil, []byte("SET"), []byte("k"), []byte("v")))
	args, ok, err := r.Next()
	if !ok || err != nil {
		t.Fatalf("no command (%v)", err)
	}
	if raw := r.RawOf(args); !bytes.Equal(raw, AppendCommand(nil, args...)) {
		t.Errorf("RawOf(args) = %q", raw)
	}
	copied := append([][]byte(nil), args...)
	if raw := r.RawOf(copied); raw != nil {
		t.Errorf("RawOf(a copy) = %q, want nil", raw)
	}
	if raw := r.RawOf(args[:2]); raw != nil {
		t.Errorf("RawOf(a prefix) = %q, want nil", raw)
	}
	r.Feed([]byte("*1\r\n"))
	if raw := r.RawOf(args); raw != nil {
		t.Errorf("RawOf after Feed = %q, want nil", raw)
	}
}
