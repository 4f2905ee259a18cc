package scenarios

import (
	"time"

	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Backend runs a scenario somewhere other than the simulated world:
// scenarios/live runs it as real redis-server processes on this machine.
// The scenario's Setup runs unchanged: the seed's world still exists, so
// that its streams draw the schedule and the workload exactly as in
// simulation, but nothing runs in it. r.Deploy builds the deployment on
// the backend (deploy.BuildOn), Run carries out the schedule on the real
// clock, and the checks judge the history the real clients recorded.
//
// A scenario that builds simulated hosts itself, instead of through
// r.Deploy, cannot run on a backend; Execute refuses it.
type Backend interface {
	deploy.Platform
	// Run carries out schedule until dur has passed on the real clock;
	// op carries out its operator actions. It returns when dur has
	// passed, or early with an error (interrupted, a process that would
	// not start).
	Run(dur time.Duration, schedule []nemesis.Action, op nemesis.Operator) error
	// Facts are the summary's lines on what the run did not do for real
	// (faults skipped) and that it is not deterministic.
	Facts() []string
}

// LiveHash is a live run's hash in its result and closing line: a live
// run is not deterministic, so it has no trace hash to compare.
const LiveHash = "live"
