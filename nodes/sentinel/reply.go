package sentinel

import (
	"strconv"
	"strings"
)

// replyInstance is addReplySentinelRedisInstance.
func (s *Sentinel) replyInstance(c *client, ri *instance) {
	w := c.w
	now := s.mstime()
	type field struct {
		k   string
		v   string
		num bool
		n   int64
	}
	var fs []field
	str := func(k, v string) { fs = append(fs, field{k: k, v: v}) }
	num := func(k string, n int64) { fs = append(fs, field{k: k, num: true, n: n}) }
	str("name", ri.name)
	str("ip", ri.addr.host)
	num("port", int64(ri.addr.port))
	str("runid", ri.runid)
	var flags []string
	add := func(bit int, name string) {
		if ri.flags&bit != 0 {
			flags = append(flags, name)
		}
	}
	add(sriSDown, "s_down")
	add(sriODown, "o_down")
	add(sriMaster, "master")
	add(sriSlave, "slave")
	add(sriSentinel, "sentinel")
	if ri.link.disconnected {
		flags = append(flags, "disconnected")
	}
	add(sriMasterDown, "master_down")
	add(sriFailoverInProg, "failover_in_progress")
	add(sriPromoted, "promoted")
	add(sriReconfSent, "reconf_sent")
	add(sriReconfInprog, "reconf_inprog")
	add(sriReconfDone, "reconf_done")
	add(sriForceFailover, "force_failover")
	add(sriScriptKillSent, "script_kill_sent")
	str("flags", strings.Join(flags, ","))
	num("link-pending-commands", int64(ri.link.pending))
	num("link-refcount", int64(ri.link.refcount))
	if ri.flags&sriFailoverInProg != 0 {
		str("failover-state", failoverStateStr(ri.failoverState))
	}
	if ri.link.actPing != 0 {
		num("last-ping-sent", now-ri.link.actPing)
	} else {
		num("last-ping-sent", 0)
	}
	num("last-ok-ping-reply", now-ri.link.lastAvail)
	num("last-ping-reply", now-ri.link.lastPong)
	if ri.flags&sriSDown != 0 {
		num("s-down-time", now-ri.sDownSince)
	}
	if ri.flags&sriODown != 0 {
		num("o-down-time", now-ri.oDownSince)
	}
	num("down-after-milliseconds", ri.downAfter)
	if ri.flags&(sriMaster|sriSlave) != 0 {
		if ri.infoRefresh != 0 {
			num("info-refresh", now-ri.infoRefresh)
		} else {
			num("info-refresh", 0)
		}
		if ri.roleReported == sriMaster {
			str("role-reported", "master")
		} else {
			str("role-reported", "slave")
		}
		num("role-reported-time", now-ri.roleReportedTime)
	}
	if ri.flags&sriMaster != 0 {
		num("config-epoch", int64(ri.configEpoch))
		num("num-slaves", int64(len(ri.slaves)))
		num("num-other-sentinels", int64(len(ri.sentinels)))
		num("quorum", int64(ri.quorum))
		num("failover-timeout", ri.failoverTimeout)
		num("parallel-syncs", int64(ri.parallelSyncs))
	}
	if ri.flags&sriSlave != 0 {
		num("master-link-down-time", ri.masterLinkDownTime)
		if ri.slaveMasterLinkStatus == linkStatusUp {
			str("master-link-status", "ok")
		} else {
			str("master-link-status", "err")
		}
		if ri.hasSlaveMasterHost {
			str("master-host", ri.slaveMasterHost)
		} else {
			str("master-host", "?")
		}
		num("master-port", int64(ri.slaveMasterPort))
		num("slave-priority", int64(ri.slavePriority))
		num("slave-repl-offset", int64(ri.slaveReplOffset))
		num("replica-announced", int64(ri.replicaAnnounced))
	}
	if ri.flags&sriSentinel != 0 {
		num("last-hello-message", now-ri.lastHelloTime)
		if ri.leaderSet {
			str("voted-leader", ri.leader)
		} else {
			str("voted-leader", "?")
		}
		num("voted-leader-epoch", int64(ri.leaderEpoch))
	}
	w.WriteMapLen(len(fs))
	for _, f := range fs {
		w.WriteBulkString(f.k)
		if f.num {
			w.WriteBulkInt(f.n)
		} else {
			w.WriteBulkString(f.v)
		}
	}
}

// replyInstances is addReplyDictOfRedisInstances: unannounced replicas are
// left out.
func (s *Sentinel) replyInstances(c *client, list []*instance) {
	n := 0
	for _, ri := range list {
		if ri.flags&sriSlave != 0 && ri.replicaAnnounced == 0 {
			continue
		}
		n++
	}
	c.w.WriteArrayLen(n)
	for _, ri := range list {
		if ri.flags&sriSlave != 0 && ri.replicaAnnounced == 0 {
			continue
		}
		s.replyInstance(c, ri)
	}
}

