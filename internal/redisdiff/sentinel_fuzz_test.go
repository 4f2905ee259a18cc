package redisdiff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/cmdfuzz"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/nodes/sentinel"
	"github.com/redsim/redsim/sim/realenv"
)

// FuzzSentinelDifferential is FuzzDifferential for Sentinel: the same
// random command sequences go to a real redis-sentinel 7.0.x (the oracle
// redis-server started with --sentinel) and to this repository's Sentinel
// (nodes/sentinel on the real-time Env of sim/realenv), and the replies
// must be the same but for what differs by nature (sentinelMode.normalize:
// run IDs, client addresses, times, hash-table orders). The commands are
// every command and subcommand the oracle's COMMAND LIST names, with the
// option words of its COMMAND DOCS, but for sentinelExcluded. Run it with
//
//	go test ./internal/redisdiff -run '^$' -fuzz 'FuzzSentinelDifferential$' -fuzztime 300s -parallel 1
//
// Both sentinels monitor the same master, at a port where nothing
// listens, with a down-after of an hour: nothing is discovered and no
// failover starts, and the two sentinels never hear of each other. Each
// input starts from that state (sentinelMode.reset). With
// -redisdiff.against=redis both sides are real sentinels, which must
// agree: that checks the normalization. Without -fuzz it runs its seeds:
// nodes/sentinel/testdata/commands.txt, sentinelSequences, random
// sequences and the generator's seeds. Without a redis-server 7.0.x it is
// skipped, or fails under CI=true.
func FuzzSentinelDifferential(f *testing.F) {
	want := startRealSentinel(f, "redis")
	var got *sentinelProc
	switch *flagAgainst {
	case "node":
		got = startSimSentinel(f, "node")
	case "redis":
		got = startRealSentinel(f, "redis2")
	default:
		f.Fatalf(`-redisdiff.against=%q: want "node" or "redis"`, *flagAgainst)
	}
	df := newSentinelFuzzer(f, want, got)
	seeds := sentinelSeeds(f, df.gen)
	for i, seed := range df.gen.Seeds() {
		if !testing.Short() || i%4 == 0 { // a quarter for the inner loop
			seeds = append(seeds, seed)
		}
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		df.run(t, data)
	})
}

// The normalization masks what two real sentinels started seconds apart
// disagree on: run over the seeds with both sides real, the fuzzer finds
// no difference. (It also masks the link fields of sentinelInstanceMasked,
// which this rarely shows: a link's pending commands go from 0 to 3 at
// each sentinel's first reconnection after a reset, a tick of its own.)
func TestSentinelFuzzerSeesNoDifferenceBetweenTwoRealSentinels(t *testing.T) {
	if testing.Short() {
		t.Skip("a few hundred inputs against two real sentinels take half a minute")
	}
	want := startRealSentinel(t, "redis")
	time.Sleep(1500 * time.Millisecond)
	df := newSentinelFuzzer(t, want, startRealSentinel(t, "redis2"))
	for i, seed := range append(sentinelSeeds(t, df.gen), df.gen.Seeds()...) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { df.run(t, seed) })
	}
}

// sentinelMasterName, sentinelMasterIP and sentinelMasterPort are the
// master both sentinels monitor. Nothing listens on port 1 (tcpmux, long
// unused), so the sentinels' links to it are refused at once and stay
// down; ports below 1024 are never a kernel-chosen one that a test's
// server could take.
const (
	sentinelMasterName = "mymaster"
	sentinelMasterIP   = "127.0.0.1"
	sentinelMasterPort = "1"
	sentinelQuorum     = "2"
	// sentinelDownAfter is an hour: the master is never SDOWN while an
	// input runs, so no failover starts.
	sentinelDownAfter = "3600000"
)

// sentinelConfig is both sentinels' configuration file, after their port
// line.
const sentinelConfig = "bind 127.0.0.1\n" +
	"sentinel monitor " + sentinelMasterName + " " + sentinelMasterIP + " " + sentinelMasterPort + " " + sentinelQuorum + "\n" +
	"sentinel down-after-milliseconds " + sentinelMasterName + " " + sentinelDownAfter + "\n"

// sentinelExcluded says why the sentinel fuzzer never sends a command;
// sentinelExcludedArgs names those it does not send with some arguments.
var sentinelExcluded = map[string]string{
	"shutdown":     "ends the server",
	"client|kill":  "it may kill the harness's control connection; the addresses it takes are each server's own",
	"client|pause": "holds every client for wall-clock time; which commands it catches depends on timing",
}

// sentinelDebugMinimums are the least values the fuzzer sets the SENTINEL
// DEBUG parameters to whose smaller values make a sentinel change state on
// its own timer, at a time of its own: TILT (the timer's period, 50 to 100
// ms, is over the trigger), SDOWN of a master monitored later within the
// input.
var sentinelDebugMinimums = map[string]int64{"tilt-trigger": 2000, "default-down-after": 60000}

