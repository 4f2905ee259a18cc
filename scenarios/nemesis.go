package scenarios

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// Op is the kind of a nemesis action.
type Op string

// The nemesis actions. Each targets hosts by name.
const (
	OpPartition   Op = "partition"  // Shape with Groups
	OpHeal        Op = "heal"       // partitions only
	OpCrash       Op = "crash"      // Target host loses power
	OpRestart     Op = "restart"    // Target host's processes start again
	OpPause       Op = "pause"      // Target host's processes stop (SIGSTOP)
	OpResume      Op = "resume"     // and continue
	OpClockJump   Op = "clock-jump" // Target's wall clock moves by Delta
	OpClockDrift  Op = "clock-drift"
	OpClockStrobe Op = "clock-strobe" // wall flips by Delta every Period for Duration
	OpDiskFsync   Op = "disk-fail-fsync"
	OpDiskFull    Op = "disk-full"
	OpDiskOK      Op = "disk-ok"
	OpClog        Op = "clog" // Groups[0][0] <-> Groups[0][1]
	OpUnclog      Op = "unclog"
	OpReset       Op = "reset" // resets connections between Groups[0][0] and Groups[0][1]
	OpSlow        Op = "slow"  // Count is the latency factor; 1 restores
	OpHealAll     Op = "heal-all"
)

// Shapes of partitions.
const (
	ShapeIsolate  = "isolate"  // Groups[0] is one host cut off from all
	ShapeMajority = "majority" // Groups are cut from each other
	ShapeOneWay   = "oneway"   // Groups[0] cannot send to Groups[1]
	ShapeBridge   = "bridge"   // Groups[0] | Groups[1][0] | Groups[2]
)

