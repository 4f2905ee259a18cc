package redisdiff

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim/realenv"
)

// TestRealSentinelsFailOverSimulatedNodes: three real redis-sentinel 7.0.15
// processes monitor three Redsim nodes (a master and two replicas) served
// on real TCP; when the master's process stops, the sentinels fail it over
// to one of the simulated replicas, which becomes a master, and make the
// other replica follow it. The node must speak what Sentinel reads (INFO
// replication, ROLE, PING) and do what it sends (MULTI, SLAVEOF NO ONE,
// CONFIG REWRITE, CLIENT KILL, EXEC; SLAVEOF host port).
func TestRealSentinelsFailOverSimulatedNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("a real failover takes seconds")
	}
	sbin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: redis-sentinel is not installed (apt-get install -y redis-sentinel)")
		}
		t.Skip("redis-sentinel not installed")
	}
	ports := make([]int, 3)
	stops := make([]func(), 3)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			t.Fatal(err)
		}
		cfg := redis.DefaultConfig()
		cfg.Save, cfg.ReplDisklessSyncDelay = nil, 0
		if i > 0 {
			cfg.ReplicaOf = "127.0.0.1:" + strconv.Itoa(ports[0])
		}
		stops[i] = startNodeOnPort(t, cfg, ports[i])
	}
	master := "127.0.0.1:" + strconv.Itoa(ports[0])
	for i := 1; i < 3; i++ {
		waitFor(t, 10*time.Second, fmt.Sprintf("node %d in sync with the master", i), func() bool {
			return strings.Contains(info(t, "127.0.0.1:"+strconv.Itoa(ports[i])), "master_link_status:up")
		})
	}
	var sentinels []string
	for range 3 {
		sentinels = append(sentinels, startSentinel(t, sbin, ports[0]))
	}
	waitFor(t, 20*time.Second, "every sentinel knows both replicas and the other sentinels", func() bool {
		for _, s := range sentinels {
			in := info(t, s)
			if !strings.Contains(in, "slaves=2,sentinels=3") {
				return false
			}
		}
		return true
	})
	stops[0]() // the master's process ends
	newMaster := ""
	waitFor(t, 30*time.Second, "every sentinel names a new master", func() bool {
		seen := ""
		for _, s := range sentinels {
			c, err := Dial(s)
			if err != nil {
				return false
			}
			r, err := c.DoStrings("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
			_ = c.Close()
			v, ok := parseReply(r)
			if err != nil || !ok || len(v.Elems) != 2 {
				return false
			}
			addr := string(v.Elems[0].Str) + ":" + string(v.Elems[1].Str)
			if addr == master || (seen != "" && addr != seen) {
				return false
			}
			seen = addr
		}
		newMaster = seen
		return true
	})
	if !strings.Contains(info(t, newMaster), "role:master") {
		t.Fatalf("the sentinels name %s, whose INFO does not say role:master", newMaster)
	}
	other := ""
	for _, p := range ports[1:] {
		if a := "127.0.0.1:" + strconv.Itoa(p); a != newMaster {
			other = a
		}
	}
	_, newPort, _ := strings.Cut(newMaster, ":")
	waitFor(t, 30*time.Second, "the other replica follows the new master", func() bool {
		in := info(t, other)
		return strings.Contains(in, "master_port:"+newPort+"\r\n") && strings.Contains(in, "master_link_status:up")
	})
}

// startNodeOnPort runs a node on port (which its REPLCONF listening-port
// and Sentinel's view of it need) and returns what stops it, as a crash
// would: its connections close and its port refuses.
func startNodeOnPort(t *testing.T, cfg redis.Config, port int) (stop func()) {
	t.Helper()
	l, err := realenv.New(realenv.Config{Name: "redis", Host: "127.0.0.1", Dir: t.TempDir(), Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = port
	if err := l.Start(redis.Program(cfg)); err != nil {
		t.Fatalf("starting the node on %d: %v", port, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// startSentinel runs a real redis-sentinel monitoring the master on
// 127.0.0.1:masterPort (quorum 2, down-after 1 s, failover-timeout 5 s)
// and returns its address.
func startSentinel(t *testing.T, bin string, masterPort int) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %d 2\n"+
		"sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n", port, dir, masterPort)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf)
	cmd.SysProcAttr = oracleProcAttr()
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sentinel %d:\n%s", port, out.String())
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !waitPing(addr, exited) {
		t.Fatalf("redis-sentinel did not start: %s", out.String())
	}
	return addr
}

// info is INFO of the server at addr, or "" when it cannot be had.
func info(t *testing.T, addr string) string {
	c, err := Dial(addr)
	if err != nil {
		return ""
	}
	defer func() { _ = c.Close() }()
	r, err := c.DoStrings("INFO")
	if err != nil {
		return ""
	}
	v, ok := parseReply(r)
	if !ok {
		return ""
	}
	return string(v.Str)
}

// waitFor polls cond every 100 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
}
