package redis

import (
	"strconv"
	"strings"
)

// ClientBufferLimit is one class's `client-output-buffer-limit`: a client
// whose pending output reaches HardBytes, or stays above SoftBytes for
// SoftSeconds, is closed; 0 is no limit.
type ClientBufferLimit struct {
	HardBytes   uint64
	SoftBytes   uint64
	SoftSeconds int
}

// The client classes of client-output-buffer-limit, in the order CONFIG
// GET prints them.
const (
	obufNormal = iota
	obufReplica
	obufPubsub
	obufClasses
)

var obufClassNames = [obufClasses]string{"normal", "slave", "pubsub"}

// ClusterConfig holds the cluster-* parameters.
type ClusterConfig struct {
	// Enabled is `cluster-enabled`: the node runs in cluster mode.
	Enabled bool
	// ConfigFile is `cluster-config-file`.
	ConfigFile string
	// Port is `cluster-port`: the bus port, 0 for port+10000.
	Port int
	// NodeTimeoutMs is `cluster-node-timeout` in ms.
	NodeTimeoutMs int64
	// AnnounceIP, AnnounceHostname, AnnouncePort, AnnounceTLSPort and
	// AnnounceBusPort are `cluster-announce-*`.
	AnnounceIP       string
	AnnounceHostname string
	AnnouncePort     int
	AnnounceTLSPort  int
	AnnounceBusPort  int
	// ReplicaValidityFactor is `cluster-replica-validity-factor`.
	ReplicaValidityFactor int
	// MigrationBarrier is `cluster-migration-barrier`.
	MigrationBarrier int
	// AllowReplicaMigration is `cluster-allow-replica-migration`.
	AllowReplicaMigration bool
	// RequireFullCoverage is `cluster-require-full-coverage`.
	RequireFullCoverage bool
	// ReplicaNoFailover is `cluster-replica-no-failover`.
	ReplicaNoFailover bool
	// AllowReadsWhenDown is `cluster-allow-reads-when-down`.
	AllowReadsWhenDown bool
	// AllowPubsubshardWhenDown is `cluster-allow-pubsubshard-when-down`.
	AllowPubsubshardWhenDown bool
	// PreferredEndpointType is `cluster-preferred-endpoint-type`: ip,
	// hostname or unknown-endpoint.
	PreferredEndpointType string
	// LinkSendbufLimitBytes is `cluster-link-sendbuf-limit`.
	LinkSendbufLimitBytes uint64
}

