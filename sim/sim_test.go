package sim

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
)

// recorder is a node that remembers what happened to it.
type recorder struct {
	env     Env
	log     *[]string
	stopped bool
}

func (r *recorder) Stop() { *r.log = append(*r.log, "stop") }

func newTestProc(t *testing.T, w *World, host string, cfg HostConfig, boot func(env Env)) *Process {
	t.Helper()
	h := w.Host(host)
	if h == nil {
		var err error
		if h, err = w.AddHost(host, cfg); err != nil {
			t.Fatal(err)
		}
	}
	var log []string
	p, err := h.Spawn(host+"-p", func(env Env) Node {
		if boot != nil {
			boot(env)
		}
		return &recorder{env: env, log: &log}
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEventOrder(t *testing.T) {
	w := NewWorld(1)
	var got []int
	for i, at := range []clock.Time{30, 10, 20, 10, 0, 30} {
		i := i
		w.At(at, func() { got = append(got, i) })
	}
	w.At(15, func() {
		w.At(5, func() { got = append(got, 100) }) // in the past: runs now, after those due
	})
	w.RunUntilIdle()
	want := []int{4, 1, 3, 100, 2, 0, 5}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestRunUntilStopsAtDeadline(t *testing.T) {
	w := NewWorld(1)
	ran := 0
	w.At(100, func() { ran++ })
	w.At(200, func() { ran++ })
	if n := w.RunUntil(150); n != 1 || ran != 1 || w.Now() != 150 {
		t.Fatalf("RunUntil(150): n=%d ran=%d now=%v", n, ran, w.Now())
	}
	w.At(160, func() { w.Halt() })
	w.RunUntil(1000)
	if w.Now() != 160 || ran != 1 {
		t.Fatalf("Halt: now=%v ran=%d", w.Now(), ran)
	}
}

func TestStreamsAreIndependent(t *testing.T) {
	draws := func(names ...string) []uint64 {
		w := NewWorld(42)
		streams := map[string][]uint64{}
		rs := make([]interface{ Uint64() uint64 }, len(names))
		for i, n := range names {
			rs[i] = w.Stream(n)
		}
		// Interleave draws across all streams.
		for k := 0; k < 5; k++ {
			for i, n := range names {
				streams[n] = append(streams[n], rs[i].Uint64())
			}
		}
		return streams["network"]
	}
	a := draws("network")
	b := draws("disk/n1", "network", "proc/n1/1")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("adding streams changed draw %d of network: %x vs %x", i, a[i], b[i])
		}
	}
	if NewStream(42, "x").Uint64() == NewStream(43, "x").Uint64() {
		t.Fatal("different seeds gave the same first draw")
	}
	if NewStream(42, "x").Uint64() == NewStream(42, "y").Uint64() {
		t.Fatal("different names gave the same first draw")
	}
}

func TestDeterministicMathMatchesLibrary(t *testing.T) {
	for _, x := range []float64{-20, -3.3, -1, -1e-9, 0, 1e-9, 0.5, 1, 2.7, 10, 50} {
		if got, want := detExp(x), math.Exp(x); math.Abs(got-want) > 1e-14*want {
			t.Errorf("detExp(%g) = %g, want %g", x, got, want)
		}
	}
	for _, x := range []float64{1e-300, 1e-9, 0.1, 0.5, 0.999, 1, 1.5, 2, 10, 1e9} {
		if got, want := detLog(x), math.Log(x); math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
			t.Errorf("detLog(%g) = %g, want %g", x, got, want)
		}
	}
}

func TestDists(t *testing.T) {
	r := NewStream(1, "d")
	if d := FixedDist(time.Millisecond).Draw(r); d != time.Millisecond {
		t.Errorf("fixed drew %v", d)
	}
	u := UniformDist(time.Millisecond, 2*time.Millisecond)
	ln := LogNormalDist(time.Millisecond, 2*time.Millisecond, 0.5)
	var below int
	for i := 0; i < 10000; i++ {
		if d := u.Draw(r); d < time.Millisecond || d > 2*time.Millisecond {
			t.Fatalf("uniform drew %v", d)
		}
		d := ln.Draw(r)
		if d < time.Millisecond {
			t.Fatalf("lognormal drew %v under its floor", d)
		}
		if d < 3*time.Millisecond {
			below++
		}
	}
	// The median of floor+lognormal is floor+median.
	if below < 4700 || below > 5300 {
		t.Errorf("lognormal: %d of 10000 under floor+median, want about half", below)
	}
	for _, bad := range []Dist{UniformDist(2, 1), FixedDist(-1), LogNormalDist(0, 1, -1), {Kind: 9}} {
		if bad.Validate() == nil {
			t.Errorf("%v validated", bad)
		}
	}
}

func TestTimersRunOnTheMonotonicClock(t *testing.T) {
	w := NewWorld(1)
	var fired []clock.Time
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{Clock: clock.Config{DriftPPM: 100000}}, func(e Env) { env = e })
	p.Start()
	env.After(1100*time.Millisecond, func() { fired = append(fired, w.Now()) })
	cancelled := env.After(time.Second, func() { t.Error("cancelled timer fired") })
	if !env.Cancel(cancelled) || env.Cancel(cancelled) {
		t.Error("Cancel: want true then false")
	}
	w.RunUntilIdle()
	// A clock 10% fast reaches 1.1s of its own after 1s of true time.
	if len(fired) != 1 || fired[0] != clock.Time(time.Second) {
		t.Fatalf("fired at %v, want [1s]", fired)
	}
}

