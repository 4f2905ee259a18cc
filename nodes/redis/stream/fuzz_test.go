package stream

import (
	"fmt"
	"testing"
)

var fuzzCommands = []string{"XADD", "XRANGE", "XREVRANGE", "XLEN", "XDEL", "XTRIM", "XREAD", "XREADGROUP",
	"XGROUP", "XACK", "XPENDING", "XCLAIM", "XAUTOCLAIM", "XINFO", "XSETID", "DEL"}

var fuzzWords = []string{"s", "t", "g", "g2", "c", "c2", "*", "-", "+", "$", ">", "0", "1", "5", "-1", "1-1",
	"1-2", "2-0", "5-*", "(1-1", "18446744073709551615-18446744073709551615", "18446744073709551615", "MAXLEN",
	"MINID", "~", "=", "LIMIT", "NOMKSTREAM", "COUNT", "BLOCK", "NOACK", "STREAMS", "GROUP", "IDLE", "TIME",
	"RETRYCOUNT", "FORCE", "JUSTID", "LASTID", "MKSTREAM", "ENTRIESREAD", "ENTRIESADDED", "MAXDELETEDID", "FULL",
	"CREATE", "SETID", "DESTROY", "CREATECONSUMER", "DELCONSUMER", "HELP", "STREAM", "GROUPS", "CONSUMERS",
	"f", "v", "100", "0-0", "", "\x00", "1000000000000", "-9223372036854775808", "3-0", "(", "1-*", "2"}

// decodeCommands turns fuzz bytes into commands: 0xFF ends a command, the
// first byte of a command picks its name and every other byte a word;
// 0xFE moves the clock back.
func decodeCommands(data []byte) (cmds [][][]byte, clock []int64) {
	var cur [][]byte
	now := int64(1_000_000)
	for _, b := range data {
		switch {
		case b == 0xFF:
			if cur != nil {
				cmds, clock = append(cmds, cur), append(clock, now)
			}
			cur = nil
			now += 1
		case b == 0xFE:
			now -= 50
		case cur == nil:
			cur = [][]byte{[]byte(fuzzCommands[int(b)%len(fuzzCommands)])}
		default:
			cur = append(cur, []byte(fuzzWords[int(b)%len(fuzzWords)]))
		}
	}
	if cur != nil {
		cmds, clock = append(cmds, cur), append(clock, now)
	}
	return cmds, clock
}

// checkInvariants verifies the stream's bookkeeping against its content.
func checkInvariants(s *Stream) error {
	var live int64
	var last ID
	for ni, n := range s.nodes {
		if ni > 0 && !s.nodes[ni-1].master.Less(n.master) {
			return fmt.Errorf("node keys out of order at %d", ni)
		}
		if len(n.entries) == 0 || n.entries[0].id != n.master {
			return fmt.Errorf("node %v does not start with its master", n.master)
		}
		var l, d int64
		size := lpHeaderAndEnd + lpIntSize(int64(len(n.fields))) + lpIntSize(0)
		for _, f := range n.fields {
			size += lpStringSize(f)
		}
		for i, e := range n.entries {
			if e.deleted {
				d++
			} else {
				l++
				if live+l > 1 && !last.Less(e.id) {
					return fmt.Errorf("live entries out of order at %v", e.id)
				}
				last = e.id
			}
			if n.sorted && i > 0 && !n.entries[i-1].id.Less(e.id) {
				return fmt.Errorf("node %v flagged sorted but is not", n.master)
			}
			nf := int64(len(e.fv) / 2)
			same := e.same
			if i == 0 && !same {
				return fmt.Errorf("node %v: the master entry lacks SAMEFIELDS", n.master)
			}
			lpCount := nf + 3
			size += lpIntSize(0) + lpIntSize(int64(e.id.Ms-n.master.Ms)) + lpIntSize(int64(e.id.Seq-n.master.Seq))
			if !same {
				size += lpIntSize(nf)
				lpCount += nf + 1
			}
			for k, b := range e.fv {
				if k%2 == 1 || !same {
					size += lpStringSize(b)
				}
			}
			size += lpIntSize(lpCount)
		}
		if l != n.live || d != n.deleted {
			return fmt.Errorf("node %v counts %d/%d, entries say %d/%d", n.master, n.live, n.deleted, l, d)
		}
		if size != n.size {
			return fmt.Errorf("node %v size %d, entries say %d", n.master, n.size, size)
		}
		live += l
	}
	if live != s.length && s.replaced == 0 {
		return fmt.Errorf("length %d, nodes hold %d", s.length, live)
	}
	var perConsumer int
	var err error
	s.groups.All(func(_ string, g *Group) bool {
		g.consumers.All(func(_ string, c *Consumer) bool {
			perConsumer += c.pel.Len()
			c.pel.All(func(id ID, p *pending) bool {
				if gp, ok := g.pel.Get(id); !ok || gp != p || p.consumer != c {
					err = fmt.Errorf("group %s: %v in %s's PEL only", g.name, id, c.name)
				}
				return true
			})
			return true
		})
		if perConsumer != g.pel.Len() {
			err = fmt.Errorf("group %s: PEL %d, consumers' %d", g.name, g.pel.Len(), perConsumer)
		}
		perConsumer = 0
		return err == nil
	})
	return err
}

// FuzzCommands runs fuzzed command sequences on the model: no input may
// panic, and the streams' bookkeeping must stay consistent.
func FuzzCommands(f *testing.F) {
	f.Add([]byte{0, 0, 6, 53, 54, 0xFF, 7, 0, 1, 0, 7, 0xFF, 8, 44, 0, 2, 12, 0xFF, 0, 0, 8, 53, 54, 0xFF,
		7, 32, 2, 4, 30, 0, 10, 0xFF, 10, 0, 2, 10, 0xFF, 12, 0, 2, 5, 11, 15, 0xFF, 14, 50, 0, 0xFF})
	f.Add([]byte{0, 0, 22, 25, 3, 15, 53, 54, 0xFF, 0, 0, 16, 53, 54, 0xFF, 4, 0, 15, 0xFF, 14, 0, 15, 0xFF,
		0, 0, 15, 53, 54, 0xFF, 1, 0, 7, 8, 0xFF, 13, 50, 0, 45, 0xFF})
	f.Add([]byte{0, 0, 18, 53, 54, 0xFE, 0xFF, 0, 0, 6, 53, 54, 0xFF, 15, 0, 0xFF, 8, 44, 0, 2, 11, 38, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		cmds, clock := decodeCommands(data)
		m := newModel()
		m.cfg = Config{NodeMaxBytes: 64, NodeMaxEntries: 3}
		for i, argv := range cmds {
			r, _ := m.exec(argv, clock[i])
			if _, ok := r.(replyErr); !ok {
				for _, p := range []int{2, 3} {
					m.proto = p
					m.exec(toBytes([]string{"XINFO", "STREAM", "s", "FULL"}), clock[i])
				}
			}
			for _, key := range []string{"s", "t"} {
				if s := m.streams[key]; s != nil {
					if err := checkInvariants(s); err != nil {
						t.Fatalf("after %q: %v", argv, err)
					}
				}
			}
		}
	})
}
