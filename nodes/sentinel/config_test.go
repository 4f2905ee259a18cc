package sentinel

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// bootOnly starts a sentinel whose file is text and returns it (nil if it
// refused to start) with the log lines of the world.
func bootOnly(t *testing.T, text string) (*Sentinel, *sim.World, *sim.Host) {
	t.Helper()
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	w.Trace().Keep(sim.LevelInfo)
	h, _ := w.AddHost("s1", sim.HostConfig{})
	if text != "" {
		_ = h.Disk().Write(DefaultConfigFile, []byte(text))
	}
	p, _ := h.Spawn("sentinel", Program(Options{}))
	p.Start()
	w.RunFor(10 * time.Millisecond)
	if n := p.Node(); n != nil {
		return n.(*Sentinel), w, h
	}
	return nil, w, h
}

func logs(w *sim.World) string {
	var b strings.Builder
	for _, ev := range w.Trace().Events {
		if ev.Kind == sim.KindLog {
			b.WriteString(ev.Text + "\n")
		}
	}
	return b.String()
}

// TestConfigErrors: files redis-sentinel 7.0.15 refuses, with its texts.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"sentinel monitor m2 127.0.0.1 6393 2\nfoo bar\n", "at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"},
		{"sentinel monitor m2 127.0.0.1 6393 2\nsentinel down-after-milliseconds m3 10\n", "at line 2\n>>> 'sentinel down-after-milliseconds m3 10'\nNo such master with specified name."},
		{"sentinel monitor m2 127.0.0.1 6393 2\nsentinel \"unbalanced\n", "at line 2\n>>> 'sentinel \"unbalanced'\nUnbalanced quotes in configuration line"},
		{"port abc\n", "at line 1\n>>> 'port abc'\nargument couldn't be parsed into an integer"},
		{"timeout -1\n", "at line 1\n>>> 'timeout -1'\nargument must be between 0 and 2147483647 inclusive"},
		{"timeout x\n", "at line 1\n>>> 'timeout x'\nargument couldn't be parsed into an integer"},
		{"maxclients 007\n", "at line 1\n>>> 'maxclients 007'\nargument couldn't be parsed into an integer"},
		{"maxclients 0\n", "at line 1\n>>> 'maxclients 0'\nargument must be between 1 and 4294967295 inclusive"},
		{"maxclients -1\n", "at line 1\n>>> 'maxclients -1'\nargument must be between 1 and 4294967295 inclusive"},
		{"maxclients 4294967296\n", "at line 1\n>>> 'maxclients 4294967296'\nargument must be between 1 and 4294967295 inclusive"},
		{"sentinel monitor m 1.2.3.4 5 0\n", "Quorum must be 1 or greater."},
		{"sentinel monitor m 1.2.3.4 5 1\nsentinel monitor m 1.2.3.5 5 1\n", "at line 2\n>>> 'sentinel monitor m 1.2.3.5 5 1'\nDuplicate master name."},
		{"sentinel monitor m 1.2.3.4 70000 1\n", "Invalid port number."},
		{"sentinel myid abc\n", "Malformed Sentinel id in myid option."},
		{"sentinel monitor m 1.2.3.4 5 1\nsentinel known-replica m 1.2.3.5 6\nsentinel known-replica m 1.2.3.5 6\n", "at line 3\n>>> 'sentinel known-replica m 1.2.3.5 6'\nDuplicate hostname and port for replica."},
		{"sentinel monitor m 1.2.3.4 5 1\nsentinel down-after-milliseconds m 0\n", "negative or zero time parameter."},
		{"sentinel monitor m 1.2.3.4 5 1\nsentinel bogus m 1\n", "Unrecognized sentinel configuration statement."},
		{"sentinel monitor m 1.2.3.4 5 1\nsentinel notification-script m /bin/true\n", "Notification script seems non existing or non executable."},
		{"sentinel resolve-hostnames maybe\n", "Please specify yes or no for the resolve-hostnames option."},
		// The sentinel lines load after the whole file: a master named
		// after its options is fine, and errors come in queue order.
		{"sentinel down-after-milliseconds m 1000\nsentinel monitor m 1.2.3.4 5 1\nsentinel myid x\n", "at line 3\n>>> 'sentinel myid x'\nMalformed Sentinel id in myid option."},
	} {
		s, w, _ := bootOnly(t, tc.text)
		if s != nil {
			t.Errorf("%q: started", tc.text)
			continue
		}
		l := logs(w)
		if !strings.Contains(l, "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, ") || !strings.Contains(l, tc.want+"\n") {
			t.Errorf("%q: log\n%s\nwant %q", tc.text, l, tc.want)
		}
	}
	s, w, _ := bootOnly(t, "")
	if s != nil || !strings.Contains(logs(w), "Fatal error, can't open config file 'sentinel.conf': No such file or directory") {
		t.Errorf("no file: %v\n%s", s != nil, logs(w))
	}
	s, _, _ = bootOnly(t, "sentinel down-after-milliseconds m 1000\nsentinel monitor m 1.2.3.4 5 1\n")
	if s == nil || s.masters[0].downAfter != 1000 {
		t.Error("an option before its monitor line was refused")
	}
}

