package redis

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// shutdownWorld is a master m and its replica r, in sync, with the
// replica then stopped (SIGSTOP) and one write it has not acknowledged.
func shutdownWorld(t *testing.T, tune func(cfg *Config)) (*replWorld, *testWorld) {
	t.Helper()
	rw := replTopology(t, []string{"m", "r"}, nil, tune)
	rw.w.RunFor(7 * time.Second)
	m := rw.node("m")
	c := m.dial()
	if got := rw.info(c, "slave0"); !strings.Contains(got, "state=online") {
		t.Fatalf("the replica is not online: %q", got)
	}
	rw.node("r").node.Pause()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	return rw, m
}

// logLines are the world's log lines that contain text.
func logLines(w *sim.World, text string) []string {
	var out []string
	for _, ev := range w.Trace().Events {
		if ev.Kind == sim.KindLog && strings.Contains(ev.Text, text) {
			out = append(out, ev.Text)
		}
	}
	return out
}

// TestShutdownWaitsForReplicas: SHUTDOWN on a master whose replica has not
// acknowledged its offset waits, as redis-server 7.0.15 does: the client
// is blocked, writes are held and reads served, INFO counts down
// shutdown_in_milliseconds, and SHUTDOWN ABORT cancels it (the waiting
// client is told the shutdown failed, the held write runs).
func TestShutdownWaitsForReplicas(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s, a, w := m.dial(), m.dial(), m.dial()
	s.conn.Write([]byte("SHUTDOWN\r\n")) // inline: see the end
	rw.w.RunFor(200 * time.Millisecond)
	if len(s.replies) != 0 || s.closed || m.node.State() == sim.Down {
		t.Fatalf("SHUTDOWN did not wait: replies %q, closed %v, node %v", s.replies, s.closed, m.node.State())
	}
	if info := a.do("INFO", "server"); !strings.Contains(info, "\r\nshutdown_in_milliseconds:98") {
		t.Errorf("INFO server during the wait lacks shutdown_in_milliseconds:98xx:\n%s", info)
	}
	w.send("SET", "b", "2")
	rw.w.RunFor(100 * time.Millisecond)
	if len(w.replies) != 0 {
		t.Errorf("a write ran during the wait: %q", w.replies)
	}
	mustReply(t, a, "$1\r\n1\r\n", "GET", "a")
	if list := a.do("CLIENT", "LIST"); strings.Count(list, " flags=b ") != 2 {
		t.Errorf("CLIENT LIST during the wait: want the SHUTDOWN and the SET flagged b:\n%s", list)
	}
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT")
	rw.w.RunFor(10 * time.Millisecond)
	if len(s.replies) != 1 || s.replies[0] != "-ERR Errors trying to SHUTDOWN. Check logs.\r\n" {
		t.Errorf("the SHUTDOWN client after ABORT read %q", s.replies)
	}
	if len(w.replies) != 1 || w.replies[0] != "+OK\r\n" {
		t.Errorf("the held write after ABORT: %q", w.replies)
	}
	mustReply(t, a, "-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")
	if n := len(logLines(rw.w, "Shutdown manually aborted.")); n != 1 {
		t.Errorf("%d 'Shutdown manually aborted.' lines, want 1", n)
	}
	if info := a.do("INFO", "server"); strings.Contains(info, "shutdown_in_milliseconds") {
		t.Error("INFO still shows shutdown_in_milliseconds after the abort")
	}
	// The cancelled reply is an error counted as Redis counts it: the
	// ABORT's call is a failed one (cmdstat_shutdown calls=2, failed=1).
	stats := a.do("INFO", "commandstats")
	if !strings.Contains(stats, "cmdstat_shutdown:calls=3,") || !strings.Contains(stats, ",rejected_calls=0,failed_calls=2\r\n") {
		t.Errorf("INFO commandstats after two ABORTs (one failing):\n%s", stats)
	}
	if errs := a.do("INFO", "errorstats"); !strings.Contains(errs, "errorstat_ERR:count=2") {
		t.Errorf("INFO errorstats: %s", errs)
	}
	// Redis has not reset the released client, whose SHUTDOWN was inline:
	// the next line it sends is read inline, whatever it is, as
	// redis-server 7.0.15 reads it; then the client is reset.
	s.send("PING")
	s.wait(4)
	want := []string{"-ERR unknown command '*1', with args beginning with: \r\n", "-ERR unknown command '$4', with args beginning with: \r\n", "+PONG\r\n"}
	if got := s.replies[1:]; strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("a multibulk PING from the client released from an inline SHUTDOWN: %q, want %q", got, want)
	}
	mustReply(t, s, "+PONG\r\n", "PING")
}

