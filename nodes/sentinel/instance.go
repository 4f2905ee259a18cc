package sentinel

import (
	"strconv"
	"strings"
)

// Instance flags, sentinel.c's SRI_*.
const (
	sriMaster           = 1 << 0
	sriSlave            = 1 << 1
	sriSentinel         = 1 << 2
	sriSDown            = 1 << 3
	sriODown            = 1 << 4
	sriMasterDown       = 1 << 5
	sriFailoverInProg   = 1 << 6
	sriPromoted         = 1 << 7
	sriReconfSent       = 1 << 8
	sriReconfInprog     = 1 << 9
	sriReconfDone       = 1 << 10
	sriForceFailover    = 1 << 11
	sriScriptKillSent   = 1 << 12
	sriMasterReboot     = 1 << 13
	defaultSlavePrio    = 100
	defaultParallelSync = 1
	maxPendingCommands  = 100
	maxDesync           = 1000
)

// Failover states, SENTINEL_FAILOVER_STATE_*.
const (
	foNone = iota
	foWaitStart
	foSelectSlave
	foSendSlaveofNoOne
	foWaitPromotion
	foReconfSlaves
	foUpdateConfig
)

var foNames = [...]string{"none", "wait_start", "select_slave", "send_slaveof_noone", "wait_promotion", "reconf_slaves", "update_config"}

func failoverStateStr(s int) string {
	if s >= 0 && s < len(foNames) {
		return foNames[s]
	}
	return "unknown"
}

const (
	linkStatusUp   = 0
	linkStatusDown = 1
)

// addr is sentinelAddr. The simulated network names hosts, not IPs, so a
// host name is its own address: nothing is resolved.
type addr struct {
	host string
	port int
}

func (a addr) String() string { return a.host + ":" + strconv.Itoa(a.port) }

func (a addr) equal(b addr) bool { return a.port == b.port && equalFold(a.host, b.host) }

// instance is sentinelRedisInstance: a monitored master, one of its
// replicas, or another sentinel watching it. Runtime strings that Redis
// keeps as NULL-able pointers are "" here when NULL (a run ID, a leader and
// a replica's master host are never empty when set).
type instance struct {
	flags       int
	name        string
	runid       string
	configEpoch uint64
	addr        addr
	link        *link

	lastPubTime             int64
	lastHelloTime           int64
	lastMasterDownReplyTime int64
	sDownSince              int64
	oDownSince              int64
	downAfter               int64
	rebootDownAfter         int64
	rebootSince             int64
	infoRefresh             int64
	renamed                 []renaming

	roleReported        int
	roleReportedTime    int64
	slaveConfChangeTime int64

	// Master only: kept sorted by name, the deterministic stand-in for
	// Redis's dict order.
	sentinels     []*instance
	slaves        []*instance
	quorum        int
	parallelSyncs int
	authPass      string
	authUser      string

	// Replica only.
	masterLinkDownTime    int64
	slavePriority         int
	replicaAnnounced      int
	slaveReconfSentTime   int64
	master                *instance
	slaveMasterHost       string
	hasSlaveMasterHost    bool
	slaveMasterPort       int
	slaveMasterLinkStatus int
	slaveReplOffset       uint64

	// Failover.
	leader string
	// leaderSet: leader is not NULL. A vote may go to the run ID "" (an
	// IS-MASTER-DOWN-BY-ADDR that asks for it), which Redis keeps as a
	// vote like any other.
	leaderSet           bool
	leaderEpoch         uint64
	failoverEpoch       uint64
	failoverState       int
	failoverStateChange int64
	failoverStartTime   int64
	failoverTimeout     int64
	failoverDelayLogged int64
	promoted            *instance

	info    string
	hasInfo bool
}

// renaming is one rename-command entry of a master.
type renaming struct{ from, to string }

func (ri *instance) typeStr() string {
	switch {
	case ri.flags&sriMaster != 0:
		return "master"
	case ri.flags&sriSlave != 0:
		return "slave"
	case ri.flags&sriSentinel != 0:
		return "sentinel"
	}
	return "unknown"
}

// mapCommand is sentinelInstanceMapCommand: the name a command has on the
// instance (or its master) after rename-command.
func (ri *instance) mapCommand(cmd string) string {
	m := ri
	if m.master != nil {
		m = m.master
	}
	for _, r := range m.renamed {
		if equalFold(r.from, cmd) {
			return r.to
		}
	}
	return cmd
}