// TestConfigRewrite: the rewrite of a file as a real redis-sentinel
// 7.0.15 rewrote it after SENTINEL FLUSHCONFIG: lines kept in place,
// defaults blanked, blank runs merged, the rest after the signature. Two
// differences: Redis lists the replicas in its dict's order (here
// 10.0.0.3 came first) and writes a dir line with its working directory,
// which a simulated disk does not have.
func TestConfigRewrite(t *testing.T) {
	in := "# my config\nport 26394\n\nsentinel myid 0123456789012345678901234567890123456789\nsentinel monitor mymaster 10.0.0.1 6379 2\n" +
		"sentinel known-replica mymaster 10.0.0.2 6379\nsentinel known-replica mymaster 10.0.0.3 6379\nsentinel config-epoch mymaster 3\n\n\n" +
		"sentinel current-epoch 5\nsentinel known-sentinel mymaster 10.0.0.4 26379 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" +
		"sentinel parallel-syncs mymaster 1\nsentinel leader-epoch mymaster 2\nsentinel down-after-milliseconds mymaster 30000\n"
	want := "# my config\nport 26394\n\nsentinel myid 0123456789012345678901234567890123456789\nsentinel monitor mymaster 10.0.0.1 6379 2\n" +
		"sentinel known-replica mymaster 10.0.0.2 6379\nsentinel known-replica mymaster 10.0.0.3 6379\nsentinel config-epoch mymaster 3\n\n" +
		"sentinel current-epoch 5\nsentinel known-sentinel mymaster 10.0.0.4 26379 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n\n" +
		"sentinel leader-epoch mymaster 2\n\n# Generated by CONFIG REWRITE\nprotected-mode no\nlatency-tracking-info-percentiles 50 99 99.9\n" +
		"user default on nopass ~* &* +@all\n"
	s, w, h := bootOnly(t, in)
	if s == nil {
		t.Fatal("did not start")
	}
	s.flushConfig(nil)
	w.RunFor(100 * time.Millisecond)
	got, _ := h.Disk().Read(DefaultConfigFile)
	if string(got) != want {
		t.Fatalf("rewrite:\n%s\nwant:\n%s", got, want)
	}
	// Rewritten again, the file's last empty "line" (after its final
	// newline) becomes a blank line at the end, as redis-sentinel's does
	// on a second FLUSHCONFIG; then it stays.
	for i := 0; i < 2; i++ {
		s.flushConfig(nil)
		w.RunFor(100 * time.Millisecond)
		if again, _ := h.Disk().Read(DefaultConfigFile); string(again) != want+"\n" {
			t.Fatalf("rewrite %d:\n%q", i+2, again)
		}
	}
	// No temporary file is left behind once the fsyncs are done.
	for _, name := range h.Disk().List() {
		if name != DefaultConfigFile {
			t.Errorf("left %s on the disk", name)
		}
	}
}

// TestConfigUsers: "user" lines take effect after requirepass, are
// rewritten with the users in name order (the first in the place of the
// file's first "user" line, the others appended), and survive a restart;
// a bad rule stops the sentinel with redis-sentinel 7.0.15's message.
// The hashes are SHA-256 of "x" and "foo", as redis-sentinel wrote them.
func TestConfigUsers(t *testing.T) {
	const bob = "user bob on #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 resetchannels -@all +ping"
	const def = "user default on #2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae ~* &* +@all"
	in := "port 26394\nrequirepass foo\nuser bob on >x +ping\nsentinel myid 0123456789012345678901234567890123456789\n" +
		"sentinel monitor mymaster 10.0.0.1 6379 2\n"
	s, w, h := bootOnly(t, in)
	if s == nil {
		t.Fatalf("did not start:\n%s", logs(w))
	}
	s.flushConfig(nil)
	w.RunFor(100 * time.Millisecond)
	got, _ := h.Disk().Read(DefaultConfigFile)
	lines := strings.Split(string(got), "\n")
	if len(lines) < 3 || lines[2] != bob {
		t.Errorf("bob's line is not the third:\n%s", got)
	}
	if i := strings.Index(string(got), "# Generated by CONFIG REWRITE\n"); i < 0 || !strings.Contains(string(got)[i:], "\n"+def+"\n") {
		t.Errorf("default's line is not in the generated part:\n%s", got)
	}
	// The rewritten file boots a sentinel with the same users.
	s2, w2, _ := bootOnly(t, string(got))
	if s2 == nil {
		t.Fatalf("the rewritten file did not start:\n%s", logs(w2))
	}
	for name, pass := range map[string]string{"bob": "x", "default": "foo"} {
		if u := s2.acl.User([]byte(name)); u == nil || !u.CheckPassword([]byte(pass)) {
			t.Errorf("after the restart, %s does not take %q", name, pass)
		}
	}
	if s2.acl.User([]byte("default")).CheckPassword(nil) {
		t.Error("the default user takes no password after the restart")
	}

	if s, w, _ := bootOnly(t, "port 26394\nuser bob on +nosuch\nsentinel monitor mymaster 10.0.0.1 6379 2\n"); s != nil {
		t.Error("a bad rule did not stop the sentinel")
	} else if want := "Error loading ACL rule '+nosuch' for the user named 'bob': Unknown command or category name in ACL"; !strings.Contains(logs(w), want) {
		t.Errorf("log:\n%s\nwant %q", logs(w), want)
	}
}

