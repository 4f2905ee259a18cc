package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// writeUntil sets k0, k1, ... one at a time, each after the previous was
// acknowledged, until the world's clock reaches d; it returns how many were
// acknowledged and when each was.
func writeUntil(tw *testWorld, c *testConn, d time.Duration) (acked int, at []time.Duration) {
	for tw.w.Now().Duration() < d {
		if got := c.do("SET", "k"+itoa(int64(acked)), "v"); got != "+OK\r\n" {
			tw.t.Fatalf("SET: %q", got)
		}
		at = append(at, tw.w.Now().Duration())
		acked++
	}
	return acked, at
}

// survivors counts the keys k0..k(n-1) present after the restart.
func survivors(tw *testWorld, n int) (kept int, firstLost int) {
	c := tw.dial()
	firstLost = -1
	for i := 0; i < n; i++ {
		if c.do("EXISTS", "k"+itoa(int64(i))) == ":1\r\n" {
			kept++
		} else if firstLost < 0 {
			firstLost = i
		}
	}
	return kept, firstLost
}

func aofConfig(policy string) Config {
	cfg := DefaultConfig()
	cfg.AppendOnly = true
	cfg.AppendFsync = policy
	cfg.Save = nil
	return cfg
}

// With appendfsync always, a reply is sent only after its write was
// fsynced: every acknowledged write survives a power loss.
func TestCrashAppendfsyncAlways(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	acked, _ := writeUntil(tw, c, 2*time.Second)
	tw.crashAndRestart()
	kept, firstLost := survivors(tw, acked)
	t.Logf("always: %d acknowledged, %d survived", acked, kept)
	if kept != acked {
		t.Fatalf("always: %d of %d acknowledged writes survived (first lost k%d)", kept, acked, firstLost)
	}
}

// With everysec, a crash loses at most the writes of the last two
// seconds (the fsync runs every second and may take a while), and only a
// suffix of them.
func TestCrashAppendfsyncEverysec(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	c := tw.dial()
	acked, at := writeUntil(tw, c, 3500*time.Millisecond)
	crashAt := tw.w.Now().Duration()
	tw.crashAndRestart()
	kept, firstLost := survivors(tw, acked)
	if kept == acked || firstLost < 0 {
		t.Fatalf("everysec: all %d writes survived a crash 0.5 s after an fsync", acked)
	}
	t.Logf("everysec: %d acknowledged, %d survived, the first lost acknowledged %v before the crash", acked, kept, crashAt-at[firstLost])
	if firstLost != kept {
		t.Fatalf("everysec: lost writes are not a suffix: kept %d, first lost k%d", kept, firstLost)
	}
	if crashAt-at[firstLost] > 2*time.Second {
		t.Fatalf("everysec: lost a write acknowledged %v before the crash", crashAt-at[firstLost])
	}
}

// With appendfsync no, nothing asks for an fsync, and the simulated page
// cache is never written back on its own: a power loss loses every write
// since the file was last synced.
func TestCrashAppendfsyncNo(t *testing.T) {
	tw := newTestWorld(t, aofConfig("no"))
	c := tw.dial()
	acked, _ := writeUntil(tw, c, 2*time.Second)
	tw.crashAndRestart()
	if kept, _ := survivors(tw, acked); kept != 0 {
		t.Fatalf("no: %d of %d writes survived without any fsync", kept, acked)
	}
	// A kill -9 keeps the page cache: everything written survives.
	tw2 := newTestWorld(t, aofConfig("no"))
	c2 := tw2.dial()
	acked2, _ := writeUntil(tw2, c2, time.Second)
	tw2.node.Kill()
	tw2.node.Start()
	tw2.w.RunFor(10 * time.Millisecond)
	if kept, _ := survivors(tw2, acked2); kept != acked2 {
		t.Fatalf("no + kill -9: %d of %d survived", kept, acked2)
	}
}

