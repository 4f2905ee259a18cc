package network

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/sim"
)

// stamped records, per message, when it was sent and when it arrived.
type stamped struct {
	w      *sim.World
	sent   []clock.Time
	arrive []clock.Time
	buf    []byte
	echo   bool
}

func (s *stamped) OnOpen(sim.Conn) {}
func (s *stamped) OnData(c sim.Conn, p []byte) {
	s.buf = append(s.buf, p...)
	for len(s.buf) >= 4 {
		i := binary.BigEndian.Uint32(s.buf)
		s.buf = s.buf[4:]
		if int(i) != len(s.arrive) {
			panic(fmt.Sprintf("message %d arrived as number %d", i, len(s.arrive)))
		}
		s.arrive = append(s.arrive, s.w.Now())
	}
	if s.echo {
		c.Write(p)
	}
}
func (s *stamped) OnClose(sim.Conn, error) {}

// linkRun is one world of four hosts in which n3 sends a message to n4 every
// 500µs; it returns the latency of each message on the link n3->n4.
type linkRun struct {
	// busy adds a connection from n1 to n2, dialled before n3's, that carries
	// echoed traffic every 100µs both ways.
	busy bool
	// partition cuts n1 from n2 (and, with busy, holds that traffic) from
	// 20ms to 60ms.
	partition bool
	// echo makes n4 answer every message, so the reverse link n4->n3 carries
	// as much traffic as n3->n4.
	echo bool
}

func (r linkRun) latencies(t *testing.T) []time.Duration {
	t.Helper()
	w := sim.NewWorld(7)
	n, err := New(w, Config{Latency: sim.UniformDist(100*time.Microsecond, 5*time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	envs := map[string]sim.Env{}
	recv := &stamped{w: w, echo: r.echo}
	for _, name := range []string{"n1", "n2", "n3", "n4"} {
		h, err := w.AddHost(name, sim.HostConfig{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.Spawn(name, func(env sim.Env) sim.Node {
			envs[name] = env
			must(t, env.Listen(7000, func(sim.Conn) sim.ConnHandler {
				if name == "n4" {
					return recv
				}
				return &handler{w: w, echo: true}
			}))
			return nopNode{}
		})
		if err != nil {
			t.Fatal(err)
		}
		p.Start()
	}
	if r.busy {
		ab := envs["n1"].Dial("n2:7000", time.Second, &handler{w: w})
		for i := 0; i < 1000; i++ {
			w.After(time.Duration(i)*100*time.Microsecond, func() { ab.Write([]byte("noise")) })
		}
	}
	if r.partition {
		w.After(20*time.Millisecond, func() { must(t, n.Split([][]string{{"n1"}, {"n2"}})) })
		w.After(60*time.Millisecond, n.Heal)
	}
	cd := envs["n3"].Dial("n4:7000", time.Second, &handler{w: w})
	const msgs = 200
	for i := 0; i < msgs; i++ {
		at := time.Duration(i) * 500 * time.Microsecond
		recv.sent = append(recv.sent, clock.Time(at))
		w.After(at, func() { cd.Write(binary.BigEndian.AppendUint32(nil, uint32(i))) })
	}
	w.RunFor(time.Second)
	if len(recv.arrive) != msgs {
		t.Fatalf("%+v: %d of %d messages arrived on n3->n4", r, len(recv.arrive), msgs)
	}
	lat := make([]time.Duration, msgs)
	for i := range lat {
		lat[i] = recv.arrive[i].Sub(recv.sent[i])
	}
	return lat
}

// TestLinkLatencyIsIndependentOfOtherLinks: the latencies on n3->n4 are the
// same whatever happens on n1->n2 (traffic, a partition and its heal) and
// whatever travels back on n4->n3, because each directed link draws from its
// own stream. With one stream for the whole network, or one per pair of
// hosts, every variant below would shift n3->n4's draws.
func TestLinkLatencyIsIndependentOfOtherLinks(t *testing.T) {
	quiet := linkRun{}.latencies(t)
	distinct := map[time.Duration]bool{}
	for _, d := range quiet {
		distinct[d] = true
	}
	if len(distinct) < 50 {
		t.Fatalf("only %d distinct latencies on n3->n4; the test needs random ones", len(distinct))
	}
	for _, r := range []linkRun{
		{busy: true},
		{busy: true, partition: true},
		{echo: true},
		{busy: true, partition: true, echo: true},
	} {
		got := r.latencies(t)
		for i := range quiet {
			if got[i] != quiet[i] {
				t.Errorf("%+v: message %d took %v on n3->n4, %v with no other traffic", r, i, got[i], quiet[i])
				break
			}
		}
	}
}
