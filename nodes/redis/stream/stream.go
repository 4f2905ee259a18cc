package stream

// Config holds the redis.conf settings that shape a stream's nodes. The
// node passes its current values to each call, as Redis reads the server
// globals at each XADD and trim.
type Config struct {
	// NodeMaxBytes is stream-node-max-bytes: XADD starts a new node when
	// the tail node's listpack size plus the new entry's field and value
	// lengths would reach it. 0 (or more than 1 GiB) means 1 GiB.
	NodeMaxBytes int64
	// NodeMaxEntries is stream-node-max-entries: XADD starts a new node
	// when the tail node holds this many entries, deleted ones included.
	// 0 means no limit. It also sets the default LIMIT of approximate
	// trimming (100 times this).
	NodeMaxEntries int64
}

// DefaultConfig returns Redis's defaults: 4096 bytes and 100 entries.
func DefaultConfig() Config { return Config{NodeMaxBytes: 4096, NodeMaxEntries: 100} }

// listpackMaxSize is STREAM_LISTPACK_MAX_SIZE.
const listpackMaxSize = 1 << 30

// A node is one radix-tree node of Redis's stream: a listpack headed by a
// master entry (live count, deleted count, the first entry's field names)
// followed by the entries, each flagged deleted or not and flagged
// SAMEFIELDS when its field names are the master's. Only the listpack's
// size is modelled, not its bytes.
type node struct {
	master  ID       // the radix-tree key: the first entry's ID
	fields  [][]byte // the master entry's field names
	live    int64    // entries not flagged deleted (the master "count")
	deleted int64    // entries flagged deleted
	size    int64    // listpack bytes, the live and deleted elements excepted
	entries []entry  // in listpack (insertion) order, deleted ones included
	// sorted is true while the entries' IDs increase strictly from the
	// master's. XSETID can lower the last ID below deleted entries, after
	// which XADD appends entries smaller than some already in the node.
	sorted bool
}

// bytes is the listpack's total size (lpBytes).
func (n *node) bytes() int64 { return n.size + lpIntSize(n.live) + lpIntSize(n.deleted) }

