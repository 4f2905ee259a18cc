package redis

import "time"

// flagAllowBusy is CMD_ALLOW_BUSY: the command runs while a script is
// busy (applyMetaFlags sets it from Redis's table).
const flagAllowBusy cmdFlags = 1 << 24

// DefaultScriptStepCost is Config.ScriptStepCost's default.
const DefaultScriptStepCost = 20 * time.Nanosecond

// busyState is the state of a script that has run past
// busy-reply-threshold.
type busyState struct {
	busyScript *busyRun
}

type busyRun struct{}

var busyParams = []param{}
