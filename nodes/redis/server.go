package redis

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/sim"
)

// Version is the Redis version the node reproduces and reports.
const Version = "7.0.15"

// stats are INFO's counters; CONFIG RESETSTAT zeroes them.
type stats struct {
	connectionsReceived int64
	commandsProcessed   int64
	rejectedConns       int64
	expiredKeys         int64
	keyspaceHits        int64
	keyspaceMisses      int64
	netInputBytes       int64
	netOutputBytes      int64
	syncFull            int64
	syncPartialOK       int64
	syncPartialErr      int64
	evictedKeys         int64
	rdbSaves            int64
}

// Server is one Redis node incarnation.
type Server struct {
	// spareString is a replaced string value's block, for the next
	// string made (embstr.go).
	spareString *object

	cfg    Config
	env    sim.Env
	rng    *rand.Rand
	runID  string
	bootMs int64         // wall ms at boot
	bootMo time.Duration // monotonic clock at boot

	dbs      []*db
	commands *CommandTable
	clients  []*client // by id, ascending
	debugState
	fo failover
	// migrateSockets is MIGRATE's connection cache, by "host:port".
	migrateSockets map[string]*migrateSocket
	acl            *acl.ACL
	nextID         int64
	pending        []*client // clients with replies to write
	stats          stats
	dirty          int64 // changes since the last successful save
	// datasetVersion changes with anything DatasetHash or Expires covers
	// (datasetversion.go).
	datasetVersion uint64
	// unixtime is server.unixtime: the wall clock in whole seconds as last
	// cached (updateCachedTime), which replicas' ACK times and lags read.
	unixtime int64
	stopped  bool
	// sleeping is set while DEBUG SLEEP (or a synchronous fsync) holds the
	// event loop: input waits, and so do the crons whose timers come due.
	sleeping bool
	// cronLate is set when serverCron came due while the loop was held: it
	// runs once when the hold ends (runLateCrons).
	cronLate bool

	watched  map[dbKey][]*client
	blocking map[dbKey][]*client
	ready    []dbKey

	channels map[string][]*client
	chanList []string // channel names in subscription order, for PUBSUB CHANNELS
	patterns []patternSub
	shardPubsub
	serverTracking
	pauseState
	shut shutdownState

	scriptState
	adminState
	evictState

	// lruClock is server.lruclock: the wall clock's seconds in 24 bits,
	// updated by the cron; bootLRU is its value at boot, the LRU time of
	// the shared integers until one is touched (sharedLRU, by value).
	lruClock  int64
	bootLRU   int64
	sharedLRU *[sharedIntegers]int64

	cron sim.Timer
	// cronloops counts serverCron runs, as server.cronloops does.
	cronloops int64
	// cronRot is how far clientsCron has gone round the clients.
	cronRot uint64
	persist
	loadingState
	replState
	// cl is the cluster state (cluster.c's server.cluster), nil unless
	// cluster-enabled.
	cl *clusterState
}

// dbKey names a key in one database.
type dbKey struct {
	db  int
	key string
}

// Program returns the sim.Program that boots a node with cfg.
func Program(cfg Config) sim.Program {
	return func(env sim.Env) sim.Node {
		return New(env, cfg)
	}
}

// New boots a node on env: it loads the dataset from disk (AOF when
// appendonly is on, else the RDB file), listens on cfg.Port and starts the
// cron. A node that cannot load its data logs why and exits, as Redis does.
func New(env sim.Env, cfg Config) *Server {
	s := &Server{
		cfg:      cfg,
		env:      env,
		rng:      env.Rand(),
		watched:  map[dbKey][]*client{},
		blocking: map[dbKey][]*client{},
		channels: map[string][]*client{},
	}
	s.runID = randomHex(s.rng, 40)
	s.bootMs = env.Now().UnixMilli()
	s.bootMo = env.Mono()
	s.updateCachedTime()
	s.updateLRUClock()
	s.bootLRU = s.lruClock
	s.commands = NewCommandTable()
	s.scriptRepl = scripting.ReplAll
	s.acl = s.newACL()
	s.dbs = make([]*db, cfg.Databases)
	for i := range s.dbs {
		s.dbs[i] = newDB(s, i)
	}
	s.lastSaveMs = s.bootMs
	s.boot()
	return s
}

