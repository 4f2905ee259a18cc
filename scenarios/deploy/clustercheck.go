package deploy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// observeCluster records into obs, for the report and the cluster checks,
// each node's cluster view where it differs from the last one obs holds
// of that node (a node that is down as one Down sample), and the instant
// it looked, so that the checks can tell what every node believed at each
// instant (clusterInstants) from the changes alone.
func (b *Deployed) observeCluster(obs *Observations, at time.Duration) {
	if !b.cluster {
		return
	}
	b.clusterTicks = append(b.clusterTicks, at)
	for _, name := range b.nodes {
		rs := reports.ClusterSample{At: at, Node: name, Down: true}
		if s := b.Server(name); s != nil {
			v, ok := s.ClusterView()
			if !ok {
				continue
			}
			b.sawID(name, v.MyID)
			rs = reportView(at, name, v)
			rs.Paused = b.procs[name].State() == sim.Paused
		}
		if i, ok := b.clusterLast[name]; ok && obs.Cluster[i].SameView(rs) {
			continue
		}
		if b.clusterLast == nil {
			b.clusterLast = map[string]int{}
		}
		b.clusterLast[name] = len(obs.Cluster)
		obs.Cluster = append(obs.Cluster, rs)
	}
}

// reportView is v as the report shows it: nodes by host.
func reportView(at time.Duration, node string, v redis.ClusterView) reports.ClusterSample {
	host := func(id string) string {
		if h, ok := v.Hosts[id]; ok && h != "" {
			return h
		}
		return id
	}
	rs := reports.ClusterSample{At: at, Node: node, State: v.State, Master: v.Master,
		CurrentEpoch: v.CurrentEpoch, ConfigEpoch: v.ConfigEpoch, Slots: make([]reports.SlotRun, len(v.Owners))}
	if v.MasterID != "" {
		rs.Replicates = host(v.MasterID)
	}
	for i, o := range v.Owners {
		rs.Slots[i] = reports.SlotRun{Start: o.Start, End: o.End, Owner: host(o.ID), ConfigEpoch: o.ConfigEpoch}
	}
	return rs
}

// clusterInstant is what the running nodes believed at one instant
// Observe looked: their views, in the deployment's order.
type clusterInstant struct {
	at    time.Duration
	views []*reports.ClusterSample
}

// clusterInstants are the instants Observe looked at the cluster, each
// with the views then in force of the nodes that were up; instants at
// which no node was up are left out.
func (b *Deployed) clusterInstants() []clusterInstant {
	if b.observed == nil {
		return nil
	}
	idx := map[string]int{}
	for k, n := range b.nodes {
		idx[n] = k
	}
	byNode := make([][]*reports.ClusterSample, len(b.nodes))
	for i := range b.observed.Cluster {
		s := &b.observed.Cluster[i]
		byNode[idx[s.Node]] = append(byNode[idx[s.Node]], s)
	}
	next := make([]int, len(b.nodes))
	cur := make([]*reports.ClusterSample, len(b.nodes))
	var out []clusterInstant
	for _, at := range b.clusterTicks {
		in := clusterInstant{at: at}
		for k := range byNode {
			for next[k] < len(byNode[k]) && byNode[k][next[k]].At <= at {
				cur[k] = byNode[k][next[k]]
				next[k]++
			}
			if cur[k] != nil && !cur[k].Down {
				in.views = append(in.views, cur[k])
			}
		}
		if len(in.views) > 0 {
			out = append(out, in)
		}
	}
	return out
}

// ClusterEpochs is the check that every node's currentEpoch is at least
// its configEpoch, at every sample (current_epoch >= config_epoch).
func (b *Deployed) ClusterEpochs() checker.Result {
	r := checker.Result{Checker: "cluster-epochs", Kind: checker.KindSafety}
	samples := 0
	for _, in := range b.clusterInstants() {
		for _, v := range in.views {
			samples++
			if v.CurrentEpoch < v.ConfigEpoch {
				r.Verdict = checker.Violation
				r.Summary = fmt.Sprintf("%s at %v: currentEpoch %d < configEpoch %d", v.Node, clock.Time(in.at), v.CurrentEpoch, v.ConfigEpoch)
				r.Evidence.From, r.Evidence.To = clock.Time(in.at), clock.Time(in.at)
				return r
			}
		}
	}
	if samples == 0 {
		r.Verdict, r.Summary = checker.Unknown, "no cluster samples"
		return r
	}
	r.Verdict = checker.Ok
	r.Summary = fmt.Sprintf("currentEpoch >= configEpoch in all %d samples", samples)
	return r
}

