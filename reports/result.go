package reports

import (
	"encoding/json"
	"io"
	"sort"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
)

// The JSON form of a Run in result.json. Field names are stable; verdicts
// are checker.Result as the checkers made them, evidence included as
// structured JSON. Every time
// is given twice: in nanoseconds ("_ns") for programs and as a string for
// people. Instants since the world's start read "12.000345s" as in traces;
// durations read as Go prints them ("1m0s"). Samples (roles, beliefs, lag)
// carry at_ns only.
//
// A run with planted bugs (--bug) has "bugs", their names; a run with
// buggify on has "buggify_sites", the fault sites active in it, each name,
// percent (its drawn firing probability), forced (a failpoint turned it
// on), fires, and first_ns and first (its first firing, absent when it
// never fired). Both are absent otherwise.
//
// A run with sentinels has two more fields, absent otherwise:
//   - "sentinels": each sentinel's view of each master it monitors, one
//     entry when the view changes (the first sample of each sentinel and
//     master included); an entry holds from at_ns until the next entry of
//     the same sentinel and master, or the run's end. Fields: at_ns,
//     sentinel (its host), master (the monitored name), down (the sentinel
//     process is down: the fields after master are then zero), paused,
//     addr (GET-MASTER-ADDR-BY-NAME's "host:port"), status ("ok", "sdown",
//     "odown"), tilt, current_epoch, config_epoch (the master's).
//   - "sentinel_events": every event the sentinels published, in order:
//     at_ns, at, sentinel (its host), type ("+switch-master") and msg
//     ("mymaster n1 6379 n3 6379"), as Sentinel publishes them on the
//     channel named by type. The report's timeline hides the routine ones;
//     this list has them all.
//
// A cluster run has three more, absent otherwise:
//   - "cluster": each cluster node's view where it changes (the first
//     sample of each node included); an entry holds from at_ns until the
//     node's next entry, or the run's end. Fields: at_ns, node (its host),
//     down (the process is down: the fields after paused are then zero),
//     paused, state ("ok" or "fail"), master, replicates (a replica's
//     master's host), current_epoch, config_epoch (the node's own), and
//     slots: the node's slot table as runs, each start, end (included),
//     owner (the serving node's host) and config_epoch (the owner's, as
//     this node knows it); unassigned slots are left out.
//   - "cluster_failovers": each replica that turned master, from its own
//     view: at_ns, at, node, replaced (its master until then) and
//     config_epoch (the one it took).
//   - "cluster_overlaps": each window in which two masters both claimed
//     slots in their own tables (what the cluster-ownership check
//     measures): from_ns, from, to_ns, to, the masters a and b with
//     their config epochs epoch_a and epoch_b, same_epoch (a collision,
//     which that check fails), and the slots both claimed ("0-5460").
//
// The views are sampled (every 500ms in the built-in scenarios; the lag
// samples' at_ns show the period), so a failover's or an overlap's times
// are those of the first sample that showed the change: it happened up to
// one period before.
type resultJSON struct {
	Scenario        string           `json:"scenario"`
	Seed            uint64           `json:"seed"`
	Hash            string           `json:"hash"`
	Status          string           `json:"status"`
	Passed          bool             `json:"passed"`
	StatusLine      string           `json:"status_line"`
	Replay          string           `json:"replay"`
	Params          []paramJSON      `json:"params"`
	Bugs            []string         `json:"bugs,omitempty"`
	BuggifySites    []siteJSON       `json:"buggify_sites,omitempty"`
	DurationNS      int64            `json:"duration_ns"`
	Duration        string           `json:"duration"`
	Events          uint64           `json:"events"`
	Verdicts        []checker.Result `json:"verdicts"`
	Faults          []faultJSON      `json:"faults"`
	Facts           []string         `json:"facts"`
	Operations      int              `json:"operations"`
	Roles           []roleJSON       `json:"roles"`
	Beliefs         []beliefJSON     `json:"beliefs"`
	Lag             []lagJSON        `json:"lag"`
	Sentinels       []sentinelJSON   `json:"sentinels,omitempty"`
	SentinelEvents  []sentEventJSON  `json:"sentinel_events,omitempty"`
	Linearizability *linearizJSON    `json:"linearizability,omitempty"`
	// The cluster's views, failovers and overlaps (a cluster run only).
	Cluster          []clusterJSON         `json:"cluster,omitempty"`
	ClusterFailovers []clusterFailoverJSON `json:"cluster_failovers,omitempty"`
	ClusterOverlaps  []clusterOverlapJSON  `json:"cluster_overlaps,omitempty"`

	// FaultProfile is the run's swarm profile (scenarios' nemesis.Profile:
	// rates, each kind with per_minute, and off), absent without one.
	FaultProfile any `json:"fault_profile,omitempty"`
	// Probes are the coverage probes the run reached.
	Probes []probeJSON `json:"probes,omitempty"`
}

