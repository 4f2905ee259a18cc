package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// profiles are the root's --cpuprofile and --memprofile: any command
// (run, sweep, replay, mutants...) can be profiled, so that a user sees
// where their own scenario spends its time (go tool pprof FILE).
type profiles struct {
	cpu, mem string
	cpuFile  *os.File
}

func (p *profiles) addFlags(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof reads it)")
	fl.StringVar(&p.mem, "memprofile", "", "write a heap profile to this file when the command ends (allocations since the start, and what is live)")
}

// start begins the CPU profile, if asked for; a file that cannot be
// created is bad usage.
func (p *profiles) start() error {
	if p.mem != "" {
		// Written at the end; fail now rather than after the work.
		if err := checkWritable(p.mem); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("--memprofile: %w", err)}
		}
	}
	if p.cpu == "" {
		return nil
	}
	f, err := os.Create(p.cpu)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--cpuprofile: %w", err)}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return &exitError{code: exitUsage, err: fmt.Errorf("--cpuprofile: %w", err)}
	}
	p.cpuFile = f
	return nil
}

// stop ends the CPU profile and writes the heap profile; it runs however
// the command ended, a failing run included.
func (p *profiles) stop() error {
	var first error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			first = fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpuFile = nil
	}
	if p.mem != "" {
		f, err := os.Create(p.mem)
		if err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		runtime.GC()
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil && first == nil {
			first = fmt.Errorf("--memprofile: %w", err)
		}
	}
	return first
}
