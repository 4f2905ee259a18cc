package redis

import (
	"strconv"
	"strings"
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
		field(b, "redis_mode", s.redisMode())
		field(b, "os", "Redsim")
		field(b, "arch_bits", "64")
		field(b, "run_id", s.runID)
		field(b, "tcp_port", s.cfg.Port)
		field(b, "server_time_usec", s.env.Now().UnixMicro())
		field(b, "uptime_in_seconds", uptime)
		field(b, "uptime_in_days", uptime/86400)
		field(b, "hz", s.cfg.Hz)
		field(b, "configured_hz", s.cfg.Hz)
		field(b, "process_name", s.env.Name())
		field(b, "host", s.env.Host())
	case "clients":
		b.WriteString("# Clients\r\n")
		blocked := 0
		pubsub := 0
		for _, c := range s.clients {
			if c.blocked != nil {
				blocked++
			}
			if len(c.subs)+len(c.psubs) > 0 {
				pubsub++
			}
		}
		field(b, "connected_clients", len(s.clients))
		field(b, "maxclients", s.cfg.MaxClients)
		field(b, "blocked_clients", blocked)
		field(b, "pubsub_clients", pubsub)
		field(b, "watching_clients", len(s.watched))
	case "memory":
		b.WriteString("# Memory\r\n")
		mem := s.usedMemory()
		field(b, "used_memory", mem)
		field(b, "used_memory_human", strconv.FormatFloat(float64(mem)/(1<<20), 'f', 2, 64)+"M")
		field(b, "number_of_cached_scripts", s.scriptCount())
		field(b, "maxmemory", s.cfg.MaxMemory)
		field(b, "maxmemory_human", bytesToHuman(s.cfg.MaxMemory))
		field(b, "maxmemory_policy", s.cfg.MaxMemoryPolicy)
	case "persistence":
		b.WriteString("# Persistence\r\n")
		field(b, "loading", s.loading)
		field(b, "rdb_changes_since_last_save", s.dirty)
		field(b, "rdb_bgsave_in_progress", s.bgsaving)
		field(b, "rdb_last_save_time", s.lastSaveMs/1000)
		field(b, "rdb_last_bgsave_status", okErr(s.lastBgsaveOK))
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
		b.WriteString("# CPU\r\n")
		field(b, "used_cpu_sys", "0.000000")
		field(b, "used_cpu_user", "0.000000")
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
