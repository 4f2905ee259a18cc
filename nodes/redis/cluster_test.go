package redis

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func clusterConfig() Config {
	cfg := DefaultConfig()
	cfg.Save = nil
	cfg.Cluster.Enabled = true
	cfg.Cluster.NodeTimeoutMs = 5000
	return cfg
}

// clusterWorld is a replWorld of cluster nodes with a client to each.
type clusterWorld struct {
	*replWorld
	conns []*testConn
	ids   []string
}

// newClusterWorld starts n cluster nodes n1..nN and builds a cluster as
// redis-cli --cluster create does: slots split evenly over the first
// masters, each distinct config epoch set, every node met, the rest made
// replicas of the masters in turn.
func newClusterWorld(t *testing.T, seed uint64, n, masters int) *clusterWorld {
	return newClusterWorldCfg(t, seed, n, masters, clusterConfig)
}

// newClusterWorldCfg is newClusterWorld with each node's configuration.
func newClusterWorldCfg(t *testing.T, seed uint64, n, masters int, config func() Config) *clusterWorld {
	t.Helper()
	per := 16384 / masters
	var ranges [][2]int
	for i := 0; i < masters; i++ {
		start, end := i*per, (i+1)*per-1
		if i == masters-1 {
			end = 16383
		}
		ranges = append(ranges, [2]int{start, end})
	}
	return newClusterWorldSlots(t, seed, n, ranges, config)
}

// newClusterWorldSlots is newClusterWorldCfg with master i given the slots
// ranges[i] (first and last); there are len(ranges) masters.
func newClusterWorldSlots(t *testing.T, seed uint64, n int, ranges [][2]int, config func() Config) *clusterWorld {
	t.Helper()
	masters := len(ranges)
	var names []string
	for i := 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("n%d", i))
	}
	cw := &clusterWorld{replWorld: newReplWorld(t, seed, names, func(int) Config { return config() })}
	cw.w.RunFor(10 * time.Millisecond)
	for _, nd := range cw.nodes {
		c := nd.dial()
		cw.conns = append(cw.conns, c)
		cw.ids = append(cw.ids, bulkValue(c.do("CLUSTER", "MYID")))
	}
	for i, r := range ranges {
		if got := cw.conns[i].do("CLUSTER", "ADDSLOTSRANGE", fmt.Sprint(r[0]), fmt.Sprint(r[1])); got != "+OK\r\n" {
			t.Fatalf("ADDSLOTSRANGE on n%d: %q", i+1, got)
		}
	}
	for i, c := range cw.conns {
		if got := c.do("CLUSTER", "SET-CONFIG-EPOCH", fmt.Sprint(i+1)); got != "+OK\r\n" {
			t.Fatalf("SET-CONFIG-EPOCH on n%d: %q", i+1, got)
		}
	}
	for i := 1; i < n; i++ {
		if got := cw.conns[0].do("CLUSTER", "MEET", names[i], "6379"); got != "+OK\r\n" {
			t.Fatalf("MEET n%d: %q", i+1, got)
		}
	}
	cw.w.RunFor(3 * time.Second)
	for i := masters; i < n; i++ {
		if got := cw.conns[i].do("CLUSTER", "REPLICATE", cw.ids[(i-masters)%masters]); got != "+OK\r\n" {
			t.Fatalf("REPLICATE on n%d: %q", i+1, got)
		}
	}
	// As redis-cli waits for the configuration to agree, and the
	// replicas' first full syncs (repl-diskless-sync-delay is 5 s).
	cw.w.RunFor(10 * time.Second)
	cw.waitState(t, "ok", 30*time.Second)
	return cw
}

// waitState runs the world until every running node's cluster_state is want.
func (cw *clusterWorld) waitState(t *testing.T, want string, limit time.Duration) {
	t.Helper()
	deadline := cw.w.Now().Duration() + limit
	for {
		all := true
		for i, c := range cw.conns {
			if c.closed {
				continue
			}
			if got := clusterInfoField(c, "cluster_state"); got != want {
				all = false
				if cw.w.Now().Duration() >= deadline {
					t.Fatalf("n%d cluster_state %q, want %q\n%s", i+1, got, want, c.do("CLUSTER", "NODES"))
				}
			}
		}
		if all {
			return
		}
		cw.w.RunFor(500 * time.Millisecond)
	}
}

