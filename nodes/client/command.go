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
	// next is Next with the operation written in op (an Op is large:
	// returned, it is copied on its way to the client's) and the command
	// built in b (or, for an operation whose workload is not a builder,
	// anywhere).
	next(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte
}

// nextOp writes w's next operation in op and returns its command, built
// in b when w is a builder.
func nextOp(op *history.Op, w Workload, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte {
	if bw, ok := w.(builder); ok {
		return bw.next(op, r, uniq, b)
	}
	var cmd [][]byte
	*op, cmd = w.Next(r, uniq)
	return cmd
}

// cmdBuf is the space of one command: its arguments end to end in buf,
// each sliced in args. A zero cmdBuf is ready; a builder's Next passes a
// fresh one, a client its own.
type cmdBuf struct {
	buf  []byte
	args [][]byte
	// names remembers the key names made, by prefix, so that a client
	// names each of its keys once.
	names []keyNames
}

type keyNames struct {
	prefix string
	names  []string // names[i] is prefix+i, or "" until made
}

// maxNamed bounds the key indexes a cmdBuf remembers the names of.
const maxNamed = 1024

// key is pickKey, with the name remembered.
func (b *cmdBuf) key(r *rand.Rand, prefix string, n int) string {
	i := keyIndex(r, n)
	if i >= maxNamed {
		return keyName(prefix, i)
	}
	var kn *keyNames
	for j := range b.names {
		if b.names[j].prefix == prefix {
			kn = &b.names[j]
			break
		}
	}
	if kn == nil {
		b.names = append(b.names, keyNames{prefix: prefix})
		kn = &b.names[len(b.names)-1]
	}
	if i >= len(kn.names) {
		kn.names = append(kn.names, make([]string, i+1-len(kn.names))...)
	}
	if kn.names[i] == "" {
		kn.names[i] = keyName(prefix, i)
	}
	return kn.names[i]
}

// str appends the argument s.
func (b *cmdBuf) str(s string) *cmdBuf {
	b.reserve(len(s))
	start := len(b.buf)
	b.buf = append(b.buf, s...)
	b.args = append(b.args, b.buf[start:len(b.buf):len(b.buf)])
	return b
}

// int appends the argument n in decimal.
func (b *cmdBuf) int(n int64) *cmdBuf {
	b.reserve(20) // "-9223372036854775808"
	start := len(b.buf)
	b.buf = strconv.AppendInt(b.buf, n, 10)
	b.args = append(b.args, b.buf[start:len(b.buf):len(b.buf)])
	return b
}

// reserve makes room for n more bytes in buf; when it must grow, the
// arguments already appended move with it.
func (b *cmdBuf) reserve(n int) {
	if len(b.buf)+n <= cap(b.buf) {
		return
	}
	grown := make([]byte, len(b.buf), 2*cap(b.buf)+n)
	copy(grown, b.buf)
	off := 0
	for i, a := range b.args {
		b.args[i] = grown[off : off+len(a) : off+len(a)]
		off += len(a)
	}
	b.buf = grown
}

// done returns the command appended since the last done. It stays valid
// until the next argument is appended, which reuses its space.
func (b *cmdBuf) done() [][]byte {
	args := b.args
	b.args, b.buf = b.args[:0], b.buf[:0]
	return args
}
