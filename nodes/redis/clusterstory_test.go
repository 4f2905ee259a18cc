package redis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// TestClusterStories runs the step-by-step Redis Cluster stories in
// testdata/clusterstories/*.txt (go test -run TestClusterStories -args
// -rewrite regenerates their output). Each mirrors one of Redis's own
// cluster tests (tests/cluster/tests/*.tcl at 7.0.15) on a cluster built
// as redis-cli --cluster create builds it (newClusterWorldCfg).
//
// Commands:
//   - world nodes=N masters=M [seed=S] [slots=A-B,C-D...] [PARAM=VALUE...]:
//     nodes n1..nN, the first M masters with the slots split evenly (or
//     master i given the i-th range of slots=), the rest replicas of the
//     masters in turn; PARAM is a cluster-* parameter set on every node
//     before it starts (cluster-node-timeout is 5000 unless given).
//   - run D: advance virtual time.
//   - kill HOST: kill -9 (what Redis's tests do; the page cache, and so
//     nodes.conf as last written, survives).
//   - crash HOST [wipe]: power loss (wipe: the disk is lost too, so the
//     node comes back without nodes.conf, a new node ID and no data);
//     restart HOST.
//   - pause HOST / resume HOST: SIGSTOP and SIGCONT.
//   - isolate HOST (from every host, the story's client too); split
//     A,B C,D,E (cut the groups from each other; the client reaches all);
//     heal; clog A B / unclog A B (hold the traffic between
//     two hosts, as a cut that TCP retransmits over once healed).
//   - cmd HOST ARGS...: a command from a client of its own, the reply as
//     redis-cli prints it, node IDs masked; an argument <nK> is node K's
//     ID and "" an empty argument.
//   - config HOST PARAM VALUE: CONFIG SET.
//   - nodes [HOST...]: each node's CLUSTER NODES (all running nodes when no
//     host is named), sorted, without ping_sent, pong_recv and the bus port.
//   - info HOST [FIELD...]: CLUSTER INFO fields, cluster_ left out (a
//     default selection).
//   - reshard FROM TO START-END: move the slots as redis-cli --cluster
//     reshard does, one by one: IMPORTING on TO, MIGRATING on FROM, the
//     keys MIGRATEd, SETSLOT NODE on TO, FROM and the other masters.
//   - replinfo HOST FIELD...: INFO replication fields.
//   - role HOST...: ROLE, compact.
//   - log HOST [TEXT|TEXT...]: the node's log lines since its last `log`,
//     with their virtual time (only those containing one of the TEXTs
//     when given).
//
// Node IDs show as <n1>..<nN> after the host that had them at creation; a
// node that restarts with a new ID shows as <n3'>.
func TestClusterStories(t *testing.T) {
	script.RunDir(t, "testdata/clusterstories/*.txt", func(t *testing.T) func(c *script.Cmd) string {
		d := &clusterStory{t: t}
		return d.run
	})
}

type clusterStory struct {
	t       *testing.T
	cw      *clusterWorld
	byName  map[string]int
	labels  map[string]string
	conns   map[string]*testConn
	logSeen map[string]int
}

func (d *clusterStory) host(c *script.Cmd, i int) int {
	name := c.Arg(d.t, i)
	n, ok := d.byName[name]
	if !ok {
		d.t.Fatalf("%s: no node %q", c.Pos, name)
	}
	return n
}

// conn is the story's client of node i, dialled again when closed.
func (d *clusterStory) conn(i int) *testConn {
	name := d.cw.nodes[i].host.Name()
	c := d.conns[name]
	if c == nil || c.closed {
		c = d.cw.nodes[i].dial()
		d.conns[name] = c
	}
	return c
}

// mask replaces node IDs by their labels, learning the IDs of nodes that
// restarted with new ones.
func (d *clusterStory) mask(s string) string {
	for i, n := range d.cw.nodes {
		if n.node.State() == sim.Down {
			continue
		}
		srv, ok := n.node.Node().(*Server)
		if !ok || srv.cl == nil {
			continue
		}
		id := srv.cl.myself.name
		if _, ok := d.labels[id]; !ok {
			d.labels[id] = fmt.Sprintf("<n%d'>", i+1)
		}
	}
	return hexID.ReplaceAllStringFunc(s, func(id string) string {
		if l, ok := d.labels[id]; ok {
			return l
		}
		return "<id>"
	})
}