// The errors of createSentinelRedisInstance, as errno values.
type createErr int

const (
	errBusy createErr = iota + 1
	errNoEnt
	errInval
)

// createErrorText is sentinelCheckCreateInstanceErrors.
func createErrorText(e createErr, role int) string {
	switch e {
	case errBusy:
		switch role {
		case sriMaster:
			return "Duplicate master name."
		case sriSlave:
			return "Duplicate hostname and port for replica."
		default:
			return "Duplicate runid for sentinel."
		}
	case errNoEnt:
		return "Can't resolve instance hostname."
	case errInval:
		return "Invalid port number."
	}
	return "Unknown Error for creating instances."
}

// newAddr is createSentinelAddr.
func newAddr(host string, port int) (addr, createErr) {
	if port < 0 || port > 65535 {
		return addr{}, errInval
	}
	ip, ok := resolveIP(host)
	if !ok {
		return addr{}, errNoEnt
	}
	return addr{host: ip, port: port}, 0
}

// createInstance is createSentinelRedisInstance.
func (s *Sentinel) createInstance(name string, flags int, host string, port, quorum int, master *instance) (*instance, createErr) {
	a, e := newAddr(host, port)
	if e != 0 {
		return nil, e
	}
	if flags&sriSlave != 0 {
		name = a.String()
	}
	var table *[]*instance
	switch {
	case flags&sriMaster != 0:
		table = &s.masters
	case flags&sriSlave != 0:
		table = &master.slaves
	default:
		table = &master.sentinels
	}
	if findByName(*table, name) != nil {
		return nil, errBusy
	}
	now := s.mstime()
	ri := &instance{
		flags: flags, name: name, addr: a, link: s.newLink(),
		lastPubTime: now, lastHelloTime: now, lastMasterDownReplyTime: now,
		downAfter:             s.defaultDownAfter,
		slavePriority:         defaultSlavePrio,
		replicaAnnounced:      1,
		slaveMasterLinkStatus: linkStatusDown,
		quorum:                quorum,
		parallelSyncs:         defaultParallelSync,
		master:                master,
		failoverTimeout:       s.defaultFailoverTimeout,
		roleReported:          flags & (sriMaster | sriSlave),
		roleReportedTime:      now,
		slaveConfChangeTime:   now,
	}
	if master != nil {
		ri.downAfter = master.downAfter
	}
	*table = insertSorted(*table, ri)
	return ri, 0
}

// release is releaseSentinelRedisInstance.
func (s *Sentinel) release(ri *instance) {
	for _, x := range ri.slaves {
		s.release(x)
	}
	for _, x := range ri.sentinels {
		s.release(x)
	}
	ri.slaves, ri.sentinels = nil, nil
	s.releaseLink(ri.link, ri)
	ri.link = nil
	if ri.flags&sriSlave != 0 && ri.flags&sriPromoted != 0 && ri.master != nil {
		ri.master.promoted = nil
	}
}

func findByName(list []*instance, name string) *instance {
	i, ok := searchName(list, name)
	if ok {
		return list[i]
	}
	return nil
}

