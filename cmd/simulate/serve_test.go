package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/redsim/redsim/internal/freeport"
)

// TestServeWithGoRedis drives `simulate serve` with go-redis, stops it as
// SIGINT would (context cancellation) and checks that it saved its data,
// reloads it on the next start, and leaves no goroutine behind.
func TestServeWithGoRedis(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	start := func() (string, context.CancelFunc, chan error) {
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- serve(ctx, serveFlags{addr: "127.0.0.1:0", dir: dir, requirepass: "s3cret", appendfsync: "everysec"}, io.Discard, io.Discard, func(a string) { addrc <- a }, nil)
		}()
		select {
		case a := <-addrc:
			return a, cancel, done
		case err := <-done:
			cancel()
			t.Fatalf("serve: %v", err)
		case <-time.After(10 * time.Second):
			cancel()
			t.Fatal("serve did not start")
		}
		return "", cancel, done
	}
	addr, cancel, done := start()
	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Password: "s3cret", Protocol: 2})
	if err := rdb.Set(ctx, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Get(ctx, "a").Result(); err != nil || v != "1" {
		t.Fatalf("get a = %q, %v", v, err)
	}
	if n, err := rdb.Incr(ctx, "n").Result(); err != nil || n != 1 {
		t.Fatalf("incr = %d, %v", n, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != goredis.Nil {
		t.Fatalf("get missing: %v", err)
	}
	bad := goredis.NewClient(&goredis.Options{Addr: addr, Password: "wrong", Protocol: 2})
	if err := bad.Ping(ctx).Err(); err == nil || err.Error() != "WRONGPASS invalid username-password pair or user is disabled." {
		t.Fatalf("wrong password: %v", err)
	}
	bad.Close()
	rdb.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("no snapshot after shutdown: %v", err)
	}

	addr, cancel, done = start()
	rdb = goredis.NewClient(&goredis.Options{Addr: addr, Password: "s3cret", Protocol: 2})
	if v, err := rdb.Get(ctx, "a").Result(); err != nil || v != "1" {
		t.Fatalf("after restart get a = %q, %v", v, err)
	}
	rdb.Close()
	cancel()
	<-done
}

func TestServeRejectsBadFlags(t *testing.T) {
	code, _, stderr := run(t, "serve", "--addr", "nonsense")
	if code != exitUsage || stderr == "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "serve", "--appendfsync", "sometimes")
	if code != exitUsage {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// The bus port is the port + 10000: port 0 cannot give one.
	code, _, stderr = run(t, "serve", "--addr", "127.0.0.1:0", "--cluster-enabled")
	if code != exitUsage || !strings.Contains(stderr, "port + 10000") {
		t.Fatalf("--cluster-enabled on port 0: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "serve", "--addr", "127.0.0.1:60000", "--cluster-enabled")
	if code != exitUsage || !strings.Contains(stderr, "55535 or less") {
		t.Fatalf("--cluster-enabled on port 60000: exit %d, stderr %q", code, stderr)
	}
	// Redis never creates its dir: it refuses to start.
	missing := filepath.Join(t.TempDir(), "nonexistent", "x")
	code, _, stderr = run(t, "serve", "--addr", "127.0.0.1:0", "--dir", missing)
	if code != exitUsage || !strings.Contains(stderr, "No such file or directory") || !strings.Contains(stderr, missing) {
		t.Fatalf("--dir %s: exit %d, stderr %q", missing, code, stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatalf("--dir %s was created", missing)
	}
}

// Killed, `go run` leaves its program running: serve started by it stops
// when its parent goes.
func TestServeStopsWithGoRunParent(t *testing.T) {
	for exe, want := range map[string]bool{
		"/tmp/go-build1268656204/b001/exe/simulate": true,
		"/usr/local/bin/simulate":                   false,
		"/home/u/go-build/bin/simulate":             false,
	} {
		if got := builtByGoRun(exe); got != want {
			t.Errorf("builtByGoRun(%s) = %v", exe, got)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		stopWithParent(ctx, cancel, os.Getppid()+1, time.Millisecond) // a parent that is not ours: it has gone
		close(done)
	}()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not cancelled when the parent changed")
	}
	<-done
}

// TestServeSentinel: `simulate serve --sentinel FILE` runs the simulator's
// Sentinel on real TCP; it monitors a `simulate serve` node, answers
// SENTINEL commands with what it learnt from it, rewrites its file, and
// a file it refuses exits 2 with Redis's error in the log.
func TestServeSentinel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	startServe := func(f serveFlags) (string, context.CancelFunc, chan error) {
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		done := make(chan error, 1)
		go func() { done <- serve(ctx, f, io.Discard, io.Discard, func(a string) { addrc <- a }, nil) }()
		select {
		case a := <-addrc:
			return a, cancel, done
		case err := <-done:
			cancel()
			t.Fatalf("serve: %v", err)
		case <-time.After(10 * time.Second):
			cancel()
			t.Fatal("serve did not start")
		}
		return "", cancel, done
	}
	node, stopNode, nodeDone := startServe(serveFlags{addr: "127.0.0.1:0", dir: t.TempDir(), appendfsync: "everysec"})
	defer func() { stopNode(); <-nodeDone }()
	sport, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(node)
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	text := "port " + strconv.Itoa(sport) + "\nsentinel monitor mymaster " + host + " " + port + " 1\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	saddr, stopSentinel, sentinelDone := startServe(serveFlags{addr: "127.0.0.1:0", sentinel: conf})
	ctx := context.Background()
	sc := goredis.NewClient(&goredis.Options{Addr: saddr, Protocol: 2})
	defer sc.Close()
	if got, err := sc.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster").StringSlice(); err != nil || strings.Join(got, ":") != node {
		t.Fatalf("GET-MASTER-ADDR-BY-NAME = %q, %v; want %s", got, err, node)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := sc.Do(ctx, "SENTINEL", "MASTER", "mymaster").StringSlice()
		// runid comes from the node's INFO: the sentinel's link works.
		if i := slices.Index(m, "runid"); err == nil && i >= 0 && i+1 < len(m) && len(m[i+1]) == 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sentinel never got the node's INFO: %q %v", m, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopSentinel()
	if err := <-sentinelDone; err != nil {
		t.Fatalf("serve --sentinel returned %v", err)
	}
	if b, err := os.ReadFile(conf); err != nil || !strings.Contains(string(b), "sentinel myid ") {
		t.Fatalf("the configuration file was not rewritten: %q %v", b, err)
	}

	bad := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(bad, []byte("port 0\nsentinel monitor only-two-args x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "serve", "--addr", "127.0.0.1:0", "--sentinel", bad)
	if code != exitUsage || !strings.Contains(stderr, "FATAL CONFIG FILE ERROR") {
		t.Fatalf("a bad file: exit %d, stderr %q", code, stderr)
	}
}

// TestServeSIGTERM: the first signal is SIGTERM to the node, which shuts
// down as Redis 7.0 does: a master whose replica (a second serve node,
// paused by DEBUG SLEEP) has not acknowledged its last write waits for
// it, writes held, then saves and exits; serve returns nil. The replica,
// given a second signal at once, stops without waiting for anything.
// servedNode is a serve run in the test's process, with its signals.
type servedNode struct {
	addr string
	sigs chan os.Signal
	done chan error
	log  *bytes.Buffer
}

func startServe(t *testing.T, f serveFlags) servedNode {
	t.Helper()
	sv := servedNode{sigs: make(chan os.Signal, 2), done: make(chan error, 1), log: &bytes.Buffer{}}
	addrc := make(chan string, 1)
	log := &lockedWriter{w: sv.log}
	go func() {
		sv.done <- serve(context.Background(), f, io.Discard, log, func(a string) { addrc <- a }, sv.sigs)
	}()
	select {
	case sv.addr = <-addrc:
	case err := <-sv.done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return sv
}

// laggingReplica starts a serve master in dir and a serve replica of it,
// and holds the replica's loop with DEBUG SLEEP (seconds) once it is
// online: it acknowledges nothing until then. It returns once the replica
// is seen asleep.
func laggingReplica(t *testing.T, dir string, seconds string) (master, replica servedNode) {
	t.Helper()
	ctx := context.Background()
	master = startServe(t, serveFlags{addr: "127.0.0.1:0", dir: dir, appendfsync: "everysec"})
	m := goredis.NewClient(&goredis.Options{Addr: master.addr, Protocol: 2})
	defer m.Close()
	replica = startServe(t, serveFlags{addr: "127.0.0.1:0", dir: t.TempDir(), appendfsync: "everysec"})
	r := goredis.NewClient(&goredis.Options{Addr: replica.addr, Protocol: 2, ReadTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer r.Close()
	host, port, _ := net.SplitHostPort(master.addr)
	if err := r.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(m.Info(ctx, "replication").Val(), "state=online") {
		if time.Now().After(deadline) {
			t.Fatal("the replica did not come online")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := m.Set(ctx, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	sleeper := goredis.NewClient(&goredis.Options{Addr: replica.addr, Protocol: 2, ReadTimeout: time.Minute, MaxRetries: -1})
	go func() { sleeper.Do(ctx, "DEBUG", "SLEEP", seconds); sleeper.Close() }()
	// The replica sleeps once a PING goes unanswered for 100 ms.
	for r.Ping(ctx).Err() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the replica did not go to sleep")
		}
	}
	if err := m.Set(ctx, "b", "2", 0).Err(); err != nil {
		t.Fatal(err)
	}
	return master, replica
}

func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a replica's lag in real time (8-10 s)")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	master, replica := laggingReplica(t, dir, "3")
	began := time.Now()
	master.sigs <- syscall.SIGTERM
	select {
	case err := <-master.done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the master did not exit")
	}
	if took := time.Since(began); took < time.Second {
		t.Errorf("the master exited %v after SIGTERM, before its replica could acknowledge", took)
	}
	for _, want := range []string{"Received SIGTERM scheduling shutdown...", "Waiting for replicas before shutting down.", "1 of 1 replicas are in sync when shutting down.", "DB saved on disk"} {
		if !strings.Contains(master.log.String(), want) {
			t.Errorf("the master's log lacks %q:\n%s", want, master.log.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("no snapshot after SIGTERM: %v", err)
	}
	replica.sigs <- syscall.SIGTERM
	select {
	case <-replica.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the replica did not stop at SIGTERM")
	}
}

// TestServeSIGINT: the first SIGINT starts the shutdown, which waits for
// the lagging replica; a second gives up at once, without saving, and
// serve exits 1, as redis-server does ("You insist... exiting now.").
func TestServeSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a replica's lag in real time (8-10 s)")
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	master, replica := laggingReplica(t, dir, "5")
	master.sigs <- os.Interrupt
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(master.log.String(), "Waiting for replicas before shutting down.") {
		if time.Now().After(deadline) {
			t.Fatalf("the master is not waiting for its replica:\n%s", master.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	master.sigs <- os.Interrupt
	select {
	case err := <-master.done:
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 1 {
			t.Errorf("serve returned %v, want exit status 1", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the master did not give up at the second SIGINT")
	}
	for _, want := range []string{"Received SIGINT scheduling shutdown...", "You insist... exiting now."} {
		if !strings.Contains(master.log.String(), want) {
			t.Errorf("the master's log lacks %q:\n%s", want, master.log.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Error("the master saved before giving up")
	}
	replica.sigs <- syscall.SIGTERM
	select {
	case <-replica.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the replica did not stop at SIGTERM")
	}
}

// lockedWriter serializes writes to w (the node's log is written from the
// loop's goroutine while the test reads it).
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
