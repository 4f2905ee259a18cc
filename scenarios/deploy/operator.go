package deploy

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// Deployed is the run's operator: the nemesis's operator actions act
// through these methods (nemesis.Operator).

// Publish moves the clients that follow name to addr.
func (b *Deployed) Publish(name, addr string) error {
	if _, ok := b.published[name]; !ok {
		return fmt.Errorf("nemesis publish: no client follows %q", name)
	}
	b.published[name] = addr
	return nil
}

// operated returns the running node on host for an operator action; nil
// (and a note in the trace) when the node is down, since an operator's
// command to a dead node fails without stopping the run.
func (b *Deployed) operated(op, host string) (*redis.Server, error) {
	if b.pf != nil {
		return nil, fmt.Errorf("deploy: operated on a platform")
	}
	if b.procs[host] == nil {
		return nil, fmt.Errorf("nemesis %s: no Redis node on host %q", op, host)
	}
	s := b.Server(host)
	if s == nil {
		b.note("operator: " + op + " " + host + " failed: the node is down")
	}
	return s, nil
}

// Promote makes the node on host a master: REPLICAOF NO ONE.
func (b *Deployed) Promote(host string) error {
	if b.pf != nil {
		return b.platformDo("promote", host, func() error { return b.pf.Promote(host) })
	}
	s, err := b.operated("promote", host)
	if s != nil {
		s.PromoteToMaster()
	}
	return err
}

// ReplicaOf makes the node on host follow master (host:port).
func (b *Deployed) ReplicaOf(host, master string) error {
	mh, mp, err := net.SplitHostPort(master)
	port, perr := strconv.Atoi(mp)
	if err != nil || perr != nil {
		return fmt.Errorf("nemesis replicaof: master %q is not host:port", master)
	}
	if b.pf != nil {
		return b.platformDo("replicaof", host, func() error { return b.pf.ReplicaOf(host, mh, port) })
	}
	s, err := b.operated("replicaof", host)
	if s != nil {
		s.ReplicaOf(mh, port)
	}
	return err
}

// KillLink closes the link of the node on host to its master, as CLIENT
// KILL TYPE master run on it would; on a master, or a replica whose link is
// not streaming, it kills nothing, as that command kills nothing there.
func (b *Deployed) KillLink(host string) error {
	if b.pf != nil {
		return b.platformDo("kill-link", host, func() error {
			killed, err := b.pf.KillLink(host)
			if err == nil && !killed {
				b.note("kill-link " + host + ": no master link to kill")
			}
			return err
		})
	}
	s, err := b.operated("kill-link", host)
	if s != nil && !s.KillMasterLink() {
		b.w.Note(sim.LevelFault, "kill-link "+host+": no master link to kill")
	}
	return err
}

// Failover is an operator's failover to the most up-to-date replica: of
// candidates, the running node with the largest replication offset (the
// first listed wins a tie) is promoted, the other running candidates and
// the running nodes of others follow it, and clients that follow name go
// to it. The choice is noted in
// the trace. With no candidate running, nothing happens (noted).
func (b *Deployed) Failover(candidates, others []string, name string) error {
	if b.pf != nil {
		return b.platformFailover(candidates, others, name)
	}
	best, bestOff := "", int64(-1)
	var offsets []string
	for _, h := range candidates {
		s, err := b.operated("failover", h)
		if err != nil {
			return err
		}
		if s == nil {
			continue
		}
		off := s.ReplOffset()
		offsets = append(offsets, h+"="+strconv.FormatInt(off, 10))
		if off > bestOff {
			best, bestOff = h, off
		}
	}
	if best == "" {
		b.note("operator: failover found no running candidate")
		return nil
	}
	b.note("operator: failover to " + best + " (offsets " + strings.Join(offsets, " ") + ")")
	b.Server(best).PromoteToMaster()
	addr := best + ":6379"
	for _, h := range append(append([]string(nil), candidates...), others...) {
		if s := b.Server(h); h != best && s != nil {
			s.ReplicaOf(best, 6379)
		}
	}
	if _, ok := b.published[name]; ok {
		b.published[name] = addr
	}
	return nil
}

// platformDo runs an operator command on a platform's node: a host that is
// not a node of the deployment is an error of the schedule, a node that
// does not answer (down, paused, cut off) only a note, as an operator's
// command to a dead node fails without stopping the run.
func (b *Deployed) platformDo(op, host string, do func() error) error {
	if !slices.Contains(b.nodes, host) {
		return fmt.Errorf("nemesis %s: no Redis node on host %q", op, host)
	}
	if err := do(); err != nil {
		b.note("operator: " + op + " " + host + " failed: " + err.Error())
	}
	return nil
}

// platformFailover is Failover with the offsets read by INFO replication.
func (b *Deployed) platformFailover(candidates, others []string, name string) error {
	best, bestOff := "", int64(-1)
	var offsets []string
	for _, h := range candidates {
		if !slices.Contains(b.nodes, h) {
			return fmt.Errorf("nemesis failover: no Redis node on host %q", h)
		}
		st, err := b.pf.State(h, false)
		if err != nil {
			continue
		}
		offsets = append(offsets, h+"="+strconv.FormatInt(st.Offset, 10))
		if st.Offset > bestOff {
			best, bestOff = h, st.Offset
		}
	}
	if best == "" {
		b.note("operator: failover found no running candidate")
		return nil
	}
	b.note("operator: failover to " + best + " (offsets " + strings.Join(offsets, " ") + ")")
	_ = b.platformDo("promote", best, func() error { return b.pf.Promote(best) })
	for _, h := range append(append([]string(nil), candidates...), others...) {
		if h != best {
			_ = b.platformDo("replicaof", h, func() error { return b.pf.ReplicaOf(h, best, 6379) })
		}
	}
	if _, ok := b.published[name]; ok {
		b.published[name] = best + ":6379"
	}
	return nil
}
