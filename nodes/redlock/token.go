package redlock

import (
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// DefaultTokenPort is where a token source listens unless told otherwise.
const DefaultTokenPort = 7401

// TokenOptions configure a token source: the strongly consistent counter
// service Kleppmann's fencing assumes (one process, linearizable by
// construction), handing out strictly increasing tokens.
//
// Its protocol is a sliver of Redis's: `INCR key` replies the key's
// counter after adding one, starting from 0; PING replies +PONG.
type TokenOptions struct {
	// Port is where it listens; zero means DefaultTokenPort.
	Port int
}

// TokenProgram returns the program of a token source. Its counters outlive
// its incarnations, as a consensus-backed counter would: a restart never
// hands out a token twice.
func TokenProgram(opts TokenOptions) sim.Program {
	if opts.Port == 0 {
		opts.Port = DefaultTokenPort
	}
	counters := map[string]int64{} // looked up, never iterated
	return func(env sim.Env) sim.Node {
		t := &tokenSource{counters: counters}
		if err := env.Listen(opts.Port, accepter(t.handle)); err != nil {
			env.Logf("redlock token source: listen: %v", err)
		}
		return t
	}
}

type tokenSource struct{ counters map[string]int64 }

func (t *tokenSource) Stop() {}

func (t *tokenSource) handle(args [][]byte, w *resp.Writer) {
	switch {
	case len(args) == 1 && equalFold(args[0], "PING"):
		w.WriteSimpleString("PONG")
	case len(args) == 2 && equalFold(args[0], "INCR"):
		k := string(args[1])
		t.counters[k]++
		w.WriteInt(t.counters[k])
	default:
		w.WriteError("ERR unknown command or wrong number of arguments; want INCR key")
	}
}
