package sim

import (
	"testing"
	"time"
)

// BenchmarkLogNormalDraw is one latency draw of the built-ins' default
// lognormal (100µs + 300µs·e^(0.8Z)).
func BenchmarkLogNormalDraw(b *testing.B) {
	d := LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8)
	r := NewStream(1, "bench")
	var sum time.Duration
	for b.Loop() {
		sum += d.Draw(r)
	}
	if sum < 0 {
		b.Fatal(sum)
	}
}

// BenchmarkLogNormalDraws is BenchmarkLogNormalDraw through Draws, which
// makes four draws at a time.
func BenchmarkLogNormalDraws(b *testing.B) {
	s := NewWorld(1).NewDraws("bench", LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8))
	var sum time.Duration
	for b.Loop() {
		sum += s.Next()
	}
	if sum < 0 {
		b.Fatal(sum)
	}
}
