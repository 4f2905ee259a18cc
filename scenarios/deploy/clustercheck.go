package deploy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/redis"
)

// clusterSample is one node's cluster view at one moment (Observe).
type clusterSample struct {
	at   time.Duration
	node string
	v    redis.ClusterView
}

// observeCluster records every running node's cluster view.
func (b *Deployed) observeCluster(at time.Duration) {
	if !b.cluster {
		return
	}
	for _, name := range b.nodes {
		if s := b.Server(name); s != nil {
			if v, ok := s.ClusterView(); ok {
				b.clusterSamples = append(b.clusterSamples, clusterSample{at: at, node: name, v: v})
			}
		}
	}
}

// ClusterEpochs is the check that every node's currentEpoch is at least
// its configEpoch, at every sample (current_epoch >= config_epoch).
func (b *Deployed) ClusterEpochs() checker.Result {
	r := checker.Result{Checker: "cluster-epochs", Kind: checker.KindSafety}
	for _, s := range b.clusterSamples {
		if s.v.CurrentEpoch < s.v.ConfigEpoch {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("%s at %v: currentEpoch %d < configEpoch %d", s.node, clock.Time(s.at), s.v.CurrentEpoch, s.v.ConfigEpoch)
			r.Evidence.From, r.Evidence.To = clock.Time(s.at), clock.Time(s.at)
			return r
		}
	}
	r.Verdict = checker.Ok
	r.Summary = fmt.Sprintf("currentEpoch >= configEpoch in all %d samples", len(b.clusterSamples))
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
	for i := 0; i < len(b.clusterSamples); {
		j := i
		for j < len(b.clusterSamples) && b.clusterSamples[j].at == b.clusterSamples[i].at {
			j++
		}
		at := b.clusterSamples[i].at
		// Each master's own claim: the slots its table gives itself.
		type claim struct {
			node  string
			epoch uint64
			slots []redis.SlotOwner
		}
		var claims []claim
		for _, s := range b.clusterSamples[i:j] {
			if !s.v.Master {
				continue
			}
			c := claim{node: s.node, epoch: s.v.ConfigEpoch}
			for _, o := range s.v.Owners {
				if o.ID == s.v.MyID {
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
		i = j
	}
	r.Metrics = []checker.Metric{{Name: "overlap_ms", Value: float64(overlap.Milliseconds())}}
	r.Evidence.Notes = windows
	if r.Verdict == checker.Ok {
		r.Summary = fmt.Sprintf("no two masters claimed a slot with the same configEpoch; masters of different epochs overlapped for about %v", overlap)
	}
	return r
}

func firstCommonSlot(a, b []redis.SlotOwner) (int, bool) {
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
	if len(b.clusterSamples) == 0 {
		r.Verdict = checker.Unknown
		r.Summary = "no cluster samples"
		return r
	}
	last := b.clusterSamples[len(b.clusterSamples)-1].at
	var final []clusterSample
	for _, s := range b.clusterSamples {
		if s.at == last {
			final = append(final, s)
		}
	}
	table := func(v redis.ClusterView) string {
		var parts []string
		for _, o := range v.Owners {
			parts = append(parts, fmt.Sprintf("%d-%d:%s", o.Start, o.End, v.Hosts[o.ID]))
		}
		return strings.Join(parts, " ")
	}
	ref := table(final[0].v)
	for _, s := range final {
		if t := table(s.v); t != ref {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("at the end %s and %s disagree on the slots: %q vs %q", final[0].node, s.node, ref, t)
			return r
		}
		if s.v.State != "ok" {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("at the end %s says the cluster is %s", s.node, s.v.State)
			return r
		}
	}
	// From since on, the last moment some running node did not say ok:
	// the cluster is ok for good from the sample after it.
	okAt := since
	for i := 0; i < len(b.clusterSamples); {
		j := i
		all := true
		for j < len(b.clusterSamples) && b.clusterSamples[j].at == b.clusterSamples[i].at {
			all = all && b.clusterSamples[j].v.State == "ok"
			j++
		}
		if at := b.clusterSamples[i].at; at >= since && !all {
			okAt = at
			if j < len(b.clusterSamples) {
				okAt = b.clusterSamples[j].at
			}
		}
		i = j
	}
	r.Metrics = []checker.Metric{{Name: "ok_after_ms", Value: float64((okAt - since).Milliseconds())}}
	if okAt-since > bound {
		r.Verdict = checker.Violation
		r.Summary = fmt.Sprintf("the cluster was ok on every node for good only %v after %v, more than %v", okAt-since, clock.Time(since), bound)
		return r
	}
	r.Verdict = checker.Ok
	nodes := make([]string, 0, len(final))
	for _, s := range final {
		nodes = append(nodes, s.node)
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
	if len(b.clusterSamples) == 0 {
		r.Verdict = checker.Unknown
		r.Summary = "no cluster samples"
		return r
	}
	last := b.clusterSamples[len(b.clusterSamples)-1].at
	byNode := map[string]redis.ClusterView{}
	for _, s := range b.clusterSamples {
		if s.at == last {
			byNode[s.node] = s.v
		}
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
		case ov.Master || ov.MasterID != nv.MyID:
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
	for _, s := range b.clusterSamples {
		if s.at < from || s.at >= until {
			continue
		}
		n++
		if s.v.State != "ok" {
			r.Verdict = checker.Violation
			r.Summary = fmt.Sprintf("%s said the cluster is %s at %v, %v after %v: the cluster did not recover within %v", s.node, s.v.State, clock.Time(s.at), s.at-since, clock.Time(since), bound)
			r.Evidence.From, r.Evidence.To = clock.Time(s.at), clock.Time(s.at)
			return r
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
