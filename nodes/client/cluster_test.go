package client

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// clusterWorld is a Redis Cluster of nodes n1..nN (the first ones masters
// with the slots split evenly, the rest their replicas in turn) and client
// processes on host c1, built as nodes/redis's cluster tests build one.
type clusterWorld struct {
	*testWorld
	names []string
	ids   []string
	per   int // slots per master
}

func newClusterWorld(t testing.TB, seed uint64, n, masters int) *clusterWorld {
	t.Helper()
	w := sim.NewWorld(seed)
	nw, err := network.New(w, network.Config{Latency: lan()})
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWorld{t: t, w: w, net: nw, h: &history.History{}}
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	cw := &clusterWorld{testWorld: tw, per: cluster.Slots / masters}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("n%d", i)
		cw.names = append(cw.names, name)
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		cfg.Cluster.Enabled = true
		cfg.Cluster.NodeTimeoutMs = 5000
		tw.addRedis(name, cfg)
	}
	w.RunFor(10 * time.Millisecond)
	for _, name := range cw.names {
		cw.ids = append(cw.ids, cw.call(name, "CLUSTER", "MYID"))
	}
	for i := 0; i < masters; i++ {
		start, end := cw.master(i)
		cw.ok(cw.names[i], "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(start), strconv.Itoa(end))
	}
	for i, name := range cw.names {
		cw.ok(name, "CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1))
	}
	for _, name := range cw.names[1:] {
		cw.ok("n1", "CLUSTER", "MEET", name, "6379")
	}
	w.RunFor(3 * time.Second)
	for i := masters; i < n; i++ {
		cw.ok(cw.names[i], "CLUSTER", "REPLICATE", cw.ids[(i-masters)%masters])
	}
	w.RunFor(10 * time.Second)
	cw.waitOK(30 * time.Second)
	return cw
}

// master is the slot range master i was given.
func (cw *clusterWorld) master(i int) (start, end int) {
	start, end = i*cw.per, (i+1)*cw.per-1
	if end+cw.per >= cluster.Slots {
		end = cluster.Slots - 1
	}
	return start, end
}

// waitOK runs the world until every running node says cluster_state:ok.
func (cw *clusterWorld) waitOK(limit time.Duration) {
	cw.t.Helper()
	deadline := cw.w.Now().Duration() + limit
	for {
		all := true
		for _, name := range cw.names {
			if cw.w.Host(name).Processes()[0].State() != sim.Down && !strings.Contains(cw.call(name, "CLUSTER", "INFO"), "cluster_state:ok") {
				all = false
			}
		}
		if all {
			return
		}
		if cw.w.Now().Duration() >= deadline {
			cw.t.Fatalf("cluster state not ok within %v", limit)
		}
		cw.w.RunFor(500 * time.Millisecond)
	}
}

// call runs one command on host's node from a process of its own and
// returns the reply: a string's text, an error's "-" and text, an
// integer's digits, or redisconn.Brief of anything else.
func (cw *clusterWorld) call(host string, args ...string) string {
	cw.t.Helper()
	var got string
	done := false
	n := len(cw.w.Host("c1").Processes())
	p, _ := cw.w.Host("c1").Spawn("admin"+strconv.Itoa(n), func(env sim.Env) sim.Node {
		c := redisconn.New(env, host+":6379", redisconn.Options{DialTimeout: time.Second, Timeout: time.Second})
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		c.Do(redisconn.Func(func(v resp.Value, err error) {
			done = true
			switch {
			case err != nil:
				got = "!" + err.Error()
			case v.IsError():
				got = "-" + string(v.Str)
			case v.Kind == resp.KindInt:
				got = strconv.FormatInt(v.Int, 10)
			case v.Kind == resp.KindBulk || v.Kind == resp.KindSimpleString || v.Kind == resp.KindVerbatim:
				_, text := v.VerbatimText()
				got = string(text)
			default:
				got = redisconn.Brief(v)
			}
			c.Close()
		}), 0, bs...)
		return clientNodeStub{}
	})
	p.Start()
	for i := 0; !done && i < 100; i++ {
		cw.w.RunFor(10 * time.Millisecond)
	}
	if !done {
		cw.t.Fatalf("%s %q: no reply", host, args)
	}
	return got
}

func (cw *clusterWorld) ok(host string, args ...string) {
	cw.t.Helper()
	if got := cw.call(host, args...); got != "OK" {
		cw.t.Fatalf("%s %q: %q", host, args, got)
	}
}

// clusterOptions are the test clients' options in cluster mode, seeded
// with the first node only.
func (cw *clusterWorld) clusterOptions(id int, wl Workload) Options {
	o := cw.options(id, wl)
	o.Target, o.Cluster = nil, &Cluster{Addrs: []string{"n1:6379"}}
	return o
}

// owner is the master that owns key's slot as the cluster was built.
func (cw *clusterWorld) owner(key string, masters int) string {
	slot := cluster.KeyHashSlot([]byte(key))
	return cw.names[min(slot/cw.per, masters-1)]
}

// opKey is an operation's first key.
func opKey(op *history.Op) string {
	if op.Key == "" && len(op.Mops) > 0 {
		return op.Mops[0].Key
	}
	return op.Key
}

// TestClusterRouting: a set workload over 16 keys on a 3-master cluster,
// every operation Ok, each served by the master of its key's slot, all
// three masters serving.
func TestClusterRouting(t *testing.T) {
	cw := newClusterWorld(t, 1, 6, 3)
	wl := ForCluster(NewSet(), 16)
	for i := range 5 {
		cw.spawn(cw.clusterOptions(i, wl))
	}
	cw.w.RunFor(3 * time.Second)
	ops := cw.h.Ops()
	served := map[string]int{}
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		if op.Outcome != history.Ok {
			t.Fatalf("op %d: %s %s on %s: %s %q", i, op.Kind, op.Key, op.Node, op.Outcome, op.Error)
		}
		if want := cw.owner(op.Key, 3); op.Node != want {
			t.Fatalf("op %d: %s went to %s, the master of its slot is %s", i, op.Key, op.Node, want)
		}
		served[op.Node]++
	}
	if len(served) != 3 || len(ops) < 500 {
		t.Fatalf("%d ops, served by %v; want every master", len(ops), served)
	}
}

