package redisdiff

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim/realenv"
)

// StartNode runs a Redsim Redis node with cfg on the real-time Env of
// sim/realenv, on a kernel-chosen loopback port (cfg.Port is ignored), and
// returns its address; the node is stopped when the test ends.
func StartNode(t testing.TB, cfg redis.Config) string {
	t.Helper()
	return StartNodeIn(t, cfg, t.TempDir())
}

// StartNodeIn is StartNode with the node's files (dump.rdb, the AOF) in
// dir, which may hold a dataset for the node to load at boot.
func StartNodeIn(t testing.TB, cfg redis.Config, dir string) string {
	t.Helper()
	l, err := realenv.New(realenv.Config{Name: "redis", Host: "local", Dir: dir, Log: io.Discard})
	if err != nil {
		t.Fatalf("redisdiff: %v", err)
	}
	cfg.Port = 0
	if err := l.Start(redis.Program(cfg)); err != nil {
		t.Fatalf("redisdiff: starting the node: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("redisdiff: the node's loop: %v", err)
		}
	})
	// Listen binds during Start, but wait a little in case a node defers it.
	deadline := time.Now().Add(5 * time.Second)
	for l.Addr(0) == "" {
		if time.Now().After(deadline) {
			t.Fatal("redisdiff: the node did not listen on port 0 within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return l.Addr(0)
}