// TestShutdownTimeout: a replica that never catches up is waited for
// shutdown-timeout seconds, then reported as redis-server 7.0.15 reports
// it, and the master exits.
func TestShutdownTimeout(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s := m.dial()
	start := rw.w.Now().Duration()
	s.send("SHUTDOWN")
	for m.node.State() != sim.Down && rw.w.Now().Duration()-start < 15*time.Second {
		rw.w.RunFor(10 * time.Millisecond)
	}
	took := rw.w.Now().Duration() - start
	if m.node.State() != sim.Down || took < 10*time.Second || took > 10200*time.Millisecond {
		t.Fatalf("the master is %v %v after SHUTDOWN; want down after 10 s", m.node.State(), took)
	}
	for _, want := range []string{"User requested shutdown...", "Waiting for replicas before shutting down.",
		"Lagging replica r:6379 reported offset ", "0 of 1 replicas are in sync when shutting down.", "Redis is now ready to exit, bye bye..."} {
		if len(logLines(rw.w, want)) != 1 {
			t.Errorf("no log line %q", want)
		}
	}
	// 101 bytes, as in redis-server's log of the same story: SELECT, SET,
	// the GETACK the shutdown sent and one PING.
	if l := logLines(rw.w, "Lagging replica"); len(l) == 1 && !strings.HasSuffix(l[0], " offset 101 behind master, lag=10, state=online.") {
		t.Errorf("lagging replica line: %q", l[0])
	}
	if len(s.replies) != 0 || !s.closed {
		t.Errorf("the SHUTDOWN client: replies %q, closed %v; want no reply and a close", s.replies, s.closed)
	}
}

// TestShutdownReplicaCatchesUp: once the replica acknowledges the offset
// the master exits, at the next cron, without waiting out the timeout;
// the replica has everything the master acknowledged.
func TestShutdownReplicaCatchesUp(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s := m.dial()
	s.send("SHUTDOWN")
	rw.w.RunFor(2 * time.Second)
	if m.node.State() == sim.Down {
		t.Fatal("the master exited with its replica stopped")
	}
	rw.node("r").node.Resume()
	rw.w.RunFor(200 * time.Millisecond)
	if m.node.State() != sim.Down {
		t.Fatal("the master still runs 200 ms after its replica caught up")
	}
	if len(logLines(rw.w, "1 of 1 replicas are in sync when shutting down.")) != 1 || len(logLines(rw.w, "Lagging replica")) != 0 {
		t.Error("the log does not say the replica was in sync")
	}
	mustReply(t, rw.node("r").dial(), "$1\r\n1\r\n", "GET", "a")
}

// TestShutdownNowAndTimeoutZero: NOW, or shutdown-timeout 0, exits at
// once, the replica lagging.
func TestShutdownNowAndTimeoutZero(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		tune func(cfg *Config)
	}{
		{"NOW", []string{"SHUTDOWN", "NOW"}, nil},
		{"timeout 0", []string{"SHUTDOWN"}, func(cfg *Config) { cfg.ShutdownTimeout = 0 }},
	} {
		rw, m := shutdownWorld(t, tc.tune)
		m.dial().send(tc.args...)
		rw.w.RunFor(10 * time.Millisecond)
		if m.node.State() != sim.Down || len(logLines(rw.w, "0 of 1 replicas are in sync when shutting down.")) != 1 {
			t.Errorf("%s: the master is %v", tc.name, m.node.State())
		}
	}
}

