package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// replicationScenario is issue 4's: a master and two replicas, clients
// writing to the master, random faults on the three nodes, and after the
// final heal and a quiet period every replica must hold the master's
// dataset, having processed and acknowledged its stream up to a drain
// barrier, with no replication protocol error during the run and no resync
// loop after it (deploy.ReplicationWatch).
//
// The replication settings make the stream's hard cases common: a short
// repl-timeout turns most partitions and pauses into resyncs, kill-link
// breaks a link for about a second (a partial resync with data), and a
// backlog of a few seconds of writes overflows on the longer breaks. The
// clients run the mixed workload over a wide keyspace, so the stream
// carries every replicated command family (counters, INCRBYFLOAT, TTLs set
// relatively and absolutely, PERSIST, GETEX, MULTI/EXEC, EVAL) and a write
// it loses or mangles stays visible in the digests, which cover TTLs; a set
// client's unique elements do the same for one key.
func replicationScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "replication",
		Summary: "a master and two replicas under partitions, resets, link kills, crashes, pauses and clock jumps; replicas must converge, offsets agree, no protocol error",
		Params: append([]scenarios.Param{
			scenarios.DurationParam("duration", "60s", "virtual time the world runs"),
			scenarios.DurationParam("quiet", "20s", "fault-free time at the end, after which every replica must hold the master's dataset"),
			scenarios.DurationParam("fault-interval", "3s", "mean time between two faults"),
			scenarios.IntParam("clients", 5, 0, 1000, "mixed-workload clients on the master: every family the master replicates, over a wide keyspace"),
			scenarios.IntParam("set-clients", 1, 0, 1000, "clients adding unique elements to a set on the master: a write the stream loses stays lost, so the replicas' digests tell"),
			scenarios.BoolParam("appendonly", true, "nodes keep an AOF, so a crashed master restarts with its data"),
			scenarios.ChoiceParam("appendfsync", "everysec", scenarios.FsyncPolicies, "the AOF's fsync policy; always holds each node's event loop for an fsync after every write, replicas' included, so their links can drop while they hold unapplied stream"),
			scenarios.IntParam("repl-timeout", 3, 1, 3600, "repl-timeout in seconds: shorter than most partitions and pauses, so that links time out and replicas resync"),
			scenarios.IntParam("repl-backlog-size", 16<<10, 16<<10, 1<<30, "repl-backlog-size in bytes (Redis's least, 16kb, by default): a few seconds of the clients' writes, so that a short break is a partial resync with data and a long one overflows the backlog (a full resync)"),
			scenarios.IntParam("repl-diskless-sync-delay", 1, 0, 3600, "repl-diskless-sync-delay in seconds; below repl-timeout, so that a replica waiting for its snapshot does not time out its handshake"),
			scenarios.IntParam("repl-ping-replica-period", 1, 1, 3600, "repl-ping-replica-period in seconds; below repl-timeout, so that an idle stream does not time out"),
			scenarios.BoolParam("chain", false, "r2 replicates r1 instead of the master (chained replication: r1's own resyncs reach r2)"),
			scenarios.IntParam("max-writes-per-key", 0, -1, 1<<30, "retire a set or list key after this many writes and delete the generation before it (Elle's max-writes-per-key), so that the dataset stays bounded; 0 does so at 100 writes in runs longer than 10m (which also stream their history, keeping the operations from the final heal on for the checks) and never in shorter ones; -1 never"),
			scenarios.BoolParam("write-gaps", false, "every client falls silent for 2.5s of every 6s, so the master's stream is often idle (only PINGs) when a link drops"),
			scenarios.LatencyParam("one-way latency"),
		}, scenarios.MixedParams(200)...),
		Setup: setupReplication,
	}
}

