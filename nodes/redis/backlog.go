package redis

// backlog is the replication backlog as Redis 7.0 keeps it: the tail of
// the replication stream in a list of buffer blocks (replBufBlock) that
// it shares with the replicas' output buffers. A block is allocated for
// at least 16 kB (PROTO_REPLY_CHUNK_BYTES) and at most size/16 when that
// is more, and holds as much as its jemalloc allocation allows; the stream
// fills the last block before a new one is made. Only whole blocks are
// freed, the oldest first, and only while what remains is still more than
// size (incrementalTrimReplicationBacklog): so the backlog holds between
// size and size plus a block (with a 16 kB backlog, up to 36,824 bytes),
// and a PSYNC that the ring buffer of Redis 6 refused may continue.
type backlog struct {
	// size is repl-backlog-size.
	size int64
	// blocks hold the stream's tail, oldest first: a block's len is its
	// used bytes, its cap its size; every block but the last is full.
	blocks [][]byte
	// histlen is the bytes held, the sum of the blocks' lens.
	histlen int64
	// dropped: a block of the stream has been freed (for a probe).
	dropped bool
	// spare is the last block freed, emptied, for the next new block of
	// its size: the stream then allocates nothing once the backlog is full.
	spare []byte
}

// minBacklogSize is CONFIG_REPL_BACKLOG_MIN_SIZE, the smallest backlog
// resizeReplicationBacklog allows.
const minBacklogSize = 16 * 1024

// replBlockMin is PROTO_REPLY_CHUNK_BYTES, the smallest block allocated;
// replBlockHeader is sizeof(replBufBlock), allocated with each block.
const (
	replBlockMin    = 16 * 1024
	replBlockHeader = 40
)

func newBacklog(size int) *backlog {
	return &backlog{size: int64(size)}
}

// add appends p to the last block and to new ones as
// feedReplicationBuffer does, and reports whether it made a new block:
// the caller then trims the oldest ones (incrementalTrimReplicationBacklog
// after add_new_block) with the oldest offset a replica still needs.
func (b *backlog) add(p []byte) (newBlock bool) {
	b.histlen += int64(len(p))
	for len(p) > 0 {
		if n := len(b.blocks); n > 0 {
			tail := b.blocks[n-1]
			k := min(cap(tail)-len(tail), len(p))
			b.blocks[n-1] = append(tail, p[:k]...)
			p = p[k:]
			if len(p) == 0 {
				break
			}
		}
		limit := max(b.size/16, replBlockMin)
		want := min(max(int64(len(p)), replBlockMin), limit)
		size := jemallocSize(want+replBlockHeader) - replBlockHeader
		block := b.spare
		if int64(cap(block)) == size {
			b.spare = nil
		} else {
			block = make([]byte, 0, size)
		}
		k := min(cap(block), len(p))
		b.blocks = append(b.blocks, append(block, p[:k]...))
		p = p[k:]
		newBlock = true
	}
	return newBlock
}

// trimmable reports whether trimTo may free a block, whatever the offset a
// replica holds: the backlog holds more than size without its oldest.
func (b *backlog) trimmable() bool {
	return len(b.blocks) > 1 && b.histlen-int64(cap(b.blocks[0])) > b.size
}

// trimTo frees the oldest blocks while the backlog holds more than size
// without them, keeping at least one block and the block that holds
// offset hold and those after it (a replica's output buffer refers to
// them: the block's refcount is not 1). offset is the master's.
func (b *backlog) trimTo(offset, hold int64) {
	first := b.first(offset)
	for b.histlen > b.size && len(b.blocks) > 1 {
		fo := int64(len(b.blocks[0]))
		if hold < first+fo || b.histlen-int64(cap(b.blocks[0])) <= b.size {
			return
		}
		b.spare = b.blocks[0][:0]
		b.blocks[0] = nil
		b.blocks = b.blocks[1:]
		b.histlen -= fo
		first += fo
		b.dropped = true
	}
}

// resize is resizeReplicationBacklog: blocks are kept, and trimmed to the
// new size if it is smaller.
func (b *backlog) resize(size int, offset, hold int64) {
	b.size = int64(size)
	b.trimTo(offset, hold)
}

// mem is what used_memory counts for the backlog. Redis 7.0 counts the
// allocated blocks (repl_buffer_mem); the node still counts the
// configured size, as Redis 6 allocated it at once.
func (b *backlog) mem() int64 { return b.size }

// wrapped reports whether the backlog has freed bytes it held.
func (b *backlog) wrapped() bool { return b.dropped }

// trim forgets the last n bytes, which the offset no longer counts.
func (b *backlog) trim(n int64) {
	for n > 0 && len(b.blocks) > 0 {
		i := len(b.blocks) - 1
		k := min(n, int64(len(b.blocks[i])))
		b.blocks[i] = b.blocks[i][:int64(len(b.blocks[i]))-k]
		b.histlen -= k
		n -= k
		if len(b.blocks[i]) == 0 && i > 0 {
			b.blocks = b.blocks[:i]
		}
	}
}

// first is the stream offset of the oldest byte held, given the master's
// current offset.
func (b *backlog) first(offset int64) int64 { return offset - b.histlen + 1 }

// from returns a copy of the stream from offset o (1-based) to end, the
// master's current offset.
func (b *backlog) from(o, end int64) []byte {
	out := make([]byte, 0, end-o+1)
	pos := b.first(end)
	for _, blk := range b.blocks {
		next := pos + int64(len(blk))
		if next > o {
			out = append(out, blk[max(o-pos, 0):]...)
		}
		pos = next
	}
	return out
}