// sentinelExcludedArgs says why args must not be sent, or "".
func sentinelExcludedArgs(name string, args []string) string {
	if why, ok := sentinelExcluded[name]; ok {
		return why
	}
	lower := func(i int) string {
		if i < len(args) {
			return strings.ToLower(args[i])
		}
		return ""
	}
	// below says whether args[i] is a positive integer under bound, as
	// Redis parses it (strict: no sign, no spaces).
	below := func(i int, bound int64) bool {
		n, err := strconv.ParseInt(lower(i), 10, 64)
		return err == nil && n > 0 && n < bound && strconv.FormatInt(n, 10) == args[i]
	}
	switch name {
	case "sentinel|monitor":
		// A host name that begins with a letter is one of the simulated
		// network's hosts to nodes/sentinel, which accepts it by design
		// (nodes/sentinel/doc.go), where redis-sentinel refuses it; and
		// it would make the real-time Env look the name up.
		if h := lower(3); h != "" && h[0] >= 'a' && h[0] <= 'z' {
			return "SENTINEL MONITOR of a host name: the simulated network's hosts have names"
		}
		// The sentinel connects to the address: only this host's ports
		// where nothing listens are safe.
		port, err := strconv.Atoi(lower(4))
		if err == nil && port > 0 && port <= 65535 && (port >= 20 || !harmlessAddress(lower(3))) {
			return "SENTINEL MONITOR connects to whatever listens at the address"
		}
	case "sentinel|set":
		for i := 3; i+1 < len(args); i += 2 {
			if lower(i) == "down-after-milliseconds" && below(i+1, 60000) {
				return "a down-after under a minute makes the master SDOWN within the input, at a time of each sentinel's own timer"
			}
		}
	case "sentinel|debug":
		for i := 2; i+1 < len(args); i++ {
			if least, ok := sentinelDebugMinimums[lower(i)]; ok && below(i+1, least) {
				return "SENTINEL DEBUG " + args[i] + " " + args[i+1] + " changes state on the sentinel's timer, at a time of its own"
			}
		}
	case "sentinel|config":
		// With resolve-hostnames yes, SENTINEL MONITOR of a name looks it
		// up in the DNS, which may stall the server.
		if lower(2) == "set" && lower(3) == "resolve-hostnames" && lower(4) == "yes" {
			return "SENTINEL CONFIG SET resolve-hostnames yes makes names DNS lookups"
		}
	case "publish":
		// A hello message (eight fields) about a master the sentinel
		// monitors adds the sentinel it names, or moves the master to the
		// address it names; the sentinel connects there. (The generator's
		// arguments are too short to make one; a seed could.)
		if len(args) == 3 && args[1] == "__sentinel__:hello" && strings.Count(args[2], ",") == 7 {
			return "a hello message makes the sentinel connect to the addresses in it"
		}
	}
	return ""
}

// harmlessAddress says whether a sentinel that monitors a master at
// address (resolve-hostnames no) connects to nothing beyond this host:
// Redis refuses it, as no IPv4 address in inet_aton's forms ("1",
// "0x7f.1", "010.0.0.1") nor an IPv6 one, or it is this host (127/8,
// 0.0.0.0, ::1, ::) or in 0/8, where connections fail at once. (Numbers
// of the generator's lists are addresses too: 536870912 is 32.0.0.0.)
func harmlessAddress(address string) bool {
	if strings.Contains(address, ":") {
		ip := net.ParseIP(address)
		return ip == nil || ip.IsLoopback() || ip.IsUnspecified()
	}
	ip, ok := inetAton(address)
	return !ok || ip>>24 == 127 || ip>>24 == 0
}

// inetAton parses an IPv4 address as glibc's inet_aton does: one to
// four parts, each decimal, octal (0...) or hexadecimal (0x...), the last
// filling the bits the others leave.
func inetAton(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return 0, false
	}
	var ip uint32
	for i, part := range parts {
		base, digits := 10, part
		switch {
		case len(part) > 1 && (part[:2] == "0x" || part[:2] == "0X"):
			base, digits = 16, part[2:]
			if digits == "" {
				digits = "0" // inet_aton takes a bare 0x for 0
			}
		case len(part) > 1 && part[0] == '0':
			base, digits = 8, part[1:]
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' {
			return 0, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return 0, false
			}
			ip |= uint32(n) << (24 - 8*i)
			continue
		}
		if bits := 32 - 8*i; bits < 32 && n >= 1<<bits {
			return 0, false
		}
		ip |= uint32(n)
	}
	return ip, true
}

// sentinelOptionWords are option words the parsers of SENTINEL SET,
// DEBUG, CONFIG and SIMULATE-FAILURE look for, which their COMMAND DOCS
// name only in prose (sentinel.c's sentinelSetCommand,
// sentinelSetDebugConfigParameters, sentinelConfigSetCommand).
var sentinelOptionWords = map[string][]string{
	"sentinel|set": {"quorum", "parallel-syncs", "failover-timeout", "down-after-milliseconds", "auth-pass", "auth-user",
		"rename-command", "master-reboot-down-after-period", "notification-script", "client-reconfig-script"},
	"sentinel|debug": {"info-period", "ping-period", "ask-period", "publish-period", "default-down-after",
		"default-failover-timeout", "tilt-trigger", "tilt-period", "slave-reconf-timeout", "min-link-reconnect-period",
		"election-timeout", "script-max-runtime", "script-retry-delay"},
	"sentinel|config":           {"resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port", "sentinel-user", "sentinel-pass"},
	"sentinel|simulate-failure": {"crash-after-election", "crash-after-promotion"},
}

