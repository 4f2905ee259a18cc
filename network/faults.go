package network

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redsim/redsim/sim"
)

// The faults take host names; an unknown name is an error that names it.

func (n *Network) hostIDs(names []string) ([]int, error) {
	ids := make([]int, len(names))
	for i, name := range names {
		h := n.w.Host(name)
		if h == nil {
			return nil, fmt.Errorf("host %q is unknown", name)
		}
		ids[i] = h.ID()
	}
	return ids, nil
}

func (n *Network) allIDs() []int {
	ids := make([]int, len(n.w.Hosts()))
	for i := range ids {
		ids[i] = i
	}
	return ids
}

func (n *Network) cut(from, to int) {
	if from != to {
		n.link(from, to).cut = true
	}
}

// Isolate cuts host off from every other host, both ways.
func (n *Network) Isolate(host string) error {
	ids, err := n.hostIDs([]string{host})
	if err != nil {
		return err
	}
	n.w.Fault("partition isolate " + host)
	for _, o := range n.allIDs() {
		n.cut(ids[0], o)
		n.cut(o, ids[0])
	}
	return nil
}

// Split cuts every link between hosts of different groups, both ways. Hosts
// in no group keep their links.
func (n *Network) Split(groups [][]string) error {
	ids := make([][]int, len(groups))
	var desc []string
	for i, g := range groups {
		var err error
		if ids[i], err = n.hostIDs(g); err != nil {
			return err
		}
		desc = append(desc, strings.Join(g, ","))
	}
	n.w.Fault("partition split " + strings.Join(desc, " | "))
	for i := range ids {
		for j := range ids {
			if i == j {
				continue
			}
			for _, a := range ids[i] {
				for _, b := range ids[j] {
					n.cut(a, b)
				}
			}
		}
	}
	return nil
}

// OneWay cuts traffic from each of from to each of to, leaving the reverse
// direction open.
func (n *Network) OneWay(from, to []string) error {
	a, err := n.hostIDs(from)
	if err != nil {
		return err
	}
	b, err := n.hostIDs(to)
	if err != nil {
		return err
	}
	n.w.Fault("partition oneway " + strings.Join(from, ",") + " -> " + strings.Join(to, ","))
	for _, x := range a {
		for _, y := range b {
			n.cut(x, y)
		}
	}
	return nil
}

// Bridge splits the hosts into two sides that cannot talk to each other, with
// bridge connected to both (Jepsen's bridge partition).
func (n *Network) Bridge(left, right []string, bridge string) error {
	a, err := n.hostIDs(left)
	if err != nil {
		return err
	}
	b, err := n.hostIDs(right)
	if err != nil {
		return err
	}
	if _, err := n.hostIDs([]string{bridge}); err != nil {
		return err
	}
	n.w.Fault("partition bridge " + strings.Join(left, ",") + " | " + bridge + " | " + strings.Join(right, ","))
	for _, x := range a {
		for _, y := range b {
			n.cut(x, y)
			n.cut(y, x)
		}
	}
	return nil
}

// Heal restores every link a partition cut; clogged links stay clogged.
func (n *Network) Heal() {
	n.w.Fault("heal")
	for _, a := range n.allIDs() {
		for _, b := range n.allIDs() {
			if l, ok := n.links[uint64(a)<<32|uint64(b)]; ok && l.cut {
				l.cut = false
				n.unblock(l)
			}
		}
	}
}

// Restore ends every network fault at once: partitions, clogs and slow links.
func (n *Network) Restore() {
	n.w.Fault("restore network")
	for _, a := range n.allIDs() {
		for _, b := range n.allIDs() {
			if l, ok := n.links[uint64(a)<<32|uint64(b)]; ok {
				l.cut, l.clogged, l.slow = false, false, 1
				n.unblock(l)
			}
		}
	}
}

// Clog holds all traffic between two hosts, both ways, until Unclog.
func (n *Network) Clog(a, b string) error {
	ids, err := n.hostIDs([]string{a, b})
	if err != nil {
		return err
	}
	n.w.Fault("clog " + a + " " + b)
	n.link(ids[0], ids[1]).clogged = true
	n.link(ids[1], ids[0]).clogged = true
	return nil
}

// Unclog releases a clogged link.
func (n *Network) Unclog(a, b string) error {
	ids, err := n.hostIDs([]string{a, b})
	if err != nil {
		return err
	}
	n.w.Fault("unclog " + a + " " + b)
	for _, l := range []*link{n.link(ids[0], ids[1]), n.link(ids[1], ids[0])} {
		l.clogged = false
		n.unblock(l)
	}
	return nil
}

// Slow multiplies the latency between two hosts, both ways, by factor (1
// restores it).
func (n *Network) Slow(a, b string, factor int) error {
	ids, err := n.hostIDs([]string{a, b})
	if err != nil {
		return err
	}
	if factor < 1 {
		return fmt.Errorf("slow factor %d: want at least 1", factor)
	}
	n.w.Fault(fmt.Sprintf("slow %s %s x%d", a, b, factor))
	n.link(ids[0], ids[1]).slow = int64(factor)
	n.link(ids[1], ids[0]).slow = int64(factor)
	return nil
}

// SetLatency sets the latency distribution from one host to another.
func (n *Network) SetLatency(from, to string, d sim.Dist) error {
	ids, err := n.hostIDs([]string{from, to})
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("latency %s->%s: %w", from, to, err)
	}
	n.link(ids[0], ids[1]).latency.SetDist(d)
	return nil
}

// ResetConns resets every open connection between two hosts, as a middlebox
// would: both sides see ErrReset after the link latency. It returns how many.
func (n *Network) ResetConns(a, b string) (int, error) {
	ids, err := n.hostIDs([]string{a, b})
	if err != nil {
		return 0, err
	}
	eps := n.conns(ids[0], ids[1])
	n.w.Fault(fmt.Sprintf("reset %s %s conns=%d", a, b, len(eps)))
	for _, e := range eps {
		n.resetBoth(e.c)
	}
	return len(eps), nil
}

// ResetConn resets one connection by id; it reports whether it was open.
func (n *Network) ResetConn(id uint64) bool {
	for _, p := range n.w.Processes() {
		for _, e := range n.endpoints[p.ID()] {
			if e.c.id == id && !e.closed {
				n.w.Fault(fmt.Sprintf("reset conn=%d", id))
				n.resetBoth(e.c)
				return true
			}
		}
	}
	return false
}

// resetBoth makes both sides see a reset, each on its own turn.
func (n *Network) resetBoth(c *conn) {
	for _, e := range []*endpoint{c.client, c.server} {
		if e == nil || e.closed || e.in == nil {
			continue
		}
		// The RST reaches e through its incoming pipe, after what is already
		// in flight was dropped.
		e.in.drop()
		e.in.push(segRst, nil)
	}
}

// Blocked reports whether traffic from one host to another is held now.
func (n *Network) Blocked(from, to string) bool {
	ids, err := n.hostIDs([]string{from, to})
	if err != nil {
		return false
	}
	l, ok := n.links[uint64(ids[0])<<32|uint64(ids[1])]
	return ok && l.blocked()
}

func sortEndpoints(eps []*endpoint) {
	sort.Slice(eps, func(i, j int) bool { return eps[i].c.id < eps[j].c.id })
}
