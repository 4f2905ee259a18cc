package redis

import "github.com/redsim/redsim/nodes/bugs"

// db is one of the node's numbered databases.
type db struct {
	s    *Server
	id   int
	keys dict[*object]
	// expires holds the keys that have a TTL, for the active expiry cycle's
	// sampling; the TTL itself is object.expireAt.
	expires dict[*object]
	// mem is the sum of the keys' sizes while maxmemory is set
	// (usedmemory.go).
	mem int64
	// slotKeys indexes database 0's keys by slot in cluster mode.
	slotKeys *slotKeys
}

func newDB(s *Server, id int) *db { return &db{s: s, id: id} }

// lookup returns the live value of key, deleting it first if it has
// expired (expireIfNeeded).
func (d *db) lookup(key []byte) *object {
	return d.lookupHashed(key, hashKey(key))
}

// lookupHashed is lookup given hashKey(key).
func (d *db) lookupHashed(key []byte, h uint64) *object {
	o := d.lookupNoTouchHashed(key, h)
	if o != nil {
		d.s.touch(o)
	}
	return o
}

// lookupNoTouch is lookup with LOOKUP_NOTOUCH: the value's LRU time is
// left alone (TYPE, TTL, EXISTS, OBJECT).
func (d *db) lookupNoTouch(key []byte) *object {
	return d.lookupNoTouchHashed(key, hashKey(key))
}

// lookupNoTouchHashed is lookupNoTouch given hashKey(key).
func (d *db) lookupNoTouchHashed(key []byte, h uint64) *object {
	return d.liveValue(key, d.keys.findBytes(key, h))
}

// lookupEntry is lookupHashed that also returns key's entry as the dict
// holds it afterwards (nil when the key is missing or its expiry removed
// it), for setEntry.
func (d *db) lookupEntry(key []byte, h uint64) (*object, *dictEntry[*object]) {
	e := d.keys.findBytes(key, h)
	o := d.liveValue(key, e)
	if o != nil {
		d.s.touch(o)
	}
	if e != nil && o == nil {
		e = d.keys.findBytes(key, h) // it expired: it may be gone
	}
	return o, e
}

// liveValue is lookupNoTouchHashed given key's entry (nil when missing).
func (d *db) liveValue(key []byte, e *dictEntry[*object]) *object {
	if e == nil {
		return nil
	}
	o := e.val
	if o.expireAt != 0 && !d.s.applying && d.expireIfNeeded(string(key), o) {
		if d.s.isReplica() && bugs.On(bugs.ReplicaServesExpired) {
			// Before the fix of redis/redis#1768, a replica, which
			// must not delete the key, returned it.
			return o
		}
		return nil
	}
	return o
}

// lookupRead is lookupKeyRead: lookup counting hits and misses, a miss
// notified as keymiss.
func (d *db) lookupRead(key []byte) *object {
	o := d.countHit(d.lookup(key))
	if o == nil {
		d.s.notify(notifyKeyMiss, "keymiss", key, d.id)
	}
	return o
}

// lookupReadNoTouch is lookupKeyReadWithFlags with LOOKUP_NOTOUCH.
func (d *db) lookupReadNoTouch(key []byte) *object {
	o := d.lookupReadNoTouchNoNotify(key)
	if o == nil {
		d.s.notify(notifyKeyMiss, "keymiss", key, d.id)
	}
	return o
}

// lookupReadNoTouchNoNotify adds LOOKUP_NONOTIFY: OBJECT's lookup counts a
// miss but sends no keymiss.
func (d *db) lookupReadNoTouchNoNotify(key []byte) *object {
	return d.countHit(d.lookupNoTouch(key))
}

func (d *db) countHit(o *object) *object {
	if o == nil {
		d.s.stats.keyspaceMisses++
	} else {
		d.s.stats.keyspaceHits++
	}
	return o
}

// expireIfNeeded deletes key if its time has come and propagates a DEL, as
// Redis does on a master; it reports whether the key is gone.
func (d *db) expireIfNeeded(key string, o *object) bool {
	// keyIsExpired: gone once the time is past expireAt, not at it.
	if o.expireAt >= d.s.expireNowMs() {
		return false
	}
	if d.s.isReplica() {
		// A replica reports the key as missing but waits for its
		// master's DEL.
		return true
	}
	if d.s.paused() {
		// A pause holds the dataset still: the key reads as gone but
		// stays until the pause ends.
		return true
	}
	d.s.stats.expiredKeys++
	d.remove(key)
	d.s.notify(notifyExpired, "expired", []byte(key), d.id)
	d.s.propagate(d.id, [][]byte{d.s.expireDelVerb(), []byte(key)})
	d.s.signalModified(d, key)
	return true
}

