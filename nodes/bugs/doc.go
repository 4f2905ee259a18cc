// Package bugs is the planted-bug catalog: bugs from Redis's history, fixed
// before 7.0.15, put back behind named sites in the real code paths of
// nodes/redis, so that `simulate mutants` can measure which scenario
// catches which bug (DESIGN.md section 7: a must-pass scenario is only as
// good as the bugs it catches). Bugs that 7.0.15 still has are not
// entries: the node has them (keys deleted on slot loss and not
// propagated, fixed in 7.2 by redis/redis#11084, is one).
//
// A site is a branch in node code:
//
//	if bugs.On(bugs.IncrbyfloatDropsTTL) {
//		... the code as it was before the fix ...
//	}
//
// Each entry is a github.com/pingcap/failpoint failpoint at
// github.com/redsim/redsim/nodes/bugs/<name>, enabled with the term
// "return(true)" only: never failpoint's probability, sleep or pause terms,
// which would make a run depend on something other than its seed. Whatever
// a planted bug draws at random, it draws from the node's own stream.
//
// Invariants: every entry is off unless Enable turned it on, so that a
// node with nothing enabled behaves, event for event, as Redis 7.0.15 does
// (the golden trace hashes hold); GO_FAILPOINTS cannot turn an entry on
// behind this package's back, because On answers true only for entries
// that Enable turned on. Enabling is process-wide, which is intended: a
// sweep plants one bug at a time. Enable, Disable and DisableAll must
// therefore be called while no world runs (before a sweep starts its
// worlds and after it has joined them); On and Enabled may be called from
// any number of worlds at once in between. With nothing enabled, On costs a
// load and a compare (BenchmarkOnOff).
package bugs