type probeJSON struct {
	Name    string `json:"name"`
	Count   int    `json:"count"`
	FirstNS int64  `json:"first_ns"`
	First   string `json:"first"`
}

type siteJSON struct {
	Name    string `json:"name"`
	Percent int    `json:"percent"`
	Forced  bool   `json:"forced,omitempty"`
	Fires   int    `json:"fires"`
	FirstNS int64  `json:"first_ns,omitempty"`
	First   string `json:"first,omitempty"`
}

type paramJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type faultJSON struct {
	AtNS  int64  `json:"at_ns"`
	At    string `json:"at"`
	EndNS int64  `json:"end_ns"`
	End   string `json:"end"`
	Op    string `json:"op"`
	Text  string `json:"text"`
}

type roleJSON struct {
	AtNS int64  `json:"at_ns"`
	Node string `json:"node"`
	Role string `json:"role"`
}

type beliefJSON struct {
	AtNS    int64  `json:"at_ns"`
	Process int    `json:"process"`
	Master  string `json:"master"`
}

type lagJSON struct {
	AtNS  int64  `json:"at_ns"`
	Node  string `json:"node"`
	Bytes int64  `json:"bytes"`
}

type sentinelJSON struct {
	AtNS         int64  `json:"at_ns"`
	Sentinel     string `json:"sentinel"`
	Master       string `json:"master"`
	Down         bool   `json:"down"`
	Paused       bool   `json:"paused"`
	Addr         string `json:"addr"`
	Status       string `json:"status"`
	Tilt         bool   `json:"tilt"`
	CurrentEpoch uint64 `json:"current_epoch"`
	ConfigEpoch  uint64 `json:"config_epoch"`
}

type sentEventJSON struct {
	AtNS     int64  `json:"at_ns"`
	At       string `json:"at"`
	Sentinel string `json:"sentinel"`
	Type     string `json:"type"`
	Msg      string `json:"msg"`
}

// sentinelChanges are the samples that differ from the one before of the
// same sentinel and master.
func sentinelChanges(ss []SentinelSample) []sentinelJSON {
	type key struct{ sentinel, master string }
	last := map[key]SentinelSample{}
	var out []sentinelJSON
	for _, s := range ss {
		k := key{s.Sentinel, s.Master}
		if prev, ok := last[k]; ok && sameView(prev, s) {
			continue
		}
		last[k] = s
		out = append(out, sentinelJSON{int64(s.At), s.Sentinel, s.Master, s.Down, s.Paused, s.Addr, s.Status, s.Tilt, s.CurrentEpoch, s.ConfigEpoch})
	}
	return out
}

// sameView reports whether two samples say the same but for their time.
func sameView(a, b SentinelSample) bool {
	a.At = b.At
	return a == b
}

type clusterJSON struct {
	AtNS         int64         `json:"at_ns"`
	Node         string        `json:"node"`
	Down         bool          `json:"down"`
	Paused       bool          `json:"paused"`
	State        string        `json:"state"`
	Master       bool          `json:"master"`
	Replicates   string        `json:"replicates"`
	CurrentEpoch uint64        `json:"current_epoch"`
	ConfigEpoch  uint64        `json:"config_epoch"`
	Slots        []slotRunJSON `json:"slots"`
}

type slotRunJSON struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Owner       string `json:"owner"`
	ConfigEpoch uint64 `json:"config_epoch"`
}

type clusterFailoverJSON struct {
	AtNS        int64  `json:"at_ns"`
	At          string `json:"at"`
	Node        string `json:"node"`
	Replaced    string `json:"replaced"`
	ConfigEpoch uint64 `json:"config_epoch"`
}

type clusterOverlapJSON struct {
	FromNS    int64  `json:"from_ns"`
	From      string `json:"from"`
	ToNS      int64  `json:"to_ns"`
	To        string `json:"to"`
	A         string `json:"a"`
	EpochA    uint64 `json:"epoch_a"`
	B         string `json:"b"`
	EpochB    uint64 `json:"epoch_b"`
	SameEpoch bool   `json:"same_epoch"`
	Slots     string `json:"slots"`
}

