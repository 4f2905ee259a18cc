package redis

import (
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/rnum"
	"github.com/redsim/redsim/sim"
)

// FAILOVER (src/replication.c, 7.0): a coordinated handover from a master
// to one of its replicas. The master pauses writes, waits until a replica
// (the one named, or any) has acknowledged its whole replication offset,
// then becomes a replica of it and sends PSYNC ... FAILOVER, on which the
// replica becomes a master and continues the history partially. A timeout
// aborts, or with FORCE fails over to the named replica anyway.

// failoverState is server.failover_state.
type failoverState uint8

const (
	noFailover failoverState = iota
	failoverWaitForSync
	failoverInProgress
)

func (f failoverState) String() string {
	switch f {
	case failoverWaitForSync:
		return "waiting-for-sync"
	case failoverInProgress:
		return "failover-in-progress"
	}
	return "no-failover"
}

// failover is the state of a FAILOVER command.
type failover struct {
	state failoverState
	// endMs is failover_end_time, wall-clock ms; 0 without TIMEOUT.
	endMs int64
	force bool
	// targetHost and targetPort are the replica failed over to, once
	// known ("" for any replica, until one catches up).
	targetHost string
	targetPort int
	// paused is PAUSE_DURING_FAILOVER: writes are held, as CLIENT PAUSE
	// WRITE holds them, until the failover ends.
	paused bool
	// tick is the 100 ms check replicationCron gets during a failover.
	tick sim.Timer
}

var failoverCommands = []cmdSpec{
	{"failover", -1, fadm | flagStale, failoverCommand, noKeys},
}

