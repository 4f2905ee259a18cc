package redis

import "strings"

// infoDefaultSections are the sections INFO and INFO default show, in
// Redis 7.0's order; infoAllSections adds those "all" and "everything"
// add (everything would add the modules' own sections, of which the node
// has none).
var (
	infoDefaultSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}
	infoAllSections     = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"}
)

// infoSelected is genInfoSectionDict: the sections INFO's arguments ask
// for, in output order. "default", "all" and "everything" bring their
// sets; other names are taken as they are, case-insensitively, unknown
// ones showing nothing.
func infoSelected(args [][]byte) []string {
	want := map[string]bool{}
	if len(args) == 0 {
		args = [][]byte{[]byte("default")}
	}
	for _, a := range args {
		switch sec := lowerC(a); sec {
		case "default":
			for _, d := range infoDefaultSections {
				want[d] = true
			}
		case "all", "everything":
			for _, d := range infoAllSections {
				want[d] = true
			}
		default:
			want[sec] = true
		}
	}
	var out []string
	for _, sec := range infoAllSections {
		if want[sec] {
			out = append(out, sec)
		}
	}
	return out
}

// infoStats writes INFO stats with every field Redis 7.0.15 has, in its
// order. What the node does not model is reported as Redis reports it
// when it never happens: instantaneous rates (sampled on the real clock by
// Redis) as 0, forks, eviction, defragmentation, client tracking and I/O
// threads as 0.
func (s *Server) infoStats(b *strings.Builder) {
	b.WriteString("# Stats\r\n")
	field(b, "total_connections_received", s.stats.connectionsReceived)
	field(b, "total_commands_processed", s.stats.commandsProcessed)
	field(b, "instantaneous_ops_per_sec", 0)
	field(b, "total_net_input_bytes", s.stats.netInputBytes)
	field(b, "total_net_output_bytes", s.stats.netOutputBytes)
	field(b, "total_net_repl_input_bytes", 0)
	field(b, "total_net_repl_output_bytes", 0)
	for _, k := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps", "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
		field(b, k, "0.00")
	}
	field(b, "rejected_connections", s.stats.rejectedConns)
	field(b, "sync_full", s.stats.syncFull)
	field(b, "sync_partial_ok", s.stats.syncPartialOK)
	field(b, "sync_partial_err", s.stats.syncPartialErr)
	field(b, "expired_keys", s.stats.expiredKeys)
	field(b, "expired_stale_perc", "0.00")
	field(b, "expired_time_cap_reached_count", 0)
	field(b, "expire_cycle_cpu_milliseconds", 0)
	s.infoEvictionStats(b)
	field(b, "keyspace_hits", s.stats.keyspaceHits)
	field(b, "keyspace_misses", s.stats.keyspaceMisses)
	field(b, "pubsub_channels", len(s.channels))
	field(b, "pubsub_patterns", s.numPatterns()) // dictSize(server.pubsub_patterns): distinct patterns
	field(b, "pubsubshard_channels", len(s.shardChannels))
	for _, k := range []string{"latest_fork_usec", "total_forks"} {
		field(b, k, 0)
	}
	field(b, "migrate_cached_sockets", len(s.migrateSockets))
	for _, k := range []string{"slave_expires_tracked_keys",
		"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies"} {
		field(b, k, 0)
	}
	field(b, "total_error_replies", s.totalErrors)
	field(b, "dump_payload_sanitizations", 0)
	field(b, "total_reads_processed", s.readsProcessed)
	field(b, "total_writes_processed", s.writesProcessed)
	for _, k := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands"} {
		field(b, k, 0)
	}
}

// infoModulesAndCluster writes the sections of a node without modules;
// the cluster section says only whether cluster mode is on, as Redis's.
func infoModulesAndCluster(b *strings.Builder, sec string, clusterEnabled bool) {
	if sec == "modules" {
		b.WriteString("# Modules\r\n")
		return
	}
	if clusterEnabled {
		b.WriteString("# Cluster\r\ncluster_enabled:1\r\n")
		return
	}
	b.WriteString("# Cluster\r\ncluster_enabled:0\r\n")
}
