package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/client"
)

// Param documents one parameter a scenario accepts and says how to read
// it. Build one with DurationParam, IntParam, FloatParam, BoolParam or
// ChoiceParam: NewParams then parses every value once, before the world is
// built, and a bad value is one error naming the parameter and what would be
// right.
type Param struct {
	Name    string
	Default string
	Doc     string
	// parse turns a value into its typed form; want says what a good
	// value looks like, for errors.
	parse func(v string) (any, bool)
	want  string
}

// DurationParam is a non-negative duration such as 30s.
func DurationParam(name, def, doc string) Param {
	return Param{Name: name, Default: def, Doc: doc, want: "a non-negative duration such as 30s",
		parse: func(v string) (any, bool) {
			d, err := time.ParseDuration(v)
			return d, err == nil && d >= 0
		}}
}

// IntParam is an integer within [lo, hi].
func IntParam(name string, def, lo, hi int, doc string) Param {
	return Param{Name: name, Default: strconv.Itoa(def), Doc: doc, want: fmt.Sprintf("an integer from %d to %d", lo, hi),
		parse: func(v string) (any, bool) {
			n, err := strconv.Atoi(v)
			return n, err == nil && n >= lo && n <= hi
		}}
}

// FloatParam is a number within (lo, hi), or [lo, hi] where closed says so.
func FloatParam(name, def string, lo, hi float64, closed bool, doc string) Param {
	lb, rb := "(", ")"
	if closed {
		lb, rb = "[", "]"
	}
	return Param{Name: name, Default: def, Doc: doc, want: fmt.Sprintf("a number in %s%g, %g%s", lb, lo, hi, rb),
		parse: func(v string) (any, bool) {
			x, err := strconv.ParseFloat(v, 64)
			in := x > lo && x < hi || closed && (x == lo || x == hi)
			return x, err == nil && in
		}}
}

// BoolParam is true or false.
func BoolParam(name string, def bool, doc string) Param {
	return Param{Name: name, Default: strconv.FormatBool(def), Doc: doc, want: "true or false",
		parse: func(v string) (any, bool) {
			b, err := strconv.ParseBool(v)
			return b, err == nil
		}}
}

// ChoiceParam is one of choices.
func ChoiceParam(name, def string, choices []string, doc string) Param {
	return Param{Name: name, Default: def, Doc: doc, want: strings.Join(choices, ", ") + " (one of)",
		parse: func(v string) (any, bool) { return v, slices.Contains(choices, v) }}
}

// WeightsParam is the weights of the mixed workload's families, as
// "name=weight,name=weight"; "" keeps every default (client.MixedFamilies).
func WeightsParam(name, doc string) Param {
	return Param{Name: name, Default: "", Doc: doc, want: "name=weight,... over " + familyNames(),
		parse: func(v string) (any, bool) {
			w, err := client.ParseWeights(v)
			if err == nil {
				_, err = client.NewMixed(1, w)
			}
			return w, err == nil
		}}
}

func familyNames() string {
	names := make([]string, len(client.MixedFamilies))
	for i, f := range client.MixedFamilies {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// Params are a run's parameter values, parsed: the scenario's defaults
// overridden by --set. The getters cannot fail; asking for a parameter the
// scenario does not declare, or as the wrong type, is a bug and panics.
type Params struct {
	specs  []Param
	raw    map[string]string
	values map[string]any
}

// NewParams checks overrides against specs and parses every value: an
// unknown name lists the known ones, a bad value says what would be right.
// A scenario with both duration and quiet must have quiet < duration.
func NewParams(specs []Param, overrides map[string]string) (Params, error) {
	p := Params{specs: specs, raw: map[string]string{}, values: map[string]any{}}
	for _, s := range specs {
		p.raw[s.Name] = s.Default
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides { //redsim:ordered keys are sorted below
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := p.raw[k]; !ok && slices.Contains(frameworkNames[:], k) {
			// The framework's own settings, which every scenario takes
			// (Execute reads them; see frameworkSettings).
			if v := overrides[k]; v != "on" && v != "off" {
				return Params{}, fmt.Errorf("%s=%q: want on or off", k, v)
			}
			continue
		}
		if _, ok := p.raw[k]; !ok {
			known := make([]string, len(specs))
			for i, s := range specs {
				known[i] = s.Name
			}
			return Params{}, fmt.Errorf("parameter %q is unknown; known: %s", k, strings.Join(known, ", "))
		}
		p.raw[k] = overrides[k]
	}
	for _, s := range specs {
		v := p.raw[s.Name]
		if s.parse == nil {
			p.values[s.Name] = v
			continue
		}
		x, ok := s.parse(v)
		if !ok {
			return Params{}, fmt.Errorf("parameter %s=%q: want %s", s.Name, v, s.want)
		}
		p.values[s.Name] = x
	}
	if q, ok := p.values["quiet"].(time.Duration); ok {
		if d, ok := p.values["duration"].(time.Duration); ok && q >= d {
			return Params{}, fmt.Errorf("parameter quiet=%v must be shorter than duration=%v", q, d)
		}
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

func (p Params) get(name string) any {
	v, ok := p.values[name]
	if !ok {
		panic(fmt.Sprintf("scenarios: parameter %q is not declared", name))
	}
	return v
}

// String returns name as given (a choice, or the text of any parameter).
func (p Params) String(name string) string {
	p.get(name)
	return p.raw[name]
}

// Duration returns a DurationParam's value.
func (p Params) Duration(name string) time.Duration { return p.get(name).(time.Duration) }

// Int returns an IntParam's value.
func (p Params) Int(name string) int { return p.get(name).(int) }

// Float returns a FloatParam's value.
func (p Params) Float(name string) float64 { return p.get(name).(float64) }

// Weights returns a WeightsParam's value.
func (p Params) Weights(name string) map[string]float64 { return p.get(name).(map[string]float64) }

// Bool returns a BoolParam's value.
func (p Params) Bool(name string) bool { return p.get(name).(bool) }

// Each calls fn for every parameter in the scenario's order, with the value
// as given.
func (p Params) Each(fn func(name, value string)) {
	for _, s := range p.specs {
		fn(s.Name, p.raw[s.Name])
	}
}