// add stores a new key (it must not exist).
func (d *db) add(key string, o *object) {
	d.s.datasetChanged()
	d.s.storeObject(o, nil)
	d.keys.Set(key, o)
	if d.slotKeys != nil {
		d.slotKeys.add(key)
	}
	d.memAdded(key, o)
	if o.expireAt != 0 {
		d.expires.Set(key, o)
	}
	if o.kind == kindList || o.kind == kindZSet || o.kind == kindStream {
		d.s.signalReady(d, key)
	}
	if d.s.inCall > 0 { // a command's dbAdd, not loading
		d.s.notify(notifyNew, "new", []byte(key), d.id)
	}
}

// set replaces or adds key's value, clearing its TTL unless keepTTL
// (setKey).
func (d *db) set(key string, o *object, keepTTL bool) {
	d.setFound(key, d.keys.find(key), o, keepTTL)
}

// setBytes is set for a key given as bytes; it returns the key as the
// keyspace holds it. An existing key's string is reused, so only a new
// key costs one.
func (d *db) setBytes(key []byte, o *object, keepTTL bool) string {
	k, _ := d.setBytesHashed(key, hashKey(key), o, keepTTL)
	return k
}

// setBytesHashed is setBytes given hashKey(key); it also returns the
// value o replaced, nil for a new key.
func (d *db) setBytesHashed(key []byte, h uint64, o *object, keepTTL bool) (string, *object) {
	return d.setEntry(key, d.keys.findBytes(key, h), o, keepTTL)
}

// setEntry is setBytesHashed given key's entry, nil when key is new.
func (d *db) setEntry(key []byte, e *dictEntry[*object], o *object, keepTTL bool) (string, *object) {
	k := ""
	var old *object
	if e != nil {
		k, old = e.key, e.val
	} else {
		k = string(key)
	}
	d.setFound(k, e, o, keepTTL)
	return k, old
}

// setFound is set given key's entry, nil when key is new.
func (d *db) setFound(key string, e *dictEntry[*object], o *object, keepTTL bool) {
	d.s.datasetChanged()
	var old *object
	ok := e != nil
	if ok {
		old = e.val
	}
	if ok && old.expireAt != 0 {
		if keepTTL {
			o.expireAt = old.expireAt
		} else {
			d.expires.Delete(key)
		}
	}
	if ok {
		d.s.streamDeleted(d, key, old)
		d.s.storeObject(o, old)
		d.memRemoved(old)
		e.val = o // the dict's Set of an existing key
		d.memAdded(key, o)
		if o.expireAt != 0 {
			d.expires.Set(key, o)
		}
	} else {
		d.add(key, o)
	}
	d.s.signalModified(d, key)
}

// remove deletes key and reports whether it existed. It does not signal.
func (d *db) remove(key string) bool {
	d.s.datasetChanged()
	o, ok := d.keys.Delete(key)
	if ok && o.expireAt != 0 {
		d.expires.Delete(key)
	}
	if ok && d.slotKeys != nil {
		d.slotKeys.del(key)
	}
	if ok {
		d.s.streamDeleted(d, key, o)
		d.memRemoved(o)
	}
	return ok
}

// del is dbDelete plus the signal for WATCH.
func (d *db) del(key []byte) bool {
	if d.remove(string(key)) {
		d.s.signalModified(d, string(key))
		return true
	}
	return false
}

// setExpire sets key's absolute expiry time (ms on the expiry clock).
func (d *db) setExpire(key string, o *object, at int64) {
	d.s.datasetChanged()
	o.expireAt = at
	d.expires.Set(key, o)
}

// persist removes key's TTL and reports whether it had one.
func (d *db) persist(key string, o *object) bool {
	if o.expireAt == 0 {
		return false
	}
	d.s.datasetChanged()
	o.expireAt = 0
	d.expires.Delete(key)
	return true
}

// flush empties the database and returns how many keys it had.
func (d *db) flush() int {
	d.s.datasetChanged()
	n := d.keys.Len()
	d.s.scanForDeletedStreams(d, nil)
	var keys []string
	d.s.forWatched(d, func(key string) {
		if _, ok := d.keys.Get(key); ok {
			keys = append(keys, key)
		}
	})
	d.keys.Clear()
	d.expires.Clear()
	if d.slotKeys != nil {
		d.slotKeys.flush()
	}
	d.mem = 0
	for _, k := range keys {
		d.s.touchWatched(d, k)
	}
	return n
}

// modified counts a change for the save points and marks the key touched.
func (s *Server) modified(d *db, key []byte, n int) {
	s.dirty += int64(n)
	if !s.signalNeedsKey() {
		// The common case, without making a string of the key.
		s.datasetChanged()
		return
	}
	s.signalModified(d, string(key))
}
