package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
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

// freeClusterPort returns a loopback port that was free a moment ago
// and whose cluster bus port, the port + 10000, was free too.
func freeClusterPort(t *testing.T) int {
	t.Helper()
	port, err := freeport.Pair(10000)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// tryServeNode runs `simulate serve` with f in this process until the
// test ends and returns its address, or serve's error if it does not
// start.
func tryServeNode(t *testing.T, f serveFlags) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, f, io.Discard, io.Discard, func(a string) { addrc <- a }, nil) }()
	select {
	case a := <-addrc:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve %s: %v", f.addr, err)
			}
		})
		return a, nil
	case err := <-done:
		cancel()
		return "", fmt.Errorf("serve %s: %v", f.addr, err)
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		return "", fmt.Errorf("serve %s did not start", f.addr)
	}
}

// startServeCluster starts n `simulate serve --cluster-enabled` nodes on
// loopback and returns their addresses. A node that cannot listen (a port
// taken since freeClusterPort looked) is tried again on another port.
func startServeCluster(t *testing.T, n int) []string {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		var err error
		for try := 0; try < 5; try++ {
			addrs[i], err = tryServeNode(t, serveFlags{
				addr: "127.0.0.1:" + strconv.Itoa(freeClusterPort(t)), dir: t.TempDir(), appendfsync: "everysec",
				clusterEnabled: true, clusterConfigFile: "nodes.conf", clusterNodeTimeout: 5 * time.Second,
			})
			if err == nil {
				break
			}
			t.Logf("try %d: %v", try+1, err)
		}
		if err != nil {
			t.Fatal(err)
		}
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
	// Parallel: its nodes and processes are its own, and its time is
	// the wall clock's (redis-cli's waits, gossip, the failover).
	t.Parallel()
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

	// go-redis's ClusterClient reads the slot map and routes every key.
	ctx := context.Background()
	cc := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs[:1], Protocol: 2})
	defer cc.Close()
	if v, err := cc.Get(ctx, "foo").Result(); err != nil || v != "bar" {
		t.Fatalf("ClusterClient GET foo: %q, %v", v, err)
	}
	for i := range 50 {
		k := "key:" + strconv.Itoa(i)
		if err := cc.Set(ctx, k, i, 0).Err(); err != nil {
			t.Fatalf("ClusterClient SET %s: %v", k, err)
		}
	}
	var total atomic.Int64 // ForEachMaster runs the masters concurrently
	err = cc.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
		n, err := m.DBSize(ctx).Result()
		total.Add(n)
		return err
	})
	if err != nil || total.Load() != 51 {
		t.Fatalf("the masters hold %d keys (%v); want the 50 written and foo", total.Load(), err)
	}
}

// startRedisServer runs a real redis-server in cluster mode on port until
// the test ends, and returns its address.
func startRedisServer(t *testing.T, bin string, port int) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--cluster-enabled", "yes", "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", "")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("redis-server %s:\n%s", addr, out.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		select {
		case <-exited:
			t.Fatalf("redis-server on %s exited:\n%s", addr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not listen", addr)
		}
	}
}

