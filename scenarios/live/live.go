package live

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
	"github.com/redsim/redsim/sim/realenv"
)

// DirPrefix starts the name of every live run's temporary directory:
// redsim-live-<pid>-..., so that a later run can remove what a killed one
// left.
const DirPrefix = "redsim-live-"

// ErrInterrupted is Run's error when the run was stopped (SIGINT or
// SIGTERM) before its end.
var ErrInterrupted = errors.New("live run interrupted")

// MissingError is what a live run cannot start without: root, or a
// binary. Its message says how to get it.
type MissingError struct{ What, Fix string }

func (e *MissingError) Error() string { return e.What + "; " + e.Fix }

// Options configure a live run.
type Options struct {
	// Seed seeds each client's own PRNG, with its name (the schedule and
	// the workload's draws are the seed's world's, as in simulation).
	Seed uint64
	// TempDir is where the run's directory is made; "" is os.TempDir().
	TempDir string
	// Log receives the clients' log lines; nil discards them.
	Log io.Writer
	// Keep leaves the run's directory (configurations, logs, data) in
	// place after Close.
	Keep bool
}

// Check reports what a live run needs and does not have: root (for
// iptables), redis-server and iptables on PATH.
func Check() error {
	if os.Geteuid() != 0 {
		return &MissingError{"live mode needs root: partitions are iptables rules", "run simulate as root (sudo), on a machine you may change the firewall of"}
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return &MissingError{"live mode needs redis-server on PATH", "install it: apt-get install -y redis-server"}
	}
	for _, bin := range []string{"iptables", "iptables-restore"} {
		if _, err := exec.LookPath(bin); err != nil {
			return &MissingError{"live mode needs " + bin + " on PATH", "install it: apt-get install -y iptables"}
		}
	}
	return nil
}

// Backend runs one scenario as real processes; see the package doc.
type Backend struct {
	opts  Options
	ctx   context.Context
	bin   string
	root  string
	fw    *firewall
	loop  *realenv.Loop
	block string // 127.0.X.
	// hosts are the addresses by host name, in the order given; nodes
	// the Redis nodes by host, sentinels the sentinels.
	hosts     map[string]string
	order     []string
	nodes     map[string]*node
	sentinels map[string]*node
	// t0 is when Run began: true time zero. pending holds what At and
	// Spawn were given before Run.
	t0      time.Time
	running bool
	pending []func()
	facts   []string
	notes   []string
	closed  bool
}

var _ scenarios.Backend = (*Backend)(nil)

// operatorHost is the run's own address: operator commands and checks
// come from it, and no fault ever cuts it.
const operatorHost = "operator"

// New prepares a live run: it checks what the run needs, removes what
// killed runs left, and makes the run's directory, iptables chain and
// loop. ctx ends the run early (Ctrl-C). Close undoes all of it.
func New(ctx context.Context, opts Options) (*Backend, error) {
	if err := Check(); err != nil {
		return nil, err
	}
	bin, _ := exec.LookPath("redis-server")
	stale, err := CleanStale(opts.TempDir)
	if err != nil {
		return nil, err
	}
	pid := os.Getpid()
	root, err := os.MkdirTemp(opts.TempDir, DirPrefix+strconv.Itoa(pid)+"-")
	if err != nil {
		return nil, err
	}
	b := &Backend{opts: opts, ctx: ctx, bin: bin, root: root, hosts: map[string]string{}, nodes: map[string]*node{},
		block: fmt.Sprintf("127.0.%d.", 10+pid%240)}
	if len(stale) > 0 {
		b.facts = append(b.facts, "removed what killed live runs left: "+strings.Join(stale, ", "))
	}
	if b.fw, err = newFirewall(pid); err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	b.addr(operatorHost)
	b.loop, err = realenv.New(realenv.Config{Name: "live", Host: operatorHost, Dir: filepath.Join(root, "operator"), Log: log,
		ListenHost: b.hosts[operatorHost], DialFrom: b.hosts[operatorHost], Resolve: b.resolve})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// CleanStale removes the chains and directories of live runs whose
// process is gone, and names them.
func CleanStale(tempDir string) ([]string, error) {
	removed, err := removeStaleChains()
	if err != nil {
		return removed, err
	}
	if tempDir == "" {
		tempDir = os.TempDir()
	}
	ents, _ := os.ReadDir(tempDir)
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), DirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		p, _, _ := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(p); err == nil && pidRuns(pid) {
			continue
		}
		if os.RemoveAll(filepath.Join(tempDir, e.Name())) == nil {
			removed = append(removed, filepath.Join(tempDir, e.Name()))
		}
	}
	return removed, nil
}

