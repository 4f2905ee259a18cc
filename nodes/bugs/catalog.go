package bugs

import (
	"slices"
	"strings"
)

// The sites, by name. Node code tests them with On.
const (
	// ActiveExpireSkipsDel is in redis.(*db).activeExpire.
	ActiveExpireSkipsDel = "active-expire-skips-del"
	// AOFLoadDropsLastCommand is in redis.(*Server).loadAOFFile.
	AOFLoadDropsLastCommand = "aof-load-drops-last-command"
	// AppendfsyncAlwaysAcksBeforeFsync is in redis.(*Server).flushAOF.
	AppendfsyncAlwaysAcksBeforeFsync = "appendfsync-always-acks-before-fsync"
	// BacklogTrimsTrailingPings is in redis.(*Server).trimTrailingPings,
	// called by dropLink and setMaster.
	BacklogTrimsTrailingPings = "backlog-trims-trailing-pings"
	// ChainedPsyncAfterUpstreamFullsync is in redis.(*replLink).Reply,
	// where a full resync's snapshot has loaded.
	ChainedPsyncAfterUpstreamFullsync = "chained-psync-after-upstream-fullsync"
	// ClusterHalfMastersMajority is in redis.(*Server).markNodeAsFailingIfNeeded
	// and redis.(*Server).clusterHandleReplicaFailover.
	ClusterHalfMastersMajority = "cluster-half-masters-majority"
	// ClusterVoteNotFsynced is in redis.(*Server).sendFailoverAuthIfNeeded.
	ClusterVoteNotFsynced = "cluster-vote-not-fsynced"
	// FullresyncOffsetAtRequest is in redis.psyncCommand and
	// redis.(*Server).startFullSync.
	FullresyncOffsetAtRequest = "fullresync-offset-at-request"
	// IncrbyfloatDropsTTL is in redis.incrbyfloatCommand.
	IncrbyfloatDropsTTL = "incrbyfloat-drops-ttl"
	// MinReplicasRejectsMasterStream is in redis.(*client).processCommand
	// and redis.(*Server).applyMasterStream.
	MinReplicasRejectsMasterStream = "min-replicas-rejects-master-stream"
	// PartialResyncKeepsMulti is in redis.(*Server).dropLink and
	// redis.(*replLink).startStream.
	PartialResyncKeepsMulti = "partial-resync-keeps-multi"
	// RDBRenameBeforeFsync is in redis.(*Server).bgsave.
	RDBRenameBeforeFsync = "rdb-rename-before-fsync"
	// RelativeExpirePropagated is in redis.expireGeneric and
	// redis.setGeneric.
	RelativeExpirePropagated = "relative-expire-propagated"
	// ReplicaServesExpired is in redis.(*db).lookup.
	ReplicaServesExpired = "replica-serves-expired"
	// SentinelKnownReplicaIsMaster is in sentinel.(*Sentinel).rewriteSentinelOptions.
	SentinelKnownReplicaIsMaster = "sentinel-known-replica-is-master"
	// SentinelVoteNotPersisted is in sentinel.(*Sentinel).voteLeader.
	SentinelVoteNotPersisted = "sentinel-vote-not-persisted"
	// SetMasterZeroesDownSince is in redis.(*Server).setMaster and
	// redis.(*Server).dropLink.
	SetMasterZeroesDownSince = "set-master-zeroes-down-since"
	// WaitIgnoresAckOffset is in redis.(*Server).replicasAcked.
	WaitIgnoresAckOffset = "wait-ignores-ack-offset"
)

// Bug is one entry of the catalog.
type Bug struct {
	// Name names the site (the constants above) and the failpoint.
	Name string
	// Mechanism says, in a sentence or two, what the code does wrong.
	Mechanism string
	// Issue is where Redis fixed it: "redis/redis#N" for an issue or pull
	// request, "redis/redis@SHA" for a commit; "none" for a mistake
	// planted for its class (no upstream report).
	Issue string
	// Scenarios are the built-in scenarios expected to catch it, each
	// "NAME [k=v]..." as `simulate run NAME --set k=v` takes them.
	Scenarios []string
	// Uncaught, when set, says why a built-in may miss it: the conditions
	// it needs that no built-in (or not every seed) provides.
	Uncaught string
}

