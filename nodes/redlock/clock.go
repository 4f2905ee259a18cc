package redlock

import (
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/sim"
)

// HostMonoToTrue returns an Options.MonoToTrue for a client on host h of
// world w: the true time at which h's monotonic clock reads (or read) mono,
// from its reading now and its drift now. A drift change between the
// conversion and that time is not foreseen; a client converts the end of its
// validity when it acquires or extends, so its Hold ends where its clock, as
// it ran then, said the validity would.
func HostMonoToTrue(w *sim.World, h *sim.Host) func(mono time.Duration) clock.Time {
	return func(mono time.Duration) clock.Time {
		now, d := w.Now(), mono-h.Mono()
		if d < 0 {
			return now.Add(-h.Clock.TrueDuration(-d))
		}
		return now.Add(h.Clock.TrueDuration(d))
	}
}