// unmask turns a label such as <n3> back into its node ID.
func (d *clusterStory) unmask(a string) string {
	for id, l := range d.labels {
		if l == a {
			return id
		}
	}
	if a == `""` {
		return ""
	}
	return a
}

// replyText renders a raw reply as redis-cli would, roughly.
func replyText(raw string) string {
	rr := resp.NewReplyReader()
	rr.Feed([]byte(raw))
	v, ok, err := rr.Next()
	if err != nil || !ok {
		return fmt.Sprintf("%q", raw)
	}
	return v.String()
}

func (d *clusterStory) world(c *script.Cmd) {
	t := d.t
	nodes, masters, seed := 0, 0, uint64(1)
	var ranges [][2]int
	params := map[string]string{}
	var order []string
	for _, a := range c.Args {
		k, v, _ := strings.Cut(a, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "nodes":
			nodes = n
		case "masters":
			masters = n
		case "seed":
			seed = uint64(n)
		case "slots":
			for _, r := range strings.Split(v, ",") {
				lo, hi, _ := strings.Cut(r, "-")
				a, err1 := strconv.Atoi(lo)
				b, err2 := strconv.Atoi(hi)
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: bad slot range %q", c.Pos, r)
				}
				ranges = append(ranges, [2]int{a, b})
			}
		default:
			params[k] = v
			order = append(order, k)
		}
	}
	cfg := clusterConfig()
	for _, k := range order {
		if k == "loglevel" {
			// The story reads serverLog(LL_VERBOSE) lines too.
			cfg.Process.LogLevel = params[k]
			continue
		}
		if err := setClusterParam(&cfg.Cluster, k, params[k]); err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
	}
	if ranges == nil {
		d.cw = newClusterWorldCfg(t, seed, nodes, masters, func() Config { return cfg })
	} else {
		if len(ranges) != masters {
			t.Fatalf("%s: %d slot ranges for %d masters", c.Pos, len(ranges), masters)
		}
		d.cw = newClusterWorldSlots(t, seed, nodes, ranges, func() Config { return cfg })
	}
	d.byName = map[string]int{}
	d.labels = map[string]string{}
	d.conns = map[string]*testConn{}
	d.logSeen = map[string]int{}
	for i, n := range d.cw.nodes {
		d.byName[n.host.Name()] = i
		d.labels[d.cw.ids[i]] = fmt.Sprintf("<n%d>", i+1)
		d.conns[n.host.Name()] = d.cw.conns[i]
	}
	// The creation's log is not part of the story.
	for i := range d.cw.nodes {
		d.logLines(i, "")
	}
}

// setClusterParam sets one cluster-* parameter of a story's world.
func setClusterParam(cc *ClusterConfig, k, v string) error {
	n, err := strconv.Atoi(v)
	yes := v == "yes"
	if k != "cluster-allow-replica-migration" && k != "cluster-replica-no-failover" && k != "cluster-require-full-coverage" && err != nil {
		return fmt.Errorf("%s=%s: not a number", k, v)
	}
	switch k {
	case "cluster-node-timeout":
		cc.NodeTimeoutMs = int64(n)
	case "cluster-replica-validity-factor":
		cc.ReplicaValidityFactor = n
	case "cluster-migration-barrier":
		cc.MigrationBarrier = n
	case "cluster-allow-replica-migration":
		cc.AllowReplicaMigration = yes
	case "cluster-replica-no-failover":
		cc.ReplicaNoFailover = yes
	case "cluster-require-full-coverage":
		cc.RequireFullCoverage = yes
	default:
		return fmt.Errorf("unknown world parameter %q", k)
	}
	return nil
}

