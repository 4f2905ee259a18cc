package stream

import "encoding/binary"

// RadixNodes is the number of nodes of Redis's radix tree (rax.c) over the
// stream's node keys, the 128-bit big-endian master IDs: what XINFO STREAM
// reports as radix-tree-nodes. rax keeps its tree compressed after every
// insertion and deletion (a chain of single-child, non-key nodes is one
// compressed node), so the count depends only on the set of keys: one
// node for the root, one per branching point, one per child of a
// branching point, and one leaf per key.
func (s *Stream) RadixNodes() int64 {
	if len(s.nodes) == 0 {
		return 1 // the empty root
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.master.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.master.Seq)
	}
	return raxCount(keys, 0)
}

// raxCount counts the rax nodes of the subtree whose node sits at depth
// bytes into keys, which are sorted, distinct and share their first depth
// bytes.
func raxCount(keys [][16]byte, depth int) int64 {
	if len(keys) == 1 {
		if depth == 16 {
			return 1 // a leaf
		}
		return 2 // the rest of the key compressed in one node, then the leaf
	}
	first, last := &keys[0], &keys[len(keys)-1]
	common := depth
	for first[common] == last[common] {
		common++
	}
	if common > depth {
		// One compressed node down to the branching point.
		return 1 + raxCount(keys, common)
	}
	n := int64(1) // the branching node, one child per distinct byte
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi][depth] == keys[lo][depth] {
			hi++
		}
		n += raxCount(keys[lo:hi], depth+1)
		lo = hi
	}
	return n
}
