// Package scenarios wires worlds together: a scenario is a topology, a
// workload, a nemesis and checks, run for a duration from one seed. It holds the
// built-in registry, the parameters users set with --set, the nemesis (fault
// schedules as data) and the runner that produces a Result.
//
// It is the only package that imports both the network and the nodes.
package scenarios
