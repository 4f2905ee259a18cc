// Package nemesis is the fault and operator vocabulary of scenarios as data:
// a schedule is a list of timed Actions (partitions, crashes, pauses, clock
// and disk faults, link faults, and operator actions such as promoting a
// replica) that can be generated from a seed, printed (--faults), saved in a
// scenario file, edited, replayed and, later, shrunk.
//
// Invariant: everything a run changes in its world after setup goes through
// an Action, so the report shows it and removing it from the schedule removes
// it from the run. Apply touches the world only through sim, network and an
// Operator the deployment provides.
package nemesis
