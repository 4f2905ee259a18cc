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
	}
}

// param is one CONFIG GET/SET parameter.
type param struct {
	name      string
	get       func(c *Config) string
	set       func(s *Server, v string) string // "" or the reason it failed
	immutable bool
}

func boolParam(name string, f func(c *Config) *bool) param {
	return param{name: name,
		get: func(c *Config) string { return yesNo(*f(c)) },
		set: func(s *Server, v string) string {
			switch strings.ToLower(v) {
			case "yes":
				*f(&s.cfg) = true
			case "no":
				*f(&s.cfg) = false
			default:
				return "argument must be 'yes' or 'no'"
			}
			return ""
		}}
}

func intParam(name string, lo, hi int64, f func(c *Config) *int) param {
	return param{name: name,
		get: func(c *Config) string { return strconv.Itoa(*f(c)) },
		set: func(s *Server, v string) string {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "argument couldn't be parsed into an integer"
			}
			if n < lo || n > hi {
				return "argument must be between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10) + " inclusive"
			}
			*f(&s.cfg) = int(n)
			return ""
		}}
}

// memParam is a size_t memory config from 0 to hi: a number of bytes
// with an optional unit, as memtoull reads it.
func memParam(name string, hi int64, f func(c *Config) *int) param {
	return param{name: name,
		get: func(c *Config) string { return strconv.Itoa(*f(c)) },
		set: func(s *Server, v string) string {
			n, ok := memtoull(v)
			if !ok {
				return "argument must be a memory value"
			}
			if n > uint64(hi) {
				return "argument must be between 0 and " + strconv.FormatInt(hi, 10) + " inclusive"
			}
			*f(&s.cfg) = int(n)
			return ""
		}}
}

// memtoull is Redis's memtoull: digits, then nothing or one of the units
// b, k, kb, m, mb, g, gb in any case (k is 1000, kb 1024).
func memtoull(v string) (uint64, bool) {
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
		// strtoull saturates, and memtoull only refuses a string
		// without digits.
		var err error
		if n, err = strconv.ParseUint(v[:i], 10, 64); err != nil {
			n = math.MaxUint64
		}
	}
	if n > math.MaxUint64/mul {
		return 0, false
	}
	return n * mul, true
}

