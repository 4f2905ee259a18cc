package live

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/sim"
)

// Addr is host's loopback address, assigned on first use: what a
// sentinel's monitor line names.
func (b *Backend) Addr(host string) string { return b.addr(host) }

// HostAddr maps "ip:port" of one of the run's addresses to "host:port".
func (b *Backend) HostAddr(addr string) (string, bool) {
	ip, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false
	}
	h, ok := b.hostOf(ip)
	if !ok {
		return "", false
	}
	return net.JoinHostPort(h, port), true
}

// hostOf is the host the run gave the address ip.
func (b *Backend) hostOf(ip string) (string, bool) {
	for _, h := range b.order {
		if b.hosts[h] == ip {
			return h, true
		}
	}
	return "", false
}

// hostNames writes every one of the run's addresses in text (a
// sentinel's event: "master mymaster 127.0.12.1 6379", a replica's name
// "127.0.12.2:6379") as its host's name, as the simulated sentinels'
// events read.
func (b *Backend) hostNames(text string) string {
	f := strings.Fields(text)
	for i, w := range f {
		if h, ok := b.hostOf(w); ok {
			f[i] = h
		} else if h, ok := b.HostAddr(w); ok {
			f[i] = h
		}
	}
	return strings.Join(f, " ")
}

// sentinelConf is a sentinel's configuration file: the run's own lines
// (its address and directory), then the deployment's (port, monitors,
// periods, Extra), which may override them.
func sentinelConf(ip string, port int, dir, logfile, conf string) string {
	lines := []string{
		"# written by simulate run --live",
		"bind " + ip,
		// Sentinel's own connections (to the nodes and the other
		// sentinels) leave from 127.0.0.1 unless told otherwise, which no
		// partition of the run's would cut.
		"bind-source-addr " + ip,
		"port " + strconv.Itoa(port),
		"protected-mode no",
		"daemonize no",
		"dir " + quote(dir),
		"logfile " + quote(logfile),
		// The address it announces to the other sentinels (in its hello
		// messages) is its own: partitions cut it by that address.
		"sentinel announce-ip " + ip,
	}
	return strings.Join(lines, "\n") + "\n" + conf
}