// TestClusterEveryWorkload: the mixed workload (registers, sets, counters,
// floats, TTLs, lists, MULTI/EXEC and EVAL transactions), adapted by
// ForCluster, runs over the cluster client without a refusal, and every
// transaction's keys share a hash tag.
func TestClusterEveryWorkload(t *testing.T) {
	cw := newClusterWorld(t, 2, 3, 3)
	m, err := NewMixed(8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Program(cw.clusterOptions(0, m)); err == nil || !strings.Contains(err.Error(), "ForCluster") {
		t.Fatalf("a mixed workload with cross-slot transactions in cluster mode: %v", err)
	}
	wl := ForCluster(m, 16)
	for i := range 6 {
		cw.spawn(cw.clusterOptions(i, wl))
	}
	cw.w.RunFor(4 * time.Second)
	ops := cw.h.Ops()
	kinds := map[history.Kind]int{}
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		if op.Outcome != history.Ok {
			t.Fatalf("op %d: %s %s on %s: %s %q", i, op.Kind, opKey(op), op.Node, op.Outcome, op.Error)
		}
		kinds[op.Kind]++
		if op.Kind == history.Txn {
			tag := op.Mops[0].Key[:strings.IndexByte(op.Mops[0].Key, '}')+1]
			for _, mop := range op.Mops {
				if !strings.HasPrefix(mop.Key, tag) {
					t.Fatalf("op %d: transaction over %s and %s", i, op.Mops[0].Key, mop.Key)
				}
			}
		}
	}
	for _, k := range []history.Kind{history.Read, history.Write, history.Add, history.Incr, history.Append, history.Txn, SetPX, IncrFloat} {
		if kinds[k] == 0 {
			t.Errorf("no %s operation completed: %v", k, kinds)
		}
	}
}

