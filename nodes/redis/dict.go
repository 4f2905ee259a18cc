package redis

import "math/bits"

// dict is Redis's dict: a chained hash table whose size is a power of two,
// with a fixed hash function so that its order (SCAN, RANDOMKEY, SPOP, the
// active expiry's samples) depends only on the keys, never on the process.
// Unlike Redis it rehashes in one step; the reverse-binary SCAN cursor keeps
// its guarantee across a resize either way: a key present for the whole
// iteration is returned at least once.
type dict[V any] struct {
	buckets []*dictEntry[V]
	n       int
}

type dictEntry[V any] struct {
	key  string
	val  V
	next *dictEntry[V]
	// hash is hashKey(key), kept so that a resize need not hash every key
	// again and a chain's walk compares a key's bytes only on a full match
	// of the hash (the bytes are another cache line away).
	hash uint64
}

const dictMinSize = 4

// hashKey is a seedless 64-bit hash (a multiply-xorshift over 8-byte words
// with murmur3's finaliser). Go's map hash is seeded per process, which would
// make iteration order, and so replies, differ between runs.
func hashKey[K string | []byte](s K) uint64 {
	const m1, m2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	h := uint64(len(s)) * m1
	whole := s
	for len(s) >= 8 {
		h = bits.RotateLeft64(h^(load64(s)*m2), 29) * m1
		s = s[8:]
	}
	// The tail's bytes, little-endian: the last 8 bytes of the key
	// shifted down, or two 4-byte loads of a short key, or bytes.
	var v uint64
	switch n := len(s); {
	case n == 0:
	case len(whole) >= 8:
		v = load64(whole[len(whole)-8:]) >> (64 - 8*n)
	case n >= 4:
		v = load32(s) | load32(s[n-4:])>>(64-8*n)<<32
	default:
		for i := 0; i < n; i++ {
			v |= uint64(s[i]) << (8 * i)
		}
	}
	h = bits.RotateLeft64(h^(v*m2), 29) * m1
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// load64 and load32 read s's first 8 or 4 bytes, little-endian.
func load64[K string | []byte](s K) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32[K string | []byte](s K) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

func (d *dict[V]) Len() int { return d.n }

func (d *dict[V]) find(key string) *dictEntry[V] {
	if d.n == 0 {
		return nil
	}
	return d.findHashed(key, hashKey(key))
}

// findBytes is findHashed for a key given as bytes, which it compares
// without making a string of them.
func (d *dict[V]) findBytes(key []byte, h uint64) *dictEntry[V] {
	if d.n == 0 {
		return nil
	}
	for e := d.buckets[h&uint64(len(d.buckets)-1)]; e != nil; e = e.next {
		if e.hash == h && e.key == string(key) {
			return e
		}
	}
	return nil
}

// findHashed is find given hashKey(key).
func (d *dict[V]) findHashed(key string, h uint64) *dictEntry[V] {
	if d.n == 0 {
		return nil
	}
	for e := d.buckets[h&uint64(len(d.buckets)-1)]; e != nil; e = e.next {
		if e.hash == h && e.key == key {
			return e
		}
	}
	return nil
}

// Get returns the value stored under key.
func (d *dict[V]) Get(key string) (V, bool) {
	if e := d.find(key); e != nil {
		return e.val, true
	}
	var zero V
	return zero, false
}

// Set stores val under key and reports whether key is new.
func (d *dict[V]) Set(key string, val V) bool {
	h := hashKey(key)
	if e := d.findHashed(key, h); e != nil {
		e.val = val
		return false
	}
	if d.n >= len(d.buckets) {
		d.resize(max(dictMinSize, len(d.buckets)*2))
	}
	i := h & uint64(len(d.buckets)-1)
	d.buckets[i] = &dictEntry[V]{key: key, val: val, next: d.buckets[i], hash: h}
	d.n++
	return true
}

// Delete removes key and reports whether it was there.
func (d *dict[V]) Delete(key string) (V, bool) {
	var zero V
	if d.n == 0 {
		return zero, false
	}
	h := hashKey(key)
	p := &d.buckets[h&uint64(len(d.buckets)-1)]
	for e := *p; e != nil; p, e = &e.next, e.next {
		if e.hash == h && e.key == key {
			*p = e.next
			d.n--
			// Shrink as Redis does below 10% fill, so sparse tables do not
			// slow RANDOMKEY's bucket probing.
			if len(d.buckets) > dictMinSize && d.n*10 < len(d.buckets) {
				d.resize(max(dictMinSize, nextPow2(d.n)))
			}
			return e.val, true
		}
	}
	return zero, false
}

// reserve sizes an empty table for n keys: the size that n Sets would
// grow it to. Each chain holds its keys newest first whatever the resizes
// on the way (resize keeps a chain's order), so the table ends as it would
// have, with no resize on the way.
func (d *dict[V]) reserve(n int) {
	if d.n == 0 && n > 0 {
		if size := max(dictMinSize, nextPow2(n)); size > len(d.buckets) {
			d.resize(size)
		}
	}
}

// Clear empties the table.
func (d *dict[V]) Clear() { *d = dict[V]{} }

func nextPow2(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}

func (d *dict[V]) resize(size int) {
	old := d.buckets
	d.buckets = make([]*dictEntry[V], size)
	mask := uint64(size - 1)
	// Keep chain order stable under a resize: walk each old chain from its
	// tail so that reinsertion at the head restores the relative order.
	var stack []*dictEntry[V]
	for _, e := range old {
		stack = stack[:0]
		for ; e != nil; e = e.next {
			stack = append(stack, e)
		}
		for j := len(stack) - 1; j >= 0; j-- {
			x := stack[j]
			i := x.hash & mask
			x.next = d.buckets[i]
			d.buckets[i] = x
		}
	}
}

// Scan calls fn for the entries of one bucket step from cursor and returns
// the next cursor (0 when the iteration is over), with Redis's reverse-binary
// cursor increment.
func (d *dict[V]) Scan(cursor uint64, fn func(key string, val V)) uint64 {
	if d.n == 0 {
		return 0
	}
	mask := uint64(len(d.buckets) - 1)
	for e := d.buckets[cursor&mask]; e != nil; e = e.next {
		fn(e.key, e.val)
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// Random returns a random entry as dictGetRandomKey does: a random non-empty
// bucket, then a random element of its chain.
func (d *dict[V]) Random(r interface{ IntN(int) int }) (string, V, bool) {
	var zero V
	if d.n == 0 {
		return "", zero, false
	}
	var e *dictEntry[V]
	for e == nil {
		e = d.buckets[r.IntN(len(d.buckets))]
	}
	n := 0
	for x := e; x != nil; x = x.next {
		n++
	}
	for i := r.IntN(n); i > 0; i-- {
		e = e.next
	}
	return e.key, e.val, true
}

// All calls fn for every entry in table order until fn returns false.
func (d *dict[V]) All(fn func(key string, val V) bool) {
	for _, e := range d.buckets {
		for ; e != nil; e = e.next {
			if !fn(e.key, e.val) {
				return
			}
		}
	}
}