// TestShutdownSaveFails: a final save that fails cancels the shutdown: the
// client is told, the node runs on; with FORCE it exits anyway.
func TestShutdownSaveFails(t *testing.T) {
	cfg := DefaultConfig()
	tw := newTestWorld(t, cfg)
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	tw.host.Disk().SetFull(true)
	// The failure is reported within SHUTDOWN's call: the command behind
	// it in the pipeline runs after it, and the statistics count one
	// failed SHUTDOWN, as redis-server 7.0.15 counts it.
	c.send("SHUTDOWN")
	c.send("ECHO", "x")
	c.wait(3)
	if got := c.replies[1:]; len(got) != 2 || got[0] != "-ERR Errors trying to SHUTDOWN. Check logs.\r\n" || got[1] != "$1\r\nx\r\n" {
		t.Fatalf("SHUTDOWN, ECHO x on a full disk: %q", got)
	}
	if tw.node.State() == sim.Down {
		t.Fatal("the node exited though its save failed")
	}
	if stats := c.do("INFO", "commandstats"); !regexp.MustCompile(`cmdstat_shutdown:calls=1,.*,failed_calls=1\r\n`).MatchString(stats) {
		t.Errorf("INFO commandstats:\n%s", stats)
	}
	if errs := c.do("INFO", "errorstats"); !strings.Contains(errs, "errorstat_ERR:count=1\r\n") {
		t.Errorf("INFO errorstats: %q", errs)
	}
	for _, want := range []string{"Saving the final RDB snapshot before exiting.", "Write error saving DB on disk(fflush): No space left on device", "Error trying to save the DB, can't exit.",
		"Errors trying to shut down the server. Check the logs for more information."} {
		if len(logLines(tw.w, want)) != 1 {
			t.Errorf("no log line %q", want)
		}
	}
	mustReply(t, c, "$1\r\n1\r\n", "GET", "a")
	mustReply(t, c, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN", "SAVE")
	c.send("SHUTDOWN", "FORCE")
	tw.w.RunFor(100 * time.Millisecond)
	if tw.node.State() != sim.Down || len(logLines(tw.w, "Error trying to save the DB. Exit anyway.")) != 1 {
		t.Errorf("SHUTDOWN FORCE: the node is %v", tw.node.State())
	}
}

// TestShutdownArgs: the argument combinations SHUTDOWN refuses.
func TestShutdownArgs(t *testing.T) {
	tw := newTestWorld(t, masterConfig())
	c := tw.dial()
	c.expect(`
SHUTDOWN ABORT NOW -> -ERR syntax error\r\n
SHUTDOWN NOW ABORT -> -ERR syntax error\r\n
SHUTDOWN SAVE NOSAVE -> -ERR syntax error\r\n
SHUTDOWN maybe -> -ERR syntax error\r\n
SHUTDOWN ABORT -> -ERR No shutdown in progress.\r\n
`)
}

// TestShutdownUnblock: CLIENT UNBLOCK ERROR frees the client waiting on
// SHUTDOWN, which runs on while the shutdown goes on waiting; CLIENT
// UNBLOCK with TIMEOUT panics the server (replyToBlockedClientTimedOut
// knows no BLOCKED_SHUTDOWN), as in redis-server 7.0.15.
func TestShutdownUnblock(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s, a := m.dial(), m.dial()
	id := strings.TrimSuffix(strings.TrimPrefix(s.do("CLIENT", "ID"), ":"), "\r\n")
	s.send("SHUTDOWN")
	rw.w.RunFor(100 * time.Millisecond)
	mustReply(t, a, ":1\r\n", "CLIENT", "UNBLOCK", id, "ERROR")
	rw.w.RunFor(10 * time.Millisecond)
	if len(s.replies) != 2 || s.replies[1] != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Fatalf("the unblocked client read %q", s.replies)
	}
	if info := a.do("INFO", "server"); !strings.Contains(info, "shutdown_in_milliseconds:") {
		t.Error("the shutdown stopped waiting")
	}
	stats := a.do("INFO", "commandstats")
	for _, want := range []string{"cmdstat_shutdown:calls=1,", "cmdstat_client|unblock:calls=1,"} {
		if i := strings.Index(stats, want); i < 0 || !strings.HasPrefix(stats[strings.Index(stats[i:], "failed_calls=")+i:], "failed_calls=1\r\n") {
			t.Errorf("INFO commandstats after CLIENT UNBLOCK ERROR: want %s... failed_calls=1:\n%s", want, stats)
		}
	}
	// Redis has not reset the released client: the next multibulk command
	// it sends trips processMultibulkBuffer's assertion.
	s.send("PING")
	rw.w.RunFor(10 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "==> networking.c:2295 'c->argc == 0' is not true")) != 1 {
		t.Fatalf("a multibulk command from the released SHUTDOWN client: the node is %v", m.node.State())
	}
}

