// Package realenv is outside the deterministic rules: nothing here may be reported.
package realenv

import (
	crand "crypto/rand"
	"math/rand"
	"os"
	"sync"
	"time"
)

var mu sync.Mutex

func all(m map[string]int) int {
	mu.Lock()
	defer mu.Unlock()
	ch := make(chan int, 1)
	go func() { ch <- rand.Intn(6) }()
	select {
	case n := <-ch:
		_ = n
	case <-time.After(time.Second):
	}
	time.Sleep(time.Millisecond)
	_, _ = crand.Read(make([]byte, 8))
	n := len(os.Getenv("HOME")) + time.Now().Second()
	for _, v := range m {
		n += v
	}
	return n
}