// A sentinelProc is one side's sentinel process (a real one or this
// repository's on sim/realenv), which the fuzzer can restart from the
// configuration file it first had: the only way to undo what no command
// undoes (sentinelMode.reset).
type sentinelProc struct {
	name string
	port int // in conf, which the sentinel reads it from
	addr string
	dir  string
	// conf is the configuration file's text at every start.
	conf string
	// launch starts the sentinel from conf and waits until it answers
	// PING; it returns what stops it, or why it did not start.
	launch func(p *sentinelProc) (stop func(), problem string)
	stop   func()
}

// startSentinelProc starts a sentinel on a free loopback port (trying
// another when the port was taken first) and stops it when tb ends.
func startSentinelProc(tb testing.TB, name string, launch func(p *sentinelProc) (func(), string)) *sentinelProc {
	tb.Helper()
	p := &sentinelProc{name: name, dir: tb.TempDir(), launch: launch}
	var problem string
	for range 5 {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redisdiff: finding a free port: %v", err)
		}
		p.port, p.addr = port, "127.0.0.1:"+strconv.Itoa(port)
		p.conf = "port " + strconv.Itoa(port) + "\n" + sentinelConfig
		if p.stop, problem = launch(p); problem == "" {
			tb.Cleanup(func() { p.stop() })
			return p
		}
	}
	tb.Fatalf("redisdiff: the %s sentinel did not start: %s", name, problem)
	return nil
}

// restart stops the sentinel and starts it again on its port, from its
// first configuration file: a new run ID, no client, every counter 0.
func (p *sentinelProc) restart(tb testing.TB) {
	tb.Helper()
	p.stop()
	var problem string
	if p.stop, problem = p.launch(p); problem != "" {
		p.stop = func() {}
		tb.Fatalf("redisdiff: restarting the %s sentinel on %s: %s", p.name, p.addr, problem)
	}
}

// writeConf writes the configuration file the sentinel starts from.
func (p *sentinelProc) writeConf() (path string, problem string) {
	path = filepath.Join(p.dir, sentinel.DefaultConfigFile)
	if err := os.WriteFile(path, []byte(p.conf), 0o644); err != nil {
		return "", err.Error()
	}
	return path, ""
}

// startRealSentinel runs the oracle redis-server in sentinel mode; it
// skips the test without one, or fails it under CI=true.
func startRealSentinel(tb testing.TB, name string) *sentinelProc {
	tb.Helper()
	bin := oracleBin(tb)
	return startSentinelProc(tb, name, func(p *sentinelProc) (func(), string) {
		path, problem := p.writeConf()
		if problem != "" {
			return nil, problem
		}
		cmd := exec.Command(bin, path, "--sentinel")
		cmd.SysProcAttr = oracleProcAttr()
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			return nil, err.Error()
		}
		proc := &oracleProc{addr: p.addr, cmd: cmd, exited: make(chan struct{}), out: out}
		go func() { _ = cmd.Wait(); close(proc.exited) }()
		if !waitPing(p.addr, proc.exited) {
			proc.stop()
			return nil, "it did not answer PING within 5 s; its output:\n" + out.String()
		}
		return proc.stop, ""
	})
}

// startSimSentinel runs this repository's Sentinel on sim/realenv, as
// `simulate serve --sentinel FILE` does.
func startSimSentinel(tb testing.TB, name string) *sentinelProc {
	tb.Helper()
	return startSentinelProc(tb, name, func(p *sentinelProc) (func(), string) {
		if _, problem := p.writeConf(); problem != "" {
			return nil, problem
		}
		log := &lockedBuffer{}
		l, err := realenv.New(realenv.Config{Name: "sentinel", Host: "127.0.0.1", Dir: p.dir, Log: log})
		if err != nil {
			return nil, err.Error()
		}
		if err := l.Start(sentinel.Program(sentinel.Options{})); err != nil {
			return nil, err.Error()
		}
		if l.Addr(p.port) == "" {
			// It logged why (its port taken) and exited; Run returns at once.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = l.Run(ctx)
			cancel()
			return nil, "it did not listen; its log:\n" + log.String()
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = l.Run(ctx); close(done) }()
		stop := func() { cancel(); <-done }
		if !waitPing(p.addr, done) {
			stop()
			return nil, "it did not answer PING within 5 s; its log:\n" + log.String()
		}
		return stop, ""
	})
}

// sentinelMode is what FuzzSentinelDifferential's diffFuzzer does
// otherwise than the redis-server fuzzers: its exclusions, its resets
// and the normalization of replies.
type sentinelMode struct {
	procs [2]*sentinelProc
	// acl: both sides have ACL; the control connections then run as a
	// user of their own, and a reset after an ACL command restores the
	// users. Otherwise they run as the default user, and an input that
	// ran an ACL command has a difference (a side without ACL replies
	// that the command is unknown), after which both sides are
	// restarted anyway.
	acl bool
	// ids are each side's run IDs (SENTINEL MYID's, INFO's run_id), shown
	// in replies as <myid> and <run_id>: each process draws its own.
	ids [2][2]string
	// config and debug are each side's SENTINEL CONFIG GET * and SENTINEL
	// DEBUG at the start, as name, value, name, value...
	config, debug [2][]string
	// restart: the input running did what only a restart undoes.
	restart bool
}

