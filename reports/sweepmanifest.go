package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SweepManifestFile is the file in a sweep's --out directory that says what
// the sweep was: its scenario, parameters, seed list, shard and build.
const SweepManifestFile = "sweep.json"

// SweepManifest describes one sweep (or one shard of it), so that the
// shards' directories can be merged and checked to belong together:
// `simulate merge` refuses directories whose manifests differ in anything
// but the shard index. A sweep writes it before its first seed, so a shard
// that never finished still says which seeds it owed.
type SweepManifest struct {
	// Scenario is the scenario's name, Source the SCENARIO argument as given
	// (a built-in's name or a file's path), which replay commands repeat.
	Scenario string `json:"scenario"`
	Source   string `json:"source"`
	// Digest identifies a scenario file's text (scenarios.Scenario.Digest);
	// empty for a built-in.
	Digest string `json:"scenario_digest,omitempty"`
	// Params are every parameter's effective value; Set the --set values
	// among them, as the user gave them.
	Params map[string]string `json:"params"`
	Set    map[string]string `json:"set,omitempty"`
	// Bugs are the planted bugs (--bug) every seed had.
	Bugs []string `json:"bugs,omitempty"`
	// Seeds is the --seeds value: the whole sweep's seed list, before
	// sharding.
	Seeds string `json:"seeds"`
	// ShardIndex and ShardCount are the shard this directory ran (--shard
	// I/N, or JOB_COMPLETION_INDEX and --shards); ShardCount 0 means the
	// directory holds the whole seed list.
	ShardIndex int `json:"shard_index"`
	ShardCount int `json:"shard_count"`
	// ExpectRate is --expect-rate, when the sweep judges a violation rate.
	ExpectRate string `json:"expect_rate,omitempty"`
	// Build identifies the simulate binary: its Go version and VCS
	// revision (with a hash of the executable when the tree was modified),
	// or a hash of the executable when it has no VCS information.
	Build string `json:"build"`
	// Started is when the sweep started, for the JUnit file's timestamp.
	Started time.Time `json:"started"`
}

// WriteSweepManifest writes m as dir/sweep.json.
func WriteSweepManifest(dir string, m SweepManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: %s: %v", SweepManifestFile, err)
	}
	return writeFile(dir, SweepManifestFile, append(b, '\n'))
}

// ReadSweepManifest reads dir/sweep.json. A missing file is an error that
// wraps os.ErrNotExist.
func ReadSweepManifest(dir string) (SweepManifest, error) {
	path := filepath.Join(dir, SweepManifestFile)
	var m SweepManifest
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s is not a sweep manifest: %v", path, err)
	}
	if m.Scenario == "" || m.Seeds == "" {
		return m, fmt.Errorf("%s is not a sweep manifest: it has no scenario or no seeds", path)
	}
	return m, nil
}
