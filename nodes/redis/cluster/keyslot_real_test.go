package cluster_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// slotTestKeys is a few thousand keys meant to find any difference from
// keyHashSlot: hash tags in every position, empty and unclosed tags,
// nested braces, unicode and arbitrary bytes.
func slotTestKeys() [][]byte {
	r := rand.New(rand.NewPCG(16, 1))
	keys := [][]byte{[]byte("{}"), []byte("{"), []byte("}"), []byte("{{}}"), []byte("}{"), []byte("{a}"),
		[]byte("a{}b{c}"), []byte("{{a}}"), []byte("\x00"), []byte("{\x00}"), []byte("ключ{тег}"), []byte("🔑{🏷}x")}
	alphabet := []byte("ab{}{}{}\x00\xff\r\n é")
	for range 3000 {
		var k []byte
		switch r.IntN(4) {
		case 0: // short keys over an alphabet heavy in braces
			for range r.IntN(12) {
				k = append(k, alphabet[r.IntN(len(alphabet))])
			}
		case 1: // arbitrary bytes
			for range r.IntN(40) {
				k = append(k, byte(r.IntN(256)))
			}
		case 2: // realistic tagged keys
			k = []byte("user:{" + strconv.Itoa(r.IntN(100000)) + "}:" + strconv.Itoa(r.IntN(10)))
		default: // unicode around braces
			runes := []rune("{}aé€𝄞ж")
			s := ""
			for range r.IntN(10) {
				s += string(runes[r.IntN(len(runes))])
			}
			k = []byte(s)
		}
		keys = append(keys, k)
	}
	return keys
}

func TestKeyHashSlotMatchesRedis(t *testing.T) {
	n := startRealNode(t)
	keys := slotTestKeys()
	// Pipelined: all requests first, then all replies.
	for _, k := range keys {
		if err := n.conn.Send([]byte("CLUSTER"), []byte("KEYSLOT"), k); err != nil {
			t.Fatal(err)
		}
	}
	bad := 0
	for _, k := range keys {
		raw, err := n.conn.Receive(5e9)
		if err != nil {
			t.Fatal(err)
		}
		want, err := strconv.Atoi(decodeReply(t, "CLUSTER KEYSLOT", raw))
		if err != nil {
			t.Fatalf("KEYSLOT %q: reply %q", k, raw)
		}
		if got := cluster.KeyHashSlot(k); got != want {
			if bad++; bad <= 10 {
				t.Errorf("KeyHashSlot(%q) = %d, redis-server says %d", k, got, want)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d keys differ", bad, len(keys))
	}
	t.Logf("%d keys agree with redis-server", len(keys))
}