// newSentinelFuzzer returns the diffFuzzer of FuzzSentinelDifferential:
// its commands and their comparison rules come from the oracle (want).
func newSentinelFuzzer(tb testing.TB, want, got *sentinelProc) *diffFuzzer {
	tb.Helper()
	sm := &sentinelMode{procs: [2]*sentinelProc{want, got}}
	df := &diffFuzzer{
		want:     Side{Name: want.name, Addr: want.addr},
		got:      Side{Name: got.name, Addr: got.addr},
		match:    map[string]Match{},
		sentinel: sm,
	}
	// ACL on both sides? ACL WHOAMI changes nothing.
	sm.acl = true
	for _, p := range sm.procs {
		c, err := Dial(p.addr)
		if err != nil {
			tb.Fatalf("redisdiff: %s: %v", p.name, err)
		}
		r, err := c.DoStrings("ACL", "WHOAMI")
		_ = c.nc.Close()
		sm.acl = sm.acl && err == nil && string(r) == "$7\r\ndefault\r\n"
	}
	tb.Cleanup(func() {
		for _, c := range df.ctl {
			if c != nil {
				_ = c.nc.Close()
			}
		}
	})
	for i, p := range sm.procs {
		df.ctl[i] = sm.control(tb, i)
		for _, start := range []struct {
			to  *[]string
			cmd []string
		}{{&sm.config[i], []string{"SENTINEL", "CONFIG", "GET", "*"}}, {&sm.debug[i], []string{"SENTINEL", "DEBUG"}}} {
			out, raw, err := namesAndValues(df.ctl[i], start.cmd...)
			if err != nil {
				tb.Fatalf("redisdiff: %s: %s: %q %v", p.name, commandText(start.cmd), raw, err)
			}
			*start.to = out
		}
	}

	// The commands: COMMAND LIST in a fixed order (an input's bytes pick
	// commands by their index), with their docs' tokens.
	raw, err := df.ctl[0].DoStrings("COMMAND", "LIST")
	v, ok := parseReply(raw)
	if err != nil || !ok || len(v.Elems) == 0 {
		tb.Fatalf("redisdiff: %s: COMMAND LIST: %q %v", want.name, raw, err)
	}
	var all, names []string
	for _, e := range v.Elems {
		all = append(all, string(e.Str))
	}
	slices.Sort(all)
	tokens := map[string][]string{}
	for _, n := range all {
		if _, ok := sentinelExcluded[n]; !ok {
			names = append(names, n)
		}
		tokens[n] = append(sm.docTokens(tb, df.ctl[0], n), sentinelOptionWords[n]...)
		df.match[n] = sm.tips(tb, df.ctl[0], n)
	}
	df.gen = cmdfuzz.New(names, func(n string) []string { return tokens[n] })

	// What the tips say loosely, sentinelMode.normalize says precisely.
	for _, n := range []string{"info", "client|list", "client|info"} {
		df.match[n] = Match{}
	}
	// COMMAND lists the table in the order of Redis's dict (its
	// subcommands too, which the tip of COMMAND INFO and DOCS does not
	// cover); ACL GENPASS is random; ACL LOG's entries have their age.
	df.match["command"] = Match{Shape: true}
	df.match["acl|genpass"] = Match{Shape: true}
	df.match["acl|log"] = Match{Shape: true}
	// ROLE lists the masters in the order of Sentinel's dict.
	df.match["role"] = Match{Sort: true}
	return df
}

// control dials the control connection of side i (as a user of the
// harness's own when both sides have ACL) and reads the side's run IDs.
// The caller closes it.
func (sm *sentinelMode) control(tb testing.TB, i int) *Conn {
	tb.Helper()
	p := sm.procs[i]
	c, err := Dial(p.addr)
	if err != nil {
		tb.Fatalf("redisdiff: %s: %v", p.name, err)
	}
	var cmds [][]string
	if sm.acl {
		cmds = [][]string{
			{"ACL", "SETUSER", "redisdiff-control", "on", ">redisdiff", "~*", "&*", "+@all"},
			{"AUTH", "redisdiff-control", "redisdiff"},
		}
	}
	for _, cmd := range cmds {
		if r, err := c.DoStrings(cmd...); err != nil || string(r) != "+OK\r\n" {
			tb.Fatalf("redisdiff: %s: %s: %q %v", p.name, commandText(cmd), r, err)
		}
	}
	r, err := c.DoStrings("SENTINEL", "MYID")
	v, ok := parseReply(r)
	if err != nil || !ok || len(v.Str) != 40 {
		tb.Fatalf("redisdiff: %s: SENTINEL MYID: %q %v", p.name, r, err)
	}
	sm.ids[i][0] = string(v.Str)
	r, err = c.DoStrings("INFO", "server")
	v, ok = parseReply(r)
	_, id, _ := strings.Cut(string(v.Str), "\r\nrun_id:")
	if id, _, _ = strings.Cut(id, "\r\n"); err != nil || !ok || len(id) != 40 {
		tb.Fatalf("redisdiff: %s: INFO server has no run_id: %q %v", p.name, r, err)
	}
	sm.ids[i][1] = id
	return c
}

