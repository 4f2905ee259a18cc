package redlock

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/sim"
)

// The defaults of Options. RetryCount, RetryDelay and DriftFactor are
// redlock-rb's (DefaultRetryCount, DefaultRetryDelay, ClockDriftFactor);
// redlock-rb takes the TTL as an argument, so DefaultTTL is the 30000 ms of
// the example on redis.io's page, and DefaultTimeout the top of the "5-50
// milliseconds" the page advises for a 10 s TTL.
const (
	DefaultLock        = "lock"
	DefaultTTL         = 30 * time.Second
	DefaultTimeout     = 50 * time.Millisecond
	DefaultDialTimeout = time.Second
	DefaultDriftFactor = 0.01
	DefaultRetryCount  = 3
	DefaultRetryDelay  = 200 * time.Millisecond
	// DefaultIOTimeout bounds a token fetch and a resource write.
	DefaultIOTimeout = time.Second
)

// driftFloor is what redlock-rb adds to ttl*DriftFactor: 1 ms for Redis's
// expiry precision and 1 ms of minimum drift for small TTLs.
const driftFloor = 2 * time.Millisecond

// Options configure one lock client process. Masters, History, Holds and Now
// are required, and Resource unless NoResource; a zero duration or count
// takes its default.
type Options struct {
	// Process is the client's id, recorded in its operations, holds and
	// writes; it must be unique in the run.
	Process int
	// Lock is the key the lock lives under on every master (and the name of
	// the resource it guards in holds and accesses).
	Lock string
	// Masters are the N independent Redis masters ("host:port"); the quorum
	// is N/2+1. redis.io's page uses N = 5.
	Masters []string

	// TTL is the lock's time to live, the PX of SET NX PX; whole
	// milliseconds.
	TTL time.Duration
	// Timeout is the per-instance timeout: how long one round of requests
	// (to all masters at once) waits for replies before the missing ones
	// count as failures. It should be small next to TTL.
	Timeout time.Duration
	// DialTimeout bounds a connection attempt to a master, the token source
	// or the resource. Requests sent while dialling wait for the connection
	// but their round still ends at Timeout.
	DialTimeout time.Duration
	// DriftFactor is the clock drift allowed for, as a fraction of TTL:
	// validity = TTL - elapsed - (TTL*DriftFactor + 2ms). Zero takes the
	// default; a tiny positive factor leaves only the 2 ms.
	DriftFactor float64
	// RetryCount is how many acquire attempts one lock() call makes; after
	// that the client thinks and calls lock() again.
	RetryCount int
	// RetryDelay bounds the random wait between attempts: each wait is
	// drawn uniformly from [0, RetryDelay), as redlock-rb's rand(retry_delay).
	RetryDelay time.Duration
	// Extend, when positive, makes the client extend its lock every Extend
	// of monotonic time while it works, with the compare-and-pexpire script
	// on all masters (node-redlock's extend); a successful extension
	// restarts the validity from the extension's start. Zero never extends.
	Extend time.Duration
	// SkipValidityCheck is an ablation: the client takes a quorum as the
	// lock whatever time it took, never checks validity before writing, and
	// believes it holds the lock until it releases it.
	SkipValidityCheck bool
	// ValidityFromReply is an ablation subtler than SkipValidityCheck: the
	// client does not subtract the time acquiring took. A quorum is the
	// lock, valid for TTL minus drift from when the last reply of the
	// round came rather than from when the round began, and the client
	// checks that validity before writing. On a slow network the masters'
	// keys expire before the client's validity does.
	ValidityFromReply bool

	// Fenced makes the client fetch a token from TokenSource right after
	// acquiring (INCR Lock) and send it with its write.
	Fenced bool
	// TokenSource is the token source's "host:port"; required when Fenced.
	TokenSource string
	// Resource is the guarded resource's "host:port".
	Resource string
	// NoResource skips the write: the client only acquires and releases.
	NoResource bool
	// IOTimeout bounds a token fetch and a resource write.
	IOTimeout time.Duration

	// WorkTime is how long the client works while holding the lock, drawn
	// per acquisition, before it writes. The zero Dist works for no time.
	WorkTime sim.Dist
	// PauseAfterAcquire is a stop-the-world pause (a GC pause) injected
	// after the client's last validity check and before its write, drawn per
	// acquisition. The client does not notice it: it writes as soon as it
	// ends, without checking validity again, and no timer of its own runs
	// during it. The zero Dist never pauses.
	PauseAfterAcquire sim.Dist
	// OnPause, when set, hears of each such pause as it starts, with its
	// length (a report shades it as a fault).
	OnPause func(d time.Duration)
	// Think is the wait after a release, or after a lock() call that gave
	// up, before the next lock() call, drawn each time.
	Think sim.Dist

	// History records the Acquire, Extend and Release operations.
	History *history.History
	// Holds receives one Hold per successful acquisition; the client
	// updates the last one it appended until it releases the lock.
	Holds *[]history.Hold
	// Now returns the world's true time (sim.World.Now).
	Now func() clock.Time
	// MonoToTrue converts a reading of the client host's monotonic clock
	// (past or future) into true time; HostMonoToTrue builds it from the
	// host's clock model. Nil assumes a perfect clock: the validity's end is
	// the acquisition's true time plus the validity.
	MonoToTrue func(mono time.Duration) clock.Time
	// Stop is the true time from which the client starts no new lock()
	// call; a cycle under way still ends with its write and release. Zero
	// means never.
	Stop clock.Time
}

