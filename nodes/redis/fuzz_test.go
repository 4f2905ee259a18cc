package redis

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// FuzzCommands drives one node with commands from its own command table
// and arguments drawn from the input: keys shared by every type, small,
// huge and negative numbers, floats, the option keywords of the table's
// command docs, scripts and raw bytes, on three connections so that
// blocked clients get served. Any panic fails it: no input may crash a
// node. Run it with
//
//	go test ./nodes/redis -run '^$' -fuzz FuzzCommands -fuzztime 300s
//
// Without -fuzz it runs its seeds: every command of the table with a few
// typical argument lists, and the inputs that once crashed the node.
func FuzzCommands(f *testing.F) {
	fz := newCommandFuzzer(NewCommandTable())
	for _, seed := range fz.seeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fz.run(t, data)
	})
}

// commandFuzzer turns bytes into commands.
type commandFuzzer struct {
	names    [][]string // each command and subcommand, as the words that name it
	keywords []string
}

func newCommandFuzzer(tbl *CommandTable) *commandFuzzer {
	fz := &commandFuzzer{}
	for _, name := range tbl.Names() {
		switch name {
		case "shutdown", "debug", "replicaof", "slaveof", "sync", "psync", "monitor":
			// SHUTDOWN ends the node, DEBUG SLEEP holds it, REPLICAOF makes
			// it a replica that refuses writes, SYNC and PSYNC turn the
			// connection into a replica's: each ends the exploration.
			continue
		case "pfselftest":
			// A fraction of a second of register checks, the same each
			// time: it would only slow the exploration down.
			continue
		}
		fz.names = append(fz.names, strings.Split(strings.ToUpper(name), "|"))
	}
	fz.keywords = fuzzKeywords(tbl)
	return fz
}

