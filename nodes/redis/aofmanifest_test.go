package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// The manifest is written as Redis writes it (base, history, incr) and
// read back the same; a name that needs quoting is quoted as sdscatrepr
// quotes it, and sdssplitargs reads it back.
func TestManifestFormatAndParse(t *testing.T) {
	m := &aofManifest{}
	m.newBase("appendonly.aof", true)
	m.newIncr("appendonly.aof")
	m.newIncr("appendonly.aof")
	m.newBase("appendonly.aof", true)
	m.markIncrsHistory(true)
	// The incr files turned history go before the old base, as
	// backgroundRewriteDoneHandler marks them after it.
	want := "file appendonly.aof.2.base.rdb seq 2 type b\n" +
		"file appendonly.aof.1.incr.aof seq 1 type h\n" +
		"file appendonly.aof.1.base.rdb seq 1 type h\n" +
		"file appendonly.aof.2.incr.aof seq 2 type i\n"
	if got := string(m.format()); got != want {
		t.Fatalf("format:\n%s\nwant:\n%s", got, want)
	}
	back, err := parseManifest(m.format())
	if err != nil || string(back.format()) != want || back.baseSeq != 2 || back.incrSeq != 2 {
		t.Fatalf("parse(format) = %v, %v", back, err)
	}
	q := &aofManifest{base: &aofInfo{name: "my aof\t\"x\".1.base.rdb", seq: 1, kind: aofTypeBase}}
	if got := string(q.format()); got != `file "my aof\t\"x\".1.base.rdb" seq 1 type b`+"\n" {
		t.Fatalf("quoted name: %q", got)
	}
	back, err = parseManifest(q.format())
	if err != nil || back.base.name != q.base.name {
		t.Fatalf("quoted name read back as %v, %v", back, err)
	}
	// Comments, case-insensitive keys, extra pairs and a history file
	// between incr files are all accepted.
	back, err = parseManifest([]byte("# hi\nFILE a.1.incr.aof SEQ 1 TYPE i extra x\nfile h seq 9 type h\nfile a.2.incr.aof seq 2 type i\n"))
	if err != nil || len(back.incrs) != 2 || len(back.history) != 1 || back.incrSeq != 2 {
		t.Fatalf("lenient manifest: %v, %v", back, err)
	}
}

// Every way the manifest parser refuses a file, with the line it shows.
func TestManifestErrors(t *testing.T) {
	long := "file " + strings.Repeat("x", 1100) + " seq 1 type b\n"
	for _, tc := range []struct{ in, msg, line string }{
		{"", "Found an empty AOF manifest", ""},
		{"file a seq 1 type b", "The AOF manifest file contains too long line", ""},
		{long, "The AOF manifest file contains too long line", ""},
		{"\n", "Invalid AOF manifest file format", "1"},
		{"file a seq 1 type\n", "Invalid AOF manifest file format", "1"},
		{"file a seq 1 type b x\n", "Invalid AOF manifest file format", "1"},
		{"file \"a seq 1 type b\n", "Invalid AOF manifest file format", "1"},
		{"file a seq 0 type b\n", "Invalid AOF manifest file format", "1"},
		{"file a seq x type b\n", "Invalid AOF manifest file format", "1"},
		{"file a seq 1 type \"\"\n", "Invalid AOF manifest file format", "1"},
		{"name a seq 1 type b\n", "Invalid AOF manifest file format", "1"},
		{"file dir/a seq 1 type b\n", "File can't be a path, just a filename", "1"},
		{"file a\\b seq 1 type b\n", "File can't be a path, just a filename", "1"},
		{"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information", "2"},
		{"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number", "2"},
		{"file a seq 1 type x\n", "Unknown AOF file type", "1"},
	} {
		_, err := parseManifest([]byte(tc.in))
		e, ok := err.(*manifestError)
		if !ok || e.msg != tc.msg {
			t.Errorf("%.40q: %v, want %q", tc.in, err, tc.msg)
			continue
		}
		if got := ""; e.showing {
			got = itoa(int64(e.line))
			if got != tc.line {
				t.Errorf("%.40q: at line %s, want %q", tc.in, got, tc.line)
			}
		} else if tc.line != "" {
			t.Errorf("%.40q: no line shown, want line %s", tc.in, tc.line)
		}
	}
	// Quirks kept: an empty name passes, and a negative seq is not 0.
	if m, err := parseManifest([]byte("file \"\" seq -3 type b\n")); err != nil || m.base.name != "" || m.base.seq != -3 {
		t.Errorf("file \"\" seq -3: %v, %v", m, err)
	}
}

