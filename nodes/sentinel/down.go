package sentinel

import (
	"strconv"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/resp"
)

// checkSubjectivelyDown is sentinelCheckSubjectivelyDown, with its two
// link-recycling rules.
func (s *Sentinel) checkSubjectivelyDown(ri *instance) {
	l := ri.link
	now := s.mstime()
	var elapsed int64
	if l.actPing != 0 {
		elapsed = now - l.actPing
	} else if l.disconnected {
		elapsed = now - l.lastAvail
	}
	if l.cc != nil && s.mstime()-l.ccConnTime > s.minLinkReconnect && l.actPing != 0 &&
		s.mstime()-l.actPing > ri.downAfter/2 && s.mstime()-l.lastPong > ri.downAfter/2 {
		s.closeCC(l)
	}
	if l.pc != nil && s.mstime()-l.pcConnTime > s.minLinkReconnect && s.mstime()-l.pcLastActivity > s.publishPeriod*3 {
		s.closePC(l)
	}
	if elapsed > ri.downAfter ||
		(ri.flags&sriMaster != 0 && ri.roleReported == sriSlave && s.mstime()-ri.roleReportedTime > ri.downAfter+s.infoPeriod*2) ||
		(ri.flags&sriMasterReboot != 0 && s.mstime()-ri.rebootSince > ri.rebootDownAfter) {
		if ri.flags&sriSDown == 0 {
			switch {
			case elapsed > ri.downAfter:
			case ri.flags&sriMaster != 0 && ri.roleReported == sriSlave:
				probeSDownRole.Reach(s.env)
			default:
				probeSDownReboot.Reach(s.env)
			}
			s.event(llWarning, "+sdown", ri, "%@")
			ri.sDownSince = s.mstime()
			ri.flags |= sriSDown
		}
	} else if ri.flags&sriSDown != 0 {
		s.event(llWarning, "-sdown", ri, "%@")
		ri.flags &^= sriSDown | sriScriptKillSent
	}
}

// checkObjectivelyDown is sentinelCheckObjectivelyDown.
func (s *Sentinel) checkObjectivelyDown(m *instance) {
	quorum, odown := 0, false
	if m.flags&sriSDown != 0 {
		quorum = 1
		for _, ri := range m.sentinels {
			if ri.flags&sriMasterDown != 0 {
				quorum++
			}
		}
		odown = quorum >= m.quorum
	}
	if odown {
		if m.flags&sriODown == 0 {
			s.event(llWarning, "+odown", m, "%@ #quorum %d/%d", quorum, m.quorum)
			m.flags |= sriODown
			m.oDownSince = s.mstime()
		}
	} else if m.flags&sriODown != 0 {
		s.event(llWarning, "-odown", m, "%@")
		m.flags &^= sriODown
	}
}

// isMasterDownReply is sentinelReceiveIsMasterDownReply.
func (s *Sentinel) isMasterDownReply(ri *instance, v resp.Value) {
	if v.Kind != resp.KindArray || len(v.Elems) != 3 || v.Elems[0].Kind != resp.KindInt ||
		v.Elems[1].Kind != resp.KindBulk || v.Elems[1].IsNull || v.Elems[2].Kind != resp.KindInt {
		return
	}
	ri.lastMasterDownReplyTime = s.mstime()
	if v.Elems[0].Int == 1 {
		ri.flags |= sriMasterDown
	} else {
		ri.flags &^= sriMasterDown
	}
	if leader := string(v.Elems[1].Str); leader != "*" {
		if int64(ri.leaderEpoch) != v.Elems[2].Int {
			s.env.Logf("%s voted for %s %d", ri.name, leader, uint64(v.Elems[2].Int))
		}
		ri.leader, ri.leaderSet = leader, true
		ri.leaderEpoch = uint64(v.Elems[2].Int)
	}
}

