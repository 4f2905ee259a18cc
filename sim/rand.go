package sim

import (
	"math/rand/v2"
)

// Stream returns a new PRNG for the named user, derived from the world's seed
// and the name only. Two calls with one name give two generators with the same
// draws, so each user should ask once and keep it.
func (w *World) Stream(name string) *rand.Rand {
	return NewStream(w.seed, name)
}

// NewStream derives the stream of name under seed.
func NewStream(seed uint64, name string) *rand.Rand {
	return rand.New(rand.NewPCG(seed, hashString(name)))
}

// hashString is 64-bit FNV-1a followed by a finalizer so that names that share
// a prefix do not give correlated PCG sequences.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// mix64 is the splitmix64 finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
