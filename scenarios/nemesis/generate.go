package nemesis

import (
	"fmt"
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
	// Wipes draws crash-wipe: a host loses power and its disk, and its
	// processes restart with no files, as on a replaced machine. Redis
	// documents the hazard (a master without persistence restarted
	// empty, its replicas following it). A family of its own, off unless
	// a scenario asks, since it loses data by design.
	Wipes bool
	// MaxJump bounds clock jumps, both ways.
	MaxJump time.Duration
	// Profile, when set, is the seed's swarm profile (DrawProfile): the
	// kinds of the families above that this run has, each at its rate.
	Profile *Profile
}

// MinInterval is the shortest Interval Check allows: a shorter one would
// draw a fault every few nanoseconds (or, below 2 ns, never move on).
const MinInterval = time.Millisecond

// Check refuses a config Generate cannot draw from: an Interval under
// MinInterval (0 draws no faults), a negative End, clock jumps or strobes
// bounded by a MaxJump that is not positive.
func (c Config) Check() error {
	if c.Interval < 0 || (c.Interval > 0 && c.Interval < MinInterval) {
		return fmt.Errorf("fault interval %v: want at least %v (or 0 for no generated faults)", c.Interval, MinInterval)
	}
	if c.End < 0 {
		return fmt.Errorf("faults end at %v: want a time from 0 on", c.End)
	}
	if c.Clocks && c.MaxJump <= 0 {
		return fmt.Errorf("clock faults with a largest jump of %v: want a positive jump", c.MaxJump)
	}
	return nil
}