func setupReplication(r *scenarios.Run) (scenarios.Checks, error) {
	p := r.Params
	quiet, interval, nclients, aof := p.Duration("quiet"), p.Duration("fault-interval"), p.Int("clients"), p.Bool("appendonly")
	nodes := []string{"m", "r1", "r2"}
	cfg := scenarios.NoSave()
	cfg.AppendOnly, cfg.AppendFsync = aof, p.String("appendfsync")
	cfg.ReplTimeoutSeconds, cfg.ReplBacklogSize, cfg.ReplPingReplicaPeriod = p.Int("repl-timeout"), p.Int("repl-backlog-size"), p.Int("repl-ping-replica-period")
	cfg.ReplDisklessSyncDelay = p.Int("repl-diskless-sync-delay")
	if cfg.ReplPingReplicaPeriod >= cfg.ReplTimeoutSeconds || cfg.ReplDisklessSyncDelay >= cfg.ReplTimeoutSeconds {
		return nil, fmt.Errorf("repl-ping-replica-period (%ds) and repl-diskless-sync-delay (%ds) must be below repl-timeout (%ds), or an idle link, or a replica waiting for its snapshot, times out",
			cfg.ReplPingReplicaPeriod, cfg.ReplDisklessSyncDelay, cfg.ReplTimeoutSeconds)
	}
	faultsEnd := r.Duration - quiet
	wl, err := r.Mixed()
	if err != nil {
		return nil, err
	}
	ping, delay := time.Duration(cfg.ReplPingReplicaPeriod)*time.Second, time.Duration(cfg.ReplDisklessSyncDelay)*time.Second
	if quiet/4 < ping+time.Second || quiet*3/4 < delay+3*time.Second {
		return nil, fmt.Errorf("quiet (%v) is too short: its last quarter, after the replication check's drain barrier, must span a replica's ACK (1s) and a PING (repl-ping-replica-period, %v), and the resyncs after the final heal (repl-diskless-sync-delay, %v, and a few seconds) must end before it", quiet, ping, delay)
	}
	var idleEvery, idleFor time.Duration
	if p.Bool("write-gaps") {
		idleEvery, idleFor = 6*time.Second, 2500*time.Millisecond
	}
	long := r.Duration > scenarios.LongRun
	rotate := p.Int("max-writes-per-key")
	if rotate == 0 && long {
		rotate = 100
	}
	var rot *client.Rotation
	if rotate > 0 {
		rot = &client.Rotation{MaxWritesPerKey: rotate}
		wl.Rotate(rot)
	}
	setWL := client.NewSet()
	setWL.Rotation = rot
	shard := scenarios.RedisNodes(cfg, sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}, nodes...)
	if p.Bool("chain") {
		shard[2].Upstream = "r1"
	}
	dep, err := r.Deploy(deploy.Deployment{
		Latency: scenarios.LatencyDist(p.String("latency")),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: shard}},
		Clients: []deploy.Clients{
			{Host: "c1", Count: nclients, Workload: wl, Target: "m:6379", Stop: faultsEnd + quiet/2, IdleEvery: idleEvery, IdleFor: idleFor},
			{Host: "c1", Count: p.Int("set-clients"), Workload: setWL, Target: "m:6379", Stop: faultsEnd + quiet/2, IdleEvery: idleEvery, IdleFor: idleFor},
		},
	})
	if err != nil {
		return nil, err
	}
	if long {
		// The checks need the operations from the final heal on
		// (liveness), and the nodes: the rest is counted, written to the
		// history file and forgotten.
		if err := r.StreamHistory(max(faultsEnd-quiet, 0)); err != nil {
			return nil, err
		}
		r.Observations.ChangesOnly = true
	}
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = r.Generate(nemesis.Config{
		Hosts: nodes, Interval: interval, End: faultsEnd,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true, LinkKills: true,
		MaxJump: 10 * time.Second,
	}, r.World.Stream("nemesis"))
	repl := dep.WatchReplication(deploy.ReplicationOptions{Quiet: faultsEnd, Drain: r.Duration - quiet/4})
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		var offsets string
		for _, name := range nodes {
			if s := dep.Server(name); s != nil {
				offsets += fmt.Sprintf(" %s=%s@%d", name, s.Role(), s.ReplOffset())
			}
		}
		t := dep.ReplTotals()
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), "replication offsets:"+offsets,
			fmt.Sprintf("resyncs: %d full, %d partial (%d with data), %d partial refused (%d for lack of backlog)", t.SyncFull, t.SyncPartialOK, t.SyncPartialWithData, t.SyncPartialErr, t.SyncPartialNoBacklog),
			fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		if rot != nil {
			r.Facts = append(r.Facts, fmt.Sprintf("keys rotated after %d writes: %d retired keys deleted", rotate, rot.Deleted()))
		}
		return []checker.Result{dep.Convergence(), repl.Result(), scenarios.Liveness(r, faultsEnd, quiet/4)}
	}, nil
}