// askMasterState is sentinelAskMasterStateToOtherSentinels.
func (s *Sentinel) askMasterState(m *instance, forced bool) {
	for _, ri := range m.sentinels {
		elapsed := s.mstime() - ri.lastMasterDownReplyTime
		if elapsed > s.askPeriod*5 {
			ri.flags &^= sriMasterDown
			ri.leader, ri.leaderSet = "", false
		}
		if m.flags&sriSDown == 0 || ri.link.disconnected {
			continue
		}
		if !forced && s.mstime()-ri.lastMasterDownReplyTime < s.askPeriod {
			continue
		}
		runid := "*"
		if m.failoverState > foNone {
			runid = s.myid
		}
		s.command(ri, ri.link.cc, cbIsMasterDown, ri.mapCommand("SENTINEL"), "is-master-down-by-addr",
			m.addr.host, strconv.Itoa(m.addr.port), strconv.FormatUint(s.currentEpoch, 10), runid)
	}
}

// voteLeader is sentinelVoteLeader; it returns the vote ("" for none) and
// its epoch.
func (s *Sentinel) voteLeader(m *instance, reqEpoch uint64, reqRunID string) (leader string, ok bool, epoch uint64) {
	if reqEpoch > s.currentEpoch {
		s.currentEpoch = reqEpoch
		s.flushConfig(nil)
		s.event(llWarning, "+new-epoch", m, "%d", s.currentEpoch)
	}
	if m.leaderEpoch == reqEpoch && !equalFold(m.leader, reqRunID) {
		probeVoteRefused.Reach(s.env)
	}
	if m.leaderEpoch < reqEpoch && s.currentEpoch <= reqEpoch {
		m.leader, m.leaderSet = cstring(reqRunID), true // sdsnew of a char *: up to a NUL
		m.leaderEpoch = s.currentEpoch
		if !bugs.On(bugs.SentinelVoteNotPersisted) {
			s.flushConfig(nil)
		}
		s.event(llWarning, "+vote-for-leader", m, "%s %d", m.leader, m.leaderEpoch)
		if !equalFold(m.leader, s.myid) {
			m.failoverStartTime = s.mstime() + s.randMod(maxDesync)
		}
	}
	return m.leader, m.leaderSet, m.leaderEpoch
}

// randMod is rand()%n: rand() is 31 bits, drawn from the node's stream.
func (s *Sentinel) randMod(n int64) int64 { return int64(s.rng.Int32()) % n }

// getLeader is sentinelGetLeader. Ties between runids with as many votes
// go to the first in runid order (Redis's dict order is its hash's). ok
// is false when there is no leader; a leader may be "" (see leaderSet).
func (s *Sentinel) getLeader(m *instance, epoch uint64) (winner string, ok bool) {
	voters := len(m.sentinels) + 1
	var runids []string
	counts := map[string]int{}
	incr := func(id string) int {
		if _, ok := counts[id]; !ok {
			runids = insertString(runids, id)
		}
		counts[id]++
		return counts[id]
	}
	for _, ri := range m.sentinels {
		if ri.leaderSet && ri.leaderEpoch == s.currentEpoch {
			incr(ri.leader)
		}
	}
	maxVotes := 0
	for _, id := range runids {
		if counts[id] > maxVotes {
			maxVotes, winner, ok = counts[id], id, true
		}
	}
	var myvote string
	var voted bool
	var leaderEpoch uint64
	if ok {
		myvote, voted, leaderEpoch = s.voteLeader(m, epoch, winner)
	} else {
		myvote, voted, leaderEpoch = s.voteLeader(m, epoch, s.myid)
	}
	if voted && leaderEpoch == epoch {
		if votes := incr(myvote); votes > maxVotes {
			maxVotes, winner, ok = votes, myvote, true
		}
	}
	if ok && (maxVotes < voters/2+1 || maxVotes < m.quorum) {
		winner, ok = "", false
	}
	return winner, ok
}

func insertString(list []string, s string) []string {
	i := 0
	for i < len(list) && list[i] < s {
		i++
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = s
	return list
}
