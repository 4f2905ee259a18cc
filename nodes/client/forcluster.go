package client

// TxnKeysPerTag is how many keys ForCluster puts under one hash tag in a
// transaction workload: enough for transactions to contend on the same
// keys, few enough for the groups to spread over the shards.
const TxnKeysPerTag = 4

// ForCluster returns w adapted to a Redis Cluster, leaving w unchanged:
// every key space has at least minKeys keys, so that it spreads over many
// slots and so over the shards (a key is a slot, and CRC16 scatters the
// names), and the transactions of Txn (MULTI/EXEC and EVAL, in Mixed too)
// draw their keys from one hash-tag group of TxnKeysPerTag keys, since
// Redis Cluster refuses a transaction or script whose keys are in several
// slots (-CROSSSLOT). Give the same adapted workload to the clients and to
// the final reads, whose key names must agree. A workload ForCluster does
// not know is returned as it is.
func ForCluster(w Workload, minKeys int) Workload {
	switch x := w.(type) {
	case *Register:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *CASRegister:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *Counter:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *Set:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *ListAppend:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *WaitAdd:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *TTL:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *Float:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *Expiring:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		return &y
	case *Txn:
		y := *x
		y.Keys = max(y.Keys, minKeys)
		if y.HashTags <= 0 {
			y.HashTags = max(1, y.Keys/TxnKeysPerTag)
		}
		return &y
	case *Mixed:
		y := &Mixed{total: x.total, families: make([]Family, len(x.families))}
		for i, f := range x.families {
			f.W = ForCluster(f.W, minKeys)
			y.families[i] = f
		}
		return y
	}
	return w
}

// crossSlot names the part of w whose operations may put keys in several
// slots, or is "" when none does (as far as it can tell).
func crossSlot(w Workload) string {
	switch x := w.(type) {
	case *Txn:
		if x.tags() == 0 && x.MaxMops > 1 && x.Keys > 1 {
			if x.Script {
				return "txn (EVAL) without HashTags"
			}
			return "txn (MULTI/EXEC) without HashTags"
		}
	case *Mixed:
		for _, f := range x.families {
			if n := crossSlot(f.W); n != "" {
				return "mixed's family " + f.Name + ", a " + n
			}
		}
	}
	return ""
}
