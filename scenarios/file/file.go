package file

import (
	"cmp"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// A scenario file describes a topology, a workload, a nemesis and the
// checks; examples/*.toml documents every field with its default. The
// first node host (n1 unless topology.hosts names them) is the master, the
// others its replicas; clients run on the workload's hosts (c1).

// fileSpec is a parsed scenario file.
type fileSpec struct {
	path, name, summary string
	duration, quiet     time.Duration
	nodes               int
	// nodeHosts are the nodes' hosts (the first is the master), clientHosts
	// the hosts that each run `clients` clients.
	nodeHosts, clientHosts []string
	appendonly             bool
	appendfsync            string
	latency                string
	workload               string
	weights                map[string]float64
	clients, keys          int
	interval, maxJump      time.Duration
	faults                 []string
	actions                []nemesis.Action
	// actionLines are the lines of the actions' at fields, in file order;
	// durationLine and quietLine those of the two times (0 when defaulted).
	actionLines             []int
	durationLine, quietLine int
	linearizable, set       bool
	convergence             bool
	// cluster makes the nodes one Redis Cluster of masters (the first
	// nodes/(replicas+1) hosts) each with replicas replicas, created at
	// clusterCreateAt as redis-cli --cluster create does.
	cluster     bool
	replicas    int
	nodeTimeout time.Duration
}

// clusterCreateAt is when a cluster topology's operator creates the
// cluster, and clusterFaultsFrom when generated faults start: after the
// cluster is up (its join polls and the writable delay).
const (
	clusterCreateAt   = 100 * time.Millisecond
	clusterFaultsFrom = 10 * time.Second
	// clusterMinKeys is the fewest keys a cluster workload spreads over
	// the slots (client.ForCluster).
	clusterMinKeys = 24
)

// clusterOps are the actions only a cluster topology takes: the first two
// take groups, the others a target host.
var clusterOps = []nemesis.Op{nemesis.OpReshard, nemesis.OpAssignSlots, nemesis.OpClusterAddNode, nemesis.OpClusterDelNode, nemesis.OpClusterForget, nemesis.OpClusterFailover}

var (
	workloadKinds = []string{"register", "cas-register", "counter", "set", "list-append", "mixed"}
	faultFamilies = []string{"partitions", "crashes", "pauses", "clocks", "links", "disks", "link-kills", "wipes"}
)

// decoder reads typed fields and remembers which keys were used.
type decoder struct {
	file string
	err  error
	used map[*tomlTable]map[string]bool
}

func (d *decoder) fail(line int, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s:%d: %s", d.file, line, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) get(t *tomlTable, key string) (tomlValue, bool) {
	if t == nil {
		return tomlValue{}, false
	}
	if d.used[t] == nil {
		d.used[t] = map[string]bool{}
	}
	d.used[t][key] = true
	v, ok := t.vals[key]
	return v, ok
}

func (d *decoder) str(t *tomlTable, path, key, def string, oneOf []string) string {
	v, ok := d.get(t, key)
	if !ok {
		return def
	}
	s, isStr := v.v.(string)
	if !isStr {
		d.fail(v.line, "%s%s must be a string in quotes", path, key)
		return def
	}
	if oneOf != nil && !slices.Contains(oneOf, s) {
		d.fail(v.line, "%s%s %q is unknown; one of %s", path, key, s, strings.Join(oneOf, ", "))
	}
	return s
}

func (d *decoder) integer(t *tomlTable, path, key string, def, lo, hi int) int {
	v, ok := d.get(t, key)
	if !ok {
		return def
	}
	n, isInt := v.v.(int64)
	if !isInt || n < int64(lo) || n > int64(hi) {
		d.fail(v.line, "%s%s must be an integer from %d to %d", path, key, lo, hi)
		return def
	}
	return int(n)
}

func (d *decoder) boolean(t *tomlTable, path, key string, def bool) bool {
	v, ok := d.get(t, key)
	if !ok {
		return def
	}
	b, isBool := v.v.(bool)
	if !isBool {
		d.fail(v.line, "%s%s must be true or false", path, key)
		return def
	}
	return b
}

func (d *decoder) dur(t *tomlTable, path, key string, def time.Duration, signed bool) time.Duration {
	v, ok := d.get(t, key)
	if !ok {
		return def
	}
	s, isStr := v.v.(string)
	if !isStr {
		d.fail(v.line, "%s%s must be a duration in quotes such as \"10s\"", path, key)
		return def
	}
	x, err := time.ParseDuration(s)
	switch {
	case err != nil:
		d.fail(v.line, "%s%s %q is not a duration; write a number with a unit (ms, s, m, h) such as \"10s\" or \"1m30s\"", path, key, s)
		return def
	case !signed && x < 0:
		d.fail(v.line, "%s%s %q is negative; it must be zero or more", path, key, s)
		return def
	}
	return x
}

// line is the line of key in t, or 0 when it is absent.
func (d *decoder) line(t *tomlTable, key string) int {
	if t == nil {
		return 0
	}
	return t.vals[key].line
}

func (d *decoder) strings(t *tomlTable, path, key string, def []string, oneOf []string) []string {
	v, ok := d.get(t, key)
	if !ok {
		return def
	}
	arr, isArr := v.v.([]any)
	// Not nil when empty: a caller whose def is nil tells [] from absent.
	out := []string{}
	for _, x := range arr {
		s, isStr := x.(string)
		if !isStr {
			isArr = false
			break
		}
		if oneOf != nil && !slices.Contains(oneOf, s) {
			d.fail(v.line, "%s%s: %q is unknown; one of %s", path, key, s, strings.Join(oneOf, ", "))
		}
		out = append(out, s)
	}
	if !isArr {
		d.fail(v.line, "%s%s must be an array of strings such as [\"a\", \"b\"]", path, key)
		return def
	}
	return out
}

func (d *decoder) groups(t *tomlTable, path, key string, hosts []string) [][]string {
	v, ok := d.get(t, key)
	if !ok {
		return nil
	}
	arr, isArr := v.v.([]any)
	var out [][]string
	for _, g := range arr {
		inner, isInner := g.([]any)
		if !isInner {
			isArr = false
			break
		}
		var grp []string
		for _, x := range inner {
			s, isStr := x.(string)
			if !isStr {
				isArr = false
				break
			}
			if hosts != nil && !slices.Contains(hosts, s) {
				d.fail(v.line, "%s%s: host %q is unknown; the hosts are %s", path, key, s, strings.Join(hosts, ", "))
			}
			grp = append(grp, s)
		}
		out = append(out, grp)
	}
	if !isArr {
		d.fail(v.line, "%s%s must be an array of host arrays such as [[\"n1\"], [\"n2\", \"n3\"]]", path, key)
	}
	return out
}

// unknownKeys reports keys the decoder never asked for.
func (d *decoder) unknownKeys(t *tomlTable, path string, subs ...string) {
	if t == nil {
		return
	}
	for _, k := range t.keys {
		if !d.used[t][k] {
			var known []string
			for k2 := range d.used[t] { //redsim:ordered sorted below
				known = append(known, k2)
			}
			slices.Sort(known)
			d.fail(t.vals[k].line, "%s%s is unknown; known: %s", path, k, strings.Join(known, ", "))
		}
	}
	var names []string
	for name := range t.subs { //redsim:ordered sorted below
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(subs, name) {
			d.fail(t.subs[name][0].line, "table [%s%s] is unknown; known: %s", path, name, strings.Join(subs, ", "))
		}
	}
}

// one is t's table name, which a file gives once as [path+name], or nil.
func (d *decoder) one(t *tomlTable, path, name string) *tomlTable {
	if t == nil {
		return nil
	}
	l := t.subs[name]
	switch {
	case len(l) == 0:
		return nil
	case len(l) > 1:
		d.fail(l[1].line, "[[%s%s]] is given again (first at line %d); %s%s is one table: write [%s%s] once", path, name, l[0].line, path, name, path, name)
	case l[0].array:
		d.fail(l[0].line, "[[%s%s]] is an array of tables; %s%s is one table: write [%s%s]", path, name, path, name, path, name)
	}
	return l[0]
}

// isName reports whether s is non-empty and only ASCII letters, digits,
// '-', '_' and the characters in extra.
func isName(s, extra string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"+extra) == ""
}

// scenarioName reads the root's name. Runs and shrinks write directories
// and files named after it (out/shrink-NAME-seedN), and shrink writes that
// name into the file it makes, so a name given in the file must be safe in
// a file name, and the default, the file's name without its directory and
// extension, has any other character made a '-' ("my run.toml" is
// my-run).
func (d *decoder) scenarioName(root *tomlTable, path string) string {
	def := strings.Map(func(r rune) rune {
		if !isName(string(r), ".") {
			return '-'
		}
		return r
	}, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	name := d.str(root, "", "name", def, nil)
	if v, ok := root.vals["name"]; ok && d.err == nil && (!isName(name, ".") || name == "." || name == "..") {
		d.fail(v.line, "name %q is not safe in a file name (runs and shrinks name files after it); use letters, digits, '-', '_' and '.'", name)
	}
	return name
}

// hostList reads key of t, a list of host names, def when it is absent.
// A list given must name a host, and each host once by a simple name
// (letters, digits, '-', '_'), which addresses ("n1:6379") and the
// report's tables can carry. empty says what to write instead of [].
func (d *decoder) hostList(t *tomlTable, path, key string, def []string, empty string) []string {
	hosts := d.strings(t, path, key, def, nil)
	v, ok := d.get(t, key)
	if !ok || d.err != nil {
		return hosts
	}
	if len(hosts) == 0 {
		d.fail(v.line, "%s%s is empty; %s", path, key, empty)
	}
	for i, h := range hosts {
		switch {
		case !isName(h, ""):
			d.fail(v.line, "%s%s: %q is not a host name; a host name is letters, digits, '-' and '_', such as \"n1\"", path, key, h)
		case slices.Contains(hosts[:i], h):
			d.fail(v.line, "%s%s: host %q is named twice; every host needs its own name", path, key, h)
		}
	}
	return hosts
}

// Load reads a scenario file. A derived file's base can only be another
// file; LoadWith finds built-in bases too.
func Load(path string) (*scenarios.Scenario, error) { return LoadWith(path, nil) }

// Parse parses a scenario file's text; path names it in errors.
func Parse(path, src string) (*scenarios.Scenario, error) { return ParseWith(path, src, nil) }

// parseSpec decodes a scenario file that describes its own topology,
// workload and nemesis.
func parseSpec(path string, root *tomlTable) (*scenarios.Scenario, error) {
	d := &decoder{file: path, used: map[*tomlTable]map[string]bool{}}
	sp := &fileSpec{path: path}
	sp.name = d.scenarioName(root, path)
	sp.summary = d.str(root, "", "summary", "scenario file "+path, nil)
	sp.duration = d.dur(root, "", "duration", 60*time.Second, false)
	sp.quiet = d.dur(root, "", "quiet", 15*time.Second, false)
	sp.durationLine, sp.quietLine = d.line(root, "duration"), d.line(root, "quiet")
	topo := d.one(root, "", "topology")
	sp.nodes = d.integer(topo, "topology.", "nodes", 3, 1, 9)
	for i := 1; i <= sp.nodes; i++ {
		sp.nodeHosts = append(sp.nodeHosts, fmt.Sprintf("n%d", i))
	}
	if named := d.hostList(topo, "topology.", "hosts", nil, "name the node hosts, the first the master, such as [\"n1\", \"n2\", \"n3\"], or leave it out for n1 to nN"); named != nil {
		if n, isInt := topo.vals["nodes"].v.(int64); isInt && int(n) != len(named) {
			d.fail(topo.vals["hosts"].line, "topology.hosts names %d hosts but topology.nodes is %d; give one of them", len(named), sp.nodes)
		}
		if len(named) < 1 || len(named) > 9 {
			d.fail(topo.vals["hosts"].line, "topology.hosts must name 1 to 9 hosts")
		}
		sp.nodeHosts, sp.nodes = named, len(named)
	}
	sp.appendonly = d.boolean(topo, "topology.", "appendonly", false)
	sp.appendfsync = d.str(topo, "topology.", "appendfsync", "everysec", scenarios.FsyncPolicies)
	sp.latency = d.str(topo, "topology.", "latency", "lognormal", scenarios.LatencyShapes)
	sp.cluster = d.boolean(topo, "topology.", "cluster", false)
	if sp.cluster {
		_, nodesGiven := topo.vals["nodes"]
		if _, hostsGiven := topo.vals["hosts"]; !nodesGiven && !hostsGiven {
			sp.nodes, sp.nodeHosts = 6, []string{"n1", "n2", "n3", "n4", "n5", "n6"}
		}
		sp.replicas = d.integer(topo, "topology.", "replicas", 1, 0, 4)
		sp.nodeTimeout = d.dur(topo, "topology.", "node-timeout", 15*time.Second, false)
		if masters := sp.nodes / (sp.replicas + 1); d.err == nil && (sp.nodes%(sp.replicas+1) != 0 || masters < 3) {
			d.fail(max(d.line(topo, "nodes"), d.line(topo, "replicas"), topo.line), "a cluster of %d nodes with %d replicas each: the nodes must be whole shards of a master and its replicas, and Redis Cluster needs at least 3 masters (redis-cli --cluster create refuses fewer)", sp.nodes, sp.replicas)
		}
		if sp.nodeTimeout <= 0 && d.err == nil {
			d.fail(d.line(topo, "node-timeout"), "topology.node-timeout must be positive, such as \"15s\"")
		}
	} else if topo != nil {
		for _, k := range []string{"replicas", "node-timeout"} {
			if v, ok := topo.vals[k]; ok {
				d.fail(v.line, "topology.%s needs topology.cluster = true", k)
			}
		}
	}
	wl := d.one(root, "", "workload")
	sp.workload = d.str(wl, "workload.", "kind", "register", workloadKinds)
	sp.clients = d.integer(wl, "workload.", "clients", 5, 0, 1000)
	sp.keys = d.integer(wl, "workload.", "keys", 0, 0, 1000)
	sp.clientHosts = d.hostList(wl, "workload.", "hosts", []string{"c1"}, "name the client hosts such as [\"c1\"], or leave it out for c1 (workload.clients = 0 runs no clients)")
	if ws := d.one(wl, "workload.", "weights"); ws != nil {
		if sp.workload != "mixed" {
			d.fail(ws.line, "[workload.weights] needs kind = \"mixed\", not %s", sp.workload)
		}
		sp.weights = map[string]float64{}
		var families []string
		for _, f := range client.MixedFamilies {
			families = append(families, f.Name)
		}
		for _, k := range ws.keys {
			if !slices.Contains(families, k) {
				d.fail(ws.vals[k].line, "[workload.weights]: workload family %q is unknown; known: %s", k, strings.Join(families, ", "))
			}
			sp.weights[k] = float64(d.integer(ws, "workload.weights.", k, 0, 0, 1000))
		}
		if _, err := client.NewMixed(1, sp.weights); err != nil && d.err == nil {
			d.fail(ws.line, "[workload.weights]: %v", err)
		}
	}
	hosts := append(slices.Clone(sp.clientHosts), sp.nodeHosts...)
	for i, h := range hosts {
		// The line of the list h is in; a name in both lists is wrong
		// where the second list names it.
		line := d.line(wl, "hosts")
		if i >= len(sp.clientHosts) {
			line = d.line(topo, "hosts")
		}
		if slices.Contains(hosts[:i], h) {
			line = max(d.line(wl, "hosts"), d.line(topo, "hosts"))
		}
		switch {
		case h == "" || h == "master" || slices.Contains(hosts[:i], h):
			d.fail(max(line, 1), "host %q is named twice, empty or reserved (\"master\" is what publish moves); every node and client host needs its own name", h)
		case sp.cluster && h == deploy.OperatorHost:
			d.fail(max(line, 1), "host %q is the cluster operator's host in a cluster topology; name the node or client host another way", h)
		}
	}
	targets := append(slices.Clone(hosts), "master") // "master" is what publish moves
	if sp.cluster {
		// A partition may cut off the cluster's operator too.
		hosts = append(hosts, deploy.OperatorHost)
	}
	nem := d.one(root, "", "nemesis")
	sp.interval = d.dur(nem, "nemesis.", "interval", 3*time.Second, false)
	sp.maxJump = d.dur(nem, "nemesis.", "max-jump", 10*time.Second, false)
	sp.faults = d.strings(nem, "nemesis.", "faults", []string{"partitions", "pauses"}, faultFamilies)
	sp.actions, sp.actionLines = d.actions(nem, hosts, targets)
	for i, a := range sp.actions {
		switch {
		case a.Op == nemesis.OpClusterCreate && sp.cluster:
			d.fail(sp.actionLines[i], "nemesis.action[%d].op: a cluster topology is created at %v by the topology itself; cluster-create is not an action here", i, clusterCreateAt)
		case slices.Contains(clusterOps, a.Op) && !sp.cluster:
			d.fail(sp.actionLines[i], "nemesis.action[%d].op: %s needs a cluster (topology.cluster = true)", i, a.Op)
		case a.Op == nemesis.OpClusterAddNode && a.Master != "" && !slices.Contains(sp.nodeHosts, a.Master):
			d.fail(sp.actionLines[i], "nemesis.action[%d].master: cluster-add-node's master is the host of the master the node will replicate, one of %s; got %q", i, strings.Join(sp.nodeHosts, ", "), a.Master)
		}
	}
	checks := d.one(root, "", "checks")
	mixed := sp.workload == "mixed"
	isReg := sp.workload == "register" || sp.workload == "cas-register" || sp.workload == "counter"
	sp.linearizable = d.boolean(checks, "checks.", "linearizable", isReg || mixed)
	sp.set = d.boolean(checks, "checks.", "set", !isReg)
	sp.convergence = d.boolean(checks, "checks.", "convergence", sp.nodes > 1)
	if sp.linearizable && !isReg && !mixed {
		d.fail(checks.vals["linearizable"].line, "checks.linearizable needs a register, cas-register, counter or mixed workload, not %s", sp.workload)
	}
	if sp.set && isReg {
		d.fail(checks.vals["set"].line, "checks.set needs a set, list-append or mixed workload, not %s", sp.workload)
	}
	d.unknownKeys(root, "", "topology", "workload", "nemesis", "checks")
	d.unknownKeys(topo, "topology.")
	d.unknownKeys(wl, "workload.", "weights")
	d.unknownKeys(nem, "nemesis.", "action")
	d.unknownKeys(checks, "checks.")
	if d.err == nil && !sp.linearizable && !sp.set && !sp.convergence && sp.clients == 0 {
		line := 1
		if checks != nil {
			line = checks.line
		}
		d.fail(line, "every check is off (checks.linearizable, checks.set and checks.convergence are false, and liveness needs workload.clients > 0): a run that judges nothing can never fail")
	}
	if d.err == nil {
		d.err = sp.checkTimes(path, sp.duration, sp.quiet, "")
	}
	if d.err != nil {
		return nil, d.err
	}
	// Actions run in time order whatever order the file lists them in, and
	// print that way (--faults, the report).
	order := make([]int, len(sp.actions))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sp.actions[a].At, sp.actions[b].At) })
	actions, lines := make([]nemesis.Action, len(order)), make([]int, len(order))
	for i, j := range order {
		actions[i], lines[i] = sp.actions[j], sp.actionLines[j]
	}
	sp.actions, sp.actionLines = actions, lines
	return &scenarios.Scenario{
		Name:    sp.name,
		Summary: sp.summary,
		Source:  path,
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", sp.duration.String(), "virtual time the world runs"),
			scenarios.DurationParam("quiet", sp.quiet.String(), "fault-free time at the end"),
		},
		Setup: func(r *scenarios.Run) (scenarios.Checks, error) { return setupFile(r, sp) },
	}, nil
}

