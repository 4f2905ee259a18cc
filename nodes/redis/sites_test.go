package redis

import (
	"strings"
	"testing"
	"time"
)

// Each fault site of the node, forced to fire every time it is reached,
// does what its doc says, and nothing happens with buggify off.

func forceSite(t *testing.T, rw *replWorld, name string) {
	t.Helper()
	if err := rw.w.ForceSite(name); err != nil {
		t.Fatal(err)
	}
}

// newPair is a master and one replica, synced, with name forced if set.
func newPair(t *testing.T, site string) (*replWorld, *testConn, *testConn) {
	rw := newReplWorld(t, 1, []string{"m", "r1"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	if site != "" {
		forceSite(t, rw, site)
	}
	rw.w.RunFor(8 * time.Second) // repl-diskless-sync-delay, then the sync
	return rw, rw.nodes[0].dial(), rw.nodes[1].dial()
}

func siteInfo(c *testConn, section, field string) string {
	for _, line := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func TestSiteBacklogSmall(t *testing.T) {
	for _, site := range []string{"", "repl/backlog-small"} {
		_, m, _ := newPair(t, site)
		want := "1048576"
		if site != "" {
			want = "16384"
		}
		if got := siteInfo(m, "replication", "repl_backlog_size"); got != want {
			t.Errorf("site %q: repl_backlog_size %s, want %s", site, got, want)
		}
	}
}

func TestSitePsyncRefused(t *testing.T) {
	for _, site := range []string{"", "repl/psync-refused"} {
		rw, m, _ := newPair(t, site)
		m.do("SET", "k", "v")
		m.do("CLIENT", "KILL", "TYPE", "replica")
		rw.w.RunFor(8 * time.Second)
		full, partial := siteInfo(m, "stats", "sync_full"), siteInfo(m, "stats", "sync_partial_ok")
		if site == "" && (full != "1" || partial != "1") || site != "" && (full != "2" || partial != "0") {
			t.Errorf("site %q: sync_full %s sync_partial_ok %s", site, full, partial)
		}
	}
}

func TestSiteAckLate(t *testing.T) {
	for _, site := range []string{"", "repl/ack-late"} {
		rw, m, _ := newPair(t, site)
		m.do("SET", "k", "v")
		// Past the master's PING at 10 s and the replica's next ACK.
		rw.w.RunFor(3500 * time.Millisecond)
		slave := siteInfo(m, "replication", "slave0")
		offset := siteInfo(m, "replication", "master_repl_offset")
		acked := strings.Contains(slave, "offset="+offset+",")
		if acked == (site != "") {
			t.Errorf("site %q: master offset %s, replica %s", site, offset, slave)
		}
	}
}

func TestSiteReplicaObufLimit(t *testing.T) {
	for _, site := range []string{"", "clients/replica-obuf-limit"} {
		rw, m, _ := newPair(t, site)
		m.do("SET", "k", "v")
		rw.w.RunFor(10 * time.Millisecond)
		closed := rw.nodes[0].logged("scheduled to be closed ASAP for overcoming of output buffer limits")
		if closed != (site != "") {
			t.Errorf("site %q: replica closed for its output buffer = %v", site, closed)
		}
	}
}

func TestSiteCronLate(t *testing.T) {
	for _, site := range []string{"", "server/cron-late"} {
		rw, _, _ := newPair(t, site)
		s := rw.nodes[0].server()
		before := s.cronloops
		rw.w.RunFor(10 * time.Second)
		n := s.cronloops - before
		// hz 10: 100 runs in 10 s; each 30-300 ms late when forced.
		if late := n < 80; late != (site != "") {
			t.Errorf("site %q: %d serverCron runs in 10 s", site, n)
		}
	}
}

func TestSiteBgsaveSlow(t *testing.T) {
	for _, site := range []string{"", "persist/bgsave-slow"} {
		rw, m, _ := newPair(t, site)
		m.do("SET", "k", "v")
		if got := m.do("BGSAVE"); got != "+Background saving started\r\n" {
			t.Fatalf("BGSAVE: %q", got)
		}
		rw.w.RunFor(300 * time.Millisecond)
		want := "0"
		if site != "" {
			want = "1" // the child still writes
		}
		if got := siteInfo(m, "persistence", "rdb_bgsave_in_progress"); got != want {
			t.Errorf("site %q: rdb_bgsave_in_progress %s after 300 ms", site, got)
		}
		rw.w.RunFor(6 * time.Second)
		if got := siteInfo(m, "persistence", "rdb_bgsave_in_progress"); got != "0" {
			t.Errorf("site %q: rdb_bgsave_in_progress %s after 6 s", site, got)
		}
	}
}
