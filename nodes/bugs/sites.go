package bugs

import (
	"fmt"
	"strings"

	"github.com/pingcap/failpoint"
)

// pathPrefix is the failpoint path of an entry without its name.
const pathPrefix = "github.com/redsim/redsim/nodes/bugs/"

// enabledTerms is the only failpoint term an entry is ever enabled with:
// no probability, sleep or pause, nothing that is not the seed's.
const enabledTerms = "return(true)"

// enabledCount is how many entries Enable has turned on. On reads it
// before anything else, so that a site costs a load and a compare while
// nothing is enabled. It is a plain integer, not an atomic one, because
// the determinism lint forbids sync/atomic under nodes/; that is sound
// under the package's rule that Enable and Disable run while no world does
// (the world's goroutines start after the write and are joined before the
// next one).
var enabledCount int32

// mine holds the entries Enable turned on (and Disable has not turned
// off), so that a failpoint enabled some other way (GO_FAILPOINTS) at an
// entry's path plants nothing. Written only where enabledCount is.
var mine = map[string]bool{}

// paths maps each entry's name to its failpoint path, built once so that
// On does not concatenate.
var paths = func() map[string]string {
	m := make(map[string]string, len(catalog))
	for _, b := range catalog {
		m[b.Name] = pathPrefix + b.Name
	}
	return m
}()

// On reports whether the named entry is enabled: the check at a site.
func On(name string) bool {
	if enabledCount == 0 {
		return false
	}
	return eval(name)
}

// eval is On's slow path, kept out of line so that On inlines.
func eval(name string) bool {
	if !mine[name] {
		return false
	}
	v, err := failpoint.Eval(paths[name])
	on, _ := v.(bool)
	return err == nil && on
}

// Enable turns the named entry on for the whole process; enabling an
// enabled entry does nothing.
func Enable(name string) error {
	path, err := pathOf(name)
	if err != nil {
		return err
	}
	if mine[name] {
		return nil
	}
	if err := failpoint.Enable(path, enabledTerms); err != nil {
		return fmt.Errorf("bug %s: %w", name, err)
	}
	mine[name] = true
	enabledCount++
	return nil
}

// Disable turns the named entry off; disabling an entry that is off does
// nothing.
func Disable(name string) error {
	path, err := pathOf(name)
	if err != nil {
		return err
	}
	if !mine[name] {
		return nil
	}
	if err := failpoint.Disable(path); err != nil {
		return fmt.Errorf("bug %s: %w", name, err)
	}
	delete(mine, name)
	enabledCount--
	return nil
}

// DisableAll turns every entry off.
func DisableAll() {
	for _, b := range catalog {
		// Disable fails only for an unknown name.
		_ = Disable(b.Name)
	}
}

// Enabled lists the enabled entries' names, sorted; nil when none is.
func Enabled() []string {
	if enabledCount == 0 {
		return nil
	}
	var out []string
	for _, b := range catalog {
		if mine[b.Name] {
			out = append(out, b.Name)
		}
	}
	return out
}

func pathOf(name string) (string, error) {
	path, ok := paths[name]
	if !ok {
		return "", fmt.Errorf("bug %q is not in the catalog; known: %s", name, strings.Join(names(), ", "))
	}
	return path, nil
}