// Generate draws a schedule from r: faults at random times in [0, End), each
// repaired after a random while, then a heal-all at End. With a Profile,
// only the profile's kinds are drawn, each at its own rate.
func Generate(cfg Config, r *rand.Rand) []Action {
	g := &gen{cfg: cfg, r: r, nh: len(cfg.Hosts)}
	var out []Action
	if cfg.Profile != nil {
		out = g.swarm(cfg.Profile)
	} else {
		out = g.families()
	}
	out = append(out, Action{At: cfg.End, Op: OpHealAll})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// gen builds the actions of each kind; its draws from r are the same, in
// the same order, whether a family or a profile chose the kind.
type gen struct {
	cfg Config
	r   *rand.Rand
	nh  int
}

// pick returns k distinct hosts, in host order.
func (g *gen) pick(k int) []string {
	idx := g.r.Perm(g.nh)[:k]
	sort.Ints(idx)
	out := make([]string, k)
	for i, j := range idx {
		out[i] = g.cfg.Hosts[j]
	}
	return out
}

func (g *gen) one() string { return g.cfg.Hosts[g.r.IntN(g.nh)] }

func (g *gen) hold() time.Duration {
	return g.cfg.Interval/2 + time.Duration(g.r.Int64N(int64(2*g.cfg.Interval)))
}

// shuffled is a partition's hosts in a random order.
func (g *gen) shuffled() []string {
	perm := g.pick(g.nh)
	g.r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	return perm
}

func (g *gen) partition(k Kind, perm []string, at time.Duration) []Action {
	var p Action
	nh := g.nh
	switch k {
	case KindIsolate:
		p = Action{Shape: ShapeIsolate, Groups: [][]string{{perm[0]}}}
	case KindMajority:
		k := max((nh-1)/2, 1)
		p = Action{Shape: ShapeMajority, Groups: [][]string{sorted(perm[:k]), sorted(perm[k:])}}
	case KindOneWay:
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
	return []Action{p, {At: at + g.hold(), Op: OpHeal}}
}

func (g *gen) clock(k Kind, h string, at time.Duration) []Action {
	switch k {
	case KindJump:
		d := time.Duration(g.r.Int64N(int64(2*g.cfg.MaxJump))) - g.cfg.MaxJump
		return []Action{{At: at, Op: OpClockJump, Target: h, Delta: d}}
	case KindDrift:
		ppm := float64(g.r.IntN(2001) - 1000)
		return []Action{{At: at, Op: OpClockDrift, Target: h, PPM: ppm}, {At: at + g.hold(), Op: OpClockDrift, Target: h}}
	default:
		return []Action{{At: at, Op: OpClockStrobe, Target: h, Delta: g.cfg.MaxJump, Period: g.cfg.Interval / 10, Duration: g.hold()}}
	}
}

func (g *gen) disk(k Kind, h string, at time.Duration) []Action {
	if k == KindFsync {
		return []Action{{At: at, Op: OpDiskFsync, Target: h, Count: 1 + g.r.IntN(3)}}
	}
	return []Action{{At: at, Op: OpDiskFull, Target: h}, {At: at + g.hold(), Op: OpDiskOK, Target: h}}
}

func (g *gen) link(k Kind, pair []string, at time.Duration) []Action {
	gr := [][]string{pair}
	switch k {
	case KindClog:
		return []Action{{At: at, Op: OpClog, Groups: gr}, {At: at + g.hold(), Op: OpUnclog, Groups: gr}}
	case KindReset:
		return []Action{{At: at, Op: OpReset, Groups: gr}}
	default:
		return []Action{{At: at, Op: OpSlow, Groups: gr, Count: 2 + g.r.IntN(20)}, {At: at + g.hold(), Op: OpSlow, Groups: gr, Count: 1}}
	}
}

// kind builds one fault of kind k at at, drawing its targets first.
func (g *gen) kind(k Kind, at time.Duration) []Action {
	switch k {
	case KindIsolate, KindMajority, KindOneWay, KindBridge:
		return g.partition(k, g.shuffled(), at)
	case KindCrash:
		h := g.one()
		return []Action{{At: at, Op: OpCrash, Target: h}, {At: at + g.hold(), Op: OpRestart, Target: h}}
	case KindTorn, KindWipe:
		h := g.one()
		op := OpCrashTorn
		if k == KindWipe {
			op = OpCrashWipe
		}
		return []Action{{At: at, Op: op, Target: h}, {At: at + g.hold(), Op: OpRestart, Target: h}}
	case KindPause:
		h := g.one()
		return []Action{{At: at, Op: OpPause, Target: h}, {At: at + g.hold(), Op: OpResume, Target: h}}
	case KindJump, KindDrift, KindStrobe:
		return g.clock(k, g.one(), at)
	case KindFsync, KindFull:
		return g.disk(k, g.one(), at)
	case KindClog, KindReset, KindSlow:
		return g.link(k, g.pick(2), at)
	default:
		return []Action{{At: at, Op: OpKillLink, Target: g.one()}}
	}
}

// families is the schedule without a profile: every enabled family is
// equally likely at each fault time, and the kind within it is drawn
// after its target.
func (g *gen) families() []Action {
	cfg, r := g.cfg, g.r
	var fams []func(at time.Duration) []Action
	if cfg.Partitions && g.nh >= 2 {
		fams = append(fams, func(at time.Duration) []Action {
			perm := g.shuffled()
			return g.partition([]Kind{KindIsolate, KindMajority, KindOneWay, KindBridge}[r.IntN(4)], perm, at)
		})
	}
	if cfg.Crashes {
		fams = append(fams, func(at time.Duration) []Action { return g.kind(KindCrash, at) })
	}
	if cfg.Pauses {
		fams = append(fams, func(at time.Duration) []Action { return g.kind(KindPause, at) })
	}
	if cfg.Clocks {
		fams = append(fams, func(at time.Duration) []Action {
			h := g.one()
			return g.clock([]Kind{KindJump, KindDrift, KindStrobe}[r.IntN(3)], h, at)
		})
	}
	if cfg.Disks {
		fams = append(fams, func(at time.Duration) []Action {
			h := g.one()
			return g.disk([]Kind{KindFsync, KindFull}[r.IntN(2)], h, at)
		})
	}
	if cfg.Links && g.nh >= 2 {
		fams = append(fams, func(at time.Duration) []Action {
			p := g.pick(2)
			return g.link([]Kind{KindClog, KindReset, KindSlow}[r.IntN(3)], p, at)
		})
	}
	if cfg.LinkKills && g.nh >= 1 {
		fams = append(fams, func(at time.Duration) []Action { return g.kind(KindKillLink, at) })
	}
	if cfg.Wipes && g.nh >= 1 {
		fams = append(fams, func(at time.Duration) []Action { return g.kind(KindWipe, at) })
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
	return out
}

// swarm is the schedule of a profile: each kind that is on has its own
// stream of faults, gaps uniform between half and one and a half of its
// mean, drawn from a PRNG of its own (seeded for every kind, on or off, in
// the kinds' order), so that removing or slowing one kind leaves the
// others' faults as they were.
func (g *gen) swarm(p *Profile) []Action {
	streams := map[Kind]*rand.Rand{}
	for _, k := range kinds {
		streams[k.k] = rand.New(rand.NewPCG(g.r.Uint64(), g.r.Uint64()))
	}
	var out []Action
	for _, kr := range p.Rates {
		if kr.PerMinute <= 0 || streams[kr.Kind] == nil {
			continue
		}
		g.r = streams[kr.Kind]
		mean := time.Duration(float64(time.Minute) / kr.PerMinute)
		for at := time.Duration(g.r.Int64N(int64(mean))); at < g.cfg.End; at += mean/2 + time.Duration(g.r.Int64N(int64(mean))) {
			for _, a := range g.kind(kr.Kind, at) {
				if a.At < g.cfg.End {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
