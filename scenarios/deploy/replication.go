package deploy

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/redis"
)

// ReplicationOptions say when the replication check reads the nodes.
type ReplicationOptions struct {
	// Quiet is when the faults stop (the final heal). From then on a
	// replica may start at most MaxFullSyncs full resyncs.
	Quiet time.Duration
	// Drain is the barrier: the check reads every node's offset at Drain,
	// and by the end of the run every replica must have processed and
	// acknowledged all that its master had produced by then, over a link
	// that stayed up from Drain to the end with no resync. The time from
	// Drain to the end must span a replica's ACK period (1s) and its
	// master's repl-ping-replica-period, and Drain must come late enough
	// for the resyncs after Quiet to have finished.
	Drain time.Duration
	// MaxFullSyncs is how many full resyncs one replica may start after
	// Quiet; 0 means 2: one that a restarted master or replica, or an
	// overflowed backlog, needs, and one that a replica paused in the
	// middle of a full resync finishes when it resumes, before it learns
	// that its master gave up on it.
	MaxFullSyncs int
}

// ReplicationWatch is the replication check of one run: WatchReplication
// arranges its reads, Result judges at the end of the run.
type ReplicationWatch struct {
	b     *Deployed
	o     ReplicationOptions
	quiet map[string]mark
	drain map[string]mark
}

// mark is what the check read of one node at one time: how many
// incarnations had run, the last one's counters, and its replication
// position.
type mark struct {
	lives  int
	stats  redis.ReplStats
	up     bool
	role   string
	master string
	replid string
	offset int64
	linkUp bool
}

// nodeEnd is what the check knows of one node at the end of the run.
type nodeEnd struct {
	mark
	// acks are its replicas as it sees them.
	acks []redis.ReplicaAck
	// fullAfterQuiet is how many full resyncs it started as a replica
	// after Quiet, over all its incarnations.
	fullAfterQuiet int64
	// errors are the replication protocol errors of all its
	// incarnations, as logged.
	errors []string
}

// WatchReplication arranges the reads at o.Quiet and o.Drain. The reads
// are world events that change nothing, so the run is the same with or
// without them.
func (b *Deployed) WatchReplication(o ReplicationOptions) *ReplicationWatch {
	if o.MaxFullSyncs <= 0 {
		o.MaxFullSyncs = 2
	}
	rw := &ReplicationWatch{b: b, o: o}
	if b.pf != nil {
		// It reads the nodes' own counters and logs, which a real
		// redis-server does not all expose: not judged (Result says so).
		return rw
	}
	b.w.At(clock.Time(o.Quiet), func() { rw.quiet = b.marks() })
	b.w.At(clock.Time(o.Drain), func() { rw.drain = b.marks() })
	return rw
}

func (b *Deployed) marks() map[string]mark {
	out := map[string]mark{}
	for _, host := range b.nodes {
		out[host] = b.mark(host)
	}
	return out
}

func (b *Deployed) mark(host string) mark {
	m := mark{lives: len(b.lives[host])}
	if m.lives > 0 {
		m.stats = b.lives[host][m.lives-1].ReplStats()
	}
	if s := b.Server(host); s != nil {
		m.up, m.role, m.master, m.replid, m.offset, m.linkUp = true, s.Role(), s.MasterHost(), s.ReplID(), s.ReplOffset(), s.MasterLinkUp()
	}
	return m
}

// ReplTotals sums the replication counters of every incarnation of every
// node (the error lines excepted).
func (b *Deployed) ReplTotals() redis.ReplStats {
	var t redis.ReplStats
	for _, host := range b.nodes {
		for _, s := range b.lives[host] {
			st := s.ReplStats()
			t.SyncFull += st.SyncFull
			t.SyncPartialOK += st.SyncPartialOK
			t.SyncPartialErr += st.SyncPartialErr
			t.SyncPartialWithData += st.SyncPartialWithData
			t.SyncPartialNoBacklog += st.SyncPartialNoBacklog
			t.FullSyncs += st.FullSyncs
			t.PartialSyncs += st.PartialSyncs
			t.LinkDrops += st.LinkDrops
			t.UnexpectedErrorReplies += st.UnexpectedErrorReplies
			t.ProtocolErrors += st.ProtocolErrors
		}
	}
	return t
}

