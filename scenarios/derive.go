package scenarios

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/scenarios/nemesis"
)

// Derivation is what a derived scenario changes of its base: the defaults
// of some parameters and, when Explicit is set, the whole schedule. A
// derived scenario is how a shrunk failing run is kept: the built-in it came
// from, the parameters it shrank (fewer clients, a shorter run) and the few
// actions left, runnable as a scenario file (`base = "failover-partition"`).
type Derivation struct {
	// Name, Summary and Source name the derived scenario as Scenario's
	// fields do; empty ones are taken from the base.
	Name, Summary, Source string
	// Set replaces parameters' defaults, as --set does; --set still
	// overrides them. The framework's own settings (swarm, buggify) are allowed.
	Set map[string]string
	// Schedule replaces the base's schedule when Explicit is set (an empty
	// Schedule is then a run without any action). Actions run in time
	// order; their hosts must be hosts of the base's world.
	Schedule []nemesis.Action
	Explicit bool
}

// Derive returns base changed by d. The parameters in d.Set are checked
// now, so that a bad value is reported where it was written.
func Derive(base *Scenario, d Derivation) (*Scenario, error) {
	params := slices.Clone(base.Params)
	settings := maps.Clone(base.Settings)
	rest := map[string]string{}
	for k, v := range d.Set { //redsim:ordered copied into maps
		if isSetting(k, base.Params) {
			if settings == nil {
				settings = map[string]string{}
			}
			settings[k] = v
			continue
		}
		rest[k] = v
	}
	if _, _, err := frameworkSettings(settings); err != nil {
		return nil, err
	}
	if _, err := NewParams(params, rest); err != nil {
		return nil, err
	}
	for i := range params {
		if v, ok := rest[params[i].Name]; ok {
			params[i].Default = v
		}
	}
	out := &Scenario{
		Name: cmp.Or(d.Name, base.Name), Summary: cmp.Or(d.Summary, base.Summary), Source: cmp.Or(d.Source, base.Source),
		Params: params, Settings: settings, Setup: base.Setup, Digest: base.Digest,
	}
	if d.Explicit {
		schedule := slices.Clone(d.Schedule)
		out.Setup = func(r *Run) (Checks, error) {
			checks, err := base.Setup(r)
			if err != nil {
				return nil, err
			}
			if err := checkHosts(r, schedule); err != nil {
				return nil, err
			}
			if err := checkTimes(r, schedule); err != nil {
				return nil, err
			}
			r.Schedule = slices.Clone(schedule)
			return checks, nil
		}
	}
	return out, nil
}

// isSetting reports whether k is one of the framework's own settings rather
// than a parameter of the scenario.
func isSetting(k string, params []Param) bool {
	if !slices.Contains(frameworkNames[:], k) {
		return false
	}
	return !slices.ContainsFunc(params, func(p Param) bool { return p.Name == k })
}

// checkHosts refuses an explicit schedule naming a host the world does not
// have, before the run starts, rather than failing the run when the action
// comes due.
func checkHosts(r *Run, schedule []nemesis.Action) error {
	var names []string
	for _, h := range r.World.Hosts() {
		names = append(names, h.Name())
	}
	// A host the base's own schedule names exists by the time its actions
	// run, though maybe not yet: a cluster's operator host is made by the
	// cluster-create action (shrink's files keep such groups).
	for _, a := range r.Schedule {
		for _, h := range actionHosts(a) {
			if !slices.Contains(names, h) {
				names = append(names, h)
			}
		}
	}
	for i, a := range schedule {
		for _, h := range actionHosts(a) {
			if !slices.Contains(names, h) {
				return fmt.Errorf("schedule action %d (%s): host %q is not in this scenario; its hosts are %s", i+1, a, h, strings.Join(names, ", "))
			}
		}
	}
	return nil
}

// actionHosts are the hosts an action names (a publish's or a failover's
// Target names a service, not a host).
func actionHosts(a nemesis.Action) []string {
	hosts := slices.Concat(a.Groups...)
	if a.Target != "" && a.Op != nemesis.OpPublish && a.Op != nemesis.OpFailover {
		hosts = append(hosts, a.Target)
	}
	return hosts
}

// checkTimes refuses an explicit schedule with an action at or after the
// run's end, which would never happen, or inside the quiet period of a
// scenario that has one, where the checks judge a world still under
// faults. A heal-all may come at the quiet period's start, which it
// starts, but not after it: the checks would judge faults it had not yet
// healed. A scenario file checks its own with the defaults at its lines;
// this sees the duration and quiet that --set gave.
func checkTimes(r *Run, schedule []nemesis.Action) error {
	faultsEnd := r.Duration
	if q, ok := r.Params.values["quiet"].(time.Duration); ok {
		faultsEnd -= q
	}
	for i, a := range schedule {
		switch {
		case a.At >= r.Duration:
			return fmt.Errorf("schedule action %d (%s) comes at or after the run's end (duration %v): it would never happen", i+1, a, r.Duration)
		case a.At > faultsEnd || a.At == faultsEnd && a.Op != nemesis.OpHealAll: // a heal-all may start it
			return fmt.Errorf("schedule action %d (%s) comes inside the quiet period (from %v: duration %v minus quiet %v), where the checks judge a world healed of its faults", i+1, a, faultsEnd, r.Duration, r.Duration-faultsEnd)
		}
	}
	return nil
}