// TestShutdownStaleBlockTimeout: a client whose last blocking command had
// a timeout keeps it (c->bpop.timeout is never cleared), and a SHUTDOWN
// that blocks files it in the timeout table: the time has passed, and
// replyToBlockedClientTimedOut panics on BLOCKED_SHUTDOWN, as
// redis-server 7.0.15 does.
func TestShutdownStaleBlockTimeout(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s := m.dial()
	mustReply(t, s, "*-1\r\n", "BLPOP", "nokey", "0.1")
	s.send("SHUTDOWN")
	rw.w.RunFor(10 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "Guru Meditation: Unknown btype in replyToBlockedClientTimedOut().")) != 1 {
		t.Errorf("SHUTDOWN after a timed BLPOP: the node is %v", m.node.State())
	}
}

// TestShutdownUnblockTimeout: CLIENT UNBLOCK with TIMEOUT of the client
// waiting on SHUTDOWN panics the server.
func TestShutdownUnblockTimeout(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s, a := m.dial(), m.dial()
	id := strings.TrimSuffix(strings.TrimPrefix(s.do("CLIENT", "ID"), ":"), "\r\n")
	s.send("SHUTDOWN")
	rw.w.RunFor(10 * time.Millisecond)
	a.send("CLIENT", "UNBLOCK", id)
	rw.w.RunFor(10 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "Guru Meditation: Unknown btype in replyToBlockedClientTimedOut().")) != 1 {
		t.Errorf("CLIENT UNBLOCK TIMEOUT of the SHUTDOWN client: the node is %v", m.node.State())
	}
}

// TestShutdownWaitsForNextAck: the ACK that answers the shutdown's
// REPLCONF GETACK does not count the GETACK itself (the replica's offset
// moves past a command only once it has run), so a master whose running
// replica has not acknowledged the last write exits at the cron after the
// replica's next once-a-second ACK. redis-server 7.0.15 in the same story
// exited 0.996 s after SHUTDOWN.
func TestShutdownWaitsForNextAck(t *testing.T) {
	rw := replTopology(t, []string{"m", "r"}, nil, nil)
	rw.w.RunFor(7 * time.Second)
	m := rw.node("m")
	c := m.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	c.send("SHUTDOWN")
	rw.w.RunFor(150 * time.Millisecond)
	if m.node.State() == sim.Down {
		t.Fatal("the master exited on the answer to its GETACK")
	}
	rw.w.RunFor(1100 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "1 of 1 replicas are in sync when shutting down.")) != 1 {
		t.Errorf("1.25 s after SHUTDOWN the master is %v", m.node.State())
	}
}

// TestTerminate: SIGTERM starts the same shutdown at the next cron: the
// node waits for its lagging replica, then exits; SHUTDOWN ABORT in
// between cancels it, as it cancels a SIGTERM not yet taken up.
func TestTerminate(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	a := m.dial()
	m.node.Terminate()
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT") // before the cron takes it up
	rw.w.RunFor(200 * time.Millisecond)
	if m.node.State() == sim.Down || len(logLines(rw.w, "User requested shutdown...")) != 0 {
		t.Fatal("an aborted SIGTERM started a shutdown")
	}
	m.node.Terminate()
	rw.w.RunFor(200 * time.Millisecond)
	if n := len(logLines(rw.w, "Waiting for replicas before shutting down.")); m.node.State() == sim.Down || n != 1 {
		t.Fatalf("SIGTERM: the node is %v, %d waits logged", m.node.State(), n)
	}
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT")
	m.node.Terminate()
	rw.w.RunFor(200 * time.Millisecond)
	rw.node("r").node.Resume()
	rw.w.RunFor(1500 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "Received SIGTERM scheduling shutdown...")) != 3 ||
		len(logLines(rw.w, "1 of 1 replicas are in sync when shutting down.")) != 1 {
		t.Errorf("SIGTERM with the replica caught up: the node is %v", m.node.State())
	}
}

