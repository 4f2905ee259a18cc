package sentinel

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// SENTINEL SIMULATE-FAILURE flags.
const (
	simCrashAfterElection  = 1 << 0
	simCrashAfterPromotion = 1 << 1
)

// simFailureCrash is sentinelSimFailureCrash: exit(99).
func (s *Sentinel) simFailureCrash() {
	s.env.Logf("Sentinel CRASH because of SENTINEL simulate-failure")
	s.stopped = true
	// Redis exits after sentinelFlushConfig has written and fsynced the
	// file; here a flush still queued must become durable first.
	if s.holding() {
		s.exitWhenFlushed = true
		return
	}
	s.env.Exit()
}

// sendSlaveOf is sentinelSendSlaveOf: MULTI, SLAVEOF, CONFIG REWRITE,
// CLIENT KILL TYPE normal and pubsub, EXEC, replies discarded. A nil addr
// sends SLAVEOF NO ONE.
func (s *Sentinel) sendSlaveOf(ri *instance, a *addr) bool {
	host, port := "NO", "ONE"
	if a != nil {
		host, port = a.host, strconv.Itoa(a.port)
	}
	cc := ri.link.cc
	if !s.command(ri, cc, cbDiscard, ri.mapCommand("MULTI")) {
		return false
	}
	s.command(ri, cc, cbDiscard, ri.mapCommand("SLAVEOF"), host, port)
	s.command(ri, cc, cbDiscard, ri.mapCommand("CONFIG"), "REWRITE")
	s.command(ri, cc, cbDiscard, ri.mapCommand("CLIENT"), "KILL", "TYPE", "normal")
	s.command(ri, cc, cbDiscard, ri.mapCommand("CLIENT"), "KILL", "TYPE", "pubsub")
	s.command(ri, cc, cbDiscard, ri.mapCommand("EXEC"))
	return true
}

// startFailover is sentinelStartFailover.
func (s *Sentinel) startFailover(m *instance) {
	m.failoverState = foWaitStart
	m.flags |= sriFailoverInProg
	s.currentEpoch++
	m.failoverEpoch = s.currentEpoch
	s.event(llWarning, "+new-epoch", m, "%d", s.currentEpoch)
	s.event(llWarning, "+try-failover", m, "%@")
	m.failoverStartTime = s.mstime() + s.randMod(maxDesync)
	m.failoverStateChange = s.mstime()
}

// startFailoverIfNeeded is sentinelStartFailoverIfNeeded.
func (s *Sentinel) startFailoverIfNeeded(m *instance) bool {
	if m.flags&sriODown == 0 || m.flags&sriFailoverInProg != 0 {
		return false
	}
	if s.mstime()-m.failoverStartTime < m.failoverTimeout*2 {
		if m.failoverDelayLogged != m.failoverStartTime {
			at := time.Unix((m.failoverStartTime+m.failoverTimeout*2)/1000, 0).UTC()
			m.failoverDelayLogged = m.failoverStartTime
			s.env.Logf("Next failover delay: I will not start a failover before %s", at.Format("Mon Jan _2 15:04:05 2006"))
		}
		return false
	}
	s.startFailover(m)
	return true
}

// selectSlave is sentinelSelectSlave with compareSlavesForPromotion.
func (s *Sentinel) selectSlave(m *instance) *instance {
	var maxDown int64
	if m.flags&sriSDown != 0 {
		maxDown += s.mstime() - m.sDownSince
	}
	maxDown += m.downAfter * 10
	var cands []*instance
	for _, sl := range m.slaves {
		if sl.flags&(sriSDown|sriODown) != 0 || sl.link.disconnected {
			continue
		}
		if s.mstime()-sl.link.lastAvail > s.pingPeriod*5 || sl.slavePriority == 0 {
			continue
		}
		validity := s.infoPeriod * 3
		if m.flags&sriSDown != 0 {
			validity = s.pingPeriod * 5
		}
		if s.mstime()-sl.infoRefresh > validity || sl.masterLinkDownTime > maxDown {
			continue
		}
		cands = append(cands, sl)
	}
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool { return compareSlaves(cands[i], cands[j]) < 0 })
	return cands[0]
}

func compareSlaves(a, b *instance) int {
	if a.slavePriority != b.slavePriority {
		return a.slavePriority - b.slavePriority
	}
	if a.slaveReplOffset > b.slaveReplOffset {
		return -1
	} else if a.slaveReplOffset < b.slaveReplOffset {
		return 1
	}
	switch {
	case a.runid == "" && b.runid == "":
		return 0
	case a.runid == "":
		return 1
	case b.runid == "":
		return -1
	}
	return strings.Compare(strings.ToLower(a.runid), strings.ToLower(b.runid))
}

// failoverStateMachine is sentinelFailoverStateMachine.
func (s *Sentinel) failoverStateMachine(m *instance) {
	if m.flags&sriFailoverInProg == 0 {
		return
	}
	switch m.failoverState {
	case foWaitStart:
		s.failoverWaitStart(m)
	case foSelectSlave:
		s.failoverSelectSlave(m)
	case foSendSlaveofNoOne:
		s.failoverSendSlaveOfNoOne(m)
	case foWaitPromotion:
		if s.mstime()-m.failoverStateChange > m.failoverTimeout {
			s.event(llWarning, "-failover-abort-slave-timeout", m, "%@")
			s.abortFailover(m)
		}
	case foReconfSlaves:
		s.failoverReconfNextSlave(m)
	}
}