// boot is the rest of Redis's main() after initServer, which listens
// before anything loads: the ACL file, the manifest, the dataset (clients
// that connect meanwhile are answered -LOADING, loading.go), the AOF's
// files (aofOpenIfNeededOnServerStart, aofDelHistoryFiles), then the
// event loop. The AOF's fsyncs hold the node as they hold Redis's main
// thread; connections made meanwhile wait.
func (s *Server) boot() {
	fail := func() {
		s.exitStatus = 1 // exit(1): what it could not load is in the log
		s.stopped = true
		s.env.Exit()
	}
	// What initServer and the configuration set before the load: a
	// replica is one while it loads (READONLY, INFO's role), and has a
	// replication ID.
	s.exceededSinceMs = -1
	s.evictConfigure()
	s.initReplID()
	if host, port, ok := s.configuredMaster(); ok {
		s.masterHost, s.masterPort, s.linkState = host, port, linkConnect
	}
	if err := s.env.Listen(s.cfg.Port, s.accept); err != nil {
		s.env.Logf("Could not create server TCP listening socket *:%d: %v", s.cfg.Port, err)
		fail()
		return
	}
	if s.cfg.Cluster.Enabled && !s.clusterInit() {
		fail()
		return
	}
	if !s.loadACLFile() || !s.loadManifest() {
		fail()
		return
	}
	s.load(func(ok bool) {
		if !ok {
			fail()
			return
		}
		s.initReplication()
		s.openAOFAtStart(func(ok bool) {
			if !ok {
				fail()
				return
			}
			s.deleteAOFHistory(func() {
				if s.cl != nil && !s.verifyClusterConfigWithData() {
					s.env.Logf("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.")
					fail()
					return
				}
				s.env.Logf("Ready to accept connections")
				s.scheduleCron()
			})
		})
	})
}