// ClusterOwnership is the check that no two masters claim a slot with the
// same configEpoch at the same moment (a collision Redis must resolve),
// from the samples. Two masters that claim a slot with different epochs
// at once (the minority's old master until the node timeout, a returning
// master before its UPDATE) are the Cluster's documented window, measured
// as overlap_ms, not judged.
func (b *Deployed) ClusterOwnership(period time.Duration) checker.Result {
	r := checker.Result{Checker: "cluster-ownership", Kind: checker.KindSafety, Verdict: checker.Ok}
	overlap := time.Duration(0)
	var windows []string
	instants := b.clusterInstants()
	if len(instants) == 0 {
		r.Verdict, r.Summary = checker.Unknown, "no cluster samples"
		return r
	}
	for _, in := range instants {
		at := in.at
		// Each master's own claim: the slots its table gives itself.
		type claim struct {
			node  string
			epoch uint64
			slots []reports.SlotRun
		}
		var claims []claim
		for _, v := range in.views {
			if !v.Master {
				continue
			}
			c := claim{node: v.Node, epoch: v.ConfigEpoch}
			for _, o := range v.Slots {
				if o.Owner == v.Node {
					c.slots = append(c.slots, o)
				}
			}
			claims = append(claims, c)
		}
		overlapped := false
		for x := 0; x < len(claims); x++ {
			for y := x + 1; y < len(claims); y++ {
				slot, ok := firstCommonSlot(claims[x].slots, claims[y].slots)
				if !ok {
					continue
				}
				if claims[x].epoch == claims[y].epoch && r.Verdict == checker.Ok {
					r.Verdict = checker.Violation
					r.Summary = fmt.Sprintf("at %v %s and %s both claim slot %d with configEpoch %d", clock.Time(at), claims[x].node, claims[y].node, slot, claims[x].epoch)
					r.Evidence.From, r.Evidence.To = clock.Time(at), clock.Time(at)
				}
				if !overlapped && len(windows) < 10 {
					windows = append(windows, fmt.Sprintf("%v: %s (epoch %d) and %s (epoch %d) both claim slot %d", clock.Time(at), claims[x].node, claims[x].epoch, claims[y].node, claims[y].epoch, slot))
				}
				overlapped = true
			}
		}
		if overlapped {
			overlap += period
		}
	}
	r.Metrics = []checker.Metric{{Name: "overlap_ms", Value: float64(overlap.Milliseconds())}}
	r.Evidence.Notes = windows
	if r.Verdict == checker.Ok {
		r.Summary = fmt.Sprintf("no two masters claimed a slot with the same configEpoch; masters of different epochs overlapped for about %v", overlap)
	}
	return r
}

func firstCommonSlot(a, b []reports.SlotRun) (int, bool) {
	for _, x := range a {
		for _, y := range b {
			if lo, hi := max(x.Start, y.Start), min(x.End, y.End); lo <= hi {
				return lo, true
			}
		}
	}
	return 0, false
}