func clusterInfoField(c *testConn, field string) string {
	for _, line := range strings.Split(bulkValue(c.do("CLUSTER", "INFO")), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// bulkValue is a bulk or verbatim reply's content.
func bulkValue(r string) string {
	_, rest, ok := strings.Cut(r, "\r\n")
	if !ok {
		return r
	}
	rest = strings.TrimSuffix(rest, "\r\n")
	if strings.HasPrefix(r, "=") && len(rest) >= 4 {
		rest = rest[4:] // "txt:"
	}
	return rest
}

func TestClusterCreateAndRoute(t *testing.T) {
	cw := newClusterWorld(t, 1, 6, 3)
	c := cw.conns[0]
	nodes := bulkValue(c.do("CLUSTER", "NODES"))
	lines := strings.Split(strings.TrimSpace(nodes), "\n")
	if len(lines) != 6 {
		t.Fatalf("CLUSTER NODES has %d lines:\n%s", len(lines), nodes)
	}
	masters, replicas := 0, 0
	for _, l := range lines {
		f := strings.Fields(l)
		if strings.Contains(f[2], "master") {
			masters++
		}
		if strings.Contains(f[2], "slave") {
			replicas++
		}
		if f[7] != "connected" {
			t.Errorf("not connected: %s", l)
		}
	}
	if masters != 3 || replicas != 3 {
		t.Fatalf("%d masters, %d replicas:\n%s", masters, replicas, nodes)
	}
	if got := clusterInfoField(c, "cluster_size"); got != "3" {
		t.Fatalf("cluster_size %s", got)
	}
	// Key "foo" is slot 12182, n3's.
	if got := c.do("SET", "foo", "bar"); got != "-MOVED 12182 n3:6379\r\n" {
		t.Fatalf("SET foo on n1: %q", got)
	}
	if got := cw.conns[2].do("SET", "foo", "bar"); got != "+OK\r\n" {
		t.Fatalf("SET foo on n3: %q", got)
	}
	if got := c.do("MSET", "a", "1", "b", "2"); got != "-CROSSSLOT Keys in request don't hash to the same slot\r\n" {
		t.Fatalf("MSET: %q", got)
	}
	if got := cw.conns[2].do("CLUSTER", "COUNTKEYSINSLOT", "12182"); got != ":1\r\n" {
		t.Fatalf("COUNTKEYSINSLOT: %q", got)
	}
	if got := cw.conns[2].do("CLUSTER", "GETKEYSINSLOT", "12182", "10"); got != "*1\r\n$3\r\nfoo\r\n" {
		t.Fatalf("GETKEYSINSLOT: %q", got)
	}
	// n3's replica (n6) serves reads after READONLY.
	r := cw.conns[5]
	cw.w.RunFor(time.Second)
	if got := r.do("GET", "foo"); got != "-MOVED 12182 n3:6379\r\n" {
		t.Fatalf("GET on the replica: %q", got)
	}
	r.do("READONLY")
	if got := r.do("GET", "foo"); got != "$3\r\nbar\r\n" {
		t.Fatalf("GET on the replica after READONLY: %q", got)
	}
}

// A master that crashes is marked FAIL by the majority and its replica is
// elected in its place; the cluster is OK again.
func TestClusterReplicaFailover(t *testing.T) {
	cw := newClusterWorld(t, 2, 6, 3)
	cw.conns[2].do("SET", "foo", "bar")
	cw.w.RunFor(2 * time.Second)
	cw.nodes[2].host.Crash()
	cw.conns[2].closed = true
	cw.w.RunFor(20 * time.Second)
	r := cw.conns[5]
	if got := r.do("ROLE"); !strings.HasPrefix(got, "*3\r\n$6\r\nmaster") {
		t.Fatalf("n6 did not become master: %q\n%s", got, r.do("CLUSTER", "NODES"))
	}
	cw.waitState(t, "ok", 10*time.Second)
	if got := r.do("GET", "foo"); got != "$3\r\nbar\r\n" {
		t.Fatalf("GET foo on the new master: %q", got)
	}
	if got := cw.conns[0].do("GET", "foo"); got != "-MOVED 12182 n6:6379\r\n" {
		t.Fatalf("GET foo on n1: %q", got)
	}
	// The old master comes back as a replica of the new one.
	cw.nodes[2].host.Restart(0)
	cw.w.RunFor(15 * time.Second)
	c3 := cw.nodes[2].dial()
	if got := c3.do("ROLE"); !strings.HasPrefix(got, "*5\r\n$5\r\nslave") {
		t.Fatalf("n3 after restart: %q\n%s", got, c3.do("CLUSTER", "NODES"))
	}
}

// A client blocked on a key whose slot moves to another node is unblocked
// by the next clientsCron with -MOVED (clusterRedirectBlockedClientIfNeeded),
// counted as an error reply and not as a failed call, as redis-server
// 7.0.15 does; one blocked while the cluster is down gets -CLUSTERDOWN.
func TestClusterBlockedClientRedirected(t *testing.T) {
	cw := newClusterWorld(t, 3, 3, 3)
	// Key "q" is slot 11958, n3's.
	a := cw.nodes[2].dial()
	a.send("BLPOP", "q", "0")
	cw.w.RunFor(time.Second)
	if len(a.replies) != 0 {
		t.Fatalf("BLPOP returned early: %q", a.replies)
	}
	if got := cw.conns[2].do("CLUSTER", "SETSLOT", "11958", "NODE", cw.ids[1]); got != "+OK\r\n" {
		t.Fatalf("SETSLOT: %q", got)
	}
	cw.w.RunFor(200 * time.Millisecond)
	if got := a.wait(1); got != "-MOVED 11958 n2:6379\r\n" {
		t.Fatalf("the blocked client got %q", got)
	}
	info := bulkValue(cw.conns[2].do("INFO", "all"))
	for _, want := range []string{"errorstat_MOVED:count=1", "total_error_replies:1", "cmdstat_blpop:calls=1,"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO has no %q", want)
		}
	}
	if strings.Contains(info, "cmdstat_blpop:") && !strings.Contains(info, "failed_calls=0") {
		t.Errorf("the redirected BLPOP counted as failed:\n%s", info)
	}
	// The client is not blocked any more and runs its next command.
	if got := a.do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after the redirection: %q", got)
	}
	// Blocked on a key n1 serves ("b", slot 3300); then the other two
	// masters crash, and once n1 finds them unreachable (node timeout 5 s)
	// its cluster is down: the client is unblocked with CLUSTERDOWN.
	b := cw.nodes[0].dial()
	b.send("BLPOP", "b", "0")
	cw.w.RunFor(time.Second)
	if len(b.replies) != 0 {
		t.Fatalf("BLPOP b returned early: %q", b.replies)
	}
	cw.nodes[1].host.Crash()
	cw.nodes[2].host.Crash()
	cw.w.RunFor(3 * time.Second)
	if len(b.replies) != 0 {
		t.Fatalf("unblocked before the node timeout: %q", b.replies)
	}
	cw.w.RunFor(10 * time.Second)
	if got := b.wait(1); got != "-CLUSTERDOWN The cluster is down\r\n" {
		t.Fatalf("the client blocked while the cluster went down got %q", got)
	}
}

