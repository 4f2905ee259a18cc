package scenarios

import (
	"strconv"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/client"
)

// MixedParams are the parameters of a scenario that runs the mixed
// workload: the keys per family and the families' weights.
func MixedParams(keys int) []Param {
	return []Param{
		IntParam("keys", keys, 1, 100000, "keys per workload family (registers keep 5): wide enough that a write the stream loses is not overwritten before the end"),
		WeightsParam("weights", "the workload families' weights, e.g. \"ttl=4,eval=0\"; a family not named keeps its default ("+defaultWeights()+")"),
	}
}

func defaultWeights() string {
	s := ""
	for i, f := range client.MixedFamilies {
		if i > 0 {
			s += ","
		}
		s += f.Name + "=" + strconv.FormatFloat(f.Weight, 'g', -1, 64)
	}
	return s
}

// Mixed builds the mixed workload from MixedParams's values.
func (r *Run) Mixed() (*client.Mixed, error) {
	return client.NewMixed(r.Params.Int("keys"), r.Params.Weights("weights"))
}

// MixedChecks judges a mixed workload run against one master that neither
// crashed nor lost its role, so that every family must be correct: the
// registers linearizable, the counters linearizable, every acknowledged set
// add and list append in every node's final read, and the transactions
// strictly serializable.
func (r *Run) MixedChecks(ops []history.Op) []checker.Result {
	out := []checker.Result{
		r.Linearizable(KeyPrefix(ops, 'r')),
		r.LinearizableModel(checker.Counter, KeyPrefix(ops, 'n')),
		checker.SetWrites(append(KeyPrefix(ops, 's'), KeyPrefix(ops, 'l')...), checker.SetOptions{}),
		checker.ListAppend(Transactions(ops), checker.ListAppendOptions{RealTime: true}),
	}
	return out
}

// Transactions keeps the transactions and the final reads of their keys
// ("t3", or "{t2}t3" under a hash tag in cluster mode).
func Transactions(ops []history.Op) []history.Op {
	var out []history.Op
	for _, op := range ops {
		if op.Kind == history.Txn || op.Kind == history.FinalRead && familyOf(op.Key) == 't' {
			out = append(out, op)
		}
	}
	return out
}
