package network

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
	"github.com/redsim/redsim/sim"
)

// TestScripts runs testdata/*.txt: step-by-step network stories whose trace
// is golden output. Commands:
//
//	hosts N               N hosts n1..nN, each echoing on port 7000 (1ms links)
//	dial FROM ADDR        FROM is a host index; prints the conn's client side
//	write CONN TEXT       the client side of CONN sends TEXT
//	run DURATION          runs the world and prints the trace of that time
//	received CONN         what the client side of CONN got back, and how it ended
//	isolate H | heal | clog A B | unclog A B | crash H | restart H | pause H | resume H
func TestScripts(t *testing.T) {
	script.RunDir(t, "testdata/*.txt", func(t *testing.T) func(c *script.Cmd) string {
		var tw *testWorld
		clients := map[string]*handler{}
		conns := map[string]sim.Conn{}
		seen := 0
		proc := func(c *script.Cmd) *sim.Process {
			for _, p := range tw.procs {
				if p.Name() == c.Arg(t, 0) {
					return p
				}
			}
			t.Fatalf("%s: no host %s", c.Pos, c.Arg(t, 0))
			return nil
		}
		return func(c *script.Cmd) string {
			switch c.Name {
			case "hosts":
				var n int
				fmt.Sscan(c.Arg(t, 0), &n)
				tw = newTestWorld(t, n, fixed)
				tw.w.Trace().Keep(sim.LevelDebug)
				tw.w.RunFor(0)
				seen = len(tw.w.Trace().Events)
			case "dial":
				var from int
				fmt.Sscan(c.Arg(t, 0), &from)
				h, conn := tw.dial(from-1, c.Arg(t, 1))
				id := fmt.Sprint(conn.ID())
				clients[id], conns[id] = h, conn
				return "conn=" + id + " " + conn.LocalAddr() + "->" + conn.RemoteAddr()
			case "write":
				conns[c.Arg(t, 0)].Write([]byte(c.Arg(t, 1)))
			case "run":
				d, err := time.ParseDuration(c.Arg(t, 0))
				if err != nil {
					t.Fatalf("%s: %v", c.Pos, err)
				}
				tw.w.RunFor(d)
				var lines []string
				evs := tw.w.Trace().Events
				for i := seen; i < len(evs); i++ {
					lines = append(lines, tw.w.Trace().Format(&evs[i]))
				}
				seen = len(evs)
				return strings.Join(lines, "\n")
			case "received":
				h := clients[c.Arg(t, 0)]
				return fmt.Sprintf("data=%q closed=%v", h.data.String(), h.closed)
			case "isolate":
				must(t, tw.n.Isolate(c.Arg(t, 0)))
			case "heal":
				tw.n.Heal()
			case "clog":
				must(t, tw.n.Clog(c.Arg(t, 0), c.Arg(t, 1)))
			case "unclog":
				must(t, tw.n.Unclog(c.Arg(t, 0), c.Arg(t, 1)))
			case "crash":
				proc(c).Host().Crash()
			case "restart":
				proc(c).Restart(0)
			case "pause":
				proc(c).Pause()
			case "resume":
				proc(c).Resume()
			default:
				t.Fatalf("%s: unknown command %q", c.Pos, c.Name)
			}
			return ""
		}
	})
}
