// Package freeport hands tests loopback ports on which to start real
// servers (redis-server, redis-sentinel, simulate serve).
//
// Port 0 would give a port from Linux's ephemeral range (32768-60999),
// the range from which every outgoing connection of every process takes
// its local port: between a test's check that the port is free and the
// server's listen, a connection of another test running beside it can
// take the port, and the server fails to start now and then. The ports
// given here are below that range, so only another listener can take
// them, and each test process walks them from its own starting point.
package freeport

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
)

// The ports handed out: Lo up to, not including, Hi.
const (
	Lo = 10000
	Hi = 32768
)

var seq atomic.Int64

// next is the next candidate port from lo, within n ports.
func next(lo, n int) int {
	seq.CompareAndSwap(0, int64(os.Getpid())*7919+1)
	return lo + int(seq.Add(1)%int64(n))
}

// Port returns a loopback port that was free a moment ago.
func Port() (int, error) {
	return Pair(0)
}

// Pair returns a loopback port that was free a moment ago, with the port
// offset above it free too (a cluster node's bus is at port + 10000);
// offset 0 asks for the one port.
func Pair(offset int) (int, error) {
	if offset < 0 || offset >= Hi-Lo {
		return 0, fmt.Errorf("freeport: offset %d out of range", offset)
	}
	for range 1000 {
		port := next(Lo, Hi-Lo-offset)
		if !free(port) || (offset > 0 && !free(port+offset)) {
			continue
		}
		return port, nil
	}
	return 0, fmt.Errorf("freeport: no free loopback port (and port + %d) in %d-%d after 1000 tries", offset, Lo, Hi-1)
}

func free(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
