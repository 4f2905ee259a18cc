package sentinel

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/glob"
)

var sentinelHelp = []string{
	"CKQUORUM <master-name>",
	"    Check if the current Sentinel configuration is able to reach the quorum",
	"    needed to failover a master and the majority needed to authorize the",
	"    failover.",
	"CONFIG SET <param> <value>",
	"    Set a global Sentinel configuration parameter.",
	"CONFIG GET <param>",
	"    Get global Sentinel configuration parameter.",
	"DEBUG [<param> <value> ...]",
	"    Show a list of configurable time parameters and their values (milliseconds).",
	"    Or update current configurable parameters values (one or more).",
	"GET-MASTER-ADDR-BY-NAME <master-name>",
	"    Return the ip and port number of the master with that name.",
	"FAILOVER <master-name>",
	"    Manually failover a master node without asking for agreement from other",
	"    Sentinels",
	"FLUSHCONFIG",
	"    Force Sentinel to rewrite its configuration on disk, including the current",
	"    Sentinel state.",
	"INFO-CACHE <master-name>",
	"    Return last cached INFO output from masters and all its replicas.",
	"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
	"    Check if the master specified by ip:port is down from current Sentinel's",
	"    point of view.",
	"MASTER <master-name>",
	"    Show the state and info of the specified master.",
	"MASTERS",
	"    Show a list of monitored masters and their state.",
	"MONITOR <name> <ip> <port> <quorum>",
	"    Start monitoring a new master with the specified name, ip, port and quorum.",
	"MYID",
	"    Return the ID of the Sentinel instance.",
	"PENDING-SCRIPTS",
	"    Get pending scripts information.",
	"REMOVE <master-name>",
	"    Remove master from Sentinel's monitor list.",
	"REPLICAS <master-name>",
	"    Show a list of replicas for this master and their state.",
	"RESET <pattern>",
	"    Reset masters for specific master name matching this pattern.",
	"SENTINELS <master-name>",
	"    Show a list of Sentinel instances for this master and their state.",
	"SET <master-name> <option> <value> [<option> <value> ...]",
	"    Set configuration parameters for certain masters.",
	"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
	"    Simulate a Sentinel crash.",
}

// parseLong is getLongFromObjectOrReply's check; msg "" is Redis's default.
func parseLong(c *client, v, msg string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || len(v) == 0 || v[0] == '+' || (len(v) > 1 && v[0] == '0') || (len(v) > 1 && v[0] == '-' && v[1] == '0') {
		if msg == "" {
			msg = "value is not an integer or out of range"
		}
		c.errorReply(msg)
		return 0, false
	}
	return n, true
}

// getLL is getLongLongFromObject without a reply.
func getLL(v string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v[0] == '+' || (len(v) > 1 && v[0] == '0') || (len(v) > 1 && v[0] == '-' && v[1] == '0') {
		return 0, false
	}
	return n, true
}

// flushAndReply is sentinelFlushConfigAndReply: the reply comes once the
// file is durable.
func (s *Sentinel) flushAndReply(c *client) {
	s.flushConfig(func(ok bool) {
		if c.closed {
			return
		}
		if ok {
			c.w.WriteOK()
		} else {
			c.errorReply("Failed to save config file. Check server logs.")
		}
	})
}

func (s *Sentinel) masterOrReply(c *client, name string) *instance {
	m := s.masterByName(name)
	if m == nil {
		c.errorReply("No such master with that name")
	}
	return m
}