// Result judges replication, a safety check:
//
//   - no node, in any incarnation, saw a replication protocol error (a
//     stream that does not parse, "Desync?", an error its master's stream
//     made a replica return), at any time of the run;
//   - no replica started more than MaxFullSyncs full resyncs after Quiet
//     (a resync loop);
//   - at the end every node is up, and every replica streams from a node
//     of the deployment that is up, over a link that was already streaming
//     at Drain and has not dropped or resynced since;
//   - a replica's replication ID is its master's, and its offset is at
//     least the offset its master had at Drain and at most the master's
//     now: it processed all that was produced before the barrier and
//     nothing its master did not produce; the master sees it online, and
//     its last ACK is in the same range and not beyond what the replica
//     processed.
//
// Both sides count the same bytes of the same stream, so a replica that
// miscounts a command, a partial resync served from the wrong place in the
// backlog, or a write that the master counted but did not send all leave
// the replica's offset off its master's, whatever the data. (The master's
// stream goes on, with PINGs, after Drain; hence the range rather than
// equality.)
func (rw *ReplicationWatch) Result() checker.Result {
	b := rw.b
	if b.pf != nil {
		return checker.Result{Checker: "replication", Kind: checker.KindSafety, Verdict: checker.Unknown,
			Summary: "not judged on a live run: the check reads counters and logs of the simulated nodes"}
	}
	if rw.quiet == nil || rw.drain == nil {
		return checker.Result{Checker: "replication", Kind: checker.KindSafety, Verdict: checker.Unknown,
			Summary: fmt.Sprintf("the run ended at %v, before the check's reads at %v and %v", b.w.Now(), rw.o.Quiet, rw.o.Drain)}
	}
	end := map[string]nodeEnd{}
	for _, host := range b.nodes {
		e := nodeEnd{mark: b.mark(host)}
		if s := b.Server(host); s != nil {
			e.acks = s.ReplicaAcks()
		}
		q := rw.quiet[host]
		for i, s := range b.lives[host] {
			st := s.ReplStats()
			switch {
			case i == q.lives-1:
				e.fullAfterQuiet += st.FullSyncs - q.stats.FullSyncs
			case i >= q.lives:
				e.fullAfterQuiet += st.FullSyncs
			}
			for _, line := range st.ErrorLines {
				e.errors = append(e.errors, fmt.Sprintf("incarnation %d: %s", i+1, line))
			}
		}
		end[host] = e
	}
	return judgeReplication(rw.o, b.w.Now(), b.nodes, rw.drain, end, b.ReplTotals())
}

// judgeReplication is Result's judgement over what was read: nodes in the
// deployment's order, their marks at Drain and what they were at the end.
func judgeReplication(o ReplicationOptions, at clock.Time, nodes []string, drain map[string]mark, end map[string]nodeEnd, t redis.ReplStats) checker.Result {
	res := checker.Result{Checker: "replication", Kind: checker.KindSafety}
	res.Evidence.From, res.Evidence.To = clock.Time(o.Quiet), at
	var bad []string
	for _, host := range nodes {
		for _, line := range end[host].errors {
			bad = append(bad, host+": replication protocol error, "+line)
		}
	}
	replicas, maxFull := 0, int64(0)
	for _, host := range nodes {
		e := end[host]
		if !e.up {
			bad = append(bad, host+" is down at the end")
			continue
		}
		if e.role != "slave" {
			continue
		}
		replicas++
		maxFull = max(maxFull, e.fullAfterQuiet)
		if e.fullAfterQuiet > int64(o.MaxFullSyncs) {
			bad = append(bad, fmt.Sprintf("%s: resync loop: %d full resyncs started after the faults stopped at %v (at most %d expected)", host, e.fullAfterQuiet, o.Quiet, o.MaxFullSyncs))
		}
		bad = append(bad, judgeReplica(o, host, drain, end)...)
	}
	res.Metrics = []checker.Metric{
		{Name: "replicas", Value: float64(replicas)},
		{Name: "sync_full", Value: float64(t.SyncFull)},
		{Name: "sync_partial_ok", Value: float64(t.SyncPartialOK)},
		{Name: "sync_partial_err", Value: float64(t.SyncPartialErr)},
		{Name: "sync_partial_with_data", Value: float64(t.SyncPartialWithData)},
		{Name: "sync_partial_no_backlog", Value: float64(t.SyncPartialNoBacklog)},
		{Name: "protocol_errors", Value: float64(t.ProtocolErrors)},
		{Name: "max_full_syncs_after_quiet", Value: float64(maxFull)},
	}
	switch {
	case len(bad) > 0:
		res.Verdict = checker.Violation
		res.Summary = fmt.Sprintf("%d replication problems: %s", len(bad), bad[0])
		res.Evidence.Notes = bad
	case replicas == 0:
		res.Verdict = checker.Unknown
		res.Summary = "no replica at the end: nothing to judge"
	default:
		res.Verdict = checker.Ok
		res.Summary = fmt.Sprintf("%d replicas: each processed and acknowledged its master's stream up to the drain barrier at %v, no resync after it, no protocol error", replicas, o.Drain)
	}
	return res
}