// Root is the run's directory: a node's is Root()/HOST.
func (b *Backend) Root() string { return b.root }

// Chain is the run's iptables chain.
func (b *Backend) Chain() string { return b.fw.chain }

// addr is host's loopback address, assigned on first use.
func (b *Backend) addr(host string) string {
	if a, ok := b.hosts[host]; ok {
		return a
	}
	a := b.block + strconv.Itoa(len(b.order)+1)
	b.hosts[host] = a
	b.order = append(b.order, host)
	return a
}

// resolve maps a scenario's "host:port" to the host's address. It runs on
// the loop's dialing goroutines: hosts are all assigned before Run.
func (b *Backend) resolve(addr string) (string, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	ip, ok := b.hosts[h]
	if !ok || h == operatorHost {
		return "", sim.ErrNoHost
	}
	return net.JoinHostPort(ip, p), nil
}

// Now is the time since Run began.
func (b *Backend) Now() clock.Time {
	if !b.running {
		return 0
	}
	return clock.Time(time.Since(b.t0))
}

// At runs fn at true time at on the loop.
func (b *Backend) At(at time.Duration, fn func()) {
	if !b.running {
		b.pending = append(b.pending, func() { b.At(at, fn) })
		return
	}
	b.loop.After(at-time.Since(b.t0), fn)
}

