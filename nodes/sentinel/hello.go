package sentinel

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/resp"
)

// sendHello is sentinelSendHello: PUBLISH on the hello channel of ri (a
// sentinel takes it through its own PUBLISH) this sentinel's address, ID
// and current epoch and the master's name, address and config epoch.
func (s *Sentinel) sendHello(ri *instance) bool {
	m := ri
	if ri.flags&sriMaster == 0 {
		m = ri.master
	}
	ma := currentMasterAddr(m)
	if ri.link.disconnected {
		return false
	}
	ip := s.announceIP
	if !s.announceIPSet {
		ip = s.env.Host() // the local address of the command connection
	}
	port := s.port
	if s.announcePort != 0 {
		port = s.announcePort
	}
	payload := ip + "," + strconv.Itoa(port) + "," + s.myid + "," + strconv.FormatUint(s.currentEpoch, 10) + "," +
		m.name + "," + ma.host + "," + strconv.Itoa(ma.port) + "," + strconv.FormatUint(m.configEpoch, 10)
	return s.command(ri, ri.link.cc, cbPublish, ri.mapCommand("PUBLISH"), helloChannel, payload)
}

// forceHelloUpdate is sentinelForceHelloUpdateForMaster.
func (s *Sentinel) forceHelloUpdate(m *instance) {
	if m.flags&sriMaster == 0 {
		return
	}
	if m.lastPubTime >= s.publishPeriod+1 {
		m.lastPubTime -= s.publishPeriod + 1
	}
	for _, list := range [][]*instance{m.sentinels, m.slaves} {
		for _, ri := range list {
			if ri.lastPubTime >= s.publishPeriod+1 {
				ri.lastPubTime -= s.publishPeriod + 1
			}
		}
	}
}

// receiveHello is sentinelReceiveHelloMessages.
func (s *Sentinel) receiveHello(r *reply, v resp.Value) {
	ri := r.ri
	if ri.link == nil {
		return
	}
	ri.link.pcLastActivity = s.mstime()
	if v.Kind != resp.KindArray || len(v.Elems) != 3 {
		return
	}
	for _, e := range v.Elems {
		if e.Kind != resp.KindBulk || e.IsNull {
			return
		}
	}
	if string(v.Elems[0].Str) != "message" {
		return
	}
	msg := string(v.Elems[2].Str)
	if strings.Contains(msg, s.myid) {
		return
	}
	s.processHello(msg)
}

// processHello is sentinelProcessHelloMessage.
func (s *Sentinel) processHello(hello string) {
	tok := strings.Split(hello, ",")
	if len(tok) != 8 {
		return
	}
	master := s.masterByName(tok[4])
	if master == nil {
		return
	}
	port := atoi32(tok[1])
	masterPort := atoi32(tok[6])
	si := getByAddrAndRunID(master.sentinels, tok[0], port, tok[2])
	currentEpoch := strtoull(tok[3])
	masterConfigEpoch := strtoull(tok[7])
	if si == nil {
		removed := s.removeMatchingSentinel(master, tok[2])
		if removed > 0 {
			s.event(llNotice, "+sentinel-address-switch", master, "%@ ip %s port %d for %s", tok[0], port, tok[2])
		} else if other := getByAddrAndRunID(master.sentinels, tok[0], port, ""); other != nil {
			s.event(llNotice, "+sentinel-invalid-addr", other, "%@")
			obsolete := other.runid
			for _, m := range s.masters {
				s.removeMatchingSentinel(m, obsolete)
			}
		}
		si, _ = s.createInstance(tok[2], sriSentinel, tok[0], port, master.quorum, master)
		if si != nil {
			if removed == 0 {
				s.event(llNotice, "+sentinel", si, "%@")
			}
			si.runid = tok[2]
			s.tryConnectionSharing(si)
			if removed > 0 {
				s.updateSentinelAddressInAllMasters(si)
			}
			s.flushConfig(nil)
		}
	}
	if currentEpoch > s.currentEpoch {
		s.currentEpoch = currentEpoch
		s.flushConfig(nil)
		s.event(llWarning, "+new-epoch", master, "%d", s.currentEpoch)
	}
	if si != nil && master.configEpoch < masterConfigEpoch {
		master.configEpoch = masterConfigEpoch
		if masterPort != master.addr.port || !strings.EqualFold(master.addr.host, tok[5]) {
			s.event(llWarning, "+config-update-from", si, "%@")
			s.event(llWarning, "+switch-master", master, "%s %s %d %s %d",
				master.name, master.addr.host, master.addr.port, tok[5], masterPort)
			s.resetMasterAndChangeAddress(master, tok[5], masterPort)
		}
	}
	if si != nil {
		si.lastHelloTime = s.mstime()
	}
}