// TestAnnounceIPSetEmpty: SENTINEL CONFIG SET announce-ip "" leaves
// announce_ip an empty string rather than NULL, so the rewritten file
// keeps announce-ip "" (as redis-sentinel 7.0.15's does); the same value
// in the file leaves it unset, and the next rewrite drops the line.
func TestAnnounceIPSetEmpty(t *testing.T) {
	s, w, h := bootOnly(t, "port 26394\nsentinel monitor mymaster 10.0.0.1 6379 2\n")
	if s == nil {
		t.Fatalf("did not start:\n%s", logs(w))
	}
	c := &client{s: s, w: resp.NewWriter(2)}
	s.sentinelCommand(c, []string{"SENTINEL", "CONFIG", "SET", "announce-ip", ""})
	w.RunFor(100 * time.Millisecond)
	got, _ := h.Disk().Read(DefaultConfigFile)
	if !strings.Contains(string(got), "\nsentinel announce-ip \"\"\n") {
		t.Fatalf("no announce-ip \"\" line:\n%s", got)
	}
	s2, w2, h2 := bootOnly(t, string(got))
	if s2 == nil {
		t.Fatalf("the rewritten file did not start:\n%s", logs(w2))
	}
	s2.flushConfig(nil)
	w2.RunFor(100 * time.Millisecond)
	if again, _ := h2.Disk().Read(DefaultConfigFile); strings.Contains(string(again), "announce-ip") {
		t.Fatalf("announce-ip kept after a restart:\n%s", again)
	}
}

// TestMaxClients: a file's maxclients bounds the clients, as in
// redis-sentinel 7.0.15 with "maxclients 2": the third connection reads
// "-ERR max number of clients reached" and is closed, INFO counts it in
// rejected_connections and not in total_connections_received, and a
// client that leaves makes room for the next. The sentinel's own links to
// the master are not clients.
func TestMaxClients(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1, extra: "maxclients 2\n"})
	tw.w.RunFor(5 * time.Second) // the links to the master and replica are up
	a, b := tw.dial("s1:26379"), tw.dial("s1:26379")
	if got := a.do("PING").String(); got != "PONG" {
		t.Fatalf("first client: PING -> %s", got)
	}
	if got := b.do("PING").String(); got != "PONG" {
		t.Fatalf("second client: PING -> %s", got)
	}
	c := tw.dial("s1:26379")
	tw.w.RunFor(100 * time.Millisecond)
	if len(c.replies) != 1 || c.replies[0].String() != "(error) ERR max number of clients reached" || !c.closed {
		t.Fatalf("third client: replies %v, closed %v; want the maxclients error and a close", c.replies, c.closed)
	}
	info := string(a.do("INFO").Str)
	for _, f := range []string{"\r\nconnected_clients:2\r\n", "\r\nmaxclients:2\r\n", "\r\ntotal_connections_received:2\r\n", "\r\nrejected_connections:1\r\n"} {
		if !strings.Contains(info, f) {
			t.Errorf("INFO lacks %q", strings.TrimSpace(f))
		}
	}
	b.c.Close()
	tw.w.RunFor(100 * time.Millisecond)
	d := tw.dial("s1:26379")
	if got := d.do("CLIENT", "ID").String(); got != "(integer) 5" {
		t.Errorf("the client after one left: CLIENT ID -> %s, want 5 (the refused connection took no id)", got)
	}
}

