package redisdiff

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
)

// loadingSkipped are the commands the loading comparison does not send:
// SHUTDOWN has the loading flag and would stop the server, MODULE is
// refused as protected before the loading check, and DEBUG RELOAD is what
// holds redis-server in its load.
var loadingSkipped = []string{"shutdown", "module", "debug"}

// Every command of Redis 7.0.15 is answered -LOADING, or not, by the node
// during its load as by redis-server during its own. redis-server is held
// in a load by DEBUG RELOAD with key-load-delay (the way Redis's own tests
// make one), serving events every 1024 bytes; the node is restarted on the
// same file with a load rate that makes its load last. Each command is
// sent on a fresh connection with as many dummy arguments as its arity
// wants, so that processCommand gets as far as the loading check.
func TestLoadingRepliesMatchRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("every command against a loading redis-server takes 8 s; make test runs it")
	}
	dir := t.TempDir()
	r := StartRedisIn(t, dir, "--key-load-delay", "500", "--loading-process-events-interval-bytes", "1024")
	mustDo(t, r, []string{"DEBUG", "POPULATE", "240000", "key", "20"}, []string{"SAVE"})
	cmds := commandArgs(t, r)

	nodeDir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nodeDir, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.LoadingProcessEventsIntervalBytes = 1024
	cfg.LoadRDBBytesPerSecond = 50_000 // some 160 s for the file, 20 ms between points
	node := StartNodeIn(t, cfg, nodeDir)

	// DEBUG RELOAD saves, then loads for 240,000 x 0.5 ms, two minutes,
	// far longer than the comparison (8 s on a quiet machine), so a slow one
	// still compares loads; it replies when the load is done.
	holder, err := Dial(r)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.nc.Close()
	if err := holder.Send([]byte("DEBUG"), []byte("RELOAD")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.HasPrefix(classify(t, r, "GET", "k"), "-LOADING") {
		if time.Now().After(deadline) {
			t.Fatal("redis-server is not loading after DEBUG RELOAD")
		}
	}
	if got := classify(t, node, "GET", "k"); got != "-LOADING Redis is loading the dataset in memory\r\n" {
		t.Fatalf("the node during its load: GET %q", got)
	}
	loadingOK, denied := 0, 0
	for _, args := range cmds {
		want, got := classifyBoth(t, r, node, args)
		if isLoading(want) {
			denied++
		} else {
			loadingOK++
		}
		if isLoading(want) != isLoading(got) {
			t.Errorf("%q during a load: redis-server %q, node %q", args, clip([]byte(want)), clip([]byte(got)))
		}
	}
	// Both were still loading at the end, or the comparison proves nothing.
	if !isLoading(classify(t, r, "GET", "k")) || !isLoading(classify(t, node, "GET", "k")) {
		t.Fatal("a server finished loading before the comparison ended; make the loads longer")
	}
	t.Logf("%d commands run during a load, %d are answered -LOADING", loadingOK, denied)
	if loadingOK == 0 || denied == 0 {
		t.Fatal("the comparison saw only one kind of command")
	}
}

func isLoading(reply string) bool { return strings.HasPrefix(reply, "-LOADING ") }

// classify sends args on a fresh connection and returns the reply (or a
// connection error as text).
func classify(t *testing.T, addr string, args ...string) string {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	reply, err := c.DoStrings(args...)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(reply)
}

// classifyBoth is classify on two servers at once.
func classifyBoth(t *testing.T, a, b string, args []string) (string, string) {
	t.Helper()
	var conns [2]*Conn
	for i, addr := range []string{a, b} {
		c, err := Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.nc.Close()
		conns[i] = c
		bs := make([][]byte, len(args))
		for j, x := range args {
			bs[j] = []byte(x)
		}
		if err := c.Send(bs...); err != nil {
			t.Fatal(err)
		}
	}
	var out [2]string
	for i, c := range conns {
		r, err := c.Receive(ReplyTimeout)
		if err != nil {
			out[i] = "<" + err.Error() + ">"
		} else {
			out[i] = string(r)
		}
	}
	return out[0], out[1]
}

// commandArgs lists, from COMMAND, a command line for every command and
// subcommand: its name and "x" for each argument its arity needs.
func commandArgs(t *testing.T, addr string) [][]string {
	t.Helper()
	raw := reply(t, addr, "COMMAND")
	v, ok := parseReply([]byte(raw))
	if !ok {
		t.Fatal("COMMAND's reply does not parse")
	}
	var out [][]string
	var add func(entries []resp.Value)
	add = func(entries []resp.Value) {
		for _, e := range entries {
			name := string(e.Elems[0].Str)
			arity := int(e.Elems[1].Int)
			if slices.Contains(loadingSkipped, strings.SplitN(name, "|", 2)[0]) {
				continue
			}
			args := strings.Split(name, "|")
			n := arity
			if n < 0 {
				n = -n
			}
			for len(args) < n {
				args = append(args, "x")
			}
			if subs := e.Elems[9].Elems; len(subs) > 0 {
				add(subs)
				continue
			}
			out = append(out, args)
		}
	}
	add(v.Elems)
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, " "), strings.Join(b, " ")) })
	if len(out) < 200 {
		t.Fatalf("COMMAND lists %d commands", len(out))
	}
	return out
}
