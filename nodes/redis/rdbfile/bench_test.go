package rdbfile

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchKeys is the size of the benchmark dataset.
const benchKeys = 100_000

// benchDataset is a fixed mixed dataset of 1e5 keys: 40% strings
// (integers, short, 100-byte compressible), 15% small hashes (listpack),
// 1% large hashes (hash table), 15% lists of 10 items, 10% intsets, 5%
// sets of strings, 12% small zsets, 2% large zsets (skiplist), and
// streams of 20 entries with a group; one key in ten has a TTL.
func benchDataset() []KeyRecord {
	r := rand.New(rand.NewPCG(42, 43))
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return b
	}
	exp := int64(4102444800000)
	keys := make([]KeyRecord, 0, benchKeys)
	for i := range benchKeys {
		k := []byte(fmt.Sprintf("key:%07d", i))
		var v *Value
		switch p := i % 100; {
		case p < 15:
			v = &Value{Type: TypeString, Str: []byte(strconv.Itoa(r.IntN(1 << 30)))}
		case p < 30:
			v = &Value{Type: TypeString, Str: word(10 + r.IntN(20))}
		case p < 40:
			v = &Value{Type: TypeString, Str: []byte(strings.Repeat(string(word(10)), 10))}
		case p < 55:
			v = &Value{Type: TypeHash, Encoding: EncodingListpack}
			for f := range 5 {
				v.Elems = append(v.Elems, []byte("field"+strconv.Itoa(f)), word(8))
			}
		case p < 56:
			v = &Value{Type: TypeHash, Encoding: EncodingHashtable}
			for f := range 200 {
				v.Elems = append(v.Elems, []byte("field"+strconv.Itoa(f)), word(12))
			}
		case p < 71:
			v = &Value{Type: TypeList}
			for range 10 {
				v.Elems = append(v.Elems, word(12))
			}
		case p < 81:
			v = &Value{Type: TypeSet, Encoding: EncodingIntset}
			for n := range 10 {
				v.Elems = append(v.Elems, []byte(strconv.Itoa(n*1000+r.IntN(1000))))
			}
		case p < 86:
			v = &Value{Type: TypeSet, Encoding: EncodingHashtable}
			for n := range 10 {
				v.Elems = append(v.Elems, append([]byte("m"+strconv.Itoa(n)), word(6)...))
			}
		case p < 98:
			v = &Value{Type: TypeZSet, Encoding: EncodingListpack}
			for n := range 10 {
				v.Elems = append(v.Elems, append([]byte("m"+strconv.Itoa(n)), word(6)...))
				v.Scores = append(v.Scores, float64(n)+0.5)
			}
		case p < 99:
			v = &Value{Type: TypeZSet, Encoding: EncodingSkiplist}
			for n := range 200 {
				v.Elems = append(v.Elems, append([]byte("m"+strconv.Itoa(n)), word(6)...))
				v.Scores = append(v.Scores, float64(n)*1.25)
			}
		default:
			s := &Stream{Length: 20, EntriesAdded: 20}
			node := StreamNode{Master: StreamID{1700000000000, 0}, MasterFields: [][]byte{[]byte("a"), []byte("b")}}
			for n := range 20 {
				id := StreamID{1700000000000 + uint64(n), 0}
				node.Entries = append(node.Entries, StreamEntry{ID: id, Fields: [][]byte{[]byte("a"), word(5), []byte("b"), []byte(strconv.Itoa(n))}})
			}
			s.Nodes = []StreamNode{node}
			s.FirstID, s.LastID = node.Entries[0].ID, node.Entries[19].ID
			s.Groups = []StreamGroup{{Name: []byte("g"), LastID: node.Entries[4].ID, EntriesRead: 5,
				PEL:       []StreamPending{{ID: node.Entries[4].ID, DeliveryTime: 1700000000000, DeliveryCount: 1}},
				Consumers: []StreamConsumer{{Name: []byte("c"), SeenTime: 1700000000000, PEL: []StreamID{node.Entries[4].ID}}}}}
			v = &Value{Type: TypeStream, Stream: s}
		}
		meta := NoMeta
		if i%10 == 3 {
			meta.ExpireAtMs = exp + int64(i)
		}
		keys = append(keys, KeyRecord{Key: k, Value: v, Meta: meta})
	}
	return keys
}

func writeDataset(keys []KeyRecord, buf []byte) []byte {
	w := NewWriter(buf[:0], DefaultOptions())
	w.InfoAux(Info{RedisVer: "7.0.15", Bits: 64, CTime: 1700000000, UsedMem: 1 << 26})
	var expires uint64
	for _, k := range keys {
		if k.Meta.ExpireAtMs != -1 {
			expires++
		}
	}
	w.SelectDB(0, uint64(len(keys)), expires)
	for _, k := range keys {
		if err := w.Key(k.Key, k.Value, k.Meta); err != nil {
			panic(err)
		}
	}
	return w.Finish()
}

func BenchmarkWrite(b *testing.B) {
	keys := benchDataset()
	buf := writeDataset(keys, nil)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		buf = writeDataset(keys, buf)
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func BenchmarkRead(b *testing.B) {
	data := writeDataset(benchDataset(), nil)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		f, err := ReadAll(data, ReadOptions{})
		if err != nil || len(f.Keys) != benchKeys {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkRedisServerSave and BenchmarkRedisServerLoad time a real
// redis-server 7.0's SAVE and DEBUG RELOAD NOSAVE (flush, then load
// dump.rdb) on the same dataset, loaded from this package's file, for
// BENCHMARKS.md's comparison. The time includes a loopback round trip.
func BenchmarkRedisServerSave(b *testing.B) {
	s, size := benchServer(b)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		s.do("SAVE")
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func BenchmarkRedisServerLoad(b *testing.B) {
	s, size := benchServer(b)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		s.do("DEBUG", "RELOAD", "NOSAVE")
	}
	b.StopTimer()
	if n := s.do("DBSIZE").(int64); n != benchKeys {
		b.Fatalf("DBSIZE %d after reload", n)
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func benchServer(b *testing.B) (*redisServer, int64) {
	data := writeDataset(benchDataset(), nil)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	s := startRedis(b, dir)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := s.try("DBSIZE"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := s.do("DBSIZE").(int64); n != benchKeys {
		b.Fatalf("redis-server loaded %d keys, want %d", n, benchKeys)
	}
	return s, int64(len(data))
}
