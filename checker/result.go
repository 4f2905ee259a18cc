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

// Kind says which family of property a check judges, as TigerBeetle tags its
// failures: a safety violation is something bad that happened; a liveness
// violation is something good that did not happen in time.
type Kind uint8

const (
	// KindSafety: nothing bad happens (no lost write, no overlap...).
	KindSafety Kind = iota
	// KindLiveness: something good happens eventually (operations succeed
	// again after the faults stop).
	KindLiveness
)

var kindNames = [...]string{KindSafety: "safety", KindLiveness: "liveness"}

// String returns "safety" or "liveness".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText encodes k as its String form.
func (k Kind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) {
		return nil, fmt.Errorf("kind %d is out of range", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes the String form.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("kind %q is unknown; one of safety, liveness", b)
}

// Result is what one check concluded: the one verdict type that travels
// unchanged from the checker to the run's summary, result.json, a sweep's
// results.jsonl, JUnit and the HTML report.
type Result struct {
	// Checker names the check, e.g. "linearizable/register" or "set".
	Checker string `json:"checker"`
	// Kind is safety or liveness.
	Kind Kind `json:"kind"`
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
	// Notes are findings that are none of the above, one line each (a ping
	// that came back out of order, a log entry lost).
	Notes []string `json:"notes,omitempty"`
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

// Lines is the evidence as text, one line per item, for summaries: notes,
// then operations (as history.jsonl lines), holds, accesses and replicas.
func (e *Evidence) Lines() []string {
	out := append([]string(nil), e.Notes...)
	for i := range e.Ops {
		out = append(out, string(e.Ops[i].AppendJSON(nil)))
	}
	for _, h := range e.Holds {
		out = append(out, fmt.Sprintf("hold of %q by process %d token %d [%v, %v)", h.Lock, h.Process, h.Token, h.From, h.Until))
	}
	for _, a := range e.Accesses {
		out = append(out, fmt.Sprintf("write under %q by process %d token %d at %v", a.Lock, a.Process, a.Token, a.At))
	}
	for _, r := range e.Replicas {
		out = append(out, r.Node+" digest "+r.Digest)
	}
	return out
}

// Empty reports whether e shows nothing.
func (e *Evidence) Empty() bool {
	return e.Key == "" && len(e.Ops) == 0 && len(e.Holds) == 0 && len(e.Accesses) == 0 &&
		len(e.Replicas) == 0 && len(e.Notes) == 0 && e.From == 0 && e.To == 0
}
