package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// replDeployment runs m, r1 and r2 with register clients writing to m
// until 12s; the check's quiet starts at 5s, its drain barrier is at 16s,
// the run ends at 20s. act, when set, runs at its time.
func replDeployment(t *testing.T, at time.Duration, act func(dep *Deployed, w *sim.World)) (*Deployed, checker.Result) {
	t.Helper()
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ns := nodes("m", "r1", "r2")
	for i := range ns {
		ns[i].Config.ReplTimeoutSeconds, ns[i].Config.ReplPingReplicaPeriod, ns[i].Config.ReplDisklessSyncDelay = 3, 1, 1
	}
	dep, err := Build(w, n, Deployment{
		Shards:  []Shard{{Name: "s", Nodes: ns}},
		Clients: []Clients{{Host: "c", Count: 3, Workload: client.NewRegister(), Target: "m:6379", Stop: 12 * time.Second}},
	}, &history.History{})
	if err != nil {
		t.Fatal(err)
	}
	rw := dep.WatchReplication(ReplicationOptions{Quiet: 5 * time.Second, Drain: 16 * time.Second})
	if act != nil {
		w.At(clock.Time(at), func() { act(dep, w) })
	}
	w.RunUntil(clock.Time(20 * time.Second))
	return dep, rw.Result()
}

// A quiet deployment passes; a link killed after the drain barrier, or a
// replica down at the end, does not; a kill-link on a master kills
// nothing and is no error.
func TestReplicationWatch(t *testing.T) {
	dep, res := replDeployment(t, 0, nil)
	if res.Verdict != checker.Ok || res.Kind != checker.KindSafety || !strings.Contains(res.Summary, "2 replicas: each processed and acknowledged") {
		t.Fatalf("quiet run: %s %s %v", res.Verdict, res.Summary, res.Evidence.Notes)
	}
	if v, _ := res.Metric("sync_full"); v != 2 {
		t.Errorf("sync_full %v, want the two initial syncs", v)
	}
	if st := dep.ReplTotals(); st.FullSyncs != 2 || st.ProtocolErrors != 0 {
		t.Errorf("totals %+v", st)
	}
	for _, tt := range []struct {
		name string
		at   time.Duration
		act  func(dep *Deployed, w *sim.World)
		want string
	}{
		{"kill-link during the writes", 8 * time.Second, func(dep *Deployed, _ *sim.World) { _ = dep.KillLink("r1") }, ""},
		{"kill-link on the master", 8 * time.Second, func(dep *Deployed, _ *sim.World) { _ = dep.KillLink("m") }, ""},
		{"kill-link after the barrier", 18 * time.Second, func(dep *Deployed, _ *sim.World) { _ = dep.KillLink("r2") },
			"r2's link to m dropped or resynced after the drain barrier at 16s (1 drops, 0 full and 1 partial resyncs since)"},
		{"replica cut off before the barrier", 14 * time.Second, func(_ *Deployed, w *sim.World) { w.Host("r1").Crash() },
			"r1 is down at the end"},
	} {
		dep, res := replDeployment(t, tt.at, tt.act)
		switch {
		case tt.want == "" && res.Verdict != checker.Ok:
			t.Errorf("%s: %s %s %v", tt.name, res.Verdict, res.Summary, res.Evidence.Notes)
		case tt.want != "" && (res.Verdict != checker.Violation || !strings.Contains(strings.Join(res.Evidence.Notes, "\n"), tt.want)):
			t.Errorf("%s: %s %v, want a violation saying %q", tt.name, res.Verdict, res.Evidence.Notes, tt.want)
		}
		if tt.name == "kill-link during the writes" {
			if st := dep.ReplTotals(); st.SyncPartialOK != 1 || st.SyncPartialWithData != 1 {
				t.Errorf("%s: totals %+v, want one partial resync with data", tt.name, st)
			}
		}
	}
}

// healthy is what the check reads of a master m and replicas r1 and r2
// that agree: at the drain barrier m was at 1000, at the end it is at 1014
// (a PING), r1 has processed it, r2 not yet.
func healthy() (map[string]mark, map[string]nodeEnd) {
	master := mark{lives: 1, up: true, role: "master", replid: "A", offset: 1000}
	replica := mark{lives: 1, up: true, role: "slave", master: "m", replid: "A", offset: 1000, linkUp: true, stats: redis.ReplStats{FullSyncs: 1, LinkDrops: 1}}
	drain := map[string]mark{"m": master, "r1": replica, "r2": replica}
	mEnd := master
	mEnd.offset = 1014
	r1, r2 := replica, replica
	r1.offset = 1014
	end := map[string]nodeEnd{
		"m":  {mark: mEnd, acks: []redis.ReplicaAck{{Host: "r1", State: "online", Offset: 1014}, {Host: "r2", State: "online", Offset: 1000}}},
		"r1": {mark: r1, fullAfterQuiet: 1},
		"r2": {mark: r2},
	}
	return drain, end
}

