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

// FuzzConfig boots a sentinel from any file: it starts, or it logs Redis's
// fatal configuration error and exits; it never panics. A file without
// quotes that it starts from is rewritten into one it starts from again.
// (With quotes it may not be: Redis writes the sentinel lines' arguments
// unquoted, so `rename-command m PING "x y"` comes back as four words
// and the file no longer loads; the quirk is kept.)
func FuzzConfig(f *testing.F) {
	f.Add("sentinel monitor m 1.2.3.4 5 1\nsentinel known-replica m 1.2.3.5 6\n")
	f.Add("port 7\nsentinel myid 0123456789012345678901234567890123456789\nsentinel monitor m h 1 2\nsentinel config-epoch m -1\n")
	f.Add("sentinel monitor m h 1 1\nsentinel known-sentinel m h 2 0123456789012345678901234567890123456789\nsentinel rename-command m PING \"x y\"\n")
	f.Add("sentinel announce-ip \"a\\x00b\"\nsentinel monitor m h 1 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" {
			return // bootOnly writes no file then
		}
		s, w, h := bootOnly(t, text)
		if s == nil {
			if !strings.Contains(logs(w), "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***") && !strings.Contains(logs(w), "Could not create server TCP listening socket") {
				t.Fatalf("%q: exited without a reason:\n%s", text, logs(w))
			}
			return
		}
		if strings.ContainsAny(text, "\"'") {
			return
		}
		s.flushConfig(nil)
		w.RunFor(100 * time.Millisecond)
		again, _ := h.Disk().Read(DefaultConfigFile)
		s2, w2, _ := bootOnly(t, string(again))
		if s2 == nil {
			t.Fatalf("%q rewritten as %q, which does not load:\n%s", text, again, logs(w2))
		}
	})
}
