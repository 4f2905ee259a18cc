package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// loadingConfig is a node whose snapshots are not compressed, so that
// DEBUG POPULATE's values (zero-padded, which LZF squeezes) make a file
// of their size.
func loadingConfig() Config {
	cfg := DefaultConfig()
	cfg.RDBCompression = false
	return cfg
}

// populate fills the node with keys of size bytes, about keys*size bytes
// of RDB, and saves it.
func populate(t *testing.T, c *testConn, keys, size int) {
	t.Helper()
	mustReply(t, c, "+OK\r\n", "DEBUG", "POPULATE", strconv.Itoa(keys), "key", strconv.Itoa(size))
	mustReply(t, c, "+OK\r\n", "SAVE")
}

// infoLine is one field of an INFO reply, "" when absent.
func infoLine(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// restartLoading stops the node's host, starts the node again and runs
// the world for 1 ms: the node is loading its file.
func (tw *testWorld) restartLoading() {
	tw.host.Crash()
	tw.w.RunFor(10 * time.Millisecond)
	tw.node.Start()
	tw.w.RunFor(time.Millisecond)
}

// A node restarted with a 20 MB dataset takes the modelled time to load
// it (60 µs + 20 MB at 175 MB/s, about 115 ms), and meanwhile serves its
// clients every 2 MB: GET and PING get -LOADING, INFO shows loading:1 and
// the loading_* fields; then GET is served.
func TestLoadingAtBoot(t *testing.T) {
	tw := newTestWorld(t, loadingConfig())
	c := tw.dial()
	populate(t, c, 2000, 10000)
	size, err := tw.host.Disk().Size("dump.rdb")
	if err != nil || size < 20_000_000 {
		t.Fatalf("dump.rdb: %d bytes, %v", size, err)
	}
	tw.restartLoading()
	start := tw.w.Now().Duration() - time.Millisecond
	c = tw.dial()
	mustReply(t, c, "-LOADING Redis is loading the dataset in memory\r\n", "GET", "key:1")
	mustReply(t, c, "-LOADING Redis is loading the dataset in memory\r\n", "PING")
	info := c.do("INFO", "persistence")
	if got := infoLine(info, "loading"); got != "1" {
		t.Fatalf("loading:%s during the load\n%s", got, info)
	}
	if got := infoLine(info, "loading_total_bytes"); got != strconv.FormatInt(size, 10) {
		t.Errorf("loading_total_bytes %s, file %d", got, size)
	}
	loaded, _ := strconv.ParseInt(infoLine(info, "loading_loaded_bytes"), 10, 64)
	if loaded <= 0 || loaded >= size || loaded%(2<<20) != 0 {
		t.Errorf("loading_loaded_bytes %d: a multiple of 2 MB below %d", loaded, size)
	}
	for _, f := range []string{"loading_start_time", "loading_rdb_used_mem", "loading_loaded_perc", "loading_eta_seconds"} {
		if infoLine(info, f) == "" {
			t.Errorf("INFO persistence lacks %s during the load", f)
		}
	}
	// Commands with the loading flag run.
	mustReply(t, c, "$2\r\nhi\r\n", "ECHO", "hi")
	mustReply(t, c, "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG", "GET", "maxmemory")
	if !tw.server().loading {
		t.Fatal("the load ended too soon")
	}
	// Then the load ends, at the modelled time, and GET is served.
	for tw.server().loading {
		tw.w.RunFor(100 * time.Microsecond)
	}
	took := tw.w.Now().Duration() - start
	want := DefaultLoadStartCost + time.Duration(size)*time.Second/DefaultLoadRDBBytesPerSecond
	if took < want || took > want+time.Millisecond {
		t.Errorf("the load took %v of virtual time, the model %v", took, want)
	}
	if got := c.do("GET", "key:1"); !strings.HasPrefix(got, "$10000\r\nvalue:1") {
		t.Fatalf("GET after the load: %.40q", got)
	}
	if got := infoLine(c.do("INFO", "persistence"), "loading"); got != "0" {
		t.Errorf("loading:%s after the load", got)
	}
	if info := c.do("INFO", "persistence"); strings.Contains(info, "loading_total_bytes") {
		t.Errorf("loading_* fields after the load")
	}
	if !tw.logged("DB loaded from disk: 0.1") {
		t.Errorf("no 'DB loaded from disk: 0.1xx seconds' in the log")
	}
}

// A small file loads in about the modelled start cost, and no client
// ever sees -LOADING: events are served only every 2 MB, so a command
// sent during the load waits for its end.
func TestLoadingSmallDatasetBlocks(t *testing.T) {
	tw := newTestWorld(t, loadingConfig())
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "k", "v")
	mustReply(t, c, "+OK\r\n", "SAVE")
	tw.host.Crash()
	tw.w.RunFor(10 * time.Millisecond)
	tw.node.Start()
	if !tw.server().loading {
		t.Fatal("a node with a dataset is not loading at its start")
	}
	tw.w.RunFor(DefaultLoadStartCost / 2)
	if !tw.server().loading {
		t.Fatal("the load ended before its start cost")
	}
	tw.w.RunFor(DefaultLoadStartCost)
	if tw.server().loading {
		t.Fatal("a 100-byte file still loads after twice the start cost")
	}
	c = tw.dial()
	mustReply(t, c, "$1\r\nv\r\n", "GET", "k")
}

