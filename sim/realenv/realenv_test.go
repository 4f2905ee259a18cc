package realenv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redsim/redsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type nodeFunc func()

func (f nodeFunc) Stop() { f() }

func newLoop(t testing.TB) (*Loop, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	l, err := New(Config{Name: "n1", Host: "h1", Dir: t.TempDir(), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	return l, &log
}

// run runs l until body's node calls Exit, failing after a bound.
func run(t *testing.T, l *Loop) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := l.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

type echo struct{ closed chan error }

func (e *echo) OnOpen(sim.Conn)               {}
func (e *echo) OnData(c sim.Conn, p []byte)   { c.Write(p) }
func (e *echo) OnClose(c sim.Conn, err error) { e.closed <- err }

func TestEcho(t *testing.T) {
	l, _ := newLoop(t)
	e := &echo{closed: make(chan error, 1)}
	if err := l.Start(func(env sim.Env) sim.Node {
		if err := env.Listen(0, func(sim.Conn) sim.ConnHandler { return e }); err != nil {
			t.Error(err)
		}
		return nodeFunc(func() {})
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()

	nc, err := net.Dial("tcp", l.Addr(0))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("PING hello\r\n")
	if _, err := nc.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	_ = nc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(nc, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo = %q, %v", got, err)
	}
	nc.Close()
	select {
	case err := <-e.closed:
		if err != nil {
			t.Fatalf("OnClose(%v), want nil", err)
		}
	case <-time.After(time.Second):
		t.Fatal("no OnClose")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type dialer struct {
	env    sim.Env
	opened bool
	err    error
}

func (d *dialer) OnOpen(sim.Conn)             { d.opened = true }
func (d *dialer) OnData(sim.Conn, []byte)     {}
func (d *dialer) OnClose(_ sim.Conn, e error) { d.err = e; d.env.Exit() }

func TestDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	l, _ := newLoop(t)
	d := &dialer{env: l}
	l.Start(func(env sim.Env) sim.Node {
		env.Dial(addr, time.Second, d)
		return nodeFunc(func() {})
	})
	run(t, l)
	if d.opened || !errors.Is(d.err, sim.ErrRefused) {
		t.Fatalf("opened=%v err=%v, want ErrRefused", d.opened, d.err)
	}
}

// TestDialWriteBeforeOpen dials a plain listener, writes before the open and
// closes: the peer gets the data then EOF, and the dialer sees no OnClose.
func TestDialWriteBeforeOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer nc.Close()
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(nc)
		got <- b
	}()
	l, _ := newLoop(t)
	d := &dialer{env: l}
	var b []byte
	l.Start(func(env sim.Env) sim.Node {
		c := env.Dial(ln.Addr().String(), time.Second, d)
		c.Write([]byte("hello "))
		c.Write([]byte("world"))
		c.Close()
		// The loop runs until the peer has read to the end: an exit
		// before the dial completes would cancel it.
		var poll func()
		poll = func() {
			select {
			case b = <-got:
				env.Exit()
			default:
				env.After(10*time.Millisecond, poll)
			}
		}
		env.After(10*time.Millisecond, poll)
		return nodeFunc(func() {})
	})
	run(t, l)
	if string(b) != "hello world" {
		t.Fatalf("peer got %q", b)
	}
	if d.opened || d.err != nil {
		t.Fatalf("own Close: opened=%v err=%v", d.opened, d.err)
	}
}

func TestDisk(t *testing.T) {
	l, _ := newLoop(t)
	var syncErr error = errors.New("not run")
	l.Start(func(env sim.Env) sim.Node {
		d := env.Disk()
		must := func(err error) {
			if err != nil {
				t.Error(err)
			}
		}
		must(d.Write("b.rdb", []byte("snap")))
		must(d.Append("a.aof", []byte("set k v\n")))
		must(d.Append("a.aof", []byte("del k\n")))
		if b, err := d.Read("a.aof"); err != nil || string(b) != "set k v\ndel k\n" {
			t.Errorf("Read = %q, %v", b, err)
		}
		must(d.Truncate("a.aof", 8))
		if n, err := d.Size("a.aof"); err != nil || n != 8 {
			t.Errorf("Size = %d, %v", n, err)
		}
		must(d.Rename("b.rdb", "c.rdb"))
		if got := d.List(); !slices.Equal(got, []string{"a.aof", "c.rdb"}) {
			t.Errorf("List = %v", got)
		}
		must(d.Remove("c.rdb"))
		if _, err := d.Read("c.rdb"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Read removed = %v", err)
		}
		if err := d.Write("../x", nil); err == nil {
			t.Error("Write ../x succeeded")
		}
		// One directory level, as the AOF's appendonlydir, is created on
		// the first write into it.
		must(d.Append("dir/d.aof", []byte("x")))
		must(d.Rename("a.aof", "dir/a.aof"))
		if got := d.List(); !slices.Equal(got, []string{"dir/a.aof", "dir/d.aof"}) {
			t.Errorf("List with a subdirectory = %v", got)
		}
		must(d.Rename("dir/a.aof", "a.aof"))
		must(d.Remove("dir/d.aof"))
		for _, bad := range []string{"a/b/c", "/x", "x/", "../x/y", "x/.."} {
			if err := d.Write(bad, nil); err == nil {
				t.Errorf("Write %q succeeded", bad)
			}
		}
		d.Sync("a.aof", func(err error) { syncErr = err; env.Exit() })
		return nodeFunc(func() {})
	})
	run(t, l)
	if syncErr != nil {
		t.Fatalf("Sync: %v", syncErr)
	}
}

// TestCancelStops: ctx cancellation calls Stop, which can still write to an
// open connection; goleak (TestMain) checks that nothing is left running.
func TestCancelStops(t *testing.T) {
	l, _ := newLoop(t)
	stopped := false
	var conns []sim.Conn
	l.Start(func(env sim.Env) sim.Node {
		env.Listen(0, func(c sim.Conn) sim.ConnHandler {
			conns = append(conns, c)
			return &echo{closed: make(chan error, 1)}
		})
		env.After(time.Hour, func() {})
		return nodeFunc(func() {
			stopped = true
			for _, c := range conns {
				c.Write([]byte("bye\n"))
			}
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	nc, err := net.Dial("tcp", l.Addr(0))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte("x")); err != nil { // wait for the accept
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(nc, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !stopped {
		t.Fatal("Stop not called")
	}
	b, _ := io.ReadAll(nc)
	if string(b) != "bye\n" {
		t.Fatalf("after stop peer got %q", b)
	}
}

// terminator exits a moment after SIGTERM.
type terminator struct {
	env   sim.Env
	terms int
}

func (n *terminator) Stop() {}
func (n *terminator) Terminate() {
	n.terms++
	n.env.After(50*time.Millisecond, n.env.Exit)
}

// TestTerminate: Terminate tells a sim.Terminator, and Run returns when it
// exits; a node that is not one stops at once.
func TestTerminate(t *testing.T) {
	l, _ := newLoop(t)
	var n *terminator
	l.Start(func(env sim.Env) sim.Node { n = &terminator{env: env}; return n })
	began := time.Now()
	l.Terminate()
	run(t, l)
	if n.terms != 1 || time.Since(began) < 50*time.Millisecond {
		t.Errorf("Terminate: %d calls, Run returned after %v", n.terms, time.Since(began))
	}

	l, _ = newLoop(t)
	stopped := false
	l.Start(func(env sim.Env) sim.Node { return nodeFunc(func() { stopped = true }) })
	l.Terminate()
	run(t, l)
	if !stopped {
		t.Error("a plain node was not stopped")
	}
}

// interrupter gives up at its second SIGINT, as Redis does.
type interrupter struct {
	terminator
	asked bool
}

func (n *interrupter) Interrupt() bool {
	if n.asked {
		n.env.Exit()
		return true
	}
	n.asked = true
	n.env.After(time.Hour, n.env.Exit)
	return false
}

// TestInterrupt: Interrupt tells a sim.Interrupter; when it gives up,
// Run returns at once and ExitStatus is 1. A Terminator that is not one
// takes it as Terminate.
func TestInterrupt(t *testing.T) {
	l, _ := newLoop(t)
	l.Start(func(env sim.Env) sim.Node { return &interrupter{terminator: terminator{env: env}} })
	l.Interrupt()
	l.Interrupt()
	run(t, l)
	if l.ExitStatus() != 1 {
		t.Errorf("ExitStatus after giving up: %d, want 1", l.ExitStatus())
	}

	l, _ = newLoop(t)
	var n *terminator
	l.Start(func(env sim.Env) sim.Node { n = &terminator{env: env}; return n })
	l.Interrupt()
	run(t, l)
	if n.terms != 1 || l.ExitStatus() != 0 {
		t.Errorf("Interrupt of a Terminator: %d Terminate calls, status %d", n.terms, l.ExitStatus())
	}
}
