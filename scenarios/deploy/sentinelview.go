package deploy

import (
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// SentinelView is what the sentinel on one host says of the masters it
// monitors: read from the simulated sentinel's memory in a world, asked
// with SENTINEL MASTERS and INFO on a platform. Err says why a platform's
// sentinel could not be read (down, not answering); Down is set with it.
type SentinelView struct {
	Down, Paused, Tilt bool
	Err                string
	CurrentEpoch       uint64
	Masters            []SentinelMaster
}

// Master is the view of the master named name, and whether the sentinel
// monitors it.
func (v SentinelView) Master(name string) (SentinelMaster, bool) {
	for _, m := range v.Masters {
		if m.Name == name {
			return m, true
		}
	}
	return SentinelMaster{}, false
}

// SentinelView reads the sentinel on host. Reading changes nothing in the
// run.
func (b *Deployed) SentinelView(host string) SentinelView {
	if b.pf != nil {
		st, err := b.pf.SentinelState(host)
		if err != nil {
			return SentinelView{Down: true, Err: err.Error()}
		}
		return SentinelView{Paused: st.Paused, Tilt: st.Tilt, CurrentEpoch: st.CurrentEpoch, Masters: st.Masters}
	}
	s := b.Sentinel(host)
	if s == nil {
		return SentinelView{Down: true}
	}
	v := SentinelView{Paused: b.sentinelProcs[host].State() == sim.Paused, Tilt: s.Tilt(), CurrentEpoch: s.CurrentEpoch()}
	for _, m := range s.MasterNames() {
		addr, _ := s.MasterAddr(m)
		v.Masters = append(v.Masters, SentinelMaster{Name: m, Addr: addr, Status: s.Status(m), ConfigEpoch: s.ConfigEpoch(m)})
	}
	return v
}

// Role is the role of the node on host ("master", "slave"), or "down"
// when it is down or does not answer.
func (b *Deployed) Role(host string) string {
	if b.pf != nil {
		st, err := b.pf.State(host, false)
		if err != nil {
			return "down"
		}
		return st.Role
	}
	if s := b.Server(host); s != nil {
		return s.Role()
	}
	return "down"
}

// MasterHost is the host the node on host replicates from, "" when it is
// a master or down.
func (b *Deployed) MasterHost(host string) string {
	if b.pf != nil {
		st, err := b.pf.State(host, false)
		if err != nil || st.Role != "slave" {
			return ""
		}
		return st.MasterHost
	}
	if s := b.Server(host); s != nil && s.Role() == "slave" {
		return s.MasterHost()
	}
	return ""
}

// observeSentinels appends to obs what each sentinel answers at time at
// for each master it monitors: the master's address, its status, the
// epochs and TILT; a sentinel that is down gets one Down sample per
// master it was last seen monitoring, a paused one on a platform (which
// cannot be asked) one Paused sample per master. It only reads, so it
// changes nothing in the run.
func (b *Deployed) observeSentinels(obs *Observations, at time.Duration) {
	for _, h := range b.sentinels {
		v := b.SentinelView(h)
		if v.Down || (v.Paused && len(v.Masters) == 0) {
			names := b.sentinelNames[h]
			if len(names) == 0 {
				names = []string{""}
			}
			for _, m := range names {
				obs.Sentinels = append(obs.Sentinels, reports.SentinelSample{At: at, Sentinel: h, Master: m, Down: v.Down, Paused: v.Paused})
			}
			continue
		}
		if b.sentinelNames == nil {
			b.sentinelNames = map[string][]string{}
		}
		names := make([]string, len(v.Masters))
		for i, m := range v.Masters {
			names[i] = m.Name
			obs.Sentinels = append(obs.Sentinels, reports.SentinelSample{
				At: at, Sentinel: h, Master: m.Name, Paused: v.Paused,
				Addr: m.Addr, Status: m.Status, Tilt: v.Tilt,
				CurrentEpoch: v.CurrentEpoch, ConfigEpoch: m.ConfigEpoch,
			})
		}
		b.sentinelNames[h] = names
	}
}
