package scenarios

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/sim"
)

// Deploy builds d in the run's world with a fresh history; the deployment
// is the run's operator.
func (r *Run) Deploy(d deploy.Deployment) (*deploy.Deployed, error) {
	r.History = &history.History{}
	build := func() (*deploy.Deployed, error) { return deploy.Build(r.World, r.Net, d, r.History) }
	if r.backend != nil {
		build = func() (*deploy.Deployed, error) { return deploy.BuildOn(r.backend, d, r.History) }
	}
	dep, err := build()
	if err != nil {
		return nil, err
	}
	r.operator = dep
	return dep, nil
}

// RedisNodes is one node per host, all with cfg and disk.
func RedisNodes(cfg redis.Config, disk sim.DiskConfig, hosts ...string) []deploy.Node {
	out := make([]deploy.Node, len(hosts))
	for i, h := range hosts {
		out[i] = deploy.Node{Host: h, Config: cfg, Disk: disk}
	}
	return out
}

// NoSave is Redis's default configuration without save points: the
// scenarios persist through the AOF when they persist at all.
func NoSave() redis.Config {
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	return cfg
}

// OpCounts is a fact line: how many operations ended each way.
func OpCounts(h *history.History) string {
	c := h.Outcomes()
	ok, fail, info := c[history.Ok], c[history.Fail], c[history.Pending]+c[history.Info]
	return fmt.Sprintf("%d operations: %d ok, %d fail, %d info", ok+fail+info, ok, fail, info)
}

// KeyPrefix keeps the ops whose key starts with prefix: one workload's keys
// ("r" register, "s" set...).
func KeyPrefix(ops []history.Op, prefix byte) []history.Op {
	n := 0
	for i := range ops {
		if hasPrefix(&ops[i], prefix) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]history.Op, 0, n)
	for i := range ops {
		if hasPrefix(&ops[i], prefix) {
			out = append(out, ops[i])
		}
	}
	return out
}

// KeyOps is KeyPrefix of a whole history, without copying all of it first.
func KeyOps(h *history.History, prefix byte) []history.Op {
	out := h.SelectByKey(func(key string) bool { return familyOf(key) == prefix })
	if len(out) == 0 {
		return nil
	}
	return out
}

func hasPrefix(op *history.Op, prefix byte) bool { return familyOf(op.Key) == prefix }

// familyOf is the workload family a key belongs to: its first byte, after
// the hash tag that cluster mode puts in front ("{t2}t7" is a 't' key);
// 0 for an empty key.
func familyOf(key string) byte {
	if len(key) > 0 && key[0] == '{' {
		if k := strings.IndexByte(key, '}'); k > 0 {
			key = key[k+1:]
		}
	}
	if key == "" {
		return 0
	}
	return key[0]
}

// Linearizable runs porcupine on the register ops, with the checker's
// deterministic bound on the search.
func (r *Run) Linearizable(ops []history.Op) checker.Result {
	return r.LinearizableModel(checker.Register, ops)
}

// LinearizableModel checks ops against m; the first violation's key is what
// the report draws with porcupine's visualization.
func (r *Run) LinearizableModel(m checker.Model, ops []history.Op) checker.Result {
	res := checker.Linearizable(m, ops, checker.LinearizableOptions{})
	if res.Verdict == checker.Violation && r.visualize == nil {
		key := res.Evidence.Key
		r.visualize = func(w io.Writer) error {
			return checker.WriteVisualization(w, m, ops, checker.VisualizationOptions{Key: key})
		}
	}
	return res
}

// Liveness demands that every client still working after the final heal
// gets an ok operation within bound.
func Liveness(r *Run, faultsEnd, bound time.Duration) checker.Result {
	return checker.Liveness(r.History.Ops(), checker.LivenessOptions{
		FaultsStopped: clock.Time(faultsEnd), Bound: bound, PerProcess: true, End: r.World.Now(),
	})
}

// Unacknowledged returns ops with every Ok write made Info: for a
// deployment that may lose acknowledged writes by design (snapshots only),
// the set checker then judges phantoms, duplicates and divergence, not
// losses.
func Unacknowledged(ops []history.Op) []history.Op {
	out := make([]history.Op, len(ops))
	copy(out, ops)
	for i := range out {
		if op := &out[i]; op.Outcome == history.Ok && (op.Kind == history.Add || op.Kind == history.Append) {
			op.Outcome, op.Error = history.Info, "acknowledged, but snapshots may lose it"
		}
	}
	return out
}
