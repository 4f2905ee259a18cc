package redis

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/resp"
)

// everyEncoding fills a node with a key of each type and encoding.
func everyEncoding(t *testing.T, c *testConn) {
	t.Helper()
	long := strings.Repeat("x", 80)
	for _, cmd := range [][]string{
		{"SET", "int", "12345"},
		{"SET", "emb", "hello"},
		{"SET", "raw", long},
		{"RPUSH", "list", "a", "1", long},
		{"SADD", "intset", "1", "-70000", "5"},
		{"SADD", "set", "a", "b", "c"},
		{"HSET", "lphash", "f", "v", "g", "2"},
		{"HSET", "hthash", "f", long},
		{"ZADD", "lpzset", "1", "a", "2.5", "b"},
		{"ZADD", "slzset", "1", long, "-1", "z"},
		{"XADD", "stream", "1-1", "f", "v"},
		{"XGROUP", "CREATE", "stream", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "stream", ">"},
		{"PEXPIRE", "emb", "100000000"},
		{"SELECT", "3"},
		{"SET", "db3", "x"},
		{"SELECT", "0"},
		{"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"},
	} {
		if got := c.do(cmd...); strings.HasPrefix(got, "-") {
			t.Fatalf("%v: %q", cmd, got)
		}
	}
}

var encodingKeys = []string{"int", "emb", "raw", "list", "intset", "set", "lphash", "hthash", "lpzset", "slzset", "stream"}

// bulk returns a bulk reply's payload.
func bulk(t *testing.T, reply string) string {
	t.Helper()
	r := resp.NewReplyReader()
	r.Feed([]byte(reply))
	v, ok, err := r.Next()
	if err != nil || !ok || v.Kind != resp.KindBulk {
		t.Fatalf("not a bulk reply: %q", reply)
	}
	return string(v.Str)
}

// Every value survives DUMP and RESTORE under another name: the same
// digest, the same encoding, and a payload that rdbfile reads back.
func TestDumpRestoreRoundTrip(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	everyEncoding(t, c)
	for _, k := range encodingKeys {
		p := bulk(t, c.do("DUMP", k))
		if _, err := rdbfile.DecodeDump([]byte(p), false); err != nil {
			t.Errorf("DUMP %s: rdbfile refuses the payload: %v", k, err)
		}
		// The copy gets the key's TTL: DIGEST-VALUE marks a key with one.
		ttl := strings.Trim(c.do("PTTL", k), ":\r\n")
		if strings.HasPrefix(ttl, "-") {
			ttl = "0"
		}
		if got := c.do("RESTORE", k+"-copy", ttl, p); got != "+OK\r\n" {
			t.Fatalf("RESTORE %s-copy: %q", k, got)
		}
		want, got := c.do("DEBUG", "DIGEST-VALUE", k), c.do("DEBUG", "DIGEST-VALUE", k+"-copy")
		if want != got {
			t.Errorf("%s: digest %q, the restored copy's %q", k, want, got)
		}
		if want, got := c.do("OBJECT", "ENCODING", k), c.do("OBJECT", "ENCODING", k+"-copy"); want != got {
			t.Errorf("%s: encoding %q, the restored copy's %q", k, want, got)
		}
		if got := c.do("RESTORE", k+"-copy", "0", p); got != "-"+errBusyKey+"\r\n" {
			t.Errorf("RESTORE over %s-copy: %q", k, got)
		}
	}
}

// A relative TTL reaches the AOF (and replicas) as an absolute time with
// ABSTTL; an absolute one as it came.
func TestRestorePropagatesAbsoluteTTL(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	c.do("SET", "k", "v")
	p := bulk(t, c.do("DUMP", "k"))
	before := tw.server().expireNowMs()
	if got := c.do("RESTORE", "r", "100000", p); got != "+OK\r\n" {
		t.Fatalf("RESTORE: %q", got)
	}
	after := tw.server().expireNowMs()
	data := aofIncrData(t, tw.host.Disk())
	i := bytes.Index(data, []byte("RESTORE"))
	if i < 0 {
		t.Fatalf("no RESTORE in the AOF: %q", data)
	}
	r := resp.NewReader()
	r.Feed(data[bytes.LastIndexByte(data[:i], '*'):])
	args, ok, err := r.Next()
	if err != nil || !ok || len(args) != 5 || !strings.EqualFold(string(args[4]), "ABSTTL") || string(args[3]) != p {
		t.Fatalf("propagated %q, want RESTORE r <ms> <payload> ABSTTL", args)
	}
	ms, err := strconv.ParseInt(string(args[2]), 10, 64)
	if err != nil || ms < before+100000 || ms > after+100000 {
		t.Fatalf("propagated TTL %q, want between %d and %d", args[2], before+100000, after+100000)
	}
}

// SAVE writes every encoding, the function libraries and the TTLs in a
// file that rdbfile reads back, and a restart loads the same dataset.
func TestSnapshotRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	everyEncoding(t, c)
	digest := c.do("DEBUG", "DIGEST")
	mustReply(t, c, "+OK\r\n", "SAVE")
	data, err := tw.host.Disk().Read("dump.rdb")
	if err != nil {
		t.Fatal(err)
	}
	f, err := rdbfile.ReadAll(data, rdbfile.ReadOptions{})
	if err != nil {
		t.Fatalf("rdbfile refuses the node's dump.rdb: %v", err)
	}
	if len(f.Functions) != 1 || len(f.Keys) != len(encodingKeys)+1 {
		t.Errorf("the file holds %d libraries and %d keys, want 1 and %d", len(f.Functions), len(f.Keys), len(encodingKeys)+1)
	}
	if v, _ := f.AuxValue("redis-ver"); v != Version {
		t.Errorf("redis-ver %q", v)
	}
	tw.crashAndRestart()
	c = tw.dial()
	if got := c.do("DEBUG", "DIGEST"); got != digest {
		t.Errorf("digest after the restart %q, before %q", got, digest)
	}
	if got := c.do("FCALL", "f", "0"); got != ":1\r\n" {
		t.Errorf("FCALL f after the restart: %q", got)
	}
	for _, k := range encodingKeys {
		if got := c.do("EXISTS", k); got != ":1\r\n" {
			t.Errorf("%s is gone after the restart", k)
		}
	}
}
