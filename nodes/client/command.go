package client

import (
	"math/rand/v2"
	"strconv"

	"github.com/redsim/redsim/history"
)

// A builder is a Workload that builds its commands in a client's command
// space instead of new memory per operation. A client runs one operation
// at a time and redisconn encodes a command before Do returns, so the
// command of one operation is dead once the next is built.
type builder interface {
	// next is Next with the command built in b (or, for an operation
	// whose workload is not a builder, anywhere).
	next(r *rand.Rand, uniq int64, b *cmdBuf) (history.Op, [][]byte)
}

// nextOp is w's next operation, built in b when w is a builder.
func nextOp(w Workload, r *rand.Rand, uniq int64, b *cmdBuf) (history.Op, [][]byte) {
	if bw, ok := w.(builder); ok {
		return bw.next(r, uniq, b)
	}
	return w.Next(r, uniq)
}

// cmdBuf is the space of one command: its arguments end to end in buf,
// the end of each in ends. A zero cmdBuf is ready; a builder's Next
// passes a fresh one, a client its own.
type cmdBuf struct {
	buf  []byte
	ends []int
	args [][]byte
}

// str appends the argument s.
func (b *cmdBuf) str(s string) *cmdBuf {
	b.buf = append(b.buf, s...)
	b.ends = append(b.ends, len(b.buf))
	return b
}

// int appends the argument n in decimal.
func (b *cmdBuf) int(n int64) *cmdBuf {
	b.buf = strconv.AppendInt(b.buf, n, 10)
	b.ends = append(b.ends, len(b.buf))
	return b
}

// done returns the command appended since the last done. It stays valid
// until the next argument is appended, which reuses its space.
func (b *cmdBuf) done() [][]byte {
	args, start := b.args[:0], 0
	for _, end := range b.ends {
		args = append(args, b.buf[start:end:end])
		start = end
	}
	b.args, b.buf, b.ends = args, b.buf[:0], b.ends[:0]
	return args
}
