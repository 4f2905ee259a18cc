package shrink

import (
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
)

func registry() *scenarios.Registry { return builtin.Registry() }
