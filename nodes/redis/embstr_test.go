package redis

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestEmbObjectLayout checks what embBuf assumes: an embObject's buffer
// starts right after its object.
func TestEmbObjectLayout(t *testing.T) {
	size := unsafe.Sizeof(object{})
	if unsafe.Offsetof(embObject16{}.buf) != size || unsafe.Offsetof(embObject32{}.buf) != size || unsafe.Offsetof(embObject44{}.buf) != size {
		t.Fatalf("an embObject's buffer does not follow its object")
	}
	for n := 1; n <= embstrSizeLimit; n++ {
		o := stringObjectCopy([]byte(strings.Repeat("x", n)))
		if !embHead(o) || int(o.emb) < n {
			t.Fatalf("%d bytes: embHead %v, emb %d", n, embHead(o), o.emb)
		}
	}
	for _, o := range []*object{stringObjectCopy([]byte{}), stringObjectCopy([]byte(strings.Repeat("x", 45))), rawString([]byte("abc"))} {
		if embHead(o) {
			t.Errorf("%q is not an embObject's head", o.str)
		}
	}
	copied := *stringObjectCopy([]byte("abc"))
	if embHead(&copied) {
		t.Errorf("a copy by value is not an embObject's head")
	}
}

// TestSetRecyclesReplacedValue checks that a SET over a string reuses the
// old value's block at the top level and never inside MULTI, and that the
// values read back are the ones written, whatever block they are in.
func TestSetRecyclesReplacedValue(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	s := tw.server()
	tc := tw.dial()
	tc.expect(`
SET k abc -> +OK\r\n
SET k 12 -> +OK\r\n
GET k -> $2\r\n12\r\n
OBJECT ENCODING k -> $3\r\nint\r\n
SET k 0123456789abcdef0123 -> +OK\r\n
GET k -> $20\r\n0123456789abcdef0123\r\n
OBJECT ENCODING k -> $6\r\nembstr\r\n
SET k xyz -> +OK\r\n
GET k -> $3\r\nxyz\r\n
OBJECT ENCODING k -> $6\r\nembstr\r\n
SET k 5 -> +OK\r\n
OBJECT REFCOUNT k -> :2147483647\r\n
SET k abcdefghijklmnopqrstuvwxyz0123456789abcdefgh -> +OK\r\n
SET k q -> +OK\r\n
GET k -> $1\r\nq\r\n
`)
	if s.spareString == nil {
		t.Fatalf("a SET over a string kept no block")
	}
	tc.expect(`
SET a 1 -> +OK\r\n
MULTI -> +OK\r\n
SET a 2 -> +QUEUED\r\n
SET b 3 -> +QUEUED\r\n
EXEC -> *2\r\n+OK\r\n+OK\r\n
MGET a b -> *2\r\n$1\r\n2\r\n$1\r\n3\r\n
`)
	spare := s.spareString
	tc.expect(`
MULTI -> +OK\r\n
SET a 4 -> +QUEUED\r\n
EXEC -> *1\r\n+OK\r\n
`)
	if s.spareString != nil && s.spareString != spare {
		t.Errorf("a SET inside EXEC kept its replaced value's block")
	}
}

// TestRecycledStringIsFresh checks that a string made in a recycled block
// reads as one made in a new block, whatever the old value left in it.
func TestRecycledStringIsFresh(t *testing.T) {
	// fillEmbString writes the object's fields one by one: a new field
	// must be reset there too.
	if n := reflect.TypeOf(object{}).NumField(); n != 13 {
		t.Fatalf("object has %d fields; fillEmbString resets 13", n)
	}
	s := &Server{}
	for _, vals := range [][2]string{{"abcdefgh", "42"}, {"7", "xyz"}, {"0123456789abcdef", "-5"}, {strings.Repeat("y", 40), "q"}} {
		old := stringObjectCopy([]byte(vals[0]))
		old.lru, old.expireAt, old.mem, old.shared = 12345, 678, 90, true
		s.recycleString(old)
		if s.spareString != old {
			t.Fatalf("%q was not kept", vals[0])
		}
		got := s.newStringCopy([]byte(vals[1]))
		want := stringObjectCopy([]byte(vals[1]))
		if got != old {
			t.Fatalf("%q did not take the recycled block", vals[1])
		}
		got.emb, want.emb = 0, 0 // the recycled block may be bigger
		if !reflect.DeepEqual(*got, *want) {
			t.Errorf("recycled %q = %+v, want %+v", vals[1], *got, *want)
		}
	}
}

// TestSetOverExpiredKey checks SET on a key whose time has passed: the
// lookup deletes it (a new key for the set), and the new value has no TTL.
func TestSetOverExpiredKey(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	tc := tw.dial()
	tc.expect(`
SET k v1 PX 5 -> +OK\r\n
SET j w1 PX 5 -> +OK\r\n
`)
	tw.w.RunFor(20 * time.Millisecond)
	tc.expect(`
SET k v2 -> +OK\r\n
SET j w2 NX -> +OK\r\n
GET k -> $2\r\nv2\r\n
GET j -> $2\r\nw2\r\n
PTTL k -> :-1\r\n
DBSIZE -> :2\r\n
`)
	if !strings.Contains(tc.do("INFO", "stats"), "expired_keys:2\r\n") {
		t.Errorf("the two expired keys were not counted")
	}
}
