package live

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis"
)

// directives write the redis.Config fields a live run carries into
// redis.conf, by field name.
var directives = map[string]func(c *redis.Config) string{
	"RequirePass":        func(c *redis.Config) string { return "requirepass " + quote(c.RequirePass) },
	"Databases":          func(c *redis.Config) string { return "databases " + strconv.Itoa(c.Databases) },
	"Hz":                 func(c *redis.Config) string { return "hz " + strconv.Itoa(c.Hz) },
	"AppendOnly":         func(c *redis.Config) string { return "appendonly " + yesNo(c.AppendOnly) },
	"AppendFsync":        func(c *redis.Config) string { return "appendfsync " + c.AppendFsync },
	"AppendFilename":     func(c *redis.Config) string { return "appendfilename " + quote(c.AppendFilename) },
	"AppendDirname":      func(c *redis.Config) string { return "appenddirname " + quote(c.AppendDirname) },
	"AOFUseRDBPreamble":  func(c *redis.Config) string { return "aof-use-rdb-preamble " + yesNo(c.AOFUseRDBPreamble) },
	"DBFilename":         func(c *redis.Config) string { return "dbfilename " + quote(c.DBFilename) },
	"Save":               saveLine,
	"ReplBacklogSize":    func(c *redis.Config) string { return "repl-backlog-size " + strconv.Itoa(c.ReplBacklogSize) },
	"ReplTimeoutSeconds": func(c *redis.Config) string { return "repl-timeout " + strconv.Itoa(c.ReplTimeoutSeconds) },
	"ReplPingReplicaPeriod": func(c *redis.Config) string {
		return "repl-ping-replica-period " + strconv.Itoa(c.ReplPingReplicaPeriod)
	},
	"ReplDisklessSyncDelay": func(c *redis.Config) string {
		return "repl-diskless-sync-delay " + strconv.Itoa(c.ReplDisklessSyncDelay)
	},
	"ReplDisklessSync":      func(c *redis.Config) string { return "repl-diskless-sync " + yesNo(c.ReplDisklessSync) },
	"ReplDisklessLoad":      func(c *redis.Config) string { return "repl-diskless-load " + c.ReplDisklessLoad },
	"ReplicaReadOnly":       func(c *redis.Config) string { return "replica-read-only " + yesNo(c.ReplicaReadOnly) },
	"ReplicaServeStaleData": func(c *redis.Config) string { return "replica-serve-stale-data " + yesNo(c.ReplicaServeStaleData) },
	"MinReplicasToWrite":    func(c *redis.Config) string { return "min-replicas-to-write " + strconv.Itoa(c.MinReplicasToWrite) },
	"MinReplicasMaxLag":     func(c *redis.Config) string { return "min-replicas-max-lag " + strconv.Itoa(c.MinReplicasMaxLag) },
}

// simulationOnly are fields with no redis.conf counterpart (the
// simulator's costs and clocks) or that the run sets itself (Port, Dir,
// ReplicaOf, Process).
var simulationOnly = map[string]bool{
	"Port": true, "Dir": true, "ReplicaOf": true, "Process": true, "ExpireClock": true,
	"ReplTransferBytesPerSecond": true, "LuaInstructionCost": true, "LoadStartCost": true,
	"LoadRDBBytesPerSecond": true, "LoadAOFBytesPerSecond": true,
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func quote(s string) string { return strconv.Quote(s) }

func saveLine(c *redis.Config) string {
	if len(c.Save) == 0 {
		return `save ""`
	}
	parts := make([]string, 0, 2*len(c.Save))
	for _, p := range c.Save {
		parts = append(parts, strconv.Itoa(p.Seconds), strconv.Itoa(p.Changes))
	}
	return "save " + strings.Join(parts, " ")
}

// redisConf is the redis.conf of a node that listens on ip:port, keeps its
// data in dir and replicates master (an "ip port" pair, "" for none): the
// run's own lines, then one line per field of cfg that differs from
// Redis's defaults. A field that differs and that has no directive here
// is an error: the live node would silently differ from the simulated one.
func redisConf(cfg redis.Config, ip string, port int, dir, logfile, master string) (string, error) {
	lines := []string{
		"# written by simulate run --live",
		"bind " + ip,
		"bind-source-addr " + ip,
		"port " + strconv.Itoa(port),
		"protected-mode no",
		"daemonize no",
		"dir " + quote(dir),
		"logfile " + quote(logfile),
		// DEBUG DIGEST compares datasets; "local" would refuse it, as
		// 127.0.X.Y is not 127.0.0.1.
		"enable-debug-command yes",
	}
	if master != "" {
		lines = append(lines, "replicaof "+master)
	}
	got, def := reflect.ValueOf(cfg), reflect.ValueOf(redis.DefaultConfig())
	var missing []string
	for i := 0; i < got.NumField(); i++ {
		f := got.Type().Field(i)
		if !f.IsExported() || simulationOnly[f.Name] {
			continue
		}
		if reflect.DeepEqual(got.Field(i).Interface(), def.Field(i).Interface()) {
			continue
		}
		line, ok := directives[f.Name]
		if !ok {
			missing = append(missing, f.Name)
			continue
		}
		lines = append(lines, line(&cfg))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("live: the scenario sets redis.Config fields that live mode does not write to redis.conf yet: %s", strings.Join(missing, ", "))
	}
	return strings.Join(lines, "\n") + "\n", nil
}