func (o *Options) validate() error {
	var missing []string
	if len(o.Masters) == 0 {
		missing = append(missing, "Masters")
	}
	if o.History == nil {
		missing = append(missing, "History")
	}
	if o.Holds == nil {
		missing = append(missing, "Holds")
	}
	if o.Now == nil {
		missing = append(missing, "Now")
	}
	if o.Resource == "" && !o.NoResource {
		missing = append(missing, "Resource (or NoResource)")
	}
	if o.Fenced && o.TokenSource == "" {
		missing = append(missing, "TokenSource (Fenced is set)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("redlock client %d: options %s must be set", o.Process, strings.Join(missing, ", "))
	}
	if o.TTL < 0 || o.Timeout < 0 || o.DialTimeout < 0 || o.RetryDelay < 0 || o.Extend < 0 || o.IOTimeout < 0 || o.RetryCount < 0 {
		return fmt.Errorf("redlock client %d: TTL, Timeout, DialTimeout, RetryCount, RetryDelay, Extend and IOTimeout must not be negative", o.Process)
	}
	if o.TTL%time.Millisecond != 0 {
		return fmt.Errorf("redlock client %d: TTL %v is not a whole number of milliseconds, as PX needs", o.Process, o.TTL)
	}
	if !(o.DriftFactor >= 0 && o.DriftFactor < 1) {
		return fmt.Errorf("redlock client %d: DriftFactor %g is not in [0, 1)", o.Process, o.DriftFactor)
	}
	for _, d := range []struct {
		name string
		d    sim.Dist
	}{{"WorkTime", o.WorkTime}, {"PauseAfterAcquire", o.PauseAfterAcquire}, {"Think", o.Think}} {
		if err := d.d.Validate(); err != nil {
			return fmt.Errorf("redlock client %d: %s: %v", o.Process, d.name, err)
		}
	}
	if o.Lock == "" {
		o.Lock = DefaultLock
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.DriftFactor == 0 {
		o.DriftFactor = DefaultDriftFactor
	}
	if o.RetryCount == 0 {
		o.RetryCount = DefaultRetryCount
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.IOTimeout == 0 {
		o.IOTimeout = DefaultIOTimeout
	}
	if o.Extend > 0 && o.Extend >= o.TTL {
		return errors.New("redlock: Extend must be shorter than TTL, or the lock expires before its first extension")
	}
	return nil
}

// drift is the clock drift allowed for: TTL*DriftFactor, truncated to whole
// milliseconds as redlock-rb's (ttl*ClockDriftFactor).to_i, plus 2 ms.
func (o *Options) drift() time.Duration {
	ms := int64(float64(o.TTL.Milliseconds()) * o.DriftFactor)
	return time.Duration(ms)*time.Millisecond + driftFloor
}

// quorum is N/2+1.
func (o *Options) quorum() int { return len(o.Masters)/2 + 1 }