// ClusterAgreement is the check that, in the last samples, every running
// node has the same slot table and says the cluster is ok, and that from
// since (the last fault, or its heal) they all said ok for good within
// bound.
func (b *Deployed) ClusterAgreement(since, bound time.Duration) checker.Result {
	r := checker.Result{Checker: "cluster-agreement", Kind: checker.KindLiveness}
	instants := b.clusterInstants()
	if len(instants) == 0 {
		r.Verdict = checker.Unknown
		r.Summary = "no cluster samples"
		return r
	}
	final := instants[len(instants)-1].views
	table := func(v *reports.ClusterSample) string {
		var parts []string
		for _, o := range v.Slots {
			parts = append(parts, fmt.Sprintf("%d-%d:%s", o.Start, o.End, o.Owner))
		}
		return strings.Join(parts, " ")
	}
	ref := table(final[0])
	for _, v := range final {
		if t := table(v); t != ref {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("at the end %s and %s disagree on the slots: %q vs %q", final[0].Node, v.Node, ref, t)
			return r
		}
		if v.State != "ok" {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("at the end %s says the cluster is %s", v.Node, v.State)
			return r
		}
	}
	// From since on, the last moment some running node did not say ok:
	// the cluster is ok for good from the instant after it.
	okAt := since
	for i, in := range instants {
		all := true
		for _, v := range in.views {
			all = all && v.State == "ok"
		}
		if in.at >= since && !all {
			okAt = in.at
			if i+1 < len(instants) {
				okAt = instants[i+1].at
			}
		}
	}
	r.Metrics = []checker.Metric{{Name: "ok_after_ms", Value: float64((okAt - since).Milliseconds())}}
	if okAt-since > bound {
		r.Verdict = checker.Violation
		r.Summary = fmt.Sprintf("the cluster was ok on every node for good only %v after %v, more than %v", okAt-since, clock.Time(since), bound)
		return r
	}
	r.Verdict = checker.Ok
	nodes := make([]string, 0, len(final))
	for _, v := range final {
		nodes = append(nodes, v.Node)
	}
	slices.Sort(nodes)
	r.Summary = fmt.Sprintf("%s agree on the slots (%s) and were all ok for good %v after %v", strings.Join(nodes, ", "), ref, okAt-since, clock.Time(since))
	return r
}

// ClusterRoles is the check that, at the end, each old master (the keys of
// promoted) is a replica of the replica that replaced it, as every running
// node's table says.
func (b *Deployed) ClusterRoles(promoted map[string]string) checker.Result {
	r := checker.Result{Checker: "cluster-roles", Kind: checker.KindLiveness}
	instants := b.clusterInstants()
	if len(instants) == 0 {
		r.Verdict = checker.Unknown
		r.Summary = "no cluster samples"
		return r
	}
	byNode := map[string]*reports.ClusterSample{}
	for _, v := range instants[len(instants)-1].views {
		byNode[v.Node] = v
	}
	olds := make([]string, 0, len(promoted))
	for old := range promoted { //redsim:ordered sorted below
		olds = append(olds, old)
	}
	slices.Sort(olds)
	for _, old := range olds {
		nu := promoted[old]
		ov, ok1 := byNode[old]
		nv, ok2 := byNode[nu]
		switch {
		case !ok1 || !ok2:
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("%s or %s is down at the end", old, nu)
			return r
		case !nv.Master:
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("%s is not a master at the end: the failover of %s did not happen", nu, old)
			return r
		case ov.Master || ov.Replicates != nu:
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("%s did not rejoin as a replica of %s", old, nu)
			return r
		}
	}
	r.Verdict = checker.Ok
	var pairs []string
	for _, old := range olds {
		pairs = append(pairs, promoted[old]+" replaced "+old)
	}
	r.Summary = strings.Join(pairs, ", ") + ", and each old master follows its successor"
	return r
}

// ClusterRecovery is the check that after a fault at since the cluster
// was ok on every running node at every sample from since+bound until
// until: an election that had to happen did, within bound. Unlike
// ClusterAgreement it ends at until, so nodes that restart later (and say
// fail while they rejoin) do not hide a shard that stayed down until then.
func (b *Deployed) ClusterRecovery(since, bound, until time.Duration) checker.Result {
	r := checker.Result{Checker: "cluster-recovery", Kind: checker.KindLiveness}
	from := since + bound
	n := 0
	for _, in := range b.clusterInstants() {
		if in.at < from || in.at >= until {
			continue
		}
		for _, v := range in.views {
			n++
			if v.State != "ok" {
				r.Verdict = checker.Violation
				r.Summary = fmt.Sprintf("%s said the cluster is %s at %v, %v after %v: the cluster did not recover within %v", v.Node, v.State, clock.Time(in.at), in.at-since, clock.Time(since), bound)
				r.Evidence.From, r.Evidence.To = clock.Time(in.at), clock.Time(in.at)
				return r
			}
		}
	}
	if n == 0 {
		r.Verdict = checker.Unknown
		r.Summary = fmt.Sprintf("no cluster samples from %v to %v", clock.Time(from), clock.Time(until))
		return r
	}
	r.Verdict = checker.Ok
	r.Summary = fmt.Sprintf("every running node said ok in all %d samples from %v to %v (%v after %v)", n, clock.Time(from), clock.Time(until), bound, clock.Time(since))
	return r
}
