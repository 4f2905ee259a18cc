package network

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/sim"
)

// Config is the network's default behaviour.
type Config struct {
	// Latency is the one-way delay between two hosts; the zero value means
	// uniform between 100µs and 500µs (a LAN).
	Latency sim.Dist
	// Loopback is the delay between processes on one host; the zero value
	// means a fixed 10µs.
	Loopback sim.Dist
}

// Network is the simulated network of one world.
type Network struct {
	w         *sim.World
	cfg       Config
	links     map[uint64]*link // looked up only, never ranged over
	listeners map[uint64]*listener
	endpoints map[int32][]*endpoint // by process id, in creation order
	ephemeral map[int]int
	connID    uint64
}

type listener struct {
	proc   *sim.Process
	inc    uint32
	port   int
	accept func(sim.Conn) sim.ConnHandler
}

// New creates the network of w and installs it.
func New(w *sim.World, cfg Config) (*Network, error) {
	if cfg.Latency == (sim.Dist{}) {
		cfg.Latency = sim.UniformDist(100*time.Microsecond, 500*time.Microsecond)
	}
	if cfg.Loopback == (sim.Dist{}) {
		cfg.Loopback = sim.FixedDist(10 * time.Microsecond)
	}
	if err := cfg.Latency.Validate(); err != nil {
		return nil, fmt.Errorf("network latency: %w", err)
	}
	if err := cfg.Loopback.Validate(); err != nil {
		return nil, fmt.Errorf("network loopback latency: %w", err)
	}
	n := &Network{
		w: w, cfg: cfg,
		links: map[uint64]*link{}, listeners: map[uint64]*listener{},
		endpoints: map[int32][]*endpoint{}, ephemeral: map[int]int{},
	}
	w.SetNetwork(n)
	return n, nil
}

// SetDefaultLatency sets the latency of links between distinct hosts that
// carry no traffic yet; a scenario calls it before it starts its processes.
func (n *Network) SetDefaultLatency(d sim.Dist) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("network latency: %w", err)
	}
	n.cfg.Latency = d
	return nil
}

// SetLoopbackLatency sets the latency between processes of one host, for
// the links not yet used.
func (n *Network) SetLoopbackLatency(d sim.Dist) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("network loopback latency: %w", err)
	}
	n.cfg.Loopback = d
	return nil
}

func listenKey(host, port int) uint64 { return uint64(host)<<32 | uint64(uint32(port)) }

func splitAddr(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i <= 0 {
		return "", 0, fmt.Errorf("address %q has no port", addr)
	}
	port, err := strconv.Atoi(addr[i+1:])
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("address %q has a bad port", addr)
	}
	return addr[:i], port, nil
}

// Listen implements sim.Network.
func (n *Network) Listen(p *sim.Process, port int, accept func(sim.Conn) sim.ConnHandler) error {
	if port <= 0 || port > 65535 {
		return fmt.Errorf("listen on port %d: out of range", port)
	}
	key := listenKey(p.Host().ID(), port)
	if l := n.listeners[key]; l != nil && l.proc.Alive(l.inc) {
		return fmt.Errorf("listen on %s:%d: %w", p.Host().Name(), port, sim.ErrPortInUse)
	}
	n.listeners[key] = &listener{proc: p, inc: p.Incarnation(), port: port, accept: accept}
	return nil
}

func (n *Network) track(e *endpoint) {
	id := e.proc.ID()
	n.endpoints[id] = append(n.endpoints[id], e)
}

func (n *Network) untrack(e *endpoint) {
	id := e.proc.ID()
	eps := n.endpoints[id]
	for i, x := range eps {
		if x == e {
			n.endpoints[id] = append(eps[:i], eps[i+1:]...)
			return
		}
	}
}

// ProcessDown implements sim.Network: the process's listeners go and its
// connections are reset (crash) or closed in order (graceful exit).
func (n *Network) ProcessDown(p *sim.Process, crashed bool) {
	eps := append([]*endpoint(nil), n.endpoints[p.ID()]...)
	for _, e := range eps {
		if e.closed {
			continue
		}
		if crashed {
			e.reset()
		} else {
			e.Close()
		}
	}
	delete(n.endpoints, p.ID())
}

// Conns returns the open connections between two hosts (either direction),
// oldest first, as (client side) Conn values; used by the reset fault.
func (n *Network) conns(a, b int) []*endpoint {
	var out []*endpoint
	seen := map[uint64]bool{}
	for _, p := range n.w.Processes() {
		for _, e := range n.endpoints[p.ID()] {
			if e.closed || e.out == nil || seen[e.c.id] {
				continue
			}
			from, to := e.out.link.from, e.out.link.to
			if (from == a && to == b) || (from == b && to == a) {
				seen[e.c.id] = true
				out = append(out, e)
			}
		}
	}
	sortEndpoints(out)
	return out
}