// search returns the index of the first entry whose ID is >= id; the
// answer is exact only for a sorted node, the iterator's starting point
// otherwise.
func (n *node) search(id ID) int {
	lo, hi := 0, len(n.entries)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if n.entries[mid].id.Less(id) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

type entry struct {
	id      ID
	deleted bool
	same    bool // SAMEFIELDS: the field names are the master's
	// fv holds field, value, field, value, ...; when same, the field
	// slices are the master's.
	fv [][]byte
}

// Stream is a Redis stream: entries in radix-tree nodes, metadata and
// consumer groups. It is not safe for concurrent use. Slices it returns
// share memory with the stream and must not be modified.
//
// Invariants: nodes are in key (master ID) order and the last one is the
// tail that XADD appends to; live entries are in strictly increasing ID
// order across nodes and none exceeds lastID; length counts the live
// entries (unless a node was replaced, see insertNode). Deleted entries stay in place and may exceed lastID after
// XSETID, so a node's entries are in ID order only while its sorted flag
// holds. A node is removed when XDEL deletes its last live entry, but
// exact trimming may leave a node whose entries are all deleted, as Redis
// does.
type Stream struct {
	nodes        []*node
	length       int64
	lastID       ID
	firstID      ID // the first live entry's ID, 0-0 when empty
	maxDeletedID ID
	entriesAdded int64
	groups       omap[string, *Group]
	replaced     int // nodes replaced by a new node with the same key
}

// New returns an empty stream.
func New() *Stream {
	return &Stream{groups: omap[string, *Group]{cmp: compareString}}
}

func compareString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Len is the number of entries (XLEN).
func (s *Stream) Len() int64 { return s.length }

// LastID is the last generated ID (last-generated-id).
func (s *Stream) LastID() ID { return s.lastID }

// FirstID is the recorded first entry ID (recorded-first-entry-id).
func (s *Stream) FirstID() ID { return s.firstID }

// MaxDeletedID is the greatest deleted ID (max-deleted-entry-id).
func (s *Stream) MaxDeletedID() ID { return s.maxDeletedID }

// EntriesAdded counts every entry ever added (entries-added).
func (s *Stream) EntriesAdded() int64 { return s.entriesAdded }

// Nodes is the number of radix-tree keys: listpack nodes.
func (s *Stream) Nodes() int { return len(s.nodes) }

// findNode returns the index of the last node whose master ID is <= id,
// or -1.
func (s *Stream) findNode(id ID) int {
	lo, hi := 0, len(s.nodes)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if id.Less(s.nodes[mid].master) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

// insertNode adds n to the radix tree at its key. The new node is the
// tail unless XSETID lowered the last ID below an existing node's key; an
// equal key replaces that node, entries and all, as raxInsert does
// (Redis's counters then disagree with its content, as here).
func (s *Stream) insertNode(n *node) {
	i := s.findNode(n.master)
	if i >= 0 && s.nodes[i].master == n.master {
		s.nodes[i] = n
		s.replaced++
		return
	}
	i++
	s.nodes = append(s.nodes, nil)
	copy(s.nodes[i+1:], s.nodes[i:])
	s.nodes[i] = n
}

// fieldsSize is the sum of the field and value lengths that XADD checks
// against the node and listpack limits.
func fieldsSize(fv [][]byte) int64 {
	var n int64
	for _, b := range fv {
		n += int64(len(b))
	}
	return n
}

// append adds the entry fv (field, value, ...) with id, which the caller
// has checked to be greater than lastID, into the tail node or a new one
// as streamAppendItem decides.
func (s *Stream) append(fv [][]byte, id ID, cfg Config) {
	total := fieldsSize(fv)
	var n *node
	if len(s.nodes) > 0 {
		n = s.nodes[len(s.nodes)-1]
		maxBytes := cfg.NodeMaxBytes
		if maxBytes <= 0 || maxBytes > listpackMaxSize {
			maxBytes = listpackMaxSize
		}
		if n.bytes()+total >= maxBytes ||
			cfg.NodeMaxEntries > 0 && n.live+n.deleted >= cfg.NodeMaxEntries {
			n = nil
		}
	}
	numFields := len(fv) / 2
	same := false
	if n == nil {
		n = &node{master: id, fields: make([][]byte, numFields), sorted: true}
		n.size = lpHeaderAndEnd + lpIntSize(int64(numFields)) + lpIntSize(0)
		for i := range numFields {
			n.fields[i] = append([]byte(nil), fv[2*i]...)
			n.size += lpStringSize(fv[2*i])
		}
		s.insertNode(n)
		same = true
	} else if numFields == len(n.fields) {
		same = true
		for i, f := range n.fields {
			if string(f) != string(fv[2*i]) {
				same = false
				break
			}
		}
	}
	if len(n.entries) > 0 && !n.entries[len(n.entries)-1].id.Less(id) {
		n.sorted = false
	}
	n.live++

	// One buffer holds the values (and the field names unless they are
	// the master's), so an entry costs two allocations.
	var need int64
	for i := range numFields {
		need += int64(len(fv[2*i+1]))
		if !same {
			need += int64(len(fv[2*i]))
		}
	}
	buf := make([]byte, 0, need)
	e := entry{id: id, same: same, fv: make([][]byte, len(fv))}
	for i := range numFields {
		if same {
			e.fv[2*i] = n.fields[i]
		} else {
			start := len(buf)
			buf = append(buf, fv[2*i]...)
			e.fv[2*i] = buf[start:len(buf):len(buf)]
		}
		start := len(buf)
		buf = append(buf, fv[2*i+1]...)
		e.fv[2*i+1] = buf[start:len(buf):len(buf)]
	}
	n.size += entrySize(n, &e)
	n.entries = append(n.entries, e)

	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// scan is Redis's stream iterator: it calls fn with the node index and
// entry index of each entry with an ID in [start, end], deleted ones only
// if tombs, until fn returns false. Like streamIteratorGetID it seeks the
// last node whose key is <= start (forward) or <= end (reverse), walks
// listpacks in their order and stops at the first entry it would emit
// that lies beyond the other bound, which matters only for nodes whose
// entries are out of order; sorted nodes are searched and skipped in
// O(log n). fn must not add or remove nodes, unless it then returns false.
func (s *Stream) scan(start, end ID, rev, tombs bool, fn func(ni, i int) bool) {
	if !rev {
		for ni := max(s.findNode(start), 0); ni < len(s.nodes); ni++ {
			n := s.nodes[ni]
			i := 0
			if n.sorted {
				if n.entries[len(n.entries)-1].id.Less(start) {
					continue
				}
				i = n.search(start)
			}
			for ; i < len(n.entries); i++ {
				e := &n.entries[i]
				if e.id.Less(start) || e.deleted && !tombs {
					continue
				}
				if end.Less(e.id) || !fn(ni, i) {
					return
				}
			}
		}
		return
	}
	ni := s.findNode(end)
	if ni < 0 {
		ni = len(s.nodes) - 1
	}
	for ; ni >= 0; ni-- {
		n := s.nodes[ni]
		i := len(n.entries) - 1
		if n.sorted {
			if end.Less(n.entries[0].id) {
				continue
			}
			if i = n.search(end); i == len(n.entries) || end.Less(n.entries[i].id) {
				i--
			}
		}
		for ; i >= 0; i-- {
			e := &n.entries[i]
			if end.Less(e.id) || e.deleted && !tombs {
				continue
			}
			if e.id.Less(start) || !fn(ni, i) {
				return
			}
		}
	}
}

// lookup returns the live entry with id, or nil (streamEntryExists).
func (s *Stream) lookup(id ID) *entry {
	var found *entry
	s.scan(id, id, false, false, func(ni, i int) bool {
		found = &s.nodes[ni].entries[i]
		return false
	})
	return found
}

// remove deletes the live entry with id (streamDeleteItem): the entry is
// flagged deleted, and its node goes away if it was the node's last live
// entry. It does not touch firstID or maxDeletedID.
func (s *Stream) remove(id ID) bool {
	removed := false
	s.scan(id, id, false, false, func(ni, i int) bool {
		n := s.nodes[ni]
		n.entries[i].deleted = true
		if n.live == 1 {
			copy(s.nodes[ni:], s.nodes[ni+1:])
			s.nodes[len(s.nodes)-1] = nil
			s.nodes = s.nodes[:len(s.nodes)-1]
		} else {
			n.live--
			n.deleted++
		}
		s.length--
		removed = true
		return false
	})
	return removed
}

// edgeID is streamGetEdgeID: the first or last entry's ID, deleted ones
// included unless skipTombs; MaxID (first) or 0-0 (last) when none.
func (s *Stream) edgeID(first, skipTombs bool) ID {
	id, found := ID{}, false
	s.scan(ID{}, MaxID, !first, !skipTombs, func(ni, i int) bool {
		id, found = s.nodes[ni].entries[i].id, true
		return false
	})
	if !found {
		if first {
			return MaxID
		}
		return ID{}
	}
	return id
}

// lastValidID is streamLastValidID: the last live entry's ID, 0-0 when
// the stream is empty.
func (s *Stream) lastValidID() ID { return s.edgeID(false, true) }

// Entry is a stream entry as replies show it.
type Entry struct {
	ID ID
	// Fields holds field, value, field, value, ... It is nil for an entry
	// that a consumer's history lists but that is no longer in the stream
	// (a null array in the reply).
	Fields [][]byte
}

// Range returns the entries with IDs in [start, end], in order or, with
// rev, in reverse, at most count of them unless count is 0.
func (s *Stream) Range(start, end ID, count int64, rev bool) []Entry {
	var out []Entry
	if count > 0 {
		out = make([]Entry, 0, min(count, 128))
	}
	s.scan(start, end, rev, false, func(ni, i int) bool {
		e := &s.nodes[ni].entries[i]
		out = append(out, Entry{e.id, e.fv})
		return count == 0 || int64(len(out)) < count
	})
	return out
}

// Clone returns a deep copy with the same nodes, groups, consumers and
// pending entries (streamDup, for COPY).
func (s *Stream) Clone() *Stream {
	c := *s
	c.nodes = make([]*node, len(s.nodes))
	for i, n := range s.nodes {
		nn := *n
		nn.entries = append([]entry(nil), n.entries...)
		c.nodes[i] = &nn
	}
	c.groups = s.groups.clone(func(g *Group) *Group { return g.clone() })
	return &c
}
