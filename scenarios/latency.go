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

// OneWayLatencyParam is the median one-way latency between hosts of a
// scenario that takes it as a calibration parameter: `simulate calibrate`
// measures this machine's loopback and says what to set it to.
func OneWayLatencyParam() Param {
	return DurationParam("one-way-latency", "400us",
		"median one-way latency between hosts: a lognormal with a quarter of it as floor and sigma 0.8 (the default, 100µs + 300µs·e^(0.8Z), is the other built-ins' lognormal; simulate calibrate measures this machine's)")
}

// SameHostLatencyParam is the one-way latency between a client and the
// node on its own host, a calibration parameter of the scenarios whose
// clients sit beside the nodes: a live run on one machine puts every host
// on one loopback, so no client has that head start.
func SameHostLatencyParam() Param {
	return DurationParam("same-host-latency", "10us",
		"one-way latency between a client and the node beside it, and between any two processes of one host (the network's loopback); simulate calibrate names what makes a live run on one machine match")
}

// OneWayLatency is the distribution of OneWayLatencyParam's value d: a
// floor of d/4 plus a lognormal of median 3d/4, so that the median draw
// is d.
func OneWayLatency(d time.Duration) sim.Dist {
	return sim.LogNormalDist(d/4, d-d/4, 0.8)
}