// TestInterrupt: SIGINT starts the shutdown as SIGTERM does, with
// shutdown-on-sigint's flags; a SIGINT while a signal's shutdown waits
// gives up at once ("You insist"), without saving, and the node reports
// it (redis-server exits 1). After a SHUTDOWN ABORT a SIGINT starts over.
func TestInterrupt(t *testing.T) {
	rw, m := shutdownWorld(t, func(cfg *Config) { cfg.Save = []SavePoint{{Seconds: 3600, Changes: 1}} })
	a := m.dial()
	srv := m.server()
	if srv.Interrupt() {
		t.Fatal("the first SIGINT gave up")
	}
	// SIGINT reaches the node through its process from here on.
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT")
	m.node.Interrupt()
	rw.w.RunFor(200 * time.Millisecond)
	if n := len(logLines(rw.w, "Waiting for replicas before shutting down.")); m.node.State() == sim.Down || n != 1 {
		t.Fatalf("SIGINT: the node is %v, %d waits logged", m.node.State(), n)
	}
	m.node.Interrupt()
	if m.node.State() != sim.Down || len(logLines(rw.w, "You insist... exiting now.")) != 1 ||
		len(logLines(rw.w, "Received SIGINT scheduling shutdown...")) != 2 {
		t.Errorf("after the second SIGINT the node is %v", m.node.State())
	}
	if len(logLines(rw.w, "DB saved on disk")) != 0 {
		t.Error("the node saved before giving up")
	}

	// shutdown-on-sigint's flags, not shutdown-on-sigterm's: "now" does
	// not wait for the lagging replica.
	rw, m = shutdownWorld(t, func(cfg *Config) { cfg.ShutdownOnSigint = "now" })
	m.node.Interrupt()
	rw.w.RunFor(200 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "Waiting for replicas")) != 0 {
		t.Errorf("SIGINT with shutdown-on-sigint now: the node is %v", m.node.State())
	}
}

// TestTerminateSaves: SIGTERM with save points saves the final snapshot,
// fsynced, before the node exits; with shutdown-on-sigterm nosave it
// does not.
func TestTerminateSaves(t *testing.T) {
	for _, nosave := range []bool{false, true} {
		cfg := DefaultConfig()
		if nosave {
			cfg.ShutdownOnSigterm = "nosave"
		}
		tw := newTestWorld(t, cfg)
		mustReply(t, tw.dial(), "+OK\r\n", "SET", "a", "1")
		tw.node.Terminate()
		tw.w.RunFor(200 * time.Millisecond)
		if tw.node.State() != sim.Down {
			t.Fatalf("nosave %v: the node runs on", nosave)
		}
		tw.host.Crash() // only what was fsynced survives
		tw.node.Start()
		tw.w.RunFor(100 * time.Millisecond)
		want := "$1\r\n1\r\n"
		if nosave {
			want = "$-1\r\n"
		}
		mustReply(t, tw.dial(), want, "GET", "a")
	}
}

// TestTerminateWhileLoading: SIGTERM during a load exits at the load's
// next pause, without saving.
func TestTerminateWhileLoading(t *testing.T) {
	tw := newTestWorld(t, loadingConfig())
	populate(t, tw.dial(), 2000, 10000)
	before, _ := tw.host.Disk().Read("dump.rdb")
	tw.restartLoading()
	tw.node.Terminate()
	tw.w.RunFor(50 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Received shutdown signal during loading, scheduling shutdown.") {
		t.Fatalf("the node is %v 50 ms after SIGTERM during its load", tw.node.State())
	}
	if tw.logged("DB loaded from disk") || tw.logged("DB saved on disk") {
		t.Error("the load finished, or the node saved")
	}
	after, _ := tw.host.Disk().Read("dump.rdb")
	if string(after) != string(before) {
		t.Error("dump.rdb changed")
	}
}

// TestShutdownFsyncsAOF: with the AOF on and appendfsync no, SHUTDOWN
// writes and fsyncs the AOF before the node exits, so a power loss right
// after loses nothing.
func TestShutdownFsyncsAOF(t *testing.T) {
	cfg := masterConfig()
	cfg.AppendOnly, cfg.AppendFsync = true, "no"
	tw := newTestWorld(t, cfg)
	mustReply(t, tw.dial(), "+OK\r\n", "SET", "a", "1")
	tw.dial().send("SHUTDOWN")
	tw.w.RunFor(100 * time.Millisecond)
	if tw.node.State() != sim.Down || !tw.logged("Calling fsync() on the AOF file.") {
		t.Fatalf("the node is %v after SHUTDOWN", tw.node.State())
	}
	tw.host.Crash()
	tw.node.Start()
	tw.w.RunFor(100 * time.Millisecond)
	mustReply(t, tw.dial(), "$1\r\n1\r\n", "GET", "a")
}

