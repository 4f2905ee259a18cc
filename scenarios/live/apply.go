package live

import (
	"fmt"
	"syscall"

	"github.com/redsim/redsim/scenarios/nemesis"
)

// apply carries out one action of the schedule on the real processes and
// the firewall; what cannot be done for real is skipped with a fact. It
// runs on the loop. An error is a broken schedule (an unknown host or
// shape, a firewall that refuses a rule): it stops the run.
func (b *Backend) apply(a nemesis.Action, op nemesis.Operator) error {
	skip := func(why string) {
		b.facts = append(b.facts, fmt.Sprintf("%s at %v skipped: %s", a.Op, a.At, why))
	}
	// procsOf are the processes an action on a host acts on: its Redis
	// node and its sentinel, either or both; none, with a note, for a
	// host of clients only: they share the run's one loop, so they cannot
	// be paused or crashed apart.
	procsOf := func() ([]*node, error) {
		var ps []*node
		if n := b.nodes[a.Target]; n != nil {
			ps = append(ps, n)
		}
		if n := b.sentinels[a.Target]; n != nil {
			ps = append(ps, n)
		}
		if len(ps) == 0 {
			if _, ok := b.hosts[a.Target]; ok && a.Target != operatorHost {
				skip("host " + a.Target + " runs only clients, which share one loop in a live run")
				return nil, nil
			}
			return nil, fmt.Errorf("nemesis %s: no Redis node or sentinel on host %q", a.Op, a.Target)
		}
		return ps, nil
	}
	switch a.Op {
	case nemesis.OpPartition:
		pairs, err := cutPairs(a, b.order[1:]) // all but the operator
		if err != nil {
			return err
		}
		addrs := make([][2]string, len(pairs))
		for i, p := range pairs {
			from, ok1 := b.hosts[p[0]]
			to, ok2 := b.hosts[p[1]]
			if !ok1 || !ok2 {
				return fmt.Errorf("nemesis partition: host %q or %q is not part of the run", p[0], p[1])
			}
			addrs[i] = [2]string{from, to}
		}
		return b.fw.cutAll(addrs)
	case nemesis.OpHeal:
		return b.fw.heal()
	case nemesis.OpClog, nemesis.OpUnclog:
		// A clog holds a pair's traffic both ways until unclogged: a cut
		// both ways, which TCP's retransmissions deliver after it.
		if len(a.Groups) != 1 || len(a.Groups[0]) != 2 {
			return fmt.Errorf("nemesis %s: want one group of two hosts", a.Op)
		}
		x, y := b.hosts[a.Groups[0][0]], b.hosts[a.Groups[0][1]]
		for _, p := range [][2]string{{x, y}, {y, x}} {
			var err error
			if a.Op == nemesis.OpClog {
				err = b.fw.cut(p[0], p[1])
			} else {
				err = b.fw.uncut(p[0], p[1])
			}
			if err != nil {
				return err
			}
		}
	case nemesis.OpCrash, nemesis.OpCrashTorn, nemesis.OpCrashWipe:
		ps, err := procsOf()
		if ps == nil {
			return err
		}
		for _, n := range ps {
			n.kill()
			if a.Op == nemesis.OpCrashWipe {
				if err := n.wipe(); err != nil {
					return err
				}
			}
		}
		if a.Op == nemesis.OpCrashTorn {
			b.facts = append(b.facts, fmt.Sprintf("crash-torn %s at %v: a plain SIGKILL; a torn tail is not possible live", a.Target, a.At))
		}
	case nemesis.OpRestart:
		ps, err := procsOf()
		if ps == nil {
			return err
		}
		for _, n := range ps {
			if err := n.start(); err != nil {
				return err
			}
		}
	case nemesis.OpPause, nemesis.OpResume:
		ps, err := procsOf()
		if ps == nil {
			return err
		}
		sig := syscall.SIGSTOP
		if a.Op == nemesis.OpResume {
			sig = syscall.SIGCONT
		}
		for _, n := range ps {
			if err := n.signal(sig); err != nil {
				b.Note(fmt.Sprintf("%s %s (%s): %v", a.Op, a.Target, n.what(), err))
			}
		}
	case nemesis.OpStop:
		ps, err := procsOf()
		if ps == nil {
			return err
		}
		for _, n := range ps {
			if n.paused {
				_ = n.signal(syscall.SIGCONT) // as the simulation resumes first
			}
			if err := n.signal(syscall.SIGTERM); err != nil {
				b.Note(fmt.Sprintf("%s %s (%s): %v", a.Op, a.Target, n.what(), err))
			}
		}
	case nemesis.OpHealAll:
		if err := b.fw.heal(); err != nil {
			return err
		}
		for _, h := range b.order {
			for _, n := range []*node{b.nodes[h], b.sentinels[h]} {
				if n == nil {
					continue
				}
				if n.paused {
					_ = n.signal(syscall.SIGCONT)
				}
				if !n.up() {
					if err := n.start(); err != nil {
						return err
					}
				}
			}
		}
	case nemesis.OpClockJump, nemesis.OpClockDrift, nemesis.OpClockStrobe:
		skip("not possible live: the machine's clock is shared, and libfaketime 0.9.10 (Debian 12's faketime) cannot start redis-server 7.0.15: its clock_gettime recursion check aborts the start under jemalloc")
	case nemesis.OpDiskFsync, nemesis.OpDiskFull, nemesis.OpDiskOK:
		skip("not possible live (a real file system)")
	case nemesis.OpReset:
		skip("not built live")
	case nemesis.OpSlow, nemesis.OpLatency:
		skip("not built live: it needs tc netem, and this machine's kernel has no sch_netem qdisc")
	case nemesis.OpKillLink:
		return op.KillLink(a.Target)
	case nemesis.OpPromote:
		return op.Promote(a.Target)
	case nemesis.OpReplicaOf:
		return op.ReplicaOf(a.Target, a.Master)
	case nemesis.OpPublish:
		return op.Publish(a.Target, a.Master)
	case nemesis.OpFailover:
		if len(a.Groups) < 1 || len(a.Groups) > 2 || len(a.Groups[0]) == 0 {
			return fmt.Errorf("nemesis failover: groups must be the candidate hosts and, optionally, the hosts that follow the new master, got %v", a.Groups)
		}
		var others []string
		if len(a.Groups) == 2 {
			others = a.Groups[1]
		}
		return op.Failover(a.Groups[0], others, a.Target)
	default:
		return fmt.Errorf("nemesis op %q is unknown", a.Op)
	}
	return nil
}