// Every command of the table follows Redis 7.0.15's loading flag, and
// processCommand's order of checks: an unknown command and a wrong arity
// are answered before -LOADING, READONLY-free LOADING for a master.
func TestLoadingFlags(t *testing.T) {
	tab := NewCommandTable()
	for _, name := range tab.Names() {
		cmd := tab.command(name)
		if cmd.meta == nil {
			continue
		}
		if got, want := cmd.flags&flagLoading != 0, cmd.hasMetaFlag("loading"); got != want {
			t.Errorf("%s: loading flag %v, Redis %v", name, got, want)
		}
	}
	tw := newTestWorld(t, loadingConfig())
	c := tw.dial()
	populate(t, c, 2000, 10000)
	tw.restartLoading()
	c = tw.dial()
	loading := "-LOADING Redis is loading the dataset in memory\r\n"
	// One pipeline, all of it served at the load's first point.
	script := []struct {
		cmd  []string
		want string
	}{
		{[]string{"NOSUCH"}, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
		{[]string{"GET"}, "-ERR wrong number of arguments for 'get' command\r\n"},
		{[]string{"SELECT", "1"}, "+OK\r\n"},
		{[]string{"PUBLISH", "ch", "m"}, ":0\r\n"},
		{[]string{"ROLE"}, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"},
		{[]string{"SET", "a", "1"}, loading},
		{[]string{"DBSIZE"}, loading},
		{[]string{"KEYS", "*"}, loading},
		{[]string{"PING"}, loading},
		{[]string{"EVAL", "return 1", "0"}, loading},
		{[]string{"REPLICAOF", "no", "one"}, loading},
		{[]string{"FLUSHALL"}, loading},
		{[]string{"SAVE"}, loading},
		{[]string{"WAIT", "0", "0"}, loading},
		// MULTI has the flag, GET inside it does not: the transaction
		// is flagged and EXEC aborts.
		{[]string{"MULTI"}, "+OK\r\n"},
		{[]string{"GET", "a"}, loading},
		{[]string{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
	}
	for _, l := range script {
		c.send(l.cmd...)
	}
	c.wait(len(script))
	if !tw.server().loading {
		t.Fatal("the load ended before the replies")
	}
	for i, l := range script {
		if c.replies[i] != l.want {
			t.Errorf("%q during the load: %q, want %q", l.cmd, c.replies[i], l.want)
		}
	}
}

// A replica loading the snapshot of a full resync answers -LOADING, shows
// loading:1 and its link down, and does not apply its master's stream
// until the load is done; then it has what the master wrote meanwhile.
func TestLoadingReplicaFullSync(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		cfg := loadingConfig()
		cfg.Save = nil
		return cfg
	})
	rw.w.RunFor(10 * time.Millisecond)
	m := rw.nodes[0].dial()
	mustReply(t, m, "+OK\r\n", "DEBUG", "POPULATE", "2000", "key", "10000")
	r := rw.nodes[1].dial()
	mustReply(t, r, "+OK\r\n", "REPLICAOF", "m", "6379")
	rep := rw.nodes[1].server()
	for i := 0; i < 10000 && !rep.loading; i++ {
		rw.w.RunFor(time.Millisecond)
	}
	if !rep.loading {
		t.Fatal("the replica never loaded its snapshot")
	}
	mustReply(t, m, "+OK\r\n", "SET", "during", "1")
	loading := "-LOADING Redis is loading the dataset in memory\r\n"
	mustReply(t, r, loading, "GET", "key:1")
	info := r.do("INFO")
	if infoLine(info, "loading") != "1" || infoLine(info, "master_link_status") != "down" || infoLine(info, "role") != "slave" {
		t.Fatalf("replica during its load: loading:%s master_link_status:%s role:%s",
			infoLine(info, "loading"), infoLine(info, "master_link_status"), infoLine(info, "role"))
	}
	if rep.dbs[0].lookupNoTouch([]byte("during")) != nil {
		t.Fatal("the replica applied its master's stream while loading")
	}
	for rep.loading {
		rw.w.RunFor(time.Millisecond)
	}
	if got := r.do("GET", "during"); got != "$1\r\n1\r\n" {
		t.Fatalf("GET after the load: %q", got)
	}
	if got := rw.info(r, "master_link_status"); got != "up" {
		t.Fatalf("master_link_status:%s after the load", got)
	}
	rw.w.RunFor(100 * time.Millisecond)
	if got, want := r.do("DEBUG", "DIGEST"), m.do("DEBUG", "DIGEST"); got != want {
		t.Fatalf("replica digest %q, master %q", got, want)
	}
}

// SHUTDOWN during a load never saves the half-loaded dataset, whatever
// the save points say.
func TestLoadingShutdownDoesNotSave(t *testing.T) {
	tw := newTestWorld(t, loadingConfig())
	c := tw.dial()
	populate(t, c, 2000, 10000)
	before, _ := tw.host.Disk().Read("dump.rdb")
	tw.restartLoading()
	c = tw.dial()
	c.send("SHUTDOWN")
	tw.w.RunFor(time.Second)
	if !c.closed || tw.node.State() != sim.Down {
		t.Fatal("SHUTDOWN during the load did not stop the node")
	}
	if tw.logged("DB saved on disk") || tw.logged("Saving") {
		t.Error("SHUTDOWN during the load saved")
	}
	after, _ := tw.host.Disk().Read("dump.rdb")
	if string(after) != string(before) {
		t.Error("dump.rdb changed")
	}
}

// An AOF is served every 1024 commands: a node restarted with 10,000
// writes in its AOF answers -LOADING meanwhile.
func TestLoadingAOF(t *testing.T) {
	cfg := loadingConfig()
	cfg.AppendOnly = true
	cfg.AutoAOFRewritePercentage = 0
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	const n = 10000
	for i := 0; i < n; i++ {
		c.send("SET", "k"+strconv.Itoa(i), strings.Repeat("v", 100))
	}
	if got := c.wait(n); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	tw.w.RunFor(2 * time.Second) // everysec fsync
	tw.restartLoading()
	c = tw.dial()
	mustReply(t, c, "-LOADING Redis is loading the dataset in memory\r\n", "GET", "k1")
	for tw.server().loading {
		tw.w.RunFor(time.Millisecond)
	}
	if got := c.do("GET", "k9999"); got != "$100\r\n"+strings.Repeat("v", 100)+"\r\n" {
		t.Fatalf("GET after the load: %.40q", got)
	}
	if !tw.logged("DB loaded from append only file: 0.0") {
		t.Error("no 'DB loaded from append only file' with the modelled seconds")
	}
}

// A replica whose load lasts longer than repl-timeout keeps its link: it
// sends its master a newline at every point of the load (once a second at
// most), which the master takes as an ACK's time, and its own timeout
// does not run while it loads.
func TestLoadingReplicaOutlastsReplTimeout(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		cfg := loadingConfig()
		cfg.Save = nil
		cfg.ReplTimeoutSeconds = 5
		cfg.ReplPingReplicaPeriod = 1
		cfg.LoadRDBBytesPerSecond = 1_000_000 // 12 MB: 12 s, 2 s between points
		return cfg
	})
	rw.w.RunFor(10 * time.Millisecond)
	m := rw.nodes[0].dial()
	mustReply(t, m, "+OK\r\n", "DEBUG", "POPULATE", "1200", "key", "10000")
	r := rw.nodes[1].dial()
	mustReply(t, r, "+OK\r\n", "REPLICAOF", "m", "6379")
	rep := rw.nodes[1].server()
	for i := 0; i < 10000 && !rep.loading; i++ {
		rw.w.RunFor(time.Millisecond)
	}
	began := rw.w.Now().Duration()
	for rep.loading {
		rw.w.RunFor(10 * time.Millisecond)
	}
	if took := rw.w.Now().Duration() - began; took < 10*time.Second {
		t.Fatalf("the load took %v, want over twice repl-timeout", took)
	}
	rw.w.RunFor(3 * time.Second)
	if rw.nodes[0].logged("Disconnecting timedout replica") || rw.nodes[1].logged("MASTER timeout") {
		t.Fatal("the link timed out during the replica's load")
	}
	if got := rw.info(r, "master_link_status"); got != "up" {
		t.Fatalf("master_link_status:%s after the load", got)
	}
	if n := rep.repl.fullSyncs; n != 1 {
		t.Fatalf("%d full resyncs, want 1", n)
	}
}

