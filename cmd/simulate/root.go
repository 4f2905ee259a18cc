package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
	"github.com/redsim/redsim/sim"
	"github.com/spf13/cobra"
)

// Exit statuses, as docs/ARCHITECTURE.md gives them.
const (
	exitPass      = 0 // every check held
	exitViolation = 1 // a check found a violation
	exitUsage     = 2 // bad usage or a bad scenario
	exitFramework = 3 // the framework failed, or a replay diverged
	exitUnknown   = 4 // no violation, but some check could not decide
	// exitInterrupted is a sweep stopped by SIGINT or SIGTERM after
	// summarizing what ran: 128 + SIGINT, as shells report it.
	exitInterrupted = 130
)

// exitStatuses is the paragraph every command's help ends with.
const exitStatuses = "Exit status: 0 every check held, 1 a check found a violation, 2 bad usage or a bad\n" +
	"scenario, 3 the framework failed (or a replay diverged), 4 no violation but some check\n" +
	"could not decide (UNKNOWN)."

// exitFor is the exit status of a finished run.
func exitFor(s scenarios.Status) error {
	switch s {
	case scenarios.StatusPass:
		return nil
	case scenarios.StatusUnknown:
		return &exitError{code: exitUnknown}
	}
	return &exitError{code: exitViolation}
}

// version is set by the linker for releases; otherwise the module's build
// info is used.
var version = ""

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// execute runs simulate with args and returns its exit status; ctx ends
// with SIGINT or SIGTERM; getenv is the environment (os.Getenv, or a test's
// map).
func execute(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRootCmd(stdout, stderr, getenv)
	var prof profiles
	prof.addFlags(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return prof.start() }
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if perr := prof.stop(); perr != nil {
		fmt.Fprintln(stderr, "simulate:", perr)
		if err == nil {
			return exitFramework
		}
	}
	if err == nil {
		return exitPass
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "simulate:", ee.err)
		}
		return ee.code
	}
	var fe *scenarios.FrameworkError
	if errors.As(err, &fe) {
		fmt.Fprintln(stderr, "simulate: framework failure:", fe.Err)
		if fe.Stack != "" {
			fmt.Fprintln(stderr, fe.Stack)
		}
		return exitFramework
	}
	// Everything else is bad usage: an unknown flag, a bad scenario or value.
	fmt.Fprintln(stderr, "simulate:", err)
	return exitUsage
}

func newRootCmd(stdout, stderr io.Writer, getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:           "simulate",
		Short:         "Deterministic simulation and chaos testing of Redis topologies",
		Long:          "simulate runs Redis topologies on virtual time from one seed, under injected faults,\nand checks what the clients saw. The same seed and build give the same run, event for event.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	reg := builtin.Registry()
	// out fills --out directories; the HTML report replaces it here.
	var out outputWriter = reportWriter{}
	root.AddCommand(newVersionCmd(), newListCmd(reg), newRunCmd(reg, out), newReplayCmd(reg, out),
		newSweepCmd(reg, out, getenv), newMergeCmd(), newServeCmd(stdout, stderr), newStudyCmd(reg, stdout), newMutantsCmd(reg, stdout), newShrinkCmd(reg, out), newCalibrateCmd(reg, stdout))
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of simulate",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version
			if v == "" {
				v = "devel"
				if bi, ok := debug.ReadBuildInfo(); ok {
					if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
						v = bi.Main.Version
					}
					for _, s := range bi.Settings {
						if s.Key == "vcs.revision" && len(s.Value) >= 12 {
							v += "+" + s.Value[:12]
						}
					}
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "simulate", v)
			return nil
		},
	}
}

func newListCmd(reg *scenarios.Registry) *cobra.Command {
	var listBugs, listProbes, listSites bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios (or, with --bugs, the planted-bug catalog; with --probes, the coverage probes; with --sites, the fault sites)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if b2i(listBugs)+b2i(listProbes)+b2i(listSites) > 1 {
				return &exitError{code: exitUsage, err: errors.New("--bugs, --probes and --sites: give one of them")}
			}
			if listSites {
				for _, s := range sim.DeclaredSites() {
					fmt.Fprintf(out, "%-40s %s\n", s.Name, s.Doc)
				}
				return nil
			}
			if listProbes {
				for _, p := range sim.DeclaredProbes() {
					fmt.Fprintf(out, "%-40s %s\n", p.Name, p.Doc)
				}
				return nil
			}
			if listBugs {
				for _, b := range bugs.Catalog() {
					fmt.Fprintf(out, "%-36s %s: %s\n", b.Name, b.Issue, b.Mechanism)
				}
				return nil
			}
			for _, s := range reg.List() {
				fmt.Fprintf(out, "%-22s %s\n", s.Name, s.Summary)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&listBugs, "bugs", false, "list the planted-bug catalog (for --bug and simulate mutants)")
	cmd.Flags().BoolVar(&listProbes, "probes", false, "list the coverage probes a sweep's coverage table counts")
	cmd.Flags().BoolVar(&listSites, "sites", false, "list the fault sites that --buggify on (--set buggify=on) turns on")
	return cmd
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
