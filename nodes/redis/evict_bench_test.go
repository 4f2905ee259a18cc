package redis

import (
	"strconv"
	"testing"
)

// BenchmarkMaxmemory runs SET, GET and RPUSH over 10,000 keys (lists of up
// to a few thousand elements) with maxmemory 0 (nothing tracked), with a
// limit far above the dataset (accounting only) and with a limit the
// dataset passes under allkeys-lru (accounting and eviction on most
// writes): one op is one command.
func BenchmarkMaxmemory(b *testing.B) {
	for _, bc := range []struct {
		name   string
		limit  string
		policy string
	}{{"off", "0", "noeviction"}, {"under", "4gb", "noeviction"}, {"evicting", "3mb", "allkeys-lru"}} {
		b.Run(bc.name, func(b *testing.B) {
			s, c := benchServer(b)
			runCmd(s, c, [][]byte{[]byte("CONFIG"), []byte("SET"), []byte("maxmemory-policy"), []byte(bc.policy)})
			runCmd(s, c, [][]byte{[]byte("CONFIG"), []byte("SET"), []byte("maxmemory"), []byte(bc.limit)})
			keys := benchKeys(10000)
			lists := make([][]byte, 100)
			for i := range lists {
				lists[i] = []byte("list:" + strconv.Itoa(i))
			}
			set, get, rpush, val := []byte("SET"), []byte("GET"), []byte("RPUSH"), []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
			args := make([][]byte, 3)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				switch i % 3 {
				case 0:
					args = append(args[:0], set, keys[i%len(keys)], val)
				case 1:
					args = append(args[:0], get, keys[(i/3)%len(keys)])
				default:
					args = append(args[:0], rpush, lists[i%len(lists)], val)
				}
				runCmd(s, c, args)
			}
			b.ReportMetric(float64(s.stats.evictedKeys)/float64(b.N), "evictions/op")
		})
	}
}
