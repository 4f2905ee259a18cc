package network

import (
	"time"

	"github.com/redsim/redsim/sim"
)

// link is the directed path from one host to another.
type link struct {
	from, to int
	// latency draws from the link's distribution on the link's own
	// stream, named by linkStream: every draw for traffic in this
	// direction comes from it, so traffic, faults and heals on one link
	// never move the draws of another.
	latency *sim.Draws
	// slow multiplies every draw (a congested link); 1 normally.
	slow int64
	// cut is set by partitions, clogged by Clog; either holds traffic.
	cut, clogged bool
	// pipes are the connection directions that cross this link, for heal.
	pipes []*pipe
}

func (l *link) blocked() bool { return l.cut || l.clogged }

// draw is the latency of the next segment to cross l.
func (l *link) draw() time.Duration {
	return l.latency.Next() * time.Duration(l.slow)
}

// linkStream names the stream of the link from one host to another.
//
// A link is one direction, not a pair of hosts: its latency is set per
// direction, a oneway partition cuts and heals one direction, and a client's
// requests would otherwise draw after however many replies its server sent.
// A stream per connection would be finer still, but a connection has no name
// that other connections' churn cannot shift (its id counts every dial in the
// world), so the link is the smallest unit whose name is stable.
func linkStream(from, to string) string { return "net/link/" + from + "->" + to }

// link returns the link from one host to another, creating it with the
// default latency and its stream on first use. Pipes keep the pointer, so a
// segment's draw costs no lookup.
func (n *Network) link(from, to int) *link {
	key := uint64(from)<<32 | uint64(to)
	if l, ok := n.links[key]; ok {
		return l
	}
	lat := n.cfg.Latency
	if from == to {
		lat = n.cfg.Loopback
	}
	hosts := n.w.Hosts()
	l := &link{from: from, to: to, latency: n.w.NewDraws(linkStream(hosts[from].Name(), hosts[to].Name()), lat), slow: 1}
	n.links[key] = l
	return l
}

func (l *link) remove(p *pipe) {
	for i, q := range l.pipes {
		if q == p {
			last := len(l.pipes) - 1
			l.pipes[i] = l.pipes[last]
			l.pipes[last] = nil
			l.pipes = l.pipes[:last]
			return
		}
	}
}

// unblock re-times every pipe held on l: its waiting segments leave now, after
// a fresh latency, still in order.
func (n *Network) unblock(l *link) {
	if l.blocked() {
		return
	}
	// Pipes are released in connection order, not in the link's slice order,
	// which swap-removal shuffles.
	held := make([]*pipe, 0, len(l.pipes))
	for _, p := range l.pipes {
		if p.pending() && !p.scheduled {
			held = append(held, p)
		}
	}
	sortPipes(held)
	now := n.w.Now()
	for _, p := range held {
		base := now.Add(l.draw())
		for i := p.head; i < len(p.segs); i++ {
			if p.segs[i].ready < base {
				p.segs[i].ready = base
			}
		}
		if p.last < base {
			p.last = base
		}
		p.schedule()
	}
}