// Each way a replica can be off its master is a violation that names it.
func TestJudgeReplication(t *testing.T) {
	o := ReplicationOptions{Quiet: 40 * time.Second, Drain: 55 * time.Second, MaxFullSyncs: 2}
	nodes := []string{"m", "r1", "r2"}
	drain, end := healthy()
	if res := judgeReplication(o, clock.Time(60*time.Second), nodes, drain, end, redis.ReplStats{}); res.Verdict != checker.Ok {
		t.Fatalf("healthy: %s %s %v", res.Verdict, res.Summary, res.Evidence.Notes)
	}
	for _, tt := range []struct {
		name   string
		change func(drain map[string]mark, end map[string]nodeEnd)
		want   string
	}{
		{"ahead", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r1"]; r.offset = 1015; e["r1"] = r },
			"r1 processed offset 1015, past its master m's 1014"},
		{"behind", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r2"]; r.offset = 999; e["r2"] = r },
			"r2 processed offset 999 by the end, but its master m was at 1000 at the drain barrier at 55s (and is at 1014)"},
		{"ack past", func(_ map[string]mark, e map[string]nodeEnd) { e["m"].acks[1].Offset = 1014 },
			"r2's last ACK to m says offset 1014, past the 1000 it processed"},
		{"ack short", func(_ map[string]mark, e map[string]nodeEnd) { e["m"].acks[0].Offset = 990 },
			"m's last ACK from r1 says offset 990, short of the 1000 it had at the drain barrier"},
		{"no ack", func(_ map[string]mark, e map[string]nodeEnd) { m := e["m"]; m.acks = m.acks[:1]; e["m"] = m },
			"r2 streams from m, which has no replica r2"},
		{"other history", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r1"]; r.replid = "B"; e["r1"] = r },
			"r1 is at B:1014, but its master m is at A:1014: their histories differ"},
		{"protocol error", func(_ map[string]mark, e map[string]nodeEnd) {
			r := e["r2"]
			r.errors = []string{"incarnation 1: Protocol error (Master using the inline protocol. Desync?) from client: id=3"}
			e["r2"] = r
		}, "r2: replication protocol error, incarnation 1: Protocol error (Master using the inline protocol. Desync?)"},
		{"resync loop", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r1"]; r.fullAfterQuiet = 3; e["r1"] = r },
			"r1: resync loop: 3 full resyncs started after the faults stopped at 40s (at most 2 expected)"},
		{"resynced after the barrier", func(_ map[string]mark, e map[string]nodeEnd) {
			r := e["r1"]
			r.stats.PartialSyncs, r.stats.LinkDrops = 1, 2
			e["r1"] = r
		}, "r1's link to m dropped or resynced after the drain barrier at 55s (1 drops, 0 full and 1 partial resyncs since)"},
		{"not settled at the barrier", func(d map[string]mark, _ map[string]nodeEnd) { r := d["r2"]; r.linkUp = false; d["r2"] = r },
			"r2 was not streaming from m at the drain barrier at 55s (link up false, following \"m\"): it had not settled 15s after the faults stopped"},
		{"restarted", func(_ map[string]mark, e map[string]nodeEnd) { m := e["m"]; m.lives = 2; e["m"] = m },
			"r1 or its master m restarted after the drain barrier at 55s"},
		{"link down", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r2"]; r.linkUp = false; e["r2"] = r },
			"r2 never caught up: its link to m is down at the end (offset 1000)"},
		{"down", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r2"]; r.up = false; e["r2"] = r },
			"r2 is down at the end"},
		{"unknown master", func(_ map[string]mark, e map[string]nodeEnd) { r := e["r2"]; r.master = "x"; e["r2"] = r },
			"r2 follows x, which is no node of the deployment"},
	} {
		drain, end := healthy()
		tt.change(drain, end)
		res := judgeReplication(o, clock.Time(60*time.Second), nodes, drain, end, redis.ReplStats{})
		if res.Verdict != checker.Violation || !strings.Contains(strings.Join(res.Evidence.Notes, "\n"), tt.want) {
			t.Errorf("%s: %s %v, want a violation saying %q", tt.name, res.Verdict, res.Evidence.Notes, tt.want)
		}
	}
	_, end = healthy()
	for _, h := range []string{"r1", "r2"} {
		e := end[h]
		e.role = "master"
		end[h] = e
	}
	if res := judgeReplication(o, clock.Time(60*time.Second), nodes, drain, end, redis.ReplStats{}); res.Verdict != checker.Unknown {
		t.Errorf("no replica: %s %s, want unknown", res.Verdict, res.Summary)
	}
}