// actions reads the [[nemesis.action]] tables of nem, in file order, with
// the lines of their at fields. hosts and targets are what groups and
// target may name; nil when the hosts are not known yet (a derived file's
// are its base's, checked when the run is set up).
func (d *decoder) actions(nem *tomlTable, hosts, targets []string) (actions []nemesis.Action, lines []int) {
	if nem == nil {
		return nil, nil
	}
	for i, at := range nem.subs["action"] {
		p := fmt.Sprintf("nemesis.action[%d].", i)
		if !at.array {
			d.fail(at.line, "[nemesis.action] is one table; actions are an array of tables: write [[nemesis.action]]")
		}
		a := nemesis.Action{
			At:       d.dur(at, p, "at", -1, false),
			Op:       nemesis.Op(d.str(at, p, "op", "", nil)),
			Target:   d.str(at, p, "target", "", targets),
			Shape:    d.str(at, p, "shape", "", nemesis.Shapes),
			Groups:   d.groups(at, p, "groups", hosts),
			Delta:    d.dur(at, p, "delta", 0, true),
			Period:   d.dur(at, p, "period", 0, false),
			Duration: d.dur(at, p, "duration", 0, false),
			PPM:      float64(d.integer(at, p, "ppm", 0, -100000, 100000)),
			Count:    d.integer(at, p, "count", 0, 0, 1000),
			Latency:  d.dur(at, p, "latency", 0, false),
			Master:   d.str(at, p, "master", "", nil),
			Mode:     d.str(at, p, "mode", "", []string{"force", "takeover"}),
		}
		if a.At < 0 {
			d.fail(at.line, "%sat is required (a duration such as \"10s\")", p)
		}
		if !slices.Contains(nemesis.Ops, a.Op) {
			names := make([]string, len(nemesis.Ops))
			for j, o := range nemesis.Ops {
				names[j] = string(o)
			}
			d.fail(at.line, "%sop %q is unknown; one of %s", p, a.Op, strings.Join(names, ", "))
		}
		if a.Op == nemesis.OpPartition && a.Shape == "" {
			d.fail(at.line, "%sshape is required for a partition; one of %s", p, strings.Join(nemesis.Shapes, ", "))
		}
		if (a.Target == "master") != (a.Op == nemesis.OpPublish || a.Op == nemesis.OpFailover) {
			d.fail(at.line, "%starget: publish and failover take \"master\" (what the clients follow), every other action a host", p)
		}
		if a.Op == nemesis.OpFailover && (len(a.Groups) < 1 || len(a.Groups) > 2 || len(a.Groups[0]) == 0) {
			d.fail(at.line, "%sgroups is required for failover: the candidate hosts, then optionally the hosts that follow the new master, such as [[\"n2\", \"n3\"], [\"n1\"]]", p)
		}
		if a.Mode != "" && a.Op != nemesis.OpClusterFailover {
			d.fail(at.line, "%smode is cluster-failover's (force or takeover), not %s's", p, a.Op)
		}
		if a.Target == "" && slices.Contains(clusterOps[2:], a.Op) {
			d.fail(at.line, "%starget is required for %s: the node's host", p, a.Op)
		}
		switch a.Op {
		case nemesis.OpReplicaOf, nemesis.OpPublish:
			if _, port, err := net.SplitHostPort(a.Master); err != nil || port == "" {
				d.fail(at.line, "%smaster is required for %s: the address to follow, such as \"n3:6379\"", p, a.Op)
			}
		case nemesis.OpLatency:
			if a.Latency <= 0 {
				d.fail(at.line, "%slatency is required for latency: the one-way delay, such as \"300ms\"", p)
			}
		}
		if slices.Contains(nemesis.Ops, a.Op) {
			// What each op needs (a target, groups of its shape, a
			// delta): nemesis.Action.Check, here with the table's line.
			if err := a.Check(); err != nil {
				d.fail(at.line, "%s: %v", strings.TrimSuffix(p, "."), err)
			}
		}
		d.unknownKeys(at, p)
		actions = append(actions, a)
		lines = append(lines, max(d.line(at, "at"), at.line))
	}
	return actions, lines
}

