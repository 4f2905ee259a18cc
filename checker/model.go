package checker

import (
	"fmt"
	"hash/maphash"
	"strconv"

	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/history"
)

// Model names the sequential specification that Linearizable checks a history
// against. Each key is a separate object that starts missing.
type Model string

const (
	// Register is GET and SET: read and write.
	Register Model = "register"
	// CASRegister adds compare-and-set (cas) to Register.
	CASRegister Model = "cas-register"
	// Counter is INCR (incr, whose result is the new value) and GET (read);
	// a missing counter reads as None or 0.
	Counter Model = "counter"
)

var models = []Model{Register, CASRegister, Counter}

// ParseModel returns the model called s.
func ParseModel(s string) (Model, error) {
	for _, m := range models {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("linearizability model %q is unknown; one of register, cas-register, counter", s)
}

// has reports whether an operation of kind k belongs to model m.
func (m Model) has(k history.Kind) bool {
	switch k {
	case history.Read:
		return true
	case history.Write:
		return m == Register || m == CASRegister
	case history.CAS:
		return m == CASRegister
	case history.Incr:
		return m == Counter
	}
	return false
}

// input and output are what porcupine sees of an operation. Values are
// canonical, so that == compares what Redis would.
type input struct {
	kind          history.Kind
	value, expect history.Value
}

type output struct {
	// unknown is an Info operation: it may have happened, with any result.
	unknown bool
	result  history.Value
}

var hashSeed = maphash.MakeSeed()

func (m Model) porcupine() porcupine.Model {
	// No Partition: the checker searches one key at a time (see budget.go).
	pm := porcupine.Model{DescribeOperation: describeOperation}
	switch m {
	case Counter:
		pm.Init = func() any { return int64(0) }
		pm.Step = stepCounter
		pm.Hash = func(s any) uint64 { return uint64(s.(int64)) * 0x9e3779b97f4a7c15 }
		pm.DescribeState = func(s any) string { return strconv.FormatInt(s.(int64), 10) }
	default:
		cas := m == CASRegister
		pm.Init = func() any { return history.None }
		pm.Step = func(s, in, out any) (bool, any) {
			return stepRegister(cas, s.(history.Value), in.(input), out.(output))
		}
		pm.Hash = func(s any) uint64 { return maphash.Comparable(hashSeed, s.(history.Value)) }
		pm.DescribeState = func(s any) string { return s.(history.Value).String() }
	}
	return pm
}

// cas results: an ok cas whose result is 0 found another value.
var casFailed = history.Int(0)

func stepRegister(cas bool, state history.Value, in input, out output) (bool, any) {
	switch in.kind {
	case history.Read:
		return out.unknown || out.result == state, state
	case history.Write:
		return true, in.value
	case history.CAS:
		if !cas {
			return false, state
		}
		match := state == in.expect
		switch {
		case out.unknown:
			// If it happened, it did what the comparison says; if it did not,
			// porcupine may place it after everything else, where it changes
			// nothing anyone observed.
			if match {
				return true, in.value
			}
			return true, state
		case out.result == casFailed:
			return !match, state
		default:
			return match, in.value
		}
	}
	return false, state
}

func stepCounter(s, in, out any) (bool, any) {
	state, i, o := s.(int64), in.(input), out.(output)
	switch i.kind {
	case history.Read:
		if o.unknown {
			return true, state
		}
		if o.result.IsNone() {
			return state == 0, state
		}
		n, ok := o.result.Int()
		return ok && n == state, state
	case history.Incr:
		delta := int64(1)
		if d, ok := i.value.Int(); ok {
			delta = d
		}
		next := state + delta
		if o.unknown || o.result.IsNone() {
			return true, next
		}
		n, ok := o.result.Int()
		return ok && n == next, next
	}
	return false, state
}

func describeOperation(in, out any) string {
	i, o := in.(input), out.(output)
	var s string
	switch i.kind {
	case history.Write, history.Incr:
		s = fmt.Sprintf("%s(%v)", i.kind, i.value)
	case history.CAS:
		s = fmt.Sprintf("cas(%v→%v)", i.expect, i.value)
	default:
		s = string(i.kind) + "()"
	}
	switch {
	case o.unknown:
		return s + " → ?"
	case i.kind == history.CAS && o.result == casFailed:
		return s + " → failed"
	case i.kind == history.CAS || i.kind == history.Write:
		return s
	}
	return s + " → " + o.result.String()
}