// readerWhoseSlotMoves starts a 3-master cluster with one client reading
// "r0", then, a second in, gives r0's slot to another master (CLUSTER
// SETSLOT NODE on every master); from and to are the old and new owners.
func readerWhoseSlotMoves(t *testing.T) (cw *clusterWorld, from, to string) {
	t.Helper()
	cw = newClusterWorld(t, 3, 3, 3)
	key := "r0"
	slot := strconv.Itoa(cluster.KeyHashSlot([]byte(key)))
	from = cw.owner(key, 3)
	to = "n1"
	if from == to {
		to = "n3"
	}
	toID := cw.ids[to[1]-'1']
	cw.spawn(cw.clusterOptions(0, &Register{Keys: 1, ReadFraction: 1}))
	cw.w.RunFor(time.Second)
	for _, name := range cw.names {
		cw.ok(name, "CLUSTER", "SETSLOT", slot, "NODE", toID)
	}
	return cw, from, to
}

// TestClusterMoved: an empty slot is given to another master (CLUSTER
// SETSLOT NODE on every master); the client's reads of the key there
// follow the -MOVED to the new owner, which the history names.
func TestClusterMoved(t *testing.T) {
	cw, from, to := readerWhoseSlotMoves(t)
	moved := cw.w.Now()
	cw.w.RunFor(2 * time.Second)
	ops := cw.h.Ops()
	before, after := 0, 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		if op.Outcome != history.Ok {
			t.Fatalf("op %d on %s: %s %q", i, op.Node, op.Outcome, op.Error)
		}
		switch {
		case op.Complete < moved && op.Node == from:
			before++
		case op.Invoke > moved && op.Node == to:
			after++
		case op.Invoke > moved:
			t.Fatalf("op %d after the move served by %s, want %s", i, op.Node, to)
		}
	}
	if before < 50 || after < 100 {
		t.Fatalf("%d ops on %s before the move, %d on %s after", before, from, after, to)
	}
}

// TestClusterNewMapRoutesAtOnce: after a slot moved, the one client
// operating on it is refused with MOVED once: it follows the redirection,
// reloads the map, and from then on its operations on the slot go straight
// to the new master. (A master cached per slot range that outlived the old
// map would send the next one to the old master again.)
func TestClusterNewMapRoutesAtOnce(t *testing.T) {
	cw, from, _ := readerWhoseSlotMoves(t)
	n := cw.h.Len()
	cw.w.RunFor(2 * time.Second)
	if got := cw.movedReplies(from); got != 1 || cw.h.Len()-n < 100 {
		t.Fatalf("%d operations after the move, %d refused by %s with MOVED; want 1", cw.h.Len()-n, got, from)
	}
}

// movedReplies is how many MOVED replies host's node has sent (INFO
// errorstats).
func (cw *clusterWorld) movedReplies(host string) int {
	cw.t.Helper()
	info := cw.call(host, "INFO", "errorstats")
	_, rest, ok := strings.Cut(info, "errorstat_MOVED:count=")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest[:strings.IndexAny(rest, "\r\n")])
	if err != nil {
		cw.t.Fatalf("INFO errorstats of %s: %q", host, info)
	}
	return n
}

// TestClusterAskDuringMigration: a slot is being migrated (MIGRATING on its
// owner, IMPORTING on the target) and its key has been moved as MIGRATE
// moves it (DUMP, RESTORE-ASKING on the target, DEL on the source): the
// client's operations on it get -ASK, are sent with ASKING to the target
// and succeed there; once the slot is given to the target (SETSLOT NODE)
// the owner's -MOVED sends them there directly.
func TestClusterAskDuringMigration(t *testing.T) {
	cw := newClusterWorld(t, 4, 3, 3)
	key, from, to := "r0", "", ""
	migrated := cw.migrate(key, func(from, to string) {
		payload := cw.call(from, "DUMP", key)
		cw.ok(to, "RESTORE-ASKING", key, "0", payload)
		if got := cw.call(from, "DEL", key); got != "1" {
			t.Fatalf("DEL %s on %s: %q", key, from, got)
		}
	}, &from, &to)
	cw.checkMigration(key, from, to, migrated)
}

