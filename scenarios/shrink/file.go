package shrink

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/scenarios/nemesis"
)

// File is the shrunk run as a derived scenario file: base names the
// scenario it was shrunk from (a built-in's name or a file's path),
// header its comment lines (what was shrunk and how to run it).
func (o *Outcome) File(name, base string, header []string) string {
	var b strings.Builder
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	fmt.Fprintf(&b, "name = %q\n", name)
	fmt.Fprintf(&b, "base = %q\n", base)
	if len(o.Set) > 0 {
		b.WriteString("\n[set]\n")
		keys := make([]string, 0, len(o.Set))
		for k := range o.Set { //redsim:ordered sorted below
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := o.Set[k]
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				fmt.Fprintf(&b, "%s = %s\n", k, v)
			} else {
				fmt.Fprintf(&b, "%s = %q\n", k, v)
			}
		}
	}
	b.WriteString("\n[nemesis]\nexplicit = true  # the actions below are the whole schedule\n")
	if len(o.Best.Schedule) > 0 {
		b.WriteString("\n" + nemesis.FormatTOML(o.Best.Schedule))
	}
	return b.String()
}

// Summary says how much smaller the best run is than the original.
func (o *Outcome) Summary() string {
	a, b := sizeOf(o.Original), sizeOf(o.Best)
	return fmt.Sprintf("%d -> %d nemesis actions, %d -> %d operations, %v -> %v of virtual time",
		a.Actions, b.Actions, a.Operations, b.Operations, a.Duration, b.Duration)
}
