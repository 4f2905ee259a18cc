package redis

import (
	"strconv"
	"testing"
)

// DatasetHash agrees exactly where DEBUG DIGEST does: the same data built
// in another order or encoding hashes the same, and any change to a key,
// an element, a type, a database or an expire's presence changes it.
func TestDatasetHashAgreesWithDigest(t *testing.T) {
	type state struct{ hash, digest string }
	build := func(cmds ...[]string) state {
		tw := newTestWorld(t, DefaultConfig())
		c := tw.dial()
		for _, cmd := range cmds {
			if got := c.do(cmd...); len(got) > 0 && got[0] == '-' {
				t.Fatalf("%v: %q", cmd, got)
			}
		}
		s := tw.server()
		return state{s.DatasetHash(), s.digestHex()}
	}
	base := [][]string{
		{"SET", "s", "hello world, a string longer than eight bytes"},
		{"RPUSH", "l", "a", "b", "c"},
		{"SADD", "set", "1", "2", "3"},
		{"SADD", "big", "x", "y", "zzzzzzzzzzzzzzzzz"},
		{"HSET", "h", "f1", "v1", "f2", "v2"},
		{"ZADD", "z", "1", "a", "2.5", "b"},
		{"XADD", "st", "1-1", "f", "v"},
	}
	ref := build(base...)
	same := map[string][][]string{
		"other order": {
			{"XADD", "st", "1-1", "f", "v"}, {"ZADD", "z", "2.5", "b", "1", "a"}, {"HSET", "h", "f2", "v2", "f1", "v1"},
			{"SADD", "big", "zzzzzzzzzzzzzzzzz", "y", "x"}, {"SADD", "set", "3", "2", "1"}, {"RPUSH", "l", "a", "b", "c"},
			{"SET", "s", "hello world, a string longer than eight bytes"},
		},
		// An intset turned into a hash table by a non-integer member
		// that is then removed holds the same members.
		"other encoding": append(base[:2:2], []string{"SADD", "set", "1", "2", "3", "x"}, []string{"SREM", "set", "x"},
			base[3], base[4], base[5], base[6]),
	}
	for name, cmds := range same {
		if got := build(cmds...); got.digest != ref.digest || got.hash != ref.hash {
			t.Errorf("%s: digest equal %v, hash equal %v", name, got.digest == ref.digest, got.hash == ref.hash)
		}
	}
	differ := map[string][]string{
		"a string":       {"APPEND", "s", "!"},
		"a list's order": {"LMOVE", "l", "l", "LEFT", "RIGHT"},
		"a set member":   {"SADD", "set", "4"},
		"a hash value":   {"HSET", "h", "f1", "v9"},
		"a score":        {"ZADD", "z", "3", "a"},
		"a stream":       {"XADD", "st", "2-1", "f", "v"},
		"an expire":      {"EXPIRE", "l", "1000"},
		"another db":     {"MOVE", "s", "3"},
		"a type":         {"DEL", "big"},
		"a key's name":   {"RENAME", "h", "h2"},
	}
	for name, cmd := range differ {
		got := build(append(base, cmd)...)
		if got.digest == ref.digest {
			t.Fatalf("%s: DEBUG DIGEST did not change", name)
		}
		if got.hash == ref.hash {
			t.Errorf("%s: DatasetHash did not change", name)
		}
	}
}

func BenchmarkDatasetHash(b *testing.B) {
	tw := newTestWorld(&testing.T{}, DefaultConfig())
	c := tw.dial()
	for i := 0; i < 20000; i += 100 {
		args := []string{"SADD", "s"}
		for j := i; j < i+100; j++ {
			args = append(args, "member:"+string(rune('a'+j%26))+strconv.Itoa(j))
		}
		c.do(args...)
	}
	s := tw.server()
	b.Run("DatasetHash", func(b *testing.B) {
		for range b.N {
			s.DatasetHash()
		}
	})
	b.Run("DEBUG DIGEST", func(b *testing.B) {
		for range b.N {
			s.digestHex()
		}
	})
}