// ProcessConfig holds the parameters of a real redis-server process that
// the simulation has no counterpart for: the operating system (daemonize,
// supervised, pidfile, set-proc-title, proc-title-template, disable-thp,
// oom-score-adj, oom-score-adj-values, the *_cpulist), the allocator
// (jemalloc-bg-thread, activedefrag and active-defrag-*), threads
// (io-threads, io-threads-do-reads), logging, which is the Env's
// (loglevel, logfile, syslog-*, always-show-logo, crash-log-enabled,
// crash-memcheck-enabled, ignore-warnings, use-exit-on-panic,
// watchdog-period), sockets, which are the simulated network's (bind,
// bind-source-addr, unixsocket, unixsocketperm, tcp-backlog,
// socket-mark-id, repl-disable-tcp-nodelay) and TLS (tls-*). CONFIG GET
// reports them and CONFIG SET checks and stores them as Redis does; nothing
// reads them.
type ProcessConfig struct {
	// Daemonize, SetProcTitle, DisableTHP and JemallocBgThread are
	// `daemonize`, `set-proc-title`, `disable-thp` and `jemalloc-bg-thread`.
	Daemonize, SetProcTitle, DisableTHP, JemallocBgThread bool
	// Supervised, PidFile and ProcTitleTemplate are `supervised`,
	// `pidfile` and `proc-title-template`.
	Supervised, PidFile, ProcTitleTemplate string
	// OOMScoreAdj and OOMScoreAdjValues are `oom-score-adj` and
	// `oom-score-adj-values` (master, replica, child).
	OOMScoreAdj       string
	OOMScoreAdjValues [3]int
	// ServerCPUList, BioCPUList, AOFRewriteCPUList and BgsaveCPUList are
	// `server_cpulist`, `bio_cpulist`, `aof_rewrite_cpulist` and
	// `bgsave_cpulist`.
	ServerCPUList, BioCPUList, AOFRewriteCPUList, BgsaveCPUList string

	// ActiveDefrag and the ActiveDefrag* numbers are `activedefrag` and
	// `active-defrag-cycle-min`, `-cycle-max`, `-threshold-lower`,
	// `-threshold-upper`, `-ignore-bytes` and `-max-scan-fields`.
	ActiveDefrag                                           bool
	ActiveDefragCycleMin, ActiveDefragCycleMax             int
	ActiveDefragThresholdLower, ActiveDefragThresholdUpper int
	ActiveDefragIgnoreBytes, ActiveDefragMaxScanFld        int64

	// IOThreads and IOThreadsDoReads are `io-threads` and
	// `io-threads-do-reads`.
	IOThreads        int
	IOThreadsDoReads bool

	// LogLevel, LogFile, SyslogEnabled, SyslogIdent, SyslogFacility,
	// AlwaysShowLogo, CrashLogEnabled, CrashMemcheck and IgnoreWarnings
	// are `loglevel`, `logfile`, `syslog-enabled`, `syslog-ident`,
	// `syslog-facility`, `always-show-logo`, `crash-log-enabled`,
	// `crash-memcheck-enabled` and `ignore-warnings`.
	LogLevel, LogFile              string
	SyslogEnabled                  bool
	SyslogIdent, SyslogFacility    string
	AlwaysShowLogo                 bool
	CrashLogEnabled, CrashMemcheck bool
	IgnoreWarnings                 string
	// UseExitOnPanic and WatchdogPeriodMs are the hidden
	// `use-exit-on-panic` and `watchdog-period`.
	UseExitOnPanic   bool
	WatchdogPeriodMs int

	// Bind, BindSourceAddr, UnixSocket, UnixSocketPerm, TCPBacklog,
	// SocketMarkID and ReplDisableTCPNoDelay are `bind`,
	// `bind-source-addr`, `unixsocket`, `unixsocketperm`, `tcp-backlog`,
	// `socket-mark-id` and `repl-disable-tcp-nodelay`.
	Bind                       []string
	BindSourceAddr, UnixSocket string
	UnixSocketPerm             int
	TCPBacklog                 int
	SocketMarkID               int
	ReplDisableTCPNoDelay      bool

	// The TLS* fields are the tls-* parameters of the same names.
	TLSPort                                 int
	TLSSessionCacheSize                     int
	TLSSessionCacheTimeout                  int
	TLSCluster, TLSReplication              bool
	TLSPreferServerCiphers                  bool
	TLSSessionCaching                       bool
	TLSAuthClients                          string
	TLSCertFile, TLSKeyFile, TLSKeyFilePass string
	TLSClientCertFile, TLSClientKeyFile     string
	TLSClientKeyFilePass                    string
	TLSDHParamsFile, TLSCACertFile          string
	TLSCACertDir, TLSProtocols              string
	TLSCiphers, TLSCipherSuites             string
}

// defaultProcessConfig is what a redis-server started without a config
// file reports.
func defaultProcessConfig() ProcessConfig {
	return ProcessConfig{
		SetProcTitle: true, DisableTHP: true, JemallocBgThread: true,
		Supervised: "no", ProcTitleTemplate: "{title} {listen-addr} {server-mode}",
		OOMScoreAdj: "no", OOMScoreAdjValues: [3]int{0, 200, 800},
		ActiveDefragCycleMin: 1, ActiveDefragCycleMax: 25,
		ActiveDefragThresholdLower: 10, ActiveDefragThresholdUpper: 100,
		ActiveDefragIgnoreBytes: 100 << 20, ActiveDefragMaxScanFld: 1000,
		IOThreads: 1,
		LogLevel:  "notice", SyslogIdent: "redis", SyslogFacility: "local0",
		CrashLogEnabled: true, CrashMemcheck: true,
		Bind:                []string{"*", "-::*"},
		TCPBacklog:          511,
		TLSSessionCacheSize: 20 * 1024, TLSSessionCacheTimeout: 300,
		TLSSessionCaching: true, TLSAuthClients: "yes",
	}
}

