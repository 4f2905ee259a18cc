package redisdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// The node's multi-part AOF against Redis 7.0's tools: a simulated node
// with appendonly yes and appendfsync always writes, rewrites its AOF,
// writes more and loses power; what its disk kept, copied to a real
// directory, passes redis-check-aof and loads in a real redis-server (and
// in the node on real files) with the digest the node had.

// simConn is a client connection inside a simulated world.
type simConn struct {
	rr      *resp.ReplyReader
	conn    sim.Conn
	replies []string
}

func (c *simConn) OnOpen(sim.Conn) {}
func (c *simConn) OnData(_ sim.Conn, p []byte) {
	c.rr.Feed(p)
	for {
		raw := append([]byte(nil), c.rr.Peek()...)
		n := c.rr.Buffered()
		_, ok, err := c.rr.Next()
		if err != nil || !ok {
			return
		}
		c.replies = append(c.replies, string(raw[:n-c.rr.Buffered()]))
	}
}
func (c *simConn) OnClose(sim.Conn, error) {}

type simClient struct{}

func (simClient) Stop() {}

// simDo sends cmd and runs the world until its reply (at most a minute).
func simDo(t *testing.T, w *sim.World, c *simConn, cmd ...string) string {
	t.Helper()
	want := len(c.replies) + 1
	c.conn.Write(resp.AppendCommandStrings(nil, cmd...))
	for end := w.Now().Duration() + time.Minute; len(c.replies) < want && w.Now().Duration() < end; {
		w.RunFor(time.Millisecond)
	}
	if len(c.replies) < want {
		t.Fatalf("the simulated node did not answer %q", cmd)
	}
	return c.replies[want-1]
}

// copyDurable writes to dir what the host's disk would keep after a power
// loss, the AOF directory as a real directory.
func copyDurable(t *testing.T, d *sim.SimDisk, dir string) {
	t.Helper()
	for _, name := range d.List() {
		data, _ := d.Durable(name)
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNodeAOFLoadsInRedis(t *testing.T) {
	checkAOF := lookTool(t, "redis-check-aof")
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.AppendOnly, cfg.AppendFsync = true, "always"
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	h, err := w.AddHost("r1", sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := w.AddHost("c1", sim.HostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Spawn("redis", redis.Program(cfg))
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	w.RunFor(10 * time.Millisecond)
	c := &simConn{rr: resp.NewReplyReader()}
	cp, _ := ch.Spawn("client", func(env sim.Env) sim.Node {
		c.conn = env.Dial("r1:"+strconv.Itoa(cfg.Port), time.Second, c)
		return simClient{}
	})
	cp.Start()
	w.RunFor(time.Millisecond)
	do := func(cmd ...string) string {
		r := simDo(t, w, c, cmd...)
		if strings.HasPrefix(r, "-") {
			t.Fatalf("%q: %q", cmd, r)
		}
		return r
	}
	// The simulated clock is not the real one: times to live are set as
	// real times, far enough ahead for both.
	at := strconv.FormatInt(time.Now().Add(100*time.Hour).UnixMilli(), 10)
	for _, cmd := range fillEveryType {
		switch {
		case cmd[0] == "PEXPIRE":
			cmd = []string{"PEXPIREAT", cmd[1], at}
		case cmd[0] == "SET" && len(cmd) > 3:
			cmd = []string{"SET", cmd[1], cmd[2], "PXAT", at}
		}
		do(cmd...)
	}
	do("BGREWRITEAOF")
	for i := range 50 { // during the rewrite and after it
		do("INCR", "n")
		do("RPUSH", "list", strconv.Itoa(i))
		if i == 10 {
			w.RunFor(time.Second) // the rewrite finishes
		}
	}
	do("SELECT", "3")
	do("SET", "db3", "after")
	if info := do("INFO", "persistence"); !strings.Contains(info, "aof_rewrites:1") || !strings.Contains(info, "aof_last_bgrewrite_status:ok") {
		t.Fatalf("the rewrite did not happen: %q", info)
	}
	digest := do("DEBUG", "DIGEST")
	h.Crash()

	dir := t.TempDir()
	copyDurable(t, h.Disk(), dir)
	manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil || string(manifest) != "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n" {
		t.Fatalf("manifest %q (%v)", manifest, err)
	}
	out, err := exec.Command(checkAOF, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "is valid") {
		t.Fatalf("redis-check-aof refuses the node's AOF (%v):\n%s", err, out)
	}

	// The node on real files (serve mode) reads its own directory back.
	nodeDir := t.TempDir()
	copyDurable(t, h.Disk(), nodeDir)
	node := StartNodeIn(t, cfg, nodeDir)
	if got := reply(t, node, "DEBUG", "DIGEST"); got != digest {
		t.Errorf("the node on real files loaded digest %q; before the crash it was %q", got, digest)
	}
	mustDo(t, node, []string{"SET", "served", "1"})

	r := StartRedisIn(t, dir, "--appendonly", "yes", "--appenddirname", "appendonlydir", "--appendfsync", "always")
	if got := reply(t, r, "DEBUG", "DIGEST"); got != digest {
		t.Fatalf("redis-server loaded the node's AOF with digest %q; the node's was %q", got, digest)
	}
	if got := reply(t, r, "FCALL", "f", "0"); got != ":1\r\n" {
		t.Errorf("FCALL f on redis-server: %q", got)
	}
}

// A real server's multi-part AOF (an RDB base after a rewrite, commands
// in its incr file) loads in the node with the same digest.
func TestRedisAOFLoadsInNode(t *testing.T) {
	dir := t.TempDir()
	r := StartRedisIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	mustDo(t, r, fillEveryType...)
	mustDo(t, r, []string{"BGREWRITEAOF"})
	deadline := time.Now().Add(10 * time.Second)
	for infoField(t, r, "persistence", "aof_rewrite_in_progress") != "0" || infoField(t, r, "persistence", "aof_rewrites") != "1" {
		if time.Now().After(deadline) {
			t.Fatal("redis-server's rewrite did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustDo(t, r, []string{"INCR", "n"}, []string{"SELECT", "2"}, []string{"RPUSH", "l", "a", "b"})
	digest := reply(t, r, "DEBUG", "DIGEST")

	copyDir := t.TempDir()
	ents, err := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(copyDir, "appendonlydir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, "appendonlydir", e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.AppendOnly = true
	node := StartNodeIn(t, cfg, copyDir)
	if got := reply(t, node, "DEBUG", "DIGEST"); got != digest {
		t.Fatalf("the node loaded redis-server's AOF with digest %q; redis-server's is %q", got, digest)
	}
	if got := reply(t, node, "FCALL", "f", "0"); got != ":1\r\n" {
		t.Errorf("FCALL f on the node: %q", got)
	}
}
