package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
	"github.com/spf13/cobra"
)

// mergeFlags are `simulate merge`'s options.
type mergeFlags struct {
	out   string
	junit string
}

func newMergeCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Combine the --out directories of a sweep's shards into the results of one sweep",
		Long: "merge reads the --out directories of the shards of one sweep (each shard's results.jsonl,\n" +
			"sweep.json and coverage.json) and reports them as the single-machine sweep would have: the\n" +
			"closing summary, and with --out DIR one results.jsonl (in the order of the seed list),\n" +
			"summary.md, coverage.json, sweep.json and the seed-N directories of failing seeds; with\n" +
			"--junit FILE one JUnit file.\n" +
			"\n" +
			"It refuses directories that are not shards of one sweep: another scenario, other --set\n" +
			"values, seeds, number of shards or --bug, another build of simulate (sweep.json and each\n" +
			"line of results.jsonl record the binary's revision), the same shard or seed twice, or a\n" +
			"directory without results.jsonl or sweep.json. Seeds of the seed list that no directory\n" +
			"has a result for (a shard that did not finish, was not given, or stopped at --fail-fast)\n" +
			"are listed by shard; merge still writes what it has, and exits with status 3.\n" +
			"\n" +
			"Exit status: as the sweep's: 0 every seed passed, 1 a violation in some seed, 3 a framework\n" +
			"failure in some seed or seeds without a result (3 wins over 1), 4 no violation but some seed\n" +
			"UNKNOWN; with the shards' --expect-rate, the violation rate decides. 2 when the directories\n" +
			"do not merge.",
		Example: "  simulate merge out/shard-0 out/shard-1 out/shard-2 --out out/all --junit out/all.xml\n" +
			"  simulate merge /results/shard-* --out /results/merged",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("merge needs the --out directories of the shards, e.g. simulate merge out/shard-*")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.OutOrStdout(), args, f)
		},
	}
	cmd.Flags().StringVar(&f.out, "out", "", "write the merged results.jsonl, summary.md, coverage.json and failing seeds' reports into this directory")
	cmd.Flags().StringVar(&f.junit, "junit", "", "write the merged JUnit XML to this file")
	return cmd
}

// shardOutput is one directory given to merge: a shard's --out.
type shardOutput struct {
	dir      string
	manifest reports.SweepManifest
	entries  []reports.SweepEntry
	// probes are the probes its coverage.json declares (reached or not);
	// nil when the shard did not finish and wrote none.
	probes []reports.ProbeDecl
}

func (s *shardOutput) results() string { return filepath.Join(s.dir, reports.SweepResultsFile) }

func (s *shardOutput) shardName() string {
	if s.manifest.ShardCount == 0 {
		return "the whole seed list"
	}
	return fmt.Sprintf("shard %d/%d", s.manifest.ShardIndex, s.manifest.ShardCount)
}

// readShardOutput reads the files of one shard's directory that merge needs.
func readShardOutput(dir string) (*shardOutput, error) {
	s := &shardOutput{dir: dir}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("merge: %s is not a directory; give the --out directories of the shards", dir)
	}
	entries, err := reports.ReadSweepEntries(s.results(), false)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("merge: %s has no %s: it is not the --out directory of a sweep, or its shard never started", dir, reports.SweepResultsFile)
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	s.entries = entries
	s.manifest, err = reports.ReadSweepManifest(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("merge: %s has %s but no %s, so its build and seed list are unknown; it was written by a simulate older than merge: run the shard again",
			dir, reports.SweepResultsFile, reports.SweepManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, reports.CoverageFile)); err == nil {
		var cov reports.Coverage
		if err := json.Unmarshal(b, &cov); err != nil {
			return nil, fmt.Errorf("merge: %s: %v", filepath.Join(dir, reports.CoverageFile), err)
		}
		for _, r := range slices.Concat(cov.Reached, cov.Unreached) {
			s.probes = append(s.probes, reports.ProbeDecl{Name: r.Name, Doc: r.Doc})
		}
	}
	return s, nil
}

