package sentinel

import (
	"math/rand/v2"
	"time"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/sim"
)

// DefaultPort is REDIS_SENTINEL_PORT.
const DefaultPort = 26379

// DefaultConfigFile is the configuration file's name when Options leave it
// empty.
const DefaultConfigFile = "sentinel.conf"

// Options configure a Sentinel process; everything Redis reads from its
// configuration file is in that file, on the host's disk.
type Options struct {
	// ConfigFile names the configuration file on the host's disk, which
	// must exist (redis-sentinel refuses to start without one).
	ConfigFile string
	// DialTimeout bounds a link's connection attempt, standing in for the
	// kernel's SYN retries (hiredis's asynchronous connect has no timeout
	// of its own in Sentinel). Zero means 2 minutes.
	DialTimeout time.Duration
	// OnEvent, if set, is told every event the sentinel publishes (type
	// and message), for observers such as a scenario's timeline. It must
	// not call back into the sentinel.
	OnEvent func(typ, msg string)
}

// The periods of sentinel.c, in milliseconds; SENTINEL DEBUG changes them
// per process.
const (
	defaultInfoPeriod       = 10000
	defaultPingPeriod       = 1000
	defaultAskPeriod        = 1000
	defaultPublishPeriod    = 2000
	defaultDownAfter        = 30000
	defaultTiltTrigger      = 2000
	defaultTiltPeriod       = defaultPingPeriod * 30
	defaultSlaveReconfTO    = 10000
	defaultMinLinkReconnect = 15000
	defaultElectionTimeout  = 10000
	defaultScriptMaxRuntime = 60000
	defaultScriptRetryDelay = 30000
	defaultFailoverTimeout  = 60 * 3 * 1000
	configDefaultHz         = 10
	helloChannel            = "__sentinel__:hello"
)

// Sentinel is one incarnation of a redis-sentinel process.
type Sentinel struct {
	env sim.Env
	rng *rand.Rand
	o   Options

	myid         string
	currentEpoch uint64
	masters      []*instance
	tilt         bool
	tiltStart    int64
	previousTime int64

	announceIP string
	// announceIPSet: sentinel.announce_ip is not NULL. SENTINEL CONFIG
	// SET announce-ip "" sets it to "" (the hello then announces an
	// empty address, and the file keeps announce-ip ""), where the
	// file's own empty value leaves it NULL.
	announceIPSet       bool
	announcePort        int
	simFailure          int
	denyScriptsReconfig bool
	sentinelUser        string
	sentinelPass        string
	resolveHostnames    bool
	announceHostnames   bool

	infoPeriod, pingPeriod, askPeriod, publishPeriod int64
	defaultDownAfter, tiltTrigger, tiltPeriod        int64
	slaveReconfTimeout, minLinkReconnect             int64
	electionTimeout, scriptMaxRuntime                int64
	scriptRetryDelay, defaultFailoverTimeout         int64

	port        int
	requirePass string
	// unixtime is server.unixtime: the clock in seconds as cached at the
	// timer's ticks and at each command's call(); timeout is the file's
	// timeout directive (maxidletime, in seconds; 0 for none) and cronRot
	// clientsCron's rotation of the clients.
	unixtime int64
	timeout  int64
	cronRot  uint64
	// maxClients is the maxclients directive (10000 unless the file sets
	// it): acceptCommonHandler refuses connections beyond it.
	maxClients uint32
	// acl holds the users; usersToLoad are the configuration file's "user"
	// lines (their arguments), applied after the rest of it.
	acl         *acl.ACL
	usersToLoad [][]string
	runID       string
	bootMs      int64
	hz          int
	cron        sim.Timer
	// cronloops counts timer ticks, as server.cronloops does.
	cronloops int64
	cronLate  bool
	stopped   bool

	server
	flusher
	// outbox holds the link commands of the current event (sendOutbox).
	outbox  []outgoing
	sending bool
	// argBuf, argEnd and argv hold the outbox's arguments, reused.
	argBuf []byte
	argEnd []int
	argv   [][]byte
	// cronFn is serverCron as a func value, made once; scratch holds the
	// copies of instance lists that handleInstances walks, per depth.
	cronFn  func()
	scratch [2][]*instance
}

// Program returns the sim.Program that boots a sentinel with o.
func Program(o Options) sim.Program {
	return func(env sim.Env) sim.Node { return New(env, o) }
}