// Action is one timed fault. A schedule is plain data: it can be printed,
// saved, edited and replayed.
type Action struct {
	At       time.Duration `json:"at"`
	Op       Op            `json:"op"`
	Target   string        `json:"target,omitempty"`
	Shape    string        `json:"shape,omitempty"`
	Groups   [][]string    `json:"groups,omitempty"`
	Delta    time.Duration `json:"delta,omitempty"`
	Period   time.Duration `json:"period,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
	PPM      float64       `json:"ppm,omitempty"`
	Count    int           `json:"count,omitempty"`
}

// String prints a one-line description.
func (a Action) String() string {
	var b strings.Builder
	b.WriteString(clock.Time(a.At).String())
	b.WriteByte(' ')
	b.WriteString(string(a.Op))
	if a.Shape != "" {
		b.WriteString(" " + a.Shape)
	}
	if a.Target != "" {
		b.WriteString(" " + a.Target)
	}
	if len(a.Groups) > 0 {
		gs := make([]string, len(a.Groups))
		for i, g := range a.Groups {
			gs[i] = strings.Join(g, ",")
		}
		b.WriteString(" " + strings.Join(gs, " | "))
	}
	if a.Delta != 0 {
		b.WriteString(" delta=" + a.Delta.String())
	}
	if a.Period != 0 {
		b.WriteString(" period=" + a.Period.String())
	}
	if a.Duration != 0 {
		b.WriteString(" for=" + a.Duration.String())
	}
	if a.PPM != 0 {
		b.WriteString(" ppm=" + strconv.FormatFloat(a.PPM, 'g', -1, 64))
	}
	if a.Count != 0 {
		b.WriteString(" count=" + strconv.Itoa(a.Count))
	}
	return b.String()
}

// Apply performs a on the world now.
func (a Action) Apply(w *sim.World, n *network.Network) error {
	host := func() (*sim.Host, error) {
		h := w.Host(a.Target)
		if h == nil {
			return nil, fmt.Errorf("nemesis %s: host %q is unknown", a.Op, a.Target)
		}
		return h, nil
	}
	pair := func() (string, string, error) {
		if len(a.Groups) != 1 || len(a.Groups[0]) != 2 {
			return "", "", fmt.Errorf("nemesis %s: want one group of two hosts", a.Op)
		}
		return a.Groups[0][0], a.Groups[0][1], nil
	}
	switch a.Op {
	case OpPartition:
		switch a.Shape {
		case ShapeIsolate:
			if len(a.Groups) != 1 || len(a.Groups[0]) != 1 {
				return fmt.Errorf("nemesis partition isolate: want one group of one host")
			}
			return n.Isolate(a.Groups[0][0])
		case ShapeMajority:
			return n.Split(a.Groups)
		case ShapeOneWay:
			if len(a.Groups) != 2 {
				return fmt.Errorf("nemesis partition oneway: want two groups")
			}
			return n.OneWay(a.Groups[0], a.Groups[1])
		case ShapeBridge:
			if len(a.Groups) != 3 || len(a.Groups[1]) != 1 {
				return fmt.Errorf("nemesis partition bridge: want groups left | bridge | right")
			}
			return n.Bridge(a.Groups[0], a.Groups[2], a.Groups[1][0])
		default:
			return fmt.Errorf("nemesis partition shape %q is unknown; one of isolate, majority, oneway, bridge", a.Shape)
		}
	case OpHeal:
		n.Heal()
	case OpCrash:
		h, err := host()
		if err != nil {
			return err
		}
		h.Crash()
	case OpRestart:
		h, err := host()
		if err != nil {
			return err
		}
		h.Restart(0)
	case OpPause, OpResume:
		h, err := host()
		if err != nil {
			return err
		}
		for _, p := range h.Processes() {
			if a.Op == OpPause {
				p.Pause()
			} else {
				p.Resume()
			}
		}
	case OpClockJump:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-jump " + a.Target + " " + a.Delta.String())
		h.Clock.Jump(a.Delta)
	case OpClockDrift:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-drift " + a.Target + " ppm=" + strconv.FormatFloat(a.PPM, 'g', -1, 64))
		return h.Clock.SetDrift(w.Now(), a.PPM)
	case OpClockStrobe:
		h, err := host()
		if err != nil {
			return err
		}
		w.Fault("clock-strobe " + a.Target)
		h.Clock.Strobe(w.Now(), a.Delta, a.Period, a.Duration)
	case OpDiskFsync, OpDiskFull, OpDiskOK:
		h, err := host()
		if err != nil {
			return err
		}
		switch a.Op {
		case OpDiskFsync:
			h.Disk().FailSyncs(max(a.Count, 1))
		case OpDiskFull:
			h.Disk().SetFull(true)
		default:
			h.Disk().SetFull(false)
			h.Disk().FailSyncs(0)
		}
	case OpClog, OpUnclog, OpReset, OpSlow:
		x, y, err := pair()
		if err != nil {
			return err
		}
		switch a.Op {
		case OpClog:
			return n.Clog(x, y)
		case OpUnclog:
			return n.Unclog(x, y)
		case OpReset:
			_, err := n.ResetConns(x, y)
			return err
		default:
			return n.Slow(x, y, max(a.Count, 1))
		}
	case OpHealAll:
		healAll(w, n)
	default:
		return fmt.Errorf("nemesis op %q is unknown", a.Op)
	}
	return nil
}

// healAll ends every fault: partitions, clogs and slow links, pauses, crashes,
// drift and disk faults. Clock offsets from jumps stay, as they would after an
// operator fixed NTP without stepping clocks back.
func healAll(w *sim.World, n *network.Network) {
	w.Fault("heal-all")
	n.Restore()
	for _, h := range w.Hosts() {
		for _, p := range h.Processes() {
			p.Resume()
		}
		h.Restart(0)
		_ = h.Clock.SetDrift(w.Now(), 0)
		h.Clock.Strobe(w.Now(), 0, 0, 0)
		h.Disk().SetFull(false)
		h.Disk().FailSyncs(0)
	}
}

// Schedule installs every action at its time; a failing action halts the
// world through fail.
func Schedule(w *sim.World, n *network.Network, actions []Action, fail func(error)) {
	for _, a := range actions {
		a := a
		w.At(clock.Time(a.At), func() {
			if err := a.Apply(w, n); err != nil {
				fail(err)
			}
		})
	}
}

// NemesisConfig says which faults a generated schedule draws and how often.
type NemesisConfig struct {
	// Hosts are the hosts faults target.
	Hosts []string
	// Interval is the mean time between two faults.
	Interval time.Duration
	// End is when faults stop and a heal-all runs.
	End time.Duration
	// The fault families to draw from.
	Partitions, Crashes, Pauses, Clocks, Disks, Links bool
	// MaxJump bounds clock jumps, both ways.
	MaxJump time.Duration
}

// Generate draws a schedule from r: faults at random times in [0, End), each
// repaired after a random while, then a heal-all at End.
func Generate(cfg NemesisConfig, r *rand.Rand) []Action {
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
