package redisdiff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
)

// A storyWorld is where a replication story runs: real redis-server
// processes on loopback ports in real time (realStoryWorld), or Redsim
// nodes in a simulated world in virtual time (simStoryWorld). Nodes are
// named by the story; the first one started is the master.
type storyWorld interface {
	// start boots names[0] as a master and the others as its replicas.
	start(t testing.TB, names []string)
	// do sends one command to node and returns the raw reply.
	do(t testing.TB, node string, args []string) []byte
	// up reports whether node's process is running.
	up(node string) bool
	// stop sends SHUTDOWN to node and waits until its process is gone.
	stop(t testing.TB, node string)
	// restart starts node again, with the configuration it first had
	// and the files it left.
	restart(t testing.TB, node string)
	// addr is where the other nodes reach node (for REPLICAOF), or, for
	// nowhere, an address where connections are refused.
	addr(node string) (host, port string)
	// sleep lets d pass (to let keys expire).
	sleep(d time.Duration)
	// until calls cond, letting time pass between calls, until it holds
	// or a bound (of real or virtual time) passes; it reports which.
	until(cond func() bool) bool
}

// nowhere is the address of no node: a replica told REPLICAOF @nowhere
// drops its link, keeps its master's state cached and cannot connect
// again until it is given its master back (REPLICAOF @M, then a PSYNC).
// Unlike a wrong masterauth, which makes each retry fail at AUTH, this
// holds it off without a race: CONFIG SET masterauth during a handshake
// in flight makes the replica misread the replies it is waiting for (it
// stops expecting AUTH's), and the master may start a full sync for a
// connection the replica then drops.
const nowhere = "nowhere"

// storyOptions are what both worlds set on every node at boot, so that
// what a story samples does not depend on when the sample is taken: a
// full sync starts at once instead of after the 5 s wait for more
// replicas, and the master does not PING its replicas (14 bytes on the
// replication offset every 10 s) while a story runs.
var storyOptions = []string{
	"repl-diskless-sync-delay", "0",
	"repl-ping-replica-period", "3600",
}

// storyDriver runs one story file's commands on a storyWorld:
//
//	world M R...        start M as a master and each R as its replica, and
//	                    await the replicas' sync
//	cmd NODE ARGS...    send a command (arguments split as redis-cli splits
//	                    them; @NAME stands for NAME's host and port, and
//	                    @nowhere for an address that refuses connections)
//	                    and print the reply
//	await NODE F=V...   wait until NODE's sampled fields F have the values V
//	await synced        wait until every replica with its link up is online
//	                    at its master and at its master's offset
//	await acked         and until each master has the replicas' ACKs of it
//	                    (what a SHUTDOWN that is not to wait needs)
//	info NODE F...      print INFO replication fields as they are (the
//	                    backlog's figures)
//	sample              print what changed in every node's replication
//	                    state since the previous sample
//	sleep D             let D pass, in real or virtual time (keys expire)
//	stop NODE           SHUTDOWN, wait until the process is gone
//	start NODE          start it again, with its first configuration
type storyDriver struct {
	t     testing.TB
	world storyWorld
	names []string
	// last is the previous sample of each node, nil before the first.
	last map[string]*replState
	// ids labels the replication IDs seen, in order of first sight.
	ids map[string]string
}

func newStoryDriver(t testing.TB, w storyWorld) *storyDriver {
	return &storyDriver{t: t, world: w, last: map[string]*replState{}, ids: map[string]string{}}
}

// runStory runs the story at path on w, comparing each command's output
// with the file's (or rewriting the file with it, under -rewrite).
func runStory(t testing.TB, path string, w storyWorld, rewrite bool) {
	d := newStoryDriver(t, w)
	script.Run(t, path, rewrite, d.run)
}

