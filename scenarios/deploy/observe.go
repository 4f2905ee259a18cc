package deploy

import (
	"fmt"
	"slices"
	"time"
	"weak"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// Observations are what a run samples for its report: each node's role and
// replication lag, which node each client process targets, and, when the
// deployment has sentinels, each sentinel's view of its masters and every
// event the sentinels published, and when it is a cluster, each node's
// view of the cluster.
type Observations struct {
	Roles          []reports.RoleSample
	Beliefs        []reports.BeliefSample
	Lag            []reports.LagSample
	Sentinels      []reports.SentinelSample
	SentinelEvents []reports.SentinelEvent
	// Cluster holds each cluster node's view where it changes: a sample
	// is kept only when it differs from the node's last one.
	Cluster []reports.ClusterSample
	// ChangesOnly keeps a role or belief sample only when it differs from
	// the node's or client's last one, as the timeline draws each sample
	// until the next: the same plot, from a long run's few changes rather
	// than from every period.
	ChangesOnly bool
}

// Observe samples roles, offsets, client targets, the sentinels' views and
// the cluster nodes' views (where they change)
// into obs every period until the end, and appends every event a sentinel
// publishes (the ones before the call too) to obs.SentinelEvents. It only
// reads: the run is the same with or without it, apart from its own timer.
func (b *Deployed) Observe(obs *Observations, period, end time.Duration) {
	if b.pf != nil {
		b.observeBeliefs(obs, period, end)
		return
	}
	w := b.w
	b.observed = obs
	obs.SentinelEvents = append(obs.SentinelEvents, b.sentinelEvents...)
	lastRole, lastBelief := map[string]string{}, map[int]string{}
	var tick func()
	tick = func() {
		at := w.Now().Duration()
		for _, name := range b.nodes {
			s := b.Server(name)
			role := "down"
			if s != nil {
				role = s.Role()
			}
			if last, ok := lastRole[name]; !ok || last != role || !obs.ChangesOnly {
				lastRole[name] = role
				obs.Roles = append(obs.Roles, reports.RoleSample{At: at, Node: name, Role: role})
			}
		}
		for _, name := range b.nodes {
			if bytes, ok := b.lag(name); ok {
				obs.Lag = append(obs.Lag, reports.LagSample{At: at, Node: name, Bytes: bytes})
			}
		}
		for pid := 0; pid < b.nextPID; pid++ {
			if tg, ok := b.targets[pid]; ok {
				master := hostPart(tg())
				if last, ok := lastBelief[pid]; !ok || last != master || !obs.ChangesOnly {
					lastBelief[pid] = master
					obs.Beliefs = append(obs.Beliefs, reports.BeliefSample{At: at, Process: pid, Master: master})
				}
			}
		}
		b.observeSentinels(obs, at)
		b.observeCluster(obs, at)
		b.watchSettled(at, end)
		if at+period < end {
			w.After(period, tick)
		}
	}
	w.After(0, tick)
}

// lag is how far replica name's offset is behind the offset of the master
// it follows (master_repl_offset less its own; below zero when its offset
// is past its master's, as a demoted master's is until it resyncs). There
// is none when name is down or not a replica, or its master is down or not
// a node of the deployment.
func (b *Deployed) lag(name string) (int64, bool) {
	s := b.Server(name)
	if s == nil || s.Role() != "slave" || !slices.Contains(b.nodes, s.MasterHost()) {
		return 0, false
	}
	m := b.Server(s.MasterHost())
	if m == nil {
		return 0, false
	}
	return m.ReplOffset() - s.ReplOffset(), true
}

// observeBeliefs samples which node each client targets and the
// sentinels' views (a paused sentinel is not asked), and collects the
// sentinels' events; it does not sample the nodes' roles: on a platform,
// reading every node every period would hold the clients' loop for as long
// as a paused node takes to time out.
func (b *Deployed) observeBeliefs(obs *Observations, period, end time.Duration) {
	b.observed = obs
	obs.SentinelEvents = append(obs.SentinelEvents, b.sentinelEvents...)
	var tick func()
	tick = func() {
		at := b.now().Duration()
		for pid := 0; pid < b.nextPID; pid++ {
			if tg, ok := b.targets[pid]; ok {
				obs.Beliefs = append(obs.Beliefs, reports.BeliefSample{At: at, Process: pid, Master: hostPart(tg())})
			}
		}
		b.observeSentinels(obs, at)
		if at+period < end {
			b.pf.At(at+period, tick)
		}
	}
	b.pf.At(0, tick)
}

func hostPart(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i]
		}
	}
	return addr
}

