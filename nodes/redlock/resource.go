package redlock

import (
	"errors"
	"strconv"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// DefaultResourcePort is where a resource listens unless told otherwise.
const DefaultResourcePort = 7400

// ResourceOptions configure a resource process: the storage service that a
// lock guards, which lock clients write to while they believe they hold the
// lock.
//
// Its protocol is RESP: `WRITE lock process token` replies +OK when the
// write is accepted and an error when it is refused; PING replies +PONG.
type ResourceOptions struct {
	// Port is where it listens; zero means DefaultResourcePort.
	Port int
	// Fenced makes it refuse a write whose token is lower than the highest
	// it has accepted for the same lock, replying
	// "-STALE token 3 is below 5"; unfenced, it accepts every write.
	Fenced bool
	// Writes receives what it accepted and refused; required.
	Writes *Writes
	// Now returns the world's true time, which accesses are recorded in;
	// required.
	Now func() clock.Time
}

// Writes is what a resource saw, shared with the scenario. It outlives the
// resource's incarnations, as a durable store keeps its data and its
// highest token across restarts.
type Writes struct {
	// Accepted are the writes accepted, in the order accepted: the
	// accesses the resource-safety checker reads.
	Accepted []history.Access
	// Rejected are the writes a fenced resource refused.
	Rejected []history.Access
	// highest is the highest token accepted per lock; looked up, never
	// iterated.
	highest map[string]int64
}

// ResourceProgram returns the program of a resource process.
func ResourceProgram(opts ResourceOptions) (sim.Program, error) {
	if opts.Writes == nil || opts.Now == nil {
		return nil, errors.New("redlock resource: options Writes and Now must be set")
	}
	if opts.Port == 0 {
		opts.Port = DefaultResourcePort
	}
	if opts.Writes.highest == nil {
		opts.Writes.highest = map[string]int64{}
	}
	return func(env sim.Env) sim.Node {
		r := &resource{o: opts}
		if err := env.Listen(opts.Port, accepter(r.handle)); err != nil {
			env.Logf("redlock resource: listen: %v", err)
		}
		return r
	}, nil
}

type resource struct{ o ResourceOptions }

func (r *resource) Stop() {}

func (r *resource) handle(args [][]byte, w *resp.Writer) {
	switch {
	case len(args) == 1 && equalFold(args[0], "PING"):
		w.WriteSimpleString("PONG")
		return
	case len(args) != 4 || !equalFold(args[0], "WRITE"):
		w.WriteError("ERR unknown command or wrong number of arguments; want WRITE lock process token")
		return
	}
	proc, err1 := strconv.Atoi(string(args[2]))
	token, err2 := strconv.ParseInt(string(args[3]), 10, 64)
	if err1 != nil || err2 != nil {
		w.WriteError("ERR process and token must be integers")
		return
	}
	a := history.Access{Process: proc, Lock: string(args[1]), At: r.o.Now(), Token: token}
	ws := r.o.Writes
	if top, seen := ws.highest[a.Lock]; r.o.Fenced && seen && token < top {
		ws.Rejected = append(ws.Rejected, a)
		w.WriteError("STALE token " + strconv.FormatInt(token, 10) + " is below " + strconv.FormatInt(top, 10))
		return
	}
	if top, seen := ws.highest[a.Lock]; !seen || token > top {
		ws.highest[a.Lock] = token
	}
	ws.Accepted = append(ws.Accepted, a)
	w.WriteOK()
}

// equalFold reports whether b spells the ASCII upper-case word, in any case.
func equalFold(b []byte, word string) bool {
	if len(b) != len(word) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}
