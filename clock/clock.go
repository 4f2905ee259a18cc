package clock

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// DefaultEpochUnixNano is the wall time, in Unix nanoseconds, that a host with
// no offset reads at the world's epoch: 2026-01-01T00:00:00Z. A fixed epoch keeps
// TIME, key expiry and log lines identical from run to run.
const DefaultEpochUnixNano int64 = 1767225600 * 1e9

// MaxDriftPPM bounds drift: a clock must still move forward.
const MaxDriftPPM = 500000

// Config is a host clock's initial state.
type Config struct {
	// EpochUnixNano is the wall reading at true time 0 before Offset; zero means
	// DefaultEpochUnixNano.
	EpochUnixNano int64
	// Offset is added to the wall clock (a host whose NTP is off).
	Offset time.Duration
	// DriftPPM is how fast both clocks run relative to true time, in parts per
	// million: +100 gains 100µs per second.
	DriftPPM float64
}

// Clock is one host's clock model. Its zero value is a perfect clock at the
// default epoch. It is mutated only by faults, at the true time they happen.
type Clock struct {
	epoch int64
	// The monotonic clock is piecewise linear: at true time anchorT it read
	// anchorMono, and since then it has run at rate 1+driftPPB/1e9.
	anchorT    Time
	anchorMono time.Duration
	driftPPB   int64
	// offset is what the wall clock adds to the monotonic reading: the
	// configured offset plus every jump.
	offset time.Duration
	strobe strobe
}

// strobe flips the wall clock between +0 and +delta every period within
// [start, end), as Jepsen's strobe-time nemesis does.
type strobe struct {
	start, end Time
	delta      time.Duration
	period     time.Duration
}

// New returns a clock in the state cfg describes. It fails when the drift is
// out of range.
func New(cfg Config) (*Clock, error) {
	c := &Clock{epoch: cfg.EpochUnixNano, offset: cfg.Offset}
	if c.epoch == 0 {
		c.epoch = DefaultEpochUnixNano
	}
	ppb, err := ppmToPPB(cfg.DriftPPM)
	if err != nil {
		return nil, err
	}
	c.driftPPB = ppb
	return c, nil
}

func ppmToPPB(ppm float64) (int64, error) {
	if math.IsNaN(ppm) || ppm <= -MaxDriftPPM || ppm > MaxDriftPPM {
		return 0, fmt.Errorf("clock drift %gppm is out of range; want more than -%d and at most %d", ppm, MaxDriftPPM, MaxDriftPPM)
	}
	return int64(math.Round(ppm * 1000)), nil
}

// Mono is the host's monotonic reading at true time t (t must not precede the
// last fault applied to the clock).
func (c *Clock) Mono(t Time) time.Duration {
	return c.anchorMono + scale(t.Sub(c.anchorT), c.driftPPB)
}

// Wall is the host's wall-clock reading at true time t, in Unix nanoseconds.
func (c *Clock) Wall(t Time) int64 {
	w := c.epoch + int64(c.Mono(t)) + int64(c.offset)
	if s := &c.strobe; s.period > 0 && t >= s.start && t < s.end {
		if (t.Sub(s.start)/s.period)%2 == 1 {
			w += int64(s.delta)
		}
	}
	return w
}

// DriftPPM is the current drift.
func (c *Clock) DriftPPM() float64 { return float64(c.driftPPB) / 1000 }

// SetDrift changes the rate of both clocks from true time now on.
func (c *Clock) SetDrift(now Time, ppm float64) error {
	ppb, err := ppmToPPB(ppm)
	if err != nil {
		return err
	}
	c.anchorMono = c.Mono(now)
	c.anchorT = now
	c.driftPPB = ppb
	return nil
}

// Jump moves the wall clock by d (backwards when negative); the monotonic
// clock does not move, as with settimeofday.
func (c *Clock) Jump(d time.Duration) { c.offset += d }

// Strobe makes the wall clock alternate between its reading and its reading
// plus delta every period, from true time now until now+duration.
func (c *Clock) Strobe(now Time, delta, period, duration time.Duration) {
	if period <= 0 || duration <= 0 {
		c.strobe = strobe{}
		return
	}
	c.strobe = strobe{start: now, end: now.Add(duration), delta: delta, period: period}
}

// TrueDuration converts a duration measured on the monotonic clock into true
// time at the current drift, rounding up so that a timer never fires before its
// local deadline.
func (c *Clock) TrueDuration(local time.Duration) time.Duration {
	if local <= 0 {
		return 0
	}
	if c.driftPPB == 0 {
		return local
	}
	hi, lo := bits.Mul64(uint64(local), 1e9)
	q, r := bits.Div64(hi, lo, uint64(1e9+c.driftPPB))
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(q)
}

// scale returns d*(1+ppb/1e9) without overflow for any d a world reaches.
func scale(d time.Duration, ppb int64) time.Duration {
	if ppb == 0 {
		return d
	}
	q, r := int64(d)/1e9, int64(d)%1e9
	return d + time.Duration(q*ppb+r*ppb/1e9)
}
