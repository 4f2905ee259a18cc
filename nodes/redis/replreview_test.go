package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/sim"
)

// A replica applies its master's MULTI ... EXEC as one unit: the commands
// queue until the EXEC, and the offset moves over the whole transaction at
// once (commandProcessed). A link that breaks inside one discards the
// queue, and the next PSYNC asks for the stream from the MULTI again; in
// between, the replica's readers see none of it. (Redis 7.0.15 against a
// fake master: GET a is nil and the offset 100 before the drop, PSYNC
// asks for 101.)
func TestReplicaAppliesMultiAsOne(t *testing.T) {
	sw := rdbfile.NewWriter(nil, rdbfile.DefaultOptions())
	sw.InfoAux(rdbfile.Info{RedisVer: Version, Bits: 64})
	body := sw.Finish()
	multi := "*1\r\n$5\r\nMULTI\r\n"
	set := "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
	set2 := "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
	exec := "*1\r\n$4\r\nEXEC\r\n"
	stream := multi + set + set2 + exec
	replid := strings.Repeat("a", 40)
	var psyncs []string
	fm := &fakeMaster{answer: func(fm *fakeMaster, c sim.Conn, args []string) string {
		switch strings.ToUpper(args[0]) {
		case "PING":
			return "+PONG\r\n"
		case "PSYNC":
			psyncs = append(psyncs, args[1]+" "+args[2])
			if len(psyncs) == 1 {
				// The transaction is cut after its first SET; then the
				// link breaks.
				fm.env.After(200*time.Millisecond, func() { c.Close() })
				return "+FULLRESYNC " + replid + " 100\r\n$" + strconv.Itoa(len(body)) + "\r\n" + string(body) + multi + set
			}
			off, _ := strconv.Atoi(args[2])
			return "+CONTINUE " + replid + "\r\n" + stream[off-101:]
		case "REPLCONF":
			if strings.EqualFold(args[1], "ack") {
				return ""
			}
		}
		return "+OK\r\n"
	}}
	w, r := linkWorld(t, fm)
	w.RunFor(150 * time.Millisecond)
	if got, off := r.dial().do("GET", "a"), r.server().ReplOffset(); got != "$-1\r\n" || off != 100 {
		t.Errorf("inside the transaction: GET a %q and offset %d, want nil and 100", got, off)
	}
	w.RunFor(3 * time.Second)
	if len(psyncs) != 2 || psyncs[1] != replid+" 101" {
		t.Errorf("PSYNCs %q, want the second from offset 101 (the MULTI)", psyncs)
	}
	c := r.dial()
	if a, b := c.do("GET", "a"), c.do("GET", "b"); a != "$1\r\n1\r\n" || b != "$1\r\n2\r\n" {
		t.Errorf("after the EXEC: a %q, b %q, want 1 and 2", a, b)
	}
	if off := r.server().ReplOffset(); off != int64(100+len(stream)) {
		t.Errorf("offset %d, want %d", off, 100+len(stream))
	}
	if r.logged("CRITICAL") {
		t.Errorf("the replica sent an error to its master")
	}
}

// REPLICAOF on a replica with replicas of its own keeps them connected
// (replicationSetMaster: "we don't disconnect with replicas, since they may
// hopefully be able to partially resync with us"): a ← b ← c, and d a
// replica of a; b moves to d, which continues a's history, and c never
// loses its link. (Redis 7.0.15: c logs nothing, stays up, no sync.)
func TestReplicaofKeepsSubReplicas(t *testing.T) {
	rw := replTopology(t, []string{"a", "b", "c", "d"}, map[string]string{"c": "b"}, nil)
	rw.w.RunFor(20 * time.Second)
	c := rw.node("c")
	before := c.server().ReplStats()
	if before.FullSyncs != 1 {
		t.Fatalf("c has not synced with b: %+v", before)
	}
	mustReply(t, rw.node("b").dial(), "+OK\r\n", "REPLICAOF", "d", "6379")
	rw.w.RunFor(5 * time.Second)
	if c.logged("Connection with master lost") {
		t.Errorf("c lost its link to b when b changed master")
	}
	if after := c.server().ReplStats(); after.PartialSyncs != before.PartialSyncs || after.FullSyncs != before.FullSyncs {
		t.Errorf("c synced again: before %+v, after %+v", before, after)
	}
	if got := rw.info(c.dial(), "master_link_status"); got != "up" {
		t.Errorf("c's link %s, want up", got)
	}
}