// TestSingleKeyAtAgreesWithPositions: the routing's allocation-free key
// lookup finds, for every command of the table and every argument count,
// what the key specs find, whenever it answers at all, and answers for the
// commands of the benchmarks.
func TestSingleKeyAtAgreesWithPositions(t *testing.T) {
	tab := NewCommandTable()
	for _, name := range tab.Names() {
		cmd := tab.command(name)
		for argc := 1; argc <= 8; argc++ {
			argv := make([][]byte, argc)
			for i := range argv {
				argv[i] = []byte("3")
			}
			pos, ok := singleKeyAt(cmd.keys, argc)
			if !ok {
				continue
			}
			if want := cmd.keys.positions(argv); len(want) != 1 || want[0] != pos {
				t.Errorf("%s with %d arguments: singleKeyAt %d, positions %v", name, argc, pos, want)
			}
			if want := cmd.keys.legacyPositions(argv); len(want) != 1 || want[0] != pos {
				t.Errorf("%s with %d arguments: singleKeyAt %d, legacyPositions %v", name, argc, pos, want)
			}
		}
	}
	for _, name := range []string{"get", "set", "incr", "sadd", "rpush", "lrange", "smembers"} {
		if _, ok := singleKeyAt(tab.command(name).keys, 3); !ok {
			t.Errorf("singleKeyAt does not answer for %s", name)
		}
	}
}
