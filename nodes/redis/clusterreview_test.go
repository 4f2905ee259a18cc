package redis

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// A master that gets its first slot is a replica-migration target when
// any master has replicas (clusterNodeSetSlotBit, clusterMastersHaveSlaves:
// redis#3043), though it has none itself; so a spare replica of n1 moves
// to the new master n8 once CLUSTER_SLAVE_MIGRATION_DELAY has passed. The
// story was told by redis-server 7.0.15 too.
func TestNewMasterAttractsSpareReplica(t *testing.T) {
	names := []string{"n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"}
	cw := &clusterWorld{replWorld: newReplWorld(t, 7, names, func(int) Config { return clusterConfig() })}
	cw.w.RunFor(10 * time.Millisecond)
	for _, nd := range cw.nodes {
		c := nd.dial()
		cw.conns = append(cw.conns, c)
		cw.ids = append(cw.ids, bulkValue(c.do("CLUSTER", "MYID")))
	}
	for i, r := range [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}} {
		cw.conns[i].do("CLUSTER", "ADDSLOTSRANGE", fmt.Sprint(r[0]), fmt.Sprint(r[1]))
	}
	for i, c := range cw.conns {
		c.do("CLUSTER", "SET-CONFIG-EPOCH", fmt.Sprint(i+1))
	}
	for i := 1; i < len(names); i++ {
		cw.conns[0].do("CLUSTER", "MEET", names[i], "6379")
	}
	cw.w.RunFor(3 * time.Second)
	// n4 and n7 replicate n1, n5 n2, n6 n3; n8 stays an empty master.
	for _, p := range [][2]int{{3, 0}, {4, 1}, {5, 2}, {6, 0}} {
		if got := cw.conns[p[0]].do("CLUSTER", "REPLICATE", cw.ids[p[1]]); got != "+OK\r\n" {
			t.Fatalf("REPLICATE: %q", got)
		}
	}
	cw.w.RunFor(10 * time.Second)
	cw.waitState(t, "ok", 30*time.Second)
	for _, i := range []int{7, 2} {
		if got := cw.conns[i].do("CLUSTER", "SETSLOT", "16383", "NODE", cw.ids[7]); got != "+OK\r\n" {
			t.Fatalf("SETSLOT on n%d: %q", i+1, got)
		}
	}
	cw.w.RunFor(2 * time.Second)
	if n8 := cw.nodes[3].server().cl.lookupNode(cw.ids[7]); n8.flags&cluster.FlagMigrateTo == 0 {
		t.Errorf("n4's view of n8 after its first slot: flags %v, want migrate_to", n8.flags)
	}
	cw.w.RunFor(10 * time.Second)
	moved := 0
	for _, i := range []int{3, 6} {
		if m := cw.nodes[i].server().cl.myself.master; m != nil && m.name == cw.ids[7] {
			moved++
		}
	}
	if moved != 1 {
		t.Errorf("%d of n1's two replicas moved to n8, want 1; roles: %s", moved, cw.roles(3, 6, 7))
	}
}

// clusterDelSlot leaves the owner-not-claiming mark: a slot whose owner
// stopped claiming it, then given to another node by SETSLOT NODE, is
// still unclaimed, so the old owner takes it back by claiming it again
// with its older epoch (clusterUpdateSlotsConfigWith).
func TestOwnerNotClaimingSurvivesDelSlot(t *testing.T) {
	cw := newClusterWorld(t, 7, 6, 3)
	s1 := cw.nodes[0].server()
	b := s1.cl.byName[cw.ids[1]]
	x := s1.cl.byName[cw.ids[2]]
	const slot = 5461
	claim := b.slots
	claim.Clear(slot)
	s1.updateSlotsConfigWith(b, b.configEpoch, &claim) // b's PING without the slot
	if !s1.cl.ownerNotClaiming.Has(slot) {
		t.Fatal("the slot b stopped claiming is not marked")
	}
	s1.clusterDelSlot(slot) // CLUSTER SETSLOT slot NODE x, on n1 alone
	s1.clusterAddSlot(x, slot)
	if !s1.cl.ownerNotClaiming.Has(slot) {
		t.Error("clusterDelSlot cleared the owner-not-claiming mark")
	}
	claim.Set(slot)
	if b.configEpoch >= x.configEpoch {
		t.Fatalf("b's epoch %d must be older than x's %d", b.configEpoch, x.configEpoch)
	}
	s1.updateSlotsConfigWith(b, b.configEpoch, &claim)
	if got := s1.cl.slots[slot]; got != b {
		t.Errorf("slot %d's owner after b claims it again: %s, want b (the slot was unclaimed)", slot, got.name)
	}
}

