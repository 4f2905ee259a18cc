package redisconn

import (
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// BenchmarkDo is one command and its reply over a fakeEnv: Do encodes and
// writes, the reply is parsed and handed to the Waiter. It must not
// allocate.
func BenchmarkDo(b *testing.B) {
	benchPipeline(b, 1, 0)
}

// BenchmarkDoTimeout is BenchmarkDo with Options.Timeout: a timer is set
// and cancelled per command.
func BenchmarkDoTimeout(b *testing.B) {
	benchPipeline(b, 1, time.Second)
}

// BenchmarkPipeline16 issues 16 commands, then feeds their 16 replies in
// one chunk; one op is one command.
func BenchmarkPipeline16(b *testing.B) {
	benchPipeline(b, 16, time.Second)
}

func benchPipeline(b *testing.B, depth int, timeout time.Duration) {
	env := newFakeEnv(1)
	env.quiet = true
	c := New(env, "r1:6379", Options{Timeout: timeout})
	w := &countWaiter{}
	c.Connect()
	fc := env.last()
	fc.h.OnOpen(fc)
	args := [][]byte{[]byte("GET"), []byte("key:000001")}
	var replies []byte
	for i := 0; i < depth; i++ {
		replies = append(replies, "$10\r\nvalue:0001\r\n"...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += depth {
		for i := 0; i < depth; i++ {
			c.Do(w, i, args...)
		}
		fc.h.OnData(fc, replies)
	}
	b.StopTimer()
	if w.n < b.N || c.Pending() != 0 {
		b.Fatalf("%d replies for %d commands, %d pending", w.n, b.N, c.Pending())
	}
}

type countWaiter struct{ n int }

func (w *countWaiter) Reply(_ int, v resp.Value, err error) {
	if err == nil && len(v.Str) == 10 {
		w.n++
	}
}

// TestDoDoesNotAllocate keeps the hot path free of allocation: a command,
// its timer and its reply cost nothing but the reader's shared slabs.
func TestDoDoesNotAllocate(t *testing.T) {
	env := newFakeEnv(1)
	env.quiet = true
	c := New(env, "r1:6379", Options{Timeout: time.Second})
	w := &countWaiter{}
	c.Connect()
	fc := env.last()
	fc.h.OnOpen(fc)
	args := [][]byte{[]byte("GET"), []byte("key:000001")}
	reply := []byte("$10\r\nvalue:0001\r\n")
	step := func() {
		for i := 0; i < 16; i++ {
			c.Do(w, i, args...)
		}
		for i := 0; i < 16; i++ {
			fc.h.OnData(fc, reply)
		}
	}
	step()
	if n := testing.AllocsPerRun(100, step); n != 0 {
		t.Fatalf("%v allocations per 16 commands, want 0", n)
	}
}
