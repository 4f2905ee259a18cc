package redisdiff

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clusterExcluded says why the cluster-mode fuzzer never sends a command,
// beyond diffExcluded: what would tie the node to others, or give it an
// ID of chance.
var clusterExcluded = map[string]string{
	"cluster|meet":  "starts a handshake with whatever listens at the address, under a random ID",
	"cluster|reset": "HARD draws a new node ID; either kind forgets the nodes.conf the servers share",
}

// FuzzClusterDifferential is FuzzDifferential with both servers in
// cluster mode, each a master alone that owns every slot (from
// testdata/cluster/sole_owner.nodes.conf, one node ID for both): the
// commands cluster mode forbids or changes (SELECT, keys of several slots,
// scripts' keys), and the CLUSTER subcommands with arguments from the
// input, slots taken, dropped and put to migrate included. A reset after
// an input that ran a CLUSTER command gives the master every slot again.
// Run it with
//
//	go test ./internal/redisdiff -run '^$' -fuzz FuzzClusterDifferential -fuzztime 300s
func FuzzClusterDifferential(f *testing.F) {
	conf, err := os.ReadFile(filepath.Join("testdata", "cluster", "sole_owner.nodes.conf"))
	if err != nil {
		f.Fatal(err)
	}
	want, got := clusterSides(f, string(conf))
	df := newDiffFuzzer(f, want, got)
	df.cluster = true
	// A master that loads its slots is ok after the writable delay (2 s).
	df.awaitClusterOK(f, nil)
	for _, seed := range append(df.seeds(), df.gen.Seeds()...) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		df.run(t, data)
	})
}

// clusterOK says whether server i's cluster state is ok.
func (df *diffFuzzer) clusterOK(i int) (bool, string) {
	raw, err := df.ctl[i].DoStrings("CLUSTER", "INFO")
	if err != nil {
		return false, err.Error()
	}
	return strings.Contains(string(raw), "cluster_state:ok"), string(raw)
}

// awaitClusterOK waits until both servers' cluster state is ok: each
// turns ok on its own timers (the writable delay after a start, the
// rejoin delay after a master was left with no slots), and an input that
// ran while only one was ok would see the other reply CLUSTERDOWN. after
// is the input just run, which a failure names.
func (df *diffFuzzer) awaitClusterOK(tb testing.TB, after []string) {
	for i, side := range []Side{df.want, df.got} {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			ok, info := df.clusterOK(i)
			if ok {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("redisdiff: %s: the cluster is not ok after 10 s: %q\nafter the input's commands:\n\t%s", side.Name, info, strings.Join(after, "\n\t"))
			}
		}
	}
}

// missingSlots returns ADDSLOTSRANGE commands for the slots server i's
// master does not own, read from CLUSTER SLOTS. Alone in its cluster, it
// owns a slot or the slot has no owner.
func (df *diffFuzzer) missingSlots(tb testing.TB, i int) [][]string {
	raw, err := df.ctl[i].DoStrings("CLUSTER", "SLOTS")
	v, ok := parseReply(raw)
	if err != nil || !ok {
		tb.Fatalf("redisdiff: CLUSTER SLOTS: %q %v", raw, err)
	}
	var owned [16384]bool
	for _, r := range v.Elems {
		if len(r.Elems) < 2 {
			tb.Fatalf("redisdiff: CLUSTER SLOTS: a range without bounds: %q", raw)
		}
		for s := r.Elems[0].Int; s <= r.Elems[1].Int && s < 16384; s++ {
			owned[s] = true
		}
	}
	var cmds [][]string
	for s := 0; s < 16384; {
		if owned[s] {
			s++
			continue
		}
		e := s
		for e+1 < 16384 && !owned[e+1] {
			e++
		}
		cmds = append(cmds, []string{"CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(s), strconv.Itoa(e)})
		s = e + 1
	}
	return cmds
}