func (d *storyDriver) run(c *script.Cmd) string {
	t := d.t
	switch c.Name {
	case "world":
		if len(c.Args) < 2 {
			t.Fatalf("%s: world needs a master and at least one replica", c.Pos)
		}
		d.names = c.Args
		d.world.start(t, c.Args)
		if !d.world.until(func() bool { return d.synced(false) }) {
			t.Fatalf("%s: the replicas did not sync:\n%s", c.Pos, d.describe())
		}
		return "ok"
	case "cmd":
		node := c.Arg(t, 0)
		d.known(c, node)
		args, err := splitArgs(strings.TrimSpace(strings.TrimPrefix(c.Line, "cmd")))
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		return fmt.Sprintf("%q", d.world.do(t, node, d.expand(c, args[1:])))
	case "await":
		if len(c.Args) == 1 && (c.Args[0] == "synced" || c.Args[0] == "acked") {
			acked := c.Args[0] == "acked"
			if !d.world.until(func() bool { return d.synced(acked) }) {
				t.Fatalf("%s: not %s:\n%s", c.Pos, c.Args[0], d.describe())
			}
			return "ok"
		}
		node := c.Arg(t, 0)
		d.known(c, node)
		want := map[string]string{}
		for _, kv := range c.Args[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("%s: %q is not FIELD=VALUE", c.Pos, kv)
			}
			want[k] = v
		}
		holds := func() bool {
			st := d.state(node)
			for k, v := range want {
				if st.get(k) != v {
					return false
				}
			}
			return true
		}
		if !d.world.until(holds) {
			t.Fatalf("%s: %s never reached %s:\n%s", c.Pos, node, strings.Join(c.Args[1:], " "), d.describe())
		}
		return "ok"
	case "sample":
		return d.sample()
	case "info":
		node := c.Arg(t, 0)
		d.known(c, node)
		raw := parseInfo(d.world.do(t, node, []string{"INFO", "replication"}))
		var out []string
		for _, f := range c.Args[1:] {
			if strings.Contains(f, "replid") {
				t.Fatalf("%s: info prints fields raw; replication IDs differ between worlds (sample labels them)", c.Pos)
			}
			out = append(out, f+"="+raw[f])
		}
		return strings.Join(out, " ")
	case "sleep":
		dur, err := time.ParseDuration(c.Arg(t, 0))
		if err != nil || dur <= 0 || dur > 5*time.Second {
			t.Fatalf("%s: sleep takes a duration up to 5s, not %q", c.Pos, c.Arg(t, 0))
		}
		d.world.sleep(dur)
		return "ok"
	case "stop":
		node := c.Arg(t, 0)
		d.known(c, node)
		d.world.stop(t, node)
		return "ok"
	case "start":
		node := c.Arg(t, 0)
		d.known(c, node)
		d.world.restart(t, node)
		return "ok"
	}
	t.Fatalf("%s: unknown story command %q; one of world, cmd, await, sample, info, sleep, stop, start", c.Pos, c.Name)
	return ""
}

func (d *storyDriver) known(c *script.Cmd, node string) {
	for _, n := range d.names {
		if n == node {
			return
		}
	}
	d.t.Fatalf("%s: no node %q in the world %v", c.Pos, node, d.names)
}

// expand replaces each @NAME argument with NAME's host and port.
func (d *storyDriver) expand(c *script.Cmd, args []string) []string {
	var out []string
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "@"); ok {
			if name != nowhere {
				d.known(c, name)
			}
			h, p := d.world.addr(name)
			out = append(out, h, p)
			continue
		}
		out = append(out, a)
	}
	return out
}

// nameAt returns the node that listens at host:port (or nowhere), or
// host:port itself.
func (d *storyDriver) nameAt(host, port string) string {
	for _, n := range append([]string{nowhere}, d.names...) {
		if h, p := d.world.addr(n); h == host && p == port {
			return n
		}
	}
	return host + ":" + port
}

// replState is one node's replication state as a story compares it:
// INFO replication's fields and INFO stats' sync counters, with node
// addresses replaced by node names and replication IDs by labels (A, B...
// in order of first sight in the story's samples). Offsets are kept raw, but only
// their changes are printed.
type replState struct {
	down   bool
	fields []stateField
	// offset is master_repl_offset, second is second_repl_offset.
	offset, second int64
	// acks are the offsets the replicas acknowledged, by name.
	acks map[string]int64
}

type stateField struct{ name, value string }

// stateFields are the fields of a replState, in the order printed.
var stateFields = []string{
	"role", "master", "master_link_status", "connected_slaves", "slaves",
	"master_failover_state", "master_replid", "master_replid2",
	"sync_full", "sync_partial_ok", "sync_partial_err",
}

