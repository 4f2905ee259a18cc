package client

import (
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
)

// Cluster makes a client a Redis Cluster client that behaves as go-redis
// v9's ClusterClient does:
//
//   - the slot map is CLUSTER SLOTS, asked of the known nodes (the seeds,
//     then also every node of the current map) in a random order until
//     one answers; the first operation waits for it;
//   - a map older than ClusterStateMaxAge is reloaded lazily, in the
//     background, while operations use the old one; MOVED, ASK and
//     READONLY replies also start a lazy reload; at most one reload runs,
//     and after one succeeds no other starts for ClusterReloadHold;
//   - an operation goes to the master of its key's slot (or, with ReadOnly
//     or RouteRandomly, a read-only one to a replica); MOVED sends it again
//     at once to the node named, whom the client takes for the slot's
//     master until the next map; ASK sends ASKING and it again at once, in
//     one pipeline, to the node named; TRYAGAIN, CLUSTERDOWN, LOADING,
//     MASTERDOWN and READONLY send it again after go-redis's retry backoff,
//     first to the same node, then to the node the map names; at most
//     MaxRedirects times in all.
//
// Discovery records nothing in the history: only the workload's operations
// are the client's.
type Cluster struct {
	// Addrs are the seed nodes' "host:port".
	Addrs []string
	// MaxRedirects is how many times one operation is sent again after a
	// redirection or a retryable refusal (go-redis's MaxRedirects): zero
	// means DefaultMaxRedirects, a negative value none.
	MaxRedirects int
	// ReadOnly sends READONLY on every new node connection and routes
	// read-only commands (GET, SMEMBERS, LRANGE, ...) to a replica of
	// their slot chosen at random, or to its master when it has none or
	// every replica is marked failing (go-redis's ReadOnly).
	ReadOnly bool
	// RouteRandomly routes read-only commands to the master or any replica
	// of their slot at random, avoiding nodes marked failing; it implies
	// ReadOnly (go-redis's RouteRandomly).
	RouteRandomly bool
}

// The cluster client's defaults and go-redis v9's constants.
const (
	// DefaultMaxRedirects is go-redis's MaxRedirects default.
	DefaultMaxRedirects = 3
	// ClusterStateMaxAge is how old a slot map may be before the next
	// operation starts a lazy reload (clusterStateHolder.Get's
	// ClusterStateReloadInterval: 10 s through go-redis v9.21, 60 s
	// from v9.22; kept at 10 s, as Options' defaults keep theirs).
	ClusterStateMaxAge = 10 * time.Second
	// ClusterReloadHold is how long after a successful reload no other
	// starts (LazyReload sleeps 200 ms before it clears its flag).
	ClusterReloadHold = 200 * time.Millisecond
	// NodeFailingFor is how long a node marked failing is avoided by
	// replica reads (clusterNode.Failing: 15 s).
	NodeFailingFor = 15 * time.Second
)

func (o *Cluster) maxRedirects() int {
	switch {
	case o.MaxRedirects < 0:
		return 0
	case o.MaxRedirects == 0:
		return DefaultMaxRedirects
	}
	return o.MaxRedirects
}

// slotRange is one entry of CLUSTER SLOTS: slots start..end, served by
// nodes, the master first.
type slotRange struct {
	start, end int
	nodes      []string
	// master is the view's node for nodes[0], found by the first
	// operation routed to the range, so that the next ones need no lookup
	// by address. A map is never changed once parsed and belongs to one
	// view, so it cannot go stale: a new map starts without.
	master *clusterNode
}

// slotMap is one CLUSTER SLOTS reply.
type slotMap struct {
	ranges []slotRange    // by start
	addrs  []string       // every node, in the reply's order
	loaded time.Duration  // env.Mono() when it was loaded
	from   string         // the node that answered
	byAddr map[string]int // addrs' indexes, for lookups only
}

// nodes are the nodes of slot, master first; nil when no range has it.
func (m *slotMap) nodes(slot int) []string {
	if r := m.rangeOf(slot); r != nil {
		return r.nodes
	}
	return nil
}