// namesAndValues runs cmd on c, which must reply with a flat array of strings
// (names and values); the reply is returned for messages.
func namesAndValues(c *Conn, cmd ...string) (out []string, raw []byte, err error) {
	if raw, err = c.DoStrings(cmd...); err != nil {
		return nil, raw, err
	}
	v, ok := parseReply(raw)
	if !ok || v.Kind != resp.KindArray || len(v.Elems)%2 != 0 {
		return nil, raw, errors.New("not an array of names and values")
	}
	for _, e := range v.Elems {
		out = append(out, string(e.Str))
	}
	return out, raw, nil
}

// docTokens are the tokens of the arguments of command name in the
// oracle's COMMAND DOCS, at any depth.
func (sm *sentinelMode) docTokens(tb testing.TB, c *Conn, name string) []string {
	tb.Helper()
	raw, err := c.DoStrings("COMMAND", "DOCS", name)
	v, ok := parseReply(raw)
	if err != nil || !ok {
		tb.Fatalf("redisdiff: COMMAND DOCS %s: %q %v", name, raw, err)
	}
	var out []string
	var walk func(v resp.Value)
	walk = func(v resp.Value) {
		for i, e := range v.Elems {
			if i%2 == 0 && i+1 < len(v.Elems) && string(e.Str) == "token" && !isAggregate(e.Kind) {
				out = append(out, string(v.Elems[i+1].Str))
			}
			walk(e)
		}
	}
	walk(v)
	return out
}

// tips is how the replies of command name compare, from the tips of the
// oracle's COMMAND INFO.
func (sm *sentinelMode) tips(tb testing.TB, c *Conn, name string) Match {
	tb.Helper()
	raw, err := c.DoStrings("COMMAND", "INFO", name)
	v, ok := parseReply(raw)
	if err != nil || !ok || len(v.Elems) != 1 || len(v.Elems[0].Elems) < 8 {
		tb.Fatalf("redisdiff: COMMAND INFO %s: %q %v", name, raw, err)
	}
	return tipsMatch(v.Elems[0])
}

// note is told each command an input sends.
func (sm *sentinelMode) note(name string, args []string) {
	// A vote for a leader (a run ID, not *) may raise the sentinel's
	// current epoch, which nothing but a restart lowers.
	if name == "sentinel|is-master-down-by-addr" && len(args) == 6 && args[5] != "*" {
		sm.restart = true
	}
}

// reset brings both sentinels back to their state at the start: no
// client but the control connection, the one master as configured, the
// SENTINEL CONFIG and DEBUG values of the start, no simulated failure,
// and with acl the users too. After a difference, or an input that did
// what no command undoes, both are restarted instead: their counters
// (INFO stats) may have parted, and the next input must not inherit that.
// A reset that fails names the input just run.
func (sm *sentinelMode) reset(t *testing.T, df *diffFuzzer, r *diffRun, diverged bool) {
	if diverged || sm.restart {
		sm.restart = false
		for i, p := range sm.procs {
			_ = df.ctl[i].nc.Close()
			p.restart(t)
			df.ctl[i] = sm.control(t, i)
		}
		return
	}
	fail := func(i int, cmd []string, raw []byte, err error) {
		t.Fatalf("redisdiff: %s: resetting with %s: %q %v\nafter the input's commands:\n\t%s", sm.procs[i].name, commandText(cmd), raw, err, strings.Join(r.history, "\n\t"))
	}
	for i := range sm.procs {
		c := df.ctl[i]
		cmds := [][]string{
			{"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"},
			{"CLIENT", "KILL", "TYPE", "pubsub"},
			// HELP clears the flags before it replies.
			{"SENTINEL", "SIMULATE-FAILURE", "HELP"},
		}
		debug, raw, err := namesAndValues(c, "SENTINEL", "DEBUG")
		if err != nil {
			fail(i, []string{"SENTINEL", "DEBUG"}, raw, err)
		}
		if !slices.Equal(debug, sm.debug[i]) {
			cmds = append(cmds, append([]string{"SENTINEL", "DEBUG"}, sm.debug[i]...))
		}
		config, raw, err := namesAndValues(c, "SENTINEL", "CONFIG", "GET", "*")
		if err != nil {
			fail(i, []string{"SENTINEL", "CONFIG", "GET", "*"}, raw, err)
		}
		for j := 0; j+1 < len(sm.config[i]); j += 2 {
			if k := slices.Index(config, sm.config[i][j]); k < 0 || k%2 != 0 || config[k+1] != sm.config[i][j+1] {
				cmds = append(cmds, []string{"SENTINEL", "CONFIG", "SET", sm.config[i][j], sm.config[i][j+1]})
			}
		}
		raw, err = c.DoStrings("SENTINEL", "MASTERS")
		masters, ok := parseReply(raw)
		if err != nil || !ok || masters.Kind != resp.KindArray {
			fail(i, []string{"SENTINEL", "MASTERS"}, raw, err)
		}
		for _, m := range masters.Elems {
			if j := slices.IndexFunc(m.Elems, func(e resp.Value) bool { return string(e.Str) == "name" }); j >= 0 && j+1 < len(m.Elems) {
				cmds = append(cmds, []string{"SENTINEL", "REMOVE", string(m.Elems[j+1].Str)})
			}
		}
		cmds = append(cmds,
			[]string{"SENTINEL", "MONITOR", sentinelMasterName, sentinelMasterIP, sentinelMasterPort, sentinelQuorum},
			[]string{"SENTINEL", "SET", sentinelMasterName, "down-after-milliseconds", sentinelDownAfter})
		if sm.acl && r.acl {
			cmds = append(cmds, []string{"ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"}, []string{"ACL", "LOG", "RESET"})
			raw, err := c.DoStrings("ACL", "USERS")
			users, ok := parseReply(raw)
			if err != nil || !ok {
				fail(i, []string{"ACL", "USERS"}, raw, err)
			}
			for _, u := range users.Elems {
				if s := string(u.Str); s != "default" && s != "redisdiff-control" {
					cmds = append(cmds, []string{"ACL", "DELUSER", s})
				}
			}
		}
		for _, cmd := range cmds {
			if raw, err := c.DoStrings(cmd...); err != nil || (len(raw) > 0 && raw[0] == '-') {
				fail(i, cmd, raw, err)
			}
		}
	}
}