func (st *replState) get(name string) string {
	if st.down {
		if name == "process" {
			return "down"
		}
		return ""
	}
	if name == "process" {
		return "up"
	}
	for _, f := range st.fields {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// state samples node.
func (d *storyDriver) state(node string) *replState {
	if !d.world.up(node) {
		// Offsets keep their last sample's values, so that a node
		// started again shows how far it moved from where it was.
		st := &replState{down: true}
		if prev := d.last[node]; prev != nil {
			st.offset, st.second = prev.offset, prev.second
		}
		return st
	}
	raw := map[string]string{}
	for _, section := range []string{"replication", "stats"} {
		for k, v := range parseInfo(d.world.do(d.t, node, []string{"INFO", section})) {
			raw[k] = v
		}
	}
	st := &replState{acks: map[string]int64{}}
	st.offset, _ = strconv.ParseInt(raw["master_repl_offset"], 10, 64)
	st.second, _ = strconv.ParseInt(raw["second_repl_offset"], 10, 64)
	var slaves []string
	for i := 0; ; i++ {
		v, ok := raw["slave"+strconv.Itoa(i)]
		if !ok {
			break
		}
		kv := map[string]string{}
		for _, part := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(part, "=")
			kv[k] = val
		}
		name := d.nameAt(kv["ip"], kv["port"])
		slaves = append(slaves, name+":"+kv["state"])
		st.acks[name], _ = strconv.ParseInt(kv["offset"], 10, 64)
	}
	// Replicas attach in the order they happen to connect.
	sort.Strings(slaves)
	for _, name := range stateFields {
		var v string
		switch name {
		case "master":
			if raw["master_host"] != "" {
				v = d.nameAt(raw["master_host"], raw["master_port"])
			}
		case "slaves":
			v = strings.Join(slaves, ",")
			if v == "" {
				v = "none"
			}
		default:
			v = raw[name]
		}
		if v != "" {
			st.fields = append(st.fields, stateField{name, v})
		}
	}
	return st
}

// show is how a sample prints field name's value v: replication IDs by
// their labels.
func (d *storyDriver) show(name, v string) string {
	if name == "master_replid" || name == "master_replid2" {
		return d.label(v)
	}
	return v
}

// label names a replication ID by the order in which the story's samples
// first showed it (the IDs a node had before a sample are not counted);
// the null ID is "none".
func (d *storyDriver) label(id string) string {
	if id == "" {
		return ""
	}
	if strings.Trim(id, "0") == "" {
		return "none"
	}
	if l, ok := d.ids[id]; ok {
		return l
	}
	l := string(rune('A' + len(d.ids)))
	d.ids[id] = l
	return l
}

// synced reports whether every running replica with its link up is
// online at its master and has its master's offset; with acked, whether
// the master also has the replica's ACK of that offset.
func (d *storyDriver) synced(acked bool) bool {
	states := map[string]*replState{}
	for _, n := range d.names {
		states[n] = d.state(n)
	}
	for _, n := range d.names {
		st := states[n]
		if st.down || st.get("role") != "slave" {
			continue
		}
		m := states[st.get("master")]
		if st.get("master_link_status") != "up" || m == nil || m.down {
			return false
		}
		if st.offset != m.offset || !strings.Contains(","+m.get("slaves")+",", ","+n+":online,") {
			return false
		}
		if acked && m.acks[n] != m.offset {
			return false
		}
	}
	return true
}

// sample prints, per node, what changed since the previous sample: the
// fields as old->new, the offset as +N, second_repl_offset relative to the
// node's offset. A node's first sample prints all its fields.
func (d *storyDriver) sample() string {
	var lines []string
	for _, n := range d.names {
		st := d.state(n)
		prev := d.last[n]
		d.last[n] = st
		var parts []string
		switch {
		case st.down && (prev == nil || !prev.down):
			parts = append(parts, "process down")
		case st.down:
		case prev == nil || prev.down:
			if prev != nil {
				parts = append(parts, "process up")
			}
			for _, f := range st.fields {
				parts = append(parts, f.name+"="+d.show(f.name, f.value))
			}
			parts = append(parts, "second_repl_offset="+relOffset(st))
			if prev == nil {
				parts = append(parts, fmt.Sprintf("master_repl_offset=%d", st.offset))
			} else {
				parts = append(parts, fmt.Sprintf("master_repl_offset %+d", st.offset-prev.offset))
			}
		default:
			for _, name := range stateFields {
				if a, b := prev.get(name), st.get(name); a != b {
					parts = append(parts, name+" "+orNone(d.show(name, a))+"->"+orNone(d.show(name, b)))
				}
			}
			if st.second != prev.second {
				parts = append(parts, "second_repl_offset "+relOffset(prev)+"->"+relOffset(st))
			}
			if st.offset != prev.offset {
				parts = append(parts, fmt.Sprintf("master_repl_offset %+d", st.offset-prev.offset))
			}
		}
		if len(parts) > 0 {
			lines = append(lines, n+": "+strings.Join(parts, ", "))
		}
	}
	if len(lines) == 0 {
		return "no change"
	}
	return strings.Join(lines, "\n")
}

// relOffset shows second_repl_offset against the node's offset at the same
// sample: a promoted replica's is offset+1 (it accepts PSYNC from the next
// byte on under its old ID).
func relOffset(st *replState) string {
	if st.second < 0 {
		return strconv.FormatInt(st.second, 10)
	}
	return fmt.Sprintf("offset%+d", st.second-st.offset)
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// describe prints every node's current state, for a failed await.
func (d *storyDriver) describe() string {
	var b strings.Builder
	for _, n := range d.names {
		st := d.state(n)
		fmt.Fprintf(&b, "  %s:", n)
		if st.down {
			b.WriteString(" down\n")
			continue
		}
		for _, f := range st.fields {
			fmt.Fprintf(&b, " %s=%s", f.name, f.value)
		}
		fmt.Fprintf(&b, " master_repl_offset=%d\n", st.offset)
	}
	return b.String()
}

// parseInfo returns the fields of an INFO reply (raw RESP bulk string).
func parseInfo(reply []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(reply), "\r\n") {
		if strings.HasPrefix(line, "$") || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}
