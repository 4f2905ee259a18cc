package nemesis

import (
	"math/rand/v2"
	"sort"
	"time"
)

// Config says which faults a generated schedule draws and how often.
type Config struct {
	// Hosts are the hosts faults target.
	Hosts []string
	// Interval is the mean time between two faults.
	Interval time.Duration
	// End is when faults stop and a heal-all runs.
	End time.Duration
	// The fault families to draw from.
	Partitions, Crashes, Pauses, Clocks, Disks, Links bool
	// LinkKills draws kill-link on one of Hosts: a replica's link to its
	// master closes and it resyncs, partially when the backlog still
	// covers it. A family of its own, so that the schedules of configs
	// without it stay as they were.
	LinkKills bool
	// MaxJump bounds clock jumps, both ways.
	MaxJump time.Duration
}

// Generate draws a schedule from r: faults at random times in [0, End), each
// repaired after a random while, then a heal-all at End.
func Generate(cfg Config, r *rand.Rand) []Action {
	var fams []func(at time.Duration) []Action
	pick := func(k int) []string { // k distinct hosts, in host order
		idx := r.Perm(len(cfg.Hosts))[:k]
		sort.Ints(idx)
		out := make([]string, k)
		for i, j := range idx {
			out[i] = cfg.Hosts[j]
		}
		return out
	}
	one := func() string { return cfg.Hosts[r.IntN(len(cfg.Hosts))] }
	hold := func() time.Duration {
		return cfg.Interval/2 + time.Duration(r.Int64N(int64(2*cfg.Interval)))
	}
	nh := len(cfg.Hosts)
	if cfg.Partitions && nh >= 2 {
		fams = append(fams, func(at time.Duration) []Action {
			var p Action
			perm := pick(nh)
			r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			switch r.IntN(4) {
			case 0:
				p = Action{Shape: ShapeIsolate, Groups: [][]string{{perm[0]}}}
			case 1:
				k := (nh - 1) / 2
				if k == 0 {
					k = 1
				}
				p = Action{Shape: ShapeMajority, Groups: [][]string{sorted(perm[:k]), sorted(perm[k:])}}
			case 2:
				p = Action{Shape: ShapeOneWay, Groups: [][]string{{perm[0]}, sorted(perm[1:])}}
			default:
				if nh < 3 {
					p = Action{Shape: ShapeIsolate, Groups: [][]string{{perm[0]}}}
					break
				}
				k := (nh - 1) / 2
				p = Action{Shape: ShapeBridge, Groups: [][]string{sorted(perm[1 : 1+k]), {perm[0]}, sorted(perm[1+k:])}}
			}
			p.At, p.Op = at, OpPartition
			return []Action{p, {At: at + hold(), Op: OpHeal}}
		})
	}
	if cfg.Crashes {
		fams = append(fams, func(at time.Duration) []Action {
			h := one()
			return []Action{{At: at, Op: OpCrash, Target: h}, {At: at + hold(), Op: OpRestart, Target: h}}
		})
	}
	if cfg.Pauses {
		fams = append(fams, func(at time.Duration) []Action {
			h := one()
			return []Action{{At: at, Op: OpPause, Target: h}, {At: at + hold(), Op: OpResume, Target: h}}
		})
	}
	if cfg.Clocks {
		fams = append(fams, func(at time.Duration) []Action {
			h := one()
			switch r.IntN(3) {
			case 0:
				d := time.Duration(r.Int64N(int64(2*cfg.MaxJump))) - cfg.MaxJump
				return []Action{{At: at, Op: OpClockJump, Target: h, Delta: d}}
			case 1:
				ppm := float64(r.IntN(2001) - 1000)
				return []Action{{At: at, Op: OpClockDrift, Target: h, PPM: ppm}, {At: at + hold(), Op: OpClockDrift, Target: h}}
			default:
				return []Action{{At: at, Op: OpClockStrobe, Target: h, Delta: cfg.MaxJump, Period: cfg.Interval / 10, Duration: hold()}}
			}
		})
	}
	if cfg.Disks {
		fams = append(fams, func(at time.Duration) []Action {
			h := one()
			if r.IntN(2) == 0 {
				return []Action{{At: at, Op: OpDiskFsync, Target: h, Count: 1 + r.IntN(3)}}
			}
			return []Action{{At: at, Op: OpDiskFull, Target: h}, {At: at + hold(), Op: OpDiskOK, Target: h}}
		})
	}
	if cfg.Links && nh >= 2 {
		fams = append(fams, func(at time.Duration) []Action {
			p := pick(2)
			g := [][]string{p}
			switch r.IntN(3) {
			case 0:
				return []Action{{At: at, Op: OpClog, Groups: g}, {At: at + hold(), Op: OpUnclog, Groups: g}}
			case 1:
				return []Action{{At: at, Op: OpReset, Groups: g}}
			default:
				return []Action{{At: at, Op: OpSlow, Groups: g, Count: 2 + r.IntN(20)}, {At: at + hold(), Op: OpSlow, Groups: g, Count: 1}}
			}
		})
	}
	if cfg.LinkKills && nh >= 1 {
		fams = append(fams, func(at time.Duration) []Action {
			return []Action{{At: at, Op: OpKillLink, Target: one()}}
		})
	}
	var out []Action
	if len(fams) > 0 && cfg.Interval > 0 {
		for at := time.Duration(r.Int64N(int64(cfg.Interval))); at < cfg.End; at += cfg.Interval/2 + time.Duration(r.Int64N(int64(cfg.Interval))) {
			for _, a := range fams[r.IntN(len(fams))](at) {
				if a.At < cfg.End {
					out = append(out, a)
				}
			}
		}
	}
	out = append(out, Action{At: cfg.End, Op: OpHealAll})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
