package bad

import (
	"testing"
	"time"
)

// Tests run outside the world and are not checked.
func TestOutsideTheWorld(t *testing.T) {
	done := make(chan struct{})
	go func() { close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("timeout")
	}
}