// A bad manifest stops the node at boot with Redis's log lines, even with
// appendonly no (Redis reads the manifest at every boot); a manifest that
// names a missing file stops it too.
func TestBadManifestRefusesToStart(t *testing.T) {
	for _, aof := range []bool{true, false} {
		cfg := aofConfig("always")
		cfg.AppendOnly = aof
		tw := newTestWorld(t, cfg)
		tw.node.Kill()
		if err := tw.host.Disk().Write("appendonlydir/appendonly.aof.manifest", []byte("file a seq 1 type z\n")); err != nil {
			t.Fatal(err)
		}
		tw.node.Start()
		tw.w.RunFor(10 * time.Millisecond)
		if tw.node.State() != sim.Down {
			t.Fatalf("appendonly %v: the node started with a bad manifest", aof)
		}
		for _, line := range []string{"*** FATAL AOF MANIFEST FILE ERROR ***", "Reading the manifest file, at line 1", ">>> 'file a seq 1 type z'", "Unknown AOF file type"} {
			if !tw.logged(line) {
				t.Errorf("appendonly %v: no log line %q", aof, line)
			}
		}
	}

	tw := newTestWorld(t, aofConfig("always"))
	tw.w.RunFor(10 * time.Millisecond)
	tw.node.Kill()
	if err := tw.host.Disk().Remove("appendonlydir/appendonly.aof.1.base.rdb"); err != nil {
		t.Fatal(err)
	}
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Unable to obtain the AOF file appendonly.aof.1.base.rdb length. stat:") {
		t.Fatalf("state %v: the node started without the base its manifest names", tw.node.State())
	}
}

// An appendonly.aof of Redis before 7.0, commands or an RDB preamble and
// its tail, is moved into the directory under a manifest naming it as
// the base, loaded, and a new incr file takes the writes.
func TestAOFUpgradeFromSingleFile(t *testing.T) {
	for _, preamble := range []bool{false, true} {
		tw := newTestWorld(t, DefaultConfig())
		c := tw.dial()
		mustReply(t, c, "+OK\r\n", "SET", "a", "1")
		var old []byte
		if preamble {
			old = tw.server().snapshot()
		}
		old = append(old, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"...)
		tw.node.Kill()
		disk := tw.host.Disk()
		if err := disk.Write("appendonly.aof", old); err != nil {
			t.Fatal(err)
		}
		cfg := aofConfig("always")
		p, err := tw.host.Spawn("redis-aof", Program(cfg))
		if err != nil {
			t.Fatal(err)
		}
		p.Start()
		tw.node, tw.cfg = p, cfg
		tw.w.RunFor(10 * time.Millisecond)
		want := "*2\r\n$-1\r\n$1\r\n2\r\n"
		if preamble {
			want = "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
		}
		c = tw.dial()
		mustReply(t, c, want, "MGET", "a", "b")
		if !tw.logged("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).") {
			t.Errorf("preamble %v: the migration is not logged", preamble)
		}
		if preamble && !tw.logged("Reading RDB preamble from AOF file...") {
			t.Error("the preamble is not logged")
		}
		if _, err := disk.Size("appendonly.aof"); err == nil {
			t.Error("the old file is still outside the directory")
		}
		if got, want := string(aofManifestOf(t, disk).format()), "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"; got != want {
			t.Fatalf("manifest %q, want %q", got, want)
		}
		mustReply(t, c, "+OK\r\n", "SET", "c", "3")
		tw.crashAndRestart()
		mustReply(t, tw.dial(), "$1\r\n3\r\n", "GET", "c")
	}
}
