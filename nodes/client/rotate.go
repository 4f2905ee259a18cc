package client

import (
	"strconv"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// A Rotation retires keys as Elle's max-writes-per-key does: once a key
// has taken MaxWritesPerKey writes, the operations meant for it go to the
// key's next generation ("s3", then "s3:1", "s3:2", ...; a hash tag stays
// in front), and the generation before the retired one is deleted, by the
// next operation of a workload that shares the rotation. At most two
// generations of a key are then in the dataset, so a long run's dataset,
// and its reads, stay bounded; a write still in flight to a retired key
// lands in a key that is not deleted yet. The first generation keeps the
// key's plain name, so keys that never take MaxWritesPerKey writes are
// named as without a rotation.
//
// Workloads whose keys overlap (the mixed workload's set family and a set
// workload beside it, both on s0) must share one Rotation: it is state,
// shared by every client of the workloads that hold it, all of which run
// on the world's one goroutine (or a live run's loop goroutine).
type Rotation struct {
	// MaxWritesPerKey is the number of writes that retires a key; 0 or
	// less never does.
	MaxWritesPerKey int
	keys            map[string]*generation
	dels            []string // retired keys to delete, oldest first
	deleted         int
}

type generation struct{ n, writes int }

func generationName(base string, n int) string {
	if n == 0 {
		return base
	}
	return base + ":" + strconv.Itoa(n)
}

// use returns base's current name and, with write, counts a write on it.
// A nil Rotation keeps every key's name.
func (ro *Rotation) use(base string, write bool) string {
	if ro == nil || ro.MaxWritesPerKey <= 0 {
		return base
	}
	if ro.keys == nil {
		ro.keys = map[string]*generation{}
	}
	g := ro.keys[base]
	if g == nil {
		g = &generation{}
		ro.keys[base] = g
	}
	name := generationName(base, g.n)
	if write {
		g.writes++
		if g.writes >= ro.MaxWritesPerKey {
			g.n, g.writes = g.n+1, 0
			if g.n >= 2 {
				ro.dels = append(ro.dels, generationName(base, g.n-2))
			}
		}
	}
	return name
}

// current is base's current name, without counting a write.
func (ro *Rotation) current(base string) string { return ro.use(base, false) }

// Deleted is the number of Delete operations the rotation handed out.
func (ro *Rotation) Deleted() int {
	if ro == nil {
		return 0
	}
	return ro.deleted
}

// deletion returns the oldest retired key still to delete, as a Delete
// operation, if there is one.
func (ro *Rotation) deletion() (op history.Op, c [][]byte, ok bool) {
	c, ok = ro.deletionInto(&op, &cmdBuf{})
	return op, c, ok
}

// deletionInto is deletion for a builder: the operation in op, the
// command in b.
func (ro *Rotation) deletionInto(op *history.Op, b *cmdBuf) ([][]byte, bool) {
	if ro == nil || len(ro.dels) == 0 {
		return nil, false
	}
	key := ro.dels[0]
	ro.dels = ro.dels[1:]
	ro.deleted++
	*op = history.Op{Kind: history.Delete, Key: key}
	return b.str("DEL").str(key).done(), true
}

// decodeDelete reads DEL's reply into a Delete operation's Result.
func decodeDelete(op *history.Op, v resp.Value) error {
	n, err := intValue(v)
	op.Result = history.Int(n)
	return err
}
