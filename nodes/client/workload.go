package client

import (
	"errors"
	"math/rand/v2"
	"strconv"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// A Workload generates a client's operations and reads their replies. Its
// fields are configuration only, so one Workload may serve many clients.
type Workload interface {
	// Next returns the next operation (Kind, Key, Value, Expect; the client
	// fills in the rest) and the command that performs it. uniq is a value
	// that no other operation of the run gets, for writes that must be
	// told apart.
	Next(r *rand.Rand, uniq int64) (history.Op, [][]byte)
	// Decode fills op's Result or Elems from a reply that is not an error.
	// An error return means the reply has a shape the operation cannot
	// have; the operation is then recorded as Info. Decode must keep no
	// part of reply (copy what it keeps, as string(b) does): the
	// connection reuses the reply's memory for the next one.
	Decode(op *history.Op, reply resp.Value) error
}

// A FinalReader is a workload whose keys are read once more on every node at
// the end of a run (set and list-append).
type FinalReader interface {
	Workload
	// Final returns one FinalRead operation per key and its command.
	Final() []Request
}

// Request is an operation and the command that performs it.
type Request struct {
	Op  history.Op
	Cmd [][]byte
}

// cmd turns args into a command; the arguments share one backing array.
func cmd(args ...string) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

func keyName(prefix string, i int) string { return prefix + strconv.Itoa(i) }

func pickKey(r *rand.Rand, prefix string, n int) string { return keyName(prefix, keyIndex(r, n)) }

// keyIndex draws one of n keys; with one, it draws nothing.
func keyIndex(r *rand.Rand, n int) int {
	if n <= 1 {
		return 0
	}
	return r.IntN(n)
}

// bulkValue turns a GET reply into a Value: None for nil, an Int for a
// canonical decimal, a Str otherwise.
func bulkValue(v resp.Value) (history.Value, error) {
	if v.IsNull {
		return history.None, nil
	}
	if v.Kind != resp.KindBulk && v.Kind != resp.KindVerbatim {
		return history.None, errUnexpected
	}
	_, text := v.VerbatimText()
	return history.StrBytes(text), nil
}

func intValue(v resp.Value) (int64, error) {
	if v.Kind != resp.KindInt || v.IsNull {
		return 0, errUnexpected
	}
	return v.Int, nil
}

func okReply(v resp.Value) error {
	if v.Kind == resp.KindSimpleString && string(v.Str) == "OK" {
		return nil
	}
	return errUnexpected
}

// elemsValue turns an SMEMBERS or LRANGE reply into elements; an empty or
// nil reply gives an empty, non-nil slice.
func elemsValue(v resp.Value) ([]history.Value, error) {
	if v.Kind != resp.KindArray && v.Kind != resp.KindSet {
		return nil, errUnexpected
	}
	out := make([]history.Value, 0, len(v.Elems))
	for _, e := range v.Elems {
		x, err := bulkValue(e)
		if err != nil || x.IsNone() {
			return nil, errUnexpected
		}
		out = append(out, x)
	}
	return out, nil
}

var errUnexpected = errors.New("unexpected reply")
