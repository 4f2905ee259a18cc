package sentinel

import (
	"strings"
)

// masterLooksSane is sentinelMasterLooksSane.
func (s *Sentinel) masterLooksSane(m *instance) bool {
	return m.flags&sriMaster != 0 && m.roleReported == sriMaster &&
		m.flags&(sriSDown|sriODown) == 0 && s.mstime()-m.infoRefresh < s.infoPeriod*2
}

// refreshInfo is sentinelRefreshInstanceInfo: INFO's replication fields
// parsed as Redis parses them (prefixes and lengths, atoi), then the
// acting half unless in TILT.
func (s *Sentinel) refreshInfo(ri *instance, info string) {
	ri.info, ri.hasInfo = info, true
	ri.masterLinkDownTime = 0
	role := 0
	for rest := info; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\r\n")
		if len(l) >= 47 && strings.HasPrefix(l, "run_id:") {
			id := l[7:47]
			if ri.runid == "" {
				ri.runid = id
			} else if ri.runid != id {
				s.event(llNotice, "+reboot", ri, "%@")
				if ri.flags&sriMaster != 0 && ri.rebootDownAfter != 0 {
					ri.flags |= sriMasterReboot
					ri.rebootSince = s.mstime()
				}
				ri.runid = id
			}
		}
		if ri.flags&sriMaster != 0 && len(l) >= 7 && strings.HasPrefix(l, "slave") && l[5] >= '0' && l[5] <= '9' {
			var ip, port string
			if !strings.Contains(l, "ip=") {
				i := strings.IndexByte(l, ':')
				if i < 0 {
					continue
				}
				rest := l[i+1:]
				j := strings.IndexByte(rest, ',')
				if j < 0 {
					continue
				}
				ip, rest = rest[:j], rest[j+1:]
				k := strings.IndexByte(rest, ',')
				if k < 0 {
					continue
				}
				port = rest[:k]
			} else {
				ip = l[strings.Index(l, "ip=")+3:]
				pi := strings.Index(l, "port=")
				if pi < 0 {
					continue
				}
				port = l[pi+5:]
				if e := strings.IndexByte(ip, ','); e >= 0 {
					ip = ip[:e]
				}
				if e := strings.IndexByte(port, ','); e >= 0 {
					port = port[:e]
				}
			}
			if lookupSlave(ri, ip, atoi32(port)) == nil {
				if sl, _ := s.createInstance("", sriSlave, ip, atoi32(port), ri.quorum, ri); sl != nil {
					s.event(llNotice, "+slave", sl, "%@")
					s.flushConfig(nil)
				}
			}
		}
		if len(l) >= 32 && strings.HasPrefix(l, "master_link_down_since_seconds") {
			ri.masterLinkDownTime = atoi(l[31:]) * 1000
		}
		if len(l) >= 11 && strings.HasPrefix(l, "role:master") {
			role = sriMaster
		} else if len(l) >= 10 && strings.HasPrefix(l, "role:slave") {
			role = sriSlave
		}
		if role == sriSlave {
			if len(l) >= 12 && strings.HasPrefix(l, "master_host:") {
				if !ri.hasSlaveMasterHost || !strings.EqualFold(l[12:], ri.slaveMasterHost) {
					ri.slaveMasterHost, ri.hasSlaveMasterHost = l[12:], true
					ri.slaveConfChangeTime = s.mstime()
				}
			}
			if len(l) >= 12 && strings.HasPrefix(l, "master_port:") {
				if p := atoi32(l[12:]); ri.slaveMasterPort != p {
					ri.slaveMasterPort = p
					ri.slaveConfChangeTime = s.mstime()
				}
			}
			if len(l) >= 19 && strings.HasPrefix(l, "master_link_status:") {
				if strings.EqualFold(l[19:], "up") {
					ri.slaveMasterLinkStatus = linkStatusUp
				} else {
					ri.slaveMasterLinkStatus = linkStatusDown
				}
			}
			if len(l) >= 15 && strings.HasPrefix(l, "slave_priority:") {
				ri.slavePriority = atoi32(l[15:])
			}
			if len(l) >= 18 && strings.HasPrefix(l, "slave_repl_offset:") {
				ri.slaveReplOffset = strtoull(l[18:])
			}
			if len(l) >= 18 && strings.HasPrefix(l, "replica_announced:") {
				ri.replicaAnnounced = atoi32(l[18:])
			}
		}
	}
	ri.infoRefresh = s.mstime()

	if role != ri.roleReported {
		ri.roleReportedTime = s.mstime()
		ri.roleReported = role
		if role == sriSlave {
			ri.slaveConfChangeTime = s.mstime()
		}
		typ := "-role-change"
		if ri.flags&(sriMaster|sriSlave) == role {
			typ = "+role-change"
		}
		name := "slave"
		if role == sriMaster {
			name = "master"
		}
		s.event(llVerbose, typ, ri, "%@ new reported role is %s", name)
	}
	if s.tilt {
		return
	}
	// A master reporting itself a replica is left alone: SDOWN's role
	// check will see it.
	if ri.flags&sriSlave != 0 && role == sriMaster {
		m := ri.master
		if ri.flags&sriPromoted != 0 && m.flags&sriFailoverInProg != 0 && m.failoverState == foWaitPromotion {
			m.configEpoch = m.failoverEpoch
			m.failoverState = foReconfSlaves
			m.failoverStateChange = s.mstime()
			s.flushConfig(nil)
			s.event(llWarning, "+promoted-slave", ri, "%@")
			if s.simFailure&simCrashAfterPromotion != 0 {
				s.simFailureCrash()
				return
			}
			s.event(llWarning, "+failover-state-reconf-slaves", m, "%@")
			s.forceHelloUpdate(m)
		} else {
			wait := s.publishPeriod * 4
			if ri.flags&sriPromoted == 0 && s.masterLooksSane(m) && s.noDownFor(ri, wait) && s.mstime()-ri.roleReportedTime > wait {
				if s.sendSlaveOf(ri, &m.addr) {
					s.event(llNotice, "+convert-to-slave", ri, "%@")
				}
			}
		}
	}
	if ri.flags&sriSlave != 0 && role == sriSlave &&
		(ri.slaveMasterPort != ri.master.addr.port || !ri.hasSlaveMasterHost || !strings.EqualFold(ri.master.addr.host, ri.slaveMasterHost)) {
		wait := ri.master.failoverTimeout
		if s.masterLooksSane(ri.master) && s.noDownFor(ri, wait) && s.mstime()-ri.slaveConfChangeTime > wait {
			if s.sendSlaveOf(ri, &ri.master.addr) {
				s.event(llNotice, "+fix-slave-config", ri, "%@")
			}
		}
	}
	if ri.flags&sriSlave != 0 && role == sriSlave && ri.flags&(sriReconfSent|sriReconfInprog) != 0 {
		p := ri.master.promoted
		if ri.flags&sriReconfSent != 0 && ri.hasSlaveMasterHost && p != nil &&
			strings.EqualFold(p.addr.host, ri.slaveMasterHost) && ri.slaveMasterPort == p.addr.port {
			ri.flags &^= sriReconfSent
			ri.flags |= sriReconfInprog
			s.event(llNotice, "+slave-reconf-inprog", ri, "%@")
		}
		if ri.flags&sriReconfInprog != 0 && ri.slaveMasterLinkStatus == linkStatusUp {
			ri.flags &^= sriReconfInprog
			ri.flags |= sriReconfDone
			s.event(llNotice, "+slave-reconf-done", ri, "%@")
		}
	}
}