// RDB: what the last completed BGSAVE holds survives; later writes do not.
func TestCrashAfterBgsave(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = nil
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	acked, _ := writeUntil(tw, c, 500*time.Millisecond)
	if got := c.do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", got)
	}
	tw.w.RunFor(100 * time.Millisecond)
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:0") {
		t.Fatalf("after BGSAVE: %q", got)
	}
	more := acked
	for i := 0; i < 10; i++ {
		c.do("SET", "k"+itoa(int64(more)), "v")
		more++
	}
	tw.crashAndRestart()
	kept, firstLost := survivors(tw, more)
	if kept != acked || firstLost != acked {
		t.Fatalf("kept %d (first lost k%d), want the %d saved", kept, firstLost, acked)
	}
}

// aofManifestOf parses the AOF manifest on d, failing the test if there is
// none or it is bad.
func aofManifestOf(t *testing.T, d *sim.SimDisk) *aofManifest {
	t.Helper()
	data, err := d.Read("appendonlydir/appendonly.aof.manifest")
	if err != nil {
		t.Fatalf("the AOF manifest: %v", err)
	}
	m, err := parseManifest(data)
	if err != nil {
		t.Fatalf("the AOF manifest %q: %v", data, err)
	}
	return m
}

// lastIncrPath is the file of the AOF's directory that takes the writes.
func lastIncrPath(t *testing.T, d *sim.SimDisk) string {
	t.Helper()
	m := aofManifestOf(t, d)
	if len(m.incrs) == 0 {
		t.Fatalf("the manifest names no incr file: %q", m.format())
	}
	return "appendonlydir/" + m.incrs[len(m.incrs)-1].name
}

// aofIncrData is the incr files' content in the manifest's order: the
// commands written since the base.
func aofIncrData(t *testing.T, d *sim.SimDisk) []byte {
	t.Helper()
	var all []byte
	for _, f := range aofManifestOf(t, d).incrs {
		data, err := d.Read("appendonlydir/" + f.name)
		if err != nil {
			t.Fatalf("incr file %s: %v", f.name, err)
		}
		all = append(all, data...)
	}
	return all
}

// A torn last command is dropped with Redis's warnings when
// aof-load-truncated is on (the default), and the node refuses to start
// when it is off.
func TestTruncatedAOF(t *testing.T) {
	for _, allow := range []bool{true, false} {
		cfg := aofConfig("always")
		cfg.AOFLoadTruncated = allow
		tw := newTestWorld(t, cfg)
		c := tw.dial()
		c.do("SET", "a", "1")
		tw.node.Kill()
		disk := tw.host.Disk()
		incr := lastIncrPath(t, disk)
		good, _ := disk.Size(incr)
		if err := disk.Append(incr, []byte("*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhel")); err != nil {
			t.Fatal(err)
		}
		tw.node.Start()
		tw.w.RunFor(10 * time.Millisecond)
		if allow {
			for _, line := range []string{
				"!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
				"!!! Truncating the AOF appendonly.aof.1.incr.aof at offset " + itoa(good) + " !!!",
				"AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled",
				"DB loaded from incr file appendonly.aof.1.incr.aof",
			} {
				if !tw.logged(line) {
					t.Errorf("allow: no log line %q", line)
				}
			}
			c := tw.dial()
			if got := c.do("GET", "a"); got != "$1\r\n1\r\n" {
				t.Fatalf("a = %q", got)
			}
			if got := c.do("EXISTS", "b"); got != ":0\r\n" {
				t.Fatalf("b exists: %q", got)
			}
			if n, _ := disk.Size(incr); n != good {
				t.Errorf("the incr file was cut to %d bytes, want %d", n, good)
			}
			continue
		}
		if tw.node.State() != sim.Down {
			t.Fatalf("node started with a truncated AOF and aof-load-truncated no")
		}
		if !tw.logged("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>.") {
			t.Fatal("no refusal logged")
		}
	}
}

