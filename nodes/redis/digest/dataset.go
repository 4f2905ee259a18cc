package digest

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
)

// Dataset accumulates the digest of a whole dataset, as DEBUG DIGEST
// computes it. Keys may be added in any order, databases in any order and
// more than once; only the set of (db, key, value, has-TTL) matters. The
// zero value is an empty dataset positioned on db 0.
type Dataset struct {
	// dbs holds one entry per database that has received a key, in the
	// order first seen; Sum sorts a copy by id.
	dbs []dbSum
	// db is the database selected for the next key.
	db int
	// cur indexes dbs for db, or is -1 when db has no entry yet.
	cur int
}

// dbSum is the xor of the key digests of one database.
type dbSum struct {
	id   int
	keys int
	sum  [Size]byte
}

// Reset empties the dataset and selects db 0, keeping its memory.
func (d *Dataset) Reset() {
	d.dbs = d.dbs[:0]
	d.db = 0
	d.cur = 0
	d.find()
}

// SelectDB makes db receive the keys added next. Redis mixes the id of each
// non-empty db into the digest, in increasing order, before xoring in its
// keys; an empty db leaves no trace, whether selected or not.
func (d *Dataset) SelectDB(db int) {
	if db < 0 || db > 1<<31-1 {
		panic("digest: db id out of range")
	}
	d.db = db
	d.find()
}

func (d *Dataset) find() {
	d.cur = -1
	for i := range d.dbs {
		if d.dbs[i].id == d.db {
			d.cur = i
			return
		}
	}
}

// AddSum xors the digest of one key, from Value.Sum on a Value begun with
// StartKey, into the selected db.
func (d *Dataset) AddSum(keySum [Size]byte) {
	if d.cur < 0 || d.cur >= len(d.dbs) || d.dbs[d.cur].id != d.db {
		d.find()
		if d.cur < 0 {
			d.dbs = append(d.dbs, dbSum{id: d.db})
			d.cur = len(d.dbs) - 1
		}
	}
	s := &d.dbs[d.cur]
	s.keys++
	xorDigest(&s.sum, &keySum)
}

// Add ends v (begun with StartKey) and adds it to the selected db.
func (d *Dataset) Add(v *Value, expireAtMs int64) {
	d.AddSum(v.Sum(expireAtMs))
}

// String adds a string key.
func (d *Dataset) String(key, val []byte, expireAtMs int64) {
	v := StartKey(key, String)
	v.Elem(val)
	d.Add(&v, expireAtMs)
}

// List adds a list key; items run from head to tail.
func (d *Dataset) List(key []byte, items [][]byte, expireAtMs int64) {
	v := StartKey(key, List)
	for _, it := range items {
		v.Elem(it)
	}
	d.Add(&v, expireAtMs)
}

// Set adds a set key; members may come in any order.
func (d *Dataset) Set(key []byte, members [][]byte, expireAtMs int64) {
	v := StartKey(key, Set)
	for _, m := range members {
		v.Elem(m)
	}
	d.Add(&v, expireAtMs)
}

// Hash adds a hash key; fieldsValues alternates field, value, and the pairs
// may come in any order.
func (d *Dataset) Hash(key []byte, fieldsValues [][]byte, expireAtMs int64) {
	v := StartKey(key, Hash)
	for _, b := range fieldsValues {
		v.Elem(b)
	}
	d.Add(&v, expireAtMs)
}

// ZSet adds a sorted set key; scores[i] is the score of members[i], and the
// members may come in any order.
func (d *Dataset) ZSet(key []byte, members [][]byte, scores []float64, expireAtMs int64) {
	if len(members) != len(scores) {
		panic("digest: ZSet needs one score per member")
	}
	v := StartKey(key, ZSet)
	for i, m := range members {
		v.Elem(m)
		v.Score(scores[i])
	}
	d.Add(&v, expireAtMs)
}

// Sum returns the digest of the dataset: all zeros when it holds no key.
func (d *Dataset) Sum() [Size]byte {
	// Sorting in place is harmless: the order of dbs is not observable.
	slices.SortFunc(d.dbs, func(a, b dbSum) int { return a.id - b.id })
	d.find()
	dbs := d.dbs
	var final [Size]byte
	for i := range dbs {
		if dbs[i].keys == 0 {
			continue
		}
		var aux [4]byte
		binary.BigEndian.PutUint32(aux[:], uint32(dbs[i].id)) // htonl(j)
		mixInto(&final, aux[:])
		for j := range final {
			// Xoring the db's accumulated key digests at once equals
			// Redis's xoring them one by one after the mix.
			final[j] ^= dbs[i].sum[j]
		}
	}
	return final
}

// Hex returns Sum as DEBUG DIGEST prints it: 40 lower-case hex digits.
func (d *Dataset) Hex() string {
	return Hex(d.Sum())
}

// Hex formats a digest as DEBUG DIGEST and DIGEST-VALUE print it.
func Hex(sum [Size]byte) string {
	return hex.EncodeToString(sum[:])
}
