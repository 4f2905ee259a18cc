package redis

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/cmdfuzz"
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
	gen *cmdfuzz.Generator
}

func newCommandFuzzer(tbl *CommandTable) *commandFuzzer {
	var names []string
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
		names = append(names, name)
	}
	return &commandFuzzer{gen: cmdfuzz.New(names, tbl.Tokens)}
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
	// A script that spins would time out after 5 s of virtual time, half a
	// billion Lua instructions of real CPU, then run on for the whole
	// world: with busy-reply-threshold 0 the engine cuts it after MaxSteps
	// instead. Busy scripts have their own tests (busyscript_test.go).
	cfg.BusyReplyThreshold = 0
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
	var sent [][]string
	start := time.Now()
	// A node that takes seconds of real time over a few commands holds a
	// simulated world as long: as bad as a crash.
	slow := func() {
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("the node took %v over %q", d, sent)
		}
	}
	for _, c := range fz.gen.Commands(data) {
		sent = append(sent, c.Args)
		open(c.Conn).send(c.Args)
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
	var out [][]string
	for _, c := range fz.gen.Commands(data) {
		out = append(out, c.Args)
	}
	return out
}

// seeds are the generator's inputs for each command of the table, and
// the inputs that once crashed a node.
func (fz *commandFuzzer) seeds() [][]byte {
	var out [][]byte
	if i := fz.gen.Index("SETRANGE"); i >= 0 {
		// SETRANGE k0 9223372036854775807 A: the offset plus the length
		// overflowed, and the node sliced past its string.
		out = append(out, []byte{0, byte(i >> 8), byte(i), 3, 0, 0, 3, 0, 7, 1, 'A'})
	}
	return append(out, fz.gen.Seeds()...)
}