// New boots a sentinel on env: it reads its configuration file (refusing
// to start, as redis-sentinel does, from a missing or malformed one),
// listens on its port and starts its timer.
func New(env sim.Env, o Options) *Sentinel {
	if o.ConfigFile == "" {
		o.ConfigFile = DefaultConfigFile
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = 2 * time.Minute
	}
	s := &Sentinel{
		env: env, rng: env.Rand(), o: o,
		denyScriptsReconfig: true,
		infoPeriod:          defaultInfoPeriod, pingPeriod: defaultPingPeriod,
		askPeriod: defaultAskPeriod, publishPeriod: defaultPublishPeriod,
		defaultDownAfter: defaultDownAfter, tiltTrigger: defaultTiltTrigger,
		tiltPeriod: defaultTiltPeriod, slaveReconfTimeout: defaultSlaveReconfTO,
		minLinkReconnect: defaultMinLinkReconnect, electionTimeout: defaultElectionTimeout,
		scriptMaxRuntime: defaultScriptMaxRuntime, scriptRetryDelay: defaultScriptRetryDelay,
		defaultFailoverTimeout: defaultFailoverTimeout,
		port:                   DefaultPort,
		hz:                     configDefaultHz,
		maxClients:             10000,
	}
	s.acl = newACL()
	s.flusher.s = s
	s.cronFn = s.serverCron
	s.server.init(s)
	s.updateCachedTime() // initServerConfig
	s.runID = randomHex(s.rng, 40)
	s.bootMs = s.mstime()
	s.previousTime = s.mstime()
	s.boot()
	return s
}

func (s *Sentinel) fail() {
	s.stopped = true
	s.env.Exit()
}

// boot is main() in sentinel mode: load the configuration, check it can be
// saved, listen, then sentinelIsRunning.
func (s *Sentinel) boot() {
	data, err := s.env.Disk().Read(s.o.ConfigFile)
	if err != nil {
		s.env.Logf("Fatal error, can't open config file '%s': No such file or directory", s.o.ConfigFile)
		s.fail()
		return
	}
	if cerr := s.loadConfig(string(data)); cerr != nil {
		s.env.Logf("%s", cerr.Error())
		s.fail()
		return
	}
	s.env.Logf("Running mode=sentinel, port=%d.", s.port)
	if err := s.env.Listen(s.port, s.accept); err != nil {
		s.env.Logf("Could not create server TCP listening socket *:%d: %v", s.port, err)
		s.fail()
		return
	}
	// ACLLoadUsersAtStartup, after the banner.
	if err := s.loadConfiguredUsers(); err != nil {
		s.env.Logf("%s", err.Error())
		s.env.Logf("Critical error while loading ACLs. Exiting.")
		s.fail()
		return
	}
	if s.myid == "" {
		s.myid = randomHex(s.rng, 40)
		s.flushConfig(nil)
	}
	s.env.Logf("Sentinel ID is %s", s.myid)
	for _, m := range s.masters {
		s.event(llWarning, "+monitor", m, "%@ quorum %d", m.quorum)
	}
	s.scheduleCron()
}

// Stop is SIGTERM: Redis's sentinel exits without saving anything more.
func (s *Sentinel) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.env.Cancel(s.cron)
	s.env.Logf("User requested shutdown...")
	s.env.Logf("Sentinel is now ready to exit, bye bye...")
}

// mstime is Redis's mstime(): the host's wall clock in milliseconds, which
// every time check of Sentinel reads (so that a clock jump makes TILT).
func (s *Sentinel) mstime() int64 { return s.env.Now().UnixMilli() }

// updateCachedTime is updateCachedTime: server.unixtime from the clock.
func (s *Sentinel) updateCachedTime() { s.unixtime = s.mstime() / 1000 }

// scheduleCron arms the next tick 1000/hz whole milliseconds away, as
// serverCron's return value asks aeProcessEvents.
func (s *Sentinel) scheduleCron() {
	period := time.Duration(1000/s.hz) * time.Millisecond
	if siteTimerLate.Fire(s.env) {
		period += siteTimerLate.Delay(s.env, 500*time.Millisecond)
	}
	s.cron = s.env.After(period, s.cronFn)
}