func searchName(list []*instance, name string) (int, bool) {
	lo, hi := 0, len(list)
	for lo < hi {
		m := (lo + hi) / 2
		if list[m].name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(list) && list[lo].name == name
}

func insertSorted(list []*instance, ri *instance) []*instance {
	i, _ := searchName(list, ri.name)
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = ri
	return list
}

func removeAt(list []*instance, i int) []*instance {
	copy(list[i:], list[i+1:])
	list[len(list)-1] = nil
	return list[:len(list)-1]
}

// lookupSlave is sentinelRedisInstanceLookupSlave.
func lookupSlave(master *instance, host string, port int) *instance {
	a, e := newAddr(host, port)
	if e != 0 {
		return nil
	}
	return findByName(master.slaves, a.String())
}

// getByAddrAndRunID is getSentinelRedisInstanceByAddrAndRunID; runid ""
// or host "" leave that field out of the search.
func getByAddrAndRunID(list []*instance, host string, port int, runid string) *instance {
	var a addr
	if host != "" {
		var e createErr
		if a, e = newAddr(host, port); e != 0 {
			return nil
		}
	}
	for _, ri := range list {
		if runid != "" && ri.runid == "" {
			continue
		}
		if (runid == "" || ri.runid == runid) && (host == "" || ri.addr.equal(a)) {
			return ri
		}
	}
	return nil
}

// removeMatchingSentinel is removeMatchingSentinelFromMaster.
func (s *Sentinel) removeMatchingSentinel(master *instance, runid string) int {
	if runid == "" {
		return 0
	}
	removed := 0
	for i := 0; i < len(master.sentinels); {
		ri := master.sentinels[i]
		if ri.runid != "" && ri.runid == runid {
			master.sentinels = removeAt(master.sentinels, i)
			s.release(ri)
			removed++
			continue
		}
		i++
	}
	return removed
}

// masterByName finds a master by its whole name, as a lookup of the sds
// argument does (sentinelGetMasterByNameOrReplyError). The commands that
// go through sentinelGetMasterByName, which makes the name with sdsnew,
// pass it up to its first NUL (cstring).
func (s *Sentinel) masterByName(name string) *instance { return findByName(s.masters, name) }

// resetMaster is sentinelResetMaster.
func (s *Sentinel) resetMaster(ri *instance, noSentinels, event bool) {
	for _, x := range ri.slaves {
		s.release(x)
	}
	ri.slaves = nil
	if !noSentinels {
		for _, x := range ri.sentinels {
			s.release(x)
		}
		ri.sentinels = nil
	}
	s.closeCC(ri.link)
	s.closePC(ri.link)
	ri.flags &= sriMaster
	ri.leader, ri.leaderSet = "", false
	ri.failoverState = foNone
	ri.failoverStateChange = 0
	ri.failoverStartTime = 0
	ri.promoted = nil
	ri.runid = ""
	ri.slaveMasterHost, ri.hasSlaveMasterHost = "", false
	now := s.mstime()
	ri.link.actPing = now
	ri.link.lastPing = 0
	ri.link.lastAvail = now
	ri.link.lastPong = now
	ri.roleReportedTime = now
	ri.roleReported = sriMaster
	if event {
		s.event(llWarning, "+reset-master", ri, "%@")
	}
}

// resetMasterAndChangeAddress is sentinelResetMasterAndChangeAddress.
func (s *Sentinel) resetMasterAndChangeAddress(master *instance, host string, port int) bool {
	newaddr, e := newAddr(host, port)
	if e != 0 {
		return false
	}
	var slaves []addr
	for _, sl := range master.slaves {
		if sl.addr.equal(newaddr) {
			continue
		}
		slaves = append(slaves, sl.addr)
	}
	if !newaddr.equal(master.addr) {
		slaves = append(slaves, master.addr)
	}
	s.resetMaster(master, true, false)
	master.addr = newaddr
	master.oDownSince = 0
	master.sDownSince = 0
	for _, a := range slaves {
		if sl, _ := s.createInstance("", sriSlave, a.host, a.port, master.quorum, master); sl != nil {
			s.event(llNotice, "+slave", sl, "%@")
		}
	}
	s.flushConfig(nil)
	return true
}

// noDownFor is sentinelRedisInstanceNoDownFor.
func (s *Sentinel) noDownFor(ri *instance, ms int64) bool {
	most := ri.sDownSince
	if ri.oDownSince > most {
		most = ri.oDownSince
	}
	return most == 0 || s.mstime()-most > ms
}

// currentMasterAddr is sentinelGetCurrentMasterAddress.
func currentMasterAddr(master *instance) addr {
	if master.flags&sriFailoverInProg != 0 && master.promoted != nil && master.failoverState >= foReconfSlaves {
		return master.promoted.addr
	}
	return master.addr
}

// propagateDownAfter is sentinelPropagateDownAfterPeriod.
func propagateDownAfter(master *instance) {
	for _, ri := range master.slaves {
		ri.downAfter = master.downAfter
	}
	for _, ri := range master.sentinels {
		ri.downAfter = master.downAfter
	}
}

// strcaseEq is strcasecmp(a, b) == 0 on C strings: each up to its first
// NUL byte, as Redis compares an argument with an option's name.
func strcaseEq(a, b string) bool { return equalFold(cstring(a), cstring(b)) }

// lowerC is an argument up to its first NUL byte, in lower case: what a
// switch of strcasecmp comparisons matches.
func lowerC(s string) string { return strings.ToLower(cstring(s)) }

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
