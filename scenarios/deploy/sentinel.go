package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/sentinel"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// SentinelConfig is the configuration file Build writes for st: its port,
// then for each shard it watches the monitor line and the periods set.
func (b *Deployed) SentinelConfig(st Sentinel) (string, error) {
	return b.sentinelConfig(st, func(host string) string { return host })
}

// sentinelConfig is SentinelConfig with each master's host written as
// addr gives it: the host name in a world, the platform's address on a
// platform (redis-sentinel wants an address unless resolve-hostnames).
func (b *Deployed) sentinelConfig(st Sentinel, addr func(host string) string) (string, error) {
	port := st.Port
	if port == 0 {
		port = sentinel.DefaultPort
	}
	if st.Quorum < 1 {
		return "", fmt.Errorf("deploy: sentinel %s: quorum %d; it must be 1 or more", st.Host, st.Quorum)
	}
	var c strings.Builder
	c.WriteString("port " + strconv.Itoa(port) + "\n")
	n := 0
	for _, sh := range b.shards {
		if len(st.Shards) > 0 && !slices.Contains(st.Shards, sh.Name) {
			continue
		}
		if sh.Name == "" || strings.ContainsAny(sh.Name, " \t\"'") {
			return "", fmt.Errorf("deploy: sentinel %s: shard name %q cannot name a master; give the shard a name without spaces or quotes", st.Host, sh.Name)
		}
		m := sh.Nodes[0]
		c.WriteString("sentinel monitor " + sh.Name + " " + addr(m.Host) + " " + strconv.Itoa(m.Config.Port) + " " + strconv.Itoa(st.Quorum) + "\n")
		if st.DownAfter > 0 {
			c.WriteString("sentinel down-after-milliseconds " + sh.Name + " " + strconv.FormatInt(st.DownAfter.Milliseconds(), 10) + "\n")
		}
		if st.FailoverTimeout > 0 {
			c.WriteString("sentinel failover-timeout " + sh.Name + " " + strconv.FormatInt(st.FailoverTimeout.Milliseconds(), 10) + "\n")
		}
		if st.ParallelSyncs > 0 {
			c.WriteString("sentinel parallel-syncs " + sh.Name + " " + strconv.Itoa(st.ParallelSyncs) + "\n")
		}
		n++
	}
	if n == 0 {
		return "", fmt.Errorf("deploy: sentinel %s watches no shard (Shards %v)", st.Host, st.Shards)
	}
	c.WriteString(st.Extra)
	return c.String(), nil
}

func (b *Deployed) sentinel(st Sentinel) error {
	if _, dup := b.sentinelProcs[st.Host]; dup {
		return fmt.Errorf("deploy: two sentinels on host %s", st.Host)
	}
	port := st.Port
	if port == 0 {
		port = sentinel.DefaultPort
	}
	if b.pf != nil {
		return b.platformSentinel(st, port)
	}
	conf, err := b.SentinelConfig(st)
	if err != nil {
		return err
	}
	h := b.w.Host(st.Host)
	if h == nil {
		if h, err = b.w.AddHost(st.Host, sim.HostConfig{Disk: st.Disk, Clock: st.Clock}); err != nil {
			return err
		}
	}
	if err := h.Disk().Write(sentinel.DefaultConfigFile, []byte(conf)); err != nil {
		return err
	}
	p, err := h.Spawn("sentinel-"+st.Host, sentinel.Program(sentinel.Options{OnEvent: b.onSentinelEvent(st.Host)}))
	if err != nil {
		return err
	}
	b.sentinels = append(b.sentinels, st.Host)
	b.sentinelProcs[st.Host] = p
	b.sentinelPorts[st.Host] = port
	p.Start()
	return nil
}

// platformSentinel starts st on the platform, its monitor lines naming
// the platform's addresses.
func (b *Deployed) platformSentinel(st Sentinel, port int) error {
	conf, err := b.sentinelConfig(st, b.pf.Addr)
	if err != nil {
		return err
	}
	if err := b.pf.StartSentinel(st.Host, port, conf, b.onSentinelEvent(st.Host)); err != nil {
		return err
	}
	b.sentinels = append(b.sentinels, st.Host)
	b.sentinelPorts[st.Host] = port
	return nil
}