// Placeholders of what normalize masks.
var (
	maskedValue = []byte("<masked>")
	idNames     = [2]string{"<myid>", "<run_id>"}
)

// sentinelInstanceMasked are the fields of SENTINEL MASTER, MASTERS,
// REPLICAS and SENTINELS whose values are times, or the state of a link
// to the unreachable master, which changes on each sentinel's timer.
var sentinelInstanceMasked = []string{"last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "info-refresh",
	"role-reported-time", "link-pending-commands", "link-refcount"}

// sentinelInfoMasked are the INFO fields whose values differ between two
// real sentinels started seconds apart (as
// TestSentinelFuzzerSeesNoDifferenceBetweenTwoRealSentinels found them).
var sentinelInfoMasked = []string{
	// The process and its files.
	"process_id", "tcp_port", "executable", "config_file",
	// The build: a hash of the build's environment, which each rebuild
	// of Debian's package changes (7.0.15-1~deb12u7's is not the one
	// the nodes name).
	"redis_build_id",
	// The machine's kernel, which two real sentinels on one machine
	// share but a simulated one does not have (nodes/sentinel names
	// a simulated host's kernel).
	"os",
	// The clock, and the timer's frequency, which Sentinel draws anew
	// each tick.
	"server_time_usec", "uptime_in_seconds", "lru_clock", "hz",
	"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
	"used_cpu_sys_main_thread", "used_cpu_user_main_thread",
	// Sampled by the timer.
	"instantaneous_ops_per_sec", "instantaneous_input_kbps", "instantaneous_output_kbps",
	"client_recent_max_input_buffer", "client_recent_max_output_buffer",
	"reply_buffer_shrinks", "reply_buffer_expands",
	// The bytes of the replies, INFO's among them (its masked fields
	// differ in length).
	"total_net_output_bytes",
}

// sentinelClientMasked are the fields of CLIENT LIST and CLIENT INFO whose
// values differ between two real sentinels: the addresses and file
// descriptor, times, and the reply buffer, which the timer resizes.
var sentinelClientMasked = []string{"addr", "laddr", "fd", "age", "idle", "rbs", "rbp", "tot-mem"}

// normalize masks in raw, a reply of side to args (name is their full
// command name; "" for a pushed reply), what differs by nature between
// two sentinels.
func (sm *sentinelMode) normalize(side int, name string, args []string, raw []byte) []byte {
	v, ok := parseReply(raw)
	if !ok {
		return raw
	}
	sm.maskIDs(side, &v)
	// A RESP3 verbatim string's text follows its format ("txt:").
	var format []byte
	if f, text := v.VerbatimText(); f != nil {
		format, v.Str = slices.Clone(v.Str[:len(f)+1]), text
	}
	switch name {
	case "info":
		v.Str = normalizeInfo(v.Str)
	case "client|list", "client|info":
		v.Str = maskClientFields(v.Str)
	case "sentinel|master":
		maskInstance(&v)
	case "sentinel|masters", "sentinel|replicas", "sentinel|slaves", "sentinel|sentinels":
		// In the order of a dict.
		for i := range v.Elems {
			maskInstance(&v.Elems[i])
		}
		sortElems(v.Elems, 1)
	case "sentinel|info-cache":
		// Master name, infos, in the order of a dict.
		sortElems(v.Elems, 2)
	}
	if format != nil {
		v.Str = append(format, v.Str...)
	}
	return resp.AppendValue(nil, v)
}

// normalizePushes normalizes the pushed replies each side sent (want's
// ws, got's gs) and sorts them: a command over several masters (SENTINEL
// RESET *) publishes an event per master, in the order of Sentinel's
// dict.
func (sm *sentinelMode) normalizePushes(ws, gs [][]byte) ([][]byte, [][]byte) {
	sorted := func(side int, raws [][]byte) [][]byte {
		out := make([][]byte, len(raws))
		for i, raw := range raws {
			out[i] = sm.normalize(side, "", nil, raw)
		}
		slices.SortFunc(out, bytes.Compare)
		return out
	}
	return sorted(0, ws), sorted(1, gs)
}