// StartNode writes host's redis.conf and starts its redis-server, waiting
// until it answers, so that every node is up at time zero, as in the
// simulator.
func (b *Backend) StartNode(host string, cfg redis.Config) error {
	if b.nodes[host] != nil {
		return fmt.Errorf("live: two nodes on host %q", host)
	}
	n := &node{host: host, ip: b.addr(host), port: cfg.Port, bin: b.bin, confName: "redis.conf", root: filepath.Join(b.root, host)}
	master := ""
	if cfg.ReplicaOf != "" {
		mh, mp, err := net.SplitHostPort(cfg.ReplicaOf)
		if err != nil {
			return fmt.Errorf("live: node %s: replicaof %q is not host:port", host, cfg.ReplicaOf)
		}
		master = b.addr(mh) + " " + mp
	}
	text, err := redisConf(cfg, n.ip, n.port, n.dataDir(), filepath.Join(n.root, "redis.log"), master)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(n.dataDir(), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(n.conf(), []byte(text), 0o644); err != nil {
		return err
	}
	b.nodes[host] = n
	if err := n.start(); err != nil {
		return err
	}
	return n.waitReady(b.hosts[operatorHost], 10*time.Second)
}

// Spawn runs prog on the loop as a process of host, dialing from host's
// address, with a PRNG of its own seeded by the run's seed and its name.
func (b *Backend) Spawn(host, name string, prog sim.Program) error {
	if !b.running {
		b.addr(host)
		b.pending = append(b.pending, func() {
			if err := b.Spawn(host, name, prog); err != nil {
				b.facts = append(b.facts, "could not start "+name+": "+err.Error())
			}
		})
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(b.opts.Seed, h.Sum64()))
	return b.loop.Spawn(realenv.Process{Name: name, Host: host, DialFrom: b.addr(host), Rand: rng}, prog)
}

// node returns the node on host, or an error naming the host.
func (b *Backend) node(host string) (*node, error) {
	n := b.nodes[host]
	if n == nil {
		return nil, fmt.Errorf("no Redis node on host %q", host)
	}
	return n, nil
}

func (b *Backend) do(host string, args ...string) (string, error) {
	n, err := b.node(host)
	if err != nil {
		return "", err
	}
	if !n.up() {
		return "", errors.New("the node is down")
	}
	v, err := command(b.hosts[operatorHost], n.ip, n.port, args...)
	return string(v.Str), err
}

// Promote runs REPLICAOF NO ONE.
func (b *Backend) Promote(host string) error {
	_, err := b.do(host, "REPLICAOF", "NO", "ONE")
	return err
}

// ReplicaOf runs REPLICAOF with the master's address.
func (b *Backend) ReplicaOf(host, masterHost string, port int) error {
	ip, ok := b.hosts[masterHost]
	if !ok {
		return fmt.Errorf("replicaof: host %q is not part of the run", masterHost)
	}
	_, err := b.do(host, "REPLICAOF", ip, strconv.Itoa(port))
	return err
}

// KillLink runs CLIENT KILL TYPE master.
func (b *Backend) KillLink(host string) (bool, error) {
	n, err := b.node(host)
	if err != nil {
		return false, err
	}
	if !n.up() {
		return false, errors.New("the node is down")
	}
	v, err := command(b.hosts[operatorHost], n.ip, n.port, "CLIENT", "KILL", "TYPE", "master")
	return v.Int > 0, err
}

// State reads INFO replication, and DEBUG DIGEST when digest is set.
func (b *Backend) State(host string, digest bool) (deploy.NodeState, error) {
	text, err := b.do(host, "INFO", "replication")
	if err != nil {
		return deploy.NodeState{}, err
	}
	f := infoFields(text)
	st := deploy.NodeState{Role: f["role"], LinkUp: f["master_link_status"] == "up", ReplID: f["master_replid"], MasterHost: f["master_host"]}
	if h, ok := b.hostOf(st.MasterHost); ok {
		st.MasterHost = h
	}
	st.Offset, _ = strconv.ParseInt(f["master_repl_offset"], 10, 64)
	if digest {
		if st.Digest, err = b.do(host, "DEBUG", "DIGEST"); err != nil {
			return st, err
		}
	}
	return st, nil
}

// Note keeps an operator's note for the facts, with its time.
func (b *Backend) Note(text string) {
	b.notes = append(b.notes, fmt.Sprintf("%v %s", b.Now(), text))
}

// Run starts the clients and everything At was given, carries out the
// schedule and stops the clients at dur. The nodes keep running for the
// checks; Close stops them.
func (b *Backend) Run(dur time.Duration, schedule []nemesis.Action, op nemesis.Operator) error {
	b.running, b.t0 = true, time.Now()
	for _, fn := range b.pending {
		fn()
	}
	b.pending = nil
	var runErr error
	for _, a := range schedule {
		b.At(a.At, func() {
			if err := b.apply(a, op); err != nil && runErr == nil {
				runErr = err
				b.loop.Exit()
			}
		})
	}
	b.loop.After(dur, b.loop.Exit)
	if err := b.loop.Run(b.ctx); err != nil {
		return err
	}
	if runErr != nil {
		return &scenarios.FrameworkError{Err: runErr}
	}
	if b.ctx.Err() != nil {
		return ErrInterrupted
	}
	return nil
}

// Facts say the run is live and what it did not do for real.
func (b *Backend) Facts() []string {
	out := []string{"live run: real redis-server processes on this machine; not deterministic, the hash is not comparable"}
	out = append(out, b.facts...)
	for _, n := range b.notes {
		out = append(out, "operator/nemesis: "+n)
	}
	return out
}

// Close kills every node, removes the chain and the run's directory. It
// may be called more than once.
func (b *Backend) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	for _, h := range slices.Sorted(maps.Keys(b.sentinels)) {
		b.sentinels[h].kill()
	}
	for _, h := range slices.Sorted(maps.Keys(b.nodes)) {
		b.nodes[h].kill()
	}
	var errs []error
	if b.fw != nil {
		errs = append(errs, b.fw.remove())
	}
	if !b.opts.Keep {
		errs = append(errs, os.RemoveAll(b.root))
	}
	return errors.Join(errs...)
}