// clusterNodesLine is the CLUSTER NODES line, seen from addr, of the node
// listening on of.
func clusterNodesLine(t *testing.T, cli, addr, of string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, err := redisCLI(t, cli, "-h", host, "-p", port, "CLUSTER", "NODES")
	if err != nil {
		t.Fatalf("CLUSTER NODES on %s: %v\n%s", addr, err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 8 && strings.HasPrefix(f[1], of+"@") {
			return line
		}
	}
	return ""
}

// TestServeClusterMixed: `simulate serve` nodes and real redis-server
// nodes make one cluster. A real node MEETs a simulated one and both see
// the other connected; then redis-cli --cluster create builds three
// masters and three replicas of both kinds, check finds it whole, -c
// follows MOVED across kinds, and a real replica of a simulated master
// takes over by CLUSTER FAILOVER, the old master becoming its replica
// with a working replication link.
func TestServeClusterMixed(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a failover in real time (6 s); make test runs it")
	}
	// Parallel: its nodes and processes are its own, and its time is
	// the wall clock's (redis-cli's waits, gossip, the failover).
	t.Parallel()
	cli := requireBinary(t, "redis-cli")
	server := requireBinary(t, "redis-server")
	sims := startServeCluster(t, 4)
	var reals []string
	for range 4 {
		reals = append(reals, startRedisServer(t, server, freeClusterPort(t)))
	}

	// A MEET from a real node to a simulated one (a pair apart: redis-cli
	// --cluster create wants nodes that know no other).
	mh, mp, _ := net.SplitHostPort(reals[3])
	if out, err := redisCLI(t, cli, "-h", mh, "-p", mp, "CLUSTER", "MEET", "127.0.0.1", strings.TrimPrefix(sims[3], "127.0.0.1:")); err != nil || strings.TrimSpace(out) != "OK" {
		t.Fatalf("CLUSTER MEET on redis-server: %q, %v", out, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		a, b := clusterNodesLine(t, cli, reals[3], sims[3]), clusterNodesLine(t, cli, sims[3], reals[3])
		if strings.HasSuffix(a, " connected") && !strings.Contains(a, "handshake") &&
			strings.HasSuffix(b, " connected") && !strings.Contains(b, "handshake") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after MEET: redis-server sees the node as %q, the node sees redis-server as %q", a, b)
		}
	}

	// Interleaved, so that redis-cli makes masters and replicas of both kinds.
	all := []string{sims[0], reals[0], sims[1], reals[1], sims[2], reals[2]}
	rh, rp, _ := net.SplitHostPort(reals[0])
	sh, sp, _ := net.SplitHostPort(sims[0])
	out, err := redisCLI(t, cli, append(append([]string{"--cluster", "create"}, all...), "--cluster-replicas", "1", "--cluster-yes")...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	waitClusterOK(t, cli, all)
	for _, a := range all {
		out, err := redisCLI(t, cli, "--cluster", "check", a)
		if err != nil || !strings.Contains(out, "[OK] All nodes agree about slots configuration.") ||
			!strings.Contains(out, "[OK] All 16384 slots covered.") || strings.Contains(out, "[ERR]") {
			t.Fatalf("redis-cli --cluster check %s: %v\n%s", a, err, out)
		}
	}
	for _, k := range []string{"foo", "bar", "baz", "{user1}.a"} {
		if out, err := redisCLI(t, cli, "-c", "-h", sh, "-p", sp, "SET", k, "v-"+k); err != nil || strings.TrimSpace(out) != "OK" {
			t.Fatalf("redis-cli -c SET %s on the node: %q, %v", k, out, err)
		}
		if out, err := redisCLI(t, cli, "-c", "-h", rh, "-p", rp, "GET", k); err != nil || strings.TrimSpace(out) != "v-"+k {
			t.Fatalf("redis-cli -c GET %s on redis-server: %q, %v", k, out, err)
		}
	}

	// The real replica of a simulated master takes over.
	var replica, master string
	for _, r := range reals {
		line := clusterNodesLine(t, cli, r, r)
		f := strings.Fields(line)
		if len(f) < 4 || !strings.Contains(f[2], "slave") {
			continue
		}
		for _, s := range sims {
			if g := strings.Fields(clusterNodesLine(t, cli, r, s)); len(g) > 0 && g[0] == f[3] {
				replica, master = r, s
			}
		}
	}
	if replica == "" {
		t.Fatalf("redis-cli made no real replica of a simulated master:\n%s", out)
	}
	h, p, _ := net.SplitHostPort(replica)
	waitLinkUp(t, cli, replica)
	if out, err := redisCLI(t, cli, "-h", h, "-p", p, "CLUSTER", "FAILOVER"); err != nil || strings.TrimSpace(out) != "OK" {
		t.Fatalf("CLUSTER FAILOVER on %s: %q, %v", replica, out, err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		me := strings.Fields(clusterNodesLine(t, cli, replica, replica))
		old := strings.Fields(clusterNodesLine(t, cli, master, master))
		if len(me) > 3 && len(old) > 3 && strings.Contains(me[2], "master") && strings.Contains(old[2], "slave") && old[3] == me[0] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after CLUSTER FAILOVER: redis-server says %q, the old master says %q", me, old)
		}
	}
	waitLinkUp(t, cli, master)
	oh, op, _ := net.SplitHostPort(master)
	if out, err := redisCLI(t, cli, "-c", "-h", oh, "-p", op, "GET", "foo"); err != nil || strings.TrimSpace(out) != "v-foo" {
		t.Fatalf("GET foo after the failover: %q, %v", out, err)
	}
}

// waitLinkUp waits until the replica at addr says master_link_status:up.
func waitLinkUp(t *testing.T, cli, addr string) {
	t.Helper()
	h, p, _ := net.SplitHostPort(addr)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out, err := redisCLI(t, cli, "-h", h, "-p", p, "INFO", "replication")
		if err == nil && strings.Contains(out, "master_link_status:up") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica %s never got its link up: %v\n%s", addr, err, out)
		}
	}
}
