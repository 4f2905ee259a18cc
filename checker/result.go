package checker

import (
	"fmt"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// Verdict is a checker's conclusion.
type Verdict uint8

const (
	// Ok: the property held.
	Ok Verdict = iota
	// Violation: the evidence shows the property broken.
	Violation
	// Unknown: the checker could not decide (a spent search budget, nothing to judge).
	// It is never a pass.
	Unknown
)

var verdictNames = [...]string{Ok: "ok", Violation: "violation", Unknown: "unknown"}

// String returns "ok", "violation" or "unknown".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// MarshalText encodes v as its String form.
func (v Verdict) MarshalText() ([]byte, error) {
	if int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("verdict %d is out of range", uint8(v))
	}
	return []byte(verdictNames[v]), nil
}

// UnmarshalText decodes the String form.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("verdict %q is unknown; one of ok, violation, unknown", b)
}

// Result is what one checker concluded.
type Result struct {
	// Checker names the check, e.g. "linearizable/register" or "set".
	Checker string `json:"checker"`
	// Verdict is the conclusion.
	Verdict Verdict `json:"verdict"`
	// Summary is one line a user reads first.
	Summary string `json:"summary"`
	// Evidence shows the anomaly; empty when the verdict is Ok.
	Evidence Evidence `json:"evidence"`
	// Metrics are the checker's counts and rates, in a fixed order.
	Metrics []Metric `json:"metrics,omitempty"`
}

// Metric is a named number a checker measured, such as "lost" or "lost_rate".
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Metric returns the value of the metric called name.
func (r *Result) Metric(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}

// Evidence is what shows an anomaly: the operations, lock holds, resource
// writes or replicas involved, and the window of true time [From, To] in which
// to look at the run.
type Evidence struct {
	// Key is the key, set, lock or shard the anomaly is about.
	Key string `json:"key,omitempty"`
	// Ops are the operations involved, in invocation order.
	Ops []history.Op `json:"ops,omitempty"`
	// Holds are the lock holds involved, in order of acquisition.
	Holds []history.Hold `json:"holds,omitempty"`
	// Accesses are the resource writes involved, in order of acceptance.
	Accesses []history.Access `json:"accesses,omitempty"`
	// Replicas are the digests of a shard that disagree.
	Replicas []Replica `json:"replicas,omitempty"`
	// From and To bound the anomaly in true time.
	From clock.Time `json:"from_ns"`
	To   clock.Time `json:"to_ns"`
}

// Shard is one shard's replicas as read after the final heal.
type Shard struct {
	Name     string    `json:"name"`
	Replicas []Replica `json:"replicas"`
}

// Replica is one node's dataset digest (as DEBUG DIGEST gives it).
type Replica struct {
	Node   string `json:"node"`
	Digest string `json:"digest"`
}
