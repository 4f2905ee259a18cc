package redis

import "github.com/redsim/redsim/sim"

// Coverage probes (sim.Probe): the node's rare states that a sweep should
// show it reached, and name when no seed did.
var (
	probePsyncContinue = sim.DeclareProbe("repl/psync-continue",
		"a master accepted a replica's partial resync (PSYNC +CONTINUE) and sent it the backlog's bytes it missed")
	probePsyncContinueReplid2 = sim.DeclareProbe("repl/psync-continue-replid2",
		"a promoted replica accepted a partial resync on its previous master's replication ID (replid2), as after a failover")
	probePsyncContinueAfterWrap = sim.DeclareProbe("repl/psync-continue-after-wrap",
		"a partial resync was served from a backlog that had already wrapped (overwritten its oldest bytes)")
	probePsyncNoBacklog = sim.DeclareProbe("repl/psync-refused-no-backlog",
		"a partial resync was refused because the requested offset had left the backlog (or was ahead of it): a full resync instead")
	probePsyncIDMismatch = sim.DeclareProbe("repl/psync-refused-id-mismatch",
		"a partial resync was refused because the replica's replication ID is neither of the master's")
	probePsyncSecondIDOffset = sim.DeclareProbe("repl/psync-refused-replid2-offset",
		"a partial resync on replid2 was refused because the replica asked for more than the old history held")
	probeFullResync = sim.DeclareProbe("repl/full-resync",
		"a master started a full resynchronization (a snapshot) for a replica")
	probePromoted = sim.DeclareProbe("repl/promoted",
		"a replica became a master and shifted its replication ID (REPLICAOF NO ONE, a failover)")
	probeLinkTimeout = sim.DeclareProbe("repl/link-timeout",
		"a replica dropped its link to the master after repl-timeout without data or PING")
	probeNoReplicas = sim.DeclareProbe("repl/min-replicas-refused",
		"a write was refused with NOREPLICAS: fewer good replicas than min-replicas-to-write")
	probeWaitTimeout = sim.DeclareProbe("repl/wait-timeout",
		"WAIT returned at its timeout with fewer replicas than asked for")
	probeLoadingRefused = sim.DeclareProbe("persist/loading-refused",
		"a command was answered -LOADING while the node was loading its dataset")
	probeAOFTruncated = sim.DeclareProbe("persist/aof-truncated-tail",
		"an AOF with a torn last command was truncated on load (aof-load-truncated)")
)

// The cluster's rare states.
var (
	probeClusterMoved = sim.DeclareProbe("cluster/moved",
		"a command was redirected with -MOVED: the client's slot map was stale")
	probeClusterAsk = sim.DeclareProbe("cluster/ask",
		"a command on a migrating slot's missing key was redirected with -ASK to the importing node")
	probeClusterTryAgain = sim.DeclareProbe("cluster/tryagain",
		"a multi-key command on a slot being migrated found some keys moved and some not: -TRYAGAIN")
	probeClusterDown = sim.DeclareProbe("cluster/clusterdown",
		"a command was refused with -CLUSTERDOWN (the node's cluster state was fail, or the slot unassigned)")
	probeClusterFailoverWon = sim.DeclareProbe("cluster/failover-won",
		"a replica won an election and took its master's slots")
	probeClusterUpdateDemoted = sim.DeclareProbe("cluster/update-demoted",
		"a master learned (PING, PONG or UPDATE) that its slots have an owner with a newer configEpoch and became its replica")
	probeClusterEpochCollision = sim.DeclareProbe("cluster/epoch-collision",
		"two masters had the same configEpoch and the one with the greater ID took a new one")
)