func stringParam(name string, f func(c *Config) *string) param {
	return param{name: name,
		get: func(c *Config) string { return *f(c) },
		set: func(s *Server, v string) string { *f(&s.cfg) = v; return "" }}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

const maxInt = int64(^uint(0) >> 1)

// params lists the parameters the framework uses, sorted by name.
var params = func() []param {
	ps := []param{
		intParam("port", 0, 65535, func(c *Config) *int { return &c.Port }),
		{name: "requirepass",
			get: func(c *Config) string { return c.RequirePass },
			set: func(s *Server, v string) string {
				s.cfg.RequirePass = v
				if v == "" {
					s.acl.SetRequirePass(nil) // EMPTY_STRING_IS_NULL
				} else {
					s.acl.SetRequirePass([]byte(v))
				}
				return ""
			}},
		{name: "aclfile", get: func(c *Config) string { return c.ACLFile }, immutable: true},
		{name: "acllog-max-len",
			get: func(c *Config) string { return strconv.Itoa(c.ACLLogMaxLen) },
			set: func(s *Server, v string) string {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					return "argument must be between 0 and 9223372036854775807 inclusive"
				}
				s.cfg.ACLLogMaxLen = int(n)
				s.acl.Config.LogMaxLen = int(n)
				return ""
			}},
		{name: "acl-pubsub-default",
			get: func(c *Config) string { return c.ACLPubsubDefault },
			set: func(s *Server, v string) string {
				v = strings.ToLower(v)
				if v != "allchannels" && v != "resetchannels" {
					return "argument(s) must be one of the following: allchannels, resetchannels"
				}
				s.cfg.ACLPubsubDefault = v
				s.acl.Config.PubsubDefaultAllChannels = v == "allchannels"
				return ""
			}},
		intParam("databases", 1, maxInt, func(c *Config) *int { return &c.Databases }),
		intParam("hz", 0, maxInt, func(c *Config) *int { return &c.Hz }),
		boolParam("appendonly", func(c *Config) *bool { return &c.AppendOnly }),
		{name: "appendfsync",
			get: func(c *Config) string { return c.AppendFsync },
			set: func(s *Server, v string) string {
				v = strings.ToLower(v)
				if v != "always" && v != "everysec" && v != "no" {
					return "argument(s) must be one of the following: always, everysec, no"
				}
				s.cfg.AppendFsync = v
				return ""
			}},
		{name: "appendfilename", get: func(c *Config) string { return c.AppendFilename }, immutable: true},
		{name: "appenddirname", get: func(c *Config) string { return c.AppendDirname }, immutable: true},
		boolParam("aof-use-rdb-preamble", func(c *Config) *bool { return &c.AOFUseRDBPreamble }),
		boolParam("aof-load-truncated", func(c *Config) *bool { return &c.AOFLoadTruncated }),
		stringParam("dbfilename", func(c *Config) *string { return &c.DBFilename }),
		{name: "save", get: func(c *Config) string { return formatSave(c.Save) }, set: setSave},
		boolParam("stop-writes-on-bgsave-error", func(c *Config) *bool { return &c.StopWritesOnBgsaveError }),
		intParam("maxclients", 1, maxInt, func(c *Config) *int { return &c.MaxClients }),
		{name: "proto-max-bulk-len",
			get: func(c *Config) string { return strconv.FormatInt(c.ProtoMaxBulkLen, 10) },
			set: func(s *Server, v string) string {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 1024*1024 {
					return "argument must be a memory value"
				}
				s.cfg.ProtoMaxBulkLen = n
				return ""
			}},
		intParam("timeout", 0, 2147483647, func(c *Config) *int { return &c.TimeoutSeconds }),
		intParam("hash-max-listpack-entries", 0, maxInt, func(c *Config) *int { return &c.HashMaxListpackEntries }),
		intParam("hash-max-listpack-value", 0, maxInt, func(c *Config) *int { return &c.HashMaxListpackValue }),
		intParam("set-max-intset-entries", 0, maxInt, func(c *Config) *int { return &c.SetMaxIntsetEntries }),
		intParam("zset-max-listpack-entries", 0, maxInt, func(c *Config) *int { return &c.ZSetMaxListpackEntries }),
		intParam("zset-max-listpack-value", 0, maxInt, func(c *Config) *int { return &c.ZSetMaxListpackValue }),
		memParam("hll-sparse-max-bytes", maxInt, func(c *Config) *int { return &c.HllSparseMaxBytes }),
		memParam("stream-node-max-bytes", maxInt, func(c *Config) *int { return &c.StreamNodeMaxBytes }),
		intParam("stream-node-max-entries", 0, maxInt, func(c *Config) *int { return &c.StreamNodeMaxEntries }),
		notifyParam,
		intParam("tracking-table-max-keys", 0, maxInt, func(c *Config) *int { return &c.TrackingTableMaxKeys }),
		stringParam("dir", func(c *Config) *string { return &c.Dir }),
		stringParam("masterauth", func(c *Config) *string { return &c.MasterAuth }),
		intParam("repl-backlog-size", 1, maxInt, func(c *Config) *int { return &c.ReplBacklogSize }),
		intParam("repl-timeout", 1, maxInt, func(c *Config) *int { return &c.ReplTimeoutSeconds }),
		intParam("repl-ping-replica-period", 1, maxInt, func(c *Config) *int { return &c.ReplPingReplicaPeriod }),
		intParam("repl-diskless-sync-delay", 0, maxInt, func(c *Config) *int { return &c.ReplDisklessSyncDelay }),
		boolParam("replica-read-only", func(c *Config) *bool { return &c.ReplicaReadOnly }),
		boolParam("replica-serve-stale-data", func(c *Config) *bool { return &c.ReplicaServeStaleData }),
		intParam("replica-priority", 0, maxInt, func(c *Config) *int { return &c.ReplicaPriority }),
		intParam("min-replicas-to-write", 0, maxInt, func(c *Config) *int { return &c.MinReplicasToWrite }),
		intParam("min-replicas-max-lag", 0, maxInt, func(c *Config) *int { return &c.MinReplicasMaxLag }),
	}
	ps = append(ps, adminParams...)
	ps = append(ps, evictParams...)
	ps = append(ps, busyParams...)
	ps = append(ps,
		intParam("list-max-listpack-size", math.MinInt32, math.MaxInt32, func(c *Config) *int { return &c.ListMaxListpackSize }),
		intParam("list-compress-depth", 0, math.MaxInt32, func(c *Config) *int { return &c.ListCompressDepth }),
		boolParam("rdbcompression", func(c *Config) *bool { return &c.RDBCompression }),
		boolParam("rdbchecksum", func(c *Config) *bool { return &c.RDBChecksum }),
		// replicaof is set by REPLICAOF, never by CONFIG SET (immutable in
		// 7.0.15's table); CONFIG GET shows the master, "" for none.
		param{name: "replicaof", immutable: true, get: func(c *Config) string { return "" }},
		stringParam("replica-announce-ip", func(c *Config) *string { return &c.ReplicaAnnounceIP }),
		intParam("replica-announce-port", 0, 65535, func(c *Config) *int { return &c.ReplicaAnnouncePort }),
		boolParam("replica-lazy-flush", func(c *Config) *bool { return &c.ReplicaLazyFlush }),
	)
	// The pre-7.0 names (createXXXConfig's alias): CONFIG GET and SET take
	// either, and CONFIG GET lists both.
	for alias, name := range configAliases { //redsim:ordered sorted below
		if i := slices.IndexFunc(ps, func(p param) bool { return p.name == name }); i >= 0 && !slices.ContainsFunc(ps, func(p param) bool { return p.name == alias }) {
			a := ps[i]
			a.name = alias
			ps = append(ps, a)
		}
	}
	for i := range ps {
		if ps[i].name == "databases" {
			ps[i].immutable = true
		}
	}
	slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
	return ps
}()

