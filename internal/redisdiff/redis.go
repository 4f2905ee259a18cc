package redisdiff

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/freeport"
)

// OracleVersion is the release the node follows: the differential tests
// compare against a redis-server of this series and no other.
const OracleVersion = "7.0."

// findOracle looks for the oracle: the path of a redis-server of the
// OracleVersion series, or why there is none. version runs `bin --version`.
func findOracle(lookPath func(string) (string, error), version func(bin string) (string, error)) (bin, problem string) {
	bin, err := lookPath("redis-server")
	if err != nil {
		return "", "redis-server not found on PATH; install it (apt-get install redis-server) to run the differential tests"
	}
	out, err := version(bin)
	if err != nil {
		return "", fmt.Sprintf("%s --version failed: %v", bin, err)
	}
	if !strings.Contains(out, "v="+OracleVersion) {
		return "", fmt.Sprintf("%s is %s; the differential tests need Redis %sx (Debian 12's redis-server)", bin, strings.TrimSpace(out), OracleVersion)
	}
	return bin, ""
}

func serverVersion(bin string) (string, error) {
	out, err := exec.Command(bin, "--version").Output()
	return string(out), err
}

// StartRedis starts a real redis-server from PATH on a free loopback port,
// with persistence off and its files in a temporary directory, waits until
// it answers PING and returns its address; the server is stopped when the
// test ends. Without a redis-server 7.0.x the test is skipped, or fails
// when CI=true: CI must not pass by skipping its oracle.
func StartRedis(t testing.TB) string {
	t.Helper()
	return StartRedisIn(t, t.TempDir())
}

// StartRedisIn is StartRedis with the server's files in dir, which may
// hold a dump.rdb for it to load at boot; extra are more command-line
// options, after the defaults (so they override them), as
// "--enable-debug-command", "yes".
func StartRedisIn(t testing.TB, dir string, extra ...string) string {
	t.Helper()
	bin := oracleBin(t)
	// The free port is found by binding and releasing it, so another
	// process may take it first: then redis-server exits and we retry.
	var lastErr string
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redisdiff: finding a free port: %v", err)
		}
		p, out, err := launchOracle(bin, port, dir, extra)
		if err != nil {
			t.Fatalf("redisdiff: %v", err)
		}
		if p != nil {
			t.Cleanup(p.stop)
			return p.addr
		}
		lastErr = out
	}
	t.Fatalf("redisdiff: redis-server did not start; its output:\n%s", lastErr)
	return ""
}

// oracleBin returns the path of the oracle, or skips the test (fails it
// under CI=true) when there is none.
func oracleBin(t testing.TB) string {
	t.Helper()
	bin, problem := findOracle(exec.LookPath, serverVersion)
	if problem != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", problem)
		}
		t.Skip(problem)
	}
	return bin
}

// oracleProc is one running redis-server.
type oracleProc struct {
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
	out    *lockedBuffer
}

// launchOracle starts bin on port with its files in dir and waits until
// it answers PING. A server that exits first (the port was taken) gives
// a nil process and its output; err is for a binary that cannot start.
func launchOracle(bin string, port int, dir string, extra []string) (*oracleProc, string, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--loglevel", "warning",
		"--logfile", "",
		"--databases", "16",
		// The node allows DEBUG (scenarios use DEBUG SLEEP and DIGEST).
		"--enable-debug-command", "yes",
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.SysProcAttr = oracleProcAttr()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting %s: %v", bin, err)
	}
	p := &oracleProc{addr: addr, cmd: cmd, exited: make(chan struct{}), out: out}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	// The PONG must be this process's: another test binary's server can
	// hold the port while this one fails to bind it.
	if waitPing(addr, p.exited) && servedBy(addr, cmd.Process.Pid) {
		return p, "", nil
	}
	_ = cmd.Process.Kill()
	<-p.exited
	return nil, out.String(), nil
}

// servedBy reports whether the server at addr is process pid (INFO's
// process_id).
func servedBy(addr string, pid int) bool {
	c, err := Dial(addr)
	if err != nil {
		return false
	}
	defer func() { _ = c.nc.Close() }()
	reply, err := c.DoStrings("INFO", "server")
	return err == nil && strings.Contains(string(reply), "\r\nprocess_id:"+strconv.Itoa(pid)+"\r\n")
}

// stop ends the server with SIGTERM, or SIGKILL if it is still there five
// seconds later; a server that already exited is left as it is.
func (p *oracleProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitPing reports whether the server at addr answers PING within five
// seconds, giving up early if its process exits.
func waitPing(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := Dial(addr); err == nil {
			reply, err := c.DoStrings("PING")
			_ = c.nc.Close()
			if err == nil && string(reply) == "+PONG\r\n" {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) { return freeport.Port() }

// lockedBuffer collects a child process's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
