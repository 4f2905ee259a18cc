package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireBinary returns the path of a real Redis binary from PATH. Without
// it the test is skipped, or fails under CI=true: CI must not pass by
// skipping the interoperation it exists to check.
func requireBinary(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s not found on PATH; apt-get install redis-server redis-tools", name)
		}
		t.Skipf("%s not found on PATH; apt-get install redis-server redis-tools", name)
	}
	return bin
}

// freeClusterPort returns a loopback port that was free a moment ago and
// whose cluster bus port, the port + 10000, was free too.
func freeClusterPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if port > 55535 {
			ln.Close()
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		ln.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	t.Fatal("no free port with a free port + 10000 in 100 tries")
	return 0
}

// startServeNode runs `simulate serve` with f in this process until the
// test ends, and returns its address.
func startServeNode(t *testing.T, f serveFlags) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, f, io.Discard, io.Discard, func(a string) { addrc <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve %s: %v", f.addr, err)
		}
	})
	select {
	case a := <-addrc:
		return a
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("serve %s: %v", f.addr, err)
	case <-time.After(10 * time.Second):
		t.Fatalf("serve %s did not start", f.addr)
	}
	return ""
}

// startServeCluster starts n `simulate serve --cluster-enabled` nodes on
// loopback and returns their addresses.
func startServeCluster(t *testing.T, n int) []string {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = startServeNode(t, serveFlags{
			addr: "127.0.0.1:" + strconv.Itoa(freeClusterPort(t)), dir: t.TempDir(), appendfsync: "everysec",
			clusterEnabled: true, clusterConfigFile: "nodes.conf", clusterNodeTimeout: 5 * time.Second,
		})
	}
	return addrs
}

// redisCLI runs the real redis-cli with args, bounded by a minute, and
// returns its output without colour codes.
func redisCLI(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return ansiColour.ReplaceAllString(out.String(), ""), err
}

var ansiColour = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// waitClusterOK waits until CLUSTER INFO of every addr says cluster_state:ok.
func waitClusterOK(t *testing.T, cli string, addrs []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		host, port, _ := net.SplitHostPort(a)
		for {
			out, err := redisCLI(t, cli, "-h", host, "-p", port, "CLUSTER", "INFO")
			if err == nil && strings.Contains(out, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never reached cluster_state:ok: %v\n%s", a, err, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// TestServeClusterCreate: the real `redis-cli --cluster create` builds a
// cluster of six `simulate serve --cluster-enabled` processes (three
// masters, a replica each), `redis-cli --cluster check` finds it whole,
// and `redis-cli -c` follows MOVED to the key's master.
func TestServeClusterCreate(t *testing.T) {
	cli := requireBinary(t, "redis-cli")
	addrs := startServeCluster(t, 6)
	out, err := redisCLI(t, cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "1", "--cluster-yes")...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	waitClusterOK(t, cli, addrs)

	host, p1, _ := net.SplitHostPort(addrs[0])
	out, err = redisCLI(t, cli, "--cluster", "check", addrs[0])
	for _, want := range []string{"[OK] All nodes agree about slots configuration.", "[OK] All 16384 slots covered."} {
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("redis-cli --cluster check: %v; want %q in\n%s", err, want, out)
		}
	}
	if strings.Contains(out, "[ERR]") || strings.Contains(out, "[WARNING]") {
		t.Fatalf("redis-cli --cluster check complains:\n%s", out)
	}
	if n := strings.Count(out, "1 additional replica(s)"); n != 3 {
		t.Fatalf("redis-cli --cluster check shows %d masters with one replica; want 3:\n%s", n, out)
	}

	// foo hashes to slot 12182, the third master's: the first node
	// redirects, and -c follows.
	out, _ = redisCLI(t, cli, "-h", host, "-p", p1, "GET", "foo")
	if _, p3, _ := net.SplitHostPort(addrs[2]); strings.TrimSpace(out) != "MOVED 12182 127.0.0.1:"+p3 {
		t.Fatalf("GET foo on the first master: %q; want MOVED 12182 127.0.0.1:%s", out, p3)
	}
	if out, err := redisCLI(t, cli, "-c", "-h", host, "-p", p1, "SET", "foo", "bar"); err != nil || strings.TrimSpace(out) != "OK" {
		t.Fatalf("redis-cli -c SET foo bar: %q, %v", out, err)
	}
	if out, err := redisCLI(t, cli, "-c", "-h", host, "-p", p1, "GET", "foo"); err != nil || strings.TrimSpace(out) != "bar" {
		t.Fatalf("redis-cli -c GET foo: %q, %v", out, err)
	}
}
