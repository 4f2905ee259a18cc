package rdbfile

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Encoders of the formats Redis 7.0 still loads but no longer writes,
// for tests: ziplists, zipmaps and whole records of RDB 9 and older.

func testZiplist(elems []string) []byte {
	var body []byte
	prev, tail := 0, 10
	for _, s := range elems {
		tail = 10 + len(body)
		var e []byte
		if prev < 254 {
			e = append(e, byte(prev))
		} else {
			e = append(e, 0xfe)
			e = binary.LittleEndian.AppendUint32(e, uint32(prev))
		}
		if v, ok := parseInt([]byte(s)); ok {
			switch {
			case v >= 0 && v <= 12:
				e = append(e, 0xf1+byte(v))
			case v >= math.MinInt8 && v <= math.MaxInt8:
				e = append(e, 0xfe, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				e = binary.LittleEndian.AppendUint16(append(e, 0xc0), uint16(v))
			case v >= -1<<23 && v < 1<<23:
				e = append(e, 0xf0, byte(v), byte(v>>8), byte(v>>16))
			case v >= math.MinInt32 && v <= math.MaxInt32:
				e = binary.LittleEndian.AppendUint32(append(e, 0xd0), uint32(v))
			default:
				e = binary.LittleEndian.AppendUint64(append(e, 0xe0), uint64(v))
			}
		} else {
			n := len(s)
			switch {
			case n <= 0x3f:
				e = append(e, byte(n))
			case n <= 0x3fff:
				e = append(e, 0x40|byte(n>>8), byte(n))
			default:
				e = binary.BigEndian.AppendUint32(append(e, 0x80), uint32(n))
			}
			e = append(e, s...)
		}
		prev = len(e)
		body = append(body, e...)
	}
	zl := binary.LittleEndian.AppendUint32(nil, uint32(10+len(body)+1))
	zl = binary.LittleEndian.AppendUint32(zl, uint32(tail))
	zl = binary.LittleEndian.AppendUint16(zl, uint16(min(len(elems), 0xffff)))
	zl = append(zl, body...)
	return append(zl, 0xff)
}

func testZipmap(kv []string) []byte {
	zm := []byte{byte(min(len(kv)/2, 254))}
	putLen := func(n int) {
		if n < 254 {
			zm = append(zm, byte(n))
		} else {
			zm = binary.LittleEndian.AppendUint32(append(zm, 254), uint32(n))
		}
	}
	for i := 0; i < len(kv); i += 2 {
		putLen(len(kv[i]))
		zm = append(zm, kv[i]...)
		putLen(len(kv[i+1]))
		zm = append(zm, 3) // free bytes after the value
		zm = append(zm, kv[i+1]...)
		zm = append(zm, "xyz"...)
	}
	return append(zm, 0xff)
}

// oldFile builds an RDB 9 file holding every record type and encoding of
// older versions that 7.0 still loads.
func oldFile(t *testing.T) []byte {
	e := &encoder{opts: Options{Compression: true}}
	str := func(b []byte, s string) []byte { return e.appendString(b, []byte(s)) }
	b := []byte("REDIS0009")
	aux := func(k, v string) { b = str(str(append(b, opAux), k), v) }
	aux("redis-ver", "6.2.14")
	aux("redis-bits", "64")
	aux("%info", "a field Redis logs")
	b = append(b, opFunction)
	b = str(b, "oldlib")
	b = str(b, "lua")
	b = appendLen(b, 1)
	b = str(b, "a description")
	b = str(b, "redis.register_function('oldlib_f', function(keys, args) return 7 end)")
	b = append(b, opSelectDB)
	b = appendLen(b, 0)
	b = append(b, opResizeDB, 40, 2)
	key := func(t byte, k string) { b = str(append(b, t), k) }
	exp := uint32(time.Now().Add(3 * time.Hour).Unix())

	b = binary.LittleEndian.AppendUint32(append(b, opExpireTime), exp)
	key(RDBTypeString, "old:string:ttl")
	b = str(b, "value")
	b = append(b, opIdle, 5, opFreq, 9)
	key(RDBTypeString, "old:string:lru")
	b = str(b, strings.Repeat("compressible ", 10))

	key(RDBTypeList, "old:list")
	b = appendLen(b, 4)
	for _, s := range []string{"a", "12", strings.Repeat("long", 50), ""} {
		b = str(b, s)
	}
	key(RDBTypeSet, "old:set:ints")
	b = appendLen(b, 3)
	for _, s := range []string{"5", "-1", "70000"} {
		b = str(b, s)
	}
	key(RDBTypeSet, "old:set:mixed")
	b = appendLen(b, 3)
	for _, s := range []string{"5", "x", "70000"} {
		b = str(b, s)
	}
	key(RDBTypeZSet, "old:zset:ascii")
	b = appendLen(b, 5)
	for _, p := range []struct {
		m   string
		enc []byte
	}{{"one", []byte("\x011")}, {"half", []byte("\x030.5")}, {"up", []byte{254}}, {"down", []byte{255}}, {"exp", []byte("\x071.5e+10")}} {
		b = str(b, p.m)
		b = append(b, p.enc...)
	}
	key(RDBTypeHash, "old:hash:plain")
	b = appendLen(b, 2)
	for _, s := range []string{"f", "v", "n", "1"} {
		b = str(b, s)
	}
	key(RDBTypeHashZipmap, "old:hash:zipmap")
	b = str(b, string(testZipmap([]string{"name", "redis", "year", "2009", "big", strings.Repeat("b", 300)})))
	key(RDBTypeListZiplist, "old:list:ziplist")
	b = str(b, string(testZiplist([]string{"a", "0", "12", "13", "-100", "1000", "-70000", "5000000", "3000000000", "-9223372036854775808", strings.Repeat("s", 100), strings.Repeat("t", 20000)})))
	key(RDBTypeZSetZiplist, "old:zset:ziplist")
	b = str(b, string(testZiplist([]string{"a", "1", "b", "2.5", "c", "inf", "d", "-3"})))
	key(RDBTypeHashZiplist, "old:hash:ziplist")
	b = str(b, string(testZiplist([]string{"f1", "v1", "f2", "22", "33", strings.Repeat("v", 70)})))
	key(RDBTypeListQuicklist, "old:list:quicklist")
	b = appendLen(b, 2)
	b = str(b, string(testZiplist([]string{"q1", "q2", "3"})))
	b = str(b, string(testZiplist([]string{"q4", "-5"})))
	// Empty collections, which 7.0 skips.
	key(RDBTypeListZiplist, "old:empty:ziplist")
	b = str(b, string(testZiplist(nil)))
	key(RDBTypeSet, "old:empty:set")
	b = appendLen(b, 0)

	// A version 1 stream: no first ID, tombstone or entries-added, and
	// groups without entries-read.
	st := &Stream{Nodes: []StreamNode{{Master: StreamID{10, 0}, MasterFields: [][]byte{[]byte("f")},
		Entries: []StreamEntry{
			{ID: StreamID{10, 0}, Deleted: true, Fields: [][]byte{[]byte("f"), []byte("1")}},
			{ID: StreamID{10, 1}, Fields: [][]byte{[]byte("f"), []byte("2")}},
			{ID: StreamID{11, 0}, Fields: [][]byte{[]byte("g"), []byte("3")}},
		}}}}
	key(RDBTypeStreamListpacks, "old:stream")
	b = appendLen(b, 1)
	b = str(b, string(appendStreamID(nil, StreamID{10, 0})))
	lp, err := appendStreamListpack(nil, &st.Nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	b = str(b, string(lp))
	b = appendLen(b, 2)  // length
	b = appendLen(b, 11) // last ID
	b = appendLen(b, 0)
	b = appendLen(b, 3) // groups
	for i, g := range []struct {
		name string
		last StreamID
	}{{"at-first", StreamID{10, 1}}, {"at-last", StreamID{11, 0}}, {"before", StreamID{1, 0}}} {
		b = str(b, g.name)
		b = appendLen(b, g.last.Ms)
		b = appendLen(b, g.last.Seq)
		if i == 0 {
			b = appendLen(b, 1)
			b = appendStreamID(b, StreamID{10, 1})
			b = appendMillis(b, 1700000000000)
			b = appendLen(b, 3)
			b = appendLen(b, 1)
			b = str(b, "consumer")
			b = appendMillis(b, 1700000000500)
			b = appendLen(b, 1)
			b = appendStreamID(b, StreamID{10, 1})
		} else {
			b = appendLen(b, 0)
			b = appendLen(b, 0)
		}
	}
	b = append(b, opEOF)
	return binary.LittleEndian.AppendUint64(b, CRC64(0, b))
}

// TestRedisLoadsOldEncodingsAsWeDo: a real redis-server loads an RDB 9
// file of the older encodings; this reader reads it, the writer writes
// it as version 10, and a second redis-server loading that holds the
// same data, encodings, TTLs, stream groups (entries-read estimated as
// Redis estimates it) and functions.
func TestRedisLoadsOldEncodingsAsWeDo(t *testing.T) {
	data := oldFile(t)
	f, err := ReadAll(data, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 9 || f.EmptyKeysSkipped != 2 || len(f.Functions) != 1 {
		t.Fatalf("version %d, empty keys skipped %d, functions %d", f.Version, f.EmptyKeysSkipped, len(f.Functions))
	}
	if got := string(f.Functions[0]); !strings.HasPrefix(got, "#!lua name=oldlib\nredis.register_function") {
		t.Fatalf("pre-GA function converted to %q", got)
	}
	dirA := t.TempDir()
	if err := os.WriteFile(filepath.Join(dirA, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	a := startRedis(t, dirA)
	keys := keysOf(a)
	if len(keys[0]) != len(f.Keys) {
		t.Fatalf("redis loaded %d keys, this reader %d", len(keys[0]), len(f.Keys))
	}
	want := datasetState(a, keys)
	for _, k := range f.Keys {
		k.Value.Encoding = k.Value.LoadedEncoding(DefaultLoadConfig())
		if k.Value.Type == TypeString {
			k.Value.Encoding = EncodingDefault
		}
		st := want["0/"+string(k.Key)]
		if k.Value.Type != TypeString && !strings.Contains(st, "enc="+k.Value.Encoding.String()+" ") {
			t.Errorf("%s: LoadedEncoding %v, redis loaded %s", k.Key, k.Value.Encoding, st)
		}
	}
	out := rewrite(t, f, DefaultOptions(), false)
	dirB := t.TempDir()
	path := filepath.Join(dirB, "dump.rdb")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	checkRDB(t, path)
	b := startRedis(t, dirB)
	compareStates(t, "old encodings", datasetState(b, keys), want)

	// IDLE and FREQ reach the key.
	for _, k := range f.Keys {
		if string(k.Key) == "old:string:lru" && (k.Meta.Idle != 5 || k.Meta.Freq != 9) {
			t.Errorf("meta %+v", k.Meta)
		}
		if string(k.Key) == "old:string:ttl" && k.Meta.ExpireAtMs%1000 != 0 {
			t.Errorf("EXPIRETIME seconds read as %d", k.Meta.ExpireAtMs)
		}
	}
	_ = strconv.Itoa
}
