package client

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// The defaults of Options, after go-redis's DialTimeout, ReadTimeout,
// MinRetryBackoff and MaxRetryBackoff as they were through v9.21. v9.22
// raised the last three to 5 s, 10 ms and 1 s (its "cross-SDK aligned
// defaults"); these stay at the values that the scenarios' histories, the
// golden runs and the studies were made with. A scenario that wants
// today's go-redis sets Timeout, BackoffMin and BackoffMax.
const (
	DefaultDialTimeout = 5 * time.Second
	DefaultTimeout     = 3 * time.Second
	DefaultBackoffMin  = 8 * time.Millisecond
	DefaultBackoffMax  = 512 * time.Millisecond
	// DefaultThink keeps a client at about 100 operations per virtual
	// second, which keeps histories small enough for the linearizability
	// checker.
	DefaultThink = 10 * time.Millisecond
)

// Options configure one client process. History, Now, Target and Workload
// are required; a zero duration takes its default.
type Options struct {
	// Process is the client's id, recorded in every operation; it must be
	// unique in the run, as it also makes the written values unique.
	Process int
	// History is where operations are recorded.
	History *history.History
	// Now returns the world's true time (sim.World.Now); operations are
	// recorded in it, never in the host's skewed clock.
	Now func() clock.Time
	// Target returns the "host:port" to send the next operation to: Fixed
	// for one node, or a function that returns the current master as an
	// operator or a Sentinel sees it. "" means no master is known: the
	// client waits BackoffMin and asks again, recording nothing.
	Target func() string
	// Sentinel, in place of Target, makes the client find the master
	// through Redis Sentinel (sentinel.go).
	Sentinel *Sentinel
	// Cluster, in place of Target, makes the client a Redis Cluster
	// client that routes each operation by its key's slot (cluster.go).
	// Its workload must keep every operation's keys in one slot
	// (ForCluster).
	Cluster *Cluster
	// ReadOnly, for a FinalRead on one node of a Redis Cluster, sends
	// READONLY on the connection first, so that a replica serves the
	// reads of its master's slots instead of answering MOVED. (The
	// clients of a run set Cluster.ReadOnly instead.)
	ReadOnly bool
	// Workload generates the operations and decodes their replies.
	Workload Workload

	// Timeout is how long an operation waits for its reply after it was
	// sent (go-redis's ReadTimeout); then it is Info and the connection is
	// closed.
	Timeout time.Duration
	// DialTimeout is how long a dial may take; a dial that times out fails
	// the operation that waited for it.
	DialTimeout time.Duration
	// BackoffMin and BackoffMax bound the wait before the next operation
	// after a connection failure (dial failure, timeout, reset): it doubles
	// with each failure in a row from BackoffMin up to BackoffMax, and each
	// wait is drawn uniformly from [d/2, d].
	BackoffMin, BackoffMax time.Duration
	// Think is the mean wait between an operation's completion and the next
	// invocation; each wait is drawn uniformly from [Think/2, 3*Think/2).
	// Zero means DefaultThink; a negative value means no wait at all.
	Think time.Duration
	// IdleEvery and IdleFor, when both are set, make the client invoke
	// nothing during [k*IdleEvery, k*IdleEvery+IdleFor) of true time for
	// every k >= 1: clients with the same values fall silent together, so
	// that a master's stream goes idle (and carries only its PINGs).
	IdleEvery, IdleFor time.Duration
	// Stop is the true time after which the client invokes no new operation
	// and closes its connection; the operation in flight still completes.
	// Zero means never.
	Stop clock.Time
}

// Fixed is a Target that always returns addr.
func Fixed(addr string) func() string { return func() string { return addr } }

func (o *Options) validate() error {
	var missing []string
	if o.History == nil {
		missing = append(missing, "History")
	}
	if o.Now == nil {
		missing = append(missing, "Now")
	}
	if o.Target == nil && o.Sentinel == nil && o.Cluster == nil {
		missing = append(missing, "Target (or Sentinel or Cluster)")
	}
	if o.Workload == nil {
		missing = append(missing, "Workload")
	}
	if len(missing) > 0 {
		return fmt.Errorf("client %d: options %s must be set", o.Process, strings.Join(missing, ", "))
	}
	if o.Target != nil && o.Sentinel != nil {
		return fmt.Errorf("client %d: options Target and Sentinel are exclusive", o.Process)
	}
	if o.Cluster != nil && (o.Target != nil || o.Sentinel != nil) {
		return fmt.Errorf("client %d: option Cluster is exclusive with Target and Sentinel", o.Process)
	}
	if o.Cluster != nil {
		if len(o.Cluster.Addrs) == 0 {
			return fmt.Errorf("client %d: option Cluster needs the seed nodes' addresses (Cluster.Addrs)", o.Process)
		}
		if name := crossSlot(o.Workload); name != "" {
			return fmt.Errorf("client %d: in cluster mode, workload %s may put one operation's keys in several slots, which Redis Cluster refuses; adapt it with client.ForCluster", o.Process, name)
		}
	}
	if s := o.Sentinel; s != nil && (len(s.Addrs) == 0 || s.MasterName == "") {
		return fmt.Errorf("client %d: option Sentinel needs the sentinels' addresses and the master's name", o.Process)
	}
	if o.Timeout < 0 || o.DialTimeout < 0 || o.BackoffMin < 0 || o.BackoffMax < 0 {
		return errors.New("client options: Timeout, DialTimeout, BackoffMin and BackoffMax must not be negative")
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.BackoffMin == 0 {
		o.BackoffMin = DefaultBackoffMin
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.BackoffMax < o.BackoffMin {
		return fmt.Errorf("client options: BackoffMax %v is below BackoffMin %v", o.BackoffMax, o.BackoffMin)
	}
	if o.Think == 0 {
		o.Think = DefaultThink
	}
	if o.IdleEvery < 0 || o.IdleFor < 0 || o.IdleEvery > 0 && o.IdleFor >= o.IdleEvery {
		return fmt.Errorf("client options: IdleFor %v must be shorter than IdleEvery %v, neither negative", o.IdleFor, o.IdleEvery)
	}
	return nil
}