// REPLICAOF NO ONE on a replica that never synced makes no backlog
// (replicationUnsetMaster does not): its writes move no offset until a
// replica attaches. (Redis 7.0.15: repl_backlog_active:0,
// master_repl_offset:0 after two SETs.)
func TestPromotedUnsyncedReplicaHasNoBacklog(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"r"}, func(int) Config { return replicaConfig("nowhere:6379") })
	rw.w.RunFor(2 * time.Second)
	c := rw.nodes[0].dial()
	mustReply(t, c, "+OK\r\n", "REPLICAOF", "NO", "ONE")
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	mustReply(t, c, "+OK\r\n", "SET", "b", "2")
	if active, off := rw.info(c, "repl_backlog_active"), rw.info(c, "master_repl_offset"); active != "0" || off != "0" {
		t.Errorf("repl_backlog_active %s, master_repl_offset %s, want 0 and 0", active, off)
	}
}

// A replica restarted from a snapshot that records its replication ID and
// offset takes them as its own (loadDataFromDisk), so INFO shows them while
// its master is unreachable: a Sentinel ranks it by that offset. With
// neither a master nor a cached master, slave_repl_offset is 1. (Redis
// 7.0.15: slave_repl_offset and master_replid as saved.)
func TestRestartedReplicaKeepsItsHistory(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	m := rw.nodes[0].dial()
	mustReply(t, m, "+OK\r\n", "SET", "k", "v")
	rw.w.RunFor(8 * time.Second)
	mustReply(t, m, "+OK\r\n", "SET", "k2", "v2")
	rw.w.RunFor(100 * time.Millisecond)
	c := rw.nodes[1].dial()
	mustReply(t, c, "+OK\r\n", "SAVE")
	offset, replid := rw.info(c, "master_repl_offset"), rw.info(c, "master_replid")
	if offset == "0" {
		t.Fatalf("the replica has not synced")
	}
	rw.nodes[0].node.Kill()
	rw.nodes[1].host.Crash()
	rw.w.RunFor(10 * time.Millisecond)
	rw.nodes[1].node.Start()
	rw.w.RunFor(1500 * time.Millisecond)
	c = rw.nodes[1].dial()
	got := rw.info(c, "master_replid") + " " + rw.info(c, "master_repl_offset") + " " + rw.info(c, "slave_repl_offset")
	if want := replid + " " + offset + " " + offset; got != want {
		t.Errorf("after the restart: replid, offsets %s, want %s", got, want)
	}
}

// A replica booted with neither a master link nor a cached master shows
// slave_repl_offset 1 (genRedisInfoString's default).
func TestReplicaWithoutHistoryShowsOffsetOne(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"r"}, func(int) Config { return replicaConfig("nowhere:6379") })
	rw.w.RunFor(2 * time.Second)
	c := rw.nodes[0].dial()
	if got := rw.info(c, "slave_repl_offset") + " " + rw.info(c, "slave_read_repl_offset"); got != "1 1" {
		t.Errorf("slave_repl_offset, slave_read_repl_offset %s, want 1 1", got)
	}
}

// A master waiting repl-diskless-sync-delay before a replica's snapshot
// sends it a newline a second (replicationCron's is_presync), so a replica
// whose repl-timeout is shorter than the delay does not time out. (Redis
// 7.0.15: no timeout with repl-timeout 2 and the default 5 s delay.)
func TestPresyncKeepalive(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		c := replicaConfig("m:6379")
		c.ReplTimeoutSeconds = 2
		return c
	})
	// (Past the sync, an idle link times out anyway: the master PINGs
	// every 10 s, against repl-timeout 2, in Redis too.)
	rw.w.RunFor(6 * time.Second)
	if rw.nodes[1].logged("Timeout connecting to the MASTER") {
		t.Errorf("the replica timed out waiting for its snapshot")
	}
	if st := rw.nodes[1].server().ReplStats(); st.FullSyncs != 1 || st.LinkDrops != 0 {
		t.Errorf("replica stats %+v, want one full sync and no link dropped", st)
	}
}

