package network

import (
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

type pingPong struct {
	n   *int
	msg []byte
}

func (p *pingPong) OnOpen(c sim.Conn) { c.Write(p.msg) }
func (p *pingPong) OnData(c sim.Conn, b []byte) {
	*p.n++
	c.Write(p.msg)
}
func (p *pingPong) OnClose(sim.Conn, error) {}

// BenchmarkDelivery measures messages delivered per second through the
// network: 50 connections each bouncing a 64-byte message back and forth.
func BenchmarkDelivery(b *testing.B) {
	w := sim.NewWorld(1)
	if _, err := New(w, Config{Latency: sim.UniformDist(100*time.Microsecond, 500*time.Microsecond)}); err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 64)
	delivered := 0
	h1, _ := w.AddHost("n1", sim.HostConfig{})
	h2, _ := w.AddHost("n2", sim.HostConfig{})
	srv, _ := h2.Spawn("srv", func(env sim.Env) sim.Node {
		env.Listen(6379, func(sim.Conn) sim.ConnHandler { return &pingPong{n: &delivered, msg: msg} })
		return nopNode{}
	})
	srv.Start()
	cl, _ := h1.Spawn("cl", func(env sim.Env) sim.Node {
		for i := 0; i < 50; i++ {
			env.Dial("n2:6379", time.Second, &pingPong{n: &delivered, msg: msg})
		}
		return nopNode{}
	})
	cl.Start()
	w.RunFor(100 * time.Millisecond)
	b.ReportAllocs()
	b.ResetTimer()
	start := delivered
	for delivered-start < b.N {
		w.RunFor(10 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(delivered-start)/b.Elapsed().Seconds(), "msgs/s")
}