// The enums of config.c, in its order (the order of its error message).
var (
	supervisedEnum     = []enumName{{"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}}
	syslogFacilityEnum = []enumName{{"user", 8}, {"local0", 128}, {"local1", 136}, {"local2", 144}, {"local3", 152}, {"local4", 160}, {"local5", 168}, {"local6", 176}, {"local7", 184}}
	loglevelEnum       = []enumName{{"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}}
	appendfsyncEnum    = []enumName{{"everysec", 2}, {"always", 1}, {"no", 0}}
	shutdownOnSigEnum  = []enumName{{"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}}
	disklessLoadEnum   = []enumName{{"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}}
	tlsAuthClientsEnum = []enumName{{"no", 0}, {"yes", 1}, {"optional", 2}}
	oomScoreAdjEnum    = []enumName{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}
	sanitizeDumpEnum   = []enumName{{"no", 0}, {"yes", 1}, {"clients", 2}}
	protectedEnum      = []enumName{{"no", 0}, {"yes", 1}, {"local", 2}}
	endpointTypeEnum   = []enumName{{"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}}
	propagationErrEnum = []enumName{{"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}}
)

// moreParams are the parameters of config.c's table beyond those the node
// had before: those the node acts upon, those it keeps without acting
// (their Config fields say which), and the process's (ProcessConfig).
func moreParams() []param {
	p := func(c *Config) *ProcessConfig { return &c.Process }
	cl := func(c *Config) *ClusterConfig { return &c.Cluster }
	return []param{
		// Kept, behaviour not implemented.
		yesNoParam("protected-mode", 0, func(c *Config) *bool { return &c.ProtectedMode }, nil),
		yesNoParam("rdb-del-sync-files", 0, func(c *Config) *bool { return &c.RDBDelSyncFiles }, nil),
		yesNoParam("activerehashing", 0, func(c *Config) *bool { return &c.ActiveRehashing }, nil),
		yesNoParam("dynamic-hz", 0, func(c *Config) *bool { return &c.DynamicHz }, nil),
		yesNoParam("lazyfree-lazy-expire", 0, func(c *Config) *bool { return &c.LazyFreeLazyExpire }, nil),
		yesNoParam("lazyfree-lazy-server-del", 0, func(c *Config) *bool { return &c.LazyFreeLazyServerDel }, nil),
		yesNoParam("lazyfree-lazy-user-del", 0, func(c *Config) *bool { return &c.LazyFreeLazyUserDel }, nil),
		yesNoParam("lazyfree-lazy-user-flush", 0, func(c *Config) *bool { return &c.LazyFreeLazyUserFlush }, nil),
		yesNoParam("repl-diskless-sync", 0, func(c *Config) *bool { return &c.ReplDisklessSync }, nil),
		yesNoParam("aof-rewrite-incremental-fsync", 0, func(c *Config) *bool { return &c.AOFRewriteIncrementalFsync }, nil),
		yesNoParam("rdb-save-incremental-fsync", 0, func(c *Config) *bool { return &c.RDBSaveIncrementalFsync }, nil),
		yesNoParam("no-appendfsync-on-rewrite", 0, func(c *Config) *bool { return &c.NoAppendfsyncOnRewrite }, nil),
		yesNoParam("aof-timestamp-enabled", 0, func(c *Config) *bool { return &c.AOFTimestampEnabled }, nil),
		yesNoParam("aof-disable-auto-gc", 0, func(c *Config) *bool { return &c.AOFDisableAutoGC }, nil),
		yesNoParam("replica-announced", 0, func(c *Config) *bool { return &c.ReplicaAnnounced }, nil),
		yesNoParam("replica-ignore-disk-write-errors", 0, func(c *Config) *bool { return &c.ReplicaIgnoreDiskWriteErrors }, nil),
		strParam("masteruser", flagSensitive, func(c *Config) *string { return &c.MasterUser }, nil),
		enumParam("repl-diskless-load", flagDenyLoading, disklessLoadEnum, false, func(c *Config) *string { return &c.ReplDisklessLoad }, nil),
		enumParam("sanitize-dump-payload", 0, sanitizeDumpEnum, false, func(c *Config) *string { return &c.SanitizeDumpPayload }, nil),
		enumParam("propagation-error-behavior", 0, propagationErrEnum, false, func(c *Config) *string { return &c.PropagationErrorBehavior }, nil),
		enumParam("shutdown-on-sigint", 0, shutdownOnSigEnum, true, func(c *Config) *string { return &c.ShutdownOnSigint }, validShutdownOnSig),
		enumParam("shutdown-on-sigterm", 0, shutdownOnSigEnum, true, func(c *Config) *string { return &c.ShutdownOnSigterm }, validShutdownOnSig),
		numParam("auto-aof-rewrite-percentage", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &c.AutoAOFRewritePercentage })),
		numParam("auto-aof-rewrite-min-size", 0, memRange(0, cLLongMax), int64Field(func(c *Config) *int64 { return &c.AutoAOFRewriteMinSize })),
		numParam("tcp-keepalive", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &c.TCPKeepalive })),
		numParam("active-expire-effort", 0, intRange(1, 10), intField(func(c *Config) *int { return &c.ActiveExpireEffort })),
		numParam("shutdown-timeout", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &c.ShutdownTimeout })),
		numParam("repl-diskless-sync-max-replicas", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &c.ReplDisklessSyncMaxReplicas })),
		numParam("repl-backlog-ttl", 0, intRange(0, cLongMax), int64Field(func(c *Config) *int64 { return &c.ReplBacklogTTL })),
		numParam("client-query-buffer-limit", 0, umemRange(1024*1024, cLongMax), int64Field(func(c *Config) *int64 { return &c.ClientQueryBufferLimit })),
		numParam("maxmemory-clients", 0, numSpec{lo: -100, hi: cLongMax, unit: unitMemoryPercent}, int64Field(func(c *Config) *int64 { return &c.MaxMemoryClients })),
		numParam("rdb-key-save-delay", flagHidden, intRange(cIntMin, cIntMax), intField(func(c *Config) *int { return &c.RDBKeySaveDelay })),
		numParam("key-load-delay", flagHidden, intRange(cIntMin, cIntMax), intField(func(c *Config) *int { return &c.KeyLoadDelay })),
		numParam("loading-process-events-interval-bytes", flagHidden, intRange(1024, cIntMax), int64Field(func(c *Config) *int64 { return &c.LoadingProcessEventsIntervalBytes })),
		{name: "client-output-buffer-limit", get: getObufLimits, set: setObufLimits},

		// The node's fixed settings: it has no modules, and it always
		// allows DEBUG (scenarios use DEBUG SLEEP), as every harness
		// here starts real Redis with --enable-debug-command yes.
		yesNoParam("cluster-enabled", flagImmutable, func(c *Config) *bool { return &cl(c).Enabled }, nil),
		fixedParam("enable-module-command", "no"),
		fixedParam("enable-debug-command", "yes"),
		enumParam("enable-protected-configs", flagImmutable, protectedEnum, false, func(c *Config) *string { return &c.EnableProtectedConfigs }, nil),

		// Cluster mode (cluster*.go).
		strParam("cluster-config-file", flagImmutable, func(c *Config) *string { return &cl(c).ConfigFile }, nil),
		numParam("cluster-port", flagImmutable, intRange(0, 65535), intField(func(c *Config) *int { return &cl(c).Port })),
		numParam("cluster-node-timeout", 0, intRange(0, cLLongMax), int64Field(func(c *Config) *int64 { return &cl(c).NodeTimeoutMs })),
		withApply(strParam("cluster-announce-ip", 0, func(c *Config) *string { return &cl(c).AnnounceIP }, nil), "", applyClusterIP),
		withApply(strParam("cluster-announce-hostname", 0, func(c *Config) *string { return &cl(c).AnnounceHostname }, validAnnouncedHostname), "", applyClusterHostname),
		withApply(numParam("cluster-announce-port", 0, intRange(0, 65535), intField(func(c *Config) *int { return &cl(c).AnnouncePort })), "cluster-ports", applyClusterPorts),
		withApply(numParam("cluster-announce-tls-port", 0, intRange(0, 65535), intField(func(c *Config) *int { return &cl(c).AnnounceTLSPort })), "cluster-ports", applyClusterPorts),
		withApply(numParam("cluster-announce-bus-port", 0, intRange(0, 65535), intField(func(c *Config) *int { return &cl(c).AnnounceBusPort })), "cluster-ports", applyClusterPorts),
		numParam("cluster-replica-validity-factor", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &cl(c).ReplicaValidityFactor })),
		numParam("cluster-migration-barrier", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &cl(c).MigrationBarrier })),
		yesNoParam("cluster-allow-replica-migration", 0, func(c *Config) *bool { return &cl(c).AllowReplicaMigration }, nil),
		yesNoParam("cluster-require-full-coverage", 0, func(c *Config) *bool { return &cl(c).RequireFullCoverage }, nil),
		withApply(yesNoParam("cluster-replica-no-failover", 0, func(c *Config) *bool { return &cl(c).ReplicaNoFailover }, nil), "", applyClusterFlags),
		yesNoParam("cluster-allow-reads-when-down", 0, func(c *Config) *bool { return &cl(c).AllowReadsWhenDown }, nil),
		yesNoParam("cluster-allow-pubsubshard-when-down", 0, func(c *Config) *bool { return &cl(c).AllowPubsubshardWhenDown }, nil),
		enumParam("cluster-preferred-endpoint-type", 0, endpointTypeEnum, false, func(c *Config) *string { return &cl(c).PreferredEndpointType }, nil),
		numParam("cluster-link-sendbuf-limit", 0, umemRange(0, cULLMax), uint64Field(func(c *Config) *uint64 { return &cl(c).LinkSendbufLimitBytes })),

		// The process's, no counterpart in a simulation.
		yesNoParam("daemonize", flagImmutable, func(c *Config) *bool { return &p(c).Daemonize }, nil),
		yesNoParam("set-proc-title", flagImmutable, func(c *Config) *bool { return &p(c).SetProcTitle }, nil),
		yesNoParam("disable-thp", flagImmutable, func(c *Config) *bool { return &p(c).DisableTHP }, nil),
		yesNoParam("jemalloc-bg-thread", 0, func(c *Config) *bool { return &p(c).JemallocBgThread }, nil),
		enumParam("supervised", flagImmutable, supervisedEnum, false, func(c *Config) *string { return &p(c).Supervised }, nil),
		strParam("pidfile", flagImmutable, func(c *Config) *string { return &p(c).PidFile }, nil),
		strParam("proc-title-template", 0, func(c *Config) *string { return &p(c).ProcTitleTemplate }, validProcTitleTemplate),
		enumParam("oom-score-adj", 0, oomScoreAdjEnum, false, func(c *Config) *string { return &p(c).OOMScoreAdj }, nil),
		{name: "oom-score-adj-values", get: getOOMScoreAdjValues, set: setOOMScoreAdjValues},
		strParam("server_cpulist", flagImmutable, func(c *Config) *string { return &p(c).ServerCPUList }, nil),
		strParam("bio_cpulist", flagImmutable, func(c *Config) *string { return &p(c).BioCPUList }, nil),
		strParam("aof_rewrite_cpulist", flagImmutable, func(c *Config) *string { return &p(c).AOFRewriteCPUList }, nil),
		strParam("bgsave_cpulist", flagImmutable, func(c *Config) *string { return &p(c).BgsaveCPUList }, nil),
		yesNoParam("activedefrag", 0, func(c *Config) *bool { return &p(c).ActiveDefrag }, validActiveDefrag),
		numParam("active-defrag-cycle-min", 0, intRange(1, 99), intField(func(c *Config) *int { return &p(c).ActiveDefragCycleMin })),
		numParam("active-defrag-cycle-max", 0, intRange(1, 99), intField(func(c *Config) *int { return &p(c).ActiveDefragCycleMax })),
		numParam("active-defrag-threshold-lower", 0, intRange(0, 1000), intField(func(c *Config) *int { return &p(c).ActiveDefragThresholdLower })),
		numParam("active-defrag-threshold-upper", 0, intRange(0, 1000), intField(func(c *Config) *int { return &p(c).ActiveDefragThresholdUpper })),
		numParam("active-defrag-ignore-bytes", 0, umemRange(1, cLLongMax), int64Field(func(c *Config) *int64 { return &p(c).ActiveDefragIgnoreBytes })),
		numParam("active-defrag-max-scan-fields", 0, intRange(1, cLongMax), int64Field(func(c *Config) *int64 { return &p(c).ActiveDefragMaxScanFld })),
		numParam("io-threads", flagImmutable, intRange(1, 128), intField(func(c *Config) *int { return &p(c).IOThreads })),
		yesNoParam("io-threads-do-reads", flagImmutable, func(c *Config) *bool { return &p(c).IOThreadsDoReads }, nil),
		enumParam("loglevel", 0, loglevelEnum, false, func(c *Config) *string { return &p(c).LogLevel }, nil),
		strParam("logfile", flagImmutable, func(c *Config) *string { return &p(c).LogFile }, nil),
		yesNoParam("syslog-enabled", flagImmutable, func(c *Config) *bool { return &p(c).SyslogEnabled }, nil),
		strParam("syslog-ident", flagImmutable, func(c *Config) *string { return &p(c).SyslogIdent }, nil),
		enumParam("syslog-facility", flagImmutable, syslogFacilityEnum, false, func(c *Config) *string { return &p(c).SyslogFacility }, nil),
		yesNoParam("always-show-logo", flagImmutable, func(c *Config) *bool { return &p(c).AlwaysShowLogo }, nil),
		yesNoParam("crash-log-enabled", 0, func(c *Config) *bool { return &p(c).CrashLogEnabled }, nil),
		yesNoParam("crash-memcheck-enabled", 0, func(c *Config) *bool { return &p(c).CrashMemcheck }, nil),
		strParam("ignore-warnings", 0, func(c *Config) *string { return &p(c).IgnoreWarnings }, nil),
		yesNoParam("use-exit-on-panic", flagHidden, func(c *Config) *bool { return &p(c).UseExitOnPanic }, nil),
		withApply(numParam("watchdog-period", flagHidden, intRange(0, cIntMax), intField(func(c *Config) *int { return &p(c).WatchdogPeriodMs })), "",
			func(s *Server) string {
				// applyWatchdogPeriod: at least two cron periods, or off.
				if w := &s.cfg.Process.WatchdogPeriodMs; *w != 0 {
					*w = max(*w, 1000/max(s.cfg.Hz, 1)*2)
				}
				return ""
			}),
		{name: "bind", get: func(c *Config) string { return strings.Join(c.Process.Bind, " ") }, set: setBind},
		strParam("bind-source-addr", 0, func(c *Config) *string { return &p(c).BindSourceAddr }, nil),
		strParam("unixsocket", flagImmutable, func(c *Config) *string { return &p(c).UnixSocket }, nil),
		numParam("unixsocketperm", flagImmutable, numSpec{lo: 0, hi: 0o777, unsigned: true, unit: unitOctal}, intField(func(c *Config) *int { return &p(c).UnixSocketPerm })),
		numParam("tcp-backlog", flagImmutable, intRange(0, cIntMax), intField(func(c *Config) *int { return &p(c).TCPBacklog })),
		numParam("socket-mark-id", flagImmutable, uintRange(0, cUintMax), intField(func(c *Config) *int { return &p(c).SocketMarkID })),
		yesNoParam("repl-disable-tcp-nodelay", 0, func(c *Config) *bool { return &p(c).ReplDisableTCPNoDelay }, nil),
		withApply(numParam("tls-port", 0, intRange(0, 65535), intField(func(c *Config) *int { return &p(c).TLSPort })), "tls-port", applyTLS),
		withApply(numParam("tls-session-cache-size", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &p(c).TLSSessionCacheSize })), "tls", applyTLS),
		withApply(numParam("tls-session-cache-timeout", 0, intRange(0, cIntMax), intField(func(c *Config) *int { return &p(c).TLSSessionCacheTimeout })), "tls", applyTLS),
		withApply(yesNoParam("tls-cluster", 0, func(c *Config) *bool { return &p(c).TLSCluster }, nil), "tls", applyTLS),
		withApply(yesNoParam("tls-replication", 0, func(c *Config) *bool { return &p(c).TLSReplication }, nil), "tls", applyTLS),
		enumParam("tls-auth-clients", 0, tlsAuthClientsEnum, false, func(c *Config) *string { return &p(c).TLSAuthClients }, nil),
		withApply(yesNoParam("tls-prefer-server-ciphers", 0, func(c *Config) *bool { return &p(c).TLSPreferServerCiphers }, nil), "tls", applyTLS),
		withApply(yesNoParam("tls-session-caching", 0, func(c *Config) *bool { return &p(c).TLSSessionCaching }, nil), "tls", applyTLS),
		withApply(strParam("tls-cert-file", 0, func(c *Config) *string { return &p(c).TLSCertFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-key-file", 0, func(c *Config) *string { return &p(c).TLSKeyFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-key-file-pass", 0, func(c *Config) *string { return &p(c).TLSKeyFilePass }, nil), "tls", applyTLS),
		withApply(strParam("tls-client-cert-file", 0, func(c *Config) *string { return &p(c).TLSClientCertFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-client-key-file", 0, func(c *Config) *string { return &p(c).TLSClientKeyFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-client-key-file-pass", 0, func(c *Config) *string { return &p(c).TLSClientKeyFilePass }, nil), "tls", applyTLS),
		withApply(strParam("tls-dh-params-file", 0, func(c *Config) *string { return &p(c).TLSDHParamsFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-ca-cert-file", 0, func(c *Config) *string { return &p(c).TLSCACertFile }, nil), "tls", applyTLS),
		withApply(strParam("tls-ca-cert-dir", 0, func(c *Config) *string { return &p(c).TLSCACertDir }, nil), "tls", applyTLS),
		withApply(strParam("tls-protocols", 0, func(c *Config) *string { return &p(c).TLSProtocols }, nil), "tls", applyTLS),
		withApply(strParam("tls-ciphers", 0, func(c *Config) *string { return &p(c).TLSCiphers }, nil), "tls", applyTLS),
		withApply(strParam("tls-ciphersuites", 0, func(c *Config) *string { return &p(c).TLSCipherSuites }, nil), "tls", applyTLS),
	}
}

// withApply gives p an apply function shared by the parameters of id.
func withApply(p param, id string, apply func(s *Server) string) param {
	p.apply, p.applyID = apply, id
	return p
}

// applyTLS is applyTlsCfg and applyTLSPort: with TLS on (a TLS port, or
// TLS for replication or the cluster bus) Redis configures OpenSSL, which
// the node has no counterpart for: it fails as Redis does without a
// usable certificate.
func applyTLS(s *Server) string {
	p := &s.cfg.Process
	if p.TLSPort != 0 || p.TLSReplication || p.TLSCluster {
		return "Unable to update TLS configuration. Check server logs."
	}
	return ""
}

// The cluster options CONFIG SET applies to myself at once
// (updateClusterFlags, updateClusterIp, updateClusterHostname,
// updateClusterAnnouncedPort); without cluster mode they do nothing.
func applyClusterFlags(s *Server) string    { s.clusterUpdateMyselfFlags(); return "" }
func applyClusterIP(s *Server) string       { s.clusterUpdateMyselfIP(); return "" }
func applyClusterHostname(s *Server) string { s.clusterUpdateMyselfHostname(); return "" }
func applyClusterPorts(s *Server) string    { s.clusterUpdateMyselfPorts(); return "" }

// fixedParam is an immutable parameter whose value is the node's nature.
func fixedParam(name, v string) param {
	return param{name: name, flags: flagImmutable, get: func(*Config) string { return v }}
}

// validShutdownOnSig is isValidShutdownOnSigFlags.
func validShutdownOnSig(v int) string {
	if v&1 != 0 && v&2 != 0 {
		return "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	return ""
}

// validActiveDefrag is isValidActiveDefrag as the reference redis-server
// (Debian's 7.0.15 build) has it: built without HAVE_DEFRAG, it refuses
// to turn active defragmentation on.
func validActiveDefrag(on bool) string {
	if on {
		return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
	}
	return ""
}

// validAnnouncedHostname is isValidAnnouncedHostname.
func validAnnouncedHostname(v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// validProcTitleTemplate is isValidProcTitleTemplate: sdstemplate must
// know every {variable}, and the title, expanded with an empty title and
// trimmed of spaces, must not be empty.
func validProcTitleTemplate(v string) string {
	const bad = "template format is invalid or contains unknown variables"
	var out strings.Builder
	for len(v) > 0 {
		i := strings.IndexByte(v, '{')
		if i < 0 {
			out.WriteString(v)
			break
		}
		out.WriteString(v[:i])
		v = v[i+1:]
		if v == "" {
			return bad
		}
		if v[0] == '{' {
			out.WriteByte('{')
			v = v[1:]
			continue
		}
		j := strings.IndexByte(v, '}')
		if j < 0 {
			return bad
		}
		switch v[:j] {
		case "title", "server-mode", "unixsocket":
			// Empty here: no title, not cluster nor sentinel, no socket.
		case "listen-addr", "config-file", "port", "tls-port":
			out.WriteByte('x') // never empty
		default:
			return bad
		}
		v = v[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return bad
	}
	return ""
}

func getObufLimits(c *Config) string {
	var b strings.Builder
	for i, l := range c.ClientOutputBufferLimit {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(obufClassNames[i] + " " + strconv.FormatUint(l.HardBytes, 10) + " " + strconv.FormatUint(l.SoftBytes, 10) + " " + strconv.Itoa(l.SoftSeconds))
	}
	return b.String()
}

// setObufLimits is updateClientOutputBufferLimit: groups of class, hard,
// soft and seconds, all checked before any is set.
func setObufLimits(s *Server, v string) string {
	args := splitConfigArgs(v)
	if len(args)%4 != 0 {
		return "Wrong number of arguments in buffer limit configuration."
	}
	limits := s.cfg.ClientOutputBufferLimit
	for i := 0; i < len(args); i += 4 {
		var class int
		switch strings.ToLower(args[i]) {
		case "normal":
			class = obufNormal
		case "slave", "replica":
			class = obufReplica
		case "pubsub":
			class = obufPubsub
		default:
			return "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := memtoull(args[i+1])
		soft, ok2 := memtoull(args[i+2])
		secs, ok3 := strtoll(args[i+3], 10)
		if !ok1 || !ok2 || !ok3 || int32(secs) < 0 { // an int in C
			return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		limits[class] = ClientBufferLimit{HardBytes: hard, SoftBytes: soft, SoftSeconds: int(int32(secs))}
	}
	s.cfg.ClientOutputBufferLimit = limits
	return ""
}

func getOOMScoreAdjValues(c *Config) string {
	v := c.Process.OOMScoreAdjValues
	return strconv.Itoa(v[0]) + " " + strconv.Itoa(v[1]) + " " + strconv.Itoa(v[2])
}

// setOOMScoreAdjValues is setConfigOOMScoreAdjValuesOption.
func setOOMScoreAdjValues(s *Server, v string) string {
	args := splitConfigArgs(v)
	if len(args) != 3 {
		return "wrong number of arguments"
	}
	var vals [3]int
	for i, a := range args {
		n, ok := strtoll(a, 10)
		if !ok || n < -2000 || n > 2000 {
			return "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		vals[i] = int(n)
	}
	s.cfg.Process.OOMScoreAdjValues = vals
	return ""
}

// setBind is setConfigBindOption: up to 16 addresses ("" is none). Real
// Redis then binds them, and fails if it cannot; the node's listener is
// the simulated network's and stays as it is.
func setBind(s *Server, v string) string {
	args := splitConfigArgs(v)
	if len(args) > 16 {
		return "Too many bind addresses specified."
	}
	s.cfg.Process.Bind = args
	return ""
}
