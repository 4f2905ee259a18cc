package nemesis

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func kindOf(a Action) (Kind, bool) {
	switch a.Op {
	case OpPartition:
		return map[string]Kind{ShapeIsolate: KindIsolate, ShapeMajority: KindMajority, ShapeOneWay: KindOneWay, ShapeBridge: KindBridge}[a.Shape], true
	case OpCrash:
		return KindCrash, true
	case OpPause:
		return KindPause, true
	case OpClockJump:
		return KindJump, true
	case OpClockDrift:
		return KindDrift, a.PPM != 0
	case OpClockStrobe:
		return KindStrobe, true
	case OpDiskFsync:
		return KindFsync, true
	case OpDiskFull:
		return KindFull, true
	case OpClog:
		return KindClog, true
	case OpReset:
		return KindReset, true
	case OpSlow:
		return KindSlow, a.Count != 1
	case OpKillLink:
		return KindKillLink, true
	}
	return "", false
}

// A profile holds only kinds the config enables, at least one of them;
// the schedule it generates holds only its kinds; and over seeds every
// kind is sometimes on and sometimes off.
func TestSwarmProfiles(t *testing.T) {
	cfg := Config{Hosts: []string{"a", "b", "c"}, Interval: 2 * time.Second, End: 60 * time.Second,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true, MaxJump: 5 * time.Second}
	on, off := map[Kind]int{}, map[Kind]int{}
	for seed := uint64(1); seed <= 200; seed++ {
		p := DrawProfile(cfg, rand.New(rand.NewPCG(seed, 1)))
		if len(p.Rates) == 0 {
			t.Fatalf("seed %d: no kind on", seed)
		}
		have := map[Kind]bool{}
		for _, r := range p.Rates {
			if r.Kind == KindFsync || r.Kind == KindFull || r.Kind == KindKillLink {
				t.Fatalf("seed %d: %s is on though the config has no disks or link kills", seed, r.Kind)
			}
			have[r.Kind] = true
			on[r.Kind]++
		}
		for _, k := range p.Off {
			off[k]++
		}
		c := cfg
		c.Profile = p
		for _, a := range Generate(c, rand.New(rand.NewPCG(seed, 2))) {
			if k, ok := kindOf(a); ok && !have[k] {
				t.Fatalf("seed %d: %s in the schedule of %s", seed, a, p)
			}
		}
	}
	for _, k := range []Kind{KindIsolate, KindMajority, KindOneWay, KindBridge, KindCrash, KindPause, KindJump, KindDrift, KindStrobe, KindClog, KindReset, KindSlow} {
		if on[k] == 0 || off[k] == 0 {
			t.Errorf("%s: on in %d seeds, off in %d", k, on[k], off[k])
		}
	}
}

// Each kind draws from its own stream: turning one kind off leaves the
// other kinds' faults exactly as they were (what shrinking needs).
func TestSwarmKindsIndependent(t *testing.T) {
	cfg := Config{Hosts: []string{"a", "b", "c"}, Interval: 2 * time.Second, End: 60 * time.Second, Crashes: true, Pauses: true, Links: true}
	full := &Profile{Rates: []KindRate{{KindCrash, 6}, {KindPause, 10}, {KindReset, 4}}}
	less := &Profile{Rates: []KindRate{{KindCrash, 6}, {KindReset, 4}}}
	gen := func(p *Profile) []Action {
		c := cfg
		c.Profile = p
		return slices.DeleteFunc(Generate(c, rand.New(rand.NewPCG(7, 7))), func(a Action) bool { return a.Op == OpPause || a.Op == OpResume })
	}
	a, b := gen(full), gen(less)
	if len(a) < 5 || !reflect.DeepEqual(a, b) {
		t.Fatalf("without pauses the other faults changed:\n%v\n%v", a, b)
	}
}
