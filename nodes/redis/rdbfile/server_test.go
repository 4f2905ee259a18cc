package rdbfile

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
)

// redisServer is a real redis-server 7.0.x the differential tests drive.
type redisServer struct {
	t   testing.TB
	dir string
	c   *redis.Client
}

// oracle returns the path of redis-server 7.0.x, or skips the test (fails
// it under CI=true: CI must not pass by skipping its oracle).
func oracle(t testing.TB) string {
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
	return bin
}

// startRedis starts redis-server on a free loopback port in dir, loading
// dir/dump.rdb if there is one, with automatic saves off; it stops when
// the test ends. A server that fails to start (a file it refuses) fails
// the test with its log.
func startRedis(t testing.TB, dir string, args ...string) *redisServer {
	t.Helper()
	bin := oracle(t)
	logFile := filepath.Join(dir, "redis.log")
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", "dump.rdb",
			"--daemonize", "no", "--loglevel", "notice", "--logfile", logFile,
			"--enable-debug-command", "yes"}, args...)
		cmd := exec.Command(bin, all...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		c := redis.NewClient(&redis.Options{
			Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2,
			DisableIdentity: true, MaxRetries: -1, ReadTimeout: 5 * time.Minute,
		})
		if waitPing(c, exited) {
			t.Cleanup(func() {
				_ = c.Close()
				_ = cmd.Process.Kill()
				<-exited
			})
			return &redisServer{t: t, dir: dir, c: c}
		}
		_ = c.Close()
		_ = cmd.Process.Kill()
		<-exited
		if log, _ := os.ReadFile(logFile); strings.Contains(string(log), "Address already in use") {
			continue
		}
		log, _ := os.ReadFile(logFile)
		t.Fatalf("redis-server did not start; its log:\n%s", log)
	}
	t.Fatalf("redis-server did not start")
	return nil
}

func waitPing(c *redis.Client, exited <-chan struct{}) bool {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if err := c.Ping(context.Background()).Err(); err == nil {
			return true
		} else if strings.HasPrefix(err.Error(), "LOADING") {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	return freeport.Port()
}

// do runs a command and fails the test on an error reply.
func (s *redisServer) do(args ...any) any {
	s.t.Helper()
	v, err := s.c.Do(context.Background(), args...).Result()
	if err != nil && err != redis.Nil {
		s.t.Fatalf("%v: %v", args, err)
	}
	return v
}

// try runs a command and returns its error reply, if any.
func (s *redisServer) try(args ...any) (any, error) {
	v, err := s.c.Do(context.Background(), args...).Result()
	if err == redis.Nil {
		err = nil
	}
	return v, err
}

func (s *redisServer) str(args ...any) string {
	s.t.Helper()
	v := s.do(args...)
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	s.t.Fatalf("%v: reply %T %v", args, v, v)
	return ""
}