// infoCommand is sentinelInfoCommand: sections server, clients, cpu,
// stats and sentinel; "all", "everything" and no argument mean them all.
func (s *Sentinel) infoCommand(c *client, argv []string) {
	want := map[string]bool{}
	all := len(argv) == 1
	for _, a := range argv[1:] {
		a = lowerC(a) // sdsnew: up to a NUL
		switch a {
		case "all", "everything", "default":
			all = true
		default:
			want[a] = true
		}
	}
	on := func(sec string) bool { return all || want[sec] }
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
	}
	kv := func(k, v string) { b.WriteString(k + ":" + v + "\r\n") }
	now := s.mstime()
	zero := func(keys ...string) {
		for _, k := range keys {
			kv(k, "0")
		}
	}
	if on("server") {
		// genRedisInfoString's server section. What depends on the build
		// and the machine is the Debian build of 7.0.15 on Linux: a
		// simulated process has no pid, binary or kernel of its own.
		sep()
		b.WriteString("# Server\r\n")
		kv("redis_version", Version)
		kv("redis_git_sha1", "00000000")
		kv("redis_git_dirty", "0")
		kv("redis_build_id", "ae4d7c971a948f0")
		kv("redis_mode", "sentinel")
		kv("os", "Linux 6.1.0-redsim x86_64") // uname: the simulated host, named so in its release
		kv("arch_bits", "64")
		kv("monotonic_clock", "POSIX clock_gettime")
		kv("multiplexing_api", "epoll")
		kv("atomicvar_api", "c11-builtin")
		kv("gcc_version", "12.2.0")
		kv("process_id", "1")
		kv("process_supervised", "no")
		kv("run_id", s.runID)
		kv("tcp_port", strconv.Itoa(s.port))
		kv("server_time_usec", strconv.FormatInt(now*1000, 10))
		up := (now - s.bootMs) / 1000
		kv("uptime_in_seconds", strconv.FormatInt(up, 10))
		kv("uptime_in_days", strconv.FormatInt(up/86400, 10))
		kv("hz", strconv.Itoa(s.hz))
		kv("configured_hz", strconv.Itoa(configDefaultHz))
		kv("lru_clock", strconv.FormatInt(now/1000&(1<<24-1), 10)) // getLRUClock
		kv("executable", "redis-sentinel")
		kv("config_file", s.o.ConfigFile)
		kv("io_threads_active", "0")
	}
	if on("clients") {
		sep()
		b.WriteString("# Clients\r\n")
		tracking := 0
		for _, c := range s.clients {
			if c.tracking.on {
				tracking++
			}
		}
		kv("connected_clients", strconv.Itoa(len(s.clients)))
		kv("cluster_connections", "0")
		kv("maxclients", strconv.FormatUint(uint64(s.maxClients), 10))
		zero("client_recent_max_input_buffer", "client_recent_max_output_buffer", "blocked_clients")
		kv("tracking_clients", strconv.Itoa(tracking))
		kv("clients_in_timeout_table", "0")
	}
	if on("stats") {
		sep()
		b.WriteString("# Stats\r\n")
		kv("total_connections_received", strconv.FormatInt(s.stats.connections, 10))
		kv("total_commands_processed", strconv.FormatInt(s.stats.commands, 10))
		kv("instantaneous_ops_per_sec", "0")
		kv("total_net_input_bytes", strconv.FormatInt(s.stats.netIn, 10))
		kv("total_net_output_bytes", strconv.FormatInt(s.stats.netOut, 10))
		zero("total_net_repl_input_bytes", "total_net_repl_output_bytes")
		for _, k := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps", "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
			kv(k, "0.00")
		}
		kv("rejected_connections", strconv.FormatInt(s.stats.rejected, 10))
		zero("sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys")
		kv("expired_stale_perc", "0.00")
		zero("expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients",
			"total_eviction_exceeded_time", "current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses")
		kv("pubsub_channels", strconv.Itoa(len(s.channels)))
		kv("pubsub_patterns", strconv.Itoa(s.numPatterns()))
		zero("pubsubshard_channels", "latest_fork_usec", "total_forks", "migrate_cached_sockets", "slave_expires_tracked_keys",
			"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
			"total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys", "tracking_total_items")
		kv("tracking_total_prefixes", strconv.Itoa(s.trackingPrefixes()))
		kv("unexpected_error_replies", "0")
		kv("total_error_replies", strconv.FormatInt(s.stats.errors, 10))
		kv("dump_payload_sanitizations", "0")
		kv("total_reads_processed", strconv.FormatInt(s.stats.reads, 10))
		kv("total_writes_processed", strconv.FormatInt(s.stats.writes, 10))
		zero("io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands")
	}
	if on("cpu") {
		sep()
		b.WriteString("# CPU\r\n")
		for _, k := range []string{"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
			"used_cpu_sys_main_thread", "used_cpu_user_main_thread"} {
			kv(k, "0.000000")
		}
	}
	if on("sentinel") {
		sep()
		b.WriteString("# Sentinel\r\n")
		kv("sentinel_masters", strconv.Itoa(len(s.masters)))
		tilt, since := "0", "-1"
		if s.tilt {
			tilt, since = "1", strconv.FormatInt((now-s.tiltStart)/1000, 10)
		}
		kv("sentinel_tilt", tilt)
		kv("sentinel_tilt_since_seconds", since)
		kv("sentinel_running_scripts", "0")
		kv("sentinel_scripts_queue_length", "0")
		kv("sentinel_simulate_failure_flags", strconv.Itoa(s.simFailure))
		for i, m := range s.masters {
			status := "ok"
			if m.flags&sriODown != 0 {
				status = "odown"
			} else if m.flags&sriSDown != 0 {
				status = "sdown"
			}
			kv("master"+strconv.Itoa(i), "name="+m.name+",status="+status+",address="+m.addr.host+":"+strconv.Itoa(m.addr.port)+
				",slaves="+strconv.Itoa(len(m.slaves))+",sentinels="+strconv.Itoa(len(m.sentinels)+1))
		}
	}
	c.w.WriteBulkString(b.String())
}
