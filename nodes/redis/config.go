package redis

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/redis/glob"
)

// ExpireClock says which clock key expiry reads.
type ExpireClock uint8

const (
	// ExpireWall reads the host's wall clock, as Redis's mstime() does: a
	// clock jump expires keys early or keeps them late.
	ExpireWall ExpireClock = iota
	// ExpireMonotonic reads the wall clock once at boot and advances it by
	// the monotonic clock, so jumps after boot do not move expiry (drift
	// still does).
	ExpireMonotonic
)

// SavePoint is one `save <seconds> <changes>` rule: snapshot when at least
// Changes writes happened and Seconds have passed since the last save.
type SavePoint struct {
	Seconds int
	Changes int
}

// Config is a node's configuration, named after redis.conf; DefaultConfig
// holds Redis 7.0's defaults.
type Config struct {
	// Port is `port`.
	Port int
	// RequirePass is `requirepass`; empty means no password.
	RequirePass string
	// ACLFile is `aclfile`: the users' file on the node's disk, "" for none.
	ACLFile string
	// ACLLogMaxLen is `acllog-max-len`.
	ACLLogMaxLen int
	// ACLPubsubDefault is `acl-pubsub-default`: "resetchannels" (7.0's
	// default) or "allchannels", the channels of new users.
	ACLPubsubDefault string
	// Databases is `databases`.
	Databases int
	// Hz is `hz`: how many times a second the cron runs.
	Hz int
	// ExpireClock is the clock that key expiry reads (not a Redis option).
	ExpireClock ExpireClock
	// AppendOnly is `appendonly`.
	AppendOnly bool
	// AppendFsync is `appendfsync`: "always", "everysec" or "no".
	AppendFsync string
	// AppendFilename is `appendfilename`: the prefix of the AOF's files
	// and of its manifest.
	AppendFilename string
	// AppendDirname is `appenddirname`: the directory of the AOF's files.
	// The simulated disk has flat names, so its files are named
	// "appendonlydir/appendonly.aof.1.incr.aof"; a real disk makes the
	// directory.
	AppendDirname string
	// AOFUseRDBPreamble is `aof-use-rdb-preamble`: a rewrite writes the
	// AOF's base file in the RDB format (appendonly.aof.N.base.rdb) rather
	// than as commands (.base.aof).
	AOFUseRDBPreamble bool
	// AOFLoadTruncated is `aof-load-truncated`: load an AOF whose last
	// command is cut short, dropping that command, instead of refusing to
	// start.
	AOFLoadTruncated bool
	// DBFilename is `dbfilename`.
	DBFilename string
	// Save is `save`; nil disables snapshots on save points.
	Save []SavePoint
	// StopWritesOnBgsaveError is `stop-writes-on-bgsave-error`.
	StopWritesOnBgsaveError bool
	// MaxClients is `maxclients`.
	MaxClients int
	// ProtoMaxBulkLen is `proto-max-bulk-len` in bytes.
	ProtoMaxBulkLen int64
	// TimeoutSeconds is `timeout`: close idle clients after this long; 0
	// never.
	TimeoutSeconds int
	// HashMaxListpackEntries and HashMaxListpackValue are
	// `hash-max-listpack-entries` and `hash-max-listpack-value`.
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	// SetMaxIntsetEntries is `set-max-intset-entries`.
	SetMaxIntsetEntries int
	// ZSetMaxListpackEntries and ZSetMaxListpackValue are
	// `zset-max-listpack-entries` and `zset-max-listpack-value`.
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	// HllSparseMaxBytes is `hll-sparse-max-bytes`: the size beyond which
	// a sparse HyperLogLog becomes dense.
	HllSparseMaxBytes int
	// ListMaxListpackSize and ListCompressDepth are `list-max-listpack-size`
	// and `list-compress-depth`: how lists are cut into quicklist nodes in
	// RDB files and DUMP payloads.
	ListMaxListpackSize int
	ListCompressDepth   int
	// RDBCompression and RDBChecksum are `rdbcompression` and `rdbchecksum`.
	RDBCompression bool
	RDBChecksum    bool
	// ReplicaAnnounceIP, ReplicaAnnouncePort and ReplicaLazyFlush are
	// `replica-announce-ip`, `replica-announce-port` and
	// `replica-lazy-flush`: kept and reported, not acted upon (the node
	// announces its listening port, and frees at once).
	ReplicaAnnounceIP   string
	ReplicaAnnouncePort int
	ReplicaLazyFlush    bool
	// StreamNodeMaxBytes and StreamNodeMaxEntries are
	// `stream-node-max-bytes` and `stream-node-max-entries`: the limits
	// of one listpack node of a stream.
	StreamNodeMaxBytes   int
	StreamNodeMaxEntries int
	// NotifyKeyspaceEvents is `notify-keyspace-events`, its classes as
	// Redis formats them ("" is off).
	NotifyKeyspaceEvents string
	// TrackingTableMaxKeys is `tracking-table-max-keys` (0 is no limit).
	TrackingTableMaxKeys int
	// Dir is what CONFIG GET dir reports; files live on the Env's disk.
	Dir string

	// ReplicaOf is `replicaof host port` as "host:port"; empty for a master.
	ReplicaOf string
	// MasterAuth is `masterauth`.
	MasterAuth string
	// ReplBacklogSize is `repl-backlog-size` in bytes.
	ReplBacklogSize int
	// ReplTimeoutSeconds is `repl-timeout`.
	ReplTimeoutSeconds int
	// ReplPingReplicaPeriod is `repl-ping-replica-period` in seconds.
	ReplPingReplicaPeriod int
	// ReplDisklessSyncDelay is `repl-diskless-sync-delay` in seconds: how
	// long a full resync waits for more replicas to share its snapshot.
	ReplDisklessSyncDelay int
	// ReplTransferBytesPerSecond is how fast a full resync's snapshot
	// crosses the link (not a Redis option; the network has latency but
	// no bandwidth model).
	ReplTransferBytesPerSecond int
	// ReplicaReadOnly is `replica-read-only`.
	ReplicaReadOnly bool
	// ReplicaServeStaleData is `replica-serve-stale-data`.
	ReplicaServeStaleData bool
	// ReplicaPriority is `replica-priority`.
	ReplicaPriority int
	// MinReplicasToWrite and MinReplicasMaxLag are `min-replicas-to-write`
	// and `min-replicas-max-lag` (seconds).
	MinReplicasToWrite int
	MinReplicasMaxLag  int

	// SlowlogLogSlowerThan is `slowlog-log-slower-than` in µs: commands
	// at least this slow enter the slow log; negative disables it.
	SlowlogLogSlowerThan int64
	// SlowlogMaxLen is `slowlog-max-len`: the entries the slow log keeps.
	SlowlogMaxLen int
	// LatencyMonitorThreshold is `latency-monitor-threshold` in ms: the
	// latency monitor records events at least this slow; 0 disables it.
	LatencyMonitorThreshold int64
	// LatencyTracking is `latency-tracking`: per-command latency
	// histograms for LATENCY HISTOGRAM and INFO latencystats.
	LatencyTracking bool
	// LatencyTrackingInfoPercentiles is
	// `latency-tracking-info-percentiles`: the percentiles INFO
	// latencystats shows.
	LatencyTrackingInfoPercentiles []float64

	// MaxMemory is `maxmemory` in bytes: past it keys are evicted as
	// MaxMemoryPolicy says, or commands refused; 0 is no limit.
	MaxMemory uint64
	// MaxMemoryPolicy is `maxmemory-policy`: noeviction, allkeys-lru,
	// volatile-lru, allkeys-lfu, volatile-lfu, allkeys-random,
	// volatile-random or volatile-ttl.
	MaxMemoryPolicy string
	// MaxMemorySamples is `maxmemory-samples`: the keys sampled per
	// database for each eviction.
	MaxMemorySamples int
	// MaxMemoryEvictionTenacity is `maxmemory-eviction-tenacity` (kept
	// for CONFIG; eviction takes no virtual time, so its limit is never
	// reached).
	MaxMemoryEvictionTenacity int
	// LFULogFactor and LFUDecayTime are `lfu-log-factor` and
	// `lfu-decay-time` (minutes).
	LFULogFactor int
	LFUDecayTime int
	// LazyFreeLazyEviction is `lazyfree-lazy-eviction`: evictions
	// propagate as UNLINK.
	LazyFreeLazyEviction bool
	// ReplicaIgnoreMaxMemory is `replica-ignore-maxmemory`.
	ReplicaIgnoreMaxMemory bool
	// BusyReplyThreshold is `busy-reply-threshold` (alias
	// `lua-time-limit`); see busyscript.go.
	BusyReplyThreshold time.Duration
	// LuaInstructionCost is the virtual time one Lua VM instruction of a
	// script takes, which decides when a long script times out and how
	// long it holds the node (busyscript.go). It is the simulator's model,
	// not a Redis parameter.
	LuaInstructionCost time.Duration
	// LoadStartCost, LoadRDBBytesPerSecond and LoadAOFBytesPerSecond
	// are how long loading a dataset takes (loading.go): a fixed cost,
	// then each byte of RDB and of AOF commands at its rate (0: no time).
	// They are the simulator's model, not Redis parameters.
	LoadStartCost         time.Duration
	LoadRDBBytesPerSecond int64
	LoadAOFBytesPerSecond int64

	// EnableProtectedConfigs is `enable-protected-configs`: "no", "yes"
	// or "local" (loopback clients only), whether CONFIG SET may change
	// dir and dbfilename.
	EnableProtectedConfigs string

	// The parameters below are kept, checked and reported as Redis 7.0.15
	// does, but their behaviour is not implemented yet: the node behaves
	// the same whatever their values. For most that is what their default
	// does (lazyfree-* no, repl-diskless-load disabled, maxmemory-clients
	// 0...), but the node enforces neither
	// protected-mode nor the default client-output-buffer-limit and
	// client-query-buffer-limit, sends no TCP keepalives, and does not
	// adapt hz (dynamic-hz). repl-diskless-sync no and
	// repl-diskless-sync-max-replicas decide when a full sync's snapshot
	// starts, as in Redis, but the snapshot is still sent as a diskless
	// one is (no dump.rdb is written for it, and a replica cannot join a
	// disk BGSAVE already running).
	// SHUTDOWN and SIGTERM (sim.Process.Terminate) obey shutdown-timeout
	// and shutdown-on-sigterm; sim.Process.Stop (simulate serve's end) is
	// an immediate stop that saves if save points are set, and nothing
	// sends SIGINT, so shutdown-on-sigint has no effect.

	// ClientOutputBufferLimit is `client-output-buffer-limit` for the
	// normal, replica and pubsub classes.
	ClientOutputBufferLimit [obufClasses]ClientBufferLimit
	// ClientQueryBufferLimit is `client-query-buffer-limit` in bytes.
	ClientQueryBufferLimit int64
	// MaxMemoryClients is `maxmemory-clients`: bytes, or a percentage of
	// maxmemory when negative (-10 is 10%); 0 is no limit.
	MaxMemoryClients int64
	// AutoAOFRewritePercentage and AutoAOFRewriteMinSize are
	// `auto-aof-rewrite-percentage` and `auto-aof-rewrite-min-size`.
	AutoAOFRewritePercentage int
	AutoAOFRewriteMinSize    int64
	// NoAppendfsyncOnRewrite is `no-appendfsync-on-rewrite`: no AOF fsync
	// while a child does I/O (Server.noFsyncNow).
	NoAppendfsyncOnRewrite bool
	// AOFRewriteIncrementalFsync and RDBSaveIncrementalFsync are
	// `aof-rewrite-incremental-fsync` and `rdb-save-incremental-fsync`.
	AOFRewriteIncrementalFsync bool
	RDBSaveIncrementalFsync    bool
	// AOFTimestampEnabled is `aof-timestamp-enabled`.
	AOFTimestampEnabled bool
	// AOFDisableAutoGC is `aof-disable-auto-gc`.
	AOFDisableAutoGC bool
	// RDBDelSyncFiles is `rdb-del-sync-files`.
	RDBDelSyncFiles bool
	// ReplBacklogTTL is `repl-backlog-ttl` in seconds.
	ReplBacklogTTL int64
	// ReplDisklessSync is `repl-diskless-sync`.
	ReplDisklessSync bool
	// ReplDisklessSyncMaxReplicas is `repl-diskless-sync-max-replicas`.
	ReplDisklessSyncMaxReplicas int
	// ReplDisklessLoad is `repl-diskless-load`: disabled, on-empty-db or
	// swapdb.
	ReplDisklessLoad string
	// ReplicaAnnounced is `replica-announced` (for Sentinel).
	ReplicaAnnounced bool
	// ReplicaIgnoreDiskWriteErrors is `replica-ignore-disk-write-errors`.
	ReplicaIgnoreDiskWriteErrors bool
	// MasterUser is `masteruser`.
	MasterUser string
	// LazyFreeLazyExpire, LazyFreeLazyServerDel, LazyFreeLazyUserDel and
	// LazyFreeLazyUserFlush are `lazyfree-lazy-expire`,
	// `lazyfree-lazy-server-del`, `lazyfree-lazy-user-del` and
	// `lazyfree-lazy-user-flush`.
	LazyFreeLazyExpire    bool
	LazyFreeLazyServerDel bool
	LazyFreeLazyUserDel   bool
	LazyFreeLazyUserFlush bool
	// ProtectedMode is `protected-mode`.
	ProtectedMode bool
	// ActiveExpireEffort is `active-expire-effort`, from 1 to 10.
	ActiveExpireEffort int
	// ActiveRehashing is `activerehashing`.
	ActiveRehashing bool
	// DynamicHz is `dynamic-hz`.
	DynamicHz bool
	// TCPKeepalive is `tcp-keepalive` in seconds.
	TCPKeepalive int
	// ShutdownTimeout is `shutdown-timeout` in seconds.
	ShutdownTimeout int
	// ShutdownOnSigint and ShutdownOnSigterm are `shutdown-on-sigint` and
	// `shutdown-on-sigterm`: default, or some of save, nosave, now, force.
	ShutdownOnSigint  string
	ShutdownOnSigterm string
	// PropagationErrorBehavior is `propagation-error-behavior`: ignore,
	// panic or panic-on-replicas.
	PropagationErrorBehavior string
	// SanitizeDumpPayload is `sanitize-dump-payload`: no, yes or clients.
	SanitizeDumpPayload string
	// RDBKeySaveDelay, KeyLoadDelay and LoadingProcessEventsIntervalBytes
	// are the hidden `rdb-key-save-delay`, `key-load-delay` and
	// `loading-process-events-interval-bytes` of Redis's own tests.
	RDBKeySaveDelay                   int
	KeyLoadDelay                      int
	LoadingProcessEventsIntervalBytes int64
	// Cluster holds the cluster-* parameters.
	Cluster ClusterConfig

	// Process holds the parameters that have no counterpart in a
	// simulation (see ProcessConfig).
	Process ProcessConfig
}

