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

// node is one process of the run, a redis-server or a redis-sentinel: its
// address, its directory (data, with its configuration file and log beside
// it) and its current process.
type node struct {
	host, ip string
	port     int
	bin      string // redis-server or redis-sentinel
	confName string // redis.conf or sentinel.conf
	root     string // the node's directory: its configuration, its log, data/
	// origConf is a sentinel's configuration as the run wrote it: a
	// sentinel rewrites its file, and crash-wipe puts this one back.
	origConf string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has been reaped
	paused   bool
}

func (n *node) dataDir() string { return filepath.Join(n.root, "data") }
func (n *node) conf() string    { return filepath.Join(n.root, n.confName) }
func (n *node) what() string    { return filepath.Base(n.bin) + " for " + n.host }
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

// start runs the node's binary with its configuration file, in its data
// directory. The kernel kills it if the run dies without stopping it.
func (n *node) start() error {
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
	cmd := exec.Command(n.bin, n.conf())
	cmd.Dir = n.dataDir()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("starting %s: %w", n.what(), err)
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
			return fmt.Errorf("%s exited at start; see the log in %s", n.what(), n.root)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING within %v: %v", n.what(), within, err)
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

// signal sends SIGSTOP, SIGCONT or SIGTERM.
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

// wipe empties the data directory (a crash that loses the disk); a
// sentinel's configuration, which it rewrites with what it learnt, goes
// back to the one the run wrote, as a host provisioned again would have.
func (n *node) wipe() error {
	if err := os.RemoveAll(n.dataDir()); err != nil {
		return err
	}
	if n.origConf != "" {
		if err := os.WriteFile(n.conf(), []byte(n.origConf), 0o644); err != nil {
			return err
		}
	}
	return os.MkdirAll(n.dataDir(), 0o755)
}
