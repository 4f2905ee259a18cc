package redisdiff

import (
	"testing"

	"github.com/redsim/redsim/nodes/redis"
)

func startNode(t testing.TB) string {
	cfg := redis.DefaultConfig()
	cfg.Save = nil // as --save '' on the real server
	return StartNode(t, cfg)
}
