package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Param documents one parameter a scenario accepts.
type Param struct {
	Name    string
	Default string
	Doc     string
}

// Params are a run's parameter values: the scenario's defaults overridden by
// --set. Every getter names the parameter in its error.
type Params struct {
	specs  []Param
	values map[string]string
}

// NewParams checks overrides against specs: an unknown name is an error that
// lists the known ones.
func NewParams(specs []Param, overrides map[string]string) (Params, error) {
	p := Params{specs: specs, values: map[string]string{}}
	for _, s := range specs {
		p.values[s.Name] = s.Default
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides { //redsim:ordered keys are sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := p.values[k]; !ok {
			known := make([]string, len(specs))
			for i, s := range specs {
				known[i] = s.Name
			}
			return Params{}, fmt.Errorf("parameter %q is unknown; known: %s", k, strings.Join(known, ", "))
		}
		p.values[k] = overrides[k]
	}
	return p, nil
}

// ParseSet parses --set arguments of the form key=value.
func ParseSet(sets []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want key=value", s)
		}
		out[k] = v
	}
	return out, nil
}

// String returns the value of name.
func (p Params) String(name string) string { return p.values[name] }

// Duration returns name as a duration ("30s", "1m").
func (p Params) Duration(name string) (time.Duration, error) {
	d, err := time.ParseDuration(p.values[name])
	if err != nil || d < 0 {
		return 0, fmt.Errorf("parameter %s=%q: want a non-negative duration such as 30s", name, p.values[name])
	}
	return d, nil
}

// Int returns name as an integer within [lo, hi].
func (p Params) Int(name string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(p.values[name])
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("parameter %s=%q: want an integer from %d to %d", name, p.values[name], lo, hi)
	}
	return v, nil
}

// Bool returns name as a boolean.
func (p Params) Bool(name string) (bool, error) {
	v, err := strconv.ParseBool(p.values[name])
	if err != nil {
		return false, fmt.Errorf("parameter %s=%q: want true or false", name, p.values[name])
	}
	return v, nil
}

// Each calls fn for every parameter in the scenario's order.
func (p Params) Each(fn func(name, value string)) {
	for _, s := range p.specs {
		fn(s.Name, p.values[s.Name])
	}
}
