package redisdiff

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis"
)

// clusterNodeID is the node ID both servers of a cluster script load from
// their nodes.conf, so that replies naming it (MYID, NODES, SHARDS) agree.
const clusterNodeID = "3f4a1b2c5d6e7f8091a2b3c4d5e6f708192a3b4c"

// clusterLoneConf is the nodes.conf of a fresh node that owns no slots.
const clusterLoneConf = clusterNodeID + " :6379@16379 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n"

// clusterOptions are the cluster-* settings of both servers: ports
// announced alike, so that NODES, SLOTS and SHARDS agree although the
// servers listen on different ports, and a node timeout longer than any
// script, so that an unreachable peer of a nodes.conf never fails.
var clusterOptions = []string{
	"--cluster-node-timeout", "3600000",
	"--cluster-announce-port", "6379",
	"--cluster-announce-bus-port", "16379",
}

// clusterSides starts a real redis-server and the server under test in
// cluster mode, both from nodes.conf conf and with clusterOptions.
func clusterSides(t testing.TB, conf string) (want, got Side) {
	t.Helper()
	start := func() string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "nodes.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		bus, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		return StartRedisIn(t, dir, append([]string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", strconv.Itoa(bus)}, clusterOptions...)...)
	}
	want = Side{Name: "redis", Addr: start()}
	switch *flagAgainst {
	case "redis":
		return want, Side{Name: "redis2", Addr: start()}
	case "node":
	default:
		t.Fatalf(`-redisdiff.against=%q: want "node" or "redis"`, *flagAgainst)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nodes.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	bus, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.Cluster.Enabled = true
	cfg.Cluster.ConfigFile = "nodes.conf"
	cfg.Cluster.Port = bus
	cfg.Cluster.NodeTimeoutMs = 3600000
	cfg.Cluster.AnnouncePort = 6379
	cfg.Cluster.AnnounceBusPort = 16379
	return want, Side{Name: "node", Addr: StartNodeIn(t, cfg, dir)}
}

// TestClusterScripts runs the scripts of testdata/cluster against two
// fresh servers in cluster mode each: a node alone, or, for a script with
// a NAME.nodes.conf beside it, the nodes that file describes.
func TestClusterScripts(t *testing.T) {
	t.Parallel() // its own servers; see TestScripts
	files, err := filepath.Glob(filepath.Join("testdata", "cluster", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/cluster: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each script has servers of its own
			conf := clusterLoneConf
			if b, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".nodes.conf"); err == nil {
				conf = string(b)
			}
			want, got := clusterSides(t, conf)
			runFile(t, f, want, got, *flagTrace)
		})
	}
}
