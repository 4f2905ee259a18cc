package detlint_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/redsim/redsim/internal/detlint"
)

// TestRules expects each `// want` in the deterministic packages and nothing
// else: sim/bad has one line per rule (and a test file that must be skipped),
// sim/good the allowed look-alikes, and reports, simulator and sim/realenv the
// same violations in packages the rules do not bind.
func TestRules(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), detlint.Analyzer,
		"github.com/redsim/redsim/sim/bad",
		"github.com/redsim/redsim/sim/good",
		"github.com/redsim/redsim/nodes/redis",
		"github.com/redsim/redsim/clock/bad",
		"github.com/redsim/redsim/network/bad",
		"github.com/redsim/redsim/reports/ok",
		"github.com/redsim/redsim/simulator/ok",
		"github.com/redsim/redsim/sim/realenv/...",
	)
}
