package redisdiff

import (
	"os"
	"path/filepath"
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
	for i, side := range []Side{want, got} {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			raw, err := df.ctl[i].DoStrings("CLUSTER", "INFO")
			if err == nil && strings.Contains(string(raw), "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				f.Fatalf("redisdiff: %s: the cluster is not ok after 10 s: %q %v", side.Name, raw, err)
			}
		}
	}
	for _, seed := range append(df.seeds(), df.gen.Seeds()...) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		df.run(t, data)
	})
}