// serverCron is the part of serverCron a sentinel runs: sentinelTimer on
// every tick, the tick's period being 1000/hz ms of the monotonic clock.
// A tick due while the process is held by a configuration fsync runs when
// the hold ends.
func (s *Sentinel) serverCron() {
	if s.stopped {
		return
	}
	if s.holding() {
		s.cronLate = true
		return
	}
	s.timerTick()
	s.afterEvent()
}

func (s *Sentinel) timerTick() {
	s.updateCachedTime()
	s.clientsCron()
	s.cronloops++
	s.checkPause()
	s.sentinelTimer()
	s.scheduleCron()
}

// clientsCron is clientsCron's timeout (clientsCronHandleTimeout): each
// tick looks at clients/hz clients (at least 5, or all if fewer), in the
// order of its rotation, and closes those idle longer than the timeout in
// whole seconds, except pub/sub clients and those held by a pause.
func (s *Sentinel) clientsCron() {
	n := len(s.clients)
	// serverCron sets server.hz back to the configured 10 (dynamic hz)
	// before clientsCron; sentinelTimer draws it again afterwards.
	iterations := n / configDefaultHz
	if iterations < 5 {
		iterations = min(n, 5)
	}
	now := s.mstime() / 1000
	for ; iterations > 0 && len(s.clients) > 0; iterations-- {
		c := s.clients[len(s.clients)-1-int(s.cronRot%uint64(len(s.clients)))]
		s.cronRot++
		if s.timeout > 0 && c.subCount() == 0 && c.postponed == nil && now-c.lastInteraction > s.timeout {
			c.conn.Close()
			s.freeClient(c)
			continue
		}
		// clientsCronResizeQueryBuffer: an idle client's free space goes.
		if c.readAny && c.r.Buffered() == 0 && s.unixtime-c.lastInteraction > 2 {
			c.trimmed = true
		}
	}
}

// sentinelTimer is sentinelTimer.
func (s *Sentinel) sentinelTimer() {
	s.checkTilt()
	s.handleInstances(s.masters, 0)
	// Desynchronise the sentinels' timers: hz 10..19, as Redis draws it.
	s.hz = configDefaultHz + s.rng.IntN(configDefaultHz)
}

// checkTilt is sentinelCheckTiltCondition.
func (s *Sentinel) checkTilt() {
	now := s.mstime()
	delta := now - s.previousTime
	if delta < 0 || delta > s.tiltTrigger {
		s.tilt = true
		s.tiltStart = s.mstime()
		s.event(llWarning, "+tilt", nil, "#tilt mode entered")
	}
	s.previousTime = s.mstime()
}

// handleInstances is sentinelHandleDictOfRedisInstances. The list may
// change under it (a +switch-master rebuilds a master's replicas, a hello
// may remove sentinels), so it walks a copy, skipping the removed.
func (s *Sentinel) handleInstances(list []*instance, depth int) {
	var switchTo *instance
	walk := append(s.scratch[depth][:0], list...)
	for _, ri := range walk {
		if ri.link == nil { // released meanwhile
			continue
		}
		s.handleInstance(ri)
		if ri.flags&sriMaster != 0 {
			s.handleInstances(ri.slaves, 1)
			s.handleInstances(ri.sentinels, 1)
			if ri.failoverState == foUpdateConfig {
				switchTo = ri
			}
		}
	}
	clear(walk)
	s.scratch[depth] = walk[:0]
	if switchTo != nil {
		s.switchToPromoted(switchTo)
	}
}

// handleInstance is sentinelHandleRedisInstance.
func (s *Sentinel) handleInstance(ri *instance) {
	s.reconnectInstance(ri)
	s.sendPeriodicCommands(ri)
	if s.tilt {
		if s.mstime()-s.tiltStart < s.tiltPeriod {
			return
		}
		s.tilt = false
		s.event(llWarning, "-tilt", nil, "#tilt mode exited")
	}
	s.checkSubjectivelyDown(ri)
	if ri.flags&sriMaster != 0 {
		s.checkObjectivelyDown(ri)
		if s.startFailoverIfNeeded(ri) {
			s.askMasterState(ri, true)
		}
		s.failoverStateMachine(ri)
		s.askMasterState(ri, false)
	}
}

func randomHex(r *rand.Rand, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[r.IntN(16)]
	}
	return string(b)
}
