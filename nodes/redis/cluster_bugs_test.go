package redis

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// The stories of the catalog's Redis Cluster entries (TestBugStories).

// lastVoteOnDisk is the lastVoteEpoch of the nodes.conf that node i's disk
// holds.
func (cw *clusterWorld) lastVoteOnDisk(t *testing.T, i int) string {
	t.Helper()
	data, err := cw.nodes[i].host.Disk().Read("nodes.conf")
	if err != nil {
		t.Fatalf("n%d nodes.conf: %v", i+1, err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if _, v, ok := strings.Cut(l, "lastVoteEpoch "); ok && strings.HasPrefix(l, "vars ") {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("n%d nodes.conf has no vars line:\n%s", i+1, data)
	return ""
}

// n3 crashes and its replica n6 asks n1 and n2 for their votes; the
// moment both ACKs are in, n1 and n2 lose power. A vote on the wire is a
// vote on disk: both nodes.conf say lastVoteEpoch is the election's
// epoch. Planted, the ACKs leave before anything is saved, and the disks
// have forgotten the votes.
func storyClusterVoteNotFsynced(t *testing.T) {
	off, on := story(t, bugs.ClusterVoteNotFsynced, func(t *testing.T) string {
		cw := newClusterWorld(t, 3, 6, 3)
		cw.nodes[2].host.Crash()
		cw.conns[2].closed = true
		cand := cw.nodes[5].server()
		for deadline := cw.w.Now().Duration() + 30*time.Second; cand.cl.failoverAuthCount < 2; {
			if cw.w.Now().Duration() > deadline {
				t.Fatalf("n6 never had two votes\n%s", cw.conns[0].do("CLUSTER", "NODES"))
			}
			cw.w.RunFor(100 * time.Microsecond)
		}
		epoch := cand.cl.failoverAuthEpoch
		cw.nodes[0].host.Crash()
		cw.nodes[1].host.Crash()
		return fmt.Sprintf("election epoch %d, lastVoteEpoch on disk n1 %s n2 %s", epoch, cw.lastVoteOnDisk(t, 0), cw.lastVoteOnDisk(t, 1))
	})
	var epoch int
	var n1, n2 string
	if _, err := fmt.Sscanf(off, "election epoch %d, lastVoteEpoch on disk n1 %s n2 %s", &epoch, &n1, &n2); err != nil {
		t.Fatalf("off: %q: %v", off, err)
	}
	if want := fmt.Sprint(epoch); n1 != want || n2 != want {
		t.Errorf("off: %q, want both votes of epoch %d on disk before their ACKs arrived", off, epoch)
	}
	if _, err := fmt.Sscanf(on, "election epoch %d, lastVoteEpoch on disk n1 %s n2 %s", &epoch, &n1, &n2); err != nil {
		t.Fatalf("planted: %q: %v", on, err)
	}
	if want := fmt.Sprint(epoch); n1 == want || n2 == want {
		t.Errorf("planted: %q, want neither vote on disk when its ACK arrived", on)
	}
}

// roles is the ROLE word of the nodes named, in order.
func (cw *clusterWorld) roles(names ...int) string {
	var out []string
	for _, i := range names {
		r := cw.nodes[i].dial().do("ROLE")
		_, rest, _ := strings.Cut(r, "\r\n")
		_, rest, _ = strings.Cut(rest, "\r\n")
		word, _, _ := strings.Cut(rest, "\r\n")
		out = append(out, fmt.Sprintf("n%d %s", i+1, word))
	}
	return strings.Join(out, ", ")
}

// Four masters split 2/2, each shard's replica across the cut from its
// master: with a majority of three, no side may mark the other's masters
// FAIL or elect their replicas, so every replica stays one. Planted, two
// masters are a majority and both sides elect the other side's replicas.
func storyClusterHalfMastersMajority(t *testing.T) {
	off, on := story(t, bugs.ClusterHalfMastersMajority, func(t *testing.T) string {
		cw := newClusterWorld(t, 4, 8, 4) // n5..n8 follow n1..n4
		if err := cw.net.Split([][]string{{"n1", "n2", "n7", "n8", "c1"}, {"n3", "n4", "n5", "n6"}}); err != nil {
			t.Fatal(err)
		}
		cw.w.RunFor(60 * time.Second)
		cw.net.Heal()
		cw.w.RunFor(100 * time.Millisecond)
		return cw.roles(4, 5, 6, 7)
	})
	if off != "n5 slave, n6 slave, n7 slave, n8 slave" {
		t.Errorf("off: %s, want every replica still one: neither half is a majority", off)
	}
	side1 := strings.Contains(on, "n7 master") || strings.Contains(on, "n8 master")
	side2 := strings.Contains(on, "n5 master") || strings.Contains(on, "n6 master")
	if !side1 || !side2 {
		t.Errorf("planted: %s, want replicas elected on both sides of the cut", on)
	}
}

// An operator gives slot 0 of n1, which holds a key in it, to n2 without
// migrating it (SETSLOT IMPORTING then NODE on n2, which takes a new
// epoch). n1 deletes the key of the slot it lost, and, as in 7.0.15
// (delKeysInSlot propagates nothing before 7.2, redis/redis#11084), its
// replica n4 keeps it.
func TestClusterSlotLossKeysStayOnReplica(t *testing.T) {
	cw := newClusterWorld(t, 5, 6, 3)
	key := "{06S}k" // slot 0
	if slot := cluster.KeyHashSlot([]byte(key)); slot != 0 {
		t.Fatalf("%s is in slot %d", key, slot)
	}
	mustReply(t, cw.conns[0], "+OK\r\n", "SET", key, "v")
	mustReply(t, cw.conns[0], "+OK\r\n", "SET", "b", "v") // slot 3300, n1's too
	cw.w.RunFor(time.Second)
	mustReply(t, cw.conns[1], "+OK\r\n", "CLUSTER", "SETSLOT", "0", "IMPORTING", cw.ids[0])
	mustReply(t, cw.conns[1], "+OK\r\n", "CLUSTER", "SETSLOT", "0", "NODE", cw.ids[1])
	cw.w.RunFor(3 * time.Second)
	got := "n1 dbsize " + strings.TrimSpace(cw.conns[0].do("DBSIZE")) + ", n4 dbsize " + strings.TrimSpace(cw.conns[3].do("DBSIZE"))
	if got != "n1 dbsize :1, n4 dbsize :2" {
		t.Errorf("%s, want the lost slot's key gone from n1 only", got)
	}
}

// n1's replicas n4 and n7 cannot reach each other. n1 crashes, one of them
// is elected, the other follows it on paper but cannot connect; then the
// winner crashes too, and the one left is elected. Planted, following
// the new master zeroed its down time, its data age is decades and it may
// not start an election.
func storySetMasterZeroesDownSince(t *testing.T) {
	off, on := story(t, bugs.SetMasterZeroesDownSince, func(t *testing.T) string {
		cw := newClusterWorld(t, 6, 9, 3) // n4 and n7 follow n1
		if err := cw.net.Clog("n4", "n7"); err != nil {
			t.Fatal(err)
		}
		cw.nodes[0].host.Crash()
		cw.conns[0].closed = true
		winner, other := -1, -1
		for deadline := cw.w.Now().Duration() + 30*time.Second; winner < 0; cw.w.RunFor(100 * time.Millisecond) {
			if cw.w.Now().Duration() > deadline {
				t.Fatalf("neither n4 nor n7 was elected\n%s", cw.conns[1].do("CLUSTER", "NODES"))
			}
			for _, pair := range [][2]int{{3, 6}, {6, 3}} {
				if cw.nodes[pair[0]].server().cl.myself.isMaster() {
					winner, other = pair[0], pair[1]
				}
			}
		}
		cw.w.RunFor(2 * time.Second)
		cw.nodes[winner].host.Crash()
		cw.conns[winner].closed = true
		cw.w.RunFor(30 * time.Second)
		return cw.roles(other)[3:] // without the name, which the seed picks
	})
	if off != "master" {
		t.Errorf("off: the last replica is %q, want it elected", off)
	}
	if on != "slave" {
		t.Errorf("planted: the last replica is %q, want it kept from the election by its data age", on)
	}
}