// REPLCONF rdb-only and rdb-filter-only, as redis-cli --rdb, --replica
// and --functions-rdb send them, with Redis 7.0.15's errors.
func TestReplconfRDBOptions(t *testing.T) {
	tw := newTestWorld(t, masterConfig())
	c := tw.dial()
	for _, tc := range []struct{ args, want string }{
		{"REPLCONF rdb-only 1", "+OK\r\n"},
		{"REPLCONF rdb-only 0", "+OK\r\n"},
		{"REPLCONF rdb-only 2", "-ERR value is out of range, value must between 0 and 1\r\n"},
		{"REPLCONF rdb-only x", "-ERR value is not an integer or out of range\r\n"},
		{`REPLCONF rdb-filter-only ""`, "+OK\r\n"},
		{"REPLCONF rdb-filter-only functions", "+OK\r\n"},
		{"REPLCONF rdb-filter-only keys", "-ERR Unsupported rdb-filter-only option: keys\r\n"},
	} {
		if got := c.do(splitCmd(tc.args)...); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.args, got, tc.want)
		}
	}
}

// The handshake authenticates as masteruser when it is set (AUTH user
// pass), and announces replica-announce-ip and -port, which the master's
// INFO and ROLE show for the replica (REPLCONF ip-address, slave_addr).
func TestHandshakeUserAndAnnouncedAddress(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		c := replicaConfig("m:6379")
		c.MasterUser, c.MasterAuth = "repl", "s3cret"
		c.ReplicaAnnounceIP, c.ReplicaAnnouncePort = "10.9.8.7", 7777
		return c
	})
	m := rw.nodes[0].dial()
	mustReply(t, m, "+OK\r\n", "ACL", "SETUSER", "repl", "on", ">s3cret", "+@all", "~*")
	mustReply(t, m, "+OK\r\n", "CONFIG", "SET", "requirepass", "other")
	rw.w.RunFor(10 * time.Second)
	m = rw.nodes[0].dial()
	mustReply(t, m, "+OK\r\n", "AUTH", "other")
	if got := rw.info(m, "slave0"); !strings.HasPrefix(got, "ip=10.9.8.7,port=7777,state=online") {
		t.Errorf("the master's slave0: %q, want the announced address, online", got)
	}
	if got := rw.info(rw.nodes[1].dial(), "master_link_status"); got != "up" {
		t.Errorf("the replica's link: %s", got)
	}
}

// A full sync's snapshot starts as replicationStartPendingFork starts it:
// at once with repl-diskless-sync no, at a replicationCron run once
// repl-diskless-sync-max-replicas replicas wait, else once one has been
// idle repl-diskless-sync-delay whole seconds.
func TestFullSyncStart(t *testing.T) {
	for _, tc := range []struct {
		name             string
		tune             func(*Config)
		syncedBy, notYet time.Duration
	}{
		{"diskless no", func(c *Config) { c.ReplDisklessSync = false }, 2500 * time.Millisecond, 0},
		{"max-replicas 2", func(c *Config) { c.ReplDisklessSyncMaxReplicas = 2 }, 3500 * time.Millisecond, 0},
		{"delay 5", nil, 8 * time.Second, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rw := newReplWorld(t, 1, []string{"m", "r1", "r2"}, func(i int) Config {
				if i > 0 {
					return replicaConfig("m:6379")
				}
				c := masterConfig()
				if tc.tune != nil {
					tc.tune(&c)
				}
				return c
			})
			synced := func() int {
				n := 0
				for _, node := range rw.nodes[1:] {
					n += int(node.server().ReplStats().FullSyncs)
				}
				return n
			}
			if tc.notYet > 0 {
				rw.w.RunFor(tc.notYet)
				if n := synced(); n != 0 {
					t.Errorf("%d replicas synced by %v", n, tc.notYet)
				}
			}
			rw.w.RunFor(tc.syncedBy - tc.notYet)
			if n := synced(); n != 2 {
				t.Errorf("%d replicas synced by %v, want 2", n, tc.syncedBy)
			}
		})
	}
}