// sentinelCommand is sentinelCommand, after the table's arity checks.
func (s *Sentinel) sentinelCommand(c *client, argv []string) {
	w := c.w
	switch strings.ToLower(argv[1]) {
	case "help":
		writeHelp(c, "SENTINEL", sentinelHelp)
	case "masters":
		s.replyInstances(c, s.masters)
	case "master":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstance(c, m)
		}
	case "slaves", "replicas":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstances(c, m.slaves)
		}
	case "sentinels":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstances(c, m.sentinels)
		}
	case "myid":
		w.WriteBulkString(s.myid)
	case "is-master-down-by-addr":
		port, ok := parseLong(c, argv[3], "")
		if !ok {
			return
		}
		reqEpoch, ok := parseLong(c, argv[4], "")
		if !ok {
			return
		}
		ri := getByAddrAndRunID(s.masters, argv[2], int(port), "")
		isdown := !s.tilt && ri != nil && ri.flags&sriSDown != 0 && ri.flags&sriMaster != 0
		leader, voted, leaderEpoch := "", false, uint64(0)
		if ri != nil && ri.flags&sriMaster != 0 && !strcaseEq(argv[5], "*") {
			leader, voted, leaderEpoch = s.voteLeader(ri, uint64(reqEpoch), argv[5])
		}
		w.WriteArrayLen(3)
		if isdown {
			w.WriteInt(1)
		} else {
			w.WriteInt(0)
		}
		if !voted {
			leader = "*"
		}
		w.WriteBulkString(leader)
		w.WriteInt(int64(leaderEpoch))
	case "reset":
		// stringmatch: the pattern and the names are C strings.
		n := 0
		for _, m := range append([]*instance(nil), s.masters...) {
			if glob.Match([]byte(cstring(argv[2])), []byte(cstring(m.name)), false) {
				s.resetMaster(m, false, true)
				n++
			}
		}
		w.WriteInt(int64(n))
	case "get-master-addr-by-name":
		m := s.masterByName(cstring(argv[2]))
		if m == nil {
			w.WriteNullArray()
			return
		}
		a := currentMasterAddr(m)
		w.WriteArrayLen(2)
		w.WriteBulkString(a.host)
		w.WriteBulkInt(int64(a.port))
	case "failover":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		if m.flags&sriFailoverInProg != 0 {
			c.errorReply("-INPROG Failover already in progress")
			return
		}
		if s.selectSlave(m) == nil {
			c.errorReply("-NOGOODSLAVE No suitable replica to promote")
			return
		}
		s.env.Logf("Executing user requested FAILOVER of '%s'", m.name)
		s.startFailover(m)
		m.flags |= sriForceFailover
		w.WriteOK()
	case "pending-scripts":
		w.WriteArrayLen(0)
	case "monitor":
		quorum, ok := parseLong(c, argv[5], "Invalid quorum")
		if !ok {
			return
		}
		port, ok := parseLong(c, argv[4], "Invalid port")
		if !ok {
			return
		}
		if quorum <= 0 {
			c.errorReply("Quorum must be 1 or greater.")
			return
		}
		if _, ok := resolveIP(argv[3]); !ok {
			c.errorReply("Invalid IP address or hostname specified")
			return
		}
		m, e := s.createInstance(argv[2], sriMaster, argv[3], int(port), int(quorum), nil)
		if m == nil {
			c.errorReply(createErrorText(e, sriMaster))
			return
		}
		s.flushAndReply(c)
		s.event(llWarning, "+monitor", m, "%@ quorum %d", m.quorum)
	case "flushconfig":
		s.flushAndReply(c)
	case "remove":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		s.event(llWarning, "-monitor", m, "%@")
		i, _ := searchName(s.masters, m.name)
		s.masters = removeAt(s.masters, i)
		s.release(m)
		s.flushAndReply(c)
	case "ckquorum":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		usable, noQuorum, noAuth := s.quorumReachable(m)
		if !noQuorum && !noAuth {
			w.WriteSimpleString("OK " + strconv.Itoa(usable) + " usable Sentinels. Quorum and failover authorization can be reached")
			return
		}
		e := "NOQUORUM " + strconv.Itoa(usable) + " usable Sentinels. "
		if noQuorum {
			e += "Not enough available Sentinels to reach the specified quorum for this master"
		}
		if noAuth {
			if noQuorum {
				e += ". "
			}
			e += "Not enough available Sentinels to reach the majority and authorize a failover"
		}
		c.errorReply("-" + e)
	case "config":
		switch {
		case strcaseEq(argv[2], "set") && len(argv) == 5:
			s.configSetCommand(c, argv)
		case strcaseEq(argv[2], "get") && len(argv) == 4:
			s.configGetCommand(c, argv[3])
		default:
			c.errorReply("Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.")
		}
	case "info-cache":
		s.infoCacheCommand(c, argv)
	case "simulate-failure":
		s.simFailure = 0
		for _, a := range argv[2:] {
			// strcasecmp: the argument up to a NUL byte.
			switch strings.ToLower(cstring(a)) {
			case "crash-after-election":
				s.simFailure |= simCrashAfterElection
				s.env.Logf("Failure simulation: this Sentinel will crash after being successfully elected as failover leader")
			case "crash-after-promotion":
				s.simFailure |= simCrashAfterPromotion
				s.env.Logf("Failure simulation: this Sentinel will crash after promoting the selected replica to master")
			case "help":
				w.WriteArrayLen(2)
				w.WriteBulkString("crash-after-election")
				w.WriteBulkString("crash-after-promotion")
				return
			default:
				c.errorReply("Unknown failure simulation specified")
				return
			}
		}
		w.WriteOK()
	case "debug":
		if len(argv) == 2 {
			s.debugInfo(c)
		} else {
			s.debugSet(c, argv)
		}
	}
}

