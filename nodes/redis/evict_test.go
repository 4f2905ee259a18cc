package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// infoField reads one field of INFO through c.
func infoField(c *testConn, section, name string) string {
	for _, l := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

// limitAbove sets maxmemory to the node's used memory plus extra bytes.
func limitAbove(tw *testWorld, c *testConn, extra int64) {
	used := tw.server().usedMemory()
	c.expect("CONFIG SET maxmemory " + strconv.FormatInt(used+extra, 10) + " -> +OK\\r\\n")
}

func fill(c *testConn, prefix string, n int, ttl bool) {
	for i := range n {
		args := []string{"SET", prefix + strconv.Itoa(i), strings.Repeat("v", 100)}
		if ttl {
			args = append(args, "EX", strconv.Itoa(1000+i))
		}
		c.do(args...)
	}
}

func exists(c *testConn, key string) bool { return c.do("EXISTS", key) == ":1\r\n" }

func TestNoEvictionRefusesDenyOOM(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	fill(c, "k", 20, false)
	limitAbove(tw, c, -1)
	c.expect(`
SET new x -> -OOM command not allowed when used memory > 'maxmemory'.\r\n
GET k1 -> $100\r\n` + strings.Repeat("v", 100) + `\r\n
MULTI -> +OK\r\n
GET k1 -> -OOM command not allowed when used memory > 'maxmemory'.\r\n
DISCARD -> +OK\r\n
DEL k1 -> :1\r\n
`)
	if got := infoField(c, "stats", "evicted_keys"); got != "0" {
		t.Errorf("evicted_keys %s under noeviction", got)
	}
	if infoField(c, "stats", "current_eviction_exceeded_time") != "0" {
		// DEL freed enough: the node is no longer over the limit.
		t.Errorf("still over the limit after DEL")
	}
}

func TestAllKeysLRUEvictsTheIdle(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect("CONFIG SET maxmemory-policy allkeys-lru -> +OK\\r\\n")
	fill(c, "old", 30, false)
	tw.w.RunFor(20 * time.Second)
	fill(c, "hot", 10, false)
	limitAbove(tw, c, 0)
	fill(c, "new", 10, false)
	for i := range 10 {
		if !exists(c, "hot"+strconv.Itoa(i)) || !exists(c, "new"+strconv.Itoa(i)) {
			t.Fatalf("a recently used key was evicted before the idle ones")
		}
	}
	n, _ := strconv.Atoi(infoField(c, "stats", "evicted_keys"))
	if n < 8 || n > 12 {
		t.Errorf("evicted_keys %d, want about 10 (one per key added)", n)
	}
	if got := c.do("DBSIZE"); got != ":"+strconv.Itoa(50-n)+"\r\n" {
		t.Errorf("DBSIZE %q with %d evicted", got, n)
	}
}

func TestVolatilePoliciesOnlyTakeKeysWithTTL(t *testing.T) {
	for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			tw := newTestWorld(t, DefaultConfig())
			c := tw.dial()
			c.expect("CONFIG SET maxmemory-policy " + policy + " -> +OK\\r\\n")
			fill(c, "p", 10, false)
			fill(c, "t", 10, true)
			limitAbove(tw, c, 0)
			fill(c, "q", 5, false)
			for i := range 10 {
				if !exists(c, "p"+strconv.Itoa(i)) {
					t.Fatalf("persistent key p%d evicted", i)
				}
			}
			if policy == "volatile-ttl" {
				// The soonest to expire go first: t0 has the shortest TTL.
				if exists(c, "t0") || !exists(c, "t9") {
					t.Errorf("volatile-ttl kept t0 or dropped t9")
				}
			}
			// With no key left that has a TTL, nothing can be evicted.
			for i := range 10 {
				c.do("PERSIST", "t"+strconv.Itoa(i))
			}
			c.do("SET", "more", strings.Repeat("x", 500)) // runs under the limit, ends over it
			if got := c.do("SET", "more2", "x"); !strings.HasPrefix(got, "-OOM") {
				t.Errorf("SET with only persistent keys: %q", got)
			}
		})
	}
}

func TestLFUCountsAccesses(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect(`
SET a 1 -> +OK\r\n
OBJECT FREQ a -> -ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n
CONFIG SET maxmemory-policy allkeys-lfu -> +OK\r\n
OBJECT IDLETIME a -> -ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n
SET b bee -> +OK\r\n
OBJECT FREQ b -> :5\r\n
`)
	fill(c, "cold", 20, false)
	for range 200 {
		c.do("GET", "b")
	}
	freq, _ := strconv.Atoi(strings.Trim(c.do("OBJECT", "FREQ", "b"), ":\r\n"))
	if freq <= 5 || freq > 30 {
		t.Errorf("OBJECT FREQ after 200 reads: %d", freq)
	}
	limitAbove(tw, c, 0)
	fill(c, "new", 10, false)
	if !exists(c, "b") {
		t.Errorf("the most used key was evicted under allkeys-lfu")
	}
	// The counter decays by one a minute (lfu-decay-time 1).
	tw.w.RunFor(3 * time.Minute)
	freq2, _ := strconv.Atoi(strings.Trim(c.do("OBJECT", "FREQ", "b"), ":\r\n"))
	if freq2 < freq-4 || freq2 > freq-2 {
		t.Errorf("OBJECT FREQ %d three minutes after %d", freq2, freq)
	}
}

