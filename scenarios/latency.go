package scenarios

import (
	"time"

	"github.com/redsim/redsim/sim"
)

// LatencyShapes are the one-way latency shapes a scenario's latency parameter and a scenario
// file's topology.latency choose from.
var LatencyShapes = []string{"lognormal", "uniform", "fixed"}

// LatencyParam is the latency parameter the built-ins share.
func LatencyParam(doc string) Param {
	return ChoiceParam("latency", "lognormal", LatencyShapes,
		doc+": lognormal (floor 100µs, median 300µs, sigma 0.8), uniform (100-500µs) or fixed (250µs)")
}

// LatencyDist is the distribution of a latency shape.
func LatencyDist(shape string) sim.Dist {
	switch shape {
	case "uniform":
		return sim.UniformDist(100*time.Microsecond, 500*time.Microsecond)
	case "fixed":
		return sim.FixedDist(250 * time.Microsecond)
	}
	return sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8)
}

// FsyncPolicies are appendfsync's values.
var FsyncPolicies = []string{"always", "everysec", "no"}