// quorumReachable is sentinelIsQuorumReachable.
func (s *Sentinel) quorumReachable(m *instance) (usable int, noQuorum, noAuth bool) {
	usable = 1
	voters := len(m.sentinels) + 1
	for _, ri := range m.sentinels {
		if ri.flags&(sriSDown|sriODown) == 0 {
			usable++
		}
	}
	return usable, usable < m.quorum, usable < voters/2+1
}

func (s *Sentinel) configSetCommand(c *client, argv []string) {
	opt, val := argv[3], argv[4]
	dropConns := false
	badfmt := func() {
		c.errorReply("Invalid value '" + cstring(val) + "' to SENTINEL CONFIG SET '" + cstring(opt) + "'")
	}
	switch lowerC(opt) {
	case "resolve-hostnames":
		v := yesno(val)
		if v < 0 {
			badfmt()
			return
		}
		s.resolveHostnames = v == 1
	case "announce-hostnames":
		v := yesno(val)
		if v < 0 {
			badfmt()
			return
		}
		s.announceHostnames = v == 1
	case "announce-ip":
		s.announceIP, s.announceIPSet = cstring(val), true // sdsnew
	case "announce-port":
		n, ok := getLL(val)
		if !ok || n < 0 || n > 65535 {
			badfmt()
			return
		}
		s.announcePort = int(n)
	case "sentinel-user":
		s.sentinelUser = val
		dropConns = true
	case "sentinel-pass":
		s.sentinelPass = val
		dropConns = true
	default:
		c.errorReply("Invalid argument '" + cstring(opt) + "' to SENTINEL CONFIG SET")
		return
	}
	s.flushAndReply(c)
	if dropConns {
		for _, m := range s.masters {
			for _, si := range m.sentinels {
				if !si.link.disconnected {
					s.closePC(si.link)
					s.closeCC(si.link)
				}
			}
		}
	}
}

func (s *Sentinel) configGetCommand(c *client, pattern string) {
	type kv struct{ k, v string }
	all := []kv{
		{"resolve-hostnames", yesNo(s.resolveHostnames)},
		{"announce-hostnames", yesNo(s.announceHostnames)},
		{"announce-ip", s.announceIP},
		{"announce-port", strconv.Itoa(s.announcePort)},
		{"sentinel-user", s.sentinelUser},
		{"sentinel-pass", s.sentinelPass},
	}
	var out []kv
	for _, x := range all {
		if glob.Match([]byte(cstring(pattern)), []byte(x.k), true) {
			out = append(out, x)
		}
	}
	c.w.WriteMapLen(len(out))
	for _, x := range out {
		c.w.WriteBulkString(x.k)
		c.w.WriteBulkString(x.v)
	}
}

func (s *Sentinel) infoCacheCommand(c *client, argv []string) {
	now := s.mstime()
	list := s.masters
	if len(argv) > 2 {
		list = nil
		for _, name := range argv[2:] {
			if m := s.masterByName(cstring(name)); m != nil && findByName(list, m.name) == nil {
				list = insertSorted(list, m)
			}
		}
	}
	w := c.w
	w.WriteArrayLen(len(list) * 2)
	for _, m := range list {
		w.WriteBulkString(m.name)
		w.WriteArrayLen(len(m.slaves) + 1)
		one := func(refresh int64, ri *instance) {
			w.WriteArrayLen(2)
			if m.infoRefresh != 0 {
				w.WriteInt(now - refresh)
			} else {
				w.WriteInt(0)
			}
			if ri.hasInfo {
				w.WriteBulkString(ri.info)
			} else {
				w.WriteNull()
			}
		}
		one(m.infoRefresh, m)
		for _, sl := range m.slaves {
			one(sl.infoRefresh, sl)
		}
	}
}

// debugParams are SENTINEL DEBUG's parameters, in its listing's order.
func (s *Sentinel) debugParams() []struct {
	name string
	v    *int64
} {
	return []struct {
		name string
		v    *int64
	}{
		{"info-period", &s.infoPeriod}, {"ping-period", &s.pingPeriod}, {"ask-period", &s.askPeriod},
		{"publish-period", &s.publishPeriod}, {"default-down-after", &s.defaultDownAfter},
		{"default-failover-timeout", &s.defaultFailoverTimeout}, {"tilt-trigger", &s.tiltTrigger},
		{"tilt-period", &s.tiltPeriod}, {"slave-reconf-timeout", &s.slaveReconfTimeout},
		{"min-link-reconnect-period", &s.minLinkReconnect}, {"election-timeout", &s.electionTimeout},
		{"script-max-runtime", &s.scriptMaxRuntime}, {"script-retry-delay", &s.scriptRetryDelay},
	}
}

