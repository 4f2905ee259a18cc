package nemesis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

func TestGenerateIsDataAndDeterministic(t *testing.T) {
	cfg := Config{Hosts: []string{"a", "b", "c"}, Interval: time.Second, End: 20 * time.Second,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Disks: true, Links: true, MaxJump: time.Second}
	x := Generate(cfg, sim.NewStream(1, "nemesis"))
	y := Generate(cfg, sim.NewStream(1, "nemesis"))
	if len(x) != len(y) {
		t.Fatal("same stream, different schedules")
	}
	for i := range x {
		if x[i].String() != y[i].String() {
			t.Fatalf("action %d: %s vs %s", i, x[i], y[i])
		}
		if i > 0 && x[i].At < x[i-1].At {
			t.Fatal("schedule not sorted by time")
		}
		if x[i].At > cfg.End {
			t.Fatalf("action after the end: %s", x[i])
		}
	}
	if last := x[len(x)-1]; last.Op != OpHealAll || last.At != cfg.End {
		t.Fatalf("last action %s, want heal-all at the end", last)
	}
}

func TestApplyErrorsNameTheProblem(t *testing.T) {
	w := sim.NewWorld(1)
	n, _ := network.New(w, network.Config{})
	w.AddHost("a", sim.HostConfig{})
	for _, tt := range []struct {
		a    Action
		want string
	}{
		{Action{Op: OpCrash, Target: "zz"}, `host "zz" is unknown`},
		{Action{Op: OpPartition, Shape: "halves", Groups: [][]string{{"a"}}}, `shape "halves" is unknown; one of isolate, majority, oneway, bridge`},
		{Action{Op: "explode"}, `op "explode" is unknown`},
		{Action{Op: OpClog, Groups: [][]string{{"a"}}}, "want one group of two hosts"},
		{Action{Op: OpPromote, Target: "a"}, "nemesis promote: this deployment has no operator"},
	} {
		err := tt.a.Apply(w, n, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.a, err, tt.want)
		}
	}
}
