package network

import (
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// countingHandler counts OnData calls.
type countingHandler struct {
	handler
	reads int
}

func (h *countingHandler) OnData(c sim.Conn, p []byte) { h.reads++; h.handler.OnData(c, p) }

// net/short-write: forced, one write reaches the peer in two reads, in
// order; with buggify off it is one read.
func TestSiteShortWrite(t *testing.T) {
	for _, force := range []bool{false, true} {
		tw := newTestWorld(t, 2, fixed)
		if force {
			if err := tw.w.ForceSite("net/short-write"); err != nil {
				t.Fatal(err)
			}
		}
		h := &countingHandler{handler: handler{w: tw.w, opened: -1}}
		c := tw.envs[0].Dial("n2:7000", time.Second, h)
		tw.w.RunFor(10 * time.Millisecond)
		c.Write([]byte("hello, world"))
		tw.w.RunFor(10 * time.Millisecond)
		if h.data.String() != "hello, world" {
			t.Fatalf("forced=%v: echo %q", force, h.data.String())
		}
		// The server's echo is also a write: two cuts make up to 4 reads.
		if short := h.reads > 1; short != force {
			t.Errorf("forced=%v: the echo came in %d reads", force, h.reads)
		}
	}
}
