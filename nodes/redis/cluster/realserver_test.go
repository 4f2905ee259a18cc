package cluster_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/internal/redisdiff"
)

// realNode is a real cluster-enabled redis-server started for a test.
type realNode struct {
	addr    string
	port    int
	busPort int
	dir     string
	conn    *redisdiff.Conn
}

// startRealNode starts a cluster-enabled redis-server 7.0 (skipped without
// one, failed under CI=true) and stops it when the test ends. Its bus port
// is chosen free and passed as cluster-port, since port+10000 may not exist
// above port 55535.
func startRealNode(t *testing.T, extra ...string) *realNode {
	t.Helper()
	dir := t.TempDir()
	busPort := freePort(t)
	args := append([]string{
		"--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
		"--cluster-port", strconv.Itoa(busPort),
	}, extra...)
	addr := redisdiff.StartRedisIn(t, dir, args...)
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	c, err := redisdiff.Dial(addr)
	if err != nil {
		t.Fatalf("connecting to %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &realNode{addr: addr, port: port, busPort: busPort, dir: dir, conn: c}
}

func freePort(t *testing.T) int {
	t.Helper()
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// do runs a command and returns its reply decoded enough for these tests:
// a status, an integer or a bulk string's content; an error reply fails.
func (n *realNode) do(t *testing.T, args ...string) string {
	t.Helper()
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	raw, err := n.conn.Do(bs...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return decodeReply(t, args, raw)
}

func decodeReply(t *testing.T, args any, raw []byte) string {
	t.Helper()
	switch raw[0] {
	case '+', ':':
		return string(raw[1 : len(raw)-2])
	case '$':
		i := bytes.IndexByte(raw, '\n')
		return string(raw[i+1 : len(raw)-2])
	}
	t.Fatalf("%v: reply %q", args, raw)
	return ""
}

func (n *realNode) myID(t *testing.T) string { return n.do(t, "CLUSTER", "MYID") }

// waitFor polls cond every 20 ms for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// runWithConfig starts redis-server on a nodes.conf holding conf and
// reports whether it loads it (answers CLUSTER MYID, which it returns) or
// exits (with its output).
// The process is always killed before returning.
func runWithConfig(t *testing.T, conf []byte) (loaded bool, myID, output string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal(err) // the caller has already started a real node
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nodes.conf"), conf, 0o644); err != nil {
		t.Fatal(err)
	}
	port, busPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
		"--cluster-port", strconv.Itoa(busPort), "--logfile", "", "--loglevel", "notice")
	// The log goes to a file, read once the process has exited.
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}()
	logText := func() string {
		<-exited
		b, _ := os.ReadFile(logf.Name())
		return string(b)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			return false, "", logText()
		default:
		}
		c, err := redisdiff.Dial(addr)
		if err != nil {
			continue
		}
		raw, err := c.DoStrings("CLUSTER", "MYID")
		_ = c.Close()
		if err == nil && raw[0] == '$' {
			return true, decodeReply(t, "CLUSTER MYID", raw), ""
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	t.Fatalf("redis-server neither loaded nor refused its nodes.conf in 5 s:\n%s", logText())
	return false, "", ""
}
