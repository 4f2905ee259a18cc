package freeport

import (
	"net"
	"strconv"
	"testing"
)

// The ports are below the ephemeral range, free, and not the same twice
// in a row; a pair's second port is free too.
func TestPair(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p, err := Pair(10000)
		if err != nil {
			t.Fatal(err)
		}
		if p < Lo || p+10000 >= Hi {
			t.Fatalf("port %d (bus %d) outside %d-%d", p, p+10000, Lo, Hi-1)
		}
		if seen[p] {
			t.Fatalf("port %d given twice", p)
		}
		seen[p] = true
		for _, q := range []int{p, p + 10000} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				t.Fatalf("port %d is not free: %v", q, err)
			}
			ln.Close()
		}
	}
	// A port taken is skipped.
	p, err := Port()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
	if err == nil {
		defer ln.Close()
		if q, err := Port(); err != nil || q == p+1 {
			t.Fatalf("Port gave %d (%v), which is taken", q, err)
		}
	}
	if _, err := Pair(-1); err == nil {
		t.Error("Pair(-1): no error")
	}
}
