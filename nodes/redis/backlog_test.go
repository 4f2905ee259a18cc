package redis

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The backlog frees whole blocks, and only while the rest exceeds the
// setting; the figures are redis-server 7.0.15's (internal/redisdiff's
// backlog_overflow story): a 16 kB backlog holds 17,082 bytes whole, and
// after 40,033 more it starts at 20,441 with 36,675 bytes.
func TestBacklogFreesWholeBlocks(t *testing.T) {
	b := newBacklog(minBacklogSize)
	var stream []byte
	var offset int64
	feed := func(n int, c byte) {
		p := bytes.Repeat([]byte{c}, n)
		stream = append(stream, p...)
		offset += int64(n)
		addTrim(b, p, offset, offset+1)
	}
	feed(50, 'a')
	feed(17032, 'b')
	if got := b.first(offset); got != 1 || b.histlen != 17082 || b.wrapped() {
		t.Fatalf("after 17,082 bytes: first=%d histlen=%d wrapped=%v; want 1, 17082, false", got, b.histlen, b.wrapped())
	}
	feed(40033, 'c')
	if got := b.first(offset); got != 20441 || b.histlen != 36675 || !b.wrapped() {
		t.Fatalf("after 57,115 bytes: first=%d histlen=%d; want 20441, 36675", got, b.histlen)
	}
	if got := b.from(20441, offset); !bytes.Equal(got, stream[20440:]) {
		t.Fatalf("from(20441) returned %d bytes, not the stream's last %d", len(got), len(stream)-20440)
	}
	if got := b.from(offset-9, offset); !bytes.Equal(got, stream[len(stream)-10:]) {
		t.Fatalf("from(offset-9) = %q", got)
	}
}

// A block that a replica's output buffer still refers to (a replica whose
// snapshot is being sent holds the stream since it began) is not freed;
// once the reference goes, the next trim frees it.
func TestBacklogKeepsReferencedBlocks(t *testing.T) {
	b := newBacklog(minBacklogSize)
	p := bytes.Repeat([]byte{'x'}, 60000)
	addTrim(b, p, 60000, 100)
	if b.first(60000) != 1 || b.histlen != 60000 {
		t.Fatalf("held from offset 100: first=%d histlen=%d; want everything", b.first(60000), b.histlen)
	}
	b.trimTo(60000, 60001)
	if b.first(60000) == 1 || b.histlen > minBacklogSize+20440 || b.histlen < minBacklogSize {
		t.Fatalf("released: first=%d histlen=%d; want between the setting and a block more", b.first(60000), b.histlen)
	}
}

// CONFIG SET repl-backlog-size keeps the blocks and trims them to a
// smaller size (resizeReplicationBacklog).
func TestBacklogResize(t *testing.T) {
	b := newBacklog(1 << 20)
	p := bytes.Repeat([]byte{'x'}, 200000)
	addTrim(b, p, 200000, 200001)
	if b.histlen != 200000 {
		t.Fatalf("histlen %d, want 200000", b.histlen)
	}
	b.resize(minBacklogSize, 200000, 200001)
	if b.histlen > minBacklogSize+int64(cap(b.blocks[0])) || b.histlen < minBacklogSize {
		t.Fatalf("after resize to 16 kB: histlen %d", b.histlen)
	}
	if got := b.from(b.first(200000), 200000); !bytes.Equal(got, p[200000-b.histlen:]) {
		t.Fatal("the kept bytes are not the stream's last ones")
	}
}

// A full backlog reuses the block it frees for the next one: the stream
// allocates nothing more.
func TestBacklogReusesFreedBlocks(t *testing.T) {
	b := newBacklog(minBacklogSize)
	p := bytes.Repeat([]byte{'x'}, 1000)
	var offset int64
	for range 200 {
		offset += int64(len(p))
		addTrim(b, p, offset, offset+1)
	}
	allocs := testing.AllocsPerRun(100, func() {
		offset += int64(len(p))
		addTrim(b, p, offset, offset+1)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per add once the backlog is full; want 0", allocs)
	}
	if got := b.from(offset-999, offset); !bytes.Equal(got, p) {
		t.Fatal("the last add is not what the backlog returns")
	}
}

// A replica whose snapshot is still being sent holds the stream since its
// +FULLRESYNC: the backlog keeps it whole, however much is written, and
// frees it once the replica is online.
func TestBacklogHeldDuringFullSync(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		cfg := masterConfig()
		cfg.ReplDisklessSyncDelay = 0
		if i == 0 {
			cfg.ReplBacklogSize = minBacklogSize
			cfg.ReplTransferBytesPerSecond = 1000 // a 5 s transfer
		}
		return cfg
	})
	rw.w.RunFor(10 * time.Millisecond)
	m, r := rw.nodes[0].dial(), rw.nodes[1].dial()
	m.do("SET", "pad", strings.Repeat("p", 5000)) // the snapshot
	r.do("REPLICAOF", "m", "6379")
	rw.w.RunFor(100 * time.Millisecond)
	num := func(c *testConn, field string) int {
		n, err := strconv.Atoi(rw.info(c, field))
		if err != nil {
			t.Fatalf("%s: %v", field, err)
		}
		return n
	}
	start := num(m, "master_repl_offset") + 1
	if got := rw.info(m, "slave0"); !strings.Contains(got, "state=send_bulk") && !strings.Contains(got, "state=wait_bgsave") {
		t.Fatalf("the replica is not being sent its snapshot: %s", got)
	}
	for i := range 4 {
		m.do("SET", "k"+itoa(int64(i)), strings.Repeat("x", 20000))
	}
	if got := num(m, "repl_backlog_first_byte_offset"); got > start {
		t.Fatalf("during the transfer the backlog starts at %d, past the replica's start %d", got, start)
	}
	rw.w.RunFor(10 * time.Second)
	if got := rw.info(r, "master_link_status"); got != "up" {
		t.Fatalf("replica link %s after the transfer", got)
	}
	if got := num(m, "repl_backlog_histlen"); got > minBacklogSize+20440 {
		t.Fatalf("online, the replica still holds the backlog: histlen %d", got)
	}
}

// addTrim is what replFeed does with a backlog: add p, which ends at
// stream offset end, and trim with hold when a new block was made.
func addTrim(b *backlog, p []byte, end, hold int64) {
	if b.add(p) {
		b.trimTo(end, hold)
	}
}
