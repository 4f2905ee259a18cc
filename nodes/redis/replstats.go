package redis

// What a node tells an observer about its replication: the counters of
// resyncs served and performed, the errors of the replication protocol
// it saw, and the master's view of its replicas. Scenario checks read
// them after a run; nothing here changes the node.

// maxReplErrors bounds the error lines a node keeps; the count goes on.
const maxReplErrors = 8

// replCounters are the replication counters INFO does not show. Unlike
// INFO's, CONFIG RESETSTAT leaves them alone: they are for observers.
type replCounters struct {
	partialWithData        int64
	partialNoBacklog       int64
	fullSyncs              int64
	partialSyncs           int64
	linkDrops              int64
	unexpectedErrorReplies int64
	errors                 int64
	errorLines             []string
}

// replError records the log line of a replication protocol error: a
// stream or handshake reply from the master that does not parse, an
// error the replica's own stream processing returns to its master, or a
// replica's unparsable input on the master's side. The caller logs it.
func (s *Server) replError(line string) {
	s.repl.errors++
	if len(s.repl.errorLines) < maxReplErrors {
		s.repl.errorLines = append(s.repl.errorLines, line)
	}
}

// ReplStats are one incarnation's replication counters. The first three
// are INFO stats' fields of the same names (CONFIG RESETSTAT zeroes them);
// Redis counts the others nowhere.
type ReplStats struct {
	// SyncFull is sync_full: full resyncs served as a master, one per
	// SYNC or PSYNC that got +FULLRESYNC.
	SyncFull int64
	// SyncPartialOK is sync_partial_ok: PSYNCs served from the backlog.
	SyncPartialOK int64
	// SyncPartialErr is sync_partial_err: PSYNCs refused (unknown
	// replication ID or an offset out of the backlog), not counting
	// PSYNC ? -1, which asks for a full resync on purpose.
	SyncPartialErr int64
	// SyncPartialWithData counts the accepted PSYNCs that sent at least
	// one byte of backlog: those that test the backlog's offsets.
	SyncPartialWithData int64
	// SyncPartialNoBacklog counts the refused PSYNCs whose history was
	// right but whose offset the backlog no longer held (an overflow).
	SyncPartialNoBacklog int64
	// FullSyncs and PartialSyncs count, as a replica, the +FULLRESYNC and
	// +CONTINUE replies taken from a master.
	FullSyncs    int64
	PartialSyncs int64
	// LinkDrops counts, as a replica, the ends of a link to its master,
	// whatever the cause (timeout, close, CLIENT KILL, REPLICAOF).
	LinkDrops int64
	// UnexpectedErrorReplies is Redis's stat_unexpected_error_replies as a
	// replica: errors its master's stream made it reply (never sent).
	UnexpectedErrorReplies int64
	// ProtocolErrors counts the replication protocol errors (see
	// ErrorLines), on either side of a link.
	ProtocolErrors int64
	// ErrorLines are the log lines of the first protocol errors (at most
	// 8), as the node logged them.
	ErrorLines []string
}

// ReplStats returns the incarnation's replication counters.
func (s *Server) ReplStats() ReplStats {
	return ReplStats{
		SyncFull:               s.stats.syncFull,
		SyncPartialOK:          s.stats.syncPartialOK,
		SyncPartialErr:         s.stats.syncPartialErr,
		SyncPartialWithData:    s.repl.partialWithData,
		SyncPartialNoBacklog:   s.repl.partialNoBacklog,
		FullSyncs:              s.repl.fullSyncs,
		PartialSyncs:           s.repl.partialSyncs,
		LinkDrops:              s.repl.linkDrops,
		UnexpectedErrorReplies: s.repl.unexpectedErrorReplies,
		ProtocolErrors:         s.repl.errors,
		ErrorLines:             append([]string(nil), s.repl.errorLines...),
	}
}

// ReplID is master_replid: the history the node's offset counts in.
func (s *Server) ReplID() string { return s.replid }

// MasterHost is the host a replica follows (master_host); "" on a master.
func (s *Server) MasterHost() string { return s.masterHost }

// ReplicaAck is one replica as its master sees it (INFO's slaveN line).
type ReplicaAck struct {
	// Host is the replica's address without the port (ip=).
	Host string
	// State is wait_bgsave (before and during the snapshot) or online.
	State string
	// Offset is the offset the replica last acknowledged (REPLCONF ACK).
	Offset int64
}

// ReplicaAcks lists the replicas connected to the node, in the order they
// connected.
func (s *Server) ReplicaAcks() []ReplicaAck {
	var out []ReplicaAck
	for _, r := range s.replicas {
		if r.closed {
			continue
		}
		out = append(out, ReplicaAck{Host: r.replIP(), State: replStateName(r.replState), Offset: r.replAck})
	}
	return out
}

func replStateName(st int) string {
	switch st {
	case replWaitBgsave:
		return "wait_bgsave"
	case replSendBulk:
		// The node's full syncs are diskless: the snapshot goes to the
		// sockets while the child runs, SLAVE_STATE_WAIT_BGSAVE_END, which
		// INFO shows as wait_bgsave (send_bulk is a disk snapshot's).
		return "wait_bgsave"
	case replOnline:
		return "online"
	}
	return ""
}
