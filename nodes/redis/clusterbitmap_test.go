package redis

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// randomBitmaps are slot bitmaps of the shapes a cluster has: empty, full,
// a few ranges (a master's slots), sparse and dense noise, and single
// slots at the words' edges.
func randomBitmaps(r *rand.Rand) []cluster.Bitmap {
	var out []cluster.Bitmap
	var full cluster.Bitmap
	for j := range cluster.Slots {
		full.Set(j)
	}
	out = append(out, cluster.Bitmap{}, full)
	for _, j := range []int{0, 63, 64, 127, 8191, 16320, 16383} {
		var b cluster.Bitmap
		b.Set(j)
		out = append(out, b)
		nb := full
		nb.Clear(j)
		out = append(out, nb)
	}
	for range 40 {
		var b cluster.Bitmap
		for range 1 + r.IntN(6) {
			lo := r.IntN(cluster.Slots)
			hi := min(cluster.Slots, lo+r.IntN(3000))
			for j := lo; j < hi; j++ {
				b.Set(j)
			}
		}
		out = append(out, b)
	}
	for _, p := range []float64{0.001, 0.05, 0.5, 0.95} {
		for range 5 {
			var b cluster.Bitmap
			for j := range cluster.Slots {
				if r.Float64() < p {
					b.Set(j)
				}
			}
			out = append(out, b)
		}
	}
	return out
}

// The word scans must visit what a slot-by-slot walk visits, in the
// same order.
func TestSlotWordScansMatchSlotWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	maps := randomBitmaps(r)
	for i := range maps {
		b := &maps[i]
		var want []int
		for j := range cluster.Slots {
			if b.Has(j) {
				want = append(want, j)
			}
		}
		if got := slices.Collect(setSlots(b)); !slices.Equal(got, want) {
			t.Fatalf("bitmap %d: setSlots gives %d slots %v..., want %d", i, len(got), got[:min(len(got), 5)], len(want))
		}
		not := &maps[r.IntN(len(maps))]
		want = want[:0]
		for j := range cluster.Slots {
			if b.Has(j) && !not.Has(j) {
				want = append(want, j)
			}
		}
		if got := slices.Collect(setSlotsNotIn(b, not)); !slices.Equal(got, want) {
			t.Fatalf("bitmap %d: setSlotsNotIn gives %d slots, want %d", i, len(got), len(want))
		}
		next := cluster.Slots // the first clear slot from `from` on
		for from := cluster.Slots; from >= 0; from-- {
			if from < cluster.Slots && !b.Has(from) {
				next = from
			}
			if got := nextClearSlot(b, from); got != next {
				t.Fatalf("bitmap %d: nextClearSlot from %d = %d, want %d", i, from, got, next)
			}
		}
	}
}

// clusterDelNodeSlots clears each slot as setSlots yields it: every slot
// must still be visited, and a loop that stops early stops.
func TestSetSlotsWhileClearing(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, b := range randomBitmaps(r) {
		want := b.Count()
		n := 0
		for j := range setSlots(&b) {
			b.Clear(j)
			n++
		}
		if n != want || b.Count() != 0 {
			t.Fatalf("visited %d of %d slots, %d left set", n, want, b.Count())
		}
	}
	var b cluster.Bitmap
	b.Set(5)
	b.Set(700)
	for j := range setSlots(&b) {
		if j != 5 {
			t.Fatalf("the loop went on to slot %d after a break", j)
		}
		break
	}
}
