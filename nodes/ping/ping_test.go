package ping

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// twoNodes runs a ping node on n1 whose only peer is n2, where server runs.
func twoNodes(t *testing.T, server sim.Program) (*sim.World, *sim.Process, *Stats) {
	t.Helper()
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	h1, _ := w.AddHost("n1", sim.HostConfig{})
	h2, _ := w.AddHost("n2", sim.HostConfig{})
	stats := &Stats{}
	now := func() time.Duration { return w.Now().Duration() }
	p1, _ := h1.Spawn("n1", Program(DefaultOptions([]string{"n2:7000"}), stats, now))
	p2, _ := h2.Spawn("n2", server)
	p2.Start()
	p1.Start()
	return w, p1, stats
}

func TestPingsAreAnsweredAndLogged(t *testing.T) {
	w, p1, stats := twoNodes(t, Program(DefaultOptions([]string{"n1:7000"}), &Stats{}, func() time.Duration { return 0 }))
	w.RunFor(5 * time.Second)
	if stats.Pongs < 50 || len(stats.Violations) > 0 {
		t.Fatalf("pongs=%d violations=%v", stats.Pongs, stats.Violations)
	}
	if stats.SyncedSeq == 0 {
		t.Fatal("nothing was fsynced")
	}
	p1.Host().Crash()
	p1.Start()
	if stats.Restores != 1 || len(stats.Violations) > 0 {
		t.Fatalf("restore after crash: restores=%d violations=%v", stats.Restores, stats.Violations)
	}
}

// reorderingServer answers pings two at a time, in reverse order.
type reorderingServer struct{ held []string }

func (s *reorderingServer) OnOpen(sim.Conn) {}
func (s *reorderingServer) OnData(c sim.Conn, p []byte) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if strings.HasPrefix(line, "ping ") {
			s.held = append(s.held, "pong "+line[5:])
		}
	}
	if len(s.held) >= 1 {
		c.Write([]byte("pong n1 999\n"))
		s.held = nil
	}
}
func (s *reorderingServer) OnClose(sim.Conn, error) {}

type stopNode struct{}

func (stopNode) Stop() {}

func TestOutOfOrderPongIsAViolation(t *testing.T) {
	w, _, stats := twoNodes(t, func(env sim.Env) sim.Node {
		env.Listen(Port, func(sim.Conn) sim.ConnHandler { return &reorderingServer{} })
		return stopNode{}
	})
	w.RunFor(time.Second)
	if len(stats.Violations) == 0 || !strings.Contains(stats.Violations[0], "out of order") {
		t.Fatalf("violations: %v", stats.Violations)
	}
}

func TestLostFsyncedEntriesAreAViolation(t *testing.T) {
	w, p1, stats := twoNodes(t, Program(DefaultOptions([]string{"n1:7000"}), &Stats{}, func() time.Duration { return 0 }))
	w.RunFor(5 * time.Second)
	p1.Host().Crash()
	// A disk that lies: the durable log vanishes.
	if err := p1.Host().Disk().Write(logFile, []byte("1\n2\n")); err != nil {
		t.Fatal(err)
	}
	p1.Start()
	if len(stats.Violations) == 0 || !strings.Contains(stats.Violations[0], "were fsynced") {
		t.Fatalf("violations: %v", stats.Violations)
	}
}
