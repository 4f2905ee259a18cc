package history

import "fmt"

// Outcome says what a client knows about whether an operation took effect.
type Outcome uint8

const (
	// Pending is an operation invoked but not yet completed; a finished
	// History holds none.
	Pending Outcome = iota
	// Ok is a reply that says the operation took effect.
	Ok
	// Fail is an operation that certainly did not take effect: an error reply
	// such as READONLY or NOREPLICAS, or a refused dial.
	Fail
	// Info is an operation whose effect is unknown: a timeout, or a connection
	// reset after the request was sent. It may take effect at any later time.
	Info
)

var outcomeNames = [...]string{Pending: "pending", Ok: "ok", Fail: "fail", Info: "info"}

// String returns "pending", "ok", "fail" or "info".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome is the inverse of String.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("outcome %q is unknown; one of ok, fail, info, pending", s)
}

// MarshalText encodes o as its String form, so JSON holds "ok", "fail", "info".
func (o Outcome) MarshalText() ([]byte, error) {
	if int(o) >= len(outcomeNames) {
		return nil, fmt.Errorf("outcome %d is out of range", uint8(o))
	}
	return []byte(outcomeNames[o]), nil
}

// UnmarshalText decodes the String form.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
