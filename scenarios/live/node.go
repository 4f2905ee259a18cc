package live

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// node is one redis-server of the run: its address, its directory (data,
// with redis.conf and the log beside it) and its current process.
type node struct {
	host, ip string
	port     int
	root     string // the node's directory: redis.conf, redis.log, data/
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has been reaped
	paused   bool
}

func (n *node) dataDir() string { return filepath.Join(n.root, "data") }
func (n *node) conf() string    { return filepath.Join(n.root, "redis.conf") }
func (n *node) up() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// start runs redis-server with the node's redis.conf, in its data
// directory. The kernel kills it if the run dies without stopping it.
func (n *node) start(bin string) error {
	if n.up() {
		return nil
	}
	if err := os.MkdirAll(n.dataDir(), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(n.root, "stdout.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, n.conf())
	cmd.Dir = n.dataDir()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("starting redis-server for %s: %w", n.host, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		out.Close()
		close(exited)
	}()
	n.cmd, n.exited, n.paused = cmd, exited, false
	return nil
}

// waitReady waits until the node answers PING (not -LOADING).
func (n *node) waitReady(from string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		_, err := command(from, n.ip, n.port, "PING")
		if err == nil {
			return nil
		}
		if !n.up() {
			return fmt.Errorf("redis-server for %s exited at start; see %s", n.host, filepath.Join(n.root, "redis.log"))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server for %s did not answer PING within %v: %v", n.host, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL and reaps the process, so that a restart finds the
// port free.
func (n *node) kill() {
	if !n.up() {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
	}
	n.paused = false
}

// signal sends SIGSTOP or SIGCONT.
func (n *node) signal(sig syscall.Signal) error {
	if !n.up() {
		return errors.New("the node is down")
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		return err
	}
	n.paused = sig == syscall.SIGSTOP
	return nil
}

// wipe empties the data directory (a crash that loses the disk).
func (n *node) wipe() error {
	if err := os.RemoveAll(n.dataDir()); err != nil {
		return err
	}
	return os.MkdirAll(n.dataDir(), 0o755)
}
