// Command detlint checks Redsim's determinism rules (docs/ARCHITECTURE.md section 1):
//
//	go run ./cmd/detlint ./...
//
// It loads every package it is given but reports only in the deterministic
// ones (clock, sim, network, nodes; not sim/realenv), so ./... is the usual
// argument. The exit status is 0 when clean, 3 when it reported something and
// 1 when packages failed to load or type-check.
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/redsim/redsim/internal/detlint"
)

func main() {
	singlechecker.Main(detlint.Analyzer)
}
