package bugs

import (
	"slices"
	"strings"
	"testing"

	"github.com/pingcap/failpoint"
)

// These tests enable entries process-wide: none of them may run in
// parallel, and each leaves everything off.

func TestCatalogSortedAndComplete(t *testing.T) {
	t.Cleanup(DisableAll)
	cat := Catalog()
	if !slices.IsSortedFunc(cat, func(a, b Bug) int { return strings.Compare(a.Name, b.Name) }) {
		t.Fatal("Catalog is not sorted by name")
	}
	sites := []string{ActiveExpireSkipsDel, AOFLoadDropsLastCommand, AppendfsyncAlwaysAcksBeforeFsync, BacklogTrimsTrailingPings,
		ChainedPsyncAfterUpstreamFullsync, ClusterHalfMastersMajority, ClusterVoteNotFsynced, FullresyncOffsetAtRequest, IncrbyfloatDropsTTL, MinReplicasRejectsMasterStream,
		PartialResyncKeepsMulti, RDBRenameBeforeFsync, RelativeExpirePropagated, ReplicaServesExpired, SentinelKnownReplicaIsMaster,
		SentinelVoteNotPersisted, SetMasterZeroesDownSince, WaitIgnoresAckOffset}
	if len(cat) != len(sites) {
		t.Fatalf("%d entries for %d site constants", len(cat), len(sites))
	}
	for i, b := range cat {
		if i > 0 && cat[i-1].Name == b.Name {
			t.Errorf("%s listed twice", b.Name)
		}
		if !slices.Contains(sites, b.Name) {
			t.Errorf("entry %s has no site constant", b.Name)
		}
		if b.Mechanism == "" || b.Issue == "" {
			t.Errorf("%s: mechanism %q, issue %q: both are needed", b.Name, b.Mechanism, b.Issue)
		}
		if len(b.Scenarios) == 0 && b.Uncaught == "" {
			t.Errorf("%s: no scenario is expected to catch it and Uncaught does not say why", b.Name)
		}
		got, ok := Lookup(b.Name)
		if !ok || got.Name != b.Name || got.Mechanism != b.Mechanism {
			t.Errorf("Lookup(%q) = %+v, %v", b.Name, got, ok)
		}
	}
	if _, ok := Lookup("no-such-bug"); ok {
		t.Error("Lookup found an unknown name")
	}
	// The caller's copy is its own.
	cat[0].Scenarios = append(cat[0].Scenarios[:0:0], "changed")
	if slices.Contains(Catalog()[0].Scenarios, "changed") {
		t.Error("changing Catalog's result changed the catalog")
	}
}

func TestEnableDisableOn(t *testing.T) {
	t.Cleanup(DisableAll)
	for _, b := range Catalog() {
		if On(b.Name) {
			t.Fatalf("%s is on before anything was enabled", b.Name)
		}
	}
	if Enabled() != nil {
		t.Fatalf("Enabled() = %q with nothing enabled", Enabled())
	}
	if err := Enable(WaitIgnoresAckOffset); err != nil {
		t.Fatal(err)
	}
	if err := Enable(WaitIgnoresAckOffset); err != nil { // twice is once
		t.Fatal(err)
	}
	if !On(WaitIgnoresAckOffset) || On(IncrbyfloatDropsTTL) {
		t.Fatalf("after Enable(%s): On says %v for it and %v for %s", WaitIgnoresAckOffset, On(WaitIgnoresAckOffset), On(IncrbyfloatDropsTTL), IncrbyfloatDropsTTL)
	}
	if err := Enable(IncrbyfloatDropsTTL); err != nil {
		t.Fatal(err)
	}
	if got, want := Enabled(), []string{IncrbyfloatDropsTTL, WaitIgnoresAckOffset}; !slices.Equal(got, want) {
		t.Fatalf("Enabled() = %q, want %q", got, want)
	}
	if terms, err := failpoint.Status("github.com/redsim/redsim/nodes/bugs/" + WaitIgnoresAckOffset); err != nil || terms != "return(true)" {
		t.Fatalf("failpoint status %q, %v: want the deterministic term return(true)", terms, err)
	}
	if err := Disable(WaitIgnoresAckOffset); err != nil {
		t.Fatal(err)
	}
	if err := Disable(WaitIgnoresAckOffset); err != nil { // off stays off
		t.Fatal(err)
	}
	if On(WaitIgnoresAckOffset) || !On(IncrbyfloatDropsTTL) {
		t.Fatalf("after Disable(%s): On says %v for it and %v for %s", WaitIgnoresAckOffset, On(WaitIgnoresAckOffset), On(IncrbyfloatDropsTTL), IncrbyfloatDropsTTL)
	}
	DisableAll()
	if On(IncrbyfloatDropsTTL) || Enabled() != nil || enabledCount != 0 {
		t.Fatalf("after DisableAll: On %v, Enabled %q, count %d", On(IncrbyfloatDropsTTL), Enabled(), enabledCount)
	}
}

func TestUnknownNames(t *testing.T) {
	t.Cleanup(DisableAll)
	for _, f := range []func(string) error{Enable, Disable} {
		err := f("no-such-bug")
		if err == nil {
			t.Fatal("an unknown name was accepted")
		}
		msg := err.Error()
		if !strings.Contains(msg, `"no-such-bug"`) || !strings.Contains(msg, WaitIgnoresAckOffset) || !strings.Contains(msg, AOFLoadDropsLastCommand) {
			t.Fatalf("error %q: want the name and the known ones", msg)
		}
	}
	if err := Enable(ReplicaServesExpired); err != nil {
		t.Fatal(err)
	}
	if On("no-such-bug") {
		t.Fatal("On is true for an unknown name")
	}
}

// A failpoint turned on some other way than Enable (GO_FAILPOINTS, a
// direct failpoint.Enable) plants nothing.
func TestForeignFailpointPlantsNothing(t *testing.T) {
	t.Cleanup(DisableAll)
	path := "github.com/redsim/redsim/nodes/bugs/" + RDBRenameBeforeFsync
	if err := failpoint.Enable(path, "return(true)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = failpoint.Disable(path) })
	if err := Enable(ReplicaServesExpired); err != nil { // the count is not zero
		t.Fatal(err)
	}
	if On(RDBRenameBeforeFsync) {
		t.Fatal("a failpoint enabled behind the package's back planted its bug")
	}
}