// DefaultConfig returns Redis 7.0's defaults.
func DefaultConfig() Config {
	return Config{
		Port:                    6379,
		Databases:               16,
		Hz:                      10,
		AppendFsync:             "everysec",
		AppendFilename:          "appendonly.aof",
		AppendDirname:           "appendonlydir",
		AOFUseRDBPreamble:       true,
		AOFLoadTruncated:        true,
		DBFilename:              "dump.rdb",
		Save:                    []SavePoint{{3600, 1}, {300, 100}, {60, 10000}},
		StopWritesOnBgsaveError: true,
		ACLLogMaxLen:            128,
		ACLPubsubDefault:        "resetchannels",
		MaxClients:              10000,
		ProtoMaxBulkLen:         512 << 20,
		HashMaxListpackEntries:  512,
		HashMaxListpackValue:    64,
		SetMaxIntsetEntries:     512,
		ZSetMaxListpackEntries:  128,
		ZSetMaxListpackValue:    64,
		HllSparseMaxBytes:       3000,
		ListMaxListpackSize:     -2,
		RDBCompression:          true,
		RDBChecksum:             true,
		StreamNodeMaxBytes:      4096,
		StreamNodeMaxEntries:    100,
		TrackingTableMaxKeys:    1000000,
		Dir:                     "/data",

		ReplBacklogSize:            1 << 20,
		ReplTimeoutSeconds:         60,
		ReplPingReplicaPeriod:      10,
		ReplDisklessSyncDelay:      5,
		ReplTransferBytesPerSecond: 100 << 20,
		ReplicaReadOnly:            true,
		ReplicaServeStaleData:      true,
		ReplicaPriority:            100,
		MinReplicasMaxLag:          10,

		SlowlogLogSlowerThan:           10000,
		SlowlogMaxLen:                  128,
		LatencyTracking:                true,
		LatencyTrackingInfoPercentiles: []float64{50, 99, 99.9},

		MaxMemoryPolicy:           "noeviction",
		MaxMemorySamples:          5,
		MaxMemoryEvictionTenacity: 10,
		LFULogFactor:              10,
		LFUDecayTime:              1,
		ReplicaIgnoreMaxMemory:    true,
		BusyReplyThreshold:        5 * time.Second,
		LuaInstructionCost:        DefaultLuaInstructionCost,
		LoadStartCost:             DefaultLoadStartCost,
		LoadRDBBytesPerSecond:     DefaultLoadRDBBytesPerSecond,
		LoadAOFBytesPerSecond:     DefaultLoadAOFBytesPerSecond,

		EnableProtectedConfigs: "no",
		ClientOutputBufferLimit: [obufClasses]ClientBufferLimit{
			obufReplica: {HardBytes: 256 << 20, SoftBytes: 64 << 20, SoftSeconds: 60},
			obufPubsub:  {HardBytes: 32 << 20, SoftBytes: 8 << 20, SoftSeconds: 60},
		},
		ClientQueryBufferLimit:            1 << 30,
		AutoAOFRewritePercentage:          100,
		AutoAOFRewriteMinSize:             64 << 20,
		AOFRewriteIncrementalFsync:        true,
		RDBSaveIncrementalFsync:           true,
		ReplBacklogTTL:                    3600,
		ReplDisklessSync:                  true,
		ReplDisklessLoad:                  "disabled",
		ReplicaAnnounced:                  true,
		ProtectedMode:                     true,
		ActiveExpireEffort:                1,
		ActiveRehashing:                   true,
		DynamicHz:                         true,
		TCPKeepalive:                      300,
		ShutdownTimeout:                   10,
		ShutdownOnSigint:                  "default",
		ShutdownOnSigterm:                 "default",
		PropagationErrorBehavior:          "ignore",
		SanitizeDumpPayload:               "no",
		LoadingProcessEventsIntervalBytes: 2 << 20,
		Cluster: ClusterConfig{
			ConfigFile:               "nodes.conf",
			NodeTimeoutMs:            15000,
			ReplicaValidityFactor:    10,
			MigrationBarrier:         1,
			AllowReplicaMigration:    true,
			RequireFullCoverage:      true,
			AllowPubsubshardWhenDown: true,
			PreferredEndpointType:    "ip",
		},
		Process: defaultProcessConfig(),
	}
}

