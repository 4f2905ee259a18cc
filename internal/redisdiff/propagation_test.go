package redisdiff

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// barrierKey is the key the propagation test INCRs after each step: its
// INCR in a replication stream marks the end of what the step propagated.
const barrierKey = "redisdiff:barrier"

// replStream is a replica's view of a server: a raw connection that sent
// PSYNC ? -1, read past the snapshot, and now reads the commands the
// server propagates.
type replStream struct {
	nc net.Conn
	br *bufio.Reader
	rd *resp.Reader
}

// openReplStream connects to addr as a replica. The server must have
// repl-diskless-sync-delay 0. Both snapshot forms are read: $<len> with
// the RDB (disk-based, the node's) and $EOF:<mark> (diskless).
func openReplStream(t testing.TB, addr string) *replStream {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ReplyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	rs := &replStream{nc: nc, br: bufio.NewReader(nc), rd: resp.NewReader()}
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write(resp.AppendCommandStrings(nil, "PSYNC", "?", "-1")); err != nil {
		t.Fatal(err)
	}
	line := rs.line(t)
	for line == "" {
		line = rs.line(t)
	}
	if !strings.HasPrefix(line, "+FULLRESYNC ") {
		t.Fatalf("%s: PSYNC ? -1 replied %q", addr, line)
	}
	line = rs.line(t)
	for line == "" {
		line = rs.line(t)
	}
	switch {
	case strings.HasPrefix(line, "$EOF:"):
		mark := []byte(line[5:])
		var tail []byte
		for !bytes.HasSuffix(tail, mark) {
			b, err := rs.br.ReadByte()
			if err != nil {
				t.Fatalf("%s: reading the snapshot: %v", addr, err)
			}
			tail = append(tail, b)
			if len(tail) > 4*len(mark) {
				tail = tail[len(tail)-len(mark):]
			}
		}
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			t.Fatalf("%s: snapshot header %q", addr, line)
		}
		if _, err := io.CopyN(io.Discard, rs.br, int64(n)); err != nil {
			t.Fatalf("%s: reading the snapshot: %v", addr, err)
		}
	default:
		t.Fatalf("%s: snapshot header %q", addr, line)
	}
	return rs
}

// line reads one line without its \r\n (a bare \n is an empty line).
func (rs *replStream) line(t testing.TB) string {
	t.Helper()
	s, err := rs.br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the replication stream: %v", err)
	}
	return strings.TrimRight(s, "\r\n")
}

// until reads commands until the INCR of the barrier key and returns
// those before it, without the PINGs and REPLCONFs of the link.
func (rs *replStream) until(t testing.TB) []string {
	t.Helper()
	_ = rs.nc.SetReadDeadline(time.Now().Add(ReplyTimeout))
	var out []string
	buf := make([]byte, 4096)
	for {
		args, ok, err := rs.rd.Next()
		if err != nil {
			t.Fatalf("the replication stream: %v", err)
		}
		if !ok {
			n, err := rs.br.Read(buf)
			if err != nil {
				t.Fatalf("the replication stream: %v (so far %q)", err, out)
			}
			rs.rd.Feed(buf[:n])
			continue
		}
		name := strings.ToUpper(string(args[0]))
		if name == "PING" || name == "REPLCONF" {
			continue
		}
		strs := make([]string, len(args))
		for i, a := range args {
			strs[i] = string(a)
		}
		if name == "INCR" && len(args) == 2 && string(args[1]) == barrierKey {
			return out
		}
		out = append(out, commandText(strs))
	}
}

// TestPropagation: what each command of testdata/propagation/*.txt sends
// to a replica (and so to the AOF) is what redis-server 7.0.15 sends, as
// a replica sees it: each step's commands are compared once the step's
// replies are.
func TestPropagation(t *testing.T) {
	t.Parallel() // its own servers; see TestScripts
	want, got := sides(t)
	files, err := filepath.Glob(filepath.Join("testdata", "propagation", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/propagation: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			steps, err := parseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s := NewSession(t, want, got)
			defer s.Close()
			var streams [2]*replStream
			for i, side := range []Side{want, got} {
				c := dialTest(t, side.Addr)
				if r, err := c.DoStrings("CONFIG", "SET", "repl-diskless-sync-delay", "0"); err != nil || string(r) != "+OK\r\n" {
					t.Fatalf("%s: CONFIG SET repl-diskless-sync-delay 0: %q %v", side.Name, r, err)
				}
				streams[i] = openReplStream(t, side.Addr)
			}
			barrier := [2]*Conn{dialTest(t, want.Addr), dialTest(t, got.Addr)}
			for i := range streams {
				// Skip what a previous test or the FLUSHALL left.
				if _, err := barrier[i].DoStrings("INCR", barrierKey); err != nil {
					t.Fatal(err)
				}
				streams[i].until(t)
			}
			s.afterStep = func(t testing.TB, st *step) {
				var prop [2][]string
				for i := range streams {
					if _, err := barrier[i].DoStrings("INCR", barrierKey); err != nil {
						t.Fatal(err)
					}
					prop[i] = streams[i].until(t)
				}
				w, g := strings.Join(prop[0], "\n\t\t"), strings.Join(prop[1], "\n\t\t")
				if !samePropagation(prop[0], prop[1]) {
					t.Errorf("%s: %s propagated\n\t%s:\n\t\t%s\n\t%s:\n\t\t%s", st.pos, st.text(), want.Name, w, got.Name, g)
				}
			}
			s.run(t, steps, *flagTrace)
		})
	}
}

// samePropagation compares two propagated command lists line by line,
// letting times read from each server's clock differ by up to five
// seconds (a loaded machine stalls one server for seconds):
// the delivery time that XCLAIM carries (TIME ms), and an absolute expiry
// within a minute of now, which a relative one (SET k v PX 1) became on
// each server in whatever millisecond it ran. Times a script gives
// absolutely (2000000000000, 1) are far from now and must be equal.
func samePropagation(want, got []string) bool {
	now := time.Now().UnixMilli()
	return sameCommands(want, got, func(w, g []string, j int) bool {
		a, errA := strconv.ParseInt(w[j], 10, 64)
		b, errB := strconv.ParseInt(g[j], 10, 64)
		if errA != nil || errB != nil || a-b > 5000 || b-a > 5000 || j == 0 {
			return false
		}
		if strings.EqualFold(w[0], "XCLAIM") && strings.EqualFold(w[j-1], "TIME") {
			return true
		}
		near := func(t int64) bool { return t > now-60_000 && t < now+60_000 }
		expiry := strings.EqualFold(w[j-1], "PXAT") || (strings.EqualFold(w[0], "PEXPIREAT") && j == 2)
		return expiry && near(a) && near(b)
	})
}

// sameCommands compares two lists of commands (as commandText writes
// them) line by line and, in lines that differ, argument by argument:
// sameArg decides for argument j of two commands of as many arguments
// whose j-th arguments differ.
func sameCommands(want, got []string, sameArg func(w, g []string, j int) bool) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] == got[i] {
			continue
		}
		w, g := strings.Fields(want[i]), strings.Fields(got[i])
		if len(w) != len(g) {
			return false
		}
		for j := range w {
			if w[j] != g[j] && !sameArg(w, g, j) {
				return false
			}
		}
	}
	return true
}
