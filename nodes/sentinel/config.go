package sentinel

import (
	"math"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/nodes/rnum"
)

// Version is the Redis version whose Sentinel this package reproduces.
const Version = "7.0.15"

// ConfigError is a configuration file that redis-sentinel refuses to start
// from; Error is the text Redis prints (loadServerConfigFromString's
// loaderr, or loadSentinelConfigFromQueue's).
type ConfigError struct {
	Line   int    // 1-based line number
	Text   string // the line, trimmed
	Reason string
}

func (e *ConfigError) Error() string {
	return "\n*** FATAL CONFIG FILE ERROR (Redis " + Version + ") ***\n" +
		"Reading the configuration file, at line " + strconv.Itoa(e.Line) + "\n" +
		">>> '" + e.Text + "'\n" + e.Reason
}

// generalDirectives are the redis.conf directives a sentinel's file may
// carry besides "sentinel" lines, with their argument counts (-n: at least
// n-1 arguments). Other standard redis.conf directives would load in a real
// redis-sentinel; these are the ones that mean something to a sentinel.
var generalDirectives = map[string]int{
	"port": 2, "bind": -2, "dir": 2, "logfile": 2, "daemonize": 2, "pidfile": 2,
	"loglevel": 2, "protected-mode": 2, "requirepass": 2, "user": -2,
	"latency-tracking-info-percentiles": -1, "supervised": 2, "maxclients": 2,
	"timeout": 2, "tcp-keepalive": 2, "hz": 2, "sentinel": -1,
}

// sentinelLine is one queued "sentinel ..." line (queueSentinelConfig).
type sentinelLine struct {
	argv []string
	line int
	text string
}

// preMonitor are the options loaded before any "sentinel monitor" line
// (sentinel.c's preMonitorCfgName).
var preMonitor = []string{"announce-ip", "announce-port", "deny-scripts-reconfig",
	"sentinel-user", "sentinel-pass", "current-epoch", "myid", "resolve-hostnames", "announce-hostnames"}

