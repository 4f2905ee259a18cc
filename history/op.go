package history

import "github.com/redsim/redsim/clock"

// Kind names what an operation does, as Jepsen's :f does. The checkers know
// the constants below; workloads may record others, which checkers skip.
type Kind string

const (
	// Read reads Key: Result is the register or counter value (None when the
	// key is missing); a set or list read puts the elements in Elems.
	Read Kind = "read"
	// FinalRead is the read of a set or list on one node after the final heal
	// and quiet period; Elems holds what that node has.
	FinalRead Kind = "final-read"
	// Write sets Key to Value.
	Write Kind = "write"
	// CAS sets Key to Value if it holds Expect. On Ok, Result is Int(1) when it
	// swapped and Int(0) when the comparison failed.
	CAS Kind = "cas"
	// Incr adds Value (None means 1) to a counter; Result is the new value.
	Incr Kind = "incr"
	// Add adds the element Value to the set Key.
	Add Kind = "add"
	// Append appends the element Value to the list Key.
	Append Kind = "append"
	// Acquire tries to take the lock Key; Value is the random lock value.
	Acquire Kind = "acquire"
	// Release gives the lock Key back.
	Release Kind = "release"
	// Extend extends the validity of the lock Key.
	Extend Kind = "extend"
	// Delete deletes Key: a workload that rotates its keys (Elle's
	// max-writes-per-key) deletes the ones it retired, so that a long
	// run's dataset stays bounded. Result is the number of keys deleted.
	// The lost-write check (sets and lists judged by their final reads)
	// skips deleted keys; the transaction checkers do not, so rotation is
	// for runs that do not check transactions.
	Delete Kind = "delete"
	// Txn is a transaction (MULTI/EXEC or a script) over several keys: Mops
	// are its micro-operations in the order the transaction runs them. Key
	// is empty. On Ok, each read micro-op holds what it read.
	Txn Kind = "txn"
)

// Writes reports whether an operation of kind k may change the data it
// is about (a read-only transaction counts: its kind does not say).
func (k Kind) Writes() bool {
	switch k {
	case Write, CAS, Incr, Add, Append, Delete, Txn:
		return true
	}
	return false
}

// Mop is one micro-operation of a transaction: an Append of the element
// Value to the list Key, or a Read of the whole list Key, whose elements
// (once the transaction completed Ok) are in Elems, in list order.
type Mop struct {
	Kind  Kind
	Key   string
	Value Value
	Elems []Value
}

// Op is one operation as a client saw it.
type Op struct {
	// Process is the client's id; a client runs one operation at a time.
	Process int
	// Node is where the request went ("" when it never left the client).
	Node string
	// Kind is what the operation does.
	Kind Kind
	// Key is the key, set, list or lock the operation is about.
	Key string
	// Value is the argument: the value written, a cas's new value, a counter's
	// increment, the element added or appended.
	Value Value
	// Expect is a cas's expected value.
	Expect Value
	// Result is what an Ok reply carried: the value read, a counter's new
	// value, whether a cas swapped.
	Result Value
	// Elems are the elements a set or list read returned, in the order
	// returned; nil when the operation is not such a read.
	Elems []Value
	// Invoke is the true time the client sent the request.
	Invoke clock.Time
	// Complete is the true time of the reply, or of the timeout or reset that
	// made the outcome Info. Checkers of linearizability treat an Info
	// operation as completing at +infinity; Complete is kept for reports.
	Complete clock.Time
	// Outcome says whether the operation took effect.
	Outcome Outcome
	// Error is the error text of a Fail or Info operation.
	Error string
	// Mops are a Txn's micro-operations; nil for any other kind.
	Mops []Mop
}
