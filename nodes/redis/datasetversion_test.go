package redis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// versionWatch checks DatasetVersion's promise on every server it is shown:
// while a server's version stays the same, its DatasetHash and Expires do
// too. A version that moved says nothing, so a check only fails on a change
// the version missed.
type versionWatch struct {
	t    *testing.T
	last map[*Server]versionSnap
	// checks and stale count the checks made and those at an unchanged
	// version, to tell that the test looked at both cases.
	checks, stale int
}

type versionSnap struct {
	version uint64
	hash    string
	expires []KeyExpire
	what    string // the last step that moved the version, for the message
}

func newVersionWatch(t *testing.T) *versionWatch {
	return &versionWatch{t: t, last: map[*Server]versionSnap{}}
}

// check compares each running node's dataset with its last check; what
// names the step just done.
func (vw *versionWatch) check(what string, nodes ...*testWorld) {
	vw.t.Helper()
	for _, tw := range nodes {
		if tw.node.State() == sim.Down {
			continue
		}
		s, ok := tw.node.Node().(*Server)
		if !ok || s == nil {
			continue
		}
		now := versionSnap{version: s.DatasetVersion(), hash: s.DatasetHash(), expires: s.Expires(), what: what}
		vw.checks++
		if prev, ok := vw.last[s]; ok && prev.version == now.version {
			vw.stale++
			if prev.hash != now.hash || !slices.Equal(prev.expires, now.expires) {
				vw.t.Fatalf("%s at %v: the dataset changed (hash %s -> %s, %d -> %d TTLs) at the same version %d, last moved by %q; the step: %s",
					tw.host.Name(), tw.w.Now(), prev.hash, now.hash, len(prev.expires), len(now.expires), now.version, prev.what, what)
			}
			now.what = prev.what
		}
		vw.last[s] = now
	}
}

// versionDriver sends random commands over every data type to one node,
// running the world a millisecond at a time and checking the watched nodes
// at each.
type versionDriver struct {
	rng   *rand.Rand
	vw    *versionWatch
	c     *testConn // the commands' connection
	b     *testConn // a connection that blocks (BLPOP, BLMOVE, BZPOPMIN)
	nodes []*testWorld
	dump  string // a DUMP payload for RESTORE
}

// run sends args and runs the world until its reply, checking every
// millisecond.
func (d *versionDriver) run(args ...string) string {
	d.vw.t.Helper()
	c := d.c
	want := len(c.replies) + 1
	what := strings.Join(args, " ")
	c.send(args...)
	for i := 0; len(c.replies) < want && !c.closed; i++ {
		if i > 60_000 {
			d.vw.t.Fatalf("no reply to %s", what)
		}
		c.tw.w.RunFor(time.Millisecond)
		d.vw.check(what, d.nodes...)
	}
	if len(c.replies) < want {
		d.vw.t.Fatalf("%s: connection closed", what)
	}
	return c.replies[want-1]
}

// idle lets virtual time pass (active expiry, replication), checking
// every millisecond.
func (d *versionDriver) idle(ms int) {
	for range ms {
		d.c.tw.w.RunFor(time.Millisecond)
		d.vw.check("idle", d.nodes...)
	}
}

func (d *versionDriver) key(prefix string) string { return prefix + strconv.Itoa(d.rng.IntN(4)) }

func (d *versionDriver) anyKey() string {
	return d.key([]string{"b", "s", "l", "h", "z", "x", "p"}[d.rng.IntN(7)])
}

func (d *versionDriver) member() string { return "m" + strconv.Itoa(d.rng.IntN(12)) }

func (d *versionDriver) ms() string { return strconv.Itoa(1 + d.rng.IntN(400)) }

