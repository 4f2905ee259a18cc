package live

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCutAllIsOneTransaction: a partition's rules go in together, each
// pair once however often it is given, and a second cut of the same pairs
// adds nothing; heal removes them all.
func TestCutAllIsOneTransaction(t *testing.T) {
	if err := Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skip(err)
	}
	// A pid no process has: the chain is this test's alone.
	f, err := newFirewall(1<<22 + os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := f.remove(); err != nil {
			t.Error(err)
		}
	}()
	rules := func() []string {
		out, err := exec.Command("iptables", "-w", "-S", f.chain).Output()
		if err != nil {
			t.Fatal(err)
		}
		var drops []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasSuffix(l, "-j DROP") {
				drops = append(drops, l)
			}
		}
		return drops
	}
	pairs := [][2]string{{"127.0.9.1", "127.0.9.2"}, {"127.0.9.2", "127.0.9.1"}, {"127.0.9.1", "127.0.9.3"}, {"127.0.9.1", "127.0.9.2"}}
	if err := f.cutAll(pairs); err != nil {
		t.Fatal(err)
	}
	got := rules()
	if len(got) != 3 || !strings.Contains(got[0], "-s 127.0.9.1/32 -d 127.0.9.2/32") || !strings.Contains(got[2], "-s 127.0.9.1/32 -d 127.0.9.3/32") {
		t.Fatalf("after cutting three distinct pairs: %q", got)
	}
	if err := f.cutAll(pairs[:2]); err != nil {
		t.Fatal(err)
	}
	if n := len(rules()); n != 3 {
		t.Fatalf("cutting cut pairs again left %d rules, want 3", n)
	}
	if err := f.heal(); err != nil {
		t.Fatal(err)
	}
	if got := rules(); len(got) != 0 {
		t.Fatalf("after heal: %q", got)
	}
}