// fuzzKeywords are the option keywords of the commands (their docs'
// argument tokens), and the words the node's parsers look for.
func fuzzKeywords(tbl *CommandTable) []string {
	seen := map[string]bool{}
	for _, name := range tbl.Names() {
		for _, tok := range commandTokens(name) {
			seen[strings.ToUpper(tok)] = true
		}
	}
	for _, w := range strings.Fields("WITHSCORES WITHVALUES LIMIT BY GET STORE ASC DESC ALPHA COUNT MATCH TYPE " +
		"WEIGHTS AGGREGATE SUM MIN MAX LEFT RIGHT BEFORE AFTER NX XX GT LT CH INCR EX PX EXAT PXAT KEEPTTL PERSIST " +
		"REPLACE DB RANK MAXLEN BYSCORE BYLEX REV VERSION FILTERBY MODULE ACLCAT PATTERN SYNC ASYNC") {
		seen[w] = true
	}
	out := make([]string, 0, len(seen))
	for w := range seen { //redsim:ordered sorted below
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

var (
	fuzzKeys    = []string{"k0", "k1", "k2", "{k}3", "*", "k0->f", "nosuch"}
	fuzzNumbers = []string{"0", "1", "-1", "2", "3", "5", "10", "100", "-100", "0.5", "-0", "1e3", "0.01"}
	fuzzHuge    = []string{"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"2147483647", "2147483648", "-2147483649", "4294967296", "536870912", "1e308", "-1e308", "1.7976931348623157e309",
		"inf", "-inf", "+inf", "nan", "4611686018427387904", "-4611686018427387905", "18446744073709551615"}
	fuzzValues  = []string{"", "a", "b", "x y", "\x00", "\r\n", strings.Repeat("x", 100), "[a", "(a", "-", "+", "(1", "[", "*a*", "#", "k*->f"}
	fuzzScripts = []string{"return 1", "return redis.call('get',KEYS[1])", "return redis.call('set',KEYS[1],ARGV[1])",
		"return redis.pcall(unpack(ARGV))", "redis.call('lpush',KEYS[1],'x') return redis.call('lrange',KEYS[1],0,-1)",
		"#!lua flags=no-writes\nreturn redis.call('get',KEYS[1])", "return redis.call(unpack(ARGV))"}
)

// byteReader hands out the input a byte at a time, then zeros.
type byteReader struct {
	data []byte
	i    int
}

func (r *byteReader) more() bool { return r.i < len(r.data) }

func (r *byteReader) next() int {
	if r.i >= len(r.data) {
		return 0
	}
	b := r.data[r.i]
	r.i++
	return int(b)
}

func (r *byteReader) pick(s []string) string { return s[r.next()%len(s)] }

// arg draws one argument.
func (fz *commandFuzzer) arg(r *byteReader) string {
	switch r.next() % 8 {
	case 0, 1:
		return r.pick(fuzzKeys)
	case 2:
		return r.pick(fuzzNumbers)
	case 3:
		return r.pick(fuzzHuge)
	case 4:
		return r.pick(fz.keywords)
	case 5:
		return r.pick(fuzzValues)
	case 6:
		return r.pick(fuzzScripts)
	default:
		n := r.next() % 16
		var b []byte
		for range n {
			b = append(b, byte(r.next()))
		}
		return string(b)
	}
}

// command draws a connection and a command.
func (fz *commandFuzzer) command(r *byteReader) (int, []string) {
	conn := r.next() % 3
	args := slices.Clone(fz.names[(r.next()<<8|r.next())%len(fz.names)])
	for range r.next() % 9 {
		args = append(args, fz.arg(r))
	}
	return conn, args
}

// fuzzSink is a client connection whose replies the fuzzer ignores.
type fuzzSink struct {
	conn   sim.Conn
	closed bool
}

func (*fuzzSink) OnOpen(sim.Conn)                 {}
func (*fuzzSink) OnData(sim.Conn, []byte)         {}
func (s *fuzzSink) OnClose(_ sim.Conn, err error) { s.closed = true }
func (fuzzSink) Stop()                            {}
func (s *fuzzSink) send(args []string)            { s.conn.Write(resp.AppendCommandStrings(nil, args...)) }
func (s *fuzzSink) dial(env sim.Env, addr string) { s.conn = env.Dial(addr, time.Second, s) }
func (s *fuzzSink) program(addr string) sim.Program {
	return func(env sim.Env) sim.Node { s.dial(env, addr); return s }
}

// run boots a node in a fresh world and sends it the commands of data,
// letting a millisecond pass after each, then a minute for the timeouts.
func (fz *commandFuzzer) run(t *testing.T, data []byte) {
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(10 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	h, err := w.AddHost("r1", sim.HostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := w.AddHost("c1", sim.HostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Save = nil
	// Strings of up to 512 MB are Redis's, but a fuzzer making them
	// spends its time allocating: 1 MB, proto-max-bulk-len's minimum.
	cfg.ProtoMaxBulkLen = 1 << 20
	node, err := h.Spawn("redis", Program(cfg))
	if err != nil {
		t.Fatal(err)
	}
	node.Start()
	w.RunFor(time.Millisecond)
	addr := "r1:" + strconv.Itoa(cfg.Port)
	var sinks [3]*fuzzSink
	open := func(i int) *fuzzSink {
		if sinks[i] == nil || sinks[i].closed {
			s := &fuzzSink{}
			p, err := ch.Spawn("client"+strconv.Itoa(i)+"-"+strconv.Itoa(len(ch.Processes())), s.program(addr))
			if err != nil {
				t.Fatal(err)
			}
			p.Start()
			w.RunFor(time.Millisecond)
			sinks[i] = s
		}
		return sinks[i]
	}
	// A node stuck inside one event never returns to the checks below:
	// the watchdog ends the process, and the fuzzer keeps the input.
	watchdog := time.AfterFunc(20*time.Second, func() {
		panic(fmt.Sprintf("the node hangs on %q", fz.decode(data)))
	})
	defer watchdog.Stop()
	r := &byteReader{data: data}
	var sent [][]string
	start := time.Now()
	// A node that takes seconds of real time over a few commands holds a
	// simulated world as long: as bad as a crash.
	slow := func() {
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("the node took %v over %q", d, sent)
		}
	}
	for n := 0; r.more() && n < 64; n++ {
		i, args := fz.command(r)
		sent = append(sent, args)
		open(i).send(args)
		w.RunFor(time.Millisecond)
		slow()
	}
	for range 60 {
		w.RunFor(time.Second)
		slow()
	}
}

// decode lists the commands of data.
func (fz *commandFuzzer) decode(data []byte) [][]string {
	r := &byteReader{data: data}
	var out [][]string
	for n := 0; r.more() && n < 64; n++ {
		_, args := fz.command(r)
		out = append(out, args)
	}
	return out
}

// seeds are inputs for each command of the table: with no arguments,
// with keys, with numbers and with keywords; and the inputs that once
// crashed a node.
func (fz *commandFuzzer) seeds() [][]byte {
	var out [][]byte
	if i := slices.IndexFunc(fz.names, func(n []string) bool { return n[0] == "SETRANGE" }); i >= 0 {
		// SETRANGE k0 9223372036854775807 A: the offset plus the length
		// overflowed, and the node sliced past its string.
		out = append(out, []byte{0, byte(i >> 8), byte(i), 3, 0, 0, 3, 0, 7, 1, 'A'})
	}
	for i := range fz.names {
		hi, lo := byte(i>>8), byte(i)
		out = append(out,
			[]byte{0, hi, lo, 0},
			[]byte{0, hi, lo, 3, 0, 0, 2, 1, 5, 1},
			[]byte{1, hi, lo, 4, 0, 1, 2, 0, 2, 2, 4, 3},
			[]byte{2, hi, lo, 5, 0, 0, 3, 0, 3, 1, 4, 7, 2, 3},
		)
	}
	return out
}