// migrate starts 2 register clients on key, waits a second, marks key's
// slot MIGRATING on its owner and IMPORTING on another master, moves the
// key with move, runs a second, gives the slot to the target on every
// node (SETSLOT NODE) and runs a second more. It returns the true times
// when the key had moved and when the slot was given.
func (cw *clusterWorld) migrate(key string, move func(from, to string), fromOut, toOut *string) [2]clock.Time {
	cw.t.Helper()
	slot := strconv.Itoa(cluster.KeyHashSlot([]byte(key)))
	from := cw.owner(key, 3)
	to := "n1"
	if from == to {
		to = "n3"
	}
	*fromOut, *toOut = from, to
	fromID, toID := cw.ids[from[1]-'1'], cw.ids[to[1]-'1']
	for i := range 2 {
		cw.spawn(cw.clusterOptions(i, &Register{Keys: 1, ReadFraction: 0.5}))
	}
	cw.w.RunFor(time.Second)
	cw.ok(to, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromID)
	cw.ok(from, "CLUSTER", "SETSLOT", slot, "MIGRATING", toID)
	move(from, to)
	migrated := cw.w.Now()
	cw.w.RunFor(time.Second)
	for _, name := range cw.names {
		cw.ok(name, "CLUSTER", "SETSLOT", slot, "NODE", toID)
	}
	settled := cw.w.Now()
	cw.w.RunFor(time.Second)
	return [2]clock.Time{migrated, settled}
}

// checkMigration checks that every operation on key after it moved to to
// was Ok there, during the migration and after it.
func (cw *clusterWorld) checkMigration(key, from, to string, at [2]clock.Time) {
	cw.t.Helper()
	migrated, settled := at[0], at[1]
	ops := cw.h.Ops()
	asked, after := 0, 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		if op.Invoke > migrated+clockMs(5) && op.Outcome != history.Ok {
			cw.t.Fatalf("op %d (%s %s) on %s: %s %q", i, op.Kind, op.Key, op.Node, op.Outcome, op.Error)
		}
		switch {
		case op.Invoke > migrated+clockMs(5) && op.Complete < settled:
			if op.Node != to {
				cw.t.Fatalf("op %d during the migration served by %s, want %s", i, op.Node, to)
			}
			asked++
		case op.Invoke > settled+clockMs(5):
			if op.Node != to {
				cw.t.Fatalf("op %d after the migration served by %s, want %s", i, op.Node, to)
			}
			after++
		}
	}
	if asked < 50 || after < 50 {
		cw.t.Fatalf("%d ops served by ASK, %d after the migration", asked, after)
	}
	if got := cw.call(to, "GET", key); got == "" || strings.HasPrefix(got, "-") {
		cw.t.Fatalf("GET %s on %s: %q", key, to, got)
	}
	if got := cw.call(from, "GET", key); !strings.HasPrefix(got, "-MOVED ") {
		cw.t.Fatalf("GET %s on %s after the migration: %q", key, from, got)
	}
}

// TestClusterMigrateKeys is TestClusterAskDuringMigration with the key
// moved by MIGRATE ... KEYS, as redis-cli --cluster reshard moves keys.
func TestClusterMigrateKeys(t *testing.T) {
	cw := newClusterWorld(t, 4, 3, 3)
	key, from, to := "r0", "", ""
	migrated := cw.migrate(key, func(from, to string) {
		cw.ok(from, "MIGRATE", to, "6379", "", "0", "5000", "KEYS", key)
	}, &from, &to)
	cw.checkMigration(key, from, to, migrated)
}