// StartSentinel writes host's sentinel.conf and starts its
// redis-sentinel, beside the host's redis-server if it has one (the same
// address, another port), waiting until it answers PING; from the run's
// start a subscription from the operator's address (PSUBSCRIBE *) hands
// its events to onEvent.
func (b *Backend) StartSentinel(host string, port int, conf string, onEvent func(typ, msg string)) error {
	if b.sentinels[host] != nil {
		return fmt.Errorf("live: two sentinels on host %q", host)
	}
	bin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		return &MissingError{"live mode needs redis-sentinel on PATH for a deployment with sentinels", "install it: apt-get install -y redis-sentinel"}
	}
	n := &node{host: host, ip: b.addr(host), port: port, bin: bin, confName: "sentinel.conf", root: filepath.Join(b.root, host+"-sentinel")}
	n.origConf = sentinelConf(n.ip, port, n.dataDir(), filepath.Join(n.root, "sentinel.log"), conf)
	if err := os.MkdirAll(n.dataDir(), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(n.conf(), []byte(n.origConf), 0o644); err != nil {
		return err
	}
	if b.sentinels == nil {
		b.sentinels = map[string]*node{}
	}
	b.sentinels[host] = n
	if err := n.start(); err != nil {
		return err
	}
	if err := n.waitReady(b.hosts[operatorHost], 10*time.Second); err != nil {
		return err
	}
	if len(b.sentinels) == 1 {
		b.facts = append(b.facts, "sentinels: real redis-sentinel processes; their events are collected over pub/sub (PSUBSCRIBE * from the run's own address) and timed on arrival, "+
			"with the run's addresses written as host names; events published before the run's start (+monitor) are not collected")
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	return b.Spawn(operatorHost, "events-"+host, func(env sim.Env) sim.Node {
		w := &eventWatch{env: env, addr: addr, onEvent: func(typ, msg string) { onEvent(typ, b.hostNames(msg)) }}
		w.dial()
		return w
	})
}

// SentinelState asks the sentinel on host SENTINEL MASTERS and INFO
// sentinel; its current epoch is the one its configuration file holds (it
// rewrites the file before it acts on a new epoch, and no command
// reports the epoch). A paused sentinel is not asked.
func (b *Backend) SentinelState(host string) (deploy.SentinelState, error) {
	n := b.sentinels[host]
	if n == nil {
		return deploy.SentinelState{}, fmt.Errorf("no sentinel on host %q", host)
	}
	if !n.up() {
		return deploy.SentinelState{}, errors.New("the sentinel is down")
	}
	if n.paused {
		return deploy.SentinelState{Paused: true}, nil
	}
	from := b.hosts[operatorHost]
	v, err := command(from, n.ip, n.port, "SENTINEL", "MASTERS")
	if err != nil {
		return deploy.SentinelState{}, err
	}
	var st deploy.SentinelState
	for _, m := range v.Elems {
		f := map[string]string{}
		for i := 0; i+1 < len(m.Elems); i += 2 {
			f[string(m.Elems[i].Str)] = string(m.Elems[i+1].Str)
		}
		addr := net.JoinHostPort(f["ip"], f["port"])
		if h, ok := b.HostAddr(addr); ok {
			addr = h
		}
		ep, _ := strconv.ParseUint(f["config-epoch"], 10, 64)
		st.Masters = append(st.Masters, deploy.SentinelMaster{Name: f["name"], Addr: addr, Status: flagsStatus(f["flags"]), ConfigEpoch: ep})
	}
	info, err := command(from, n.ip, n.port, "INFO", "sentinel")
	if err != nil {
		return deploy.SentinelState{}, err
	}
	st.Tilt = infoFields(string(info.Str))["sentinel_tilt"] == "1"
	if text, err := os.ReadFile(n.conf()); err == nil {
		for _, line := range strings.Split(string(text), "\n") {
			if e, ok := strings.CutPrefix(line, "sentinel current-epoch "); ok {
				st.CurrentEpoch, _ = strconv.ParseUint(strings.TrimSpace(e), 10, 64)
			}
		}
	}
	return st, nil
}

// SentinelCommand sends args to the sentinel on host from the run's own
// address.
func (b *Backend) SentinelCommand(host string, args ...string) (string, error) {
	n := b.sentinels[host]
	if n == nil {
		return "", fmt.Errorf("no sentinel on host %q", host)
	}
	if !n.up() {
		return "", errors.New("the sentinel is down")
	}
	v, err := command(b.hosts[operatorHost], n.ip, n.port, args...)
	if err != nil {
		return "", err
	}
	return redisconn.Brief(v), nil
}

// flagsStatus is INFO's status of a master ("ok", "sdown", "odown") from
// the flags SENTINEL MASTERS lists ("s_down,master").
func flagsStatus(flags string) string {
	switch {
	case strings.Contains(flags, "o_down"):
		return "odown"
	case strings.Contains(flags, "s_down"):
		return "sdown"
	}
	return "ok"
}

// eventRedial is how long an event subscription waits before dialing a
// sentinel again after its connection ended (the sentinel crashed).
const eventRedial = 100 * time.Millisecond

// eventWatch is a subscription to every channel of one sentinel, on the
// run's loop: each pmessage is an event (the channel its type, the
// payload its message). It dials again when the connection ends.
type eventWatch struct {
	env     sim.Env
	addr    string
	onEvent func(typ, msg string)
	conn    sim.Conn
	rr      *resp.ReplyReader
	stopped bool
}

func (w *eventWatch) dial() {
	w.rr = resp.NewReplyReader()
	w.conn = w.env.Dial(w.addr, time.Second, w)
	w.conn.Write(resp.AppendCommandStrings(nil, "PSUBSCRIBE", "*"))
}

func (w *eventWatch) OnOpen(sim.Conn) {}

func (w *eventWatch) OnData(c sim.Conn, p []byte) {
	if c != w.conn {
		return
	}
	w.rr.Feed(p)
	for {
		v, ok, err := w.rr.Next()
		if err != nil {
			w.env.Logf("sentinel events from %s: %v", w.addr, err)
			c.Abort()
			w.OnClose(c, err)
			return
		}
		if !ok {
			return
		}
		if len(v.Elems) == 4 && string(v.Elems[0].Str) == "pmessage" {
			w.onEvent(string(v.Elems[2].Str), string(v.Elems[3].Str))
		}
	}
}

func (w *eventWatch) OnClose(c sim.Conn, err error) {
	if c != w.conn || w.stopped {
		return
	}
	w.conn = nil
	w.env.After(eventRedial, func() {
		if !w.stopped {
			w.dial()
		}
	})
}

// Stop ends the subscription.
func (w *eventWatch) Stop() {
	w.stopped = true
	if w.conn != nil {
		w.conn.Close()
	}
}
