package builtin

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/scenarios"
)

// cluster-vote-power-loss passes while the voters keep their votes on
// disk, as 7.0.15 does: n7 then asks in a newer epoch than n6 won, and no
// two masters claim a slot with one configEpoch. With the vote not
// fsynced before its ACK (the planted bug), the same seeds elect n7 in
// n6's epoch, and the ownership check says so.
func TestClusterVotePowerLoss(t *testing.T) {
	// Not parallel: it plants a bug for the whole process (below).
	n := uint64(3)
	if testing.Short() {
		n = 1
	}
	s, err := Registry().Lookup("cluster-vote-power-loss")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= n; seed++ {
		for _, planted := range []bool{false, true} {
			// Enabling is process-wide: this test is not parallel, so
			// no other world runs meanwhile.
			if planted {
				if err := bugs.Enable(bugs.ClusterVoteNotFsynced); err != nil {
					t.Fatal(err)
				}
			}
			res, err := scenarios.Execute(s, scenarios.Options{Seed: seed})
			bugs.Disable(bugs.ClusterVoteNotFsynced)
			if err != nil {
				t.Fatal(err)
			}
			own := verdictOf(res, "cluster-ownership")
			if !planted {
				if !res.Passed() {
					t.Errorf("seed %d: %s\n%+v", seed, res.StatusLine(), res.Verdicts)
				}
				continue
			}
			if own.Verdict != checker.Violation || !strings.Contains(own.Summary, "n6 and n7 both claim slot") {
				t.Errorf("planted, seed %d: cluster-ownership %v: %s, want n6 and n7 claiming n3's slots in one epoch", seed, own.Verdict, own.Summary)
			}
		}
	}
}
