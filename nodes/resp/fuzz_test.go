package resp

import (
	"bytes"
	"testing"
)

// readerRun is what a Reader made of an input: the commands (copied) and
// the error reply.
type readerRun struct {
	cmds [][][]byte
	err  string
}

func (a readerRun) equal(b readerRun) bool {
	if a.err != b.err || len(a.cmds) != len(b.cmds) {
		return false
	}
	for i := range a.cmds {
		if !argsEqual(a.cmds[i], b.cmds[i]) {
			return false
		}
	}
	return true
}

func argsEqual(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// runReader feeds the chunks one after the other, draining after each.
func runReader(t *testing.T, chunks ...[]byte) readerRun {
	var run readerRun
	r := NewReader()
	for _, c := range chunks {
		r.Feed(c)
		for {
			args, ok, err := r.Next()
			if err != nil {
				pe := err.(*ProtocolError)
				run.err = string(pe.AppendReply(nil))
				if _, _, again := r.Next(); again != err {
					t.Fatalf("error not sticky: %v then %v", err, again)
				}
				return run
			}
			if !ok {
				break
			}
			if len(args) == 0 {
				t.Fatal("empty command returned")
			}
			cp := make([][]byte, len(args))
			for i, a := range args {
				if cap(a) != len(a) {
					t.Fatalf("argument %d not clipped", i)
				}
				cp[i] = append([]byte{}, a...)
			}
			run.cmds = append(run.cmds, cp)
		}
		if r.Buffered() < 0 {
			t.Fatal("negative Buffered")
		}
	}
	return run
}

// FuzzReader checks the request parser: it never panics; a command it
// parses, re-encoded as multibulk, parses back to the same arguments; and
// the split of the input into Feeds does not change the outcome (for inputs
// within InlineMaxSize, where no size limit depends on the split).
func FuzzReader(f *testing.F) {
	f.Add([]byte(pipeline))
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n"))
	f.Add([]byte("ECHO \"a\\x41\\n\" 'b\\'c'\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := runReader(t, data)
		for _, cmd := range whole.cmds {
			again := runReader(t, AppendCommand(nil, cmd...))
			if again.err != "" || len(again.cmds) != 1 || !argsEqual(again.cmds[0], cmd) {
				t.Fatalf("re-encoded %q parsed as %q, %q", cmd, again.cmds, again.err)
			}
		}
		if len(data) > InlineMaxSize {
			return
		}
		n := len(data)
		for _, cut := range [][2]int{{n / 3, 2 * n / 3}, {1, n - 1}, {n / 2, n / 2}} {
			if cut[0] > n || cut[1] > n || cut[0] < 0 || cut[1] < cut[0] {
				continue
			}
			split := runReader(t, data[:cut[0]], data[cut[0]:cut[1]], data[cut[1]:])
			if !split.equal(whole) {
				t.Fatalf("split at %v: %q %q; whole: %q %q", cut, split.cmds, split.err, whole.cmds, whole.err)
			}
		}
		if n <= 256 {
			chunks := make([][]byte, n)
			for i := range data {
				chunks[i] = data[i : i+1]
			}
			if bytewise := runReader(t, chunks...); !bytewise.equal(whole) {
				t.Fatalf("bytewise: %q %q; whole: %q %q", bytewise.cmds, bytewise.err, whole.cmds, whole.err)
			}
		}
	})
}

// FuzzReplyReader checks the reply parser: it never panics; the split of
// the input does not change the outcome; and a parsed Value re-encodes to
// bytes that parse back to an equal Value and re-encode identically.
func FuzzReplyReader(f *testing.F) {
	f.Add([]byte("+OK\r\n-ERR x\r\n:1\r\n$3\r\nabc\r\n*2\r\n$-1\r\n*-1\r\n"))
	f.Add([]byte("%1\r\n+k\r\n~2\r\n,1.5\r\n#t\r\n>1\r\n(12\r\n=8\r\ntxt:abcd\r\n_\r\n!3\r\nERR\r\n"))
	f.Add([]byte("|1\r\n+a\r\n+b\r\n*1\r\n|0\r\n:1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, err := readAll(t, data)
		n := len(data)
		// Split anywhere, the same Values; a reusing reader lends the same
		// Values too (cloned before the next Next).
		for _, reader := range []struct {
			name string
			read func(testing.TB, ...[]byte) ([]Value, error)
		}{{"copying", readAll}, {"reusing", readAllReuse}} {
			for _, cut := range []int{n, n / 2, 1, n - 1} {
				if cut < 0 || cut > n {
					continue
				}
				got, err2 := reader.read(t, data[:cut], data[cut:])
				if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || len(got) != len(vals) {
					t.Fatalf("%s, split at %d: %d values, %v; whole: %d values, %v", reader.name, cut, len(got), err2, len(vals), err)
				}
				for i := range got {
					if !valueEqual(got[i], vals[i]) {
						t.Fatalf("%s, split at %d: value %d is %s, want %s", reader.name, cut, i, got[i], vals[i])
					}
				}
			}
		}
		// Next builds the common scalars without the parser (scalar): the
		// parser, reading the same stream, builds the same Values.
		p := parser{buf: data, maxDepth: DefaultReplyMaxDepth + 1}
		for i := range vals {
			if w, err := p.value(0); err != nil || !valueEqual(w, vals[i]) {
				t.Fatalf("value %d is %s, the parser's %s (%v)", i, vals[i], w, err)
			}
		}
		for _, v := range vals {
			enc := AppendValue(nil, v)
			back, err := readAll(t, enc)
			if err != nil || len(back) != 1 || !valueEqual(back[0], v) {
				t.Fatalf("%s re-encoded as %q parsed back as %v, %v", v, enc, back, err)
			}
			if enc2 := AppendValue(nil, back[0]); !bytes.Equal(enc2, enc) {
				t.Fatalf("re-encoding not stable: %q then %q", enc, enc2)
			}
		}
	})
}
