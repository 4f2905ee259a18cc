package redis

// backlog is the replication backlog: the last size bytes of the
// replication stream, a ring buffer. The byte at stream offset o (1-based,
// as Redis counts) lives at (o-1) % size.
type backlog struct {
	buf     []byte
	histlen int64
	// overwrote: bytes have been written over older ones (for a probe).
	overwrote bool
}

// minBacklogSize is CONFIG_REPL_BACKLOG_MIN_SIZE, the smallest backlog
// resizeReplicationBacklog allows.
const minBacklogSize = 16 * 1024

func newBacklog(size int) *backlog {
	if size < 16 {
		size = 16
	}
	return &backlog{buf: make([]byte, size)}
}

// add appends p, which ends at stream offset end (the master offset after
// p).
func (b *backlog) add(p []byte, end int64) {
	size := int64(len(b.buf))
	n := int64(len(p))
	b.overwrote = b.overwrote || b.histlen+n > size
	b.histlen = min(b.histlen+n, size)
	if n > size {
		p = p[n-size:]
		n = size
	}
	pos := end - n // p[0] is at stream offset pos+1, index pos % size
	for len(p) > 0 {
		k := copy(b.buf[pos%size:], p)
		p = p[k:]
		pos += int64(k)
	}
}

// wrapped reports whether the backlog has overwritten bytes it held.
func (b *backlog) wrapped() bool { return b.overwrote }

// trim forgets the last n bytes, which the offset no longer counts.
func (b *backlog) trim(n int64) { b.histlen = max(b.histlen-n, 0) }

// first is the stream offset of the oldest byte held, given the master's
// current offset.
func (b *backlog) first(offset int64) int64 { return offset - b.histlen + 1 }

// from returns a copy of the stream from offset o (1-based) to end.
func (b *backlog) from(o, end int64) []byte {
	size := int64(len(b.buf))
	out := make([]byte, 0, end-o+1)
	for x := o; x <= end; {
		i := (x - 1) % size
		n := min(size-i, end-x+1)
		out = append(out, b.buf[i:i+n]...)
		x += n
	}
	return out
}
