package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// fakeMaster listens on m:6379 and answers a replica's handshake from a
// script: answer returns the bytes to write for each command received.
type fakeMaster struct {
	env    sim.Env
	answer func(fm *fakeMaster, conn sim.Conn, args []string) string
	r      *resp.Reader
	closed bool
	err    error // the replica's close: nil for FIN, sim.ErrReset for RST
}

func (fm *fakeMaster) Stop()           {}
func (fm *fakeMaster) OnOpen(sim.Conn) {}
func (fm *fakeMaster) OnClose(_ sim.Conn, err error) {
	fm.closed, fm.err = true, err
}
func (fm *fakeMaster) OnData(c sim.Conn, p []byte) {
	fm.r.Feed(p)
	for {
		args, ok, err := fm.r.Next()
		if err != nil || !ok {
			return
		}
		words := make([]string, len(args))
		for i, a := range args {
			words[i] = string(a)
		}
		c.Write([]byte(fm.answer(fm, c, words)))
	}
}

// linkWorld runs a replica of host m, where fm plays the master.
func linkWorld(t *testing.T, fm *fakeMaster) (*sim.World, *testWorld) {
	t.Helper()
	w := sim.NewWorld(1)
	w.Trace().Keep(sim.LevelInfo)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(500 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	mh, _ := w.AddHost("m", sim.HostConfig{})
	mp, _ := mh.Spawn("fake-master", func(env sim.Env) sim.Node {
		fm.env = env
		accept := func(sim.Conn) sim.ConnHandler { fm.r = resp.NewReader(); return fm }
		if err := env.Listen(6379, accept); err != nil {
			t.Fatal(err)
		}
		return fm
	})
	mp.Start()
	rh, _ := w.AddHost("r1", sim.HostConfig{})
	cfg := replicaConfig("m:6379")
	rp, _ := rh.Spawn("redis-r1", Program(cfg))
	rp.Start()
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	return w, &testWorld{t: t, w: w, host: rh, node: rp, cfg: cfg}
}

// A reply the replica cannot parse ends the link as Redis ends it: the
// connection is closed (FIN), not reset, and the next cron connects again.
func TestMasterLinkClosesOnMalformedReply(t *testing.T) {
	dials := 0
	fm := &fakeMaster{answer: func(fm *fakeMaster, _ sim.Conn, args []string) string {
		if args[0] == "PING" {
			dials++
			if dials == 1 {
				return "?what\r\n"
			}
		}
		return "+PONG\r\n"
	}}
	w, r := linkWorld(t, fm)
	w.RunFor(100 * time.Millisecond)
	if !r.logged("Master link: protocol error:") {
		t.Fatal("no protocol error logged")
	}
	if !fm.closed || fm.err != nil {
		t.Fatalf("master saw closed=%v err=%v, want an orderly close", fm.closed, fm.err)
	}
	w.RunFor(1500 * time.Millisecond)
	if dials != 2 {
		t.Fatalf("%d PINGs, want the cron's second connection", dials)
	}
}

// A snapshot that takes longer than repl-timeout to arrive, but with a read
// every 40s, keeps the link alive: Redis counts every read of the transfer
// (repl_transfer_lastio), not every complete reply.
func TestMasterLinkSlowSnapshotKeepsTheLink(t *testing.T) {
	sw := rdbfile.NewWriter(nil, rdbfile.DefaultOptions())
	sw.InfoAux(rdbfile.Info{RedisVer: Version, Bits: 64})
	sw.SelectDB(0, 1, 0)
	if err := sw.Key([]byte("k"), &rdbfile.Value{Type: rdbfile.TypeString, Str: []byte("v")}, rdbfile.NoMeta); err != nil {
		t.Fatal(err)
	}
	snapshot := sw.Finish()
	// As sendBulkToSlave sends it: nothing after the file.
	bulk := "$" + strconv.Itoa(len(snapshot)) + "\r\n" + string(snapshot)
	fm := &fakeMaster{answer: func(fm *fakeMaster, c sim.Conn, args []string) string {
		switch strings.ToUpper(args[0]) {
		case "PING":
			return "+PONG\r\n"
		case "PSYNC":
			// Four pieces, 40s apart: 160s in all.
			for i := 0; i < 4; i++ {
				piece := bulk[i*len(bulk)/4 : (i+1)*len(bulk)/4]
				fm.env.After(time.Duration(i+1)*40*time.Second, func() { c.Write([]byte(piece)) })
			}
			return "+FULLRESYNC " + strings.Repeat("a", 40) + " 0\r\n"
		case "REPLCONF":
			if strings.EqualFold(args[1], "ack") {
				return ""
			}
		}
		return "+OK\r\n"
	}}
	w, r := linkWorld(t, fm)
	w.RunFor(170 * time.Second)
	if r.logged("Timeout connecting to the MASTER") || fm.closed {
		t.Fatal("the link timed out while the snapshot was still arriving")
	}
	if !r.logged("MASTER <-> REPLICA sync: Finished with success") {
		t.Fatal("the sync did not finish")
	}
	if got := r.dial().do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET k on the replica: %q", got)
	}
}

