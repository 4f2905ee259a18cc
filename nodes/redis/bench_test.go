package redis

import (
	"github.com/redsim/redsim/internal/realbench"
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// benchServer boots a node in a world and returns it with a fake client
// that runs commands directly (no network, no parsing).
func benchServer(b *testing.B) (*Server, *client) {
	tw := newTestWorld(&testing.T{}, DefaultConfig())
	s := tw.server()
	c := s.fakeClient()
	return s, c
}

func runCmd(s *Server, c *client, args [][]byte) {
	c.processCommand(args)
	c.w.Reset()
}

func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
	}
	return keys
}

// BenchmarkExecSetGet runs SET then GET on 10,000 keys, in the node, with no
// network: one op is one command.
func BenchmarkExecSetGet(b *testing.B) {
	s, c := benchServer(b)
	keys := benchKeys(10000)
	set, get, val := []byte("SET"), []byte("GET"), []byte("xxxxxxxxxxxxxxxx")
	args := make([][]byte, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[(i/2)%len(keys)]
		if i%2 == 0 {
			args = append(args[:0], set, k, val)
		} else {
			args = append(args[:0], get, k)
		}
		runCmd(s, c, args)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// BenchmarkExecMixed runs a mix over every type: GET, SET, INCR, LPUSH,
// RPOP, HSET, HGET, SADD, ZADD, ZRANGE.
func BenchmarkExecMixed(b *testing.B) {
	s, c := benchServer(b)
	keys := benchKeys(1000)
	mix := []func(k []byte) [][]byte{
		func(k []byte) [][]byte { return [][]byte{[]byte("SET"), k, []byte("value")} },
		func(k []byte) [][]byte { return [][]byte{[]byte("GET"), k} },
		func(k []byte) [][]byte { return [][]byte{[]byte("INCR"), append([]byte("n:"), k...)} },
		func(k []byte) [][]byte { return [][]byte{[]byte("LPUSH"), append([]byte("l:"), k...), []byte("item")} },
		func(k []byte) [][]byte { return [][]byte{[]byte("RPOP"), append([]byte("l:"), k...)} },
		func(k []byte) [][]byte {
			return [][]byte{[]byte("HSET"), append([]byte("h:"), k...), []byte("f"), []byte("v")}
		},
		func(k []byte) [][]byte { return [][]byte{[]byte("HGET"), append([]byte("h:"), k...), []byte("f")} },
		func(k []byte) [][]byte { return [][]byte{[]byte("SADD"), append([]byte("s:"), k...), k} },
		func(k []byte) [][]byte { return [][]byte{[]byte("ZADD"), []byte("z"), []byte("1.5"), k} },
		func(k []byte) [][]byte { return [][]byte{[]byte("ZRANGE"), []byte("z"), []byte("0"), []byte("9")} },
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runCmd(s, c, mix[i%len(mix)](keys[i%len(keys)]))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// loadClient is a closed-loop client in the simulated world: it sends
// SET or GET and the next command once the reply is in.
type loadClient struct {
	conn  sim.Conn
	rr    *resp.ReplyReader
	buf   []byte
	i     int
	key   []byte
	done  *int
	limit int
}

func (l *loadClient) OnOpen(c sim.Conn) { l.next() }
func (l *loadClient) OnData(c sim.Conn, p []byte) {
	l.rr.Feed(p)
	for {
		_, ok, err := l.rr.Next()
		if err != nil || !ok {
			return
		}
		*l.done++
		if *l.done < l.limit {
			l.next()
		}
	}
}
func (l *loadClient) OnClose(sim.Conn, error) {}
func (l *loadClient) Stop()                   {}

func (l *loadClient) next() {
	l.i++
	if l.i%2 == 0 {
		l.buf = resp.AppendCommand(l.buf[:0], []byte("SET"), l.key, []byte("xxxxxxxxxxxxxxxx"))
	} else {
		l.buf = resp.AppendCommand(l.buf[:0], []byte("GET"), l.key)
	}
	l.conn.Write(l.buf)
}

// BenchmarkReplication50Clients is BenchmarkNetwork50Clients against a
// master with two replicas: every write is also propagated, sent, parsed
// and applied twice more. The replicas are online before the clients
// start (the master's repl-diskless-sync-delay is 0, else its default 5 s
// would hold their full sync past a 200,000-op run, which then measured a
// master whose replicas were still waiting).
func BenchmarkReplication50Clients(b *testing.B) { benchClients(b, 2) }

// BenchmarkNetwork50Clients runs SET/GET from 50 closed-loop clients over
// the simulated network (100 µs links): one op is one command with its
// round trip, all in virtual time.
func BenchmarkNetwork50Clients(b *testing.B) { benchClients(b, 0) }

func benchClients(b *testing.B, replicas int) {
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
		b.Fatal(err)
	}
	h, _ := w.AddHost("r1", sim.HostConfig{})
	mcfg := DefaultConfig()
	mcfg.ReplDisklessSyncDelay = 0
	p, _ := h.Spawn("redis", Program(mcfg))
	p.Start()
	var rs []*Server
	for i := 0; i < replicas; i++ {
		name := "rr" + strconv.Itoa(i)
		rh, _ := w.AddHost(name, sim.HostConfig{})
		cfg := DefaultConfig()
		cfg.ReplicaOf = "r1:6379"
		rp, _ := rh.Spawn("redis-"+name, func(env sim.Env) sim.Node {
			s := New(env, cfg)
			rs = append(rs, s)
			return s
		})
		rp.Start()
	}
	if replicas > 0 {
		w.RunFor(time.Second)
		for i, s := range rs {
			if !s.MasterLinkUp() {
				b.Fatalf("replica %d is not online after a second", i)
			}
		}
	}
	ch, _ := w.AddHost("c1", sim.HostConfig{})
	done := 0
	for i := 0; i < 50; i++ {
		l := &loadClient{rr: resp.NewReplyReader(), key: []byte("key:" + strconv.Itoa(i)), done: &done, limit: b.N}
		cp, _ := ch.Spawn("client"+strconv.Itoa(i), func(env sim.Env) sim.Node {
			l.conn = env.Dial("r1:6379", time.Second, l)
			return l
		})
		cp.Start()
	}
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	for done < b.N {
		events += w.RunFor(10 * time.Millisecond)
	}
	b.StopTimer()
	for i, s := range rs {
		if b.N >= 100 && s.ReplOffset() == 0 {
			b.Fatalf("replica %d applied nothing", i)
		}
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "cmds/s")
	// What a command costs the event loop: its own request and reply, and
	// its share of the replication stream, the replicas' acks and timers.
	b.ReportMetric(float64(events)/float64(b.N), "events/cmd")
	realbench.Report(b, rate)
}

// BenchmarkExecNewTypes runs the hot write command of each data type that
// issue 13 brought, in the node with no network (one op is one command):
// XADD with an auto ID and MAXLEN ~ 1000 trimming, PFADD of a new element,
// SETBIT over a 1 Mbit bitmap, GEOADD of a point. redis-benchmark runs the
// same commands against a real redis-server for comparison (BENCHMARKS.md).
func BenchmarkExecNewTypes(b *testing.B) {
	for _, bc := range []struct {
		name string
		args func(i int) [][]byte
	}{
		{"XADD", func(i int) [][]byte {
			return [][]byte{[]byte("XADD"), []byte("s"), []byte("MAXLEN"), []byte("~"), []byte("1000"), []byte("*"),
				[]byte("f"), []byte(strconv.Itoa(i))}
		}},
		{"PFADD", func(i int) [][]byte { return [][]byte{[]byte("PFADD"), []byte("h"), []byte("e" + strconv.Itoa(i))} }},
		{"SETBIT", func(i int) [][]byte {
			return [][]byte{[]byte("SETBIT"), []byte("b"), []byte(strconv.Itoa(i * 7919 % (1 << 20))), []byte(strconv.Itoa(i & 1))}
		}},
		{"GEOADD", func(i int) [][]byte {
			lon := strconv.FormatFloat(-180+float64(i*37%36000)/100, 'f', 2, 64)
			lat := strconv.FormatFloat(-85+float64(i*53%17000)/100, 'f', 2, 64)
			return [][]byte{[]byte("GEOADD"), []byte("g"), []byte(lon), []byte(lat), []byte("m" + strconv.Itoa(i%100000))}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, c := benchServer(b)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				runCmd(s, c, bc.args(i))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
		})
	}
}

// BenchmarkCommandTable: what a node's boot pays for its command table,
// copied from the process's template, against building it from the
// per-family lists (what every boot did before).
func BenchmarkCommandTable(b *testing.B) {
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buildCommandTable()
		}
	})
	b.Run("copy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewCommandTable()
		}
	})
}