// A node paused (SIGSTOP) in the middle of its load goes on loading where
// it stopped once resumed: the load lasts its modelled time plus the
// pause, less at most the one step (2 MB, 12 ms) whose timer came due
// during the pause and fired at once on resume.
func TestLoadingPausedResumesWhereItStopped(t *testing.T) {
	tw := newTestWorld(t, loadingConfig())
	c := tw.dial()
	populate(t, c, 2000, 10000)
	size, _ := tw.host.Disk().Size("dump.rdb")
	tw.restartLoading()
	start := tw.w.Now().Duration() - time.Millisecond
	tw.w.RunFor(50 * time.Millisecond)
	tw.node.Pause()
	tw.w.RunFor(time.Second)
	tw.node.Resume()
	for tw.server().loading {
		tw.w.RunFor(100 * time.Microsecond)
	}
	took := tw.w.Now().Duration() - start
	want := time.Second + DefaultLoadStartCost + time.Duration(size)*time.Second/DefaultLoadRDBBytesPerSecond
	step := time.Duration(2<<20) * time.Second / DefaultLoadRDBBytesPerSecond
	if took < want-step || took > want+time.Millisecond {
		t.Errorf("the load with a 1 s pause took %v of virtual time, want %v", took, want)
	}
}

// A replica that connects to its master while the master loads gets
// -LOADING to its handshake's PING, gives up that attempt as Redis's
// syncWithMaster does, and syncs once the master has loaded.
func TestLoadingMasterRefusesHandshake(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		cfg := loadingConfig()
		if i == 0 {
			cfg.LoadRDBBytesPerSecond = 5_000_000 // 20 MB: 4 s
		} else {
			cfg.Save = nil
			cfg.ReplicaOf = "m:6379"
		}
		return cfg
	})
	rw.w.RunFor(10 * time.Millisecond)
	m := rw.nodes[0].dial()
	populate(t, m, 2000, 10000)
	rw.w.RunFor(2 * time.Second)
	rw.nodes[0].restartLoading()
	master := rw.nodes[0].server()
	for i := 0; i < 10000 && master.loading; i++ {
		rw.w.RunFor(time.Millisecond)
	}
	if !rw.nodes[1].logged("error reply to PING from master: 'LOADING Redis is loading the dataset in memory'") {
		t.Fatal("the replica's handshake did not meet -LOADING")
	}
	rw.w.RunFor(8 * time.Second) // repl-diskless-sync-delay, then the sync
	r := rw.nodes[1].dial()
	if got := rw.info(r, "master_link_status"); got != "up" {
		t.Fatalf("master_link_status:%s after the master's load", got)
	}
	if got, want := r.do("DEBUG", "DIGEST"), rw.nodes[0].dial().do("DEBUG", "DIGEST"); got != want {
		t.Fatalf("replica digest %q, master %q", got, want)
	}
}