// failoverCommand is FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms].
func failoverCommand(c *client, args [][]byte) {
	s := c.s
	if s.clusterEnabled() {
		c.w.WriteError("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.")
		return
	}
	if len(args) == 2 && cEqualFold(args[1], "abort") {
		if s.fo.state == noFailover {
			c.w.WriteError("ERR No failover in progress.")
			return
		}
		s.abortFailover("Failover manually aborted")
		c.w.WriteOK()
		return
	}
	var timeout int64
	var host string
	var port int64
	hasHost, force := false, false
	for j := 1; j < len(args); j++ {
		switch {
		case cEqualFold(args[j], "timeout") && j+1 < len(args) && timeout == 0:
			v, ok := rnum.ParseInt(args[j+1])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if v <= 0 {
				c.w.WriteError("ERR FAILOVER timeout must be greater than 0")
				return
			}
			timeout = v
			j++
		case cEqualFold(args[j], "to") && j+2 < len(args) && !hasHost:
			v, ok := rnum.ParseInt(args[j+2])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			host, port, hasHost = string(args[j+1]), v, true
			j += 2
		case cEqualFold(args[j], "force") && !force:
			force = true
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	switch {
	case s.fo.state != noFailover:
		c.w.WriteError("ERR FAILOVER already in progress.")
		return
	case s.isReplica():
		c.w.WriteError("ERR FAILOVER is not valid when server is a replica.")
		return
	case len(s.replicas) == 0:
		c.w.WriteError("ERR FAILOVER requires connected replicas.")
		return
	case force && (timeout == 0 || !hasHost):
		c.w.WriteError("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
		return
	}
	if hasHost {
		r := s.findReplica(host, int(port))
		if r == nil {
			c.w.WriteError("ERR FAILOVER target HOST and PORT is not a replica.")
			return
		}
		if r.replState != replOnline {
			c.w.WriteError("ERR FAILOVER target replica is not online.")
			return
		}
		s.fo.targetHost, s.fo.targetPort = host, int(port)
		s.env.Logf("FAILOVER requested to %s:%d.", host, port)
	} else {
		s.env.Logf("FAILOVER requested to any replica.")
	}
	if timeout > 0 {
		s.fo.endMs = s.nowMs() + timeout
	}
	s.fo.force = force
	s.fo.state = failoverWaitForSync
	s.fo.paused = true // pauseClients(PAUSE_DURING_FAILOVER, forever, WRITE)
	s.scheduleFailoverTick()
	c.w.WriteOK()
}

// findReplica is findReplica: the replica whose address and listening
// port are these.
func (s *Server) findReplica(host string, port int) *client {
	for _, r := range s.replicas {
		if strings.EqualFold(host, r.replIP()) && port == r.replPort {
			return r
		}
	}
	return nil
}

// scheduleFailoverTick runs updateFailoverStatus every 100 ms while a
// failover lasts, as serverCron runs replicationCron then.
func (s *Server) scheduleFailoverTick() {
	if !s.fo.tick.IsZero() {
		return
	}
	s.fo.tick = s.env.After(100*time.Millisecond, func() {
		s.fo.tick = sim.Timer{}
		if s.fo.state == noFailover {
			return
		}
		s.updateFailoverStatus()
		if s.fo.state != noFailover {
			s.scheduleFailoverTick()
		}
		s.afterEvent()
	})
}

// updateFailoverStatus is updateFailoverStatus: time out (or force), or
// start the handover once the target (or any replica) has acknowledged
// the whole offset.
func (s *Server) updateFailoverStatus() {
	if s.fo.state != failoverWaitForSync {
		return
	}
	if s.fo.endMs != 0 && s.fo.endMs <= s.nowMs() {
		if s.fo.force {
			s.env.Logf("FAILOVER to %s:%d time out exceeded, failing over.", s.fo.targetHost, s.fo.targetPort)
			s.fo.state = failoverInProgress
			s.setMaster(s.fo.targetHost, s.fo.targetPort)
			return
		}
		s.abortFailover("Replica never caught up before timeout")
		return
	}
	var r *client
	if s.fo.targetHost != "" {
		r = s.findReplica(s.fo.targetHost, s.fo.targetPort)
	} else {
		for _, x := range s.replicas {
			if x.replAck == s.offset {
				r = x
				s.fo.targetHost, s.fo.targetPort = x.replIP(), x.replPort
				break
			}
		}
	}
	if r != nil && r.replAck == s.offset {
		s.fo.state = failoverInProgress
		s.env.Logf("Failover target %s:%d is synced, failing over.", s.fo.targetHost, s.fo.targetPort)
		s.setMaster(s.fo.targetHost, s.fo.targetPort)
	}
}

// abortFailover is abortFailover: a failover already handed over becomes a
// master again.
func (s *Server) abortFailover(reason string) {
	if s.fo.state == noFailover {
		return
	}
	if s.fo.targetHost != "" {
		s.env.Logf("FAILOVER to %s:%d aborted: %s", s.fo.targetHost, s.fo.targetPort, reason)
	} else {
		s.env.Logf("FAILOVER to any replica aborted: %s", reason)
	}
	if s.fo.state == failoverInProgress {
		s.unsetMaster()
	}
	s.clearFailoverState()
}

// clearFailoverState is clearFailoverState: the failover is over, and
// writes go on.
func (s *Server) clearFailoverState() {
	if !s.fo.tick.IsZero() {
		s.env.Cancel(s.fo.tick)
	}
	s.fo = failover{}
	// unpauseClients(PAUSE_DURING_FAILOVER): the clients it held run.
	s.unblocked = append(s.unblocked, s.postponed...)
	s.postponed = nil
}

// psyncFailover is syncCommand's handling of PSYNC replid offset FAILOVER
// on a replica: it becomes a master when the replid is its own. It
// replies and reports false when the PSYNC must stop there.
func (c *client) psyncFailover(args [][]byte) bool {
	s := c.s
	s.env.Logf("Failover request received for replid %s.", args[1])
	if !s.isReplica() {
		c.w.WriteError("ERR PSYNC FAILOVER can't be sent to a master.")
		return false
	}
	if !strings.EqualFold(string(args[1]), s.replid) {
		c.w.WriteError("ERR PSYNC FAILOVER replid must match my replid.")
		return false
	}
	s.unsetMaster()
	s.env.Logf("MASTER MODE enabled (failover request from '%s')", strings.TrimSuffix(c.info(), "\n"))
	return true
}

// failoverPsyncArgs is what the link's PSYNC carries: FAILOVER while this
// master hands over.
func (s *Server) failoverPsyncArgs(args ...string) []string {
	if s.fo.state == failoverInProgress {
		return append(args, "FAILOVER")
	}
	return args
}

// failoverPsyncReplied is the end of a handover once the new master
// answered the PSYNC: a resync (partial or full) completes it, anything
// else aborts it.
func (s *Server) failoverPsyncReplied(ok bool) {
	if s.fo.state != failoverInProgress {
		return
	}
	if ok {
		s.clearFailoverState()
	} else {
		s.abortFailover("Failover target rejected psync request")
	}
}

// failoverInfo is INFO replication's master_failover_state.
func (s *Server) failoverInfo() string { return s.fo.state.String() }