// TestShutdownKillsBGSAVE: SHUTDOWN kills a running BGSAVE; when its own
// save then fails, the node runs on and the next cron reaps the killed
// child as a SIGUSR1, which is no error.
func TestShutdownKillsBGSAVE(t *testing.T) {
	tw := newTestWorldDisk(t, DefaultConfig(), sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Second)})
	c := tw.dial()
	mustReply(t, c, "+OK\r\n", "SET", "a", "1")
	mustReply(t, c, "+Background saving started\r\n", "BGSAVE")
	tw.host.Disk().SetFull(true)
	mustReply(t, c, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN")
	if !tw.logged("There is a child saving an .rdb. Killing it!") {
		t.Error("no log of the killed BGSAVE")
	}
	tw.w.RunFor(150 * time.Millisecond)
	info := c.do("INFO", "persistence")
	if infoLine(info, "rdb_bgsave_in_progress") != "0" || infoLine(info, "rdb_last_bgsave_status") != "ok" || !tw.logged("Background saving terminated by signal 10") {
		t.Errorf("after the cron: %s", info)
	}
	tw.host.Disk().SetFull(false)
	tw.w.RunFor(2 * time.Second)
	if _, err := tw.host.Disk().Read("dump.rdb"); err == nil {
		t.Error("the killed BGSAVE wrote dump.rdb")
	}
}

// TestShutdownWhileWaiting: a second SHUTDOWN, NOW or not, while one waits
// is blocked with the first (prepareForShutdown returns at once: a
// shutdown is under way); ABORT releases both, and the next exits both.
func TestShutdownWhileWaiting(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s1, s2, a := m.dial(), m.dial(), m.dial()
	s1.conn.Write([]byte("SHUTDOWN\r\n"))
	rw.w.RunFor(10 * time.Millisecond)
	s2.conn.Write([]byte("SHUTDOWN NOW\r\n"))
	rw.w.RunFor(10 * time.Millisecond)
	if m.node.State() == sim.Down || len(s2.replies) != 0 {
		t.Fatalf("SHUTDOWN NOW during the wait: node %v, replies %q", m.node.State(), s2.replies)
	}
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT")
	rw.w.RunFor(10 * time.Millisecond)
	for i, c := range []*testConn{s1, s2} {
		if len(c.replies) != 1 || c.replies[0] != "-ERR Errors trying to SHUTDOWN. Check logs.\r\n" {
			t.Errorf("SHUTDOWN client %d after the abort: %q", i+1, c.replies)
		}
	}
	if n := len(logLines(rw.w, "User requested shutdown...")); n != 1 {
		t.Errorf("%d shutdowns started, want 1", n)
	}
}

// TestShutdownUnderClientPause: under CLIENT PAUSE no GETACK is sent (it
// would move the offset), and ABORT leaves the writes the client pause
// holds held, in their order.
func TestShutdownUnderClientPause(t *testing.T) {
	rw, m := shutdownWorld(t, nil)
	s, a, w1, w2 := m.dial(), m.dial(), m.dial(), m.dial()
	before := rw.info(a, "master_repl_offset")
	mustReply(t, a, "+OK\r\n", "CLIENT", "PAUSE", "100000", "WRITE")
	s.conn.Write([]byte("SHUTDOWN\r\n"))
	rw.w.RunFor(10 * time.Millisecond)
	if got := rw.info(a, "master_repl_offset"); got != before {
		t.Errorf("master_repl_offset %s -> %s: a GETACK went out under CLIENT PAUSE", before, got)
	}
	w1.send("SET", "b", "1")
	rw.w.RunFor(time.Millisecond)
	w2.send("SET", "b", "2")
	rw.w.RunFor(10 * time.Millisecond)
	mustReply(t, a, "+OK\r\n", "SHUTDOWN", "ABORT")
	rw.w.RunFor(10 * time.Millisecond)
	if len(w1.replies) != 0 || len(w2.replies) != 0 {
		t.Fatalf("writes ran while CLIENT PAUSE still held them: %q %q", w1.replies, w2.replies)
	}
	mustReply(t, a, "+OK\r\n", "CLIENT", "UNPAUSE")
	rw.w.RunFor(10 * time.Millisecond)
	mustReply(t, a, "$1\r\n2\r\n", "GET", "b")
}

// TestTerminateNow: shutdown-on-sigterm now takes SIGTERM without waiting
// for the lagging replica.
func TestTerminateNow(t *testing.T) {
	rw, m := shutdownWorld(t, func(cfg *Config) { cfg.ShutdownOnSigterm = "now" })
	m.node.Terminate()
	rw.w.RunFor(150 * time.Millisecond)
	if m.node.State() != sim.Down || len(logLines(rw.w, "0 of 1 replicas are in sync when shutting down.")) != 1 {
		t.Errorf("SIGTERM with shutdown-on-sigterm now: the node is %v", m.node.State())
	}
}