func TestPauseHoldsEventsAndResumeRunsThemInOrder(t *testing.T) {
	w := NewWorld(1)
	var env Env
	var got []string
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
	p.Start()
	env.After(time.Second, func() { got = append(got, "a@"+w.Now().String()) })
	env.After(2*time.Second, func() { got = append(got, "b@"+w.Now().String()) })
	env.After(5*time.Second, func() { got = append(got, "c@"+w.Now().String()) })
	w.At(clock.Time(500*time.Millisecond), p.Pause)
	w.At(clock.Time(3*time.Second), p.Resume)
	w.RunUntilIdle()
	want := "a@3.000000s b@3.000000s c@5.000000s"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
}

func TestCrashEndsTheIncarnation(t *testing.T) {
	w := NewWorld(1)
	var envs []Env
	fired := 0
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) {
		envs = append(envs, e)
		e.After(time.Second, func() { fired++ })
	})
	p.Start()
	w.At(clock.Time(500*time.Millisecond), p.Host().Crash)
	w.RunUntil(clock.Time(2 * time.Second))
	if fired != 0 || p.State() != Down {
		t.Fatalf("after crash: fired=%d state=%v", fired, p.State())
	}
	// A call on the dead incarnation's Env does nothing.
	if tm := envs[0].After(time.Millisecond, func() { t.Error("dead env timer fired") }); !tm.IsZero() {
		t.Error("dead env returned a live timer")
	}
	p.Restart(time.Second)
	if p.State() != Down {
		t.Fatal("delayed restart started at once")
	}
	w.RunUntil(clock.Time(4 * time.Second))
	if p.State() != Running || p.Incarnation() != 2 || fired != 1 || len(envs) != 2 {
		t.Fatalf("after restart: state=%v inc=%d fired=%d boots=%d", p.State(), p.Incarnation(), fired, len(envs))
	}
	if envs[0].Rand().Uint64() == envs[1].Rand().Uint64() {
		t.Error("a new incarnation got the old PRNG stream")
	}
}

func TestGracefulStopAndExit(t *testing.T) {
	w := NewWorld(1)
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
	p.Start()
	node := p.Node().(*recorder)
	p.Stop()
	if p.State() != Down || len(*node.log) != 1 {
		t.Fatalf("Stop: state=%v log=%v", p.State(), *node.log)
	}
	p.Start()
	env.After(time.Second, func() { env.Exit() })
	env.After(2*time.Second, func() { t.Error("timer after Exit fired") })
	w.RunUntilIdle()
	if p.State() != Down {
		t.Fatalf("Exit: state=%v", p.State())
	}
}

// terminator exits a second after SIGTERM.
type terminator struct{ env Env }

func (n *terminator) Stop()      { panic("Stop called on a Terminator") }
func (n *terminator) Terminate() { n.env.After(time.Second, n.env.Exit) }

func TestTerminate(t *testing.T) {
	w := NewWorld(1)
	w.Trace().Keep(LevelInfo)
	// A node that is not a Terminator stops at once.
	p := newTestProc(t, w, "n1", HostConfig{}, nil)
	p.Start()
	node := p.Node().(*recorder)
	p.Terminate()
	if p.State() != Down || len(*node.log) != 1 {
		t.Fatalf("Terminate of a plain node: state=%v log=%v", p.State(), *node.log)
	}
	// A Terminator exits in its own time; a paused one is resumed first.
	h, _ := w.AddHost("n2", HostConfig{})
	q, _ := h.Spawn("n2-p", func(env Env) Node { return &terminator{env: env} })
	q.Start()
	q.Pause()
	h.Terminate()
	if q.State() != Running {
		t.Fatalf("after SIGTERM: state=%v, want running (resumed, exiting in a second)", q.State())
	}
	w.RunFor(999 * time.Millisecond)
	if q.State() != Running {
		t.Fatal("exited early")
	}
	w.RunFor(2 * time.Millisecond)
	if q.State() != Down {
		t.Fatal("did not exit")
	}
	var kinds []string
	for _, ev := range w.Trace().Events {
		if ev.Proc == q.ID() || ev.Kind == KindFault {
			kinds = append(kinds, ev.Kind.String())
		}
	}
	if got := strings.Join(kinds, " "); got != "start pause fault resume stop exit" {
		t.Errorf("trace: %s", got)
	}
}

