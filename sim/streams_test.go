package sim

import (
	"bytes"
	"testing"
	"time"
)

// syncLoop starts a process on h that fsyncs file back to back, n times, and
// records how long each fsync took.
func syncLoop(t *testing.T, h *Host, name, file string, n int) *[]time.Duration {
	t.Helper()
	took := new([]time.Duration)
	p, err := h.Spawn(name, func(env Env) Node {
		must(t, env.Disk().Append(file, []byte("x")))
		var next func()
		next = func() {
			start := env.Mono()
			env.Disk().Sync(file, func(error) {
				*took = append(*took, env.Mono()-start)
				if len(*took) < n {
					next()
				}
			})
		}
		next()
		return &recorder{env: env, log: new([]string)}
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	return took
}

// TestFsyncLatencyIsPerProcess: one process's fsync latencies are the same
// whether or not another process on its host fsyncs too, because each
// incarnation draws from its own stream rather than the host's.
func TestFsyncLatencyIsPerProcess(t *testing.T) {
	run := func(neighbour bool) []time.Duration {
		w := NewWorld(3)
		h, err := w.AddHost("n1", HostConfig{Disk: DiskConfig{FsyncLatency: UniformDist(time.Millisecond, 5*time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		if neighbour {
			syncLoop(t, h, "other", "other.aof", 100)
		}
		took := syncLoop(t, h, "redis", "appendonly.aof", 30)
		w.RunUntilIdle()
		return *took
	}
	alone, shared := run(false), run(true)
	if len(alone) != 30 || len(shared) != 30 {
		t.Fatalf("%d and %d fsyncs completed, want 30", len(alone), len(shared))
	}
	distinct := map[time.Duration]bool{}
	for i := range alone {
		distinct[alone[i]] = true
		if alone[i] != shared[i] {
			t.Fatalf("fsync %d took %v alone, %v beside another process's fsyncs", i, alone[i], shared[i])
		}
	}
	if len(distinct) < 10 {
		t.Fatalf("only %d distinct fsync latencies; the test needs random ones", len(distinct))
	}
}

// TestTornTailIsPerFile: what a crash keeps of a file does not depend on how
// many fsyncs ran before it or on which other files the crash tears.
func TestTornTailIsPerFile(t *testing.T) {
	run := func(fsyncs int, otherTorn bool) int {
		w := NewWorld(5)
		h, err := w.AddHost("n1", HostConfig{Disk: DiskConfig{TornTail: true, FsyncLatency: UniformDist(time.Millisecond, 5*time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		if fsyncs > 0 {
			syncLoop(t, h, "syncer", "synced", fsyncs)
			w.RunUntilIdle()
		}
		d := h.Disk()
		if otherTorn {
			// "a.rdb" sorts before "aof", so a shared stream would draw for it first.
			must(t, d.Append("a.rdb", bytes.Repeat([]byte("r"), 100)))
		}
		must(t, d.Append("aof", bytes.Repeat([]byte("x"), 1000)))
		h.Crash()
		got, _ := d.Read("aof")
		return len(got)
	}
	want := run(0, false)
	for _, c := range []struct {
		fsyncs    int
		otherTorn bool
	}{{10, false}, {0, true}, {10, true}} {
		if got := run(c.fsyncs, c.otherTorn); got != want {
			t.Errorf("%d fsyncs before, another file torn %v: the crash kept %d bytes of aof, %d otherwise", c.fsyncs, c.otherTorn, got, want)
		}
	}
}
