package network

import (
	"time"

	"github.com/redsim/redsim/sim"
)

// link is the directed path from one host to another.
type link struct {
	from, to int
	latency  sim.Dist
	// slow multiplies every draw (a congested link); 1 normally.
	slow int64
	// cut is set by partitions, clogged by Clog; either holds traffic.
	cut, clogged bool
	// pipes are the connection directions that cross this link, for heal.
	pipes []*pipe
}

func (l *link) blocked() bool { return l.cut || l.clogged }

func (n *Network) draw(l *link) time.Duration {
	return l.latency.Draw(n.rand) * time.Duration(l.slow)
}

func (n *Network) link(from, to int) *link {
	key := uint64(from)<<32 | uint64(to)
	if l, ok := n.links[key]; ok {
		return l
	}
	lat := n.cfg.Latency
	if from == to {
		lat = n.cfg.Loopback
	}
	l := &link{from: from, to: to, latency: lat, slow: 1}
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
		base := now.Add(n.draw(l))
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