// TestIdleTimeout: the file's timeout closes idle clients as clientsCron
// does, counting whole seconds of the cached clock (as redis-sentinel
// 7.0.15 does with "timeout 2": a client last heard at x.050 is closed in
// second x+3, not 2 s later), and leaves pub/sub clients alone. CLIENT
// LIST's idle counts the same seconds: a client heard at x.950 is idle=1
// at x+1.050.
func TestIdleTimeout(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1, extra: "timeout 2\n"})
	tw.w.RunFor(time.Second)
	s := tw.sentinel(0)
	runToMs := func(ms int64) {
		for s.mstime()%1000 != ms {
			tw.w.RunFor(time.Millisecond)
		}
	}
	a, b, p := tw.dial("s1:26379"), tw.dial("s1:26379"), tw.dial("s1:26379")
	p.do("SUBSCRIBE", "x")
	runToMs(50)
	b.do("CLIENT", "SETNAME", "b") // x.050
	runToMs(950)
	a.do("CLIENT", "SETNAME", "a") // x.950
	runToMs(50)
	c := tw.dial("s1:26379")
	list := string(c.do("CLIENT", "LIST").Str) // x+1.050
	for _, line := range strings.Split(list, "\n") {
		if (strings.Contains(line, " name=a ") || strings.Contains(line, " name=b ")) && !strings.Contains(line, " idle=1 ") {
			t.Errorf("CLIENT LIST at x+1.050, a heard at x.950 and b at x.050: %s", line)
		}
	}
	tw.w.RunFor(1850 * time.Millisecond) // x+2.900
	if a.closed || b.closed {
		t.Fatalf("closed before second x+3: a %v, b %v", a.closed, b.closed)
	}
	tw.w.RunFor(250 * time.Millisecond) // x+3.150
	if !a.closed || !b.closed || c.closed {
		t.Fatalf("at x+3.150: a closed %v, b %v (want both), c %v (want open: heard in second x+1)", a.closed, b.closed, c.closed)
	}
	tw.w.RunFor(10 * time.Second)
	if p.closed || !c.closed {
		t.Errorf("10 s later: the subscriber closed %v (want open), c closed %v (want closed)", p.closed, c.closed)
	}
}

// TestQueryBufferTrimmedUntilRead: a client idle for more than 2 s at a
// clientsCron visit loses its query buffer's free space, and a message
// pushed to it (a write) does not give it back; its next read does. As
// redis-sentinel 7.0.15 shows it: a subscriber idle 4 s, then sent
// +monitor, is idle=0 qbuf-free=0.
func TestQueryBufferTrimmedUntilRead(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1})
	tw.w.RunFor(time.Second)
	sub, a := tw.dial("s1:26379"), tw.dial("s1:26379")
	sub.do("SUBSCRIBE", "+monitor")
	tw.w.RunFor(4 * time.Second)
	a.do("SENTINEL", "MONITOR", "other", "r1", "6379", "1")
	tw.w.RunFor(10 * time.Millisecond)
	line := func() string {
		for _, l := range strings.Split(string(a.do("CLIENT", "LIST").Str), "\n") {
			if strings.Contains(l, " flags=P ") {
				return l
			}
		}
		t.Fatalf("no subscriber in CLIENT LIST: %s", a.do("CLIENT", "LIST").Str)
		return ""
	}
	if l := line(); len(sub.replies) != 2 || !strings.Contains(l, " idle=0 ") || !strings.Contains(l, " qbuf-free=0 ") {
		t.Errorf("after the push (%d messages): %s", len(sub.replies), l)
	}
	sub.do("PING")
	if l := line(); !strings.Contains(l, " qbuf-free=20474 ") {
		t.Errorf("after a read: %s", l)
	}
}

// TestRewriteNumericalOptions: maxclients and timeout lines are rewritten
// in their standard form, further lines for them blanked, as
// redis-sentinel 7.0.15 rewrites "MAXCLIENTS   500 / timeout 3 / Timeout 4
// / maxclients 10000" into "maxclients 10000 / timeout 4" and two blanks.
func TestRewriteNumericalOptions(t *testing.T) {
	s, _, h := bootOnly(t, "port 26379\nMAXCLIENTS   500\ntimeout 3\nTimeout 4\nmaxclients 10000\nsentinel monitor m 1.2.3.4 5 1\n")
	if s == nil {
		t.Fatal("did not start")
	}
	data, _ := h.Disk().Read(DefaultConfigFile)
	if !strings.HasPrefix(string(data), "port 26379\nmaxclients 10000\ntimeout 4\n\nsentinel monitor m 1.2.3.4 5 1\n") {
		t.Errorf("rewritten file:\n%s", data)
	}
}
