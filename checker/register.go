package checker

import (
	"hash/maphash"

	"github.com/redsim/redsim/history"
)

// Register is GET and SET: read and write. A missing key reads as None.
var Register = Model{
	Name:          "register",
	Kinds:         []history.Kind{history.Read, history.Write},
	Init:          initRegister,
	Step:          stepRegister,
	Hash:          hashValue,
	DescribeState: describeValue,

	RegisterReadWrite: true,
}

// CASRegister adds compare-and-set (cas) to Register. Its Read and Write are
// still a register's: a key with no cas is trimmed as Register's are.
var CASRegister = Model{
	Name:          "cas-register",
	Kinds:         []history.Kind{history.Read, history.Write, history.CAS},
	Init:          initRegister,
	Step:          stepRegister,
	Hash:          hashValue,
	DescribeState: describeValue,

	RegisterReadWrite: true,
}

// cas results: an ok cas whose result is 0 found another value.
var casFailed = history.Int(0)

// A register's state is the history.Value it holds.
func initRegister() any { return history.None }

func stepRegister(s any, op *history.Op) (bool, any) {
	state := s.(history.Value)
	switch op.Kind {
	case history.Read:
		return op.Outcome == history.Info || op.Result == state, state
	case history.Write:
		return true, op.Value
	case history.CAS:
		match := state == op.Expect
		switch {
		case op.Outcome == history.Info:
			// If it happened, it did what the comparison says; if it did not,
			// porcupine may place it after everything else, where it changes
			// nothing anyone observed.
			if match {
				return true, op.Value
			}
			return true, state
		case op.Result == casFailed:
			return !match, state
		default:
			return match, op.Value
		}
	}
	return false, state
}

// hashSeed only spreads states over porcupine's cache buckets: whatever it
// is, the search takes the same steps to the same verdict.
var hashSeed = maphash.MakeSeed()

func hashValue(s any) uint64 { return maphash.Comparable(hashSeed, s.(history.Value)) }

func describeValue(s any) string { return s.(history.Value).String() }