// logLines returns node i's log lines since the last call, with their time.
func (d *clusterStory) logLines(i int, text string) []string {
	n := d.cw.nodes[i]
	name := n.host.Name()
	var out []string
	seen := 0
	for _, ev := range d.cw.w.Trace().Events {
		if ev.Kind != sim.KindLog || ev.Proc != n.node.ID() {
			continue
		}
		seen++
		if seen <= d.logSeen[name] || !containsAny(ev.Text, text) {
			continue
		}
		out = append(out, ev.At.Duration().Truncate(time.Millisecond).String()+" "+d.mask(ev.Text))
	}
	d.logSeen[name] = seen
	return out
}

// reshard is the reshard command (redis-cli's clusterManagerMoveSlot).
func (d *clusterStory) reshard(c *script.Cmd) string {
	t := d.t
	from, to := d.host(c, 0), d.host(c, 1)
	lo, hi, _ := strings.Cut(c.Arg(t, 2), "-")
	start, err1 := strconv.Atoi(lo)
	end, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || start > end {
		t.Fatalf("%s: bad slot range %q", c.Pos, c.Args[2])
	}
	id := func(i int) string { return d.cw.nodes[i].server().cl.myself.name }
	fromID, toID := id(from), id(to)
	must := func(i int, args ...string) string {
		got := d.conn(i).do(args...)
		if strings.HasPrefix(got, "-") {
			t.Fatalf("%s: %s on %s: %s", c.Pos, strings.Join(args, " "), d.cw.nodes[i].host.Name(), strings.TrimSpace(got))
		}
		return got
	}
	keys := 0
	for slot := start; slot <= end; slot++ {
		sl := strconv.Itoa(slot)
		must(to, "CLUSTER", "SETSLOT", sl, "IMPORTING", fromID)
		must(from, "CLUSTER", "SETSLOT", sl, "MIGRATING", toID)
		for {
			rr := resp.NewReplyReader()
			rr.Feed([]byte(must(from, "CLUSTER", "GETKEYSINSLOT", sl, "100")))
			v, _, _ := rr.Next()
			if len(v.Elems) == 0 {
				break
			}
			args := []string{"MIGRATE", d.cw.nodes[to].host.Name(), "6379", "", "0", "5000", "KEYS"}
			for _, k := range v.Elems {
				args = append(args, string(k.Str))
			}
			must(from, args...)
			keys += len(v.Elems)
		}
		must(to, "CLUSTER", "SETSLOT", sl, "NODE", toID)
		// The source may have turned into a replica on losing its last
		// slot, which redis-cli accepts (redis/redis#9223).
		if got := d.conn(from).do("CLUSTER", "SETSLOT", sl, "NODE", toID); strings.HasPrefix(got, "-") &&
			!strings.HasPrefix(got, "-ERR Please use SETSLOT only with masters.") {
			t.Fatalf("%s: SETSLOT %s NODE on %s: %s", c.Pos, sl, d.cw.nodes[from].host.Name(), strings.TrimSpace(got))
		}
		for i, n := range d.cw.nodes {
			if i == from || i == to || n.node.State() == sim.Down || !n.server().cl.myself.isMaster() {
				continue
			}
			must(i, "CLUSTER", "SETSLOT", sl, "NODE", toID)
		}
	}
	return fmt.Sprintf("%d slots, %d keys moved", end-start+1, keys)
}

// containsAny reports whether s contains one of the |-separated words of
// alts (all of s when alts is empty).
func containsAny(s, alts string) bool {
	for _, a := range strings.Split(alts, "|") {
		if strings.Contains(s, a) {
			return true
		}
	}
	return false
}

// nodesView is node i's CLUSTER NODES, each line as
// "ID addr flags master config-epoch link slots...", sorted.
func (d *clusterStory) nodesView(i int) []string {
	raw := bulkValue(d.conn(i).do("CLUSTER", "NODES"))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(raw), "\n") {
		f := strings.Fields(l)
		if len(f) < 8 {
			lines = append(lines, l)
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		out := []string{f[0], addr, f[2], f[3], "e" + f[6], f[7]}
		lines = append(lines, d.mask(strings.Join(append(out, f[8:]...), " ")))
	}
	sort.Strings(lines)
	return lines
}

var defaultInfoFields = []string{"cluster_state", "cluster_slots_assigned", "cluster_slots_ok", "cluster_slots_pfail",
	"cluster_slots_fail", "cluster_known_nodes", "cluster_size", "cluster_current_epoch", "cluster_my_epoch"}

