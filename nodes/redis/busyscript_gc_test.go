package redis

import (
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestBusyCoroutineCollected: a world dropped without Close lets its node
// and the node's coroutine go.
func TestBusyCoroutineCollected(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	func() {
		tw := busyWorld(t)
		c := tw.dial()
		c.expect(`EVAL "return 1" 0 -> :1\r\n`)
		if tw.server().co == nil {
			t.Fatal("EVAL did not run on the coroutine")
		}
	}()
	for i := 0; i < 10; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
