package deploy

import (
	"fmt"
	"net"
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
	if b.procs[host] == nil {
		return nil, fmt.Errorf("nemesis %s: no Redis node on host %q", op, host)
	}
	s := b.Server(host)
	if s == nil {
		b.w.Note(sim.LevelFault, "operator: "+op+" "+host+" failed: the node is down")
	}
	return s, nil
}

// Promote makes the node on host a master: REPLICAOF NO ONE.
func (b *Deployed) Promote(host string) error {
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
		b.w.Note(sim.LevelFault, "operator: failover found no running candidate")
		return nil
	}
	b.w.Note(sim.LevelFault, "operator: failover to "+best+" (offsets "+strings.Join(offsets, " ")+")")
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
