package redisdiff

import (
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