// A truncated file that is not the last one is fatal whatever
// aof-load-truncated says: the files after it would replay on a gap.
func TestTruncatedAOFNotLastFile(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	mustReply(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	tw.node.Kill() // before the rewrite ends: incr files 1 and 2 are live
	disk := tw.host.Disk()
	if m := aofManifestOf(t, disk); len(m.incrs) != 2 {
		t.Fatalf("manifest %q, want two incr files", m.format())
	}
	if err := disk.Append("appendonlydir/appendonly.aof.1.incr.aof", []byte("*2\r\n$3\r\nDEL")); err != nil {
		t.Fatal(err)
	}
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Fatal error: the truncated file is not the last file") {
		t.Fatalf("state %v: a truncated middle file was accepted", tw.node.State())
	}
}

// A corrupt AOF or RDB file stops the node with a log line naming it.
func TestCorruptFilesRefuseToStart(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	c.do("SET", "a", "1")
	tw.node.Kill()
	disk := tw.host.Disk()
	if err := disk.Append(lastIncrPath(t, disk), []byte("garbage\r\n")); err != nil {
		t.Fatal(err)
	}
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>") {
		t.Fatalf("corrupt AOF: state %v", tw.node.State())
	}

	cfg := DefaultConfig()
	tw = newTestWorld(t, cfg)
	c = tw.dial()
	c.do("SET", "a", "1")
	c.do("SAVE")
	tw.node.Kill()
	data, _ := tw.host.Disk().Read("dump.rdb")
	data[len(data)/2] ^= 0xff
	if err := tw.host.Disk().Write("dump.rdb", data); err != nil {
		t.Fatal(err)
	}
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("dump.rdb") {
		t.Fatalf("corrupt RDB: state %v", tw.node.State())
	}
}

// aofTotal is the size of the files the manifest names for loading.
func aofTotal(t *testing.T, d *sim.SimDisk) int64 {
	t.Helper()
	m := aofManifestOf(t, d)
	var n int64
	for _, f := range append([]aofInfo{*m.base}, m.incrs...) {
		size, err := d.Size("appendonlydir/" + f.name)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		n += size
	}
	return n
}

// BGREWRITEAOF writes a new RDB base and switches to a new incr file that
// keeps the writes made during the rewrite; the manifest then names those
// two only, and the old ones are deleted.
func TestRewriteAOF(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	c := tw.dial()
	for i := 0; i < 50; i++ {
		c.do("INCR", "n")
	}
	disk := tw.host.Disk()
	before := aofTotal(t, disk)
	mustReply(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	mustReply(t, c, "-ERR Background append only file rewriting already in progress\r\n", "BGREWRITEAOF")
	mustReply(t, c, ":51\r\n", "INCR", "n")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_rewrite_in_progress:1") {
		t.Errorf("during the rewrite: %q", got)
	}
	tw.w.RunFor(time.Second)
	m := aofManifestOf(t, disk)
	if got, want := string(m.format()), "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"; got != want {
		t.Fatalf("manifest after the rewrite %q, want %q", got, want)
	}
	for _, gone := range []string{"appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof"} {
		if _, err := disk.Size("appendonlydir/" + gone); err == nil {
			t.Errorf("history file %s not deleted", gone)
		}
	}
	if after := aofTotal(t, disk); after >= before {
		t.Fatalf("rewrite did not shrink the AOF: %d -> %d bytes", before, after)
	}
	base, _ := disk.Size("appendonlydir/appendonly.aof.2.base.rdb")
	incr, _ := disk.Size("appendonlydir/appendonly.aof.2.incr.aof")
	info := c.do("INFO", "persistence")
	for _, f := range []string{
		"aof_rewrite_in_progress:0", "aof_rewrites:1", "aof_last_bgrewrite_status:ok",
		"aof_current_size:" + itoa(base+incr), "aof_base_size:" + itoa(base+incr),
	} {
		if !strings.Contains(info, f+"\r\n") {
			t.Errorf("INFO persistence lacks %s: %q", f, info)
		}
	}
	for _, line := range []string{
		"Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite",
		"Successfully renamed the temporary AOF base file temp-rewriteaof-bg-2.aof into appendonly.aof.2.base.rdb",
		"Removing the history file appendonly.aof.1.incr.aof in the background",
		"Removing the history file appendonly.aof.1.base.rdb in the background",
		"Background AOF rewrite finished successfully",
	} {
		if !tw.logged(line) {
			t.Errorf("no log line %q", line)
		}
	}
	tw.w.RunFor(2 * time.Second)
	tw.crashAndRestart()
	if got := tw.dial().do("GET", "n"); got != "$2\r\n51\r\n" {
		t.Fatalf("n after rewrite and crash = %q", got)
	}
	if !tw.logged("Reading RDB base file on AOF loading...") || !tw.logged("DB loaded from base file appendonly.aof.2.base.rdb") {
		t.Error("the restart did not load the RDB base")
	}
}