func (d *clusterStory) run(c *script.Cmd) string {
	t := d.t
	if c.Name != "world" && d.cw == nil {
		t.Fatalf("%s: %s before world", c.Pos, c.Name)
	}
	switch c.Name {
	case "world":
		d.world(c)
		return "ok"
	case "run":
		dur, err := time.ParseDuration(c.Arg(t, 0))
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		d.cw.w.RunFor(dur)
		return "ok"
	case "crash":
		h := d.cw.nodes[d.host(c, 0)].host
		if len(c.Args) > 1 && c.Args[1] == "wipe" {
			h.CrashWipe()
		} else {
			h.Crash()
		}
		return "ok"
	case "kill":
		d.cw.nodes[d.host(c, 0)].node.Kill()
		return "ok"
	case "restart":
		d.cw.nodes[d.host(c, 0)].host.Restart(0)
		d.cw.w.RunFor(time.Millisecond)
		return "ok"
	case "pause":
		d.cw.nodes[d.host(c, 0)].node.Pause()
		return "ok"
	case "resume":
		d.cw.nodes[d.host(c, 0)].node.Resume()
		return "ok"
	case "isolate":
		if err := d.cw.net.Isolate(c.Arg(t, 0)); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "split":
		var groups [][]string
		for _, g := range c.Args {
			groups = append(groups, strings.Split(g, ","))
		}
		if err := d.cw.net.Split(groups); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "heal":
		d.cw.net.Heal()
		return "ok"
	case "clog", "unclog":
		f := d.cw.net.Clog
		if c.Name == "unclog" {
			f = d.cw.net.Unclog
		}
		if err := f(c.Arg(t, 0), c.Arg(t, 1)); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "cmd":
		i := d.host(c, 0)
		args := make([]string, 0, len(c.Args)-1)
		for _, a := range c.Args[1:] {
			args = append(args, d.unmask(a))
		}
		return d.mask(replyText(d.conn(i).do(args...)))
	case "config":
		i := d.host(c, 0)
		return replyText(d.conn(i).do("CONFIG", "SET", c.Arg(t, 1), c.Arg(t, 2)))
	case "nodes":
		var hosts []int
		for j := range c.Args {
			hosts = append(hosts, d.host(c, j))
		}
		if len(hosts) == 0 {
			for i, n := range d.cw.nodes {
				if n.node.State() != sim.Down {
					hosts = append(hosts, i)
				}
			}
		}
		var out []string
		for _, i := range hosts {
			out = append(out, d.cw.nodes[i].host.Name()+":")
			for _, l := range d.nodesView(i) {
				out = append(out, "  "+l)
			}
		}
		return strings.Join(out, "\n")
	case "info":
		i := d.host(c, 0)
		fields := c.Args[1:]
		if len(fields) == 0 {
			fields = defaultInfoFields
		}
		var out []string
		for _, f := range fields {
			f = strings.TrimPrefix(f, "cluster_")
			out = append(out, f+"="+clusterInfoField(d.conn(i), "cluster_"+f))
		}
		return strings.Join(out, " ")
	case "replinfo":
		i := d.host(c, 0)
		var out []string
		for _, f := range c.Args[1:] {
			v := ""
			for _, line := range strings.Split(bulkValue(d.conn(i).do("INFO", "replication")), "\r\n") {
				if x, ok := strings.CutPrefix(line, f+":"); ok {
					v = x
				}
			}
			out = append(out, f+"="+v)
		}
		return strings.Join(out, " ")
	case "reshard":
		return d.reshard(c)
	case "role":
		var out []string
		for j := range c.Args {
			i := d.host(c, j)
			out = append(out, c.Args[j]+" "+replyText(d.conn(i).do("ROLE")))
		}
		return strings.Join(out, "\n")
	case "log":
		i := d.host(c, 0)
		text := strings.Join(c.Args[1:], " ")
		out := d.logLines(i, text)
		if len(out) == 0 {
			return "(nothing)"
		}
		return strings.Join(out, "\n")
	}
	t.Fatalf("%s: unknown command %q", c.Pos, c.Name)
	return ""
}
