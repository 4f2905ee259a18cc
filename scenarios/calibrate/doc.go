// Package calibrate compares a scenario's live runs (scenarios/live: real
// redis-server processes, real partitions and signals on this machine)
// with its simulated runs over many seeds: `simulate calibrate`.
//
// A Figure is one number measured alike on either kind of result, from
// what both carry: the verdicts' metrics, the clients' history and the
// schedule (the lost-write rate, the failover time, the split-brain
// window, operations per second, whether each check found a violation).
// Compare sets the live value beside the simulated distribution (median,
// 5th-95th percentile band) and judges whether it lies inside the band;
// reports.WriteCalibration writes the comparison as calibration.md,
// calibration.csv and calibration.html. Parameters reports what this
// machine measures for the values the simulator draws from defaults
// (link latency, fsync time, full-sync transfer rate) and the --set
// that would make a scenario match it.
//
// Invariants: live and simulated results go through the same MeasureRun,
// so a disagreement is the worlds', not the measurement's; figures are
// measured while a result still has its history, and only the numbers
// are kept (a hundred histories would not fit in memory); live runs run
// one at a time, each cleaning up its processes and firewall rules before
// the next starts.
package calibrate
