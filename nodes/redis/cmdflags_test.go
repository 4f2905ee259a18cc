package redis

import (
	"slices"
	"testing"
)

// TestSpecFlagsMatchRedis: the flags the node acts on (no-multi, noscript,
// stale, no-auth, write, pubsub...) are those Redis 7.0.15's command table
// gives each command (commandmeta.go), so that a command is refused, or
// allowed, where Redis refuses or allows it. SLAVEOF inside MULTI, which
// Sentinel's failover sends, was once refused.
func TestSpecFlagsMatchRedis(t *testing.T) {
	tbl := NewCommandTable()
	for _, f := range []struct {
		bit  cmdFlags
		name string
	}{{flagNoMulti, "no_multi"}, {flagNoScript, "noscript"}, {flagStale, "stale"}, {flagNoAuth, "no_auth"},
		{flagWrite, "write"}, {flagDenyOOM, "denyoom"}, {flagAdmin, "admin"}} {
		tbl.all(func(cmd *command) {
			m := commandMetas[cmd.name]
			if m == nil || cmd.proc == nil {
				return
			}
			if node, redis := cmd.flags&f.bit != 0, slices.Contains(m.flags, f.name); node != redis {
				t.Errorf("%s: the node's %s flag is %v, Redis's %v", cmd.name, f.name, node, redis)
			}
		})
	}
}