// clusterResult fills j's cluster fields from r's cluster samples.
func clusterResult(j *resultJSON, r *Run) {
	if len(r.Cluster) == 0 {
		return
	}
	st := newClusterStory(r.Cluster, r.Duration)
	for k := range st.samples {
		for _, s := range st.samples[k] {
			c := clusterJSON{int64(s.At), s.Node, s.Down, s.Paused, s.State, s.Master, s.Replicates, s.CurrentEpoch, s.ConfigEpoch, make([]slotRunJSON, len(s.Slots))}
			for i, sr := range s.Slots {
				c.Slots[i] = slotRunJSON{sr.Start, sr.End, sr.Owner, sr.ConfigEpoch}
			}
			j.Cluster = append(j.Cluster, c)
		}
	}
	// In time order, nodes in natural order within an instant.
	sort.SliceStable(j.Cluster, func(a, b int) bool { return j.Cluster[a].AtNS < j.Cluster[b].AtNS })
	for _, f := range st.failovers() {
		j.ClusterFailovers = append(j.ClusterFailovers, clusterFailoverJSON{int64(f.At), instant(f.At), f.Node, f.Replaced, f.ConfigEpoch})
	}
	for _, o := range st.overlaps() {
		j.ClusterOverlaps = append(j.ClusterOverlaps, clusterOverlapJSON{int64(o.From), instant(o.From), int64(o.To), instant(o.To),
			o.A, o.EpochA, o.B, o.EpochB, o.EpochA == o.EpochB, slotRanges(o.Slots, 1<<30)})
	}
}

type linearizJSON struct {
	File  string `json:"file,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
	Error string `json:"error,omitempty"`
}

// instant prints a time since the world's start as traces do: "12.000345s".
func instant(d time.Duration) string { return clock.Time(d).String() }

func writeResultJSON(w io.Writer, r *Run, lin linearizabilityLink) error {
	j := resultJSON{
		Scenario: r.Scenario, Seed: r.Seed, Hash: r.Hash, Status: r.Status, Passed: r.Status == "pass",
		StatusLine: r.StatusLine, Replay: r.Replay, Bugs: r.Bugs,
		Params:     make([]paramJSON, len(r.Params)),
		DurationNS: int64(r.Duration), Duration: r.Duration.String(),
		Events:       r.Events,
		Verdicts:     r.Verdicts,
		Faults:       make([]faultJSON, len(r.Faults)),
		Facts:        r.Facts,
		Operations:   r.Operations(),
		FaultProfile: r.FaultProfile,
		Roles:        make([]roleJSON, len(r.Roles)),
		Beliefs:      make([]beliefJSON, len(r.Beliefs)),
		Lag:          make([]lagJSON, len(r.Lag)),
	}
	if j.Facts == nil {
		j.Facts = []string{}
	}
	for _, p := range r.Probes {
		j.Probes = append(j.Probes, probeJSON{Name: p.Name, Count: p.Count, FirstNS: int64(p.First), First: instant(p.First)})
	}
	for i, p := range r.Params {
		j.Params[i] = paramJSON{p.Name, p.Value}
	}
	for _, st := range r.Sites {
		sj := siteJSON{Name: st.Name, Percent: st.Percent, Forced: st.Forced, Fires: st.Fires}
		if st.Fires > 0 {
			sj.FirstNS, sj.First = int64(st.First), instant(st.First)
		}
		j.BuggifySites = append(j.BuggifySites, sj)
	}
	if j.Verdicts == nil {
		j.Verdicts = []checker.Result{}
	}
	for i, f := range r.Faults {
		j.Faults[i] = faultJSON{int64(f.At), instant(f.At), int64(f.End), instant(f.End), f.Op, f.Text}
	}
	for i, s := range r.Roles {
		j.Roles[i] = roleJSON{int64(s.At), s.Node, s.Role}
	}
	for i, s := range r.Beliefs {
		j.Beliefs[i] = beliefJSON{int64(s.At), s.Process, s.Master}
	}
	for i, s := range r.Lag {
		j.Lag[i] = lagJSON{int64(s.At), s.Node, s.Bytes}
	}
	j.Sentinels = sentinelChanges(r.Sentinels)
	for _, e := range r.SentinelEvents {
		j.SentinelEvents = append(j.SentinelEvents, sentEventJSON{int64(e.At), e.At.String(), e.Host, e.Type, e.Msg})
	}
	clusterResult(&j, r)
	if r.Linearizability != nil {
		j.Linearizability = &linearizJSON{File: lin.Href, Bytes: lin.Bytes, Error: lin.Err}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}
