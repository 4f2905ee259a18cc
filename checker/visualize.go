package checker

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/history"
)

// ErrVisualizationTooLarge is returned, with nothing written, when the
// visualization would exceed its cap.
var ErrVisualizationTooLarge = errors.New("porcupine visualization over its size cap")

func writeVisualization(w io.Writer, m Model, ops []history.Op, opts VisualizationOptions) error {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultVisualizationMaxBytes
	}
	if why := m.incomplete(); why != "" {
		return errors.New(why)
	}
	parts := partitionOps(m, ops)
	budget := maxSteps(opts.MaxSteps)
	pick := -1
	for i, p := range parts {
		if opts.Key != "" {
			if p.key == opts.Key {
				pick = i
				break
			}
			continue
		}
		if res, _, _ := searchKey(m, p.ops, budget, false); res == porcupine.Illegal {
			pick = i
			break
		}
	}
	if pick < 0 {
		if opts.Key != "" {
			return fmt.Errorf("no %s operation on key %q to visualize", m.Name, opts.Key)
		}
		return fmt.Errorf("no key of the %s history is proven non-linearizable within the search budget of %d steps a key (VisualizationOptions.MaxSteps); nothing to visualize", m.Name, budget)
	}
	p := parts[pick]
	res, info, _ := searchKey(m, p.ops, budget, true)
	if res == porcupine.Illegal {
		// Operations invoked after the stuck point add bulk, not insight:
		// drop them when what remains still fails.
		_, culprit := linearizationEvidence(p, info, ops, 1)
		end := int64(ops[culprit].Complete)
		var cut []porcupine.Operation
		for _, op := range p.ops {
			if op.Call <= end {
				cut = append(cut, op)
			}
		}
		if len(cut) < len(p.ops) {
			if r2, i2, _ := searchKey(m, cut, budget, true); r2 == porcupine.Illegal {
				info = i2
			}
		}
	}
	// Drawing replays the partial linearizations through Step, so it gets
	// a model without a budget.
	pm := m.porcupine()
	var buf bytes.Buffer
	if err := porcupine.Visualize(pm, info, &buf); err != nil {
		return err
	}
	if buf.Len() > limit {
		return fmt.Errorf("%w: key %q (%d operations) draws to %d bytes, cap %d", ErrVisualizationTooLarge, p.key, len(p.ops), buf.Len(), limit)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
