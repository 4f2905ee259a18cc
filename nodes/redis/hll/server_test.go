package hll_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
)

// startRedis starts redis-server 7.0.x from PATH on a free loopback port
// with persistence off and returns a client for it; the server stops when
// the test ends. Without one the test is skipped, or fails under CI=true.
//
// This is a small copy of internal/redisdiff.StartRedis: that package
// links the node (nodes/redis), which imports this package, so using it
// here would tie these tests to the whole node's build.
func startRedis(t *testing.T) *redis.Client {
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
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--loglevel", "warning", "--logfile", "")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		rdb := redis.NewClient(&redis.Options{
			Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2,
			DisableIdentity: true, MaxRetries: -1,
		})
		if waitPing(rdb, exited) {
			t.Cleanup(func() {
				_ = rdb.Close()
				_ = cmd.Process.Kill()
				<-exited
			})
			return rdb
		}
		_ = rdb.Close()
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("redis-server did not start")
	return nil
}

func waitPing(rdb *redis.Client, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if rdb.Ping(context.Background()).Err() == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	return freeport.Port()
}