// step sends one random command (or a few, for MULTI and DUMP/RESTORE).
func (d *versionDriver) step() {
	r := d.rng
	switch r.IntN(48) {
	case 0:
		d.run("SET", d.key("b"), d.member(), "PX", d.ms())
	case 1:
		d.run("SET", d.key("b"), d.member())
	case 2:
		d.run("SETRANGE", d.key("b"), strconv.Itoa(r.IntN(20)), d.member())
	case 3:
		d.run("APPEND", d.key("b"), d.member())
	case 4:
		d.run("SETBIT", d.key("b"), strconv.Itoa(r.IntN(64)), strconv.Itoa(r.IntN(2)))
	case 5:
		d.run("GETEX", d.key("b"), "PX", d.ms())
	case 6:
		d.run("SADD", d.key("s"), d.member(), d.member(), strconv.Itoa(r.IntN(5)))
	case 7:
		d.run("SREM", d.key("s"), d.member())
	case 8:
		d.run("SPOP", d.key("s"))
	case 9:
		d.run("SMOVE", d.key("s"), d.key("s"), d.member())
	case 10:
		d.run("SINTERSTORE", d.key("s"), d.key("s"), d.key("s"))
	case 11:
		d.run([]string{"LPUSH", "RPUSH"}[r.IntN(2)], d.key("l"), d.member(), d.member())
	case 12:
		d.run("LPOP", d.key("l"))
	case 13:
		d.run("LMOVE", d.key("l"), d.key("l"), "LEFT", "RIGHT")
	case 14:
		d.run("LSET", d.key("l"), "0", d.member())
	case 15:
		d.run("LTRIM", d.key("l"), "1", "-1")
	case 16:
		d.run("HSET", d.key("h"), d.member(), d.member())
	case 17:
		d.run("HDEL", d.key("h"), d.member())
	case 18:
		d.run("HINCRBY", d.key("h"), d.member(), "3")
	case 19:
		d.run("ZADD", d.key("z"), strconv.Itoa(r.IntN(9)), d.member())
	case 20:
		d.run("ZINCRBY", d.key("z"), "1.5", d.member())
	case 21:
		d.run("ZPOPMIN", d.key("z"))
	case 22:
		d.run("ZUNIONSTORE", d.key("z"), "2", d.key("z"), d.key("z"))
	case 23:
		d.run("XADD", d.key("x"), "*", "f", d.member())
	case 24:
		d.run("XTRIM", d.key("x"), "MAXLEN", "2")
	case 25:
		k := d.key("x")
		d.run("XGROUP", "CREATE", k, "g", "0", "MKSTREAM")
		d.run("XREADGROUP", "GROUP", "g", "c"+strconv.Itoa(r.IntN(2)), "COUNT", "1", "STREAMS", k, ">")
	case 26:
		d.run("PFADD", d.key("p"), d.member(), d.member())
	case 27:
		d.run("PFCOUNT", d.key("p")) // may rewrite the cached cardinality
	case 28:
		d.run("PFMERGE", d.key("p"), d.key("p"), d.key("p"))
	case 29:
		d.run([]string{"PEXPIRE", "PEXPIRE", "EXPIRE"}[r.IntN(3)], d.anyKey(), d.ms())
	case 30:
		d.run("PERSIST", d.anyKey())
	case 31:
		d.run("PEXPIRE", d.anyKey(), d.ms(), []string{"NX", "XX", "GT", "LT"}[r.IntN(4)])
	case 32, 33:
		// Reads: lazy expiry of what they touch.
		d.run([]string{"GET", "EXISTS", "TYPE", "TTL", "SCARD", "LLEN", "HLEN", "ZCARD", "XLEN"}[r.IntN(9)], d.anyKey())
	case 34:
		d.run([]string{"DEL", "UNLINK"}[r.IntN(2)], d.anyKey())
	case 35:
		a := d.anyKey()
		d.run([]string{"RENAME", "RENAMENX"}[r.IntN(2)], a, a[:1]+strconv.Itoa(r.IntN(4)))
	case 36:
		a := d.anyKey()
		args := []string{"COPY", a, a[:1] + strconv.Itoa(r.IntN(4))}
		if r.IntN(2) == 0 {
			args = append(args, "DB", strconv.Itoa(r.IntN(3)))
		}
		d.run(append(args, "REPLACE")...)
	case 37:
		d.run("MOVE", d.anyKey(), strconv.Itoa(r.IntN(3)))
	case 38:
		d.run("SORT", d.key("l"), "ALPHA", "STORE", d.key("l"))
	case 39:
		if r.IntN(4) == 0 {
			d.run([]string{"FLUSHDB", "FLUSHALL"}[r.IntN(2)])
		}
	case 40:
		d.run("SWAPDB", strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(3)))
	case 41:
		d.run("SELECT", strconv.Itoa(r.IntN(3)))
	case 42:
		if rep := d.run("DUMP", d.anyKey()); strings.HasPrefix(rep, "$") && !strings.HasPrefix(rep, "$-1") {
			_, body, _ := strings.Cut(rep, "\r\n")
			d.dump = strings.TrimSuffix(body, "\r\n")
		}
		if d.dump != "" {
			d.run("RESTORE", d.anyKey(), strconv.Itoa(r.IntN(2)*r.IntN(300)), d.dump, "REPLACE")
		}
	case 43:
		d.run("EVAL", "redis.call('SADD', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]); return redis.call('LPOP', KEYS[3])",
			"3", d.key("s"), d.key("b"), d.key("l"), d.member(), d.ms())
	case 44:
		d.run("MULTI")
		for range 1 + r.IntN(3) {
			switch r.IntN(3) {
			case 0:
				d.run("SADD", d.key("s"), d.member())
			case 1:
				d.run("PEXPIRE", d.anyKey(), d.ms())
			default:
				d.run("ZADD", d.key("z"), "1", d.member())
			}
		}
		d.run("EXEC")
	case 45:
		// A blocked pop, served by a later push.
		k := d.key("l")
		switch r.IntN(3) {
		case 0:
			d.b.send("BLPOP", k, "0.3")
		case 1:
			d.b.send("BLMOVE", k, d.key("l"), "RIGHT", "LEFT", "0.3")
		default:
			d.b.send("BZPOPMIN", d.key("z"), "0.3")
		}
		d.idle(1)
	case 46:
		d.run("SET", d.key("b"), d.member(), "KEEPTTL")
	default:
		d.idle(r.IntN(150)) // active expiry
	}
}