// TestClusterFailover: a master crashes; the client's operations on its
// slots fail (Fail or Info, never Ok) until its replica is elected and the
// client's slot map is reloaded, then succeed on the new master.
func TestClusterFailover(t *testing.T) {
	cw := newClusterWorld(t, 5, 6, 3)
	wl := ForCluster(NewRegister(), 8)
	for i := range 4 {
		cw.spawn(cw.clusterOptions(i, wl))
	}
	cw.w.RunFor(2 * time.Second)
	crash := cw.w.Now()
	cw.w.Host("n2").Crash()
	cw.w.RunFor(30 * time.Second)
	cw.waitOK(10 * time.Second)
	end := cw.w.Now()
	cw.w.RunFor(2 * time.Second)
	if got := cw.call("n5", "ROLE"); !strings.HasPrefix(got, "[master") && !strings.Contains(got, "master") {
		t.Fatalf("n5 is not the master: %s", got)
	}
	ops := cw.h.Ops()
	failed, okAfter := 0, 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending || cw.owner(op.Key, 3) != "n2" {
			continue
		}
		switch {
		case op.Invoke > crash && op.Complete < crash+clockMs(5000):
			if op.Outcome == history.Ok {
				t.Fatalf("op %d on %s Ok while its master was down", i, op.Node)
			}
			failed++
		case op.Invoke > end:
			if op.Outcome != history.Ok || op.Node != "n5" {
				t.Fatalf("op %d after the failover: %s on %s %q", i, op.Outcome, op.Node, op.Error)
			}
			okAfter++
		}
	}
	if failed == 0 || okAfter < 50 {
		t.Fatalf("%d ops failed during the outage, %d Ok on n5 after it", failed, okAfter)
	}
}

// TestClusterDeterminism: one seed, one history, redirections included.
func TestClusterDeterminism(t *testing.T) {
	run := func() []byte {
		cw := newClusterWorld(t, 6, 6, 3)
		wl := ForCluster(NewRegister(), 8)
		for i := range 4 {
			o := cw.clusterOptions(i, wl)
			o.Cluster.ReadOnly = i%2 == 0
			cw.spawn(o)
		}
		cw.w.RunFor(time.Second)
		for _, name := range cw.names[:3] {
			cw.ok(name, "CLUSTER", "SETSLOT", "0", "NODE", cw.ids[2])
		}
		cw.w.RunFor(time.Second)
		return cw.jsonl()
	}
	a, b := run(), run()
	if !bytes.Equal(a, b) {
		t.Fatalf("two runs of seed 6 differ:\n%.600s\n---\n%.600s", a, b)
	}
}

// TestClusterReadOnly: with ReadOnly, reads go to the replicas of their
// slot (after READONLY), writes to the masters, and all succeed.
func TestClusterReadOnly(t *testing.T) {
	cw := newClusterWorld(t, 7, 6, 3)
	wl := ForCluster(NewRegister(), 8)
	replicaOf := map[string]string{"n1": "n4", "n2": "n5", "n3": "n6"}
	for i := range 4 {
		o := cw.clusterOptions(i, wl)
		o.Cluster.ReadOnly = true
		cw.spawn(o)
	}
	cw.w.RunFor(3 * time.Second)
	ops := cw.h.Ops()
	reads := 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		if op.Outcome != history.Ok {
			t.Fatalf("op %d (%s %s) on %s: %s %q", i, op.Kind, op.Key, op.Node, op.Outcome, op.Error)
		}
		master := cw.owner(op.Key, 3)
		want := master
		if op.Kind == history.Read {
			want = replicaOf[master]
			reads++
		}
		if op.Node != want {
			t.Fatalf("op %d (%s %s) served by %s, want %s", i, op.Kind, op.Key, op.Node, want)
		}
	}
	if reads < 100 {
		t.Fatalf("%d reads", reads)
	}
}

