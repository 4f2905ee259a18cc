package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// replWorld is one world with several nodes (one host each) and a client
// host; nodes[i] is a testWorld sharing the world.
type replWorld struct {
	t     *testing.T
	w     *sim.World
	net   *network.Network
	nodes []*testWorld
}

func newReplWorld(t *testing.T, seed uint64, names []string, cfg func(i int) Config) *replWorld {
	t.Helper()
	w := sim.NewWorld(seed)
	w.Trace().Keep(sim.LevelInfo)
	nw, err := network.New(w, network.Config{Latency: sim.FixedDist(500 * time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	rw := &replWorld{t: t, w: w, net: nw}
	for i, name := range names {
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(2 * time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		c := cfg(i)
		p, _ := h.Spawn("redis-"+name, Program(c))
		rw.nodes = append(rw.nodes, &testWorld{t: t, w: w, host: h, node: p, cfg: c})
	}
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range rw.nodes {
		n.node.Start()
	}
	return rw
}

func replicaConfig(master string) Config {
	cfg := DefaultConfig()
	cfg.Save = nil
	cfg.ReplicaOf = master
	return cfg
}

func masterConfig() Config {
	cfg := DefaultConfig()
	cfg.Save = nil
	return cfg
}

// info returns one INFO replication field of node i.
func (rw *replWorld) info(c *testConn, field string) string {
	got := c.do("INFO", "replication")
	for _, line := range strings.Split(got, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func TestReplicationFullSyncAndStream(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1", "r2"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	m := rw.nodes[0].dial()
	for i := 0; i < 100; i++ {
		m.do("SET", "k"+itoa(int64(i)), "v")
	}
	m.do("SET", "t", "x", "PX", "100000")
	rw.w.RunFor(7 * time.Second)
	m.do("LPUSH", "l", "a", "b")
	m.do("SELECT", "3")
	m.do("INCR", "n")
	rw.w.RunFor(100 * time.Millisecond)
	want := m.do("DEBUG", "DIGEST")
	for _, r := range rw.nodes[1:] {
		c := r.dial()
		if got := c.do("DEBUG", "DIGEST"); got != want {
			t.Fatalf("%s digest %q, master %q", r.host.Name(), got, want)
		}
		if got := c.do("SET", "x", "1"); got != "-READONLY You can't write against a read only replica.\r\n" {
			t.Fatalf("write on replica: %q", got)
		}
		if got := rw.info(c, "master_link_status"); got != "up" {
			t.Fatalf("link %q", got)
		}
	}
	if got := rw.info(m, "connected_slaves"); got != "2" {
		t.Fatalf("connected_slaves %q", got)
	}
	if got := m.do("WAIT", "2", "1000"); got != ":2\r\n" {
		t.Fatalf("WAIT: %q", got)
	}
}

// The master's stream that reaches a replica while its event loop is held
// (DEBUG SLEEP, an appendfsync always fsync) waits in the master client's
// buffer and is applied when the hold ends, as any client's input is, not
// when the master next sends something (its PINGs are 10 s apart).
func TestReplicaAppliesStreamHeldWhileBlocked(t *testing.T) {
	for _, hold := range []string{"debug-sleep", "fsync-always"} {
		t.Run(hold, func(t *testing.T) {
			rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
				if i == 0 {
					return masterConfig()
				}
				cfg := replicaConfig("m:6379")
				if hold == "fsync-always" {
					cfg.AppendOnly, cfg.AppendFsync = true, "always"
				}
				return cfg
			})
			rw.w.RunFor(7 * time.Second)
			m, r := rw.nodes[0].dial(), rw.nodes[1].dial()
			switch hold {
			case "debug-sleep":
				r.send("DEBUG", "SLEEP", "0.5")
			case "fsync-always":
				// The replica's AOF write of x is fsynced for 500 ms.
				rw.nodes[1].host.Disk().SlowSyncs(500 * time.Millisecond)
				mustReply(t, m, "+OK\r\n", "SET", "x", "0")
			}
			rw.w.RunFor(10 * time.Millisecond)
			mustReply(t, m, "+OK\r\n", "SET", "a", "1")
			rw.w.RunFor(600 * time.Millisecond)
			if got := r.do("GET", "a"); got != "$1\r\n1\r\n" {
				t.Fatalf("the replica's a after the hold: %q, want the master's write applied", got)
			}
			if ms, rs := rw.nodes[0].server().ReplOffset(), rw.nodes[1].server().ReplOffset(); ms != rs {
				t.Fatalf("offsets: master %d, replica %d", ms, rs)
			}
		})
	}
}

// r2 replicates r1, which replicates m with the same replication ID. m's
// backlog no longer covers r1 when r1 reconnects, so r1 resyncs in full,
// into the same history: it must drop r2 and its own backlog first
// (replicationAttachToNewMaster), so that r2's PSYNC is answered with a
// full resync and not with old bytes of r1's backlog as if they were new.
func TestFullResyncDropsSubReplicasAndBacklog(t *testing.T) {
	rw := replTopology(t, []string{"m", "r1", "r2"}, map[string]string{"r2": "r1"}, func(cfg *Config) { cfg.ReplBacklogSize = 4096 })
	rw.w.RunFor(15 * time.Second)
	m := rw.node("m").dial()
	// Redis takes 16 kB at least (resizeReplicationBacklog): 4 values
	// of 5000 bytes are past it.
	mustReply(t, m, "+OK\r\n", "CONFIG", "SET", "repl-backlog-size", "1024")
	value := strings.Repeat("v", 5000)
	for i := 0; i < 12; i++ {
		mustReply(t, m, "+OK\r\n", "SET", "old"+itoa(int64(i)), value)
	}
	rw.w.RunFor(100 * time.Millisecond)
	if err := rw.net.Clog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		mustReply(t, m, "+OK\r\n", "SET", "new"+itoa(int64(i)), value)
	}
	if n, err := rw.net.ResetConns("m", "r1"); err != nil || n == 0 {
		t.Fatalf("reset %d connections: %v", n, err)
	}
	if err := rw.net.Unclog("m", "r1"); err != nil {
		t.Fatal(err)
	}
	rw.w.RunFor(15 * time.Second)
	r1, r2 := rw.node("r1"), rw.node("r2")
	if got := r1.server().ReplStats().FullSyncs; got != 2 {
		t.Fatalf("r1 made %d full resyncs, want 2 (the test needs the second)", got)
	}
	if !r1.logged("Discarding previously cached master state.") {
		t.Error("r1 does not discard its cached master before loading")
	}
	st := r1.server().ReplStats()
	if st.SyncPartialOK != 0 {
		t.Errorf("r1 accepted %d partial resyncs from r2 after its own full resync", st.SyncPartialOK)
	}
	if got := r2.server().ReplStats(); got.FullSyncs != 2 || got.ProtocolErrors != 0 {
		t.Errorf("r2: %d full resyncs and %d protocol errors, want 2 and 0", got.FullSyncs, got.ProtocolErrors)
	}
	want := m.do("DEBUG", "DIGEST")
	for _, n := range []*testWorld{r1, r2} {
		if got := n.dial().do("DEBUG", "DIGEST"); got != want {
			t.Errorf("%s's digest %q, m's %q", n.host.Name(), got, want)
		}
	}
}

// A replica with appendfsync always whose stream keeps its event loop held
// (a write every millisecond, each fsync 2 ms) is held whenever its
// replicationCron comes due. Redis runs a time event that came due during
// a blocking call once the call returns (processTimeEvents, after the
// file events), so the replica still ACKs about once a second, a couple
// of milliseconds late, and the master (repl-timeout 3) keeps it. A cron
// skipped while held would leave the replica silent, timed out and
// resyncing every few seconds.
func TestReplicaAcksWhileFsyncsHoldItsLoop(t *testing.T) {
	rw := replTopology(t, []string{"m", "r1"}, nil, func(cfg *Config) {
		cfg.ReplTimeoutSeconds, cfg.ReplPingReplicaPeriod, cfg.ReplDisklessSyncDelay = 3, 1, 0
		if cfg.ReplicaOf != "" {
			cfg.AppendOnly, cfg.AppendFsync = true, "always"
		}
	})
	rw.w.RunFor(8 * time.Second)
	before := rw.node("r1").server().ReplStats()
	if before.FullSyncs != 1 || before.LinkDrops != 0 {
		t.Fatalf("the replica's first sync: %+v, want one full resync and no drop", before)
	}
	m := rw.node("m").dial()
	mustReply(t, m, "+OK\r\n", "SET", "k", "0")
	for i := 1; i <= 6000; i++ {
		m.send("SET", "k", itoa(int64(i)))
		rw.w.RunFor(time.Millisecond)
	}
	rw.w.RunFor(100 * time.Millisecond)
	if rw.node("m").logged("Disconnecting timedout replica") {
		t.Error("the master timed the replica out while its fsyncs held it")
	}
	if st := rw.node("r1").server().ReplStats(); st.LinkDrops != 0 || st.PartialSyncs != 0 {
		t.Errorf("the replica's link dropped %d times and resynced %d times, want 0", st.LinkDrops, st.PartialSyncs)
	}
	info := m.do("INFO", "replication")
	if !strings.Contains(info, "slave0:ip=r1,") {
		t.Fatalf("the replica is not online: %q", info)
	}
	if i := strings.Index(info, ",lag="); i < 0 || !strings.HasPrefix(info[i:], ",lag=0\r\n") && !strings.HasPrefix(info[i:], ",lag=1\r\n") {
		t.Errorf("the replica's lag as the master sees it: %q, want 0 or 1 (an ACK a second)", info)
	}
}

// A master PINGs its replicas every repl-ping-replica-period cron loops,
// counted from Redis's first replicationCron, 1 ms after start: replicas
// that connect at once get the first PING ten seconds on, not one
// (internal/redisdiff's stories saw 14 bytes more on the node's offset).
func TestMasterFirstPingAfterPeriod(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	rw.w.RunFor(100 * time.Millisecond)
	m := rw.nodes[0].dial()
	if got := rw.info(m, "connected_slaves"); got != "1" {
		t.Fatalf("connected_slaves %q after 100ms", got)
	}
	rw.w.RunFor(9 * time.Second)
	if got := rw.info(m, "master_repl_offset"); got != "0" {
		t.Fatalf("master_repl_offset %s after 9s; want 0 (no PING before loop 10)", got)
	}
	rw.w.RunFor(2 * time.Second)
	if got := rw.info(m, "master_repl_offset"); got != "14" {
		t.Fatalf("master_repl_offset %s after 11s; want 14 (one PING at loop 10)", got)
	}
}

// TestBacklogTTL: a master whose replicas have been gone for longer than
// repl-backlog-ttl frees its backlog and takes a new replication ID, with
// no secondary one, as replicationCron does; the replica, cut off all
// that time, then cannot continue (PSYNC) and takes a full resync.
func TestBacklogTTL(t *testing.T) {
	rw := replTopology(t, []string{"m", "r"}, nil, func(cfg *Config) { cfg.ReplBacklogTTL, cfg.ReplTimeoutSeconds = 10, 5 })
	rw.w.RunFor(7 * time.Second)
	m, r := rw.node("m"), rw.node("r")
	c := m.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	id := rw.info(c, "master_replid")
	if err := rw.net.Isolate("r"); err != nil {
		t.Fatal(err)
	}
	rw.w.RunFor(6 * time.Second) // the master drops the silent replica
	if got := rw.info(c, "connected_slaves"); got != "0" {
		t.Fatalf("connected_slaves %s after the replica's timeout", got)
	}
	rw.w.RunFor(9 * time.Second)
	if got := rw.info(c, "repl_backlog_active"); got != "1" || rw.info(c, "master_replid") != id {
		t.Fatalf("within the TTL: repl_backlog_active %s, replid changed %v", got, rw.info(c, "master_replid") != id)
	}
	rw.w.RunFor(3 * time.Second)
	if got := rw.info(c, "repl_backlog_active"); got != "0" || rw.info(c, "master_replid") == id ||
		rw.info(c, "master_replid2") != strings.Repeat("0", 40) || len(logLines(rw.w, "Replication backlog freed after 10 seconds without connected replicas.")) != 1 {
		t.Fatalf("past the TTL: repl_backlog_active %s, the backlog not freed as Redis frees it", got)
	}
	rw.net.Heal()
	rw.w.RunFor(15 * time.Second)
	if got := infoLine(c.do("INFO", "stats"), "sync_full"); got != "2" {
		t.Errorf("sync_full %s after the heal, want 2 (a full resync, the history gone)", got)
	}
	mustReply(t, r.dial(), "$1\r\n1\r\n", "GET", "a")
}
