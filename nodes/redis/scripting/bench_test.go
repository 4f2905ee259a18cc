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