// maskIDs replaces side's run IDs in every string of v.
func (sm *sentinelMode) maskIDs(side int, v *resp.Value) {
	for j, id := range sm.ids[side] {
		if id != "" && bytes.Contains(v.Str, []byte(id)) {
			v.Str = bytes.ReplaceAll(v.Str, []byte(id), []byte(idNames[j]))
		}
	}
	for i := range v.Elems {
		sm.maskIDs(side, &v.Elems[i])
	}
	for i := range v.Attrs {
		sm.maskIDs(side, &v.Attrs[i])
	}
}

// maskField masks the value of field name in v, a map or an array of
// field, value pairs.
func maskField(v *resp.Value, name string) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == name {
			v.Elems[i+1] = resp.Value{Kind: resp.KindBulk, Str: maskedValue}
		}
	}
}

// maskInstance masks the fields of sentinelInstanceMasked in v, one
// instance's fields, and drops the flag "disconnected", which the links
// to the unreachable master toggle as each sentinel's timer reconnects.
func maskInstance(v *resp.Value) {
	for _, f := range sentinelInstanceMasked {
		maskField(v, f)
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == "flags" {
			flags := slices.DeleteFunc(strings.Split(string(v.Elems[i+1].Str), ","), func(f string) bool { return f == "disconnected" })
			v.Elems[i+1].Str = []byte(strings.Join(flags, ","))
		}
	}
}

// sortElems sorts elems, in groups of n, by their encoding.
func sortElems(elems []resp.Value, n int) {
	if len(elems)%n != 0 {
		return
	}
	type group struct {
		enc   []byte
		elems []resp.Value
	}
	var groups []group
	for i := 0; i < len(elems); i += n {
		var enc []byte
		for _, e := range elems[i : i+n] {
			enc = resp.AppendValue(enc, e)
		}
		groups = append(groups, group{enc, slices.Clone(elems[i : i+n])})
	}
	slices.SortStableFunc(groups, func(a, b group) int { return bytes.Compare(a.enc, b.enc) })
	for i, g := range groups {
		copy(elems[i*n:], g.elems)
	}
}

// normalizeInfo masks the values of sentinelInfoMasked in an INFO reply
// and puts its masterN lines in the order of their text (the order of a
// dict, numbered in that order).
func normalizeInfo(s []byte) []byte {
	lines := strings.Split(string(s), "\r\n")
	var masters []int // the lines' indexes
	for i, line := range lines {
		k, _, ok := strings.Cut(line, ":")
		switch {
		case !ok:
		case slices.Contains(sentinelInfoMasked, k):
			lines[i] = k + ":<masked>"
		case strings.HasPrefix(k, "master") && strings.Trim(k[len("master"):], "0123456789") == "":
			masters = append(masters, i)
		}
	}
	var values []string
	for _, i := range masters {
		_, v, _ := strings.Cut(lines[i], ":")
		values = append(values, v)
	}
	slices.Sort(values)
	for j, i := range masters {
		lines[i] = "master" + strconv.Itoa(j) + ":" + values[j]
	}
	return []byte(strings.Join(lines, "\r\n"))
}

// maskClientFields masks the values of sentinelClientMasked in the lines
// of CLIENT LIST or CLIENT INFO.
func maskClientFields(s []byte) []byte {
	lines := strings.Split(string(s), "\n")
	for i, line := range lines {
		fields := strings.Split(line, " ")
		for j, f := range fields {
			if k, _, ok := strings.Cut(f, "="); ok && slices.Contains(sentinelClientMasked, k) {
				fields[j] = k + "=<masked>"
			}
		}
		lines[i] = strings.Join(fields, " ")
	}
	return []byte(strings.Join(lines, "\n"))
}

// sentinelSequences are seeds beyond commands.txt: the commands that
// name the monitored master, whose name the generator's lists lack; each
// line "CONN COMMAND ARG..." (arguments without spaces; option words in
// capitals, as the generator's keywords are).
var sentinelSequences = [][]string{
	{"0 SENTINEL MASTER mymaster", "0 SENTINEL MASTERS", "0 SENTINEL REPLICAS mymaster", "0 SENTINEL SLAVES mymaster",
		"0 SENTINEL SENTINELS mymaster", "0 SENTINEL GET-MASTER-ADDR-BY-NAME mymaster", "0 SENTINEL CKQUORUM mymaster",
		"0 SENTINEL INFO-CACHE mymaster", "0 SENTINEL FAILOVER mymaster", "0 ROLE", "0 INFO sentinel"},
	{"0 SENTINEL SET mymaster QUORUM 1", "0 SENTINEL SET mymaster PARALLEL-SYNCS 5 FAILOVER-TIMEOUT 1000",
		"0 SENTINEL SET mymaster AUTH-PASS x AUTH-USER u", "0 SENTINEL SET mymaster RENAME-COMMAND CONFIG GONFIG",
		"0 SENTINEL SET mymaster MASTER-REBOOT-DOWN-AFTER-PERIOD 100", "0 SENTINEL SET mymaster DOWN-AFTER-MILLISECONDS 100000",
		"0 SENTINEL MASTER mymaster", "0 SENTINEL CKQUORUM mymaster", "0 SENTINEL FLUSHCONFIG"},
	{"1 PSUBSCRIBE *", "0 SENTINEL SET mymaster QUORUM 3", "0 SENTINEL RESET *", "0 SENTINEL REMOVE mymaster",
		"0 SENTINEL MONITOR m2 127.0.0.1 1 1", "0 SENTINEL MONITOR m3 127.0.0.1 2 2", "0 SENTINEL MASTERS", "0 ROLE",
		"0 INFO sentinel", "0 SENTINEL INFO-CACHE m2 m3", "0 SENTINEL RESET m*", "1 PUNSUBSCRIBE"},
	{"0 SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 0 *", "0 SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 5 abc",
		"0 SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 3 def", "0 SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 6 def",
		"0 SENTINEL MASTER mymaster"},
	{"0 SENTINEL DEBUG PING-PERIOD 500 INFO-PERIOD 20000", "0 SENTINEL DEBUG", "0 SENTINEL DEBUG TILT-TRIGGER 5000 x",
		"0 SENTINEL CONFIG SET ANNOUNCE-IP 10.0.0.7", "0 SENTINEL CONFIG SET ANNOUNCE-PORT 7000",
		"0 SENTINEL CONFIG SET SENTINEL-USER u", "0 SENTINEL CONFIG GET *", "0 SENTINEL SIMULATE-FAILURE CRASH-AFTER-ELECTION",
		"0 INFO sentinel", "0 SENTINEL MYID", "0 INFO server"},
	{"0 HELLO 3", "0 SENTINEL MASTER mymaster", "0 SENTINEL DEBUG", "0 CLIENT INFO", "1 CLIENT SETNAME c1", "0 CLIENT LIST",
		"0 CLIENT ID", "1 CLIENT TRACKING ON", "1 CLIENT TRACKINGINFO", "2 HELLO 2 SETNAME c2", "2 CLIENT NO-EVICT on"},
}

