package stream

// omap is an ordered map, standing in for the radix trees that Redis keys
// by big-endian stream ID (PELs) or by name (groups, consumers): iteration
// is in key order, which is also byte order for names and numeric order
// for IDs. Items live in sorted chunks of at most omapChunk, so inserts and
// deletes anywhere cost O(omapChunk + chunks) rather than O(n); the common
// patterns (append at the end, delete the oldest) touch one chunk.
type omap[K any, V any] struct {
	chunks [][]omapItem[K, V]
	n      int
	cmp    func(a, b K) int
}

type omapItem[K any, V any] struct {
	k K
	v V
}

const omapChunk = 128

// pos is a position in an omap: chunk and index; it is valid until the
// next mutation.
type pos struct{ c, i int }

func (m *omap[K, V]) Len() int { return m.n }

// chunkFor returns the index of the first chunk whose last key is >= k, or
// len(m.chunks) if k is beyond every key.
func (m *omap[K, V]) chunkFor(k K) int {
	lo, hi := 0, len(m.chunks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := m.chunks[mid]
		if m.cmp(c[len(c)-1].k, k) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// search returns the index of the first item in c whose key is >= k and
// whether that item's key equals k.
func (m *omap[K, V]) search(c []omapItem[K, V], k K) (int, bool) {
	lo, hi := 0, len(c)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.cmp(c[mid].k, k) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(c) && m.cmp(c[lo].k, k) == 0
}

// Get returns the value at k.
func (m *omap[K, V]) Get(k K) (V, bool) {
	ci := m.chunkFor(k)
	if ci < len(m.chunks) {
		if i, ok := m.search(m.chunks[ci], k); ok {
			return m.chunks[ci][i].v, true
		}
	}
	var zero V
	return zero, false
}

// Insert adds k with v unless k is present (raxTryInsert) and reports
// whether it did.
func (m *omap[K, V]) Insert(k K, v V) bool {
	if len(m.chunks) == 0 {
		c := make([]omapItem[K, V], 1, 8)
		c[0] = omapItem[K, V]{k, v}
		m.chunks = append(m.chunks, c)
		m.n = 1
		return true
	}
	ci := m.chunkFor(k)
	if ci == len(m.chunks) {
		ci-- // beyond every key: append to the last chunk
	}
	c := m.chunks[ci]
	i, ok := m.search(c, k)
	if ok {
		return false
	}
	c = append(c, omapItem[K, V]{})
	copy(c[i+1:], c[i:])
	c[i] = omapItem[K, V]{k, v}
	m.n++
	if len(c) <= omapChunk {
		m.chunks[ci] = c
		return true
	}
	half := len(c) / 2
	right := make([]omapItem[K, V], len(c)-half, omapChunk+1)
	copy(right, c[half:])
	clear(c[half:])
	m.chunks[ci] = c[:half]
	m.chunks = append(m.chunks, nil)
	copy(m.chunks[ci+2:], m.chunks[ci+1:])
	m.chunks[ci+1] = right
	return true
}

// Set stores v at k, replacing any value there (raxInsert).
func (m *omap[K, V]) Set(k K, v V) {
	ci := m.chunkFor(k)
	if ci < len(m.chunks) {
		if i, ok := m.search(m.chunks[ci], k); ok {
			m.chunks[ci][i].v = v
			return
		}
	}
	m.Insert(k, v)
}

// Delete removes k and returns its value.
func (m *omap[K, V]) Delete(k K) (V, bool) {
	var zero V
	ci := m.chunkFor(k)
	if ci == len(m.chunks) {
		return zero, false
	}
	c := m.chunks[ci]
	i, ok := m.search(c, k)
	if !ok {
		return zero, false
	}
	v := c[i].v
	copy(c[i:], c[i+1:])
	c[len(c)-1] = omapItem[K, V]{}
	c = c[:len(c)-1]
	m.n--
	if len(c) == 0 {
		copy(m.chunks[ci:], m.chunks[ci+1:])
		m.chunks[len(m.chunks)-1] = nil
		m.chunks = m.chunks[:len(m.chunks)-1]
	} else {
		m.chunks[ci] = c
	}
	return v, true
}

// Seek returns the position of the first key >= k.
func (m *omap[K, V]) Seek(k K) pos {
	ci := m.chunkFor(k)
	if ci == len(m.chunks) {
		return pos{ci, 0}
	}
	i, _ := m.search(m.chunks[ci], k)
	return pos{ci, i}
}

// First returns the position of the smallest key.
func (m *omap[K, V]) First() pos { return pos{} }

// At returns the item at p, or false past the end.
func (m *omap[K, V]) At(p pos) (K, V, bool) {
	if p.c >= len(m.chunks) {
		var k K
		var v V
		return k, v, false
	}
	it := m.chunks[p.c][p.i]
	return it.k, it.v, true
}

// Next returns the position after p.
func (m *omap[K, V]) Next(p pos) pos {
	p.i++
	if p.i >= len(m.chunks[p.c]) {
		p.c++
		p.i = 0
	}
	return p
}

// Last returns the item with the greatest key.
func (m *omap[K, V]) Last() (K, V, bool) {
	if len(m.chunks) == 0 {
		var k K
		var v V
		return k, v, false
	}
	c := m.chunks[len(m.chunks)-1]
	return c[len(c)-1].k, c[len(c)-1].v, true
}

// All yields the items in key order; the map must not change meanwhile.
func (m *omap[K, V]) All(yield func(K, V) bool) {
	for _, c := range m.chunks {
		for _, it := range c {
			if !yield(it.k, it.v) {
				return
			}
		}
	}
}

// clone returns a copy with the values mapped through f.
func (m *omap[K, V]) clone(f func(V) V) omap[K, V] {
	out := omap[K, V]{n: m.n, cmp: m.cmp, chunks: make([][]omapItem[K, V], len(m.chunks))}
	for ci, c := range m.chunks {
		nc := make([]omapItem[K, V], len(c), max(len(c), 8))
		for i, it := range c {
			nc[i] = omapItem[K, V]{it.k, f(it.v)}
		}
		out.chunks[ci] = nc
	}
	return out
}