// param is one CONFIG GET/SET parameter, an entry of config.c's table.
type param struct {
	name  string
	get   func(c *Config) string
	set   func(s *Server, v string) string // "" or the reason it failed
	flags paramFlag
	// apply, if not nil, runs once all the parameters of a CONFIG SET
	// are set, if this one's value changed: what Redis does in its apply
	// functions, and the node's copies of a setting (the ACL's). It
	// returns "" or why the new values cannot be used, which undoes the
	// whole CONFIG SET. Parameters with the same applyID share one apply
	// function, which runs once.
	apply   func(s *Server) string
	applyID string
}

func boolParam(name string, f func(c *Config) *bool) param {
	return yesNoParam(name, 0, f, nil)
}

// intParam is an int config from lo to hi (createIntConfig and the other
// INTEGER_CONFIG numbers compared as signed).
func intParam(name string, lo, hi int64, f func(c *Config) *int) param {
	return numParam(name, 0, intRange(lo, hi), intField(f))
}

// memParam is a size_t memory config from 0 to hi: a number of bytes
// with an optional unit, as memtoull reads it.
func memParam(name string, hi int64, f func(c *Config) *int) param {
	return numParam(name, 0, umemRange(0, hi), intField(f))
}

// memtoull is Redis 7.0.15's memtoull: digits, then nothing or one of the
// units b, k, kb, m, mb, g, gb in any case (k is 1000, kb 1024). No
// digits at all is 0; strtoull saturates, and the unit's product wraps
// around, unchecked, as in 7.0.15.
func memtoull(v string) (uint64, bool) {
	v = cStr(v) // strtoull and strcasecmp read a C string
	if strings.HasPrefix(v, "-") {
		return 0, false
	}
	i := 0
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(v[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var n uint64
	if i > 0 {
		var err error
		if n, err = strconv.ParseUint(v[:i], 10, 64); err != nil {
			n = math.MaxUint64
		}
	}
	return n * mul, true
}

func stringParam(name string, f func(c *Config) *string) param {
	return strParam(name, 0, f, nil)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// params is 7.0.15's config table, sorted by name, each alias an entry of
// its own: CONFIG GET * lists both names.
var params = func() []param {
	ps := []param{
		intParam("port", 0, 65535, func(c *Config) *int { return &c.Port }),
		{name: "requirepass", flags: flagSensitive,
			get: func(c *Config) string { return c.RequirePass },
			set: func(s *Server, v string) string { s.cfg.RequirePass = v; return "" },
			apply: func(s *Server) string {
				if s.cfg.RequirePass == "" {
					s.acl.SetRequirePass(nil) // EMPTY_STRING_IS_NULL
				} else {
					s.acl.SetRequirePass([]byte(s.cfg.RequirePass))
				}
				return ""
			}},
		strParam("aclfile", flagImmutable, func(c *Config) *string { return &c.ACLFile }, nil),
		{name: "acllog-max-len",
			get: func(c *Config) string { return strconv.Itoa(c.ACLLogMaxLen) },
			set: intParam("", 0, cLongMax, func(c *Config) *int { return &c.ACLLogMaxLen }).set,
			apply: func(s *Server) string {
				s.acl.Config.LogMaxLen = s.cfg.ACLLogMaxLen
				return ""
			}},
		{name: "acl-pubsub-default",
			get: func(c *Config) string { return c.ACLPubsubDefault },
			set: enumParam("", 0, []enumName{{"allchannels", 1}, {"resetchannels", 0}}, false, func(c *Config) *string { return &c.ACLPubsubDefault }, nil).set,
			apply: func(s *Server) string {
				s.acl.Config.PubsubDefaultAllChannels = s.cfg.ACLPubsubDefault == "allchannels"
				return ""
			}},
		numParam("databases", flagImmutable, intRange(1, cIntMax), intField(func(c *Config) *int { return &c.Databases })),
		{name: "hz",
			get: func(c *Config) string { return strconv.Itoa(c.Hz) },
			set: func(s *Server, v string) string {
				n, why := intRange(0, cIntMax).parse(v)
				if why == "" {
					why = intRange(0, cIntMax).check(n)
				}
				if why != "" {
					return why
				}
				// updateHZ: a hint, taken within CONFIG_MIN_HZ and CONFIG_MAX_HZ.
				s.cfg.Hz = int(min(max(n, 1), 500))
				return ""
			}},
		yesNoParam("appendonly", flagDenyLoading, func(c *Config) *bool { return &c.AppendOnly }, nil),
		enumParam("appendfsync", 0, appendfsyncEnum, false, func(c *Config) *string { return &c.AppendFsync }, nil),
		strParam("appendfilename", flagImmutable, func(c *Config) *string { return &c.AppendFilename }, nil),
		strParam("appenddirname", flagImmutable, func(c *Config) *string { return &c.AppendDirname }, nil),
		boolParam("aof-use-rdb-preamble", func(c *Config) *bool { return &c.AOFUseRDBPreamble }),
		boolParam("aof-load-truncated", func(c *Config) *bool { return &c.AOFLoadTruncated }),
		strParam("dbfilename", flagProtected, func(c *Config) *string { return &c.DBFilename }, func(v string) string {
			if strings.ContainsAny(v, "/\\") {
				return "dbfilename can't be a path, just a filename"
			}
			return ""
		}),
		{name: "save", get: func(c *Config) string { return formatSave(c.Save) }, set: setSave},
		boolParam("stop-writes-on-bgsave-error", func(c *Config) *bool { return &c.StopWritesOnBgsaveError }),
		numParam("maxclients", 0, uintRange(1, cUintMax), intField(func(c *Config) *int { return &c.MaxClients })),
		numParam("proto-max-bulk-len", 0, memRange(1024*1024, cLongMax), int64Field(func(c *Config) *int64 { return &c.ProtoMaxBulkLen })),
		intParam("timeout", 0, cIntMax, func(c *Config) *int { return &c.TimeoutSeconds }),
		numParam("hash-max-listpack-entries", 0, uintRange(0, cLongMax), intField(func(c *Config) *int { return &c.HashMaxListpackEntries })),
		memParam("hash-max-listpack-value", cLongMax, func(c *Config) *int { return &c.HashMaxListpackValue }),
		numParam("set-max-intset-entries", 0, uintRange(0, cLongMax), intField(func(c *Config) *int { return &c.SetMaxIntsetEntries })),
		numParam("zset-max-listpack-entries", 0, uintRange(0, cLongMax), intField(func(c *Config) *int { return &c.ZSetMaxListpackEntries })),
		memParam("zset-max-listpack-value", cLongMax, func(c *Config) *int { return &c.ZSetMaxListpackValue }),
		memParam("hll-sparse-max-bytes", cLongMax, func(c *Config) *int { return &c.HllSparseMaxBytes }),
		memParam("stream-node-max-bytes", cLongMax, func(c *Config) *int { return &c.StreamNodeMaxBytes }),
		intParam("stream-node-max-entries", 0, cLLongMax, func(c *Config) *int { return &c.StreamNodeMaxEntries }),
		notifyParam,
		numParam("tracking-table-max-keys", 0, uintRange(0, cLongMax), intField(func(c *Config) *int { return &c.TrackingTableMaxKeys })),
		// dir: the node's files live on its Env's disk, so any directory
		// is taken; Redis's chdir can fail.
		strParam("dir", flagProtected|flagDenyLoading, func(c *Config) *string { return &c.Dir }, nil),
		strParam("masterauth", flagSensitive, func(c *Config) *string { return &c.MasterAuth }, nil),
		withApply(numParam("repl-backlog-size", 0, memRange(1, cLLongMax), intField(func(c *Config) *int { return &c.ReplBacklogSize })), "",
			func(s *Server) string {
				// resizeReplicationBacklog: at least CONFIG_REPL_BACKLOG_MIN_SIZE.
				s.cfg.ReplBacklogSize = max(s.cfg.ReplBacklogSize, minBacklogSize)
				return ""
			}),
		intParam("repl-timeout", 1, cIntMax, func(c *Config) *int { return &c.ReplTimeoutSeconds }),
		intParam("repl-ping-replica-period", 1, cIntMax, func(c *Config) *int { return &c.ReplPingReplicaPeriod }),
		intParam("repl-diskless-sync-delay", 0, cIntMax, func(c *Config) *int { return &c.ReplDisklessSyncDelay }),
		boolParam("replica-read-only", func(c *Config) *bool { return &c.ReplicaReadOnly }),
		boolParam("replica-serve-stale-data", func(c *Config) *bool { return &c.ReplicaServeStaleData }),
		intParam("replica-priority", 0, cIntMax, func(c *Config) *int { return &c.ReplicaPriority }),
		intParam("min-replicas-to-write", 0, cIntMax, func(c *Config) *int { return &c.MinReplicasToWrite }),
		intParam("min-replicas-max-lag", 0, cIntMax, func(c *Config) *int { return &c.MinReplicasMaxLag }),
		intParam("list-max-listpack-size", cIntMin, cIntMax, func(c *Config) *int { return &c.ListMaxListpackSize }),
		intParam("list-compress-depth", 0, cIntMax, func(c *Config) *int { return &c.ListCompressDepth }),
		yesNoParam("rdbcompression", 0, func(c *Config) *bool { return &c.RDBCompression }, nil),
		yesNoParam("rdbchecksum", flagImmutable, func(c *Config) *bool { return &c.RDBChecksum }, nil),
		// replicaof is set by REPLICAOF, never by CONFIG SET (immutable in
		// 7.0.15's table); CONFIG GET shows the master, "" for none.
		{name: "replicaof", flags: flagImmutable, get: func(c *Config) string { return "" }},
		stringParam("replica-announce-ip", func(c *Config) *string { return &c.ReplicaAnnounceIP }),
		intParam("replica-announce-port", 0, 65535, func(c *Config) *int { return &c.ReplicaAnnouncePort }),
		boolParam("replica-lazy-flush", func(c *Config) *bool { return &c.ReplicaLazyFlush }),
	}
	ps = append(ps, adminParams...)
	ps = append(ps, evictParams...)
	ps = append(ps, busyParams...)
	ps = append(ps, moreParams()...)
	// The pre-7.0 names (createXXXConfig's alias): CONFIG GET and SET take
	// either, and CONFIG GET lists both.
	for alias, name := range configAliases { //redsim:ordered sorted below
		if i := slices.IndexFunc(ps, func(p param) bool { return p.name == name }); i >= 0 && !slices.ContainsFunc(ps, func(p param) bool { return p.name == alias }) {
			a := ps[i]
			a.name = alias
			ps = append(ps, a)
		}
	}
	slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(ps); i++ {
		if ps[i].name == ps[i-1].name {
			panic("redis: config parameter " + ps[i].name + " defined twice")
		}
	}
	return ps
}()

// configAliases maps 7.0.15's config aliases to their names.
var configAliases = map[string]string{
	"slave-serve-stale-data":        "replica-serve-stale-data",
	"slave-read-only":               "replica-read-only",
	"slave-ignore-maxmemory":        "replica-ignore-maxmemory",
	"slave-priority":                "replica-priority",
	"slave-announce-ip":             "replica-announce-ip",
	"slave-announce-port":           "replica-announce-port",
	"slave-lazy-flush":              "replica-lazy-flush",
	"repl-ping-slave-period":        "repl-ping-replica-period",
	"min-slaves-to-write":           "min-replicas-to-write",
	"min-slaves-max-lag":            "min-replicas-max-lag",
	"lua-time-limit":                "busy-reply-threshold",
	"list-max-ziplist-size":         "list-max-listpack-size",
	"hash-max-ziplist-entries":      "hash-max-listpack-entries",
	"hash-max-ziplist-value":        "hash-max-listpack-value",
	"zset-max-ziplist-entries":      "zset-max-listpack-entries",
	"zset-max-ziplist-value":        "zset-max-listpack-value",
	"slaveof":                       "replicaof",
	"cluster-slave-no-failover":     "cluster-replica-no-failover",
	"cluster-slave-validity-factor": "cluster-replica-validity-factor",
}

func findParam(name string) *param {
	name = strings.ToLower(name)
	i, ok := slices.BinarySearchFunc(params, name, func(p param, n string) int { return strings.Compare(p.name, n) })
	if !ok {
		return nil
	}
	return &params[i]
}

func formatSave(sp []SavePoint) string {
	var b strings.Builder
	for i, p := range sp {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(p.Seconds))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(p.Changes))
	}
	return b.String()
}

// setSave is setConfigSaveOption: pairs of seconds (at least 1) and
// changes (at least 0), as strtoll reads them; "" is no save point.
func setSave(s *Server, v string) string {
	args := splitConfigArgs(v)
	if len(args)%2 != 0 {
		return "Invalid save parameters"
	}
	var sp []SavePoint
	for i := 0; i < len(args); i += 2 {
		sec, ok1 := strtoll(args[i], 10)
		ch, ok2 := strtoll(args[i+1], 10)
		if !ok1 || !ok2 || sec < 1 || ch < 0 {
			return "Invalid save parameters"
		}
		// seconds is a time_t, changes an int.
		sp = append(sp, SavePoint{int(sec), int(int32(ch))})
	}
	s.cfg.Save = sp
	return ""
}

// configGetCommand is CONFIG GET: a name without glob characters is looked
// up (hidden parameters too) and answered under the name as given; a
// pattern matches the names of all but the hidden ones. A parameter that
// two arguments find is listed once.
func configGetCommand(c *client, args [][]byte) {
	type match struct {
		key string
		p   *param
	}
	var out []match
	listed := func(name string) bool {
		return slices.ContainsFunc(out, func(m match) bool { return strings.EqualFold(m.key, name) })
	}
	for _, pat := range args[2:] {
		// strpbrk and stringmatch read the pattern as a C string: up to
		// a NUL ("*\x00" matches everything); the lookup of a plain name
		// is binary-safe.
		cpat := cstr(pat, len(pat))
		if !strings.ContainsAny(cpat, "[*?") {
			if p := findParam(string(pat)); p != nil && !listed(string(pat)) {
				out = append(out, match{string(pat), p})
			}
			continue
		}
		lower := []byte(strings.ToLower(cpat))
		for i := range params {
			p := &params[i]
			if p.flags&flagHidden == 0 && !listed(p.name) && glob.Match(lower, []byte(p.name), true) {
				out = append(out, match{p.name, p})
			}
		}
	}
	c.w.WriteMapLen(len(out))
	for _, m := range out {
		c.w.WriteBulkString(m.key)
		if m.p.name == "replicaof" || m.p.name == "slaveof" {
			v := ""
			if c.s.isReplica() {
				v = c.s.masterHost + " " + strconv.Itoa(c.s.masterPort)
			}
			c.w.WriteBulkString(v)
			continue
		}
		c.w.WriteBulkString(m.p.get(&c.s.cfg))
	}
}

// configSetCommand is CONFIG SET: first every name is looked up and
// checked (unknown, immutable, protected, refused while loading, given
// twice), the first problem answering for all; then the values are set in
// order, and the first one refused restores them all; then the changes
// are applied.
func configSetCommand(c *client, args [][]byte) {
	if len(args)%2 != 0 {
		// shared.syntaxerr, not the arity error, for an odd number of
		// words (the table's arity -4 catches too few).
		c.w.WriteError(errSyntax)
		return
	}
	n := (len(args) - 2) / 2
	ps := make([]*param, n)
	var unknown, failed, why string
	hasUnknown, denyLoading := false, false
	for i := range n {
		name := string(args[2+2*i])
		p := findParam(name)
		switch {
		case hasUnknown || why != "" || denyLoading:
			// The first problem is the one reported (an unknown name
			// may be "").
		case p == nil:
			unknown, hasUnknown = name, true
		case p.flags&flagImmutable != 0:
			failed, why = name, "can't set immutable config"
		case p.flags&flagProtected != 0 && !c.s.allowProtected(c):
			failed, why = name, "can't set protected config"
		case c.s.loading && p.flags&flagDenyLoading != 0:
			denyLoading = true
		case slices.Contains(ps[:i], p):
			failed, why = name, "duplicate parameter"
		}
		ps[i] = p
	}
	switch {
	case denyLoading:
		c.w.WriteError("LOADING Redis is loading the dataset in memory")
		return
	case hasUnknown:
		c.w.WriteError("ERR Unknown option or number of arguments for CONFIG SET - '" + cstr([]byte(unknown), len(unknown)) + "'")
		return
	case why != "":
		c.w.WriteError("ERR CONFIG SET failed (possibly related to argument '" + cstr([]byte(failed), len(failed)) + "') - " + why)
		return
	}
	old := c.s.cfg
	before := make([]string, n)
	for i, p := range ps {
		before[i] = p.get(&c.s.cfg)
		if why := p.set(c.s, string(args[3+2*i])); why != "" {
			c.s.cfg = old
			c.w.WriteError("ERR CONFIG SET failed (possibly related to argument '" + p.name + "') - " + why)
			return
		}
	}
	var applied []*param
	for i, p := range ps {
		if p.apply == nil || p.get(&c.s.cfg) == before[i] || slices.ContainsFunc(applied, func(q *param) bool {
			return q.applyID != "" && q.applyID == p.applyID
		}) {
			continue
		}
		applied = append(applied, p)
		if why := p.apply(c.s); why != "" {
			// restoreBackupConfig: the old values, applied again.
			c.s.cfg = old
			for _, q := range applied {
				q.apply(c.s)
			}
			c.w.WriteError("ERR CONFIG SET failed (possibly related to argument '" + p.name + "') - " + why)
			return
		}
	}
	c.s.configChanged(old)
	c.w.WriteOK()
}

// configSetRedactions are the arguments configSetCommand redacts: the
// value of every sensitive parameter it finds, whatever else is wrong
// with the command, once it has an even number of arguments.
func configSetRedactions(args [][]byte) []int {
	if len(args)%2 != 0 {
		return nil
	}
	var red []int
	for i := 2; i+1 < len(args); i += 2 {
		if p := findParam(string(args[i])); p != nil && p.flags&flagSensitive != 0 {
			red = append(red, i+1)
		}
	}
	return red
}

// allowProtected is allowProtectedAction for enable-protected-configs.
func (s *Server) allowProtected(c *client) bool {
	switch s.cfg.EnableProtectedConfigs {
	case "yes":
		return true
	case "local":
		return isLocalClient(c)
	}
	return false
}

func configResetStatCommand(c *client, args [][]byte) {
	c.s.stats = stats{}
	c.s.resetCommandStats()
	c.w.WriteOK()
}

// configRewriteCommand is CONFIG REWRITE of a server started without a
// config file, which the node always is.
func configRewriteCommand(c *client, args [][]byte) {
	c.w.WriteError("ERR The server is running without a config file")
}

// durationMs converts a Duration to whole milliseconds.
func durationMs(d time.Duration) int64 { return int64(d / time.Millisecond) }
