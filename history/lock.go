package history

import "github.com/redsim/redsim/clock"

// Hold is a span of true time during which a client believed it held a lock:
// from the completion of a successful acquire until the earlier of its release
// and the end of the validity it computed, converted to true time through its
// own clock. The span is half-open: [From, Until).
type Hold struct {
	Process int        `json:"process"`
	Lock    string     `json:"lock"`
	From    clock.Time `json:"from_ns"`
	Until   clock.Time `json:"until_ns"`
	// Token is the fencing token the client got with the lock, 0 when unfenced.
	Token int64 `json:"token,omitempty"`
}

// Access is a write that a resource guarded by the lock Lock accepted.
type Access struct {
	Process int        `json:"process"`
	Lock    string     `json:"lock"`
	At      clock.Time `json:"at_ns"`
	// Token is the fencing token the write carried, 0 when unfenced.
	Token int64 `json:"token,omitempty"`
}