// judgeReplica checks one replica's link and offsets at the end.
func judgeReplica(o ReplicationOptions, host string, drain map[string]mark, end map[string]nodeEnd) []string {
	r := end[host]
	mh := r.master
	if !r.linkUp {
		return []string{fmt.Sprintf("%s never caught up: its link to %s is down at the end (offset %d)", host, mh, r.offset)}
	}
	m, ok := end[mh]
	switch {
	case !ok:
		return []string{fmt.Sprintf("%s follows %s, which is no node of the deployment", host, mh)}
	case !m.up:
		return []string{fmt.Sprintf("%s streams from %s, which is down at the end", host, mh)}
	}
	var bad []string
	d, dm := drain[host], drain[mh]
	switch {
	case d.lives != r.lives || dm.lives != m.lives:
		bad = append(bad, fmt.Sprintf("%s or its master %s restarted after the drain barrier at %v", host, mh, o.Drain))
	case !d.up || d.role != "slave" || d.master != mh || !d.linkUp:
		bad = append(bad, fmt.Sprintf("%s was not streaming from %s at the drain barrier at %v (link up %v, following %q): it had not settled %v after the faults stopped",
			host, mh, o.Drain, d.linkUp, d.master, o.Drain-o.Quiet))
	case r.stats.FullSyncs != d.stats.FullSyncs || r.stats.PartialSyncs != d.stats.PartialSyncs || r.stats.LinkDrops != d.stats.LinkDrops:
		bad = append(bad, fmt.Sprintf("%s's link to %s dropped or resynced after the drain barrier at %v (%d drops, %d full and %d partial resyncs since)", host, mh, o.Drain,
			r.stats.LinkDrops-d.stats.LinkDrops, r.stats.FullSyncs-d.stats.FullSyncs, r.stats.PartialSyncs-d.stats.PartialSyncs))
	}
	if r.replid != m.replid {
		return append(bad, fmt.Sprintf("%s is at %s:%d, but its master %s is at %s:%d: their histories differ", host, r.replid, r.offset, mh, m.replid, m.offset))
	}
	target := int64(-1) // nothing to hold the replica to when the master's history changed since Drain
	if dm.up && dm.replid == m.replid {
		target = dm.offset
	}
	switch {
	case r.offset > m.offset:
		bad = append(bad, fmt.Sprintf("%s processed offset %d, past its master %s's %d", host, r.offset, mh, m.offset))
	case r.offset < target:
		bad = append(bad, fmt.Sprintf("%s processed offset %d by the end, but its master %s was at %d at the drain barrier at %v (and is at %d)", host, r.offset, mh, target, o.Drain, m.offset))
	}
	var ack *redis.ReplicaAck
	for i := range m.acks {
		if m.acks[i].Host == host {
			ack = &m.acks[i] // the latest connection
		}
	}
	switch {
	case ack == nil:
		bad = append(bad, fmt.Sprintf("%s streams from %s, which has no replica %s", host, mh, host))
	case ack.State != "online":
		bad = append(bad, fmt.Sprintf("%s sees replica %s in state %s at the end", mh, host, ack.State))
	case ack.Offset > r.offset:
		bad = append(bad, fmt.Sprintf("%s's last ACK to %s says offset %d, past the %d it processed", host, mh, ack.Offset, r.offset))
	case ack.Offset < target:
		bad = append(bad, fmt.Sprintf("%s's last ACK from %s says offset %d, short of the %d it had at the drain barrier at %v", mh, host, ack.Offset, target, o.Drain))
	}
	return bad
}
