package nemesis

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// A Kind is one kind of fault a generated schedule can hold: each
// partition shape, crash, pause, each clock fault, each disk fault, each
// link fault. A swarm profile turns kinds on and off per seed.
type Kind string

// The kinds, in the order a profile draws them.
const (
	KindIsolate  Kind = "partition-isolate"
	KindMajority Kind = "partition-majority"
	KindOneWay   Kind = "partition-oneway"
	KindBridge   Kind = "partition-bridge"
	KindCrash    Kind = "crash"
	KindPause    Kind = "pause"
	KindJump     Kind = "clock-jump"
	KindDrift    Kind = "clock-drift"
	KindStrobe   Kind = "clock-strobe"
	KindFsync    Kind = "disk-fsync-error"
	KindFull     Kind = "disk-full"
	KindClog     Kind = "link-clog"
	KindReset    Kind = "link-reset"
	KindSlow     Kind = "link-slow"
	KindKillLink Kind = "kill-link"
	KindTorn     Kind = "crash-torn"
	KindWipe     Kind = "crash-wipe"
)

// kinds lists each kind with the family that enables it in a Config.
var kinds = []struct {
	k      Kind
	on     func(Config) bool
	family string
}{
	{KindIsolate, func(c Config) bool { return c.Partitions && len(c.Hosts) >= 2 }, "partitions"},
	{KindMajority, func(c Config) bool { return c.Partitions && len(c.Hosts) >= 2 }, "partitions"},
	{KindOneWay, func(c Config) bool { return c.Partitions && len(c.Hosts) >= 2 }, "partitions"},
	{KindBridge, func(c Config) bool { return c.Partitions && len(c.Hosts) >= 3 }, "partitions"},
	{KindCrash, func(c Config) bool { return c.Crashes }, "crashes"},
	{KindPause, func(c Config) bool { return c.Pauses }, "pauses"},
	{KindJump, func(c Config) bool { return c.Clocks }, "clocks"},
	{KindDrift, func(c Config) bool { return c.Clocks }, "clocks"},
	{KindStrobe, func(c Config) bool { return c.Clocks }, "clocks"},
	{KindFsync, func(c Config) bool { return c.Disks }, "disks"},
	{KindFull, func(c Config) bool { return c.Disks }, "disks"},
	{KindClog, func(c Config) bool { return c.Links && len(c.Hosts) >= 2 }, "links"},
	{KindReset, func(c Config) bool { return c.Links && len(c.Hosts) >= 2 }, "links"},
	{KindSlow, func(c Config) bool { return c.Links && len(c.Hosts) >= 2 }, "links"},
	{KindKillLink, func(c Config) bool { return c.LinkKills && len(c.Hosts) >= 1 }, "link-kills"},
	{KindTorn, func(c Config) bool { return c.Crashes }, "crashes"},
	{KindWipe, func(c Config) bool { return c.Wipes }, "wipes"},
}

// Profile is a seed's swarm fault profile: the kinds it has and the rate
// of each, as swarm testing (Groce et al.) and FoundationDB's simulator
// draw them. Kinds the scenario does not enable are never in it.
type Profile struct {
	// Rates are the kinds that are on, each with its mean number of
	// faults per minute, in the order of the kinds' list.
	Rates []KindRate `json:"rates"`
	// Off are the kinds the scenario enables that this seed turned off.
	Off []Kind `json:"off,omitempty"`
}

// KindRate is one kind's rate in a profile.
type KindRate struct {
	Kind      Kind    `json:"kind"`
	PerMinute float64 `json:"per_minute"`
}

// String is the profile in one line, for --faults.
func (p *Profile) String() string {
	if p == nil {
		return "no swarm profile (the scenario's own fault mix)"
	}
	var on []string
	for _, r := range p.Rates {
		on = append(on, fmt.Sprintf("%s %.1f/min", r.Kind, r.PerMinute))
	}
	off := make([]string, len(p.Off))
	for i, k := range p.Off {
		off[i] = string(k)
	}
	s := "swarm profile: " + strings.Join(on, ", ")
	if len(off) > 0 {
		s += "; off: " + strings.Join(off, ", ")
	}
	return s
}

// DrawProfile draws a profile for cfg from r: each kind cfg enables is on
// with probability 1/2 (at least one always is), and an on kind's rate is
// the config's own (one fault per Interval, shared by the kinds) scaled by
// a factor drawn from 1/4 to 4, log-uniformly.
func DrawProfile(cfg Config, r *rand.Rand) *Profile {
	var avail []Kind
	for _, k := range kinds {
		if k.on(cfg) {
			avail = append(avail, k.k)
		}
	}
	p := &Profile{}
	if len(avail) == 0 || cfg.Interval <= 0 {
		return p
	}
	on := make([]bool, len(avail))
	any := false
	for i := range avail {
		on[i] = r.IntN(2) == 0
		any = any || on[i]
	}
	if !any {
		on[r.IntN(len(avail))] = true
	}
	base := float64(time.Minute) / float64(cfg.Interval) / float64(len(avail))
	for i, k := range avail {
		if !on[i] {
			p.Off = append(p.Off, k)
			continue
		}
		scale := 1.0
		for e := r.IntN(5) - 2; e != 0; {
			if e > 0 {
				scale, e = scale*2, e-1
			} else {
				scale, e = scale/2, e+1
			}
		}
		p.Rates = append(p.Rates, KindRate{Kind: k, PerMinute: base * scale})
	}
	return p
}
