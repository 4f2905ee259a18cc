package deploy

import (
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// observeSentinels appends to obs what each sentinel answers at time at
// for each master it monitors: the master's address, its status, the
// epochs and TILT; a sentinel that is down gets one Down sample per
// master it was last seen monitoring. It reads the sentinels' state
// through their read-only views, so it changes nothing in the run.
func (b *Deployed) observeSentinels(obs *Observations, at time.Duration) {
	for _, h := range b.sentinels {
		s := b.Sentinel(h)
		if s == nil {
			names := b.sentinelNames[h]
			if len(names) == 0 {
				names = []string{""}
			}
			for _, m := range names {
				obs.Sentinels = append(obs.Sentinels, reports.SentinelSample{At: at, Sentinel: h, Master: m, Down: true})
			}
			continue
		}
		names := s.MasterNames()
		if b.sentinelNames == nil {
			b.sentinelNames = map[string][]string{}
		}
		b.sentinelNames[h] = names
		paused := b.sentinelProcs[h].State() == sim.Paused
		for _, m := range names {
			addr, _ := s.MasterAddr(m)
			obs.Sentinels = append(obs.Sentinels, reports.SentinelSample{
				At: at, Sentinel: h, Master: m, Paused: paused,
				Addr: addr, Status: s.Status(m), Tilt: s.Tilt(),
				CurrentEpoch: s.CurrentEpoch(), ConfigEpoch: s.ConfigEpoch(m),
			})
		}
	}
}
