package sentinel

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// FuzzCommands sends a sentinel (watching a master and a replica) any
// command line: no input may crash it, and it keeps answering PING.
// The corpus is testdata/commands.txt's commands.
func FuzzCommands(f *testing.F) {
	if fh, err := os.Open("testdata/commands.txt"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			cmd, _, _ := strings.Cut(sc.Text(), " -> ")
			f.Add(strings.ReplaceAll(cmd, "\"", ""))
		}
		fh.Close()
	}
	f.Add("SENTINEL SET mymaster rename-command PING PONG down-after-milliseconds 10")
	f.Add("SENTINEL IS-MASTER-DOWN-BY-ADDR r1 6379 18446744073709551615 x")
	f.Add("PUBLISH __sentinel__:hello a,1,b,2,mymaster,r9,7,99")
	f.Fuzz(func(t *testing.T, line string) {
		w := sim.NewWorld(1)
		if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
			t.Fatal(err)
		}
		h, _ := w.AddHost("s1", sim.HostConfig{})
		_ = h.Disk().Write(DefaultConfigFile, []byte("sentinel monitor mymaster r1 6379 1\nsentinel known-replica mymaster r2 6379\n"))
		p, _ := h.Spawn("sentinel", Program(Options{}))
		p.Start()
		ch, _ := w.AddHost("c1", sim.HostConfig{})
		rc := &rawConn{}
		cp, _ := ch.Spawn("client", func(env sim.Env) sim.Node {
			rc.c = env.Dial("s1:26379", time.Second, rc)
			return nopNode{}
		})
		cp.Start()
		w.RunFor(200 * time.Millisecond)
		args, ok := resp.SplitArgs([]byte(line))
		if !ok || len(args) == 0 || strings.EqualFold(string(args[0]), "shutdown") {
			return
		}
		rc.c.Write(resp.AppendCommand(nil, args...))
		w.RunFor(3 * time.Second)
		rc.got = rc.got[:0]
		if rc.shut {
			return // CLIENT KILL of itself, a protocol error
		}
		rc.c.Write(resp.AppendCommandStrings(nil, "PING"))
		w.RunFor(time.Second)
		if p.Node() == nil {
			t.Fatalf("%q: the sentinel exited", line)
		}
		if !strings.HasSuffix(string(rc.got), "+PONG\r\n") && !strings.Contains(line, "REPLY") && !strings.Contains(strings.ToUpper(line), "SUBSCRIBE") {
			t.Fatalf("%q: then PING -> %q", line, rc.got)
		}
	})
}