// catalog is sorted by name.
var catalog = []Bug{
	{
		Name: ActiveExpireSkipsDel,
		Mechanism: "The master's active expiry cycle deletes expired keys without propagating a DEL, " +
			"so replicas, which never expire keys themselves, and the AOF keep them.",
		Issue:     "none",
		Scenarios: []string{"replication", "linearizable-master"},
	},
	{
		Name: AOFLoadDropsLastCommand,
		Mechanism: "Loading the AOF stops one command short: the last complete command of the file is parsed but not executed (an off-by-one at end of file), " +
			"so the last acknowledged write is missing after a restart (and comes back at the next one, once later writes follow it).",
		Issue:     "none",
		Scenarios: []string{"standalone-crash appendfsync=always"},
	},
	{
		Name: AppendfsyncAlwaysAcksBeforeFsync,
		Mechanism: "With appendfsync always, the replies of an event are written before the AOF fsync that covers them has completed, " +
			"so a power loss in that window loses writes the clients saw acknowledged.",
		Issue:     "redis/redis#9416",
		Scenarios: []string{"standalone-crash appendfsync=always"},
		Uncaught:  "a crash must fall between a reply and the end of its fsync (1-5ms)",
	},
	{
		Name: BacklogTrimsTrailingPings,
		Mechanism: "A replica whose link drops (or a master turned replica) trims the PINGs after its last real write from its offset and backlog (6.0's meaningful offset) and PSYNCs for them again; " +
			"its own sub-replicas, which had them already, get them twice and their offsets stay ahead of the master's.",
		Issue:     "redis/redis#7306",
		Scenarios: []string{"replication chain=true write-gaps=true"},
		Uncaught: "needs r1's link to drop while the master's stream ends in PINGs (a second or more without writes) and r2 to keep streaming until the end; " +
			"write-gaps makes the first common, but later resyncs of r2 usually repair its offset: about 2 seeds in 100 show it",
	},
	{
		Name: ChainedPsyncAfterUpstreamFullsync,
		Mechanism: "After a full resync with its master, a replica keeps its sub-replicas streaming instead of disconnecting them, " +
			"so they go on from the dataset they had, as if they had partially resynced, and keep stale data.",
		Issue:     "redis/redis#2694",
		Scenarios: []string{"replication chain=true"},
	},
	{
		Name: ClusterHalfMastersMajority,
		Mechanism: "The majority of masters that Cluster's decisions need is taken as size/2 instead of size/2+1, both for a FAIL (markNodeAsFailingIfNeeded's needed_quorum) " +
			"and for winning an election (clusterHandleSlaveFailover's needed_quorum): with an even number of masters, exactly half of them mark the other half FAIL and elect its replicas, " +
			"so both sides of a 2/2 split serve every slot and the writes one side takes are lost at the heal.",
		Issue:     "none",
		Scenarios: []string{"cluster-partition-minority masters=4"},
	},
	{
		Name: ClusterVoteNotFsynced,
		Mechanism: "A master grants a failover vote (FAILOVER_AUTH_ACK) and sends it at once, without saving and fsyncing nodes.conf with the new lastVoteEpoch first, as Redis did until 3.2.12, 4.0.9 and 5.0 " +
			"(clusterSendFailoverAuthIfNeeded without clusterDoBeforeSleep(SAVE_CONFIG|FSYNC_CONFIG), the write handler without AE_BARRIER): " +
			"a master that loses power after voting forgets the vote and can vote again in the same epoch, for another replica of the same master, so two replicas win one epoch.",
		Issue:     "redis/redis@9176f4b94",
		Scenarios: []string{"cluster-vote-power-loss"},
	},
	{
		Name: FullresyncOffsetAtRequest,
		Mechanism: "+FULLRESYNC announces the master offset at the time of the PSYNC instead of at the time of the snapshot (after repl-diskless-sync-delay), " +
			"so the replica's offset lags by the writes in between, which a later partial resync applies twice.",
		Issue:     "redis/redis@292fec0",
		Scenarios: []string{"replication"},
	},
	{
		Name:      IncrbyfloatDropsTTL,
		Mechanism: "INCRBYFLOAT is propagated as SET key value without KEEPTTL, so replicas and the AOF lose the key's TTL.",
		Issue:     "redis/redis#5256",
		Scenarios: []string{"replication", "linearizable-master"},
	},
	{
		Name: MinReplicasRejectsMasterStream,
		Mechanism: "min-replicas-to-write is checked on a replica too, its master's stream included, " +
			"so a replica without enough replicas of its own refuses its master's writes and diverges.",
		Issue:     "redis/redis#1434",
		Scenarios: []string{"min-replicas"},
	},
	{
		Name: PartialResyncKeepsMulti,
		Mechanism: "When its link drops, a replica keeps the master client's unprocessed input and open MULTI instead of discarding them, " +
			"and after +CONTINUE the stream resent from its offset is applied on top of them: the commands it had not applied run twice.",
		Issue:     "redis/redis#3899",
		Scenarios: []string{"replication appendfsync=always"},
	},
	{
		Name: RDBRenameBeforeFsync,
		Mechanism: "A snapshot file is renamed over dump.rdb before it is fsynced, " +
			"so a power loss before the fsync leaves an empty or truncated dump.rdb and the node cannot load it.",
		Issue:     "none",
		Scenarios: []string{"standalone-crash persistence=rdb"},
	},
	{
		Name: RelativeExpirePropagated,
		Mechanism: "EXPIRE, PEXPIRE and SET/SETEX/PSETEX with EX or PX reach replicas with a relative time (as before 7.0), " +
			"so each replica computes the expiry from its own clock when the command arrives; the AOF keeps the absolute time.",
		Issue:     "redis/redis#8474",
		Scenarios: []string{"replication", "linearizable-master"},
	},
	{
		Name: ReplicaServesExpired,
		Mechanism: "A replica returns a key that has logically expired to reads, " +
			"instead of reporting it missing while it waits for its master's DEL.",
		Issue:     "redis/redis#1768",
		Scenarios: []string{"min-replicas"},
	},
	{
		Name: SentinelKnownReplicaIsMaster,
		Mechanism: "While a failover is in progress the leader saves its configuration with the promoted replica as the master, " +
			"but lists that same address among the known replicas instead of the old master's. A leader that crashes and restarts from that file " +
			"sees its 'replica' report itself a master and, 8 s later, sends it REPLICAOF to its own address: the new master replicates from itself and takes no writes.",
		Issue:     "redis/redis@821a98664",
		Scenarios: []string{"sentinel-crash"},
	},
	{
		Name: SentinelVoteNotPersisted,
		Mechanism: "SENTINEL IS-MASTER-DOWN-BY-ADDR records the vote for a leader in memory and replies without saving and fsyncing the configuration first, " +
			"so a sentinel that crashes and restarts has forgotten its vote and can vote again, for another candidate, in the same epoch: two leaders in one epoch.",
		Issue:     "redis/redis@16237d78c",
		Scenarios: []string{"sentinel-crash"},
	},
	{
		Name: SetMasterZeroesDownSince,
		Mechanism: "replicationSetMaster sets repl_down_since to 0 (as before redis/redis#5081), so a replica told to follow a new master counts itself disconnected since 1970 " +
			"until its link to that master is up: if the new master fails before that (soon after its election, or while this replica cannot reach it), the other replicas' data age exceeds " +
			"cluster-replica-validity-factor and none of them may start an election, so the shard stays down.",
		Issue:     "redis/redis#5081",
		Scenarios: []string{"cluster-failover-twice"},
	},
	{
		Name: WaitIgnoresAckOffset,
		Mechanism: "WAIT counts the online replicas without comparing their acknowledged offsets with the client's last write, " +
			"so it confirms writes that no replica has.",
		Issue:     "none",
		Scenarios: []string{"wait-failover"},
	},
}

// Catalog returns the entries, sorted by name.
func Catalog() []Bug {
	out := make([]Bug, len(catalog))
	for i, b := range catalog {
		b.Scenarios = slices.Clone(b.Scenarios)
		out[i] = b
	}
	return out
}

// Lookup returns the entry named name.
func Lookup(name string) (Bug, bool) {
	i, ok := slices.BinarySearchFunc(catalog, name, func(b Bug, n string) int { return strings.Compare(b.Name, n) })
	if !ok {
		return Bug{}, false
	}
	b := catalog[i]
	b.Scenarios = slices.Clone(b.Scenarios)
	return b, true
}

// names lists the entries' names, sorted.
func names() []string {
	out := make([]string, len(catalog))
	for i, b := range catalog {
		out[i] = b.Name
	}
	return out
}
