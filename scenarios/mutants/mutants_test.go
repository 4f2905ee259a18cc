package mutants

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
)

// One entry, planted and caught: the row names the failing seed with a
// replay command that plants it again, the control passes, and nothing is
// left planted afterwards.
func TestMutantsDetectsAPlantedBug(t *testing.T) {
	m, err := Run(context.Background(), Config{Registry: builtin.Registry(), Bugs: []string{bugs.WaitIgnoresAckOffset}, Seeds: []uint64{1, 2, 3, 4, 5, 6}, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 1 || !m.Rows[0].Detected {
		t.Fatalf("rows %+v", m.Rows)
	}
	r := m.Rows[0]
	if r.Scenario != "wait-failover" || !strings.Contains(r.Replay, "--bug "+bugs.WaitIgnoresAckOffset) || !strings.Contains(r.Checker, "wait-confirmed") {
		t.Errorf("row %+v", r)
	}
	if m.ControlFailed() || len(m.Control) != 1 || m.Control[0].Seeds != 6 {
		t.Errorf("control %+v", m.Control)
	}
	if on := bugs.Enabled(); len(on) != 0 {
		t.Errorf("still planted after the run: %v", on)
	}
	// The replay command reproduces the failure.
	res, err := scenarios.Execute(mustLookup(t, "wait-failover"), func() scenarios.Options {
		if err := bugs.Enable(bugs.WaitIgnoresAckOffset); err != nil {
			t.Fatal(err)
		}
		return scenarios.Options{Seed: r.Seed}
	}())
	bugs.DisableAll()
	if err != nil || res.Passed() {
		t.Fatalf("replay of seed %d: %v %v", r.Seed, err, res)
	}
	if got := res.Replay(); got != r.Replay {
		t.Errorf("replay %q, row says %q", got, r.Replay)
	}
}

func TestMutantsUsageErrors(t *testing.T) {
	_, err := Run(context.Background(), Config{Registry: builtin.Registry(), Bugs: []string{"no-such-bug"}, Seeds: []uint64{1}})
	var ue *scenarios.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no-such-bug") {
		t.Fatalf("unknown bug: %v", err)
	}
	_, err = Run(context.Background(), Config{Registry: builtin.Registry(), Bugs: []string{bugs.WaitIgnoresAckOffset}, Targets: []string{"no-such-scenario"}, Seeds: []uint64{1}})
	if !errors.As(err, &ue) {
		t.Fatalf("unknown scenario: %v", err)
	}
	if on := bugs.Enabled(); len(on) != 0 {
		t.Errorf("still planted after an error: %v", on)
	}
}

func mustLookup(t *testing.T, name string) *scenarios.Scenario {
	s, err := builtin.Registry().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