// sameSweep says how b's manifest differs from a's in anything but the
// shard index, or returns nil when both are shards of one sweep.
func sameSweep(a, b *shardOutput) error {
	ma, mb := a.manifest, b.manifest
	differ := func(what, va, vb, why string) error {
		return fmt.Errorf("merge: %s and %s are not shards of one sweep: %s %s, %s %s; %s", a.dir, b.dir, a.dir, strings.ReplaceAll(what, "%", va), b.dir, strings.ReplaceAll(what, "%", vb), why)
	}
	switch {
	case ma.Scenario != mb.Scenario:
		return differ("is a sweep of scenario %", ma.Scenario, mb.Scenario, "shards of different scenarios do not merge")
	case ma.Source != mb.Source:
		return differ("ran SCENARIO %", strconv.Quote(ma.Source), strconv.Quote(mb.Source), "every shard runs the same scenario argument")
	case ma.Digest != mb.Digest:
		return differ("ran a scenario file whose digest was %", cmp.Or(ma.Digest, "none"), cmp.Or(mb.Digest, "none"), "the file (or a base it derives from) changed between the shards: every shard runs the same scenario")
	case ma.Build != mb.Build:
		return differ("was run by build %", strconv.Quote(ma.Build), strconv.Quote(mb.Build),
			"a seed may run differently in another build, so every shard must run the same simulate binary")
	case ma.Seeds != mb.Seeds:
		return differ("has --seeds %", ma.Seeds, mb.Seeds, "every shard is given the whole seed list")
	case ma.ShardCount != mb.ShardCount:
		return differ("is %", a.shardName(), b.shardName(), "every shard is given the same number of shards")
	case strings.Join(ma.Bugs, ",") != strings.Join(mb.Bugs, ","):
		return differ("planted bugs [%]", strings.Join(ma.Bugs, " "), strings.Join(mb.Bugs, " "), "every shard plants the same --bug")
	case ma.ExpectRate != mb.ExpectRate:
		return differ("has --expect-rate %", strconv.Quote(ma.ExpectRate), strconv.Quote(mb.ExpectRate), "every shard expects the same rate")
	}
	keys := sortedKeys(ma.Params)
	for _, k := range sortedKeys(mb.Params) {
		if _, ok := ma.Params[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		va, oka := ma.Params[k]
		vb, okb := mb.Params[k]
		if va != vb || oka != okb {
			return differ("ran with "+k+"=%", va, vb, "shards of one sweep have the same parameters (--set, --buggify)")
		}
	}
	if ma.ShardCount > 0 && ma.ShardIndex == mb.ShardIndex {
		return fmt.Errorf("merge: %s and %s are both %s; give each shard once", a.dir, b.dir, a.shardName())
	}
	if ma.ShardCount == 0 {
		return fmt.Errorf("merge: %s and %s both hold the whole seed list (they were not run with --shard or --shards), so every seed is in both", a.dir, b.dir)
	}
	return nil
}

// where a seed's line was found.
type lineAt struct {
	shard *shardOutput
	line  int
}

func (l lineAt) String() string { return fmt.Sprintf("%s:%d", l.shard.results(), l.line) }

func runMerge(stdout io.Writer, dirs []string, f mergeFlags) error {
	var shards []*shardOutput
	given := map[string]string{}
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("merge: %s: %w", dir, err)
		}
		if first, ok := given[abs]; ok {
			return fmt.Errorf("merge: %s and %s are the same directory; give each shard once", first, dir)
		}
		given[abs] = dir
		s, err := readShardOutput(dir)
		if err != nil {
			return err
		}
		shards = append(shards, s)
	}
	if f.out != "" {
		abs, err := filepath.Abs(f.out)
		if err != nil {
			return fmt.Errorf("--out %s: %w", f.out, err)
		}
		if dir, ok := given[abs]; ok {
			return fmt.Errorf("--out %s is the shard directory %s; merge into a directory of its own", f.out, dir)
		}
		// Fail now, not after reading every shard, if it cannot be made.
		if err := makeOutDir(f.out); err != nil {
			return err
		}
	}
	if f.junit != "" {
		if err := checkWritable(f.junit); err != nil {
			return fmt.Errorf("--junit: %w", err)
		}
	}
	ref := shards[0]
	for _, s := range shards[1:] {
		if err := sameSweep(ref, s); err != nil {
			return err
		}
	}
	m := ref.manifest
	seeds, err := sweep.ParseSeeds(m.Seeds)
	if err != nil {
		return fmt.Errorf("merge: %s: %w", filepath.Join(ref.dir, reports.SweepManifestFile), err)
	}
	// owner is the shard each seed of the list belongs to (0 unsharded).
	owner := map[uint64]int{}
	for i, seed := range seeds {
		owner[seed] = i % max(m.ShardCount, 1)
	}
	found := map[uint64]reports.SweepEntry{}
	at := map[uint64]lineAt{}
	for _, s := range shards {
		ms := s.manifest
		for i, e := range s.entries {
			here := lineAt{s, i + 1}
			if e.Scenario != ms.Scenario {
				return fmt.Errorf("merge: %v is a result of scenario %s, but %s says %s", here, e.Scenario, filepath.Join(s.dir, reports.SweepManifestFile), ms.Scenario)
			}
			if k, got, want, bad := scenarios.ParamDiff(e.Params, ms.Params); bad {
				return fmt.Errorf("merge: %v ran with %s=%s, but %s says %s=%s", here, k, got, filepath.Join(s.dir, reports.SweepManifestFile), k, want)
			}
			if e.Build != "" && e.Build != ms.Build {
				return fmt.Errorf("merge: %v was run by build %q, but %s says build %q (was the shard resumed by another binary?); a seed may run differently in another build, so run the shard again",
					here, e.Build, filepath.Join(s.dir, reports.SweepManifestFile), ms.Build)
			}
			if first, ok := at[e.Seed]; ok {
				return fmt.Errorf("merge: seed %d has a result in both %v and %v; a seed belongs to one shard, so these are not the shards of one sweep", e.Seed, first, here)
			}
			if shard, listed := owner[e.Seed]; !listed || shard != ms.ShardIndex {
				return fmt.Errorf("merge: %v has seed %d, which is not in %s of --seeds %s (as %s says)",
					here, e.Seed, s.shardName(), ms.Seeds, filepath.Join(s.dir, reports.SweepManifestFile))
			}
			found[e.Seed] = e
			at[e.Seed] = here
		}
	}

	// The seed list's order is the order one machine reports and writes
	// its results in.
	var (
		entries []reports.SweepEntry
		missing []uint64
		wall    time.Duration
	)
	for _, seed := range seeds {
		e, ok := found[seed]
		if !ok {
			missing = append(missing, seed)
			continue
		}
		entries = append(entries, e)
		wall += time.Duration(e.WallMS * float64(time.Millisecond))
	}
	// The build that ran the shards declared the probes; merge may be
	// another binary, so its own list is the fallback only.
	var declared []reports.ProbeDecl
	seen := map[string]bool{}
	for _, s := range shards {
		for _, p := range s.probes {
			if !seen[p.Name] {
				seen[p.Name] = true
				declared = append(declared, p)
			}
		}
	}
	if len(seen) == 0 {
		declared = declaredProbes()
	}
	started := m.Started
	for _, s := range shards {
		if !s.manifest.Started.IsZero() && s.manifest.Started.Before(started) {
			started = s.manifest.Started
		}
	}

	scope := "seeds " + m.Seeds
	props := []reports.JUnitProperty{{Name: "seeds", Value: m.Seeds}}
	if m.ShardCount > 0 {
		scope += fmt.Sprintf(", %d of %d shards merged", len(shards), m.ShardCount)
		props = append(props, reports.JUnitProperty{Name: "shards", Value: fmt.Sprintf("%d of %d merged", len(shards), m.ShardCount)})
	}
	for _, k := range sortedKeys(m.Set) {
		props = append(props, reports.JUnitProperty{Name: "set." + k, Value: m.Set[k]})
	}
	report := sweepReport{scenario: m.Scenario, scope: scope,
		ran:     fmt.Sprintf("in %d %s (%v of wall time in all)", len(shards), plural(len(shards), "directory", "directories"), wall.Round(time.Millisecond)),
		entries: entries, skipped: missing, skippedWhy: "no directory given has a result for them", incomplete: "INCOMPLETE",
		declared: declared, junitProps: props, started: started, wall: wall}
	report.print(stdout)
	if f.out != "" {
		if err := writeMerged(f.out, shards, m, entries, started); err != nil {
			return &exitError{code: exitFramework, err: err}
		}
	}
	if err := report.write(stdout, f.out, f.junit); err != nil {
		return err
	}
	if len(missing) > 0 {
		return &exitError{code: exitFramework, err: missingError(shards, m, seeds, missing)}
	}
	n := tally(entries)
	if m.ExpectRate != "" {
		band, err := parseRateBand(m.ExpectRate)
		if err != nil {
			return fmt.Errorf("merge: %s: %w", filepath.Join(ref.dir, reports.SweepManifestFile), err)
		}
		return checkRate(stdout, band, n)
	}
	return sweepStatus(n)
}

