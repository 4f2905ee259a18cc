// Package reports turns the outcome of runs and sweeps into files a person or
// a CI system reads: result.json, history.jsonl, summary.md and a
// self-contained report.html with plots for one run; summary.md,
// results.jsonl and JUnit XML for a sweep.
//
// It owns every output format. Its input types (Run, SweepEntry and what
// they hold) are plain data that package scenarios and the CLI fill;
// verdicts are checker.Result, the one verdict type, rendered as they are
// (result.json and results.jsonl carry them as JSON, evidence included).
// reports imports checker and history but never nodes, network or
// scenarios. It is the only package that imports gonum.org/v1/plot.
//
// Invariants:
//   - Output is deterministic: writing the same Run twice gives the same
//     bytes in every file (SweepEntry.WallMS is wall time, so sweep output
//     differs only where it shows it); results.jsonl is appended and synced
//     a line at a time, and a line cut short by a kill is dropped on read. Nothing iterates over a map without
//     sorting, and the SVG plots carry no timestamps or generated ids.
//   - report.html needs nothing but itself: CSS is inline, plots are inline
//     SVG, there is no JavaScript. Every string from the run is escaped by
//     html/template (or by gonum's SVG writer, for plot labels).
//   - Times in a Run are virtual time since the world's start.
package reports
