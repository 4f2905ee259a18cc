package stream

// Command is one command's argument vector, as propagated to the AOF and
// to replicas. Its arguments may share memory with the argv it came from.
type Command [][]byte

// Event is a keyspace notification of class NOTIFY_STREAM ('t').
type Event struct {
	Name string // "xadd", "xtrim", "xdel", "xgroup-create", ...
	Key  []byte
}

// Effects is what a command did besides its reply, for the node to act
// on in this order: signal, notify, propagate.
type Effects struct {
	// Dirty is the increment of server.dirty.
	Dirty int64
	// Modified is the key to signalModifiedKey (WATCH, client tracking),
	// nil for none.
	Modified []byte
	// Ready is the key to signalKeyAsReady, so that clients blocked on it
	// in XREAD or XREADGROUP are served (or told their group is gone),
	// nil for none.
	Ready []byte
	// Events are the keyspace notifications, in order.
	Events []Event
	// Propagate lists the commands to feed the AOF and replicas, in
	// order, standing for the command that ran: the node never
	// propagates a stream command's own argv, which is here when Redis
	// propagates it (possibly rewritten). The node wraps more than one
	// in MULTI/EXEC, as 7.0's propagatePendingCommands does.
	Propagate []Command
}

func (fx *Effects) event(name string, key []byte) {
	fx.Events = append(fx.Events, Event{name, key})
}

func (fx *Effects) propagate(argv ...[]byte) {
	fx.Propagate = append(fx.Propagate, Command(argv))
}