// missingError lists, shard by shard, the seeds of the list without a
// result, and which directory owed them.
func missingError(shards []*shardOutput, m reports.SweepManifest, seeds, missing []uint64) error {
	count := max(m.ShardCount, 1)
	dirOf := map[int]string{}
	for _, s := range shards {
		dirOf[s.manifest.ShardIndex] = s.dir
	}
	isMissing := map[uint64]bool{}
	for _, seed := range missing {
		isMissing[seed] = true
	}
	var parts []string
	for k := range count {
		var list []string
		for i := k; i < len(seeds); i += count {
			if isMissing[seeds[i]] {
				list = append(list, strconv.FormatUint(seeds[i], 10))
			}
		}
		if len(list) == 0 {
			continue
		}
		n := len(list)
		if n > 10 {
			list = append(list[:10], "…")
		}
		where := dirOf[k]
		if where == "" {
			where = "no directory given"
		}
		name := "the seed list"
		if m.ShardCount > 0 {
			name = fmt.Sprintf("shard %d/%d", k, m.ShardCount)
		}
		parts = append(parts, fmt.Sprintf("%s (%s) lacks %d: %s", name, where, n, strings.Join(list, ", ")))
	}
	return fmt.Errorf("merge: %d of %d seeds have no result, so the sweep is incomplete: %s; run the missing shards (or --resume the unfinished ones) and merge again",
		len(missing), len(seeds), strings.Join(parts, "; "))
}

