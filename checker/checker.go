package checker

import (
	"io"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// DefaultMaxEvidence is how many operations evidence holds when an options
// struct leaves MaxEvidence zero.
const DefaultMaxEvidence = 20

// DefaultVisualizationMaxBytes caps porcupine's HTML when VisualizationOptions
// leaves MaxBytes zero.
const DefaultVisualizationMaxBytes = 8 << 20

// DefaultMaxSteps is the search budget of one key, in model steps, when an
// options struct leaves MaxSteps zero. The keys of real scenario histories
// need about one step per operation (23,000 for a key of 22,600 operations;
// 44,000 at most, for a violation), so this is a hundred times that. A step
// of a hard search costs about 0.5 µs on a key of tens of operations and
// grows with the key's length (3 µs at 30,000), and so does the memory of
// porcupine's cache (about 0.9 KB a step at 30,000): the budget keeps a
// pathological key to a few seconds and a few GB, as the wall-clock timeout
// it replaces did, without making the verdict depend on the machine.
const DefaultMaxSteps = 5_000_000

// LinearizableOptions tunes Linearizable.
type LinearizableOptions struct {
	// MaxSteps bounds porcupine's search on each key, in calls of the
	// model's step function; zero means DefaultMaxSteps. A key whose search
	// spends it undecided is Unknown. Work, not time, bounds the search, so
	// the verdict is a function of the history alone.
	MaxSteps int64
	// MaxEvidence bounds the operations in the evidence; zero means
	// DefaultMaxEvidence.
	MaxEvidence int
}

// Linearizable checks that the operations of model m in ops (those of
// m.Kinds), partitioned by key, are linearizable. Operations of other kinds
// are skipped; Fail operations never happened; Info operations may have
// happened at any time after their invocation. On a violation the evidence
// holds the first offending key's operations around the point where no
// linearization goes on. A model without Name, Kinds, Init or Step gives
// Unknown, saying what it lacks.
func Linearizable(m Model, ops []history.Op, opts LinearizableOptions) Result {
	return checkLinearizable(m, ops, opts)
}

// VisualizationOptions tunes WriteVisualization.
type VisualizationOptions struct {
	// Key is the key to draw; empty means the first key, in sorted order,
	// that is not linearizable.
	Key string
	// MaxBytes caps the HTML; zero means DefaultVisualizationMaxBytes.
	MaxBytes int
	// MaxSteps bounds the search on each key as LinearizableOptions.MaxSteps
	// does; give both the same value to draw the key Linearizable found.
	MaxSteps int64
}

// WriteVisualization writes porcupine's HTML visualization of one key of the
// history to w, as Linearizable searched it: for a RegisterReadWrite model,
// without the Info writes nobody read and with those read closed. It writes nothing and returns an error wrapping
// ErrVisualizationTooLarge when the page would exceed the cap.
func WriteVisualization(w io.Writer, m Model, ops []history.Op, opts VisualizationOptions) error {
	return writeVisualization(w, m, ops, opts)
}

// SetOptions tunes SetWrites.
type SetOptions struct {
	// MaxEvidence bounds the operations in the evidence; zero means
	// DefaultMaxEvidence.
	MaxEvidence int
}

// SetWrites checks a set or list-append workload: the Add and Append
// operations of ops against the FinalRead operations, per key and per node.
// An element acknowledged (Ok) but absent from a final read invoked after
// the acknowledgement is lost (a read that began earlier shows nothing
// either way); one present that was never attempted is a phantom; one that
// Failed but is present contradicts "certainly not applied"; one present in
// a set twice, or in a list more times than it was appended (Ok or Info), is
// duplicated. Unacknowledged (Info) elements may be present or not, but the
// nodes must agree: an element present in one node's last final read and
// absent from another's, both begun after its attempts completed, is
// divergent. In a list, an element appended once and acknowledged before
// another's append was invoked comes first in every read, and no two final
// reads order two elements differently. A key with attempts and no Ok final
// read, or an acknowledged element with a node none of whose final reads
// began after the acknowledgement, makes the check Unknown unless a
// violation was found.
func SetWrites(ops []history.Op, opts SetOptions) Result {
	return checkSetWrites(ops, maxEvidence(opts.MaxEvidence))
}

// ListAppendOptions tunes ListAppend.
type ListAppendOptions struct {
	// RealTime adds real-time edges: a transaction acknowledged before
	// another was invoked precedes it, as strict serializability promises
	// (a single Redis master running MULTI/EXEC or EVAL). Anomalies that
	// need such an edge carry the suffix "-realtime".
	RealTime bool
	// MaxCycles bounds the cycles shown in the evidence, and the findings of
	// each other anomaly; zero means DefaultMaxCycles. Counts cover all.
	MaxCycles int
	// MaxSteps bounds the work: the elements of all reads, plus the edges
	// the search for short cycles visits; zero means
	// DefaultListAppendMaxSteps. Reads longer than it in total make the
	// check Unknown; a search that spends it still reports every cycle,
	// but may name one by a stronger anomaly than the weakest it holds.
	MaxSteps int64
}

// ListAppend checks list-append transactions (Txn operations whose
// micro-operations append unique elements to lists and read whole lists)
// as Elle does: every key's order of appends is inferred from its reads
// (FinalRead operations of the same keys included), reads that no order
// explains are anomalies (incompatible-order, duplicate-elements,
// garbage-read, G1a, G1b, internal), so are acknowledged appends that
// vanished (lost-append, divergence), and cycles of write-write,
// write-read and read-write dependencies among the committed transactions
// (G0, G1c, G-single, G2) break serializability; with opts.RealTime, cycles
// that need a real-time edge (G0-realtime ... G2-realtime) and acknowledged
// appends that a later read lacks (lost-append-realtime) break strict
// serializability. Fail transactions never happened; Info ones may have,
// and count as committed once a read shows one of their appends.
func ListAppend(ops []history.Op, opts ListAppendOptions) Result {
	return checkListAppend(ops, opts)
}

// MutualExclusion checks that no two holds of the same lock by different
// processes overlap in true time. Holds are half-open, so [a,b) and [b,c) do
// not overlap.
func MutualExclusion(holds []history.Hold) Result {
	return checkMutualExclusion(holds)
}

// ResourceOptions describes the resource that ResourceSafety checks.
type ResourceOptions struct {
	// Fenced is a resource that rejects tokens lower than the highest it
	// accepted. It orders writes by token, so a holder whose hold ended may
	// still write safely as long as no later holder has written.
	Fenced bool
}

// ResourceSafety checks the writes that resources accepted against the holds
// of the locks guarding them (matched by lock name). An unfenced resource: a
// write of a holder after a later-acquired holder has written is a violation,
// and so is a write accepted after its process's hold ended (or with no
// hold), once another process's hold had begun that had not ended before the
// writer acquired, whether it began before the writer's hold or after. A
// fenced resource orders holders by token, not by acquisition: tokens never
// go down, and strictly increase from one process to the next.
func ResourceSafety(holds []history.Hold, writes []history.Access, opts ResourceOptions) Result {
	return checkResourceSafety(holds, writes, opts.Fenced)
}

// LockLivenessOptions tunes LockLiveness.
type LockLivenessOptions struct {
	// MaxGap, when positive, makes a longest wait with no holder above it a
	// violation; zero only measures.
	MaxGap time.Duration
}

// LockLiveness measures the fraction of Acquire operations in ops that
// succeeded and the longest span of true time in which some process was
// trying to acquire a lock and none held it. A process wants the lock from
// the first attempt after its previous success until its next success.
func LockLiveness(ops []history.Op, holds []history.Hold, opts LockLivenessOptions) Result {
	return checkLockLiveness(ops, holds, opts.MaxGap)
}

// Convergence checks that all replicas of each shard report the same digest.
func Convergence(shards []Shard) Result {
	return checkConvergence(shards)
}

// LivenessOptions tunes Liveness.
type LivenessOptions struct {
	// FaultsStopped is the true time of the final heal.
	FaultsStopped clock.Time
	// Bound is how long after FaultsStopped an Ok completion may take.
	Bound time.Duration
	// PerProcess demands an Ok completion within the bound from every process
	// that invoked an operation after FaultsStopped, rather than from any one.
	PerProcess bool
	// End is when the run ended; a run that ended before the bound without
	// an Ok completion is Unknown. Zero means the last time in the history.
	End clock.Time
}

// Liveness checks that Ok operations resume within a bound after faults stop.
func Liveness(ops []history.Op, opts LivenessOptions) Result {
	return checkLiveness(ops, opts)
}
