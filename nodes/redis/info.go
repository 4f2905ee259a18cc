package redis

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/sim"
)

// What INFO server says of the build and the host. The build is Debian
// 12's redis-server 7.0.15 package, the one the differential tests run;
// the host is a simulated Linux machine, named so in the kernel release;
// the process is its host's first.
const (
	buildID    = "ae4d7c971a948f0"
	hostOS     = "Linux 6.1.0-redsim x86_64"
	processID  = 1
	executable = "/usr/bin/redis-server"
)

func infoCommand(c *client, args [][]byte) {
	var b strings.Builder
	for _, sec := range infoSelected(args[1:]) {
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		c.s.infoSection(&b, sec)
	}
	c.w.WriteVerbatimString(b.String(), "txt")
}

func field(b *strings.Builder, name string, v any) {
	b.WriteString(name)
	b.WriteByte(':')
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	b.WriteString("\r\n")
}

func (s *Server) infoSection(b *strings.Builder, sec string) {
	now := s.nowMs()
	uptime := (durationMs(s.env.Mono() - s.bootMo)) / 1000
	switch sec {
	case "server":
		b.WriteString("# Server\r\n")
		field(b, "redis_version", Version)
		field(b, "redis_git_sha1", "00000000")
		field(b, "redis_git_dirty", "0")
		field(b, "redis_build_id", buildID)
		field(b, "redis_mode", s.redisMode())
		field(b, "os", hostOS)
		field(b, "arch_bits", "64")
		field(b, "monotonic_clock", "POSIX clock_gettime")
		field(b, "multiplexing_api", "epoll")
		field(b, "atomicvar_api", "c11-builtin")
		field(b, "gcc_version", "12.2.0")
		field(b, "process_id", processID)
		field(b, "process_supervised", "no")
		field(b, "run_id", s.runID)
		field(b, "tcp_port", s.cfg.Port)
		field(b, "server_time_usec", s.env.Now().UnixMicro())
		field(b, "uptime_in_seconds", uptime)
		field(b, "uptime_in_days", uptime/86400)
		field(b, "hz", s.cfg.Hz)
		field(b, "configured_hz", s.cfg.Hz)
		field(b, "lru_clock", s.lruClock)
		field(b, "executable", executable)
		field(b, "config_file", "")
		field(b, "io_threads_active", 0)
		if s.shut.endMs != 0 {
			field(b, "shutdown_in_milliseconds", s.shut.endMs-s.nowMs())
		}
	case "clients":
		b.WriteString("# Clients\r\n")
		normal, blocked, tracking, timeouts := 0, 0, 0, 0
		for _, c := range s.clients {
			if !c.isReplicaClient {
				normal++
			}
			if c.blocked != nil || c.paused != nil {
				blocked++
			}
			if c.blocked != nil && c.blocked.timer != (sim.Timer{}) {
				timeouts++
			}
			if c.tracking.on {
				tracking++
			}
		}
		field(b, "connected_clients", normal)
		field(b, "cluster_connections", s.clusterConnections())
		field(b, "maxclients", s.cfg.MaxClients)
		// The node does not model the clients' buffer allocations (its
		// CLIENT LIST shows them as 0 too).
		field(b, "client_recent_max_input_buffer", 0)
		field(b, "client_recent_max_output_buffer", 0)
		field(b, "blocked_clients", blocked)
		field(b, "tracking_clients", tracking)
		field(b, "clients_in_timeout_table", timeouts)
	case "memory":
		s.infoMemory(b)
	case "persistence":
		b.WriteString("# Persistence\r\n")
		field(b, "loading", s.loading)
		field(b, "async_loading", 0)
		// No fork, so no copy-on-write and no child's progress.
		field(b, "current_cow_peak", 0)
		field(b, "current_cow_size", 0)
		field(b, "current_cow_size_age", 0)
		field(b, "current_fork_perc", "0.00")
		field(b, "current_save_keys_processed", 0)
		field(b, "current_save_keys_total", 0)
		field(b, "rdb_changes_since_last_save", s.dirty)
		field(b, "rdb_bgsave_in_progress", s.bgsaving)
		field(b, "rdb_last_save_time", s.lastSaveMs/1000)
		field(b, "rdb_last_bgsave_status", okErr(s.lastBgsaveOK))
		field(b, "rdb_last_bgsave_time_sec", s.rdbSaveLastSec)
		current := int64(-1)
		if s.rdbSaveTimed {
			current = s.nowMs()/1000 - s.rdbSaveStartSec
		}
		field(b, "rdb_current_bgsave_time_sec", current)
		field(b, "rdb_saves", s.stats.rdbSaves)
		field(b, "rdb_last_cow_size", 0)
		field(b, "rdb_last_load_keys_expired", s.rdbLoadExpired)
		field(b, "rdb_last_load_keys_loaded", s.rdbLoadLoaded)
		s.infoAOF(b)
		s.infoLoading(b)
	case "stats":
		s.infoStats(b)
	case "commandstats":
		s.infoCommandStats(b)
	case "errorstats":
		s.infoErrorStats(b)
	case "latencystats":
		s.infoLatencyStats(b)
	case "modules", "cluster":
		infoModulesAndCluster(b, sec, s.clusterEnabled())
	case "replication":
		b.WriteString("# Replication\r\n")
		s.infoReplication(b)
	case "cpu":
		// The node's time is virtual: it uses no CPU time of its own.
		b.WriteString("# CPU\r\n")
		for _, f := range []string{"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children", "used_cpu_sys_main_thread", "used_cpu_user_main_thread"} {
			field(b, f, "0.000000")
		}
	case "keyspace":
		b.WriteString("# Keyspace\r\n")
		for _, d := range s.dbs {
			n := d.keys.Len()
			if n == 0 {
				continue
			}
			var ttlSum, ttlN int64
			d.expires.All(func(_ string, o *object) bool {
				if t := o.expireAt - now; t > 0 {
					ttlSum += t
					ttlN++
				}
				return true
			})
			avg := int64(0)
			if ttlN > 0 {
				avg = ttlSum / ttlN
			}
			field(b, "db"+strconv.Itoa(d.id), "keys="+strconv.Itoa(n)+",expires="+strconv.Itoa(d.expires.Len())+",avg_ttl="+strconv.FormatInt(avg, 10))
		}
	}
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

// redisMode is INFO's redis_mode: cluster with cluster-enabled, else
// standalone (Sentinel is a program of its own here).
func (s *Server) redisMode() string {
	if s.clusterEnabled() {
		return "cluster"
	}
	return "standalone"
}