func (s *Sentinel) debugInfo(c *client) {
	ps := s.debugParams()
	c.w.WriteMapLen(len(ps))
	for _, p := range ps {
		c.w.WriteBulkString(strings.ToUpper(p.name))
		c.w.WriteBulkInt(*p.v)
	}
}

func (s *Sentinel) debugSet(c *client, argv []string) {
	ps := s.debugParams()
	for j := 2; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		var target *int64
		for _, p := range ps {
			if strcaseEq(opt, p.name) {
				target = p.v
			}
		}
		if target == nil || more <= 0 {
			c.errorReply("Unknown option or number of arguments for SENTINEL DEBUG '" + cstring(opt) + "'")
			return
		}
		j++
		n, ok := getLL(argv[j])
		if !ok || n <= 0 {
			c.errorReply("Invalid argument '" + cstring(argv[j]) + "' for SENTINEL DEBUG '" + cstring(opt) + "'")
			return
		}
		*target = n
	}
	c.w.WriteOK()
}

// sentinelSetCommand is sentinelSetCommand.
func (s *Sentinel) sentinelSetCommand(c *client, argv []string) {
	m := s.masterOrReply(c, argv[2])
	if m == nil {
		return
	}
	changes := 0
	for j := 3; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		old := j
		redacted := false
		badfmt := func(at int) {
			c.errorReply("Invalid argument '" + cstring(argv[at]) + "' for SENTINEL SET '" + cstring(opt) + "'")
			if changes > 0 {
				s.flushConfig(nil)
			}
		}
		seterr := func(msg string) {
			c.errorReply(msg)
			if changes > 0 {
				s.flushConfig(nil)
			}
		}
		lower := lowerC(opt)
		switch {
		case lower == "down-after-milliseconds" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.downAfter = n
			propagateDownAfter(m)
		case lower == "failover-timeout" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.failoverTimeout = n
		case lower == "parallel-syncs" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.parallelSyncs = int(n)
		case (lower == "notification-script" || lower == "client-reconfig-script") && more > 0:
			j++
			if s.denyScriptsReconfig {
				seterr("Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration")
				return
			}
			if cstring(argv[j]) != "" { // strlen
				if lower == "notification-script" {
					seterr("Notification script seems non existing or non executable")
				} else {
					seterr("Client reconfiguration script seems non existing or non executable")
				}
				return
			}
		case lower == "auth-pass" && more > 0:
			j++
			m.authPass = cstring(argv[j]) // strlen, sdsnew
			s.dropInstanceConnections(m)
			redacted = true
		case lower == "auth-user" && more > 0:
			j++
			m.authUser = cstring(argv[j])
			s.dropInstanceConnections(m)
		case lower == "quorum" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.quorum = int(n)
		case lower == "rename-command" && more > 1:
			from, to := argv[j+1], argv[j+2]
			j += 2
			if from == "" || to == "" {
				if to != "" {
					badfmt(j - 1)
				} else {
					badfmt(j)
				}
				return
			}
			for i, r := range m.renamed {
				if equalFold(r.from, from) {
					m.renamed = append(m.renamed[:i], m.renamed[i+1:]...)
					break
				}
			}
			if !equalFold(from, to) {
				m.renamed = append(m.renamed, renaming{from: from, to: to})
			}
		case lower == "master-reboot-down-after-period" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n < 0 {
				badfmt(j)
				return
			}
			m.rebootDownAfter = n
		default:
			seterr("Unknown option or number of arguments for SENTINEL SET '" + cstring(opt) + "'")
			return
		}
		changes++
		switch j - old + 1 {
		case 2:
			v := argv[old+1]
			if redacted {
				v = "******"
			}
			s.event(llWarning, "+set", m, "%@ %s %s", argv[old], v)
		case 3:
			s.event(llWarning, "+set", m, "%@ %s %s %s", argv[old], argv[old+1], argv[old+2])
		default:
			s.event(llWarning, "+set", m, "%@ %s", argv[old])
		}
	}
	if changes > 0 {
		s.flushAndReply(c)
	}
}

// dropInstanceConnections is dropInstanceConnections.
func (s *Sentinel) dropInstanceConnections(m *instance) {
	s.closeCC(m.link)
	s.closePC(m.link)
	for _, sl := range m.slaves {
		s.closeCC(sl.link)
		s.closePC(sl.link)
	}
}