// onSentinelEvent records the events of the sentinel on host, at the
// true time they were published.
func (b *Deployed) onSentinelEvent(host string) func(typ, msg string) {
	return func(typ, msg string) {
		e := SentinelEvent{At: b.now(), Host: host, Type: typ, Msg: msg}
		b.sentinelEvents = append(b.sentinelEvents, e)
		if b.observed != nil {
			b.observed.SentinelEvents = append(b.observed.SentinelEvents, e)
		}
	}
}

// SentinelEvent is one event a sentinel published (+sdown, +odown,
// +switch-master...), at the true time it did, for checks and a report's
// timeline: the one type reports draws.
type SentinelEvent = reports.SentinelEvent

// SentinelEvents are every sentinel's published events so far, in order.
// Collecting them changes nothing in the run.
func (b *Deployed) SentinelEvents() []SentinelEvent { return b.sentinelEvents }

// Sentinels are the hosts of every sentinel, in the deployment's order.
func (b *Deployed) Sentinels() []string { return b.sentinels }

// SentinelProcess is the sentinel process on host, or nil.
func (b *Deployed) SentinelProcess(host string) *sim.Process { return b.sentinelProcs[host] }

// Sentinel is the current incarnation of the sentinel on host, nil when it
// is down (or there is none).
func (b *Deployed) Sentinel(host string) *sentinel.Sentinel {
	p := b.sentinelProcs[host]
	if p == nil || p.Node() == nil {
		return nil
	}
	s, _ := p.Node().(*sentinel.Sentinel)
	return s
}

// sentinelClients are c's clients, finding the master named c.Sentinel
// through the sentinels. On a platform the sentinels answer with the
// platform's addresses, which the clients translate back to host names.
func (b *Deployed) sentinelClients(c Clients) error {
	order := c.Sentinels
	if len(order) == 0 {
		if slices.Contains(b.sentinels, c.Host) {
			order = append(order, c.Host)
		}
		for _, s := range b.sentinels {
			if s != c.Host {
				order = append(order, s)
			}
		}
	}
	if len(order) == 0 {
		return fmt.Errorf("deploy: clients on %s follow Sentinel's master %q, but the deployment has no sentinel", c.Host, c.Sentinel)
	}
	addrs := make([]string, len(order))
	for i, s := range order {
		port, ok := b.sentinelPorts[s]
		if !ok {
			return fmt.Errorf("deploy: clients on %s: no sentinel on host %q", c.Host, s)
		}
		addrs[i] = s + ":" + strconv.Itoa(port)
	}
	for i := 0; i < c.Count; i++ {
		pid := b.nextPID
		b.nextPID++
		belief := ""
		sc := &client.Sentinel{Addrs: addrs, MasterName: c.Sentinel, OnMaster: func(addr string) { belief = addr }}
		if b.pf != nil {
			sc.Translate = b.hostAddr
		}
		prog, err := client.Program(client.Options{
			Process: pid, History: b.hist, Now: b.now, Sentinel: sc,
			Workload: c.Workload, Stop: clock.Time(c.Stop), IdleEvery: c.IdleEvery, IdleFor: c.IdleFor,
		})
		if err != nil {
			return err
		}
		if err := b.spawn(c.Host, fmt.Sprintf("client%d", pid), prog); err != nil {
			return err
		}
		b.targets[pid] = func() string { return belief }
	}
	return nil
}

// hostAddr is the platform's address addr as "host:port", or addr when
// the platform did not give it.
func (b *Deployed) hostAddr(addr string) string {
	if h, ok := b.pf.HostAddr(addr); ok {
		return h
	}
	return addr
}

// SentinelCommand sends one administrator's command to the sentinel on
// host, on a platform (a world's scenario sends it from a simulated host
// of its own, so that the network carries it).
func (b *Deployed) SentinelCommand(host string, args ...string) (string, error) {
	if b.pf == nil {
		return "", fmt.Errorf("deploy: SentinelCommand is for a platform; in a world, send it from a host of the world")
	}
	return b.pf.SentinelCommand(host, args...)
}
