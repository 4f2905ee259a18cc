package live

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// ChainPrefix starts the name of every iptables chain a live run makes:
// REDSIM-<pid>. The pid lets a later run tell a chain whose run was killed
// from one whose run is still going.
const ChainPrefix = "REDSIM-"

// firewall is a run's iptables chain: DROP rules between address pairs,
// jumped to from INPUT on lo. Dropping on input, not output, makes a cut
// silent: the sender's TCP retransmits instead of failing with EPERM.
type firewall struct {
	chain string
	// cuts are the rules in force, as "from>to", for unclog.
	cuts map[string]bool
}

func iptables(args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.Command("iptables", append([]string{"-w"}, args...)...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("iptables %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func newFirewall(pid int) (*firewall, error) {
	f := &firewall{chain: ChainPrefix + strconv.Itoa(pid), cuts: map[string]bool{}}
	if err := iptables("-N", f.chain); err != nil {
		return nil, err
	}
	if err := iptables("-I", "INPUT", "-i", "lo", "-j", f.chain); err != nil {
		_ = iptables("-X", f.chain)
		return nil, err
	}
	return f, nil
}

// cut drops every packet from the address from to the address to.
func (f *firewall) cut(from, to string) error {
	key := from + ">" + to
	if f.cuts[key] {
		return nil
	}
	if err := iptables("-A", f.chain, "-s", from, "-d", to, "-j", "DROP"); err != nil {
		return err
	}
	f.cuts[key] = true
	return nil
}

// cutAll drops every packet between each pair (from, to) at once: one
// iptables-restore transaction, so that a partition starts at one
// instant, as the simulator's does, and the run's loop (which applies it)
// is held for one command instead of one per pair. Pairs already cut
// are skipped.
func (f *firewall) cutAll(pairs [][2]string) error {
	var rules bytes.Buffer
	rules.WriteString("*filter\n")
	var keys []string
	for _, p := range pairs {
		key := p[0] + ">" + p[1]
		if f.cuts[key] || slices.Contains(keys, key) {
			continue
		}
		keys = append(keys, key)
		fmt.Fprintf(&rules, "-A %s -s %s -d %s -j DROP\n", f.chain, p[0], p[1])
	}
	if len(keys) == 0 {
		return nil
	}
	rules.WriteString("COMMIT\n")
	var stderr bytes.Buffer
	cmd := exec.Command("iptables-restore", "-w", "--noflush")
	cmd.Stdin, cmd.Stderr = &rules, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("iptables-restore --noflush (%d DROP rules in %s): %v: %s", len(keys), f.chain, err, strings.TrimSpace(stderr.String()))
	}
	for _, k := range keys {
		f.cuts[k] = true
	}
	return nil
}

// uncut removes the rule cut made, if any.
func (f *firewall) uncut(from, to string) error {
	key := from + ">" + to
	if !f.cuts[key] {
		return nil
	}
	delete(f.cuts, key)
	return iptables("-D", f.chain, "-s", from, "-d", to, "-j", "DROP")
}

// heal removes every cut.
func (f *firewall) heal() error {
	clear(f.cuts)
	return iptables("-F", f.chain)
}

// remove deletes the jump and the chain.
func (f *firewall) remove() error { return removeChain(f.chain) }

func removeChain(chain string) error {
	var errs []string
	// The jump may have been added more than once by nothing but a bug;
	// delete until none is left.
	for i := 0; i < 8 && iptables("-C", "INPUT", "-i", "lo", "-j", chain) == nil; i++ {
		if err := iptables("-D", "INPUT", "-i", "lo", "-j", chain); err != nil {
			errs = append(errs, err.Error())
			break
		}
	}
	if err := iptables("-F", chain); err != nil {
		errs = append(errs, err.Error())
	}
	if err := iptables("-X", chain); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("removing chain %s: %s", chain, strings.Join(errs, "; "))
	}
	return nil
}

// Chains lists the live runs' chains now in iptables.
func Chains() ([]string, error) {
	out, err := exec.Command("iptables", "-w", "-S").Output()
	if err != nil {
		return nil, fmt.Errorf("iptables -S: %v", err)
	}
	var chains []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "-N" && strings.HasPrefix(f[1], ChainPrefix) {
			chains = append(chains, f[1])
		}
	}
	return chains, nil
}

// pidRuns reports whether a process with id pid exists.
func pidRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// removeStaleChains deletes the chains of runs whose process is gone: a
// run killed with SIGKILL cannot remove its own. It returns what it removed.
func removeStaleChains() ([]string, error) {
	chains, err := Chains()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, c := range chains {
		pid, err := strconv.Atoi(strings.TrimPrefix(c, ChainPrefix))
		if err == nil && pidRuns(pid) {
			continue
		}
		if err := removeChain(c); err != nil {
			return removed, err
		}
		removed = append(removed, c)
	}
	return removed, nil
}
