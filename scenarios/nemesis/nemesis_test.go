package nemesis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
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
		{Action{Op: OpClog, Groups: [][]string{{"a"}}}, "nemesis clog: groups must be one group of two hosts"},
		{Action{Op: OpCrash}, "nemesis crash: target is missing"},
		{Action{Op: OpPromote, Target: "a"}, "nemesis promote: this deployment has no operator"},
		{Action{Op: OpKillLink, Target: "a"}, "nemesis kill-link: this deployment has no operator"},
	} {
		err := tt.a.Apply(w, n, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.a, err, tt.want)
		}
	}
}

// fakeOperator records the operator calls it gets.
type fakeOperator struct{ calls []string }

func (f *fakeOperator) Promote(host string) error {
	f.calls = append(f.calls, "promote "+host)
	return nil
}
func (f *fakeOperator) ReplicaOf(host, master string) error {
	f.calls = append(f.calls, "replicaof "+host+" "+master)
	return nil
}
func (f *fakeOperator) Publish(name, addr string) error {
	f.calls = append(f.calls, "publish "+name+" "+addr)
	return nil
}
func (f *fakeOperator) Failover(candidates, others []string, name string) error {
	f.calls = append(f.calls, "failover "+strings.Join(candidates, ",")+" "+strings.Join(others, ",")+" "+name)
	return nil
}

func (f *fakeOperator) Reshard(from, to string, count int) error {
	f.calls = append(f.calls, fmt.Sprintf("reshard %s %s %d", from, to, count))
	return nil
}

func (f *fakeOperator) AssignSlots(from, to string, count int) error {
	f.calls = append(f.calls, fmt.Sprintf("assign-slots %s %s %d", from, to, count))
	return nil
}

func (f *fakeOperator) ClusterCreate() error {
	f.calls = append(f.calls, "cluster-create")
	return nil
}

func (f *fakeOperator) ClusterAddNode(host, master string) error {
	f.calls = append(f.calls, "cluster-add-node "+host+" "+master)
	return nil
}

func (f *fakeOperator) ClusterDelNode(host string) error {
	f.calls = append(f.calls, "cluster-del-node "+host)
	return nil
}

func (f *fakeOperator) ClusterForget(host string) error {
	f.calls = append(f.calls, "cluster-forget "+host)
	return nil
}

func (f *fakeOperator) ClusterFailover(host, mode string) error {
	f.calls = append(f.calls, "cluster-failover "+host+" "+mode)
	return nil
}

func (f *fakeOperator) KillLink(host string) error {
	f.calls = append(f.calls, "kill-link "+host)
	return nil
}

// kill-link is a family of its own: a config without it draws no
// kill-link, a config with it alone draws nothing else, and each one is data
// that prints, saves as a file's table and applies through the operator.
func TestKillLinkIsOptInData(t *testing.T) {
	hosts := []string{"m", "r1", "r2"}
	base := Config{Hosts: hosts, Interval: time.Second, End: 30 * time.Second, Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true, MaxJump: time.Second}
	for _, a := range Generate(base, sim.NewStream(1, "nemesis")) {
		if a.Op == OpKillLink {
			t.Fatalf("kill-link drawn without LinkKills: %s", a)
		}
	}
	only := Config{Hosts: hosts, Interval: time.Second, End: 30 * time.Second, LinkKills: true}
	kills := 0
	for _, a := range Generate(only, sim.NewStream(1, "nemesis")) {
		switch {
		case a.Op == OpHealAll:
		case a.Op != OpKillLink || !slices.Contains(hosts, a.Target):
			t.Fatalf("drew %s, want kill-link of one of %v", a, hosts)
		default:
			kills++
		}
	}
	if kills < 10 {
		t.Fatalf("%d kill-links in 30s at one a second", kills)
	}
	a := Action{At: 1500 * time.Millisecond, Op: OpKillLink, Target: "r1"}
	if got := a.String(); got != "1.500000s kill-link r1" {
		t.Errorf("String: %q", got)
	}
	if got := FormatTOML([]Action{a}); got != "[[nemesis.action]]\nat = \"1.5s\"\nop = \"kill-link\"\ntarget = \"r1\"\n" {
		t.Errorf("FormatTOML: %q", got)
	}
	if !slices.Contains(Ops, OpKillLink) {
		t.Error("Ops, which scenario files accept, lacks kill-link")
	}
	w := sim.NewWorld(1)
	n, _ := network.New(w, network.Config{})
	op := &fakeOperator{}
	if err := a.Apply(w, n, op); err != nil || strings.Join(op.calls, ";") != "kill-link r1" {
		t.Fatalf("apply: %v, calls %v", err, op.calls)
	}
}

