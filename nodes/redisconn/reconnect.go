package redisconn

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff is a jittered exponential backoff, go-redis's MinRetryBackoff and
// MaxRetryBackoff: after the n-th failure in a row the bound is Min doubled
// n-1 times, capped at Max, and the wait is drawn uniformly from
// [bound/2, bound]. The zero Backoff is off.
type Backoff struct {
	Min, Max time.Duration
}

// Delay is the wait after the n-th failure in a row (n below 1 counts as
// 1), with exactly one draw from r, the caller's own stream.
func (b Backoff) Delay(r *rand.Rand, n int) time.Duration {
	d := b.Max
	if k := max(n-1, 0); k < 30 {
		if x := b.Min << k; x < d {
			d = x
		}
	}
	return d/2 + time.Duration(r.Int64N(int64(d/2)+1))
}

func (b Backoff) validate() error {
	if b.Min < 0 || b.Max < 0 || b.Max < b.Min {
		return errors.New("redisconn: Reconnect needs 0 <= Min <= Max")
	}
	return nil
}

// redialLater counts a connection lost to a fault and, with
// Options.Reconnect, arranges the next dial.
func (c *Conn) redialLater() {
	if c.o.Reconnect.Max <= 0 || !c.redial || c.cur != nil || c.retrying {
		return
	}
	c.failures++
	c.retrying = true
	c.retry = c.env.After(c.o.Reconnect.Delay(c.env.Rand(), c.failures), c.retryFn)
}

// retryNow is the reconnect timer.
func (c *Conn) retryNow() {
	c.retrying = false
	if c.cur == nil {
		c.dial()
	}
}

// stopRetry ends reconnecting until the next Do or Connect.
func (c *Conn) stopRetry() {
	c.redial = false
	if c.retrying {
		c.retrying = false
		c.env.Cancel(c.retry)
	}
}
