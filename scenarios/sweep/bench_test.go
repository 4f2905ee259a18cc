package sweep

import (
	"context"
	"fmt"
	"testing"

	"github.com/redsim/redsim/scenarios/builtin"
)

// BenchmarkSweepPing20 sweeps 20 seeds of ping (30 virtual seconds each) with
// one and two jobs; seeds/min is the figure to compare, and its ratio between
// the two the scaling a 2-core CI machine gets.
func BenchmarkSweepPing20(b *testing.B) {
	ping, err := builtin.Registry().Lookup("ping")
	if err != nil {
		b.Fatal(err)
	}
	seeds := seedRange(1, 20)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			for b.Loop() {
				sum, err := Run(context.Background(), Config{Scenario: ping, Seeds: seeds, Jobs: jobs})
				if err != nil || !sum.OK() {
					b.Fatalf("sweep failed: %v, %+v", err, sum)
				}
			}
			b.ReportMetric(float64(len(seeds)*b.N)/b.Elapsed().Minutes(), "seeds/min")
		})
	}
}