// TestClusterReadOnlyAfterReconnect: a read-only client whose read on a
// replica timed out makes a new connection to it, which sends READONLY
// again; without it the replica would refuse every read with MOVED.
func TestClusterReadOnlyAfterReconnect(t *testing.T) {
	cw := newClusterWorld(t, 7, 6, 3)
	master := cw.owner("r0", 3)
	replica := map[string]string{"n1": "n4", "n2": "n5", "n3": "n6"}[master]
	o := cw.clusterOptions(0, &Register{Keys: 1, ReadFraction: 1})
	o.Cluster.ReadOnly = true
	cw.spawn(o)
	cw.w.RunFor(time.Second)
	// Replies slower than the timeout: reads time out, the connection is
	// dropped, and the replica is marked failing while dials time out too.
	if err := cw.net.Slow("c1", replica, 2000); err != nil {
		t.Fatal(err)
	}
	cw.w.RunFor(time.Second)
	if err := cw.net.Slow("c1", replica, 1); err != nil {
		t.Fatal(err)
	}
	cw.w.RunFor(NodeFailingFor + time.Second)
	healed := cw.w.Now()
	cw.w.RunFor(time.Second)
	ops := cw.h.Ops()
	timeouts, after := 0, 0
	for i := range ops {
		op := &ops[i]
		switch {
		case op.Outcome == history.Info && strings.HasPrefix(op.Error, "timeout"):
			timeouts++
		case op.Invoke > healed && op.Outcome != history.Pending:
			if op.Outcome != history.Ok || op.Node != replica {
				t.Fatalf("op %d after the replica came back: %s on %s %q, want Ok on %s", i, op.Outcome, op.Node, op.Error, replica)
			}
			after++
		}
	}
	if timeouts == 0 || after < 50 {
		t.Fatalf("%d reads timed out, %d served by %s once it was back", timeouts, after, replica)
	}
}

// TestClusterReadOnlyAfterIdleReset: a ReadOnly client's connection to a
// replica that the network resets while it is idle is dialed again on the
// next read, and that connection must send READONLY too (go-redis sends it
// in every new connection's initialisation); without it the replica
// answers MOVED and the reads go to the master.
func TestClusterReadOnlyAfterIdleReset(t *testing.T) {
	cw := newClusterWorld(t, 7, 6, 3)
	replicaOf := map[string]string{"n1": "n4", "n2": "n5", "n3": "n6"}
	// Two keys on two shards, read in turn: each connection is idle while
	// the other key is read.
	keys := []string{"r0"}
	for i := 1; len(keys) < 2; i++ {
		k := "r" + strconv.Itoa(i)
		if cw.owner(k, 3) != cw.owner(keys[0], 3) {
			keys = append(keys, k)
		}
	}
	wl := &Register{Keys: 1, ReadFraction: 1}
	o := cw.clusterOptions(0, wl)
	o.Cluster.ReadOnly = true
	o.Workload = &keyCycle{keys: keys, inner: wl}
	cw.spawn(o)
	cw.w.RunFor(time.Second)
	for range 20 {
		for _, k := range keys {
			if _, err := cw.net.ResetConns("c1", replicaOf[cw.owner(k, 3)]); err != nil {
				t.Fatal(err)
			}
		}
		cw.w.RunFor(10 * time.Millisecond)
	}
	last := cw.w.Now()
	cw.w.RunFor(time.Second)
	ops := cw.h.Ops()
	served := 0
	for i := range ops {
		op := &ops[i]
		if op.Invoke <= last || op.Outcome == history.Pending {
			continue
		}
		if want := replicaOf[cw.owner(op.Key, 3)]; op.Outcome != history.Ok || op.Node != want {
			t.Fatalf("op %d (%s) after the resets: %s on %s %q, want Ok on the replica %s", i, op.Key, op.Outcome, op.Node, op.Error, want)
		}
		served++
	}
	if served < 50 {
		t.Fatalf("only %d reads after the resets", served)
	}
}