// rangeOf is the range that has slot, or nil.
func (m *slotMap) rangeOf(slot int) *slotRange {
	lo, hi := 0, len(m.ranges)
	for lo < hi {
		mid := (lo + hi) / 2
		if m.ranges[mid].end < slot {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(m.ranges) && m.ranges[lo].start <= slot {
		return &m.ranges[lo]
	}
	return nil
}

// parseSlots reads a CLUSTER SLOTS reply; a node whose endpoint is unknown
// ("?" or null) is left out, as go-redis cannot dial it either.
func parseSlots(v resp.Value) (*slotMap, bool) {
	if v.Kind != resp.KindArray || v.IsNull || len(v.Elems) == 0 {
		return nil, false
	}
	m := &slotMap{byAddr: map[string]int{}}
	for _, e := range v.Elems {
		if e.Kind != resp.KindArray || len(e.Elems) < 3 || e.Elems[0].Kind != resp.KindInt || e.Elems[1].Kind != resp.KindInt {
			return nil, false
		}
		r := slotRange{start: int(e.Elems[0].Int), end: int(e.Elems[1].Int)}
		for _, n := range e.Elems[2:] {
			if n.Kind != resp.KindArray || len(n.Elems) < 2 || n.Elems[0].IsNull || n.Elems[1].Kind != resp.KindInt {
				continue
			}
			host := string(n.Elems[0].Str)
			if host == "" || host == "?" {
				continue
			}
			addr := host + ":" + strconv.FormatInt(n.Elems[1].Int, 10)
			r.nodes = append(r.nodes, addr)
			if _, ok := m.byAddr[addr]; !ok {
				m.byAddr[addr] = len(m.addrs)
				m.addrs = append(m.addrs, addr)
			}
		}
		if r.start < 0 || r.end < r.start || r.end >= 16384 {
			return nil, false
		}
		m.ranges = append(m.ranges, r)
	}
	// go-redis sorts the ranges by start.
	for i := 1; i < len(m.ranges); i++ {
		for j := i; j > 0 && m.ranges[j].start < m.ranges[j-1].start; j-- {
			m.ranges[j], m.ranges[j-1] = m.ranges[j-1], m.ranges[j]
		}
	}
	return m, true
}

// clusterView is one incarnation's cluster state: the slot map, the
// connections to the nodes (a pool of one per node), and the operation in
// flight's routing.
type clusterView struct {
	o     *Cluster
	state *slotMap
	// moved holds the masters that MOVED named since state was loaded.
	moved     map[int]*clusterNode
	reloading bool
	probe     *redisconn.Conn // the CLUSTER SLOTS request in flight
	// failing holds when each node was last marked failing, on env.Mono.
	failing map[string]time.Duration
	// nodes are the nodes operations were routed to, one per address,
	// kept for the incarnation (nodeFor); conns are those with a
	// connection, in the order the connections were made.
	nodes []*clusterNode
	conns []*clusterNode

	// The operation in flight.
	slot     int
	node     *clusterNode // where the next attempt goes; nil means route again
	tries    int          // attempts that failed and may be retried
	ask      bool         // the next attempt is preceded by ASKING
	gen      int          // the attempt's number, in the tags of its commands
	readOnly bool         // the operation's command is read-only
}

// clusterNode is one node as the client sends to it: its address, the
// host an operation sent there records, and the pool of one connection.
type clusterNode struct {
	addr string
	host string          // hostOf(addr)
	conn *redisconn.Conn // nil until first used, and after dropNode
}

func newClusterView(o *Cluster) *clusterView {
	return &clusterView{o: o, moved: map[int]*clusterNode{}, failing: map[string]time.Duration{}}
}

// nodeFor is the node at addr, made on first use. The nodes are few (a
// cluster's), and found by address only when an operation is not routed
// by a range's cached master.
func (v *clusterView) nodeFor(addr string) *clusterNode {
	for _, n := range v.nodes {
		if n.addr == addr {
			return n
		}
	}
	n := &clusterNode{addr: addr, host: hostOf(addr)}
	v.nodes = append(v.nodes, n)
	return n
}

// known are the addresses a reload asks: the seeds, then the nodes of the
// current map not among them.
func (v *clusterView) known() []string {
	out := append([]string(nil), v.o.Addrs...)
	if v.state == nil {
		return out
	}
	for _, a := range v.state.addrs {
		seed := false
		for _, s := range v.o.Addrs {
			seed = seed || s == a
		}
		if !seed {
			out = append(out, a)
		}
	}
	return out
}

// reload asks the known nodes, in a random order, for CLUSTER SLOTS until
// one answers with a map; done is told whether one did.
func (c *client) reload(done func(ok bool)) {
	addrs := c.clu.known()
	order := make([]string, len(addrs))
	for i, j := range c.env.Rand().Perm(len(addrs)) {
		order[i] = addrs[j]
	}
	c.askSlots(order, done)
}

func (c *client) askSlots(order []string, done func(ok bool)) {
	v := c.clu
	if len(order) == 0 {
		c.env.Logf("client %d: no cluster node answered CLUSTER SLOTS", c.o.Process)
		done(false)
		return
	}
	addr := order[0]
	conn := redisconn.New(c.env, addr, redisconn.Options{
		DialTimeout: c.o.DialTimeout,
		Timeout:     c.o.Timeout,
		LogPrefix:   "client " + strconv.Itoa(c.o.Process) + " slots: ",
	})
	v.probe = conn
	conn.Do(redisconn.Func(func(reply resp.Value, err error) {
		conn.Close()
		if v.probe != conn {
			return // abandoned by Stop
		}
		v.probe = nil
		var m *slotMap
		ok := err == nil
		if ok {
			m, ok = parseSlots(reply)
		}
		if !ok {
			c.askSlots(order[1:], done)
			return
		}
		m.loaded, m.from = c.env.Mono(), addr
		v.state = m
		clear(v.moved)
		done(true)
	}), 0, []byte("CLUSTER"), []byte("SLOTS"))
}

// lazyReload starts a reload in the background unless one runs or one
// succeeded less than ClusterReloadHold ago.
func (c *client) lazyReload() {
	v := c.clu
	if v.reloading {
		return
	}
	v.reloading = true
	c.reload(func(ok bool) {
		if !ok {
			v.reloading = false
			return
		}
		c.env.After(ClusterReloadHold, func() { v.reloading = false })
	})
}

// clusterReady reports whether the client has a slot map; when it has
// none it loads one, and calls step again once it is loaded (or after a
// backoff, if no node answered).
func (c *client) clusterReady() bool {
	v := c.clu
	if v.state != nil {
		if c.env.Mono()-v.state.loaded > ClusterStateMaxAge {
			c.lazyReload()
		}
		return true
	}
	if v.reloading {
		return false // the load under way calls step
	}
	v.reloading = true
	c.reload(func(ok bool) {
		if !ok {
			v.reloading = false
			c.fails++
			c.after(c.backoff())
			return
		}
		c.env.After(ClusterReloadHold, func() { v.reloading = false })
		c.fails = 0
		c.after(0)
	})
	return false
}

// masterNode is where a command for slot goes: the node MOVED named, the
// slot's master in the map, or any known node when the map has no master
// for it (go-redis's slotMasterNode).
func (c *client) masterNode(slot int) *clusterNode {
	v := c.clu
	if n, ok := v.moved[slot]; ok {
		return n
	}
	if r := v.state.rangeOf(slot); r != nil && len(r.nodes) > 0 {
		if r.master == nil {
			r.master = v.nodeFor(r.nodes[0])
		}
		return r.master
	}
	return v.nodeFor(c.randomNode())
}

// readOnlyNode is where a read-only command for slot goes, with ReadOnly
// (slotSlaveNode) or RouteRandomly (slotRandomNode).
func (c *client) readOnlyNode(slot int) string {
	v := c.clu
	if n, ok := v.moved[slot]; ok {
		return n.addr // the map's replicas are stale
	}
	ns := v.state.nodes(slot)
	r := c.env.Rand()
	if v.o.RouteRandomly {
		if len(ns) == 0 {
			return c.randomNode()
		}
		if len(ns) == 1 {
			return ns[0]
		}
		perm := r.Perm(len(ns))
		for _, i := range perm {
			if !c.isFailing(ns[i]) {
				return ns[i]
			}
		}
		return ns[perm[0]]
	}
	switch len(ns) {
	case 0:
		return c.randomNode()
	case 1:
		return ns[0]
	case 2:
		if !c.isFailing(ns[1]) {
			return ns[1]
		}
		return ns[0]
	}
	for range 10 {
		if n := ns[1+r.IntN(len(ns)-1)]; !c.isFailing(n) {
			return n
		}
	}
	return ns[0] // every replica is failing: the master
}

func (c *client) randomNode() string {
	addrs := c.clu.known()
	return addrs[c.env.Rand().IntN(len(addrs))]
}

func (c *client) markFailing(addr string) { c.clu.failing[addr] = c.env.Mono() }

func (c *client) isFailing(addr string) bool {
	at, ok := c.clu.failing[addr]
	if !ok {
		return false
	}
	if c.env.Mono()-at < NodeFailingFor {
		return true
	}
	delete(c.clu.failing, addr)
	return false
}

// connTo is the connection to n, made on first use; with ReadOnly (or
// RouteRandomly) every connection it dials, the first and any after a
// reset, starts with READONLY, as go-redis's connection initialisation
// sends it.
func (c *client) connTo(n *clusterNode) *redisconn.Conn {
	if n.conn != nil {
		return n.conn
	}
	v := c.clu
	n.conn = redisconn.New(c.env, n.addr, redisconn.Options{
		DialTimeout: c.o.DialTimeout,
		Timeout:     c.o.Timeout,
		LogPrefix:   "client " + strconv.Itoa(c.o.Process) + ": ",
		ReadOnly:    v.o.ReadOnly || v.o.RouteRandomly,
		// As connect's: every reply is decoded at once.
		ReuseReplies: true,
	})
	v.conns = append(v.conns, n)
	return n.conn
}

// dropNode closes and forgets the connection to n, so that a late reply
// is never matched and the next one is made anew (and sends READONLY
// again).
func (c *client) dropNode(n *clusterNode) {
	v := c.clu
	for i, x := range v.conns {
		if x == n {
			n.conn.Close()
			n.conn = nil
			v.conns = append(v.conns[:i], v.conns[i+1:]...)
			return
		}
	}
}

// closeCluster closes every connection of the incarnation.
func (c *client) closeCluster() {
	v := c.clu
	for _, n := range v.conns {
		n.conn.Close()
		n.conn = nil
	}
	v.conns = nil
	if v.probe != nil {
		v.probe.Close()
		v.probe = nil
	}
}
