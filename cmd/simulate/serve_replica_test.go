package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
)

// TestServeRedisCliReplicaAndRDB: the real redis-cli's --replica, --rdb
// and --functions-rdb work against `simulate serve`. They replicate with
// SYNC (no +FULLRESYNC line, no ACKs: a SYNC replica is never timed out)
// and REPLCONF rdb-only and rdb-filter-only (an empty snapshot for
// --replica, the functions alone for --functions-rdb).
func TestServeRedisCliReplicaAndRDB(t *testing.T) {
	if testing.Short() {
		t.Skip("each sync waits out repl-diskless-sync-delay (5 s) in real time")
	}
	t.Parallel()
	cli := requireBinary(t, "redis-cli")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- serve(ctx, serveFlags{addr: "127.0.0.1:0", dir: dir, appendfsync: "everysec"}, io.Discard, io.Discard, func(a string) { addrc <- a }, nil)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	host, port, _ := net.SplitHostPort(addr)
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Protocol: 2})
	defer rdb.Close()
	bg := context.Background()
	if err := rdb.Set(bg, "a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.FunctionLoad(bg, "#!lua name=lib\nredis.register_function('f', function() return 1 end)").Err(); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	// --replica: the empty snapshot, then the stream as it comes.
	var replicaOut lockedBuffer // written by the command's copier, read here
	wg.Go(func() {
		rctx, rcancel := context.WithTimeout(bg, 9*time.Second)
		defer rcancel()
		cmd := exec.CommandContext(rctx, cli, "-h", host, "-p", port, "--replica")
		cmd.Stdout, cmd.Stderr = &replicaOut, &replicaOut
		_ = cmd.Run() // it runs until killed
	})
	// --rdb and --functions-rdb: a snapshot each, one after the other
	// (their requirements differ, so they do not share one).
	files := map[string]string{"--rdb": filepath.Join(dir, "all.rdb"), "--functions-rdb": filepath.Join(dir, "functions.rdb")}
	outs := map[string]string{}
	wg.Go(func() {
		for _, flag := range []string{"--rdb", "--functions-rdb"} {
			outs[flag], _ = redisCLI(t, cli, "-h", host, "-p", port, flag, files[flag])
		}
	})
	// Once --replica has its snapshot, a write reaches it.
	deadline := time.Now().Add(8 * time.Second)
	for !strings.Contains(replicaOut.String(), "SYNC done.") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := rdb.Set(bg, "b", "2", 0).Err(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if out := replicaOut.String(); !strings.Contains(out, "SYNC done. Logging commands from master.") || !strings.Contains(out, `"set","b","2"`) {
		t.Errorf("redis-cli --replica:\n%s", out)
	}
	// --rdb's snapshot holds a, and b too when the write came first.
	for flag, want := range map[string]struct {
		keys  []string
		funcs int
	}{"--rdb": {[]string{"a"}, 1}, "--functions-rdb": {nil, 1}} {
		if !strings.Contains(outs[flag], "Transfer finished with success.") {
			t.Errorf("redis-cli %s:\n%s", flag, outs[flag])
			continue
		}
		keys, funcs := rdbContents(t, files[flag])
		if len(want.keys) == 0 && len(keys) > 0 || len(want.keys) > 0 && !slices.Contains(keys, want.keys[0]) || funcs != want.funcs {
			t.Errorf("redis-cli %s wrote keys %q and %d functions, want %q and %d", flag, keys, funcs, want.keys, want.funcs)
		}
	}
}

// lockedBuffer is a bytes.Buffer that one goroutine may write while
// another reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// rdbContents reads an RDB file's key names and counts its functions.
func rdbContents(t *testing.T, path string) (keys []string, funcs int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := rdbfile.ReadAll(data, rdbfile.ReadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, k := range f.Keys {
		keys = append(keys, string(k.Key))
	}
	return keys, len(f.Functions)
}