// TestClusterOptions: what Program refuses in cluster mode.
func TestClusterOptions(t *testing.T) {
	base := Options{History: &history.History{}, Now: func() clock.Time { return 0 }, Workload: NewRegister()}
	o := base
	o.Cluster = &Cluster{}
	if _, err := Program(o); err == nil || !strings.Contains(err.Error(), "Cluster.Addrs") {
		t.Errorf("no seeds: %v", err)
	}
	o.Cluster, o.Target = &Cluster{Addrs: []string{"n1:6379"}}, Fixed("n1:6379")
	if _, err := Program(o); err == nil || !strings.Contains(err.Error(), "exclusive") {
		t.Errorf("Cluster and Target: %v", err)
	}
	o.Target, o.Workload = nil, NewTxn()
	if _, err := Program(o); err == nil || !strings.Contains(err.Error(), "ForCluster") {
		t.Errorf("cross-slot transactions: %v", err)
	}
	o.Workload = ForCluster(NewTxn(), 0)
	if _, err := Program(o); err != nil {
		t.Errorf("tagged transactions: %v", err)
	}
}

func clockMs(n int) clock.Time { return clock.Time(time.Duration(n) * time.Millisecond) }

// TestClusterRetries: against a scripted node that owns every slot,
// TRYAGAIN and CLUSTERDOWN are retried after go-redis's backoff and the
// operation succeeds within MaxRedirects retries; one refused more often
// fails with the last refusal (certainly not applied); a refusal that is
// not retryable fails at once.
func TestClusterRetries(t *testing.T) {
	tw := newTestWorld(t, 9, lan(), redis.DefaultConfig())
	slots := "*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n$2\r\nf1\r\n:6379\r\n$2\r\nid\r\n*0\r\n"
	f := &fakeServer{
		replies: []string{slots,
			"-TRYAGAIN Multiple keys request during rehashing of slot\r\n", "-CLUSTERDOWN The cluster is down\r\n", "+OK\r\n",
			"-CLUSTERDOWN The cluster is down\r\n", "-CLUSTERDOWN The cluster is down\r\n", "-CLUSTERDOWN The cluster is down\r\n", "-CLUSTERDOWN The cluster is down\r\n",
			"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		},
		delays: make([]time.Duration, 9),
	}
	f.start(t, tw, "f1")
	o := tw.options(0, &Register{Keys: 1, ReadFraction: 0})
	o.Target, o.Cluster = nil, &Cluster{Addrs: []string{"f1:6379"}}
	o.Think = time.Second
	tw.spawn(o)
	tw.w.RunFor(4 * time.Second)
	ops := tw.h.Ops()
	if len(ops) < 3 {
		t.Fatalf("%d ops", len(ops))
	}
	want := []struct {
		outcome history.Outcome
		err     string
	}{
		{history.Ok, ""},
		{history.Fail, "CLUSTERDOWN The cluster is down"},
		{history.Fail, "WRONGTYPE"},
	}
	for i, w := range want {
		op := ops[i]
		if op.Outcome != w.outcome || !strings.HasPrefix(op.Error, w.err) || op.Node != "f1" {
			t.Errorf("op %d = %s %q on %s, want %s %q on f1", i, op.Outcome, op.Error, op.Node, w.outcome, w.err)
		}
	}
	// Two retries after backoffs of at least BackoffMin (5 ms) each;
	// four attempts, the last three after a backoff.
	if d := ops[0].Complete - ops[0].Invoke; d < clockMs(10) {
		t.Errorf("op 0 took %v: the retries did not back off", d)
	}
	if d := ops[1].Complete - ops[1].Invoke; d < clockMs(15) {
		t.Errorf("op 1 took %v: the retries did not back off", d)
	}
}

// TestClusterAskTransaction: a MULTI/EXEC transaction whose slot is being
// imported by another master goes there after -ASK, with ASKING before
// MULTI (the flag lasts through the transaction), and commits there; one
// over a key the target does not hold yet gets -TRYAGAIN (Redis refuses a
// multi-key request during a migration unless it has every key), retried
// until MaxRedirects runs out and then Fail. Once the slot is the
// target's, every transaction commits there.
func TestClusterAskTransaction(t *testing.T) {
	cw := newClusterWorld(t, 8, 3, 3)
	wl := &Txn{Keys: 2, MaxMops: 2, ReadFraction: 0.5, HashTags: 1}
	key := wl.key(0)
	slot := strconv.Itoa(cluster.KeyHashSlot([]byte(key)))
	from := cw.owner(key, 3)
	to := "n1"
	if from == to {
		to = "n3"
	}
	fromID, toID := cw.ids[from[1]-'1'], cw.ids[to[1]-'1']
	cw.ok(to, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromID)
	cw.ok(from, "CLUSTER", "SETSLOT", slot, "MIGRATING", toID)
	cw.spawn(cw.clusterOptions(0, wl))
	cw.w.RunFor(time.Second)
	for _, name := range cw.names {
		cw.ok(name, "CLUSTER", "SETSLOT", slot, "NODE", toID)
	}
	settled := cw.w.Now()
	cw.w.RunFor(time.Second)
	ops := cw.h.Ops()
	asked, tryagain, after := 0, 0, 0
	for i := range ops {
		op := &ops[i]
		switch {
		case op.Outcome == history.Pending:
		case op.Invoke > settled+clockMs(5) && op.Outcome == history.Ok && op.Node == to:
			after++
		case op.Invoke < settled && op.Outcome == history.Ok && op.Node == to:
			asked++
		case op.Invoke < settled && op.Outcome == history.Fail && strings.HasPrefix(op.Error, "TRYAGAIN "):
			tryagain++
		default:
			t.Fatalf("op %d (%v) on %s: %s %q; want Ok on %s", i, op.Mops, op.Node, op.Outcome, op.Error, to)
		}
	}
	if asked < 20 || tryagain == 0 || after < 50 {
		t.Fatalf("%d transactions by ASK, %d refused with TRYAGAIN, %d after the migration", asked, tryagain, after)
	}
}

// TestClusterRouteRandomly: with RouteRandomly, reads go to the master or
// the replica of their slot at random (both serve some), writes to the
// master.
func TestClusterRouteRandomly(t *testing.T) {
	cw := newClusterWorld(t, 10, 6, 3)
	wl := ForCluster(NewRegister(), 8)
	replicaOf := map[string]string{"n1": "n4", "n2": "n5", "n3": "n6"}
	for i := range 4 {
		o := cw.clusterOptions(i, wl)
		o.Cluster.RouteRandomly = true
		cw.spawn(o)
	}
	cw.w.RunFor(2 * time.Second)
	ops := cw.h.Ops()
	onMaster, onReplica := 0, 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending {
			continue
		}
		master := cw.owner(op.Key, 3)
		switch {
		case op.Outcome != history.Ok:
			t.Fatalf("op %d (%s %s) on %s: %s %q", i, op.Kind, op.Key, op.Node, op.Outcome, op.Error)
		case op.Kind == history.Read && op.Node == master:
			onMaster++
		case op.Kind == history.Read && op.Node == replicaOf[master]:
			onReplica++
		case op.Kind != history.Read && op.Node == master:
		default:
			t.Fatalf("op %d (%s %s) served by %s", i, op.Kind, op.Key, op.Node)
		}
	}
	if onMaster < 50 || onReplica < 50 {
		t.Fatalf("reads: %d on masters, %d on replicas", onMaster, onReplica)
	}
}

// keyCycle reads its keys in turn, as inner decodes a read.
type keyCycle struct {
	keys  []string
	inner Workload
	n     int
}

func (k *keyCycle) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	key := k.keys[k.n%len(k.keys)]
	k.n++
	return history.Op{Kind: history.Read, Key: key}, [][]byte{[]byte("GET"), []byte(key)}
}

func (k *keyCycle) Decode(op *history.Op, reply resp.Value) error { return k.inner.Decode(op, reply) }
