package reports

import (
	"io"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// Run is everything a report of one run shows. Scenarios fill it; Write turns
// it into files. Times (At, From, To, op times) are virtual time since the
// world's start.
type Run struct {
	// Scenario is the scenario's name.
	Scenario string
	// Seed is the world's seed.
	Seed uint64
	// Hash is the trace hash that proves a replay is the same run.
	Hash string
	// Params are the scenario's parameters in the scenario's order.
	Params []Param
	// Duration is the virtual time the run lasted.
	Duration time.Duration
	// Events is the number of events the world ran.
	Events uint64
	// Status is "pass" (every check held), "fail" (a check found a
	// violation) or "unknown" (no violation, but a check could not decide).
	Status string
	// StatusLine is the closing line of `simulate run`:
	// "PASS scenario=... seed=... hash=...".
	StatusLine string
	// Replay is the exact command that replays the run.
	Replay string
	// Bugs are the planted bugs the run had (--bug NAME), by name: a
	// failure is then what the run was for, and the report says so
	// beside its status.
	Bugs []string
	// Sites are the buggify fault sites active in the run (--set
	// buggify=on), sorted by name; empty when buggify was off.
	Sites []RunSite
	// Verdicts are the checks' conclusions, in the scenario's order.
	Verdicts []checker.Result
	// Faults is the nemesis schedule as it ran.
	Faults []Fault
	// History is every operation the clients recorded, in invocation order.
	// A run that streamed its history keeps only its tail here: Streamed
	// summarizes the operations before it (counts, throughput, a latency
	// sample) and HistoryPrefix, when set, is a file holding them as
	// history.jsonl lines, which history.jsonl starts with.
	History       []history.Op
	Streamed      *history.Summary
	HistoryPrefix string
	// Roles sample each node's role over time.
	Roles []RoleSample
	// Beliefs sample which node each client thought was the master.
	Beliefs []BeliefSample
	// Lag samples each replica's replication offset lag.
	Lag []LagSample
	// Sentinels sample each sentinel's view of each master it monitors;
	// SentinelEvents are the events the sentinels published, in order.
	// Both are empty when the run had no sentinels.
	Sentinels      []SentinelSample
	SentinelEvents []SentinelEvent
	// Cluster holds each cluster node's view of the cluster where it
	// changes (ClusterSample); empty when the run had no cluster.
	Cluster []ClusterSample
	// Facts are one-line observations of the run ("2611 pongs, 13
	// timeouts"), in the order printed.
	Facts []string
	// FaultProfile, when the run drew a swarm profile, is written to
	// result.json as it is (the profile's line is among the Facts).
	FaultProfile any
	// Probes are the coverage probes the run reached (sorted by name): a
	// failing run's report says which rare states it went through.
	Probes []RunProbe
	// Linearizability, when set, writes porcupine's visualization of a
	// failed linearizability check; the caller caps its size. Write saves it
	// as linearizability.html and links it from the report. An error is shown
	// on the page instead of the link and does not fail Write.
	Linearizability func(w io.Writer) error
}

// RunProbe is a coverage probe one run reached: how often, and when first.
type RunProbe struct {
	Name  string
	Count int
	First time.Duration
}

// RunSite is a buggify fault site active in one run: the firing
// probability drawn for it, whether a failpoint forced it on, how often it
// fired and when first (zero when it never did).
type RunSite struct {
	Name    string
	Percent int
	Forced  bool
	Fires   int
	First   time.Duration
}

// Param is one scenario parameter and the value the run used.
type Param struct {
	Name  string
	Value string
}

// verdictWindow returns the window of virtual time a verdict points at:
// its evidence's From and To when set, else the span of its operations; ok is
// false when it points nowhere.
func verdictWindow(v *checker.Result) (from, to time.Duration, ok bool) {
	ev := &v.Evidence
	if ev.From != 0 || ev.To != 0 {
		return ev.From.Duration(), ev.To.Duration(), true
	}
	for i, op := range ev.Ops {
		a, b := op.Invoke.Duration(), op.Complete.Duration()
		if i == 0 || a < from {
			from = a
		}
		if i == 0 || b > to {
			to = b
		}
	}
	return from, to, len(ev.Ops) > 0
}

// Fault is one action of the nemesis schedule.
type Fault struct {
	// At is when the fault began; End when it was healed or undone. End
	// equals At for an instantaneous action (a crash, a clock jump).
	At, End time.Duration
	// Op is the action's short name ("partition", "crash"), used as a label
	// with Target, the host or master it acts on ("" when it has none, as a
	// partition).
	Op     string
	Target string
	// Text describes the action in full.
	Text string
}

// RoleSample says that from At on, Node had Role: "master", "slave" or
// "down" (other roles are shown by name).
type RoleSample struct {
	At   time.Duration
	Node string
	Role string
}

// BeliefSample says that from At on, client Process sent writes to Master as
// the master; Master is "" when the client knew of none.
type BeliefSample struct {
	At      time.Duration
	Process int
	Master  string
}

// LagSample is a replica's replication offset lag behind its master, in
// bytes, at At.
type LagSample struct {
	At    time.Duration
	Node  string
	Bytes int64
}

// SentinelSample says what sentinel Sentinel (its host) answered for the
// master it monitors under the name Master from At on: the address
// SENTINEL GET-MASTER-ADDR-BY-NAME gives, the epochs, TILT, and whether it
// sees the master down. While the sentinel process is down, Down is set and
// the other fields after Master are zero (Master too when the sentinel was
// never seen up).
type SentinelSample struct {
	At       time.Duration
	Sentinel string
	Master   string
	Down     bool
	// Paused: the sentinel process is paused (SIGSTOP), so its view is
	// frozen.
	Paused bool
	// Addr is "host:port".
	Addr string
	// Status is "ok", "sdown" or "odown", as INFO's sentinel section says.
	Status string
	Tilt   bool
	// CurrentEpoch is the sentinel's current epoch; ConfigEpoch the
	// master's configuration epoch in its view.
	CurrentEpoch uint64
	ConfigEpoch  uint64
}

// SentinelEvent is one event a sentinel published (+sdown, +odown,
// +switch-master...) at the true time it did: Host is the sentinel's host,
// Type the channel ("+switch-master"), Msg the message as published
// ("mymaster n1 6379 n3 6379").
type SentinelEvent struct {
	At   clock.Time
	Host string
	Type string
	Msg  string
}

// statusWord is a status as a closing line spells it: PASS, FAIL, UNKNOWN.
func statusWord(status string) string { return strings.ToUpper(status) }

// Operations is the number of operations the run recorded, streamed ones
// included.
func (r *Run) Operations() int {
	n := len(r.History)
	if r.Streamed != nil {
		n += r.Streamed.Ops
	}
	return n
}

// outcomeCounts counts the run's operations by outcome, streamed ones
// included.
func (r *Run) outcomeCounts() [4]int {
	var counts [4]int
	if r.Streamed != nil {
		counts = r.Streamed.Outcomes
	}
	for i := range r.History {
		counts[min(int(r.History[i].Outcome), 3)]++
	}
	return counts
}
