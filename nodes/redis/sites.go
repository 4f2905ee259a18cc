package redis

import "github.com/redsim/redsim/sim"

// Fault sites (sim.Site): places where Redis 7.0 can legally behave in a
// rare way, which a run with buggify on makes it do now and then. Each is
// a behaviour a real node shows on a loaded host, a slow disk or a small
// configuration, never one it cannot.
var (
	siteAckLate = sim.DeclareSite("repl/ack-late",
		"a replica skips one REPLCONF ACK of replicationCron, as when its cron runs late: the master sees an older offset for a second more")
	siteBacklogSmall = sim.DeclareSite("repl/backlog-small",
		"a node creates its replication backlog as if repl-backlog-size were its minimum, 16 kB, so short disconnections need full resyncs")
	sitePsyncRefused = sim.DeclareSite("repl/psync-refused",
		"a master answers a replica's PSYNC with +FULLRESYNC for lack of backlog, as when a burst of writes has just wrapped the backlog")
	siteCronLate = sim.DeclareSite("server/cron-late",
		"serverCron runs up to 300 ms late, as on a loaded host: active expiry, client timeouts and save points wait")
	siteBgsaveSlow = sim.DeclareSite("persist/bgsave-slow",
		"a BGSAVE's child takes 0.5-5 s longer to write the snapshot, as with a large dataset or a slow disk")
	siteReplicaObuf = sim.DeclareSite("clients/replica-obuf-limit",
		"a master closes a replica whose output buffer passed client-output-buffer-limit (a slow replica); it reconnects and resyncs")
)