// cutPairs are the directed host pairs a partition cuts, as the simulated
// network cuts them: isolate cuts one host from every other host of the
// run, majority cuts every group from every other, oneway stops Groups[0]
// sending to Groups[1], bridge cuts left from right.
func cutPairs(a nemesis.Action, hosts []string) ([][2]string, error) {
	var out [][2]string
	both := func(xs, ys []string) {
		for _, x := range xs {
			for _, y := range ys {
				out = append(out, [2]string{x, y}, [2]string{y, x})
			}
		}
	}
	switch a.Shape {
	case nemesis.ShapeIsolate:
		if len(a.Groups) != 1 || len(a.Groups[0]) != 1 {
			return nil, fmt.Errorf("nemesis partition isolate: want one group of one host")
		}
		var others []string
		for _, h := range hosts {
			if h != a.Groups[0][0] {
				others = append(others, h)
			}
		}
		both(a.Groups[0], others)
	case nemesis.ShapeMajority:
		for i := range a.Groups {
			for j := i + 1; j < len(a.Groups); j++ {
				both(a.Groups[i], a.Groups[j])
			}
		}
	case nemesis.ShapeOneWay:
		if len(a.Groups) != 2 {
			return nil, fmt.Errorf("nemesis partition oneway: want two groups")
		}
		for _, x := range a.Groups[0] {
			for _, y := range a.Groups[1] {
				out = append(out, [2]string{x, y})
			}
		}
	case nemesis.ShapeBridge:
		if len(a.Groups) != 3 || len(a.Groups[1]) != 1 {
			return nil, fmt.Errorf("nemesis partition bridge: want groups left | bridge | right")
		}
		both(a.Groups[0], a.Groups[2])
	default:
		return nil, fmt.Errorf("nemesis partition shape %q is unknown; one of isolate, majority, oneway, bridge", a.Shape)
	}
	return out, nil
}
