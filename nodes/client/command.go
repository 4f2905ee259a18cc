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