func (s *Sentinel) failoverWaitStart(m *instance) {
	leader, ok := s.getLeader(m, m.failoverEpoch)
	isLeader := ok && equalFold(leader, s.myid)
	if !isLeader && m.flags&sriForceFailover == 0 {
		timeout := s.electionTimeout
		if timeout > m.failoverTimeout {
			timeout = m.failoverTimeout
		}
		if s.mstime()-m.failoverStartTime > timeout {
			s.event(llWarning, "-failover-abort-not-elected", m, "%@")
			s.abortFailover(m)
		}
		return
	}
	s.event(llWarning, "+elected-leader", m, "%@")
	if s.simFailure&simCrashAfterElection != 0 {
		s.simFailureCrash()
		return
	}
	m.failoverState = foSelectSlave
	m.failoverStateChange = s.mstime()
	s.event(llWarning, "+failover-state-select-slave", m, "%@")
}

func (s *Sentinel) failoverSelectSlave(m *instance) {
	sl := s.selectSlave(m)
	if sl == nil {
		s.event(llWarning, "-failover-abort-no-good-slave", m, "%@")
		s.abortFailover(m)
		return
	}
	s.event(llWarning, "+selected-slave", sl, "%@")
	sl.flags |= sriPromoted
	m.promoted = sl
	m.failoverState = foSendSlaveofNoOne
	m.failoverStateChange = s.mstime()
	s.event(llNotice, "+failover-state-send-slaveof-noone", sl, "%@")
}

func (s *Sentinel) failoverSendSlaveOfNoOne(m *instance) {
	if m.promoted.link.disconnected {
		if s.mstime()-m.failoverStateChange > m.failoverTimeout {
			s.event(llWarning, "-failover-abort-slave-timeout", m, "%@")
			s.abortFailover(m)
		}
		return
	}
	if !s.sendSlaveOf(m.promoted, nil) {
		return
	}
	s.event(llNotice, "+failover-state-wait-promotion", m.promoted, "%@")
	m.failoverState = foWaitPromotion
	m.failoverStateChange = s.mstime()
}

// failoverDetectEnd is sentinelFailoverDetectEnd.
func (s *Sentinel) failoverDetectEnd(m *instance) {
	elapsed := s.mstime() - m.failoverStateChange
	if m.promoted == nil || m.promoted.flags&sriSDown != 0 {
		return
	}
	notReconfigured, timeout := 0, false
	for _, sl := range m.slaves {
		if sl.flags&(sriPromoted|sriReconfDone) != 0 || sl.flags&sriSDown != 0 {
			continue
		}
		notReconfigured++
	}
	if elapsed > m.failoverTimeout {
		notReconfigured = 0
		timeout = true
		s.event(llWarning, "+failover-end-for-timeout", m, "%@")
	}
	if notReconfigured == 0 {
		s.event(llWarning, "+failover-end", m, "%@")
		m.failoverState = foUpdateConfig
		m.failoverStateChange = s.mstime()
	}
	if timeout {
		for _, sl := range m.slaves {
			if sl.flags&(sriPromoted|sriReconfDone|sriReconfSent) != 0 || sl.link.disconnected {
				continue
			}
			if s.sendSlaveOf(sl, &m.promoted.addr) {
				s.event(llNotice, "+slave-reconf-sent-be", sl, "%@")
				sl.flags |= sriReconfSent
			}
		}
	}
}

// failoverReconfNextSlave is sentinelFailoverReconfNextSlave.
func (s *Sentinel) failoverReconfNextSlave(m *instance) {
	inProgress := 0
	for _, sl := range m.slaves {
		if sl.flags&(sriReconfSent|sriReconfInprog) != 0 {
			inProgress++
		}
	}
	for _, sl := range m.slaves {
		if inProgress >= m.parallelSyncs {
			break
		}
		if sl.flags&(sriPromoted|sriReconfDone) != 0 {
			continue
		}
		if sl.flags&sriReconfSent != 0 && s.mstime()-sl.slaveReconfSentTime > s.slaveReconfTimeout {
			s.event(llNotice, "-slave-reconf-sent-timeout", sl, "%@")
			sl.flags &^= sriReconfSent
			sl.flags |= sriReconfDone
		}
		if sl.flags&(sriReconfSent|sriReconfInprog) != 0 || sl.link.disconnected {
			continue
		}
		if s.sendSlaveOf(sl, &m.promoted.addr) {
			sl.flags |= sriReconfSent
			sl.slaveReconfSentTime = s.mstime()
			s.event(llNotice, "+slave-reconf-sent", sl, "%@")
			inProgress++
		}
	}
	s.failoverDetectEnd(m)
}

// switchToPromoted is sentinelFailoverSwitchToPromotedSlave.
func (s *Sentinel) switchToPromoted(m *instance) {
	ref := m
	if m.promoted != nil {
		ref = m.promoted
	}
	s.event(llWarning, "+switch-master", m, "%s %s %d %s %d", m.name, m.addr.host, m.addr.port, ref.addr.host, ref.addr.port)
	s.resetMasterAndChangeAddress(m, ref.addr.host, ref.addr.port)
}

// abortFailover is sentinelAbortFailover.
func (s *Sentinel) abortFailover(m *instance) {
	m.flags &^= sriFailoverInProg | sriForceFailover
	m.failoverState = foNone
	m.failoverStateChange = s.mstime()
	if m.promoted != nil {
		m.promoted.flags &^= sriPromoted
		m.promoted = nil
	}
}