// The promise of DatasetVersion under random commands of every type, with
// keys expiring actively and lazily, databases flushed and swapped, values
// restored, scripts and transactions that write, blocked clients served,
// and DEBUG RELOAD.
func TestDatasetVersionCoversEveryChange(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Databases = 3
			tw := newTestWorld(t, cfg)
			vw := newVersionWatch(t)
			d := &versionDriver{rng: rand.New(rand.NewPCG(seed, 7)), vw: vw, c: tw.dial(), b: tw.dial(), nodes: []*testWorld{tw}}
			for i := range 1500 {
				d.step()
				if i%400 == 399 {
					d.run("DEBUG", "RELOAD")
				}
			}
			t.Logf("%d checks, %d at an unchanged version, %d keys at the end, %v virtual", vw.checks, vw.stale, keysIn(tw.server()), tw.w.Now())
			if vw.stale < vw.checks/4 {
				t.Fatalf("only %d of %d checks at an unchanged version: the test hardly tests reuse", vw.stale, vw.checks)
			}
		})
	}
}

// A replica's version covers the full syncs that replace its dataset and
// the stream it applies, and a restart's load from the RDB or the AOF
// gives a new server whose version covers what it loads.
func TestDatasetVersionReplicaAndRestart(t *testing.T) {
	for _, aof := range []bool{false, true} {
		t.Run(fmt.Sprintf("aof=%v", aof), func(t *testing.T) {
			rw := newReplWorld(t, 3, []string{"m", "r"}, func(i int) Config {
				cfg := masterConfig()
				cfg.Databases = 3
				cfg.AppendOnly = aof
				cfg.ReplDisklessSyncDelay = 0
				if !aof {
					cfg.Save = []SavePoint{{Seconds: 1, Changes: 1}}
				}
				return cfg
			})
			m, r := rw.nodes[0], rw.nodes[1]
			vw := newVersionWatch(t)
			d := &versionDriver{rng: rand.New(rand.NewPCG(11, uint64(len(fmt.Sprint(aof))))), vw: vw, c: m.dial(), b: m.dial(), nodes: rw.nodes}
			rc := r.dial()
			for i := range 1200 {
				d.step()
				switch i % 300 {
				case 50:
					// A full sync (a replication ID the replica never
					// had), then the stream.
					mustReply(t, rc, "+OK\r\n", "REPLICAOF", "m", "6379")
					// No writes meanwhile: a load that the version missed
					// is not hidden by the stream's commands applied in the
					// same instant.
					d.idle(300)
				case 249:
					if st := rw.info(rc, "master_link_status"); st != "up" {
						t.Fatalf("the replica's link is %q, want up", st)
					}
				case 250:
					rc.do("REPLICAOF", "NO", "ONE")
					rc.do("FLUSHALL")
				case 299:
					// Crash the master after its last save point; it
					// reloads its RDB or its AOF.
					d.idle(1500)
					m.host.Crash()
					d.idle(10)
					m.node.Start()
					d.idle(200)
					d.c, d.b = m.dial(), m.dial()
				}
			}
			t.Logf("%d checks, %d at an unchanged version, %d full syncs, %v virtual", vw.checks, vw.stale, logCount(rw.w, "MASTER <-> REPLICA sync: Finished with success"), rw.w.Now())
			if n := logCount(rw.w, "MASTER <-> REPLICA sync: Finished with success"); n < 4 {
				t.Fatalf("%d full syncs, want 4 at least", n)
			}
			if n := logCount(rw.w, "DB loaded from"); n < 4 {
				t.Fatalf("%d loads at start, want 4 at least", n)
			}
			if vw.stale < vw.checks/4 {
				t.Fatalf("only %d of %d checks at an unchanged version", vw.stale, vw.checks)
			}
		})
	}
}

func keysIn(s *Server) int {
	n := 0
	for _, d := range s.dbs {
		n += d.keys.Len()
	}
	return n
}

func logCount(w *sim.World, text string) int {
	n := 0
	for _, ev := range w.Trace().Events {
		if ev.Kind == sim.KindLog && strings.Contains(ev.Text, text) {
			n++
		}
	}
	return n
}
