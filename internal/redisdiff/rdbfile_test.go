package redisdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
)

// The node's files and full resyncs against real Redis 7.0: a dump.rdb
// the node writes loads in redis-server (and passes redis-check-rdb) with
// the same DEBUG DIGEST, a real server's loads in the node, and a real
// replica syncs from the node and stays in sync.

// fillEveryType writes a key of every type and encoding, with TTLs, in
// two databases, and a function library.
var fillEveryType = [][]string{
	{"SET", "int", "12345"},
	{"SET", "emb", "hello"},
	{"SET", "raw", strings.Repeat("raw value ", 10)},
	{"SET", "ttl", "v", "PX", "100000000"},
	{"RPUSH", "list", "a", "1", strings.Repeat("long item ", 20)},
	{"SADD", "intset", "1", "-70000", "4294967296"},
	{"SADD", "set", "a", "b", "c"},
	{"HSET", "lphash", "f", "v", "g", "2"},
	{"HSET", "hthash", "f", strings.Repeat("x", 80), "g", "h"},
	{"ZADD", "lpzset", "1", "a", "2.5", "b", "-inf", "c"},
	{"ZADD", "slzset", "1", strings.Repeat("m", 70), "-1", "z"},
	{"PEXPIRE", "slzset", "50000000"},
	{"XADD", "stream", "1-1", "f", "v"},
	{"XADD", "stream", "1-2", "f", "w", "g", "x"},
	{"XADD", "stream", "2-1", "f", "y"},
	{"XDEL", "stream", "1-2"},
	{"XGROUP", "CREATE", "stream", "grp", "0"},
	{"XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">"},
	{"SELECT", "5"},
	{"SET", "db5", "x"},
	{"SELECT", "0"},
	{"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"},
}

// bigValues are a list of several quicklist nodes and a big hash and set.
func bigValues() [][]string {
	list := []string{"RPUSH", "biglist"}
	set := []string{"SADD", "bigset"}
	zset := []string{"ZADD", "bigzset"}
	for i := range 3000 {
		list = append(list, "item-"+strconv.Itoa(i))
		set = append(set, strconv.Itoa(i*3))
		zset = append(zset, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	return [][]string{list, set, zset}
}

func mustDo(t *testing.T, addr string, cmds ...[]string) {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range cmds {
		reply, err := c.DoStrings(cmd...)
		if err != nil {
			t.Fatalf("%s: %v: %v", addr, cmd, err)
		}
		if strings.HasPrefix(string(reply), "-") {
			t.Fatalf("%s: %v: %q", addr, cmd, reply)
		}
	}
}

func reply(t *testing.T, addr string, cmd ...string) string {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.DoStrings(cmd...)
	if err != nil {
		t.Fatalf("%s: %v: %v", addr, cmd, err)
	}
	return string(r)
}

func lookTool(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s not found on PATH", name)
		}
		t.Skipf("%s not found on PATH", name)
	}
	return bin
}

// A dump.rdb written by the node loads in redis-server with the same
// digest, and redis-check-rdb accepts it.
func TestNodeRDBLoadsInRedis(t *testing.T) {
	checkRDB := lookTool(t, "redis-check-rdb")
	dir := t.TempDir()
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	node := StartNodeIn(t, cfg, dir)
	mustDo(t, node, fillEveryType...)
	mustDo(t, node, bigValues()...)
	mustDo(t, node, []string{"SAVE"})
	digest := reply(t, node, "DEBUG", "DIGEST")

	out, err := exec.Command(checkRDB, filepath.Join(dir, "dump.rdb")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK!") {
		t.Fatalf("redis-check-rdb refuses the node's dump.rdb (%v):\n%s", err, out)
	}
	r := StartRedisIn(t, dir, "--enable-debug-command", "yes")
	if got := reply(t, r, "DEBUG", "DIGEST"); got != digest {
		t.Fatalf("redis-server loaded the node's file with digest %q; the node's is %q", got, digest)
	}
	if got := reply(t, r, "FCALL", "f", "0"); got != ":1\r\n" {
		t.Errorf("FCALL f on redis-server: %q", got)
	}
	for _, k := range []string{"intset", "set", "lphash", "hthash", "lpzset", "slzset", "list", "bigset", "bigzset"} {
		if want, got := reply(t, node, "OBJECT", "ENCODING", k), reply(t, r, "OBJECT", "ENCODING", k); got != want {
			t.Errorf("OBJECT ENCODING %s: node %q, redis-server after loading %q", k, want, got)
		}
	}
}

// A real server's dump.rdb loads in the node with the same digest.
func TestRedisRDBLoadsInNode(t *testing.T) {
	dir := t.TempDir()
	r := StartRedisIn(t, dir, "--enable-debug-command", "yes")
	mustDo(t, r, fillEveryType...)
	mustDo(t, r, bigValues()...)
	mustDo(t, r, []string{"SAVE"})
	digest := reply(t, r, "DEBUG", "DIGEST")

	cfg := redis.DefaultConfig()
	cfg.Save = nil
	node := StartNodeIn(t, cfg, dir)
	if got := reply(t, node, "DEBUG", "DIGEST"); got != digest {
		t.Fatalf("the node loaded redis-server's file with digest %q; redis-server's is %q", got, digest)
	}
	if got := reply(t, node, "FCALL", "f", "0"); got != ":1\r\n" {
		t.Errorf("FCALL f on the node: %q", got)
	}
	for _, k := range []string{"intset", "set", "lphash", "hthash", "lpzset", "slzset", "list", "bigset", "bigzset"} {
		if want, got := reply(t, r, "OBJECT", "ENCODING", k), reply(t, node, "OBJECT", "ENCODING", k); got != want {
			t.Errorf("OBJECT ENCODING %s: redis-server %q, the node after loading %q", k, want, got)
		}
	}
}

// infoField returns field's value in INFO section.
func infoField(t *testing.T, addr, section, field string) string {
	t.Helper()
	for _, line := range strings.Split(reply(t, addr, "INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// waitSynced waits until the replica at r has the master's digest and
// offset.
func waitSynced(t *testing.T, master, r string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		md, rd := reply(t, master, "DEBUG", "DIGEST"), reply(t, r, "DEBUG", "DIGEST")
		mo, ro := infoField(t, master, "replication", "master_repl_offset"), infoField(t, r, "replication", "master_repl_offset")
		if md == rd && mo == ro && infoField(t, r, "replication", "master_link_status") == "up" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not catch up: digests %q / %q, offsets %s / %s, link %s",
				md, rd, mo, ro, infoField(t, r, "replication", "master_link_status"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A real redis-server replica full-syncs from the node (its RDB payload on
// the wire as Redis sends it), reaches the same digest and offset, and
// stays in sync under writes, a partial resync included.
func TestRedisReplicaOfNode(t *testing.T) {
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.ReplDisklessSyncDelay = 0
	node := StartNode(t, cfg)
	mustDo(t, node, fillEveryType...)
	mustDo(t, node, bigValues()...)
	host, port, _ := strings.Cut(node, ":")
	r := StartRedisIn(t, t.TempDir(), "--enable-debug-command", "yes", "--replicaof", host, port)
	waitSynced(t, node, r)
	if got := reply(t, r, "FUNCTION", "LIST"); !strings.Contains(got, "lib") {
		t.Errorf("FUNCTION LIST on the replica: %q", got)
	}
	for i := range 200 {
		k := "k" + strconv.Itoa(i%17)
		mustDo(t, node,
			[]string{"INCR", k},
			[]string{"RPUSH", "l" + k, strconv.Itoa(i)},
			[]string{"HSET", "h", k, strconv.Itoa(i)},
			[]string{"XADD", "stream", "*", "i", strconv.Itoa(i)},
			[]string{"SELECT", strconv.Itoa(i % 3)},
		)
	}
	waitSynced(t, node, r)
	// A broken link resumes with a partial resync from the node's backlog.
	full := infoField(t, node, "stats", "sync_full")
	mustDo(t, node, []string{"CLIENT", "KILL", "TYPE", "replica"})
	mustDo(t, node, []string{"SET", "after", "kill"}, []string{"DEL", "k1"})
	waitSynced(t, node, r)
	if got := infoField(t, node, "stats", "sync_full"); got != full {
		t.Errorf("sync_full went from %s to %s: the replica resynced fully after a dropped link", full, got)
	}
}
