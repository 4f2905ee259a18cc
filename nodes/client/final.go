package client

import (
	"fmt"

	"github.com/redsim/redsim/sim"
)

// FinalRead reads every key of opts.Workload, which must be a FinalReader
// (Set, ListAppend), on the node at addr: one FinalRead operation per key, in
// key order, one at a time over one connection, recorded as opts.Process
// with the usual outcomes (a read that fails or times out is not retried).
// It runs in env's process and returns the Node to hand back from a
// Program; done, if not nil, runs once the last read completed. opts.Target,
// Think and Stop are not used. Give each final reader its own Process, so
// that one process never has two operations in flight.
func FinalRead(env sim.Env, addr string, opts Options, done func()) (sim.Node, error) {
	fr, err := finalReader(addr, &opts)
	if err != nil {
		return nil, err
	}
	c := &client{env: env, o: opts, st: &state{pending: -1}, finals: fr.Final(), done: done}
	c.stepFn = c.step
	c.after(0)
	return c, nil
}

// FinalReadProgram is a Program that runs FinalRead once per incarnation;
// it fails at once when opts cannot do a final read.
func FinalReadProgram(addr string, opts Options, done func()) (sim.Program, error) {
	if _, err := finalReader(addr, &opts); err != nil {
		return nil, err
	}
	return func(env sim.Env) sim.Node {
		n, err := FinalRead(env, addr, opts, done)
		if err != nil {
			panic(err) // checked above
		}
		return n
	}, nil
}

func finalReader(addr string, opts *Options) (FinalReader, error) {
	// A final read is on one node, whatever mode the clients ran in.
	opts.Target, opts.Sentinel, opts.Cluster, opts.Stop = Fixed(addr), nil, nil, 0
	if err := opts.validate(); err != nil {
		return nil, err
	}
	fr, ok := opts.Workload.(FinalReader)
	if !ok {
		return nil, fmt.Errorf("client %d: workload %T has no final reads; set and list-append have", opts.Process, opts.Workload)
	}
	return fr, nil
}