// sentinelSeeds are the fuzzer's seeds: the commands of
// nodes/sentinel/testdata/commands.txt (recorded from redis-sentinel
// 7.0.15) in runs of 16 lines, sentinelSequences, and random inputs from
// fixed seeds.
func sentinelSeeds(tb testing.TB, gen *cmdfuzz.Generator) [][]byte {
	tb.Helper()
	var out [][]byte
	add := func(cmds []cmdfuzz.Command) {
		b, err := gen.Encode(cmds)
		if err != nil {
			tb.Fatalf("redisdiff: a sentinel seed: %v", err)
		}
		out = append(out, b)
	}
	// commands.txt's lines are `"CMD" "ARG" ... -> "reply"`; those that
	// the generator cannot encode (an excluded command, an argument over
	// 15 bytes that no list holds) are left out.
	fh, err := os.Open(filepath.Join("..", "..", "nodes", "sentinel", "testdata", "commands.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	var run []cmdfuzz.Command
	lines, kept := 0, 0
	for sc.Scan() {
		cmdPart, _, _ := strings.Cut(sc.Text(), " -> ")
		var args []string
		if err := json.Unmarshal([]byte("["+strings.ReplaceAll(cmdPart, `" "`, `", "`)+"]"), &args); err != nil || len(args) == 0 {
			tb.Fatalf("redisdiff: commands.txt: %q: %v", sc.Text(), err)
		}
		lines++
		// An option word over 15 bytes is encoded as the keyword it is
		// (in capitals; Sentinel compares them without case).
		for i, a := range args {
			if len(a) > 15 {
				args[i] = strings.ToUpper(a)
			}
		}
		c := cmdfuzz.Command{Args: args}
		if _, err := gen.Encode([]cmdfuzz.Command{c}); err != nil {
			continue
		}
		kept++
		if run = append(run, c); len(run) == 16 {
			add(run)
			run = nil
		}
	}
	if len(run) > 0 {
		add(run)
	}
	if err := sc.Err(); err != nil || kept < lines*3/4 {
		tb.Fatalf("redisdiff: commands.txt: %d of %d lines encoded (%v)", kept, lines, err)
	}
	for _, seq := range sentinelSequences {
		var cmds []cmdfuzz.Command
		for _, line := range seq {
			w := strings.Fields(line)
			conn, _ := strconv.Atoi(w[0])
			cmds = append(cmds, cmdfuzz.Command{Conn: conn, Args: w[1:]})
		}
		add(cmds)
	}
	none := func(string) cmdfuzz.KeyRange { return cmdfuzz.KeyRange{} }
	for seed := range uint64(100) {
		if testing.Short() && seed%4 != 0 {
			continue // a quarter of them for the inner loop
		}
		rng := rand.New(rand.NewPCG(seed, 0x5e71))
		out = append(out, gen.RandomInput(rng, 4+rng.IntN(20), none))
	}
	return out
}

// The fuzzer's SENTINEL MONITOR may name addresses that Redis refuses or
// that are this host's, and no others.
func TestSentinelFuzzerMonitorsNoOtherHost(t *testing.T) {
	for address, harmless := range map[string]bool{
		"127.0.0.1": true, "0": true, "1": true, "0.5": true, "2147483647": true, "0x7f.1": true, "::1": true,
		"k0": true, "1e3": true, "4294967296": true, "1.2.3.4.5": true, "256.1": true, "08": true, "": true,
		"10.0.0.9": false, "2147483648": false, "536870912": false, "1.2.3": false, "010.0.0.1": false, "fe80::1": false,
	} {
		if got := harmlessAddress(address); got != harmless {
			t.Errorf("harmlessAddress(%q) = %v, want %v", address, got, harmless)
		}
	}
}