// loadConfig is loadServerConfigFromString followed by
// loadSentinelConfigFromQueue.
func (s *Sentinel) loadConfig(text string) *ConfigError {
	var pre, mon, post []sentinelLine
	for i, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := resp.SplitArgs([]byte(line))
		if !ok {
			return &ConfigError{Line: i + 1, Text: line, Reason: "Unbalanced quotes in configuration line"}
		}
		if len(args) == 0 {
			continue
		}
		argv := make([]string, len(args))
		for j, a := range args {
			argv[j] = string(a)
		}
		name := strings.ToLower(argv[0])
		n, known := generalDirectives[name]
		if !known || (n > 0 && len(argv) != n) || (n < 0 && len(argv) < -n) {
			return &ConfigError{Line: i + 1, Text: line, Reason: "Bad directive or wrong number of arguments"}
		}
		if reason := s.generalDirective(name, argv); reason != "" {
			return &ConfigError{Line: i + 1, Text: line, Reason: reason}
		}
		if name == "sentinel" && len(argv) > 1 {
			e := sentinelLine{argv: argv[1:], line: i + 1, text: line}
			switch {
			case strings.EqualFold(argv[1], "monitor"):
				mon = append(mon, e)
			case containsFold(preMonitor, argv[1]):
				pre = append(pre, e)
			default:
				post = append(post, e)
			}
		}
	}
	for _, q := range [][]sentinelLine{pre, mon, post} {
		for _, e := range q {
			if reason := s.handleConfig(e.argv); reason != "" {
				return &ConfigError{Line: e.line, Text: e.text, Reason: reason}
			}
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// generalDirective applies a non-sentinel directive, returning Redis's
// reason when its value is refused.
func (s *Sentinel) generalDirective(name string, argv []string) string {
	switch name {
	case "port":
		n, err := strconv.ParseInt(argv[1], 10, 64)
		if err != nil {
			return "argument couldn't be parsed into an integer"
		}
		if n < 0 || n > 65535 {
			return "argument must be between 0 and 65535 inclusive"
		}
		s.port = int(n)
	case "maxclients":
		// An unsigned config between 1 and UINT_MAX, parsed by string2ll.
		n, ok := rnum.ParseInt([]byte(argv[1]))
		if !ok {
			return "argument couldn't be parsed into an integer"
		}
		if u := uint64(n); u < 1 || u > math.MaxUint32 {
			return "argument must be between 1 and 4294967295 inclusive"
		}
		s.maxClients = uint32(n)
	case "timeout":
		// An int config between 0 and INT_MAX.
		n, ok := rnum.ParseInt([]byte(argv[1]))
		if !ok {
			return "argument couldn't be parsed into an integer"
		}
		if n < 0 || n > math.MaxInt32 {
			return "argument must be between 0 and 2147483647 inclusive"
		}
		s.timeout = n
	case "requirepass":
		s.requirePass = argv[1]
		s.acl.SetRequirePass([]byte(argv[1]))
	case "user":
		s.usersToLoad = append(s.usersToLoad, argv[1:])
	case "daemonize", "protected-mode":
		if yesno(argv[1]) < 0 {
			return "argument must be 'yes' or 'no'"
		}
	}
	return ""
}

func yesno(v string) int {
	switch lowerC(v) {
	case "yes":
		return 1
	case "no":
		return 0
	}
	return -1
}

// atoi is C's atoi: leading blanks, a sign, digits, the rest ignored.
func atoi(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// atoi32 is atoi into a C int: the value wraps to 32 bits.
func atoi32(s string) int { return int(int32(atoi(s))) }

// strtoull is strtoull(s, NULL, 10): a leading minus negates modulo 2^64.
func strtoull(s string) uint64 {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	var n uint64
	for i := 0; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
		d := uint64(t[i] - '0')
		if n > (^uint64(0)-d)/10 {
			return ^uint64(0)
		}
		n = n*10 + d
	}
	if neg {
		return -n
	}
	return n
}

// handleConfig is sentinelHandleConfiguration.
func (s *Sentinel) handleConfig(argv []string) string {
	argc := len(argv)
	opt := strings.ToLower(argv[0])
	needMaster := func() (*instance, string) {
		ri := s.masterByName(argv[1])
		if ri == nil {
			return nil, "No such master with specified name."
		}
		return ri, ""
	}
	switch {
	case opt == "monitor" && argc == 5:
		quorum := atoi32(argv[4])
		if quorum <= 0 {
			return "Quorum must be 1 or greater."
		}
		if _, e := s.createInstance(argv[1], sriMaster, argv[2], atoi32(argv[3]), quorum, nil); e != 0 {
			return createErrorText(e, sriMaster)
		}
	case opt == "down-after-milliseconds" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.downAfter = int64(atoi32(argv[2]))
		if ri.downAfter <= 0 {
			return "negative or zero time parameter."
		}
		propagateDownAfter(ri)
	case opt == "failover-timeout" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.failoverTimeout = int64(atoi32(argv[2]))
		if ri.failoverTimeout <= 0 {
			return "negative or zero time parameter."
		}
	case opt == "parallel-syncs" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.parallelSyncs = atoi32(argv[2])
	case opt == "notification-script" && argc == 3:
		if _, err := needMaster(); err != "" {
			return err
		}
		return "Notification script seems non existing or non executable."
	case opt == "client-reconfig-script" && argc == 3:
		if _, err := needMaster(); err != "" {
			return err
		}
		return "Client reconfiguration script seems non existing or non executable."
	case opt == "auth-pass" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.authPass = cstring(argv[2]) // sdsnew
	case opt == "auth-user" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.authUser = cstring(argv[2])
	case opt == "current-epoch" && argc == 2:
		if e := strtoull(argv[1]); e > s.currentEpoch {
			s.currentEpoch = e
		}
	case opt == "myid" && argc == 2:
		if len(argv[1]) != 40 {
			return "Malformed Sentinel id in myid option."
		}
		s.myid = argv[1]
	case opt == "config-epoch" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.configEpoch = strtoull(argv[2])
		if ri.configEpoch > s.currentEpoch {
			s.currentEpoch = ri.configEpoch
		}
	case opt == "leader-epoch" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.leaderEpoch = strtoull(argv[2])
	case (opt == "known-slave" || opt == "known-replica") && argc == 4:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		if _, e := s.createInstance("", sriSlave, argv[2], atoi32(argv[3]), ri.quorum, ri); e != 0 {
			return createErrorText(e, sriSlave)
		}
	case opt == "known-sentinel" && (argc == 4 || argc == 5):
		if argc == 5 {
			ri, err := needMaster()
			if ri == nil {
				return err
			}
			si, e := s.createInstance(argv[4], sriSentinel, argv[2], atoi32(argv[3]), ri.quorum, ri)
			if e != 0 {
				return createErrorText(e, sriSentinel)
			}
			si.runid = argv[4]
			s.tryConnectionSharing(si)
		}
	case opt == "rename-command" && argc == 4:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		for _, r := range ri.renamed {
			if equalFold(r.from, argv[2]) {
				return "Same command renamed multiple times with rename-command."
			}
		}
		ri.renamed = append(ri.renamed, renaming{from: argv[2], to: argv[3]})
	case opt == "announce-ip" && argc == 2:
		if ip := cstring(argv[1]); ip != "" { // strlen, sdsnew
			s.announceIP, s.announceIPSet = ip, true
		}
	case opt == "announce-port" && argc == 2:
		s.announcePort = atoi32(argv[1])
	case opt == "deny-scripts-reconfig" && argc == 2:
		v := yesno(argv[1])
		if v < 0 {
			return "Please specify yes or no for the deny-scripts-reconfig options."
		}
		s.denyScriptsReconfig = v == 1
	case opt == "sentinel-user" && argc == 2:
		if u := cstring(argv[1]); u != "" {
			s.sentinelUser = u
		}
	case opt == "sentinel-pass" && argc == 2:
		if p := cstring(argv[1]); p != "" {
			s.sentinelPass = p
		}
	case opt == "resolve-hostnames" && argc == 2:
		v := yesno(argv[1])
		if v < 0 {
			return "Please specify yes or no for the resolve-hostnames option."
		}
		s.resolveHostnames = v == 1
	case opt == "announce-hostnames" && argc == 2:
		v := yesno(argv[1])
		if v < 0 {
			return "Please specify yes or no for the announce-hostnames option."
		}
		s.announceHostnames = v == 1
	case opt == "master-reboot-down-after-period" && argc == 3:
		ri, err := needMaster()
		if ri == nil {
			return err
		}
		ri.rebootDownAfter = int64(atoi32(argv[2]))
		if ri.rebootDownAfter < 0 {
			return "negative time parameter."
		}
	default:
		return "Unrecognized sentinel configuration statement."
	}
	return ""
}

// rewriteState is rewriteConfig's state: the old file's lines and, per
// option, the line numbers it used.
type rewriteState struct {
	lines     []string
	byOption  map[string][]int
	processed map[string]bool
	signed    bool
}

const rewriteSignature = "# Generated by CONFIG REWRITE"

func readOldConfig(text string) *rewriteState {
	st := &rewriteState{byOption: map[string][]int{}, processed: map[string]bool{}}
	if text == "" {
		return st
	}
	for _, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, "\r\n\t ")
		n := len(st.lines)
		if line == "" || line[0] == '#' {
			if line == rewriteSignature {
				st.signed = true
			}
			st.lines = append(st.lines, line)
			continue
		}
		args, ok := resp.SplitArgs([]byte(line))
		if !ok || len(args) == 0 {
			st.lines = append(st.lines, "# ??? "+line)
			continue
		}
		name := strings.ToLower(string(args[0]))
		if _, known := generalDirectives[name]; !known {
			st.lines = append(st.lines, "# ??? "+line)
			continue
		}
		st.lines = append(st.lines, line)
		// Options are matched without case, as rewriteConfig's
		// option-to-line dict compares its keys.
		opt := name
		if name == "sentinel" && len(args) > 1 {
			opt = "sentinel " + strings.ToLower(string(args[1]))
		}
		st.byOption[opt] = append(st.byOption[opt], n)
	}
	return st
}

