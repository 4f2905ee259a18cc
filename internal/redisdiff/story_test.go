package redisdiff

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redsim/redsim/internal/script"
)

// TestStories runs each replication story of testdata/stories on real
// redis-server processes and on Redsim nodes in a simulated world; both
// must print the file's output: the same commands' replies and the same
// transitions of INFO replication. -rewrite regenerates the files from
// the real servers' run.
func TestStories(t *testing.T) {
	if testing.Short() {
		t.Skip("stories start several servers and wait for their replication")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "stories", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no stories in testdata/stories")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Run("redis", func(t *testing.T) {
				runStory(t, f, newRealStoryWorld(t), script.Rewriting())
			})
			t.Run("sim", func(t *testing.T) {
				runStory(t, f, newSimStoryWorld(t, 1), false)
			})
		})
	}
}

// recordingTB is a testing.TB whose Errorf is recorded instead of failing
// the test: a story run through it shows what it would have reported.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// A story fails when a transition differs from the file's: each story,
// with one expected transition changed, run on the simulated world,
// reports that step and no other.
func TestStoriesDetectChangedTransitions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every story on the simulated world")
	}
	for _, tc := range []struct{ story, from, to string }{
		{"partial_resync", "sync_partial_ok 0->1", "sync_partial_ok 0->2"},
		{"backlog_overflow", "sync_full 1->2, sync_partial_err 0->1", "sync_partial_ok 1->2"},
		{"promotion", "master_replid2 none->A, second_repl_offset -1->offset+1", "master_replid2 none->B, second_repl_offset -1->offset+1"},
		{"replica_restart", "slaves none->r1:online, sync_partial_ok 0->1", "slaves none->r1:online, sync_full 1->2"},
		{"master_restart", "master_replid2=A", "master_replid2=none"},
		{"failover", "slaves none->m:online", "slaves none->m:wait_bgsave"},
		{"divergent", "r1: connected_slaves 0->1, slaves none->m:online, sync_full 0->1, sync_partial_err 0->1", "r1: connected_slaves 0->1, slaves none->m:online, sync_partial_ok 0->1"},
		{"chained", "r1: sync_full 0->1, sync_partial_err 0->1", "r1: sync_partial_ok 1->2"},
	} {
		t.Run(tc.story, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "stories", tc.story+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(string(src), tc.from) != 1 {
				t.Fatalf("%q is not in the story once", tc.from)
			}
			path := filepath.Join(t.TempDir(), tc.story+".txt")
			if err := os.WriteFile(path, []byte(strings.Replace(string(src), tc.from, tc.to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			rec := &recordingTB{TB: t}
			runStory(rec, path, newSimStoryWorld(t, 1), false)
			if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], tc.from) {
				t.Fatalf("want one difference, at the changed step (showing %q); got %d:\n%s", tc.from, len(rec.errs), strings.Join(rec.errs, "\n"))
			}
		})
	}
}