// Stop is a graceful shutdown (SIGTERM): save if save points are set, as
// SHUTDOWN without arguments does.
//
// The process ends when Stop returns, so nothing here waits for the disk:
// the files are written and renamed into place, and an fsync is asked for
// that a later power loss may still beat.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.env.Cancel(s.cron)
	if s.cl != nil {
		s.env.Cancel(s.cl.cron)
	}
	if s.loading {
		// A SIGTERM during a load exits without saving the half-loaded
		// dataset (whileBlockedCron's prepareForShutdown(SHUTDOWN_NOSAVE)).
		return
	}
	disk := s.env.Disk()
	if s.aofOn && s.aofIncr != "" && len(s.aofBuf) > 0 {
		path := s.aofPath(s.aofIncr)
		_ = disk.Append(path, s.aofBuf)
		s.aofBuf = s.aofBuf[:0]
		disk.Sync(path, func(error) {})
	}
	if len(s.cfg.Save) > 0 {
		tmp := "temp-shutdown.rdb"
		if err := disk.Write(tmp, s.snapshot()); err != nil {
			s.env.Logf("Error trying to save the DB: %v", err)
			return
		}
		if err := disk.Rename(tmp, s.cfg.DBFilename); err != nil {
			s.env.Logf("Error trying to save the DB: %v", err)
			return
		}
		disk.Sync(s.cfg.DBFilename, func(error) {})
		s.env.Logf("DB saved on disk")
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

// nowMs is the wall clock in ms, as mstime().
func (s *Server) nowMs() int64 { return s.env.Now().UnixMilli() }

// updateCachedTime is updateCachedTime: Redis caches the wall clock at
// each serverCron (replicationCron runs inside it) and at each top-level
// call(), and reads the cache where seconds will do.
func (s *Server) updateCachedTime() { s.unixtime = s.env.Now().Unix() }

// expireNowMs is the time key expiry compares against.
func (s *Server) expireNowMs() int64 {
	if s.cfg.ExpireClock == ExpireMonotonic {
		return s.bootMs + durationMs(s.env.Mono()-s.bootMo)
	}
	return s.nowMs()
}

func (s *Server) scheduleCron() {
	hz := s.cfg.Hz
	if hz < 1 {
		hz = 1
	}
	if hz > 500 {
		hz = 500
	}
	period := time.Second / time.Duration(hz)
	if siteCronLate.Fire(s.env) {
		period += siteCronLate.Delay(s.env, 300*time.Millisecond)
	}
	s.cron = s.env.After(period, s.serverCron)
}

// serverCron is Redis's serverCron: active expiry, client timeouts, the
// everysec fsync and save points. Due while the loop is held, it runs late
// (runLateCrons).
func (s *Server) serverCron() {
	if s.stopped {
		return
	}
	if s.sleeping {
		s.cronLate = true
		return
	}
	s.serverCronRun()
	s.afterEvent()
}

// serverCronRun is one run of serverCron. The next is due a period after
// it, as processTimeEvents reschedules a time event from when it ran.
func (s *Server) serverCronRun() {
	s.cronloops++
	s.scheduleCron()
	s.updateCachedTime()
	if s.shutdownCron() {
		return
	}
	s.updateLRUClock()
	s.activeExpireCycle()
	s.clientsCron()
	if s.runWithPeriod(1000) {
		s.closeIdleMigrateSockets()
	}
	s.persistCron()
	s.paused() // a pause whose time has passed ends
}

// runWithPeriod is run_with_period(ms) in the serverCron run under way:
// every run when ms is at most the cron's period, else every ms/period
// runs, the first included (cronloops counts from 0 there, and has been
// counted already here).
func (s *Server) runWithPeriod(ms int) bool {
	period := 1000 / min(max(s.cfg.Hz, 1), 500) // server.hz's bounds
	return ms <= period || (s.cronloops-1)%int64(ms/period) == 0
}

// runLateCrons runs, once each, the crons that came due while the event
// loop was held. Redis's loop cannot fire a time event during a blocking
// call (an appendfsync always fsync in beforeSleep, DEBUG SLEEP, SAVE);
// aeProcessEvents fires it when the call returns, after the file events
// that waited: late, once however long the hold, never skipped.
func (s *Server) runLateCrons() {
	if s.cronLate && !s.sleeping && !s.stopped {
		s.cronLate = false
		s.serverCronRun()
	}
	if s.replCronLate && !s.sleeping && !s.stopped {
		s.replCronLate = false
		s.replicationCronRun()
	}
}

func (s *Server) configChanged(old Config) {
	if old.MaxMemory != s.cfg.MaxMemory || old.MaxMemoryPolicy != s.cfg.MaxMemoryPolicy {
		s.evictConfigure()
	}
	if old.AppendOnly != s.cfg.AppendOnly {
		if s.cfg.AppendOnly {
			s.startAOF()
		} else {
			s.stopAOF()
		}
	}
	for _, c := range s.clients {
		c.r.SetMaxBulkLen(s.cfg.ProtoMaxBulkLen)
	}
	if old.MinReplicasToWrite != s.cfg.MinReplicasToWrite || old.MinReplicasMaxLag != s.cfg.MinReplicasMaxLag {
		s.refreshGoodReplicas() // updateGoodSlaves
	}
	if s.backlog != nil && old.ReplBacklogSize != s.cfg.ReplBacklogSize {
		s.backlog.resize(s.cfg.ReplBacklogSize, s.offset, s.backlogHold(false))
	}
}

// afterEvent is beforeSleep: serve clients whose blocking keys became
// ready, write the AOF, then write the pending replies.
func (s *Server) afterEvent() {
	if s.long != nil {
		// A timed-out script runs: beforeSleep does nothing but write
		// replies, which scriptHook does.
		return
	}
	if s.cl != nil && !s.sleeping {
		s.clusterBeforeSleep()
		// Bus messages leave from their links' write handlers, in an event
		// loop iteration of their own that comes at once and ends with
		// another beforeSleep: work that clusterBeforeSleep left for the
		// next one (the election a manual failover starts at once) is
		// done now, not at the next event.
		for i := 0; !s.sleeping && len(s.cl.pendingLinks) > 0; i++ {
			s.clusterFlushLinks()
			if s.cl.todo == 0 || i == 3 {
				break
			}
			s.clusterBeforeSleep()
		}
	}
	if len(s.waiters) > 0 {
		s.checkWaiters()
	}
	s.updateFailoverStatus() // acks may have come in
	s.resumeClients()
	s.trackingBroadcast()
	s.serveReady()
	s.sendGetAck()
	s.trimBacklog()
	if s.flushAOF() {
		return // replies wait for the fsync (appendfsync always)
	}
	s.flushReplies()
}

func (s *Server) flushReplies() {
	if s.sleeping {
		return
	}
	for _, c := range s.pending {
		c.flush()
	}
	clear(s.pending)
	s.pending = s.pending[:0]
}

// logVerbose is serverLog(LL_VERBOSE, ...): the line is written only
// under loglevel verbose or debug (the default, notice, drops it).
func (s *Server) logVerbose(format string, args ...any) {
	if l := s.cfg.Process.LogLevel; strings.EqualFold(l, "verbose") || strings.EqualFold(l, "debug") {
		s.env.Logf(format, args...)
	}
}

// logDebug is serverLog(LL_DEBUG, ...): written only under loglevel debug.
func (s *Server) logDebug(format string, args ...any) {
	if strings.EqualFold(s.cfg.Process.LogLevel, "debug") {
		s.env.Logf(format, args...)
	}
}
