package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
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
			done <- serve(ctx, serveFlags{addr: "127.0.0.1:0", dir: dir, requirepass: "s3cret", appendfsync: "everysec"}, io.Discard, io.Discard, func(a string) { addrc <- a })
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
