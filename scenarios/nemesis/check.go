package nemesis

import (
	"fmt"
	"slices"
)

// Check refuses an action that Apply would refuse in any world, or that
// would do nothing: a missing target, groups of the wrong shape, a clock
// fault of no size, a reshard of no slots. It runs before the world does,
// so that a schedule's mistake is bad usage rather than a failure in the
// middle of a run. Whether the hosts exist is the scenario's to check.
func (a Action) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{a.Op}, args...)...)
	}
	target := func() error {
		if a.Target == "" {
			return bad("target is missing: the host it acts on")
		}
		return nil
	}
	pair := func() error {
		if len(a.Groups) != 1 || len(a.Groups[0]) != 2 || a.Groups[0][0] == a.Groups[0][1] {
			return bad("groups must be one group of two hosts, such as [[\"n1\", \"n2\"]]; got %v", a.Groups)
		}
		return nil
	}
	noEmptyGroup := func() error {
		if slices.ContainsFunc(a.Groups, func(g []string) bool { return len(g) == 0 }) {
			return bad("a group is empty: %v", a.Groups)
		}
		return nil
	}
	switch a.Op {
	case OpPartition:
		if err := noEmptyGroup(); err != nil {
			return err
		}
		switch a.Shape {
		case ShapeIsolate:
			if len(a.Groups) != 1 || len(a.Groups[0]) != 1 {
				return bad("shape isolate wants one group of one host, the one cut off; got %v", a.Groups)
			}
		case ShapeMajority:
			if len(a.Groups) < 2 {
				return bad("shape majority wants two groups or more, cut from each other; got %v", a.Groups)
			}
		case ShapeOneWay:
			if len(a.Groups) != 2 {
				return bad("shape oneway wants two groups, from and to; got %v", a.Groups)
			}
		case ShapeBridge:
			if len(a.Groups) != 3 || len(a.Groups[1]) != 1 {
				return bad("shape bridge wants three groups, left | the bridge host | right; got %v", a.Groups)
			}
		default:
			return bad("shape %q is unknown; one of isolate, majority, oneway, bridge", a.Shape)
		}
	case OpHeal, OpHealAll, OpClusterCreate:
	case OpCrash, OpCrashTorn, OpCrashWipe, OpRestart, OpStop, OpPause, OpResume,
		OpDiskFsync, OpDiskFull, OpDiskOK, OpKillLink, OpPromote, OpClockDrift,
		OpClusterAddNode, OpClusterDelNode, OpClusterForget, OpClusterFailover:
		return target()
	case OpClockJump:
		if err := target(); err != nil {
			return err
		}
		if a.Delta == 0 {
			return bad("delta is missing or 0: a jump of nothing")
		}
	case OpClockStrobe:
		if err := target(); err != nil {
			return err
		}
		if a.Delta == 0 || a.Period <= 0 || a.Duration <= 0 {
			return bad("want a delta, a positive period and a positive duration (got %v, %v, %v): a strobe without them does nothing", a.Delta, a.Period, a.Duration)
		}
	case OpClog, OpUnclog, OpReset, OpSlow:
		return pair()
	case OpLatency:
		if err := pair(); err != nil {
			return err
		}
		if a.Latency < 0 {
			return bad("latency %v is negative", a.Latency)
		}
	case OpReshard, OpAssignSlots:
		if err := pair(); err != nil {
			return err
		}
		if a.Count <= 0 {
			return bad("count must be the number of slots to move, got %d", a.Count)
		}
	case OpFailover:
		if len(a.Groups) < 1 || len(a.Groups) > 2 || len(a.Groups[0]) == 0 {
			return bad("groups must be the candidate hosts and, optionally, the hosts that follow the new master; got %v", a.Groups)
		}
	case OpReplicaOf, OpPublish:
		if err := target(); err != nil {
			return err
		}
		if a.Master == "" {
			return bad("master is missing: the host:port to follow")
		}
	default:
		return fmt.Errorf("op %q is unknown", a.Op)
	}
	return nil
}