// writeMerged writes the merged sweep's results.jsonl, sweep.json and the
// seed-N directories of its failing seeds into dir; summary.md and
// coverage.json follow from sweepReport.write, as for a sweep.
func writeMerged(dir string, shards []*shardOutput, m reports.SweepManifest, entries []reports.SweepEntry, started time.Time) error {
	if err := makeOutDir(dir); err != nil {
		return err
	}
	file, err := os.Create(filepath.Join(dir, reports.SweepResultsFile))
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	w := bufio.NewWriter(file)
	for i := range entries {
		if err = reports.EncodeSweepEntry(w, &entries[i]); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	merged := m
	merged.ShardIndex, merged.ShardCount, merged.Started = 0, 0, started
	if err := reports.WriteSweepManifest(dir, merged); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	// A failing seed's reports live in the directory of its shard.
	for _, s := range shards {
		for _, e := range s.entries {
			if sweep.Status(e.Status) == sweep.Pass {
				continue
			}
			name := "seed-" + strconv.FormatUint(e.Seed, 10)
			src := filepath.Join(s.dir, name)
			if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
				continue // a framework error before the run had a result writes none
			}
			dst := filepath.Join(dir, name)
			if err := os.RemoveAll(dst); err != nil {
				return fmt.Errorf("--out %s: %w", dir, err)
			}
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				return fmt.Errorf("--out %s: copying %s: %w", dir, src, err)
			}
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
