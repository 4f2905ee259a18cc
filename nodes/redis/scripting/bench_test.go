package scripting

import (
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// BenchmarkEvalSHA runs the Redlock release script (compare-and-delete)
// against the fake server: one GET, one DEL, one reply.
func BenchmarkEvalSHA(b *testing.B) {
	const release = `if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end`
	e := New()
	sha, err := e.Load([]byte(release))
	if err != nil {
		b.Fatal(err)
	}
	ctx := Context{Call: func(args [][]byte) []byte {
		if string(args[0]) == "get" {
			return []byte("$5\r\ntoken\r\n")
		}
		return []byte(":1\r\n")
	}}
	keys := [][]byte{[]byte("lock")}
	argv := [][]byte{[]byte("token")}
	w := resp.NewWriter(2)
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		e.EvalSHA(sha, keys, argv, ctx, w)
	}
	if string(w.Bytes()) != ":1\r\n" {
		b.Fatalf("reply %q", w.Bytes())
	}
}

// BenchmarkFCall runs a small function (one GET and a comparison)
// through Find and Call, as the node's FCALL does.
func BenchmarkFCall(b *testing.B) {
	f := NewFunctions()
	const lib = "#!lua name=lock\nredis.register_function('check', function(keys, args) return redis.call('get', keys[1]) == args[1] end)"
	if _, err := f.Load([]byte(lib), LoadOptions{}); err != nil {
		b.Fatal(err)
	}
	ctx := Context{Call: func(args [][]byte) []byte { return []byte("$5\r\ntoken\r\n") }}
	keys := [][]byte{[]byte("lock")}
	argv := [][]byte{[]byte("token")}
	w := resp.NewWriter(2)
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		f.Call(f.Find([]byte("check")), keys, argv, ctx, w)
	}
	if string(w.Bytes()) != ":1\r\n" {
		b.Fatalf("reply %q", w.Bytes())
	}
}

// BenchmarkCMsgpackRoundTrip packs and unpacks a small record inside a
// script.
func BenchmarkCMsgpackRoundTrip(b *testing.B) {
	e := New()
	const script = `local v = cmsgpack.unpack(cmsgpack.pack({id = 42, name = "item", tags = {"a", "b", "c"}, price = 9.5})) return v.id`
	sha, err := e.Load([]byte(script))
	if err != nil {
		b.Fatal(err)
	}
	w := resp.NewWriter(2)
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		e.EvalSHA(sha, nil, nil, Context{}, w)
	}
	if string(w.Bytes()) != ":42\r\n" {
		b.Fatalf("reply %q", w.Bytes())
	}
}

// BenchmarkNewEngine: the Lua state and sandbox a node builds at its first
// EVAL after each boot (scriptingInit), which short worlds with restarts
// (redlock-crash-restart) pay again and again.
func BenchmarkNewEngine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New()
	}
}