// Redis 7.0 creates its AOF at startup when appendonly is yes
// (aofOpenIfNeededOnServerStart): an empty RDB base, an incr file and the
// manifest naming them, so a node that stays idle past its first
// everysec fsync still takes writes, and a restart opens the same incr.
func TestAOFCreatedAtStartup(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	tw.w.RunFor(10 * time.Millisecond) // the boot's fsyncs
	disk := tw.host.Disk()
	if got, want := string(aofManifestOf(t, disk).format()), "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"; got != want {
		t.Fatalf("manifest %q, want %q", got, want)
	}
	base, err := disk.Durable("appendonlydir/appendonly.aof.1.base.rdb")
	if !err || !strings.HasPrefix(string(base), "REDIS0010") || !strings.Contains(string(base), "aof-base") {
		t.Fatalf("the base is not a durable RDB with aof-base: %q", base)
	}
	for _, line := range []string{
		"Creating AOF base file appendonly.aof.1.base.rdb on server start",
		"Creating AOF incr file appendonly.aof.1.incr.aof on server start",
	} {
		if !tw.logged(line) {
			t.Errorf("no log line %q", line)
		}
	}
	tw.w.RunFor(2 * time.Second)
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:ok") {
		t.Fatalf("after an idle second: %q", got)
	}
	tw.w.RunFor(2 * time.Second)
	tw.crashAndRestart()
	if !tw.logged("Opening AOF incr file appendonly.aof.1.incr.aof on server start") {
		t.Error("the restart does not open the existing incr file")
	}
	mustReply(t, tw.dial(), "$1\r\n1\r\n", "GET", "a")
}

// CONFIG SET appendonly yes appends to a temp incr file until its first
// rewrite is done, which renames it into the manifest; an everysec fsync
// meanwhile is no failure and must not turn writes away, and the writes
// made meanwhile survive a power loss after the switch.
func TestConfigSetAppendonlyYes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = nil
	tw := newTestWorld(t, cfg)
	disk := tw.host.Disk()
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "before", "1")
	disk.SlowSyncs(3 * time.Second) // the rewrite's fsync
	mustReply(t, c, "+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	tw.w.RunFor(1500 * time.Millisecond)
	if _, err := disk.Size("appendonlydir/temp-appendonly.aof.incr"); err != nil {
		t.Fatalf("no temp incr file while the first rewrite runs: %v", err)
	}
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:ok") || !strings.Contains(got, "aof_enabled:1") {
		t.Fatalf("while waiting for the rewrite: %q", got)
	}
	disk.SlowSyncs(0)
	tw.w.RunFor(5 * time.Second)
	if got, want := string(aofManifestOf(t, disk).format()), "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"; got != want {
		t.Fatalf("manifest %q, want %q", got, want)
	}
	if !strings.Contains(string(aofIncrData(t, disk)), "$1\r\na\r\n$1\r\n1") {
		t.Fatalf("the write made while waiting is not in the incr file: %q", aofIncrData(t, disk))
	}
	mustReply(t, c, "+OK\r\n", "SET", "b", "2")
	tw.w.RunFor(2 * time.Second)
	tw.host.Crash()
	tw.w.RunFor(10 * time.Millisecond)
	tw.cfg.AppendOnly = true
	p, err := tw.host.Spawn("redis2", Program(tw.cfg))
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	tw.node = p
	tw.w.RunFor(10 * time.Millisecond)
	mustReply(t, tw.dial(), "*3\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "before", "a", "b")
}

