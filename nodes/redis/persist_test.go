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

// A torn last command is dropped with a warning when aof-load-truncated is
// on (Redis's default), and the node refuses to start when it is off.
func TestTruncatedAOF(t *testing.T) {
	for _, allow := range []bool{true, false} {
		cfg := aofConfig("always")
		cfg.AOFLoadTruncated = allow
		tw := newTestWorld(t, cfg)
		c := tw.dial()
		c.do("SET", "a", "1")
		tw.node.Kill()
		disk := tw.host.Disk()
		if err := appendRaw(tw, disk, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhel"); err != nil {
			t.Fatal(err)
		}
		tw.node.Start()
		tw.w.RunFor(10 * time.Millisecond)
		if !tw.logged("short read while loading the AOF file appendonly.aof") && allow {
			t.Fatalf("allow=%v: no warning logged", allow)
		}
		if allow {
			if !tw.logged("AOF appendonly.aof loaded anyway because aof-load-truncated is enabled") {
				t.Fatal("no 'loaded anyway' line")
			}
			c := tw.dial()
			if got := c.do("GET", "a"); got != "$1\r\n1\r\n" {
				t.Fatalf("a = %q", got)
			}
			if got := c.do("EXISTS", "b"); got != ":0\r\n" {
				t.Fatalf("b exists: %q", got)
			}
			continue
		}
		if tw.node.State() != sim.Down {
			t.Fatalf("node started with a truncated AOF and aof-load-truncated no")
		}
		if !tw.logged("Unexpected end of file reading the append only file appendonly.aof") {
			t.Fatal("no refusal logged")
		}
	}
}

func appendRaw(tw *testWorld, d *sim.SimDisk, s string) error {
	return d.Append("appendonly.aof", []byte(s))
}

// A corrupt AOF or RDB file stops the node with a log line naming it.
func TestCorruptFilesRefuseToStart(t *testing.T) {
	tw := newTestWorld(t, aofConfig("always"))
	c := tw.dial()
	c.do("SET", "a", "1")
	tw.node.Kill()
	if err := appendRaw(tw, tw.host.Disk(), "garbage\r\n"); err != nil {
		t.Fatal(err)
	}
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Bad file format reading the append only file appendonly.aof") {
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

// BGREWRITEAOF compacts the file and keeps writes made during the rewrite.
func TestRewriteAOF(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	c := tw.dial()
	for i := 0; i < 50; i++ {
		c.do("INCR", "n")
	}
	before, _ := tw.host.Disk().Size("appendonly.aof")
	c.send("BGREWRITEAOF")
	c.send("INCR", "n")
	tw.w.RunFor(time.Second)
	after, _ := tw.host.Disk().Size("appendonly.aof")
	if after >= before {
		t.Fatalf("rewrite did not shrink the AOF: %d -> %d bytes", before, after)
	}
	tw.w.RunFor(2 * time.Second)
	tw.crashAndRestart()
	if got := tw.dial().do("GET", "n"); got != "$2\r\n51\r\n" {
		t.Fatalf("n after rewrite and crash = %q", got)
	}
}

// Redis 7.0 creates its AOF at startup when appendonly is yes
// (aofOpenIfNeededOnServerStart), so a node that stays idle past its first
// everysec fsync still takes writes, and a restart opens the same file.
func TestAOFCreatedAtStartup(t *testing.T) {
	tw := newTestWorld(t, aofConfig("everysec"))
	if _, err := tw.host.Disk().Size("appendonly.aof"); err != nil {
		t.Fatalf("no AOF after startup: %v", err)
	}
	if !tw.logged("Creating AOF incr file appendonly.aof on server start") {
		t.Error("the creation of the AOF is not logged")
	}
	tw.w.RunFor(2 * time.Second)
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:ok") {
		t.Fatalf("after an idle second: %q", got)
	}
	tw.w.RunFor(2 * time.Second)
	tw.crashAndRestart()
	if !tw.logged("Opening AOF incr file appendonly.aof on server start") {
		t.Error("the restart does not open the existing AOF")
	}
	mustReply(t, tw.dial(), "$1\r\n1\r\n", "GET", "a")
}

// CONFIG SET appendonly yes appends to a file that only the first rewrite
// renames into place; an everysec fsync that finds no file there is no
// failure (Redis fsyncs a descriptor, which cannot be missing) and must
// not turn writes away.
func TestAOFFsyncOfMissingFileIsNoError(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Save = nil
	tw := newTestWorld(t, cfg)
	tw.host.Disk().SlowSyncs(3 * time.Second) // the rewrite's fsync
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	tw.w.RunFor(1500 * time.Millisecond)
	if _, err := tw.host.Disk().Size("appendonly.aof"); err == nil {
		t.Fatal("the AOF exists before the rewrite has finished: the test needs it missing")
	}
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	if got := c.do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:ok") {
		t.Fatalf("after an fsync of the missing AOF: %q", got)
	}
}
