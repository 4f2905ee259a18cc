package redis

import (
	"strconv"
	"strings"
	"testing"
)

// TestUsedMemoryVsRedis compares the growth of the node's used_memory
// over a dataset with what redis-server 7.0.15 (x86-64, jemalloc)
// reported for the same dataset, loaded with redis-cli --pipe after a
// FLUSHALL: the difference of INFO used_memory before and after. The
// model must be within 15% of it (see usedmemory.go for why it cannot be
// equal).
func TestUsedMemoryVsRedis(t *testing.T) {
	cases := []struct {
		name  string
		redis int64 // used_memory's growth in redis-server 7.0.15
		cmds  func(yield func(args ...string))
	}{
		{"10000 short strings", 979656, func(y func(...string)) {
			for i := 1; i <= 10000; i++ {
				y("SET", "key:"+strconv.Itoa(i), "value:"+strconv.Itoa(i))
			}
		}},
		{"1000 hashes of 10 fields", 184880, func(y func(...string)) {
			for i := 1; i <= 1000; i++ {
				args := []string{"HSET", "h:" + strconv.Itoa(i)}
				for j := 1; j <= 10; j++ {
					args = append(args, "f"+strconv.Itoa(j), "v"+strconv.Itoa(j))
				}
				y(args...)
			}
		}},
		{"100 lists of 1000", 941712, func(y func(...string)) {
			for i := 1; i <= 100; i++ {
				args := []string{"RPUSH", "l:" + strconv.Itoa(i)}
				for j := 1; j <= 1000; j++ {
					args = append(args, "item"+strconv.Itoa(j))
				}
				y(args...)
			}
		}},
		{"5000 100-byte strings with TTL", 1131072, func(y func(...string)) {
			for i := 1; i <= 5000; i++ {
				y("SET", "t:"+strconv.Itoa(i), strings.Repeat("x", 100), "EX", "10000")
			}
		}},
		{"200 zsets of 200 (skiplist)", 4332976, func(y func(...string)) {
			for i := 1; i <= 200; i++ {
				args := []string{"ZADD", "z:" + strconv.Itoa(i)}
				for j := 1; j <= 200; j++ {
					args = append(args, strconv.Itoa(j), "m"+strconv.Itoa(j))
				}
				y(args...)
			}
		}},
		{"200 sets of 600 integers (hashtable)", 6489136, func(y func(...string)) {
			for i := 1; i <= 200; i++ {
				args := []string{"SADD", "s:" + strconv.Itoa(i)}
				for j := 1; j <= 600; j++ {
					args = append(args, strconv.Itoa(j))
				}
				y(args...)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tw := newTestWorld(t, DefaultConfig())
			c := tw.dial()
			before := tw.server().usedMemory()
			tc.cmds(func(args ...string) { c.send(args...) })
			c.do("PING")
			got := tw.server().usedMemory() - before
			ratio := float64(got) / float64(tc.redis)
			t.Logf("node %d, redis %d: %.3f", got, tc.redis, ratio)
			if ratio < 0.85 || ratio > 1.15 {
				t.Errorf("node's used_memory grew by %d, Redis's by %d (ratio %.2f)", got, tc.redis, ratio)
			}
		})
	}
}