// checkTimes checks the quiet period against the duration and every
// explicit action against both: an action must come before the quiet period
// starts (the final heal-all), or the quiet period would judge a world that
// is still under faults, and an action after the end would silently never
// happen. how says where the times came from when --set changed them.
func (sp *fileSpec) checkTimes(path string, duration, quiet time.Duration, how string) error {
	if quiet >= duration {
		return fmt.Errorf("%s:%d: quiet (%v) must be shorter than duration (%v)%s", path, max(sp.quietLine, sp.durationLine, 1), quiet, duration, how)
	}
	faultsEnd := duration - quiet
	for i, a := range sp.actions {
		line := sp.actionLines[i]
		switch {
		case a.At >= duration:
			return fmt.Errorf("%s:%d: nemesis.action at %q is after the run ends (duration %v)%s; it would never happen",
				path, line, a.At.String(), duration, how)
		case a.At >= faultsEnd:
			return fmt.Errorf("%s:%d: nemesis.action at %q is inside the quiet period (%v to %v: duration %v minus quiet %v)%s; faults and repairs must come before %v, when every fault is healed",
				path, line, a.At.String(), faultsEnd, duration, duration, quiet, how, faultsEnd)
		}
	}
	return nil
}

func setupFile(r *scenarios.Run, sp *fileSpec) (scenarios.Checks, error) {
	quiet := r.Params.Duration("quiet")
	if quiet != sp.quiet || r.Duration != sp.duration {
		if err := sp.checkTimes(sp.path, r.Duration, quiet, " with the values given by --set or --duration"); err != nil {
			return nil, err
		}
	}
	var wl client.Workload
	keys := sp.keys
	switch sp.workload {
	case "register":
		w := client.NewRegister()
		if keys > 0 {
			w.Keys = keys
		}
		wl = w
	case "cas-register":
		w := client.NewCASRegister()
		if keys > 0 {
			w.Keys = keys
		}
		wl = w
	case "counter":
		w := client.NewCounter()
		if keys > 0 {
			w.Keys = keys
		}
		wl = w
	case "set":
		w := client.NewSet()
		if keys > 0 {
			w.Keys = keys
		}
		wl = w
	case "mixed":
		if keys == 0 {
			keys = 100
		}
		w, err := client.NewMixed(keys, sp.weights)
		if err != nil {
			return nil, fmt.Errorf("%s: [workload.weights]: %v", sp.path, err)
		}
		wl = w
	default:
		w := client.NewListAppend()
		if keys > 0 {
			w.Keys = keys
		}
		wl = w
	}
	faultsEnd := r.Duration - quiet
	names := sp.nodeHosts
	master := names[0] + ":6379"
	cfg := scenarios.NoSave()
	cfg.AppendOnly = sp.appendonly
	cfg.AppendFsync = sp.appendfsync
	disk := sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}
	shards := []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(cfg, disk, names...)}}
	var cl *client.Cluster
	if sp.cluster {
		// Masters first, then each master's replicas in turn: with six
		// nodes and one replica each, n4 follows n1.
		cfg.Cluster.NodeTimeoutMs = sp.nodeTimeout.Milliseconds()
		masters := len(names) / (sp.replicas + 1)
		shards = nil
		for i := 0; i < masters; i++ {
			var hosts []string
			for j := i; j < len(names); j += masters {
				hosts = append(hosts, names[j])
			}
			shards = append(shards, deploy.Shard{Name: fmt.Sprintf("shard%d", i+1), Nodes: scenarios.RedisNodes(cfg, disk, hosts...)})
		}
		var addrs []string
		for _, n := range names {
			addrs = append(addrs, n+":6379")
		}
		cl = &client.Cluster{Addrs: addrs}
		wl = client.ForCluster(wl, clusterMinKeys)
	}
	var groups []deploy.Clients
	for _, h := range sp.clientHosts {
		g := deploy.Clients{Host: h, Count: sp.clients, Workload: wl, Target: master, Follow: "master", Stop: faultsEnd + quiet/3}
		if cl != nil {
			g.Target, g.Follow, g.Cluster = "", "", cl
		}
		groups = append(groups, g)
	}
	dep, err := r.Deploy(deploy.Deployment{
		Latency: scenarios.LatencyDist(sp.latency),
		Shards:  shards,
		Clients: groups,
		Cluster: sp.cluster,
	})
	if err != nil {
		return nil, err
	}
	if sp.set {
		dep.FinalReads(sp.clientHosts[0], faultsEnd+quiet*2/3, wl, r.Fail)
	}
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	if sp.cluster {
		r.Schedule = []nemesis.Action{{At: clusterCreateAt, Op: nemesis.OpClusterCreate}}
	}
	if len(sp.actions) > 0 {
		r.Schedule = append(append(r.Schedule, sp.actions...), nemesis.Action{At: faultsEnd, Op: nemesis.OpHealAll})
	} else {
		// A cluster's faults start once it is up.
		from := time.Duration(0)
		if sp.cluster {
			from = clusterFaultsFrom
		}
		gen := r.Generate(nemesis.Config{
			Hosts: names, Interval: sp.interval, End: faultsEnd - from, MaxJump: sp.maxJump,
			Partitions: slices.Contains(sp.faults, "partitions"), Crashes: slices.Contains(sp.faults, "crashes"),
			Pauses: slices.Contains(sp.faults, "pauses"), Clocks: slices.Contains(sp.faults, "clocks"),
			Links: slices.Contains(sp.faults, "links"), Disks: slices.Contains(sp.faults, "disks"),
			LinkKills: slices.Contains(sp.faults, "link-kills"), Wipes: slices.Contains(sp.faults, "wipes"),
		}, r.World.Stream("nemesis"))
		for _, a := range gen {
			a.At += from
			r.Schedule = append(r.Schedule, a)
		}
	}
	model := map[string]checker.Model{"register": checker.Register, "cas-register": checker.CASRegister, "counter": checker.Counter}[sp.workload]
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		var out []checker.Result
		ops := r.History.Ops()
		switch {
		case sp.workload == "mixed":
			if sp.linearizable {
				out = append(out, r.Linearizable(scenarios.KeyPrefix(ops, 'r')), r.LinearizableModel(checker.Counter, scenarios.KeyPrefix(ops, 'n')))
			}
			if sp.set {
				out = append(out, checker.SetWrites(append(scenarios.KeyPrefix(ops, 's'), scenarios.KeyPrefix(ops, 'l')...), checker.SetOptions{}),
					checker.ListAppend(scenarios.Transactions(ops), checker.ListAppendOptions{RealTime: true}))
			}
		case sp.linearizable:
			out = append(out, r.LinearizableModel(model, ops))
		case sp.set:
			out = append(out, checker.SetWrites(ops, checker.SetOptions{}))
		}
		if sp.convergence {
			out = append(out, dep.Convergence())
		}
		if sp.clients > 0 {
			out = append(out, scenarios.Liveness(r, faultsEnd, quiet/4))
		}
		if sp.cluster {
			out = append(out, dep.ClusterEpochs(), dep.ClusterOwnership(500*time.Millisecond), dep.ClusterAgreement(faultsEnd, quiet/2))
		}
		return out
	}, nil
}