func TestDiskDurability(t *testing.T) {
	w := NewWorld(1)
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
	p.Start()
	d := env.Disk()
	must(t, d.Append("aof", []byte("one;")))
	var syncErr error = errors.New("not called")
	d.Sync("aof", func(err error) { syncErr = err })
	must(t, d.Append("aof", []byte("two;"))) // after the fsync call: not covered
	w.RunUntilIdle()
	if syncErr != nil {
		t.Fatalf("sync: %v", syncErr)
	}
	must(t, d.Append("aof", []byte("three;")))
	must(t, d.Write("tmp", []byte("snapshot")))
	must(t, d.Rename("tmp", "dump.rdb"))
	if got, _ := d.Read("aof"); string(got) != "one;two;three;" {
		t.Fatalf("page cache: %q", got)
	}
	p.Host().Crash()
	if got, _ := p.Host().Disk().Read("aof"); string(got) != "one;" {
		t.Fatalf("after crash: %q, want only the synced part", got)
	}
	// A renamed but never synced file exists, empty.
	if got, err := p.Host().Disk().Read("dump.rdb"); err != nil || len(got) != 0 {
		t.Fatalf("unsynced renamed file: %q, %v", got, err)
	}
	if _, err := p.Host().Disk().Read("tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("renamed-away file: %v", err)
	}
}

func TestDiskRewriteKeepsOldDurableContent(t *testing.T) {
	w := NewWorld(1)
	h, _ := w.AddHost("n1", HostConfig{})
	d := h.Disk()
	must(t, d.Write("f", []byte("durable")))
	p, _ := h.Spawn("p", func(Env) Node { return &recorder{log: new([]string)} })
	p.Start()
	p.Env().Disk().Sync("f", func(error) {})
	w.RunUntilIdle()
	must(t, d.Write("f", []byte("new content, not synced")))
	must(t, d.Truncate("f", 3))
	h.Crash()
	if got, _ := d.Read("f"); string(got) != "durable" {
		t.Fatalf("after crash: %q", got)
	}
}

func TestDiskTornTail(t *testing.T) {
	lens := map[int]bool{}
	for seed := uint64(1); seed <= 40; seed++ {
		w := NewWorld(seed)
		h, _ := w.AddHost("n1", HostConfig{Disk: DiskConfig{TornTail: true}})
		d := h.Disk()
		must(t, d.Append("aof", bytes.Repeat([]byte("x"), 100)))
		h.Crash()
		got, _ := d.Read("aof")
		lens[len(got)] = true
	}
	if len(lens) < 10 {
		t.Fatalf("torn tails kept only lengths %v", lens)
	}
}

func TestDiskFaults(t *testing.T) {
	w := NewWorld(1)
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{Disk: DiskConfig{CapacityBytes: 10, FsyncLatency: FixedDist(5 * time.Millisecond)}}, func(e Env) { env = e })
	p.Start()
	d := env.Disk()
	must(t, d.Append("a", []byte("12345")))
	if err := d.Append("a", []byte("123456")); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("over capacity: %v", err)
	}
	p.Host().Disk().SetFull(true)
	if err := d.Write("b", []byte("1")); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("full disk: %v", err)
	}
	p.Host().Disk().SetFull(false)
	p.Host().Disk().FailSyncs(1)
	var errs []error
	var at []clock.Time
	d.Sync("a", func(err error) { errs = append(errs, err); at = append(at, w.Now()) })
	d.Sync("a", func(err error) { errs = append(errs, err); at = append(at, w.Now()) })
	w.RunUntilIdle()
	if len(errs) != 2 || !errors.Is(errs[0], ErrIO) || errs[1] != nil {
		t.Fatalf("fsync errors: %v", errs)
	}
	if at[0] != clock.Time(5*time.Millisecond) {
		t.Fatalf("fsync took until %v, want 5ms", at[0])
	}
	if got, _ := p.Host().Disk().Durable("a"); string(got) != "12345" {
		t.Fatalf("durable after second fsync: %q", got)
	}
}

