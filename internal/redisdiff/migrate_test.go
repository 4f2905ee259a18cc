package redisdiff

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/internal/freeport"
)

// MIGRATE between the node and a real redis-server, both ways: the keys
// arrive with the same value digests and TTLs, and leave the source.
func TestMigrateWithRealRedis(t *testing.T) {
	node, real := startNode(t), StartRedis(t)
	for _, tc := range []struct{ from, to string }{{node, real}, {real, node}} {
		src, dst := dialTest(t, tc.from), dialTest(t, tc.to)
		for _, cmd := range [][]string{
			{"FLUSHALL"}, {"SET", "s", "hello"}, {"RPUSH", "l", "a", "b", "c"}, {"HSET", "h", "f", "v"},
			{"SADD", "set", "1", "2", "3"}, {"ZADD", "z", "1", "m"}, {"XADD", "x", "1-1", "f", "v"},
			{"SET", "ttl", "v", "PX", "100000"},
		} {
			if _, err := src.DoStrings(cmd...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := dst.DoStrings("FLUSHALL"); err != nil {
			t.Fatal(err)
		}
		keys := []string{"s", "l", "h", "set", "z", "x", "ttl"}
		want, err := src.DoStrings(append([]string{"DEBUG", "DIGEST-VALUE"}, keys...)...)
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(tc.to)
		got, err := src.DoStrings(append([]string{"MIGRATE", host, port, "", "0", "5000", "KEYS"}, keys...)...)
		if err != nil || string(got) != "+OK\r\n" {
			t.Fatalf("MIGRATE %s -> %s: %q %v", tc.from, tc.to, got, err)
		}
		moved, _ := dst.DoStrings(append([]string{"DEBUG", "DIGEST-VALUE"}, keys...)...)
		if string(moved) != string(want) {
			t.Fatalf("MIGRATE %s -> %s: digests %q, want %q", tc.from, tc.to, moved, want)
		}
		if left, _ := src.DoStrings(append([]string{"EXISTS"}, keys...)...); string(left) != ":0\r\n" {
			t.Fatalf("MIGRATE %s -> %s left keys: EXISTS = %q", tc.from, tc.to, left)
		}
		if ttl, _ := dst.DoStrings("PTTL", "ttl"); !strings.HasPrefix(string(ttl), ":9") && string(ttl) != ":100000\r\n" {
			t.Fatalf("MIGRATE %s -> %s: PTTL = %q", tc.from, tc.to, ttl)
		}
	}
}

// MIGRATE to a port nothing listens on: 7.0.15's connBlockingConnect
// takes the refused connection for an open one, so the write fails (and
// its one retry): IOERR writing, not connecting. The node answers as
// the real server does.
func TestMigrateRefusedWithRealRedis(t *testing.T) {
	node, real := startNode(t), StartRedis(t)
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(port)
	var replies []string
	for _, addr := range []string{real, node} {
		c := dialTest(t, addr)
		if _, err := c.DoStrings("SET", "k", "v"); err != nil {
			t.Fatal(err)
		}
		got, err := c.DoStrings("MIGRATE", "127.0.0.1", closed, "k", "0", "1000")
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, string(got))
	}
	if replies[0] != replies[1] {
		t.Fatalf("MIGRATE to a closed port: real Redis %q, the node %q", replies[0], replies[1])
	}
	if replies[0] != "-IOERR error or timeout writing to target instance\r\n" {
		t.Fatalf("real Redis replied %q", replies[0])
	}
}

// A MIGRATE whose target refuses a key (BUSYKEY) replies with an error
// once the exchange is over: it counts in errorstats, total_error_replies
// and MIGRATE's failed_calls, on the node as on redis-server; the keys
// acknowledged before it leave the source, the refused one stays.
func TestMigrateErrorCounted(t *testing.T) {
	node, real := startNode(t), StartRedis(t)
	var stories [2]string
	for i, src0 := range []string{real, node} {
		target := StartRedis(t)
		host, port, _ := net.SplitHostPort(target)
		src, dst := dialTest(t, src0), dialTest(t, target)
		do := func(c *Conn, args ...string) string {
			raw, err := c.DoStrings(args...)
			if err != nil {
				t.Fatalf("%s: %v: %v", src0, args, err)
			}
			return strings.TrimSpace(string(raw))
		}
		do(src, "CONFIG", "RESETSTAT")
		do(src, "MSET", "a", "1", "b", "2", "c", "3")
		do(dst, "SET", "b", "x")
		seen := []string{do(src, "MIGRATE", host, port, "", "0", "5000", "KEYS", "a", "b", "c"), do(src, "EXISTS", "a", "b", "c")}
		for _, sec := range []string{"errorstats", "commandstats", "stats"} {
			for _, l := range strings.Split(do(src, "INFO", sec), "\n") {
				l = strings.TrimSpace(l)
				if strings.HasPrefix(l, "errorstat_") || strings.HasPrefix(l, "total_error_replies") {
					seen = append(seen, l)
				}
				if strings.HasPrefix(l, "cmdstat_migrate:") {
					seen = append(seen, l[strings.Index(l, "rejected_calls"):])
				}
			}
		}
		stories[i] = strings.Join(seen, " | ")
	}
	if stories[0] != stories[1] {
		t.Errorf("\n\tredis: %s\n\tnode:  %s", stories[0], stories[1])
	}
}
