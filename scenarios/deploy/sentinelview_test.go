package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// Observe samples what each sentinel says of its master every period: n1
// at first in epoch 0, the promoted replica with a higher configuration
// epoch after n1 is killed, SDOWN and ODOWN on the way, and Down while a
// sentinel's process is down; and it collects every published event.
func TestObserveSamplesSentinels(t *testing.T) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var sts []Sentinel
	for _, h := range []string{"s1", "s2", "s3"} {
		sts = append(sts, Sentinel{Host: h, Quorum: 2, DownAfter: 2 * time.Second, FailoverTimeout: 10 * time.Second})
	}
	dep, err := Build(w, n, Deployment{
		Latency:   sim.FixedDist(200 * time.Microsecond),
		Shards:    []Shard{{Name: "mymaster", Nodes: nodes("n1", "n2", "n3")}},
		Sentinels: sts,
	}, &history.History{})
	if err != nil {
		t.Fatal(err)
	}
	var obs Observations
	const period, end = 500 * time.Millisecond, 30 * time.Second
	dep.Observe(&obs, period, end)
	w.At(clock.Time(20*time.Second), func() { dep.Process("n1").Kill() })
	w.At(clock.Time(26*time.Second), func() { dep.SentinelProcess("s3").Kill() })
	w.RunUntil(clock.Time(end))

	if want := 3 * int(end/period); len(obs.Sentinels) != want {
		t.Fatalf("%d sentinel samples, want %d (3 sentinels, one master, every %v)", len(obs.Sentinels), want, period)
	}
	last := map[string]reports.SentinelSample{}
	seen := map[string]bool{}
	for _, s := range obs.Sentinels {
		if s.Master != "mymaster" {
			t.Fatalf("sample %+v: master %q", s, s.Master)
		}
		if s.At < 15*time.Second && (s.Addr != "n1:6379" || s.CurrentEpoch != 0 || s.ConfigEpoch != 0 || s.Status != "ok" || s.Down || s.Tilt) {
			t.Fatalf("before the kill: %+v", s)
		}
		if s.Sentinel == "s3" && s.At >= 26*time.Second && (!s.Down || s.Addr != "" || s.ConfigEpoch != 0) {
			t.Fatalf("s3 killed at 26s: %+v", s)
		}
		seen[s.Status] = true
		last[s.Sentinel] = s
	}
	if !seen["sdown"] || !seen["odown"] {
		t.Errorf("no sentinel was sampled seeing n1 SDOWN and ODOWN (statuses %v)", seen)
	}
	for _, h := range []string{"s1", "s2"} {
		s := last[h]
		if s.At != end-period || s.Down || s.Addr == "n1:6379" || s.Addr == "" || s.ConfigEpoch == 0 || s.CurrentEpoch < s.ConfigEpoch {
			t.Errorf("%s at the end: %+v, want a promoted replica in a configuration epoch above 0", h, s)
		}
	}
	if a, b := fmt.Sprint(obs.SentinelEvents), fmt.Sprint(dep.SentinelEvents()); a != b || len(obs.SentinelEvents) == 0 {
		t.Errorf("Observations hold %d sentinel events, the deployment %d", len(obs.SentinelEvents), len(dep.SentinelEvents()))
	}
	var types []string
	for _, e := range obs.SentinelEvents {
		types = append(types, e.Type)
	}
	for _, want := range []string{"+monitor", "+sdown", "+odown", "+try-failover", "+elected-leader", "+switch-master"} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s among the events %s", want, strings.Join(types, " "))
		}
	}
}
