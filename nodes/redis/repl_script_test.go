package redis

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
	"github.com/redsim/redsim/sim"
)

// TestReplicationScripts runs the step-by-step replication stories in
// testdata/replication/*.txt (go test -run TestReplicationScripts -args
// -rewrite regenerates their output).
//
// Commands: world MASTER REPLICA... (the first is the master, the others
// replicate it); cmd NODE ARGS... (a command from a client on c1, printing
// the reply); config NODE PARAM VALUE... (CONFIG SET, the words joined);
// run D; log NODE (the node's log lines since the last `log`);
// info NODE FIELD... (INFO replication fields); digests (which nodes hold
// equal datasets); isolate NODE; heal; clog A B / unclog A B (hold the
// traffic between two hosts); reset A B (reset the connections
// between two hosts); crash NODE (power loss); stop NODE (graceful); start
// NODE; kill-link NODE (the operator's CLIENT KILL TYPE master,
// KillMasterLink); replstats NODE (the node's ReplStats counters).
func TestReplicationScripts(t *testing.T) {
	script.RunDir(t, "testdata/replication/*.txt", func(t *testing.T) func(c *script.Cmd) string {
		d := &replDriver{t: t, logSeen: map[string]int{}, conns: map[string]*testConn{}}
		return d.run
	})
}

type replDriver struct {
	t       *testing.T
	rw      *replWorld
	byName  map[string]*testWorld
	logSeen map[string]int
	conns   map[string]*testConn
}

var hexID = regexp.MustCompile(`[0-9a-f]{40}`)

func (d *replDriver) node(c *script.Cmd, i int) *testWorld {
	name := c.Arg(d.t, i)
	n := d.byName[name]
	if n == nil {
		d.t.Fatalf("%s: no node %q", c.Pos, name)
	}
	return n
}

func (d *replDriver) conn(n *testWorld) *testConn {
	c := d.conns[n.host.Name()]
	if c == nil || c.closed {
		c = n.dial()
		d.conns[n.host.Name()] = c
	}
	return c
}

func (d *replDriver) run(c *script.Cmd) string {
	t := d.t
	switch c.Name {
	case "world":
		names := c.Args
		master := names[0]
		d.rw = newReplWorld(t, 1, names, func(i int) Config {
			if i == 0 {
				return masterConfig()
			}
			return replicaConfig(master + ":6379")
		})
		d.byName = map[string]*testWorld{}
		for _, n := range d.rw.nodes {
			d.byName[n.host.Name()] = n
		}
		d.rw.w.RunFor(10 * time.Millisecond)
		return "ok"
	case "cmd":
		n := d.node(c, 0)
		return fmt.Sprintf("%q", d.conn(n).do(c.Args[1:]...))
	case "config":
		n := d.node(c, 0)
		return fmt.Sprintf("%q", d.conn(n).do("CONFIG", "SET", c.Arg(t, 1), strings.Join(c.Args[2:], " ")))
	case "run":
		dur, err := time.ParseDuration(c.Arg(t, 0))
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		d.rw.w.RunFor(dur)
		return "ok"
	case "log":
		n := d.node(c, 0)
		var out []string
		seen := 0
		for _, ev := range d.rw.w.Trace().Events {
			if ev.Kind != sim.KindLog || ev.Proc != n.node.ID() {
				continue
			}
			seen++
			if seen <= d.logSeen[n.host.Name()] {
				continue
			}
			out = append(out, hexID.ReplaceAllString(ev.Text, "<id>"))
		}
		d.logSeen[n.host.Name()] = seen
		if len(out) == 0 {
			return "(nothing)"
		}
		return strings.Join(out, "\n")
	case "info":
		n := d.node(c, 0)
		var out []string
		for _, f := range c.Args[1:] {
			out = append(out, f+"="+hexID.ReplaceAllString(d.rw.info(d.conn(n), f), "<id>"))
		}
		return strings.Join(out, " ")
	case "digests":
		groups := map[string][]string{}
		var order []string
		for _, n := range d.rw.nodes {
			if n.node.State() == sim.Down {
				continue
			}
			dg := d.conn(n).do("DEBUG", "DIGEST")
			if _, ok := groups[dg]; !ok {
				order = append(order, dg)
			}
			groups[dg] = append(groups[dg], n.host.Name())
		}
		var out []string
		for _, dg := range order {
			out = append(out, strings.Join(groups[dg], "="))
		}
		return strings.Join(out, " | ")
	case "isolate":
		if err := d.rw.net.Isolate(c.Arg(t, 0)); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "clog":
		if err := d.rw.net.Clog(c.Arg(t, 0), c.Arg(t, 1)); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "unclog":
		if err := d.rw.net.Unclog(c.Arg(t, 0), c.Arg(t, 1)); err != nil {
			t.Fatal(err)
		}
		return "ok"
	case "heal":
		d.rw.net.Heal()
		return "ok"
	case "reset":
		n, err := d.rw.net.ResetConns(c.Arg(t, 0), c.Arg(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d connections reset", n)
	case "crash":
		n := d.node(c, 0)
		n.host.Crash()
		return "ok"
	case "stop":
		d.node(c, 0).node.Stop()
		return "ok"
	case "start":
		d.node(c, 0).node.Start()
		d.rw.w.RunFor(time.Millisecond)
		return "ok"
	case "kill-link":
		return fmt.Sprintf("killed=%v", d.node(c, 0).server().KillMasterLink())
	case "replstats":
		st := d.node(c, 0).server().ReplStats()
		out := fmt.Sprintf("sync_full=%d sync_partial_ok=%d sync_partial_err=%d with_data=%d no_backlog=%d full_syncs=%d partial_syncs=%d link_drops=%d protocol_errors=%d",
			st.SyncFull, st.SyncPartialOK, st.SyncPartialErr, st.SyncPartialWithData, st.SyncPartialNoBacklog, st.FullSyncs, st.PartialSyncs, st.LinkDrops, st.ProtocolErrors)
		for _, l := range st.ErrorLines {
			out += "\n" + l
		}
		return out
	}
	t.Fatalf("%s: unknown command %q", c.Pos, c.Name)
	return ""
}
