// Package bad breaks every determinism rule once per line.
package bad

import (
	crand "crypto/rand"
	"maps"
	"math/rand"
	randv2 "math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type server struct {
	mu    sync.Mutex   // want `sync\.Mutex in deterministic package sim/bad: the world runs on one goroutine \(docs/ARCHITECTURE\.md section 1\)`
	count atomic.Int64 // want `sync/atomic\.Int64 in deterministic package sim/bad`
	inbox chan int     // a channel type alone is not reported
}

func goroutines() {
	go func() {}() // want `go statement in deterministic package sim/bad: the world runs on one goroutine \(docs/ARCHITECTURE\.md section 1\)`
}

func channels(s *server) {
	s.inbox <- 1  // want `channel send in deterministic package sim/bad`
	_ = <-s.inbox // want `channel receive in deterministic package sim/bad`
	select {      // want `select statement in deterministic package sim/bad`
	default:
	}
	for range s.inbox { // want `range over channel in deterministic package sim/bad`
	}
	s.inbox = make(chan int, 1) // want `make\(chan\) in deterministic package sim/bad`
}

func syncs() {
	var once sync.Once // want `sync\.Once in deterministic package`
	once.Do(func() {}) // methods are reached through the reported type
	var n int64
	atomic.AddInt64(&n, 1) // want `sync/atomic\.AddInt64 in deterministic package`
}

func clocks() {
	start := time.Now()                  // want `time\.Now reads the wall clock; use the Env's Now\(\)/Mono\(\)`
	_ = time.Since(start)                // want `time\.Since reads the wall clock`
	_ = time.Until(start)                // want `time\.Until reads the wall clock`
	time.Sleep(time.Millisecond)         // want `time\.Sleep waits on the wall clock; schedule a timer with the Env's After\(d, fn\)`
	_ = time.After(time.Second)          // want `time\.After waits on the wall clock`
	_ = time.AfterFunc(time.Second, nil) // want `time\.AfterFunc waits on the wall clock`
	_ = time.Tick(time.Second)           // want `time\.Tick waits on the wall clock`
	_ = time.NewTicker(time.Second)      // want `time\.NewTicker waits on the wall clock`
	_ = time.NewTimer(time.Second)       // want `time\.NewTimer waits on the wall clock`
}

func globalRand(xs []int) {
	_ = rand.Intn(6)                         // want `math/rand\.Intn draws from the global random source; draw from a named PRNG stream \(the Env's Rand\(\)\)`
	_ = rand.Int63()                         // want `math/rand\.Int63 draws from the global random source`
	_ = rand.Float64()                       // want `math/rand\.Float64 draws from the global random source`
	rand.Shuffle(len(xs), func(i, j int) {}) // want `math/rand\.Shuffle draws from the global random source`
	_ = rand.Perm(3)                         // want `math/rand\.Perm draws from the global random source`
	rand.Seed(1)                             // want `math/rand\.Seed draws from the global random source`
	_ = randv2.IntN(6)                       // want `math/rand/v2\.IntN draws from the global random source`
	_ = randv2.N(time.Second)                // want `math/rand/v2\.N draws from the global random source`
	_, _ = crand.Read(make([]byte, 8))       // want `crypto/rand\.Read is random by design and cannot be replayed`
	_ = crand.Reader                         // want `crypto/rand\.Reader is random by design`
}

func environment() {
	_ = os.Getenv("HOME")       // want `os\.Getenv reads the process environment; take the value as an option set by cmd/simulate`
	_, _ = os.LookupEnv("HOME") // want `os\.LookupEnv reads the process environment`
	_ = os.Environ()            // want `os\.Environ reads the process environment`
}

type table map[string]int

// The expectations spell the marker as //redsim[:]ordered: a comment that
// contains the marker itself would count as a justification.

func mapOrder(m map[string]int, t table) (n int) {
	for k := range m { // want `range over map m: iteration order is random; sort the keys or add //redsim[:]ordered <why>`
		n += len(k)
	}
	for _, v := range t { // want `range over map t: iteration order is random`
		n += v
	}
	//redsim:ordered
	for _, v := range m { // want `//redsim[:]ordered on range over map m needs a justification`
		n += v
	}
	for k := range maps.Keys(m) { // want `maps\.Keys iterator: iteration order is random; wrap it in slices\.Sorted or add //redsim[:]ordered <why>`
		n += len(k)
	}
	_ = slices.Collect(maps.Values(m)) // want `maps\.Values iterator: iteration order is random`
	return n
}
