// Package study runs parameter studies: grids of scenarios x mitigations x
// parameters, each cell a sweep of seeds, summarised as violation rates with
// Wilson intervals for the reports package to table and plot. The Redlock
// study is the first: it measures each case of the Kleppmann/antirez
// debate, with and without its mitigation.
package study
