package acl

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/nodes/resp"
)

// server is a real redis-server 7.0.x spoken to over one raw connection,
// so that replies compare byte for byte with the package's.
type server struct {
	t    *testing.T
	conn net.Conn
	rd   *resp.ReplyReader
	buf  []byte
}

// startServer starts redis-server on a free port (skipping the test when
// there is none, failing under CI=true) and stops it at the test's end.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	problem := ""
	if err != nil {
		problem = "redis-server not found on PATH; install it (apt-get install redis-server) to run the differential tests"
	} else if out, err := exec.Command(bin, "--version").Output(); err != nil {
		problem = bin + " --version failed: " + err.Error()
	} else if !strings.Contains(string(out), "v=7.0.") {
		problem = bin + " is " + strings.TrimSpace(string(out)) + "; the differential tests need Redis 7.0.x"
	}
	if problem != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", problem)
		}
		t.Skip(problem)
	}
	dir := t.TempDir()
	for range 5 {
		port, err := freeport.Port()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--loglevel", "warning", "--logfile", ""}, extra...)
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if conn := dialWhenUp(port, exited); conn != nil {
			t.Cleanup(func() {
				_ = conn.Close()
				_ = cmd.Process.Kill()
				<-exited
			})
			return &server{t: t, conn: conn, rd: resp.NewReplyReader()}
		}
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("redis-server did not start")
	return nil
}

func dialWhenUp(port int, exited <-chan struct{}) net.Conn {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil
		default:
		}
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return c
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// do sends args and returns the reply.
func (s *server) do(args ...[]byte) resp.Value {
	s.t.Helper()
	s.buf = resp.AppendCommand(s.buf[:0], args...)
	if _, err := s.conn.Write(s.buf); err != nil {
		s.t.Fatalf("writing to redis-server: %v", err)
	}
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var tmp [1 << 16]byte
	for {
		v, ok, err := s.rd.Next()
		if err != nil {
			s.t.Fatalf("reading redis-server's reply: %v", err)
		}
		if ok {
			return v
		}
		n, err := s.conn.Read(tmp[:])
		if err != nil {
			s.t.Fatalf("reading from redis-server: %v", err)
		}
		s.rd.Feed(tmp[:n])
	}
}

func (s *server) doStrings(args ...string) resp.Value {
	s.t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return s.do(b...)
}

// encode renders r as RESP2 bytes through *resp.Writer and parses them
// back, so the package's replies compare with the server's as values.
func encode(t *testing.T, r Reply) resp.Value {
	t.Helper()
	w := resp.NewWriter(2)
	r.Write(w)
	rd := resp.NewReplyReader()
	rd.Feed(w.Bytes())
	v, ok, err := rd.Next()
	if err != nil || !ok || rd.Buffered() != 0 {
		t.Fatalf("reply %+v encodes to bad RESP %q: %v", r, w.Bytes(), err)
	}
	return v
}

// tableFromServer builds the command table from the server's COMMAND
// reply, with each command's arity and key-spec facts for DRYRUN.
func tableFromServer(s *server) (*Table, map[string]serverCmd) {
	s.t.Helper()
	v := s.doStrings("COMMAND")
	info := map[string]serverCmd{}
	var specs []CommandSpec
	for _, c := range v.Elems {
		specs = append(specs, commandSpec(s.t, c, "", info))
	}
	t, err := NewTable(specs)
	if err != nil {
		s.t.Fatalf("NewTable: %v", err)
	}
	return t, info
}

// serverCmd is what DRYRUN's resolution needs of a command.
type serverCmd struct {
	arity   int
	hasKeys bool
}

func commandSpec(t *testing.T, c resp.Value, parent string, info map[string]serverCmd) CommandSpec {
	full := string(c.Elems[0].Str)
	name := full
	if parent != "" {
		name = strings.TrimPrefix(full, parent+"|")
	}
	var cats []string
	for _, e := range c.Elems[6].Elems {
		cats = append(cats, string(e.Str))
	}
	cs, err := ParseCategories(cats)
	if err != nil {
		t.Fatalf("%s: %v", full, err)
	}
	sc := serverCmd{arity: int(c.Elems[1].Int)}
	spec := CommandSpec{Name: name, Categories: cs}
	for _, f := range c.Elems[2].Elems {
		switch string(f.Str) {
		case "no_auth":
			spec.NoAuth = true
		case "movablekeys":
			sc.hasKeys = true
		}
	}
	for _, ks := range c.Elems[8].Elems {
		notKey := false
		for i := 0; i+1 < len(ks.Elems); i += 2 {
			if string(ks.Elems[i].Str) == "flags" {
				for _, f := range ks.Elems[i+1].Elems {
					if bytes.EqualFold(f.Str, []byte("not_key")) {
						notKey = true
					}
				}
			}
		}
		if !notKey {
			sc.hasKeys = true
		}
	}
	info[full] = sc
	for _, sub := range c.Elems[9].Elems {
		spec.Subcommands = append(spec.Subcommands, commandSpec(t, sub, full, info))
	}
	return spec
}