// configAliases maps 7.0.15's config aliases to their names.
var configAliases = map[string]string{
	"slave-serve-stale-data":   "replica-serve-stale-data",
	"slave-read-only":          "replica-read-only",
	"slave-ignore-maxmemory":   "replica-ignore-maxmemory",
	"slave-priority":           "replica-priority",
	"slave-announce-ip":        "replica-announce-ip",
	"slave-announce-port":      "replica-announce-port",
	"slave-lazy-flush":         "replica-lazy-flush",
	"repl-ping-slave-period":   "repl-ping-replica-period",
	"min-slaves-to-write":      "min-replicas-to-write",
	"min-slaves-max-lag":       "min-replicas-max-lag",
	"lua-time-limit":           "busy-reply-threshold",
	"list-max-ziplist-size":    "list-max-listpack-size",
	"hash-max-ziplist-entries": "hash-max-listpack-entries",
	"hash-max-ziplist-value":   "hash-max-listpack-value",
	"zset-max-ziplist-entries": "zset-max-listpack-entries",
	"zset-max-ziplist-value":   "zset-max-listpack-value",
	"slaveof":                  "replicaof",
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

func setSave(s *Server, v string) string {
	f := strings.Fields(v)
	if len(f)%2 != 0 {
		return "Invalid save parameters"
	}
	var sp []SavePoint
	for i := 0; i < len(f); i += 2 {
		sec, err1 := strconv.Atoi(f[i])
		ch, err2 := strconv.Atoi(f[i+1])
		if err1 != nil || err2 != nil || sec < 0 || ch < 0 {
			return "Invalid save parameters"
		}
		sp = append(sp, SavePoint{sec, ch})
	}
	s.cfg.Save = sp
	return ""
}

// configCommand is CONFIG GET/SET/RESETSTAT/REWRITE.
// configGetCommand is 7.0's: a name without glob characters is looked up
// and listed as typed ("CONFIG GET TIMEOUT" lists "TIMEOUT"), a pattern
// lists the names it matches; a name already listed, in any case, is
// not listed again.
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
		for i := range params {
			p := &params[i]
			if !listed(p.name) && glob.Match([]byte(strings.ToLower(cpat)), []byte(p.name), true) {
				out = append(out, match{p.name, p})
			}
		}
	}
	c.w.WriteMapLen(len(out))
	for _, m := range out {
		p := m.p
		c.w.WriteBulkString(m.key)
		if p.name == "replicaof" || p.name == "slaveof" {
			v := ""
			if c.s.isReplica() {
				v = c.s.masterHost + " " + strconv.Itoa(c.s.masterPort)
			}
			c.w.WriteBulkString(v)
			continue
		}
		c.w.WriteBulkString(p.get(&c.s.cfg))
	}
}

func configSetCommand(c *client, args [][]byte) {
	if len(args)%2 != 0 {
		// configSetCommand: shared.syntaxerr, not the arity error, for an
		// odd number of words (the table's arity -4 catches too few).
		c.w.WriteError(errSyntax)
		return
	}
	// configSetCommand checks every name before it sets any value: the
	// first name that is unknown, immutable or given twice fails the
	// command, quoted as typed (through %s: up to a NUL).
	params := make([]*param, 0, len(args)/2-1)
	for i := 2; i < len(args); i += 2 {
		p := findParam(string(args[i]))
		why := ""
		switch {
		case p == nil:
			c.w.WriteError("ERR Unknown option or number of arguments for CONFIG SET - '" + cstr(args[i], len(args[i])) + "'")
			return
		case p.immutable:
			why = "can't set immutable config"
		case slices.Contains(params, p):
			why = "duplicate parameter"
		}
		if why != "" {
			c.w.WriteError("ERR CONFIG SET failed (possibly related to argument '" + cstr(args[i], len(args[i])) + "') - " + why)
			return
		}
		params = append(params, p)
	}
	old := c.s.cfg
	for i := 2; i < len(args); i += 2 {
		p := params[i/2-1]
		if why := p.set(c.s, string(args[i+1])); why != "" {
			c.s.cfg = old
			c.w.WriteError("ERR CONFIG SET failed (possibly related to argument '" + p.name + "') - " + why)
			return
		}
	}
	c.s.configChanged(old)
	c.w.WriteOK()
}

func configResetStatCommand(c *client, args [][]byte) {
	c.s.stats = stats{}
	c.s.resetCommandStats()
	c.w.WriteOK()
}

func configRewriteCommand(c *client, args [][]byte) {
	c.w.WriteError("ERR The server is running without a config file")
}

// durationMs converts a Duration to whole milliseconds.
func durationMs(d time.Duration) int64 { return int64(d / time.Millisecond) }