// streamMaster is a fake master that answers the handshake with a full
// resync of an empty dataset, then streams stream; it records each PSYNC's
// arguments.
func streamMaster(stream string, psyncs *[]string) *fakeMaster {
	snapshot := rdbfile.NewWriter(nil, rdbfile.DefaultOptions())
	snapshot.InfoAux(rdbfile.Info{RedisVer: Version, Bits: 64})
	body := snapshot.Finish()
	return &fakeMaster{answer: func(fm *fakeMaster, c sim.Conn, args []string) string {
		switch strings.ToUpper(args[0]) {
		case "PING":
			return "+PONG\r\n"
		case "PSYNC":
			*psyncs = append(*psyncs, args[1]+" "+args[2])
			return "+FULLRESYNC " + strings.Repeat("a", 40) + " 100\r\n$" + strconv.Itoa(len(body)) + "\r\n" + string(body) + stream
		case "REPLCONF":
			if strings.EqualFold(args[1], "ack") {
				return ""
			}
		}
		return "+OK\r\n"
	}}
}

// A stream that stops parsing ("Desync?") ends the link as Redis's
// setProtocolError and freeClient end it: logged with the master client's
// info, counted as a replication protocol error, and the cached master
// discarded, so the next sync asks for a full resync (PSYNC ? -1), not a
// partial one from a place the replica can no longer trust.
func TestMasterStreamDesyncDiscardsTheCachedMaster(t *testing.T) {
	var psyncs []string
	fm := streamMaster("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n3\r\n$3\r\nSET\r\n", &psyncs)
	w, r := linkWorld(t, fm)
	w.RunFor(1500 * time.Millisecond)
	for _, want := range []string{
		"WARNING: Receiving inline protocol from master, master stream corruption? Closing the master connection and discarding the cached master.",
		"Protocol error (Master using the inline protocol. Desync?) from client: id=",
		"Connection with master lost.",
	} {
		if !r.logged(want) {
			t.Errorf("not logged: %q", want)
		}
	}
	if len(psyncs) < 2 || psyncs[1] != "? -1" {
		t.Fatalf("PSYNCs %q: want a second one asking for a full resync", psyncs)
	}
	// The fake master sends the same bad stream on every link.
	st := r.server().ReplStats()
	n := int64(len(psyncs))
	if st.ProtocolErrors != n || !strings.Contains(st.ErrorLines[0], "Desync?") || st.FullSyncs != n {
		t.Fatalf("stats %+v: want each of the %d links' desync counted, and as many full resyncs", st, n)
	}
}

// A command of the master's stream that the replica answers with an error
// means the two have diverged: Redis logs it as critical (afterErrorReply)
// and counts it; the link stays up, and the offset counts the command.
func TestMasterStreamErrorIsCritical(t *testing.T) {
	var psyncs []string
	stream := "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\nx\r\n" + // ok
		"*2\r\n$4\r\nINCR\r\n$1\r\ns\r\n" + // not an integer
		"*1\r\n$5\r\nBOGUS\r\n" + // unknown
		"*2\r\n$3\r\nSET\r\n$1\r\nk\r\n" // arity
	fm := streamMaster(stream, &psyncs)
	w, r := linkWorld(t, fm)
	w.RunFor(100 * time.Millisecond)
	for _, want := range []string{
		"== CRITICAL == This replica is sending an error to its master: 'ERR value is not an integer or out of range' after processing the command 'incr'",
		"== CRITICAL == This replica is sending an error to its master: 'ERR unknown command 'BOGUS', with args beginning with: ' after processing the command '<unknown>'",
		"== CRITICAL == This replica is sending an error to its master: 'ERR wrong number of arguments for 'set' command' after processing the command 'set'",
	} {
		if !r.logged(want) {
			t.Errorf("not logged: %q", want)
		}
	}
	st := r.server().ReplStats()
	if st.UnexpectedErrorReplies != 3 || st.ProtocolErrors != 3 || st.LinkDrops != 0 || !r.server().MasterLinkUp() {
		t.Fatalf("stats %+v, link up %v: want 3 critical errors and the link up", st, r.server().MasterLinkUp())
	}
	if got, want := r.server().ReplOffset(), int64(100+len(stream)); got != want {
		t.Fatalf("offset %d, want %d", got, want)
	}
}

