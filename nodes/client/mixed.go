package client

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// Mixed runs several workloads side by side, each on its own keys, picking
// one for every operation by weight: the registers beside set adds,
// counters, lists, TTL keys, float counters and transactions, so that every
// command family a master replicates is in its stream, over a keyspace wide
// enough that a write the stream loses survives to the end.
type Mixed struct {
	families []Family
	total    float64
}

// A Family is one workload of a Mixed and its weight.
type Family struct {
	Name   string
	Weight float64
	W      Workload
}

// FamilyInfo describes a family NewMixed knows.
type FamilyInfo struct {
	Name   string
	Weight float64 // the default weight
	Help   string
}

// MixedFamilies are the families NewMixed knows, in order, with their
// default weights.
var MixedFamilies = []FamilyInfo{
	{"register", 3, "GET/SET of unique values over r0..r4 (the linearizability checker's keys)"},
	{"set", 2, "SADD of unique elements over s* (lost and phantom adds)"},
	{"counter", 2, "INCR/INCRBY/DECR/DECRBY and GET over n*"},
	{"float", 1, "INCRBYFLOAT over f*, each with a TTL set once (EXPIRE NX)"},
	{"ttl", 2, "keys written once with SET PX NX, then EXPIRE, PEXPIRE, PEXPIREAT, PERSIST, GETEX, GET over x*"},
	{"list", 1, "RPUSH of unique elements and LRANGE over l*"},
	{"multi", 2, "list-append transactions as MULTI/EXEC over t*"},
	{"eval", 1, "list-append transactions as one EVAL over t*"},
}

// NewMixed returns a Mixed of the named families with the given weights
// (a missing name takes its default weight; weight 0 leaves it out), with
// keys keys per family (registers keep 5, the linearizability checker's
// size). An unknown name is an error naming the known ones.
func NewMixed(keys int, weights map[string]float64) (*Mixed, error) {
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		if !slices.ContainsFunc(MixedFamilies, func(f FamilyInfo) bool { return f.Name == name }) {
			names := make([]string, len(MixedFamilies))
			for i, f := range MixedFamilies {
				names[i] = f.Name
			}
			return nil, fmt.Errorf("workload family %q is unknown; known: %s", name, strings.Join(names, ", "))
		}
	}
	keys = max(keys, 1)
	m := &Mixed{}
	for _, f := range MixedFamilies {
		w, ok := weights[f.Name]
		if !ok {
			w = f.Weight
		}
		if w < 0 {
			return nil, fmt.Errorf("workload family %s has weight %v; weights are 0 or more", f.Name, w)
		}
		if w == 0 {
			continue
		}
		var wl Workload
		switch f.Name {
		case "register":
			wl = NewRegister()
		case "set":
			wl = &Set{Keys: keys}
		case "counter":
			wl = &Counter{Keys: keys, ReadFraction: 0.3, Deltas: true}
		case "float":
			wl = &Float{Keys: keys}
		case "ttl":
			wl = &TTL{Keys: keys}
		case "list":
			wl = &ListAppend{Keys: keys, ReadFraction: 0.02}
		case "multi":
			wl = &Txn{Keys: keys, MaxMops: 4, ReadFraction: 0.5}
		case "eval":
			wl = &Txn{Keys: keys, MaxMops: 4, ReadFraction: 0.5, Script: true}
		}
		m.families = append(m.families, Family{Name: f.Name, Weight: w, W: wl})
		m.total += w
	}
	if len(m.families) == 0 {
		return nil, fmt.Errorf("every workload family has weight 0")
	}
	if math.IsInf(m.total, 0) {
		// Each weight is finite, their sum is not: every draw would fall
		// past the last family.
		return nil, fmt.Errorf("the workload families' weights add up to more than a float64 holds")
	}
	return m, nil
}

// Rotate has the families whose keys grow (set, list, multi, eval)
// retire their keys by ro (see Rotation); nil never does.
func (m *Mixed) Rotate(ro *Rotation) {
	for _, f := range m.families {
		switch w := f.W.(type) {
		case *Set:
			w.Rotation = ro
		case *ListAppend:
			w.Rotation = ro
		case *Txn:
			w.Rotation = ro
		}
	}
}

// Families returns m's families in order.
func (m *Mixed) Families() []Family { return m.families }

// Next implements Workload.
func (m *Mixed) Next(r *rand.Rand, uniq int64) (op history.Op, cmd [][]byte) {
	cmd = m.next(&op, r, uniq, &cmdBuf{})
	return op, cmd
}

func (m *Mixed) next(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte {
	x := r.Float64() * m.total
	for _, f := range m.families[:len(m.families)-1] {
		if x < f.Weight {
			return nextOp(op, f.W, r, uniq, b)
		}
		x -= f.Weight
	}
	return nextOp(op, m.families[len(m.families)-1].W, r, uniq, b)
}

// Decode implements Workload: the family is told by the key's first letter
// (a transaction by its kind).
func (m *Mixed) Decode(op *history.Op, v resp.Value) error {
	if op.Kind == history.Txn {
		return decodeTxn(op, v)
	}
	if w := m.owner(op.Key); w != nil {
		return w.Decode(op, v)
	}
	return errUnexpected
}

func (m *Mixed) owner(key string) Workload {
	if k := strings.IndexByte(key, '}'); strings.HasPrefix(key, "{") && k > 0 {
		key = key[k+1:] // "{t2}t7": the family is after the hash tag
	}
	if key == "" {
		return nil
	}
	for _, f := range m.families {
		if familyPrefix(f.W) == key[0] {
			return f.W
		}
	}
	return nil
}

func familyPrefix(w Workload) byte {
	switch w.(type) {
	case *Register:
		return 'r'
	case *Set:
		return 's'
	case *Counter:
		return 'n'
	case *Float:
		return 'f'
	case *TTL:
		return 'x'
	case *ListAppend:
		return 'l'
	case *Txn:
		return 't'
	}
	return 0
}

// Final implements FinalReader: the final reads of the set, list and
// transaction families (each list once, though two families share t*).
func (m *Mixed) Final() []Request {
	var out []Request
	seen := map[byte]bool{}
	for _, f := range m.families {
		fr, ok := f.W.(FinalReader)
		if !ok || seen[familyPrefix(f.W)] {
			continue
		}
		seen[familyPrefix(f.W)] = true
		out = append(out, fr.Final()...)
	}
	return out
}

// ParseWeights parses "name=weight,name=weight" (spaces allowed) into the
// weights NewMixed takes; "" is no override.
func ParseWeights(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not name=weight", part)
		}
		w, err := strconv.ParseFloat(val, 64)
		if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
			return nil, fmt.Errorf("%q: the weight of %s must be a number, 0 or more", part, name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%q: %s is weighted twice", s, name)
		}
		out[name] = w
	}
	return out, nil
}
