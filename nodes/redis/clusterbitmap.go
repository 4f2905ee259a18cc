package redis

import (
	"encoding/binary"
	"iter"
	"math/bits"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// Redis walks a slot bitmap slot by slot (for j in 0..16383:
// bitmapTestBit). The loops here read it 64 slots at a time and visit
// the same slots in the same order; a node's bitmap is mostly zeros or
// mostly ones, so whole words are skipped. Slot s is bit s%8 of byte
// s/8, so a little-endian word w holds slots 64w..64w+63, slot s at bit
// s%64.

// bitmapWords is the number of 64-slot words of a slot bitmap.
const bitmapWords = cluster.Slots / 64

// bitmapWord is the word of b that holds slots 64w to 64w+63.
func bitmapWord(b *cluster.Bitmap, w int) uint64 {
	return binary.LittleEndian.Uint64(b[w*8:])
}

// setBitmapWord sets the word of b that holds slots 64w to 64w+63.
func setBitmapWord(b *cluster.Bitmap, w int, x uint64) {
	binary.LittleEndian.PutUint64(b[w*8:], x)
}

// setSlots yields the slots set in b in increasing order. Each word is
// read when its first slot is reached, so the loop body may change the
// slot it was given (as clusterDelNodeSlots clears it) but must not
// change a later one of the same word.
func setSlots(b *cluster.Bitmap) iter.Seq[int] {
	return func(yield func(int) bool) {
		for w := range bitmapWords {
			for x := bitmapWord(b, w); x != 0; x &= x - 1 {
				if !yield(w*64 + bits.TrailingZeros64(x)) {
					return
				}
			}
		}
	}
}

// setSlotsNotIn yields the slots set in b and not in not, in increasing
// order; words are read as setSlots reads them.
func setSlotsNotIn(b, not *cluster.Bitmap) iter.Seq[int] {
	return func(yield func(int) bool) {
		for w := range bitmapWords {
			for x := bitmapWord(b, w) &^ bitmapWord(not, w); x != 0; x &= x - 1 {
				if !yield(w*64 + bits.TrailingZeros64(x)) {
					return
				}
			}
		}
	}
}

// nextClearSlot is the first slot from on that b does not have,
// cluster.Slots if there is none.
func nextClearSlot(b *cluster.Bitmap, from int) int {
	if from >= cluster.Slots {
		return cluster.Slots
	}
	w := from / 64
	x := ^bitmapWord(b, w) &^ (1<<(from%64) - 1)
	for x == 0 {
		w++
		if w == bitmapWords {
			return cluster.Slots
		}
		x = ^bitmapWord(b, w)
	}
	return w*64 + bits.TrailingZeros64(x)
}
