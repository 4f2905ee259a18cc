package main

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/redsim/redsim/scenarios"
	"github.com/spf13/cobra"
)

func newReplayCmd(reg *scenarios.Registry, out outputWriter) *cobra.Command {
	f := runFlags{seed: 1}
	cmd := &cobra.Command{
		Use:   "replay SCENARIO --seed N",
		Short: "Run one seed again, checking that it reproduces a recorded run",
		Long: "replay runs the scenario with the seed like run does, and with --expect-hash H\n" +
			"checks that the world took exactly the recorded path: if this run's hash is not H\n" +
			"its last line is DIVERGED scenario=NAME seed=N expected=H got=H2 and it exits with\n" +
			"status 3 (the build, the scenario file, the --set values or the planted --bug flags differ\n" +
			"from the recorded run, or the simulator is not deterministic).\n" +
			"Give the same --set, --buggify and --bug flags as the recorded run; a sweep's summary prints\n" +
			"them in each seed's replay command.\n" + exitStatuses,
		Example: "  simulate replay ping --seed 7 --expect-hash 3f2a9c0d1e4b5a69\n" +
			"  simulate replay ping --seed 7 --set quiet=1ms --trace",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("expect-hash") && strings.TrimSpace(f.expectHash) == "" {
				// An empty variable in a CI script would skip the check.
				return errors.New(`--expect-hash "": want the 16 hex digits after hash= in a status line`)
			}
			defaultSignals(f.live)
			return runScenario(cmd.OutOrStdout(), cmd.ErrOrStderr(), reg, out, args[0], f)
		},
	}
	addRunFlags(cmd, &f)
	cmd.Flags().StringVar(&f.expectHash, "expect-hash", "", "fail with exit status 3 unless the run's hash is this (the hash= of a status line)")
	_ = cmd.MarkFlagRequired("seed")
	return cmd
}

var hashPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func parseExpectHash(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if !hashPattern.MatchString(h) {
		return "", fmt.Errorf("--expect-hash %q: want the 16 hex digits after hash= in a status line", h)
	}
	return h, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