// Check refuses the configs Generate cannot draw from: an interval of a
// few nanoseconds never moved the clock on (hung until memory ran out),
// and clock faults with no jump panicked in rand.Int64N.
func TestConfigCheck(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Interval: time.Second, End: time.Minute, Clocks: true, MaxJump: time.Second}, ""},
		{Config{Interval: 0, End: time.Minute}, ""},
		{Config{Interval: time.Nanosecond, End: time.Minute}, "fault interval 1ns: want at least 1ms"},
		{Config{Interval: -time.Second, End: time.Minute}, "fault interval -1s"},
		{Config{Interval: time.Second, End: -time.Second}, "faults end at -1s"},
		{Config{Interval: time.Second, End: time.Minute, Clocks: true}, "clock faults with a largest jump of 0s"},
	} {
		err := tt.cfg.Check()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// Check refuses before the run what Apply refused in its middle (a
// framework failure, exit 3) and what did nothing at all.
func TestActionCheck(t *testing.T) {
	for _, tt := range []struct {
		a    Action
		want string
	}{
		{Action{Op: OpCrash, Target: "n1"}, ""},
		{Action{Op: OpCrash}, "crash: target is missing"},
		{Action{Op: OpPartition, Shape: ShapeIsolate, Groups: [][]string{{"n1"}}}, ""},
		{Action{Op: OpPartition, Shape: ShapeIsolate, Groups: [][]string{{"n1", "n2"}}}, "shape isolate wants one group of one host"},
		{Action{Op: OpPartition, Shape: ShapeMajority}, "shape majority wants two groups or more"},
		{Action{Op: OpPartition, Shape: ShapeBridge, Groups: [][]string{{"n1"}, {"n2"}}}, "shape bridge wants three groups"},
		{Action{Op: OpPartition, Shape: "ring", Groups: [][]string{{"n1"}, {"n2"}}}, `shape "ring" is unknown`},
		{Action{Op: OpClog, Groups: [][]string{{"n1"}}}, "clog: groups must be one group of two hosts"},
		{Action{Op: OpReset, Groups: [][]string{{"n1", "n2", "n3"}}}, "reset: groups must be one group of two hosts"},
		{Action{Op: OpClockJump, Target: "n1"}, "clock-jump: delta is missing or 0"},
		{Action{Op: OpClockDrift, Target: "n1"}, ""}, // drift back to none
		{Action{Op: OpClockStrobe, Target: "n1", Delta: time.Second}, "clock-strobe: want a delta, a positive period and a positive duration"},
		{Action{Op: OpReshard, Groups: [][]string{{"n1", "n2"}}}, "reshard: count must be the number of slots to move, got 0"},
		{Action{Op: OpReplicaOf, Target: "n2"}, "replicaof: master is missing"},
		{Action{Op: OpFailover}, "failover: groups must be the candidate hosts"},
		{Action{Op: "explode"}, `op "explode" is unknown`},
	} {
		err := tt.a.Check()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: %v, want %q", tt.a, err, tt.want)
		}
	}
}

var testCalmSite = sim.DeclareSite("test/nemesis-calm", "fired by TestSitesCalmAtTheLastHealAll")

// The fault sites stop at the schedule's last heal-all, which starts the
// quiet period; a mid-run heal-all (wait-failover has two) leaves them on.
func TestSitesCalmAtTheLastHealAll(t *testing.T) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ForceSite("test/nemesis-calm"); err != nil {
		t.Fatal(err)
	}
	Schedule(w, n, nil, []Action{{At: time.Second, Op: OpHealAll}, {At: 2 * time.Second, Op: OpHealAll}}, func(err error) { t.Fatal(err) })
	for _, at := range []time.Duration{1500 * time.Millisecond, 2500 * time.Millisecond} {
		w.RunUntil(clock.Time(at))
		if got, want := testCalmSite.FireIn(w, -1), at < 2*time.Second; got != want {
			t.Errorf("at %v the site fired: %v, want %v", at, got, want)
		}
	}
}