// A diskless sync waits repl-diskless-sync-delay (5 s) before its
// +FULLRESYNC, and the master keeps the link alive meanwhile with a
// newline a second: the replica skips them, as
// slaveTryPartialResynchronization skips empty lines, and takes the
// streamed snapshot ($EOF:<mark>) that follows. A real redis-server 7.0
// master does exactly this.
func TestMasterLinkSkipsNewlinesBeforeFullResync(t *testing.T) {
	sw := rdbfile.NewWriter(nil, rdbfile.DefaultOptions())
	sw.InfoAux(rdbfile.Info{RedisVer: Version, Bits: 64})
	sw.SelectDB(0, 1, 0)
	if err := sw.Key([]byte("k"), &rdbfile.Value{Type: rdbfile.TypeString, Str: []byte("v")}, rdbfile.NoMeta); err != nil {
		t.Fatal(err)
	}
	snapshot := sw.Finish()
	mark := strings.Repeat("e", 40)
	fm := &fakeMaster{answer: func(fm *fakeMaster, c sim.Conn, args []string) string {
		switch strings.ToUpper(args[0]) {
		case "PING":
			return "+PONG\r\n"
		case "PSYNC":
			for i := 1; i <= 4; i++ {
				fm.env.After(time.Duration(i)*time.Second, func() { c.Write([]byte("\n")) })
			}
			fm.env.After(5*time.Second, func() {
				c.Write([]byte("+FULLRESYNC " + strings.Repeat("a", 40) + " 0\r\n\n$EOF:" + mark + "\r\n" + string(snapshot) + mark))
			})
			return "\n"
		case "REPLCONF":
			if strings.EqualFold(args[1], "ack") {
				return ""
			}
		}
		return "+OK\r\n"
	}}
	w, r := linkWorld(t, fm)
	w.RunFor(7 * time.Second)
	if r.logged("protocol error") || fm.closed {
		t.Fatal("the replica dropped the link on the master's keepalive newlines")
	}
	if !r.logged("MASTER <-> REPLICA sync: Finished with success") {
		t.Fatal("the sync did not finish")
	}
	if got := r.dial().do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET k on the replica: %q", got)
	}
}

// A replica whose master is gone keeps the time its link went down across
// its failed reconnection attempts (repl_down_since is set by
// replicationHandleMasterDisconnection only, not by a refused connect), so
// master_link_down_since_seconds grows and a cluster replica's data age,
// which cluster-replica-validity-factor bounds, counts from the loss.
func TestReplicaLinkDownSinceSurvivesReconnects(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	rw.w.RunFor(8 * time.Second)
	c := rw.nodes[1].dial()
	if got := rw.info(c, "master_link_status"); got != "up" {
		t.Fatalf("master_link_status %q before the kill", got)
	}
	rw.nodes[0].node.Kill()
	rw.w.RunFor(20 * time.Second) // about 20 refused reconnections
	if got := rw.info(c, "master_link_down_since_seconds"); got != "20" {
		t.Fatalf("master_link_down_since_seconds %q after 20 s of refused reconnections, want 20", got)
	}
}

// A replica whose link has not been up since it started, or since it was
// a master, is "down since ever" (repl_down_since 0): INFO shows
// master_link_down_since_seconds:-1, as redis-server 7.0.15 does.
func TestReplicaNeverConnectedIsDownSinceEver(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("nowhere:6379")
	})
	rw.w.RunFor(3 * time.Second)
	c := rw.nodes[1].dial()
	if got := rw.info(c, "master_link_down_since_seconds"); got != "-1" {
		t.Fatalf("master_link_down_since_seconds %q for a replica never connected, want -1", got)
	}
	c.do("REPLICAOF", "NO", "ONE")
	c.do("REPLICAOF", "nowhere", "6379")
	rw.w.RunFor(3 * time.Second)
	if got := rw.info(c, "master_link_down_since_seconds"); got != "-1" {
		t.Fatalf("master_link_down_since_seconds %q for a former master, want -1", got)
	}
}
