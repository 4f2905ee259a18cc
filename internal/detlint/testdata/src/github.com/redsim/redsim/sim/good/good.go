// Package good uses only what the determinism rules allow: nothing here may be
// reported.
package good

import (
	"maps"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

type world struct {
	rng   *rand.Rand
	inbox chan int // a channel type alone is not reported
	tick  time.Duration
}

func newWorld(seed uint64) *world {
	return &world{rng: rand.New(rand.NewPCG(seed, 2)), tick: 10 * time.Millisecond}
}

// roll's parameter shadows the package: rand.IntN is a method here.
func roll(rand *rand.Rand) int {
	return rand.IntN(6)
}

func draws(w *world) int {
	n := w.rng.IntN(10) + roll(w.rng)
	n += rand.New(rand.NewChaCha8([32]byte{})).IntN(3)
	n += mrand.New(mrand.NewSource(1)).Intn(5)
	return n
}

func times(w *world) time.Time {
	at := time.Unix(0, 0).Add(w.tick)
	_ = at.Sub(at).String()
	return at.Truncate(time.Second)
}

func sortedKeys(m map[string]int) (n int) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		n += m[k]
	}
	keys := make([]string, 0, len(m))
	for k := range m { //redsim:ordered the keys are sorted right below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	//redsim:ordered addition does not depend on order
	for _, v := range m {
		n += v
	}
	copied := maps.Collect(maps.All(m))
	return n + len(copied)
}
