// Package builtin is Redsim's catalogue of built-in scenarios: the kernel's
// self-test (ping), replication, a crashed standalone node, a master that
// must stay linearizable, the Jepsen 2013 failover with an operator, and
// the Redlock cases of the Kleppmann/antirez debate. Each is a deployment
// (scenarios/deploy), a schedule (scenarios/nemesis) and checks.
//
// Invariant: a built-in's Setup only describes; what it changes after time
// zero is in the schedule, so --faults and the report show all of it.
package builtin

import (
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/file"
)

// Registry returns the built-in scenarios, and reads scenario files (a
// name ending in .toml or holding a path separator).
func Registry() *scenarios.Registry {
	all := []*scenarios.Scenario{pingScenario(), replicationScenario(), standaloneCrashScenario(),
		linearizableMasterScenario(), failoverPartitionScenario(), waitFailoverScenario(), minReplicasScenario(),
		sentinelPartitionScenario(), sentinelFailoverScenario(), sentinelTiltScenario(), sentinelManualFailoverScenario(), sentinelCrashScenario(),
		clusterLinearizableScenario(), clusterPartitionMinorityScenario(), clusterFailoverScenario(), clusterFailoverTwiceScenario(), clusterReshardingScenario(), clusterVotePowerLossScenario()}
	for _, c := range redlockCases() {
		all = append(all, redlockScenario(c))
	}
	// A scenario file may derive from a built-in (base = "NAME").
	var reg *scenarios.Registry
	reg = scenarios.NewRegistry(func(path string) (*scenarios.Scenario, error) { return file.LoadWith(path, reg.Lookup) }, all...)
	return reg
}