// CONFIG SET of cluster-replica-no-failover, cluster-announce-hostname,
// -ip and -port applies to myself at once (updateClusterFlags and its
// siblings), not at the next cron.
func TestClusterAnnounceConfigAtOnce(t *testing.T) {
	cw := newClusterWorld(t, 2, 6, 3)
	c := cw.conns[3]
	myself := func() string {
		for _, l := range strings.Split(bulkValue(c.do("CLUSTER", "NODES")), "\n") {
			if strings.Contains(l, "myself") {
				return l
			}
		}
		t.Fatal("no myself line")
		return ""
	}
	for _, kv := range [][2]string{
		{"cluster-replica-no-failover", "yes"},
		{"cluster-announce-hostname", "replica-four"},
		{"cluster-announce-ip", "10.1.2.3"},
		{"cluster-announce-port", "7004"},
		{"cluster-announce-bus-port", "17004"},
	} {
		if got := c.do("CONFIG", "SET", kv[0], kv[1]); got != "+OK\r\n" {
			t.Fatalf("CONFIG SET %s %s: %q", kv[0], kv[1], got)
		}
	}
	line := myself()
	for _, want := range []string{"nofailover", " 10.1.2.3:7004@17004,replica-four "} {
		if !strings.Contains(line, want) {
			t.Errorf("right after CONFIG SET, myself is %q; want %q in it", line, want)
		}
	}
	// An empty cluster-announce-ip forgets the address; the next message
	// from a peer teaches it again.
	c.do("CONFIG", "SET", "cluster-announce-ip", "")
	if line := myself(); !strings.Contains(line, " :7004@17004,replica-four ") {
		t.Errorf("after cluster-announce-ip \"\": %q, want no address", line)
	}
	cw.w.RunFor(3 * time.Second)
	if line := myself(); strings.Contains(line, " :7004") || strings.Contains(line, "10.1.2.3") {
		t.Errorf("3 s later, myself is %q; want the address learnt from the bus", line)
	}
}

// A master held by a busy script still serves its bus links (Redis's
// processEventsWhileBlocked runs every file event): it answers the PINGs,
// so no node marks it failing and its replica is not promoted, however
// long the script runs past node-timeout.
func TestBusyScriptAnswersBus(t *testing.T) {
	cw := newClusterWorldCfg(t, 3, 6, 3, func() Config {
		c := clusterConfig()
		c.LuaInstructionCost = time.Microsecond
		c.BusyReplyThreshold = time.Second
		return c
	})
	n1 := cw.ids[0]
	want := len(cw.conns[0].replies) + 1
	cw.conns[0].send("EVAL", "local i=0 while i < 20000000 do i=i+1 end return 1", "0")
	for sec := 1; sec <= 25; sec++ {
		cw.w.RunFor(time.Second)
		for i := 1; i < 6; i++ {
			s := cw.nodes[i].server()
			if n := s.cl.byName[n1]; n.flags&(cluster.FlagPFail|cluster.FlagFail) != 0 {
				t.Fatalf("%ds into the script, n%d flags n1 %v", sec, i+1, n.flags)
			}
			if s.cl.myself.isMaster() && i >= 3 {
				t.Fatalf("%ds into the script, n%d is a master: %s", sec, i+1, cw.roles(3, 4, 5))
			}
		}
	}
	if got := cw.conns[0].wait(want); got != ":1\r\n" {
		t.Errorf("the script replied %q", got)
	}
}