func TestEvictionIsDeterministic(t *testing.T) {
	run := func() string {
		tw := newTestWorld(t, DefaultConfig())
		c := tw.dial()
		c.expect("CONFIG SET maxmemory-policy allkeys-random -> +OK\\r\\n")
		fill(c, "k", 40, false)
		limitAbove(tw, c, 0)
		fill(c, "n", 10, false)
		return c.do("KEYS", "*")
	}
	a, b := run(), run()
	if a != b {
		t.Errorf("two runs of one seed evicted different keys:\n%q\n%q", a, b)
	}
	if strings.Count(a, "\r\n") >= 2*50+1 {
		t.Errorf("nothing was evicted")
	}
}

func TestEvictionNotifiesWatchesAndPropagates(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AppendOnly = true
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	sub := tw.dial()
	w := tw.dial()
	c.expect(`
CONFIG SET notify-keyspace-events Ee -> +OK\r\n
CONFIG SET maxmemory-policy allkeys-random -> +OK\r\n
CONFIG SET lazyfree-lazy-eviction yes -> +OK\r\n
SET victim x -> +OK\r\n
`)
	sub.do("SUBSCRIBE", "__keyevent@0__:evicted")
	w.expect(`
WATCH victim -> +OK\r\n
MULTI -> +OK\r\n
`)
	// The limit leaves room for nothing: every key goes.
	c.expect("CONFIG SET maxmemory 1 -> +OK\\r\\n")
	if exists(c, "victim") {
		t.Fatalf("victim survived a 1-byte maxmemory")
	}
	w.expect("EXEC -> *-1\\r\\n")
	tw.w.RunFor(10 * time.Millisecond)
	if got := sub.replies[len(sub.replies)-1]; got != "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$6\r\nvictim\r\n" {
		t.Errorf("evicted event: %q", got)
	}
	tw.w.RunFor(2 * time.Second)
	srv := tw.server()
	aof, _ := tw.host.Disk().Read(srv.aofPath(srv.aofIncr))
	if !strings.Contains(string(aof), "$6\r\nUNLINK\r\n$6\r\nvictim\r\n") {
		t.Errorf("eviction not propagated as UNLINK: %q", aof)
	}
}

func TestScriptsUnderOOM(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.do("SET", "x", "1")
	c.expect(`
CONFIG SET maxmemory 1 -> +OK\r\n
EVAL "return 1" 0 -> :1\r\n
EVAL "return redis.call('get','x')" 0 -> $1\r\n1\r\n
EVAL_RO "return redis.call('get','x')" 0 -> $1\r\n1\r\n
`)
	got := c.do("EVAL", "return redis.call('set','x','y')", "0")
	if !strings.HasPrefix(got, "-OOM command not allowed when used memory > 'maxmemory'. script: ") {
		t.Errorf("compat-mode script's write under OOM: %q", got)
	}
	for _, tc := range []struct{ script, want string }{
		{"#!lua\nreturn redis.call('set','x','y')", "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{"#!lua flags=allow-oom\nreturn redis.call('set','x','y')", "+OK\r\n"},
		{"#!lua flags=no-writes\nreturn redis.call('get','x')", "$1\r\ny\r\n"},
	} {
		if got := c.do("EVAL", tc.script, "0"); got != tc.want {
			t.Errorf("EVAL %q: %q, want %q", tc.script, got, tc.want)
		}
	}
}

func TestReplicaIgnoresMaxmemory(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	fill(c, "k", 10, false)
	c.expect(`
REPLICAOF 10.9.9.9 6379 -> +OK\r\n
CONFIG SET maxmemory-policy allkeys-lru -> +OK\r\n
CONFIG SET maxmemory 1 -> +OK\r\n
DBSIZE -> :10\r\n
CONFIG SET replica-ignore-maxmemory no -> +OK\r\n
DBSIZE -> :0\r\n
`)
}

// The incremental count must equal a count from scratch after any mix of
// writes.
func TestUsedMemoryIncrementalMatchesRecount(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect("CONFIG SET maxmemory 1000000000 -> +OK\\r\\n")
	for i := range 300 {
		k := "k" + strconv.Itoa(i%37)
		switch i % 9 {
		case 0:
			c.do("SET", k, strings.Repeat("a", i))
		case 1:
			c.do("APPEND", k, "more")
		case 2:
			c.do("RPUSH", "l"+k, strconv.Itoa(i), strings.Repeat("z", i))
		case 3:
			c.do("HSET", "h"+k, "f"+strconv.Itoa(i), "v")
		case 4:
			c.do("ZADD", "z"+k, strconv.Itoa(i), "m"+strconv.Itoa(i))
		case 5:
			c.do("SADD", "s"+k, strconv.Itoa(i*1000))
		case 6:
			c.do("DEL", k)
		case 7:
			c.do("SET", k, "1", "EX", "100")
		case 8:
			c.do("RENAME", "l"+k, "moved"+k)
		}
		if i%50 == 0 {
			c.do("SWAPDB", "0", "1")
		}
	}
	s := tw.server()
	inc := s.usedMemory()
	s.setTracking(false)
	if full := s.usedMemory(); full != inc {
		t.Errorf("incremental used memory %d, recount %d", inc, full)
	}
}
