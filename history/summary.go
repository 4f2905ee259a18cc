package history

import (
	"time"

	"github.com/redsim/redsim/clock"
)

// Summary keeps what a run's report needs of the operations a streaming
// history passed on and forgot (see History.Stream): how many ended each
// way, how many completed in each second, and an even sample of them for
// the latency plot, thinned as it grows so that its size is bounded
// whatever the run's length. Its zero value is ready; Add each operation.
type Summary struct {
	// Ops is the number of operations added; Outcomes counts them by
	// outcome.
	Ops      int
	Outcomes [4]int
	// Completed counts, by outcome, the operations that completed in
	// each second of true time: Completed[o][s] covers [s, s+1) seconds.
	Completed [4][]int
	// Last is the latest completion time added.
	Last clock.Time
	// samples hold, by outcome, every stride-th operation of that
	// outcome (without elements or micro-operations); seen counts them.
	samples [4][]Op
	stride  [4]int
	seen    [4]int
}

// SummarySampleMax bounds each outcome's sample: once full, every other
// sampled operation is dropped and the stride doubles.
const SummarySampleMax = 1 << 15

// Add counts op.
func (s *Summary) Add(op *Op) {
	o := min(int(op.Outcome), len(s.Outcomes)-1)
	s.Ops++
	s.Outcomes[o]++
	s.Last = max(s.Last, op.Complete)
	sec := int(op.Complete.Duration() / time.Second)
	if sec >= len(s.Completed[o]) {
		s.Completed[o] = append(s.Completed[o], make([]int, sec+1-len(s.Completed[o]))...)
	}
	s.Completed[o][sec]++
	if s.stride[o] == 0 {
		s.stride[o] = 1
	}
	if s.seen[o]%s.stride[o] == 0 {
		kept := *op
		kept.Elems, kept.Mops = nil, nil
		s.samples[o] = append(s.samples[o], kept)
		if len(s.samples[o]) >= SummarySampleMax {
			half := s.samples[o][:0]
			for i := 0; i < len(s.samples[o]); i += 2 {
				half = append(half, s.samples[o][i])
			}
			clear(s.samples[o][len(half):])
			s.samples[o] = half
			s.stride[o] *= 2
		}
	}
	s.seen[o]++
}

// Sample returns the sampled operations of outcome o, in the order they
// were added, and how many operations each stands for.
func (s *Summary) Sample(o Outcome) (ops []Op, stride int) {
	if int(o) >= len(s.samples) {
		return nil, 1
	}
	return s.samples[o], max(s.stride[o], 1)
}