// FinalReads reads every key of wl on every node at time at, from host; a
// failure to start them is reported to fail.
func (b *Deployed) FinalReads(host string, at time.Duration, wl client.Workload, fail func(error)) {
	b.at(at, func() {
		for _, name := range b.nodes {
			pid := b.nextPID
			b.nextPID++
			// A cluster replica serves its master's slots after READONLY.
			prog, err := client.FinalReadProgram(name+":6379", client.Options{Process: pid, History: b.hist, Now: b.now, Workload: wl, ReadOnly: b.cluster}, nil)
			if err != nil {
				fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
			if err := b.spawn(host, fmt.Sprintf("final%d-%s", pid, name), prog); err != nil {
				fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
		}
	})
}

// spawn starts prog on host, in the world or on the platform.
func (b *Deployed) spawn(host, name string, prog sim.Program) error {
	if b.pf != nil {
		return b.pf.Spawn(host, name, prog)
	}
	p, err := b.w.Host(host).Spawn(name, prog)
	if err != nil {
		return err
	}
	p.Start()
	return nil
}

// shardView is what Convergence compares of one shard at one moment: the
// digest and the keys' expiry times of every node that is up, and what
// keeps the shard from having converged (nodes down, links down).
type shardView struct {
	at       clock.Time
	replicas []checker.Replica
	expires  [][]redis.KeyExpire
	down     []string
	// drained: every node up, on one replication ID and offset, every
	// replica's link up. The nodes have then applied the same stream, so
	// their datasets must be equal.
	drained bool
	behind  string // why not drained, for the note
}

func (b *Deployed) view(sh Shard) shardView {
	if b.pf != nil {
		return b.platformView(sh)
	}
	v := b.drainState(sh)
	b.digestInto(&v, sh)
	return v
}

// drainState is a view without its digests: which nodes are down, and
// whether the shard's streams are drained. It costs a few field reads.
func (b *Deployed) drainState(sh Shard) shardView {
	v := shardView{at: b.w.Now(), drained: true}
	var id string
	var off int64
	for i, node := range sh.Nodes {
		s := b.Server(node.Host)
		if s == nil {
			v.down = append(v.down, node.Host+" is down")
			v.drained = false
			continue
		}
		if s.Role() == "slave" && !s.MasterLinkUp() {
			v.down = append(v.down, node.Host+": link to its master is down")
			v.drained = false
		}
		switch {
		case i == 0 || id == "":
			id, off = s.ReplID(), s.ReplOffset()
		case s.ReplID() != id || s.ReplOffset() != off:
			v.drained = false
			if v.behind == "" {
				v.behind = fmt.Sprintf("%s at offset %d of %s, %s at %d of %s", sh.Nodes[0].Host, off, id, node.Host, s.ReplOffset(), s.ReplID())
			}
		}
	}
	return v
}

// platformView is view on a platform: INFO replication and DEBUG DIGEST
// of each node. Expiry times are not compared (no command lists them
// without changing the dataset's access times). A shard whose streams are
// not drained yet is read again, for up to two seconds, since the checks
// run right after the run's end and a real stream may still be on its way.
func (b *Deployed) platformView(sh Shard) shardView {
	var v shardView
	for try := 0; try < 10; try++ {
		if try > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		v = shardView{at: b.now(), drained: true}
		var id string
		var off int64
		for i, node := range sh.Nodes {
			st, err := b.pf.State(node.Host, true)
			if err != nil {
				v.down = append(v.down, node.Host+" is down ("+err.Error()+")")
				v.drained = false
				continue
			}
			if st.Role == "slave" && !st.LinkUp {
				v.down = append(v.down, node.Host+": link to its master is down")
				v.drained = false
			}
			switch {
			case i == 0 || id == "":
				id, off = st.ReplID, st.Offset
			case st.ReplID != id || st.Offset != off:
				v.drained = false
				if v.behind == "" {
					v.behind = fmt.Sprintf("%s at offset %d of %s, %s at %d of %s", sh.Nodes[0].Host, off, id, node.Host, st.Offset, st.ReplID)
				}
			}
			v.replicas = append(v.replicas, checker.Replica{Node: node.Host, Digest: st.Digest})
			v.expires = append(v.expires, nil)
		}
		if v.drained {
			break
		}
	}
	return v
}

// digestInto fills in the digests and expiry times of the nodes that are
// up: the costly part of a view (every key and element hashed). The
// simulated nodes are compared by their DatasetHash, which covers what
// DEBUG DIGEST covers at an eighth of its cost. A node whose dataset
// version is the one of its last digest gets that digest again: once the
// clients stop, the datasets rarely change between two observations.
func (b *Deployed) digestInto(v *shardView, sh Shard) {
	if b.digests == nil {
		b.digests = map[string]nodeDigest{}
	}
	for _, node := range sh.Nodes {
		s := b.Server(node.Host)
		if s == nil {
			continue
		}
		d, ok := b.digests[node.Host]
		if !ok || d.server.Value() != s || d.version != s.DatasetVersion() {
			d = nodeDigest{server: weak.Make(s), version: s.DatasetVersion(), digest: s.DatasetHash(), expires: s.Expires()}
			b.digests[node.Host] = d
		}
		v.replicas = append(v.replicas, checker.Replica{Node: node.Host, Digest: d.digest})
		v.expires = append(v.expires, d.expires)
	}
}

// nodeDigest is a node's last digest (digestInto): its dataset's hash and
// expiry times, which stand while the same server is at the same dataset
// version. The server is held weakly, so that a crashed incarnation is not
// kept alive by it; a new incarnation is another server, never equal.
// expires is shared by the views that reuse it, which only read it.
type nodeDigest struct {
	server  weak.Pointer[redis.Server]
	version uint64
	digest  string
	expires []redis.KeyExpire
}

// judge compares a view's digests and expiry times.
func (v shardView) judge(name string) (checker.Result, []string) {
	res := checker.Convergence([]checker.Shard{{Name: name, Replicas: v.replicas}})
	var bad []string
	for i := 1; i < len(v.replicas); i++ {
		if d := expiresDiffer(v.replicas[0].Node, v.expires[0], v.replicas[i].Node, v.expires[i]); d != "" {
			bad = append(bad, d)
		}
	}
	return res, bad
}

// settleWindow is how long before the end Observe looks for a moment at
// which every shard's streams are drained.
const settleWindow = 5 * time.Second

// watchSettled keeps, per shard, the last view taken at a drained moment
// in the last settleWindow before end: active expiry deletes keys at any
// time, and a DEL still on its way to the replicas when the run ends makes
// the datasets differ for a moment only.
func (b *Deployed) watchSettled(at, end time.Duration) {
	if at < end-settleWindow {
		return
	}
	if b.settled == nil {
		b.settled = map[string]shardView{}
	}
	for _, sh := range b.shards {
		if v := b.drainState(sh); v.drained {
			b.digestInto(&v, sh)
			b.settled[sh.Name] = v
		}
	}
}

// Convergence compares, shard by shard, the digests of every node that is
// up, and their keys' expiry times (DEBUG DIGEST only records whether a key
// has one); a node that is down, or a replica whose link is down, fails it
// too. When the datasets differ at the end while a replica's stream is
// still on its way (offsets differ), the shard is judged at the last
// moment Observe saw its streams drained within the last seconds, if any.
func (b *Deployed) Convergence() checker.Result {
	var shards []checker.Shard
	var bad, notes []string
	for _, sh := range b.shards {
		v := b.view(sh)
		for _, d := range v.down {
			bad = append(bad, d+" at the end")
		}
		res, ttl := v.judge(sh.Name)
		if (res.Verdict != checker.Ok || len(ttl) > 0) && !v.drained && v.behind != "" {
			if sv, ok := b.settled[sh.Name]; ok {
				notes = append(notes, fmt.Sprintf("shard %q judged at %v, the last moment its streams were drained: at the end %s", sh.Name, sv.at, v.behind))
				v = sv
				_, ttl = v.judge(sh.Name)
			}
		}
		bad = append(bad, ttl...)
		shards = append(shards, checker.Shard{Name: sh.Name, Replicas: v.replicas})
	}
	out := checker.Convergence(shards)
	if len(bad) > 0 {
		if out.Verdict != checker.Violation {
			out.Summary = fmt.Sprintf("%d nodes not converged: %s", len(bad), bad[0])
		}
		out.Verdict = checker.Violation
		out.Evidence.Notes = append(bad, out.Evidence.Notes...)
	}
	out.Evidence.Notes = append(out.Evidence.Notes, notes...)
	return out
}

// expiresDiffer names the first key whose expiry time differs between two
// nodes' lists (sorted by database and key), or "".
func expiresDiffer(a string, ea []redis.KeyExpire, b string, eb []redis.KeyExpire) string {
	at := func(e []redis.KeyExpire, i int) string {
		if i >= len(e) {
			return "no TTL"
		}
		return fmt.Sprintf("expires at %d", e[i].At)
	}
	i, j := 0, 0
	for i < len(ea) || j < len(eb) {
		switch {
		case j >= len(eb) || i < len(ea) && (ea[i].DB < eb[j].DB || ea[i].DB == eb[j].DB && ea[i].Key < eb[j].Key):
			return fmt.Sprintf("TTLs differ: db %d key %q expires at %d on %s, has no TTL on %s", ea[i].DB, ea[i].Key, ea[i].At, a, b)
		case i >= len(ea) || eb[j].DB < ea[i].DB || eb[j].DB == ea[i].DB && eb[j].Key < ea[i].Key:
			return fmt.Sprintf("TTLs differ: db %d key %q has no TTL on %s, expires at %d on %s", eb[j].DB, eb[j].Key, a, eb[j].At, b)
		case ea[i].At != eb[j].At:
			return fmt.Sprintf("TTLs differ: db %d key %q %s on %s, %s on %s (%+d ms)", ea[i].DB, ea[i].Key, at(ea, i), a, at(eb, j), b, eb[j].At-ea[i].At)
		}
		i++
		j++
	}
	return ""
}