// CONFIG SET appendonly no stops the writes to the AOF; BGREWRITEAOF then
// still writes a base and a manifest naming only it, as Redis does.
func TestConfigSetAppendonlyNo(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	mustReply(t, c, "+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	disk := tw.host.Disk()
	incr := lastIncrPath(t, disk)
	size, _ := disk.Size(incr)
	mustReply(t, c, "+OK\r\n", "SET", "b", "2")
	tw.w.RunFor(10 * time.Millisecond)
	if n, _ := disk.Size(incr); n != size {
		t.Fatalf("the incr file grew from %d to %d bytes with appendonly no", size, n)
	}
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_enabled:0") || strings.Contains(got, "aof_current_size") {
		t.Errorf("INFO persistence with appendonly no: %q", got)
	}
	mustReply(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	tw.w.RunFor(time.Second)
	if got, want := string(aofManifestOf(t, disk).format()), "file appendonly.aof.2.base.rdb seq 2 type b\n"; got != want {
		t.Fatalf("manifest %q, want %q", got, want)
	}
	tw.node.Kill()
	tw.node.Start() // appendonly yes again: the base and a new incr
	tw.w.RunFor(10 * time.Millisecond)
	mustReply(t, tw.dial(), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "a", "b")
	// The incr sequence restarts at 1: a manifest without incr lines
	// does not remember it.
	if got, want := string(aofManifestOf(t, disk).format()), "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"; got != want {
		t.Fatalf("manifest after the restart %q, want %q", got, want)
	}
}

// rewriteUnderWrites runs a node with appendfsync always: ten keys, then
// BGREWRITEAOF while a client writes w0, w1, ... one after the other. At
// crashAt after the BGREWRITEAOF (or, with crashAt < 0, once the rewrite
// has finished) it stops and returns how many w's were acknowledged and
// how long after the BGREWRITEAOF the rewrite finished (0 if it had not).
func rewriteUnderWrites(t *testing.T, crashAt time.Duration) (tw *testWorld, acked int, took time.Duration) {
	cfg := aofConfig("always")
	cfg.Hz = 100
	tw = newTestWorld(t, cfg)
	c, admin := tw.dial(), tw.dial()
	for i := 0; i < 10; i++ {
		mustReply(t, c, "+OK\r\n", "SET", "k"+itoa(int64(i)), "v")
	}
	start := tw.w.Now().Duration()
	admin.send("BGREWRITEAOF")
	sent := 0
	for {
		now := tw.w.Now().Duration() - start
		if crashAt >= 0 && now >= crashAt {
			return tw, len(c.replies) - 10, 0
		}
		if crashAt < 0 && tw.logged("Background AOF rewrite finished successfully") {
			return tw, len(c.replies) - 10, now
		}
		if now > time.Second {
			t.Fatal("the rewrite did not finish within a second")
		}
		if len(c.replies)-10 == sent {
			c.send("SET", "w"+itoa(int64(sent)), "v")
			sent++
		}
		tw.w.RunFor(50 * time.Microsecond)
	}
}

// A crash at any point of a rewrite (between the new incr file and its
// manifest, while the child writes, between the rename of the new base
// and the manifest that names it, between that manifest and the deletion
// of the history) leaves a directory that loads every write acknowledged
// under appendfsync always: by power loss (only fsynced data survives)
// and by kill -9 (the page cache survives).
func TestRewriteCrashPoints(t *testing.T) {
	_, _, took := rewriteUnderWrites(t, -1)
	if took == 0 {
		t.Fatal("no rewrite in the reference run")
	}
	for _, power := range []bool{true, false} {
		for at := time.Duration(0); at <= took+time.Millisecond; at += 100 * time.Microsecond {
			tw, acked, _ := rewriteUnderWrites(t, at)
			if power {
				tw.host.Crash()
				tw.w.RunFor(10 * time.Millisecond)
			} else {
				tw.node.Kill()
			}
			tw.node.Start()
			tw.w.RunFor(20 * time.Millisecond)
			if tw.node.State() != sim.Running {
				t.Fatalf("power=%v crash %v into the rewrite: the node does not restart", power, at)
			}
			keys := []string{"EXISTS"}
			for i := 0; i < 10; i++ {
				keys = append(keys, "k"+itoa(int64(i)))
			}
			for i := 0; i < acked; i++ {
				keys = append(keys, "w"+itoa(int64(i)))
			}
			if got, want := tw.dial().do(keys...), ":"+itoa(int64(len(keys)-1))+"\r\n"; got != want {
				t.Fatalf("power=%v crash %v into the rewrite: EXISTS of the %d acknowledged keys = %q", power, at, len(keys)-1, got)
			}
		}
	}
}

// serverCron rewrites the AOF on its own once it is larger than
// auto-aof-rewrite-min-size and has grown by auto-aof-rewrite-percentage
// since the last rewrite: the AOF of a long run stays near twice its
// dataset instead of growing with every write. auto-aof-rewrite-percentage
// 0 turns it off.
func TestAutoRewriteAOF(t *testing.T) {
	// The same 10 keys overwritten: a rewritten AOF holds 10 SETs.
	run := func(percentage int) (*testWorld, *testConn) {
		cfg := aofConfig("everysec")
		cfg.AutoAOFRewriteMinSize, cfg.AutoAOFRewritePercentage = 4<<10, percentage
		tw := newTestWorld(t, cfg)
		c := tw.dial()
		for i := 0; i < 600; i++ {
			c.do("SET", "k"+itoa(int64(i%10)), strings.Repeat("v", 40)+itoa(int64(i)))
			if i == 40 {
				tw.w.RunFor(time.Second)
				if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_rewrites:0\r\n") {
					t.Fatalf("rewrote below auto-aof-rewrite-min-size: %q", got)
				}
			}
		}
		tw.w.RunFor(time.Second)
		return tw, c
	}
	off, c := run(0)
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_rewrites:0\r\n") {
		t.Fatalf("rewrote with auto-aof-rewrite-percentage 0: %q", got)
	}
	whole := aofTotal(t, off.host.Disk())
	tw, c := run(100)
	if !tw.logged("Starting automatic rewriting of AOF on") {
		t.Fatal("no automatic rewrite once the AOF passed auto-aof-rewrite-min-size")
	}
	info := c.do("INFO", "persistence")
	if strings.Contains(info, "aof_rewrites:0\r\n") || strings.Contains(info, "aof_rewrites:1\r\n") || !strings.Contains(info, "aof_last_bgrewrite_status:ok\r\n") {
		t.Fatalf("want two automatic rewrites or more, the last ok: %q", info)
	}
	if total := aofTotal(t, tw.host.Disk()); total > whole/2 {
		t.Fatalf("the AOF is %d bytes with automatic rewrites, %d without", total, whole)
	}
	last := strings.Repeat("v", 40) + "599"
	want := "$" + itoa(int64(len(last))) + "\r\n" + last + "\r\n"
	mustReply(t, c, want, "GET", "k9")
	tw.crashAndRestart()
	mustReply(t, tw.dial(), want, "GET", "k9")
}