// rewrite is rewriteConfigRewriteLine.
func (st *rewriteState) rewrite(option, line string, force bool) {
	st.processed[option] = true
	l := st.byOption[option]
	if len(l) == 0 && !force {
		return
	}
	if len(l) > 0 {
		st.lines[l[0]] = line
		st.byOption[option] = l[1:]
		return
	}
	if !st.signed {
		st.lines = append(st.lines, rewriteSignature)
		st.signed = true
	}
	st.lines = append(st.lines, line)
}

// content is rewriteConfigRemoveOrphaned then
// rewriteConfigGetContentFromState.
func (st *rewriteState) content() string {
	for opt, l := range st.byOption { //redsim:ordered each orphaned line is blanked, whatever the order
		if !st.processed[opt] {
			continue
		}
		for _, n := range l {
			st.lines[n] = ""
		}
	}
	var b strings.Builder
	wasEmpty := false
	for _, l := range st.lines {
		if l == "" {
			if wasEmpty {
				continue
			}
			wasEmpty = true
		} else {
			wasEmpty = false
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// renderConfig is rewriteConfig's step 1 to 4 for a sentinel: the new
// content of the configuration file, given the old one.
func (s *Sentinel) renderConfig(old string) string {
	st := readOldConfig(old)
	st.rewrite("protected-mode", "protected-mode no", true)
	st.rewrite("latency-tracking-info-percentiles", "latency-tracking-info-percentiles 50 99 99.9", true)
	st.rewrite("port", "port "+strconv.Itoa(s.port), s.port != 6379)
	// Numerical options: rewritten in their standard form where the file
	// had them (further lines for the same option are blanked).
	st.rewrite("maxclients", "maxclients "+strconv.FormatUint(uint64(s.maxClients), 10), s.maxClients != 10000)
	st.rewrite("timeout", "timeout "+strconv.FormatInt(s.timeout, 10), s.timeout != 0)
	for _, u := range s.acl.Users() { // rewriteConfigUserOption
		st.rewrite("user", "user "+u.Name()+" "+u.Describe(aclTable), true)
	}
	s.rewriteSentinelOptions(st)
	return st.content()
}

// rewriteSentinelOptions is rewriteConfigSentinelOption.
func (s *Sentinel) rewriteSentinelOptions(st *rewriteState) {
	u := strconv.FormatUint
	st.rewrite("sentinel myid", "sentinel myid "+s.myid, true)
	st.rewrite("sentinel deny-scripts-reconfig", "sentinel deny-scripts-reconfig "+yesNo(s.denyScriptsReconfig), !s.denyScriptsReconfig)
	st.rewrite("sentinel resolve-hostnames", "sentinel resolve-hostnames "+yesNo(s.resolveHostnames), s.resolveHostnames)
	st.rewrite("sentinel announce-hostnames", "sentinel announce-hostnames "+yesNo(s.announceHostnames), s.announceHostnames)
	for _, m := range s.masters {
		ma := currentMasterAddr(m)
		st.rewrite("sentinel monitor", "sentinel monitor "+m.name+" "+ma.host+" "+strconv.Itoa(ma.port)+" "+strconv.Itoa(m.quorum), true)
		if m.downAfter != s.defaultDownAfter {
			st.rewrite("sentinel down-after-milliseconds", "sentinel down-after-milliseconds "+m.name+" "+strconv.FormatInt(m.downAfter, 10), true)
		}
		if m.failoverTimeout != s.defaultFailoverTimeout {
			st.rewrite("sentinel failover-timeout", "sentinel failover-timeout "+m.name+" "+strconv.FormatInt(m.failoverTimeout, 10), true)
		}
		if m.parallelSyncs != defaultParallelSync {
			st.rewrite("sentinel parallel-syncs", "sentinel parallel-syncs "+m.name+" "+strconv.Itoa(m.parallelSyncs), true)
		}
		if m.authPass != "" {
			st.rewrite("sentinel auth-pass", "sentinel auth-pass "+m.name+" "+m.authPass, true)
		}
		if m.authUser != "" {
			st.rewrite("sentinel auth-user", "sentinel auth-user "+m.name+" "+m.authUser, true)
		}
		if m.rebootDownAfter != 0 {
			st.rewrite("sentinel master-reboot-down-after-period", "sentinel master-reboot-down-after-period "+m.name+" "+strconv.FormatInt(m.rebootDownAfter, 10), true)
		}
		st.rewrite("sentinel config-epoch", "sentinel config-epoch "+m.name+" "+u(m.configEpoch, 10), true)
		st.rewrite("sentinel leader-epoch", "sentinel leader-epoch "+m.name+" "+u(m.leaderEpoch, 10), true)
		for _, sl := range m.slaves {
			a := sl.addr
			if a.equal(ma) && !bugs.On(bugs.SentinelKnownReplicaIsMaster) {
				a = m.addr
			}
			st.rewrite("sentinel known-replica", "sentinel known-replica "+m.name+" "+a.host+" "+strconv.Itoa(a.port), true)
		}
		for _, si := range m.sentinels {
			if si.runid == "" {
				continue
			}
			st.rewrite("sentinel known-sentinel", "sentinel known-sentinel "+m.name+" "+si.addr.host+" "+strconv.Itoa(si.addr.port)+" "+si.runid, true)
		}
		for _, r := range m.renamed {
			st.rewrite("sentinel rename-command", "sentinel rename-command "+m.name+" "+r.from+" "+r.to, true)
		}
	}
	st.rewrite("sentinel current-epoch", "sentinel current-epoch "+u(s.currentEpoch, 10), true)
	if s.announceIPSet {
		st.rewrite("sentinel announce-ip", "sentinel announce-ip "+reprString(s.announceIP), true)
	} else {
		st.processed["sentinel announce-ip"] = true
	}
	if s.announcePort != 0 {
		st.rewrite("sentinel announce-port", "sentinel announce-port "+strconv.Itoa(s.announcePort), true)
	} else {
		st.processed["sentinel announce-port"] = true
	}
	if s.sentinelUser != "" {
		st.rewrite("sentinel sentinel-user", "sentinel sentinel-user "+s.sentinelUser, true)
	} else {
		st.processed["sentinel sentinel-user"] = true
	}
	if s.sentinelPass != "" {
		st.rewrite("sentinel sentinel-pass", "sentinel sentinel-pass "+s.sentinelPass, true)
	} else {
		st.processed["sentinel sentinel-pass"] = true
	}
	for _, o := range []string{"monitor", "down-after-milliseconds", "failover-timeout", "parallel-syncs",
		"notification-script", "client-reconfig-script", "auth-pass", "auth-user", "config-epoch",
		"leader-epoch", "known-replica", "known-sentinel", "rename-command", "master-reboot-down-after-period"} {
		st.processed["sentinel "+o] = true
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// reprString is sdscatrepr: a quoted string with C escapes.
func reprString(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if c >= 0x20 && c < 0x7f {
				b = append(b, c)
			} else {
				const hex = "0123456789abcdef"
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return string(append(b, '"'))
}