// A bus message dropped by clusterProcessPacket's sanity checks (here a
// protocol version other than 1) is still counted as received by its
// type, as Redis counts it before the checks.
func TestDroppedBusMessageCounted(t *testing.T) {
	tw := newTestWorld(t, clusterConfig())
	c := tw.dial()
	ping := func() int {
		info := bulkValue(c.do("CLUSTER", "INFO"))
		for _, l := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(l, "cluster_stats_messages_ping_received:"); ok {
				n, _ := strconv.Atoi(v)
				return n
			}
		}
		return 0
	}
	before := ping()
	bus := &testConn{tw: tw, rr: resp.NewReplyReader()}
	p, _ := tw.w.Host("c1").Spawn("bus-client", func(env sim.Env) sim.Node {
		bus.conn = env.Dial(tw.host.Name()+":"+strconv.Itoa(tw.cfg.Port+10000), time.Second, bus)
		return clientNode{}
	})
	p.Start()
	tw.w.RunFor(time.Millisecond)
	m := cluster.Msg{Type: cluster.TypePing, Sender: cluster.NameOf(strings.Repeat("a", 40))}
	frame := m.Marshal()
	frame[8], frame[9] = 0, 2 // version 2
	bus.conn.Write(frame)
	tw.w.RunFor(10 * time.Millisecond)
	if bus.closed {
		t.Fatal("a bad version closed the link; Redis drops the packet only")
	}
	if got := ping(); got != before+1 {
		t.Errorf("cluster_stats_messages_ping_received: %d, want %d", got, before+1)
	}
}

// CLUSTER LINKS' events are the handlers installed: "r" on every
// connected link between events (nothing waits to be sent then), never
// the "rw" the node once gave its outbound links.
func TestClusterLinksEvents(t *testing.T) {
	cw := newClusterWorld(t, 2, 6, 3)
	reply := cw.conns[0].do("CLUSTER", "LINKS")
	links := strings.Count(reply, "$9\r\ndirection\r\n")
	if r := strings.Count(reply, "$6\r\nevents\r\n$1\r\nr\r\n"); links != 10 || r != links {
		t.Errorf("%d links, %d with events r: %q", links, r, reply)
	}
}

// A replica does not feed its own writes to its backlog
// (replicationFeedSlaves returns on a replica): a PUBLISH there (every
// sentinel sends its hellos to replicas so) moved the replica's
// master_repl_offset past its master's. redis-server's stays.
func TestPublishOnReplicaNotFed(t *testing.T) {
	rw := replTopology(t, []string{"m", "r"}, nil, nil)
	rw.w.RunFor(7 * time.Second)
	r := rw.node("r").dial()
	before := rw.info(r, "master_repl_offset")
	mustReply(t, r, ":0\r\n", "PUBLISH", "ch", strings.Repeat("x", 100))
	if after := rw.info(r, "master_repl_offset"); after != before {
		t.Errorf("the replica's master_repl_offset went from %s to %s at a PUBLISH", before, after)
	}
}

// A master held by a busy script learns from the bus, in the script's
// hook, that its replica took its slots over (CLUSTER FAILOVER TAKEOVER):
// it becomes a replica there, as Redis does, and syncs with its new
// master once the script is over; the script's caller gets its reply.
func TestBusyScriptDemotedByBus(t *testing.T) {
	cw := newClusterWorldCfg(t, 5, 6, 3, func() Config {
		c := clusterConfig()
		c.LuaInstructionCost = time.Microsecond
		c.BusyReplyThreshold = time.Second
		return c
	})
	n1 := cw.nodes[0].server()
	var n4 int = -1
	for i := 3; i < 6; i++ {
		if m := cw.nodes[i].server().cl.myself.master; m != nil && m.name == cw.ids[0] {
			n4 = i
		}
	}
	if n4 < 0 {
		t.Fatal("n1 has no replica")
	}
	want := len(cw.conns[0].replies) + 1
	cw.conns[0].send("EVAL", "local i=0 while i < 5000000 do i=i+1 end return 1", "0")
	cw.w.RunFor(1500 * time.Millisecond)
	if got := cw.conns[n4].do("CLUSTER", "FAILOVER", "TAKEOVER"); got != "+OK\r\n" {
		t.Fatalf("TAKEOVER: %q", got)
	}
	cw.w.RunFor(2 * time.Second)
	if n1.long == nil {
		t.Fatal("the script ended too early for the story")
	}
	if !n1.cl.myself.isReplica() {
		t.Fatalf("n1 busy in its script is still a master: %s", cw.roles(0, n4))
	}
	if got := cw.conns[0].wait(want); got != ":1\r\n" {
		t.Errorf("the script replied %q", got)
	}
	cw.w.RunFor(5 * time.Second)
	if !n1.MasterLinkUp() {
		t.Errorf("n1 has not synced with its new master after the script")
	}
}
