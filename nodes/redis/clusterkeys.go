package redis

import (
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// slotKeys is the slot-to-keys index of a cluster node's database 0
// (clusterSlotToKeyMapping): the keys of each slot in a list, the newest
// first, as slotToKeyAddEntry links a new entry at the head; a key
// overwritten in place keeps its place.
type slotKeys struct {
	heads  [cluster.Slots]*slotKey
	counts [cluster.Slots]int
	byKey  map[string]*slotKey
}

type slotKey struct {
	key        string
	slot       int
	prev, next *slotKey
}

func newSlotKeys() *slotKeys { return &slotKeys{byKey: map[string]*slotKey{}} }

// add is slotToKeyAddEntry.
func (sk *slotKeys) add(key string) {
	if _, ok := sk.byKey[key]; ok {
		return
	}
	slot := cluster.KeyHashSlot([]byte(key))
	e := &slotKey{key: key, slot: slot, next: sk.heads[slot]}
	if e.next != nil {
		e.next.prev = e
	}
	sk.heads[slot] = e
	sk.counts[slot]++
	sk.byKey[key] = e
}

// del is slotToKeyDelEntry.
func (sk *slotKeys) del(key string) {
	e, ok := sk.byKey[key]
	if !ok {
		return
	}
	delete(sk.byKey, key)
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		sk.heads[e.slot] = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	}
	sk.counts[e.slot]--
}

// flush is slotToKeyFlush.
func (sk *slotKeys) flush() { *sk = *newSlotKeys() }

// keys returns up to n keys of slot, newest first.
func (sk *slotKeys) keys(slot, n int) []string {
	var out []string
	for e := sk.heads[slot]; e != nil && len(out) < n; e = e.next {
		out = append(out, e.key)
	}
	return out
}

// countKeysInSlot is countKeysInSlot.
func (s *Server) countKeysInSlot(slot int) int {
	if sk := s.dbs[0].slotKeys; sk != nil {
		return sk.counts[slot]
	}
	return 0
}

// delKeysInSlot is delKeysInSlot: every key of the slot is deleted, and
// nothing else, as in 7.0.15: no DEL goes to the replicas or the AOF and
// no keyspace notification is sent, so a replica keeps keys its master
// dropped with a slot it lost. Redis 7.2 propagates them
// (redis/redis#11084); `cluster-resharding --set drop=N` shows the
// divergence in every seed.
func (s *Server) delKeysInSlot(slot int) int {
	d := s.dbs[0]
	if d.slotKeys == nil {
		return 0
	}
	n := 0
	for d.slotKeys.heads[slot] != nil {
		// dbDelete: no signalModifiedKey, so neither WATCH nor client
		// tracking hears of it.
		d.remove(d.slotKeys.heads[slot].key)
		n++
	}
	return n
}

// publishFromBus delivers a message a PUBLISH or SPUBLISH on another node
// sent over the bus.
func (s *Server) publishFromBus(channel, msg []byte, sharded bool) {
	if sharded {
		s.spublish(channel, msg)
	} else {
		s.publish(channel, msg)
	}
}