func TestTraceHashCoversEveryLevel(t *testing.T) {
	run := func(text string, keep Level) (uint64, int) {
		w := NewWorld(1)
		w.Trace().Keep(keep)
		w.Note(LevelDebug, text)
		w.Fault("partition")
		return w.Trace().Hash(), len(w.Trace().Events)
	}
	h1, n1 := run("a", LevelNone)
	h2, n2 := run("a", LevelDebug)
	h3, _ := run("b", LevelNone)
	if h1 != h2 {
		t.Error("the kept level changed the hash")
	}
	if n1 != 0 || n2 != 2 {
		t.Errorf("kept %d and %d events, want 0 and 2", n1, n2)
	}
	if h1 == h3 {
		t.Error("a different debug event left the hash unchanged")
	}
	var out bytes.Buffer
	w := NewWorld(1)
	w.Trace().Print(&out, LevelFault)
	w.Note(LevelDebug, "hidden")
	w.Fault("partition isolate=n1")
	if out.String() != "0.000000s fault partition isolate=n1\n" {
		t.Errorf("printed %q", out.String())
	}
}

func TestEventLoopDoesNotAllocate(t *testing.T) {
	w := NewWorld(1)
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
	p.Start()
	var fn func()
	fn = func() { env.After(time.Millisecond, fn) }
	env.After(time.Millisecond, fn)
	w.RunFor(time.Second) // warm up the heap and the timer table
	allocs := testing.AllocsPerRun(100, func() { w.RunFor(100 * time.Millisecond) })
	if allocs != 0 {
		t.Fatalf("%v allocations per 100 timer events", allocs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFirstDifferenceNamesTheEvent(t *testing.T) {
	run := func(divergeAt clock.Time) *Trace {
		w := NewWorld(1)
		w.Trace().Keep(LevelDebug)
		h, _ := w.AddHost("n1", HostConfig{})
		var env Env
		p, _ := h.Spawn("n1", func(e Env) Node { env = e; return &recorder{log: new([]string)} })
		p.Start()
		for i := 1; i <= 5; i++ {
			d := time.Duration(i) * time.Second
			if clock.Time(d) == divergeAt {
				d += time.Millisecond // a "nondeterministic" timer
			}
			env.After(d, func() {})
		}
		w.RunUntilIdle()
		return w.Trace()
	}
	same := FirstDifference(run(-1), run(-1))
	if same != "" {
		t.Fatalf("identical runs differ: %s", same)
	}
	d := FirstDifference(run(-1), run(clock.Time(3*time.Second)))
	for _, want := range []string{"first difference at event 4", "run 1: 3.000000s timer n1", "run 2: 3.001000s timer n1"} {
		if !strings.Contains(d, want) {
			t.Errorf("difference %q lacks %q", d, want)
		}
	}
}

// CrashTorn tears unsynced appends on a disk not configured to; a plain
// crash on that disk keeps none of them; CrashWipe keeps no file at all.
func TestCrashTornAndWipe(t *testing.T) {
	lens := map[int]bool{}
	for seed := uint64(1); seed <= 40; seed++ {
		w := NewWorld(seed)
		h, _ := w.AddHost("n1", HostConfig{})
		d := h.Disk()
		must(t, d.Append("aof", bytes.Repeat([]byte("x"), 100)))
		h.CrashTorn()
		got, _ := d.Read("aof")
		lens[len(got)] = true
	}
	if len(lens) < 10 {
		t.Fatalf("crash-torn kept only lengths %v", lens)
	}
	w := NewWorld(1)
	h, _ := w.AddHost("n1", HostConfig{})
	d := h.Disk()
	must(t, d.Append("aof", []byte("unsynced")))
	h.Crash()
	if got, _ := d.Read("aof"); len(got) != 0 {
		t.Fatalf("after a plain crash: %q", got)
	}
	h.CrashWipe()
	if names := d.List(); len(names) != 0 {
		t.Fatalf("after crash-wipe the disk still has %v", names)
	}
	must(t, d.Append("aof", []byte("new")))
	if got, _ := d.Read("aof"); string(got) != "new" {
		t.Fatalf("a wiped disk takes new files: %q", got)
	}
}

// TestCancelledTimersLeaveTheQueue arms many timers, as a client arms one
// request timeout per command, and cancels most of them: their events leave
// the queue before they are due, and the timers left fire when and in the
// order they would have.
func TestCancelledTimersLeaveTheQueue(t *testing.T) {
	w := NewWorld(1)
	var env Env
	p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
	p.Start()
	r := w.Stream("test")
	type fired struct {
		i  int
		at clock.Time
	}
	var want, got []fired
	peak := 0
	for i := 0; i < 20000; i++ {
		d := time.Duration(1+r.IntN(1000)) * time.Millisecond
		tm := env.After(d, func() { got = append(got, fired{i, w.Now()}) })
		if i%8 == 0 {
			want = append(want, fired{i, clock.Time(d)})
		} else if !env.Cancel(tm) {
			t.Fatal("Cancel of a pending timer: false")
		}
		peak = max(peak, w.Pending())
	}
	// 17,500 of 20,000 cancelled: without compaction the queue would hold
	// all 20,000 until they came due.
	if peak > 2*1024+20000/8+100 {
		t.Errorf("the queue peaked at %d events for 2,500 live timers", peak)
	}
	// The slots of the events compaction dropped are used again.
	if n := len(w.q.slab); n > 2*1024+20000/8+100 {
		t.Errorf("the heap's slab holds %d slots for 2,500 live timers", n)
	}
	w.RunUntilIdle()
	// Timers due at the same time fire in the order they were armed.
	sort.SliceStable(want, func(a, b int) bool { return want[a].at < want[b].at })
	if !slices.Equal(got, want) {
		t.Fatalf("%d timers fired, want %d, or in another order or at other times", len(got), len(want))
	}
}

// TestQueueShortcutsKeepTheOrder runs a program of events that schedule
// more events (a third of them for the moment it is, which skip the heap;
// the rest later, some cancelled, enough to compact the heap), on a
// process paused and resumed now and then: the events run in the same
// order and at the same times as with every event in the heap and no
// compaction.
func TestQueueShortcutsKeepTheOrder(t *testing.T) {
	run := func(plain bool) (got []string, scheduled int) {
		w := NewWorld(7)
		w.plainQueue = plain
		var env Env
		p := newTestProc(t, w, "n1", HostConfig{}, func(e Env) { env = e })
		p.Start()
		r := w.Stream("test")
		var spawn func(depth int)
		spawn = func(depth int) {
			for k := 0; k < 2; k++ {
				scheduled++
				idx := strconv.Itoa(scheduled)
				var d time.Duration
				if r.IntN(3) > 0 {
					d = time.Duration(r.IntN(3000)) * time.Microsecond
				}
				fn := func() {
					got = append(got, idx+"@"+w.Now().String())
					if depth < 14 {
						spawn(depth + 1)
					}
				}
				switch r.IntN(4) {
				case 0:
					w.At(w.Now().Add(d), fn)
				case 1:
					tm := env.After(d, fn)
					if r.IntN(2) == 0 {
						env.Cancel(tm)
					}
				default:
					env.After(d, fn)
				}
			}
		}
		w.At(0, func() { spawn(0) })
		for i := 1; i < 20; i++ {
			at := clock.Time(time.Duration(i) * 3 * time.Millisecond)
			w.At(at, p.Pause)
			w.At(at.Add(time.Millisecond), p.Resume)
		}
		w.RunUntilIdle()
		return got, scheduled
	}
	want, n := run(true)
	got, _ := run(false)
	if n < 10000 || len(want) < n/2 {
		t.Fatalf("%d events scheduled, %d ran: too few to tell", n, len(want))
	}
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("event %d: %s, want %s (as the plain heap runs them)", i, got[i], want[i])
			}
		}
		t.Fatalf("%d events ran, want %d", len(got), len(want))
	}
}

// interrupter gives up at its second signal, as Redis at a second SIGINT.
type interrupter struct {
	terminator
	asked bool
}

func (n *interrupter) Interrupt() bool {
	if n.asked {
		n.env.Exit()
		return true
	}
	n.asked = true
	n.Terminate()
	return false
}

// TestInterrupt: Interrupt tells an Interrupter, which may exit at once;
// a node that is not one takes it as Terminate.
func TestInterrupt(t *testing.T) {
	w := NewWorld(1)
	h, _ := w.AddHost("n1", HostConfig{})
	q, _ := h.Spawn("n1-p", func(env Env) Node { return &interrupter{terminator: terminator{env: env}} })
	q.Start()
	q.Interrupt()
	w.RunFor(500 * time.Millisecond)
	if q.State() != Running {
		t.Fatalf("after one SIGINT: state=%v, want running", q.State())
	}
	q.Interrupt()
	if q.State() != Down {
		t.Fatalf("after the second SIGINT: state=%v, want down at once", q.State())
	}
	p := newTestProc(t, w, "n2", HostConfig{}, nil)
	p.Start()
	p.Interrupt()
	if p.State() != Down {
		t.Fatalf("Interrupt of a plain node: state=%v", p.State())
	}
}
