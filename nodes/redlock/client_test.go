package redlock

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/sim"
)

// quiet runs 3 contending clients with no fault for a minute of virtual time.
func quiet(t testing.TB, seed uint64) *testWorld {
	tw := newTestWorld(t, worldConfig{seed: seed})
	for id := 0; id < 3; id++ {
		tw.spawn(tw.options(id), clock.Config{})
	}
	tw.run(time.Minute)
	return tw
}

func TestQuietIsSafeAndLive(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		tw := quiet(t, seed)
		attempts, ok := tw.acquires()
		if ok < 500 {
			t.Errorf("seed %d: %d acquisitions of %d attempts in a minute; want hundreds", seed, ok, attempts)
		}
		if len(tw.holds) != ok {
			t.Errorf("seed %d: %d holds for %d successful acquires", seed, len(tw.holds), ok)
		}
		if len(tw.writes.Accepted) < ok-3 {
			t.Errorf("seed %d: %d writes accepted for %d acquisitions", seed, len(tw.writes.Accepted), ok)
		}
		if r := checker.MutualExclusion(tw.holds); r.Verdict != checker.Ok {
			t.Errorf("seed %d: %s", seed, r.Summary)
		}
		if r := checker.ResourceSafety(tw.holds, tw.writes.Accepted, checker.ResourceOptions{}); r.Verdict != checker.Ok {
			t.Errorf("seed %d: %s", seed, r.Summary)
		}
		// With no fault the lock is never idle for long while someone
		// wants it: a client that loses a race retries within RetryDelay.
		live := checker.LockLiveness(tw.h.Ops(), tw.holds, checker.LockLivenessOptions{MaxGap: time.Second})
		if live.Verdict != checker.Ok {
			t.Errorf("seed %d: %s", seed, live.Summary)
		}
		// Three clients contend for one lock, so some attempts lose; most
		// must still win, or releases or retries are broken.
		if rate, _ := live.Metric("acquire_rate"); rate < 0.5 {
			t.Errorf("seed %d: acquire rate %.2f; want at least 0.5", seed, rate)
		}
		// Every release found the lock on a quorum still: with no fault,
		// no key expires while held.
		for _, op := range tw.h.Ops() {
			if op.Kind == history.Release && op.Outcome == history.Ok && !(op.Result.Equal(history.Int(3)) || op.Result.Equal(history.Int(4)) || op.Result.Equal(history.Int(5))) {
				t.Errorf("seed %d: release %+v deleted %v keys; want a quorum of 3 or more", seed, op, op.Result)
				break
			}
		}
		t.Logf("seed %d: %d of %d attempts acquired; %s", seed, ok, attempts, live.Summary)
	}
}

// pauseWorld is the Kleppmann case: client 0 pauses for 1.5 TTLs between
// its last validity check and its write; clients 1 and 2 never pause.
func pauseWorld(t testing.TB, seed uint64, fenced bool) *testWorld {
	tw := newTestWorld(t, worldConfig{seed: seed, fenced: fenced})
	for id := 0; id < 3; id++ {
		o := tw.options(id)
		o.Fenced = fenced
		if id == 0 {
			o.PauseAfterAcquire = sim.FixedDist(1500 * time.Millisecond)
		}
		tw.spawn(o, clock.Config{})
	}
	tw.run(20 * time.Second)
	return tw
}

func TestPauseBreaksAnUnfencedResource(t *testing.T) {
	violated := 0
	for seed := uint64(1); seed <= 5; seed++ {
		tw := pauseWorld(t, seed, false)
		// The clients' beliefs never overlap: the pause is after the
		// paused client's hold ended, in its own accounting too.
		if r := checker.MutualExclusion(tw.holds); r.Verdict != checker.Ok {
			t.Errorf("seed %d: %s", seed, r.Summary)
		}
		r := checker.ResourceSafety(tw.holds, tw.writes.Accepted, checker.ResourceOptions{})
		if r.Verdict == checker.Violation {
			violated++
			if seed == 1 {
				t.Logf("seed %d: %s", seed, r.Summary)
			}
		}
	}
	if violated == 0 {
		t.Fatal("a client pausing longer than the TTL before writing never broke the unfenced resource in 5 seeds")
	}
	t.Logf("%d of 5 seeds violated resource safety", violated)
}

func TestFencingMakesThePauseSafe(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		tw := pauseWorld(t, seed, true)
		r := checker.ResourceSafety(tw.holds, tw.writes.Accepted, checker.ResourceOptions{Fenced: true})
		if r.Verdict != checker.Ok {
			t.Errorf("seed %d: %s", seed, r.Summary)
		}
		// The fence did work: the paused client's late writes were refused.
		refused := 0
		for _, a := range tw.writes.Rejected {
			if a.Process == 0 {
				refused++
			}
		}
		if refused == 0 {
			t.Errorf("seed %d: the fenced resource refused none of the paused client's writes", seed)
		}
		// Every fenced hold gets its token, but one that began within a
		// token fetch's time bound (DefaultIOTimeout) of the run's end,
		// whose fetch the end may cut short.
		for _, h := range tw.holds {
			if h.Token == 0 && h.Until > h.From && h.From < clock.Time(20*time.Second-DefaultIOTimeout) {
				t.Errorf("seed %d: fenced hold %+v has no token", seed, h)
				break
			}
		}
	}
}

func TestSameSeedSameRun(t *testing.T) {
	a, b := pauseWorld(t, 7, false), pauseWorld(t, 7, false)
	if len(a.holds) == 0 {
		t.Fatal("no hold recorded")
	}
	if fa, fb := a.fingerprint(), b.fingerprint(); !bytes.Equal(fa, fb) {
		t.Fatalf("seed 7 ran twice gave different runs (%d and %d bytes)", len(fa), len(fb))
	}
	if ha, hb := a.w.Trace().Hash(), b.w.Trace().Hash(); ha != hb {
		t.Fatalf("trace hashes differ: %x and %x", ha, hb)
	}
}

// A quorum needs N/2+1 masters: 3 of 5 up still lock, 2 of 5 never do.
func TestQuorum(t *testing.T) {
	for _, tt := range []struct {
		down    int
		acquire bool
	}{{2, true}, {3, false}} {
		tw := newTestWorld(t, worldConfig{seed: 1})
		for i := 0; i < tt.down; i++ {
			tw.redis[i].Kill()
		}
		tw.spawn(tw.options(0), clock.Config{})
		tw.run(5 * time.Second)
		attempts, ok := tw.acquires()
		if got := ok > 0; got != tt.acquire || attempts < 5 {
			t.Errorf("%d of 5 masters down: %d of %d attempts acquired; want acquisitions %v", tt.down, ok, attempts, tt.acquire)
		}
		if !tt.acquire {
			for _, op := range tw.h.Ops() {
				if op.Kind == history.Acquire && !strings.Contains(op.Error, "2 of 5 masters locked, quorum 3") {
					t.Errorf("failed acquire %+v; want the quorum in its error", op)
					break
				}
			}
		}
	}
}

// Replies slower than the TTL give a quorum with no validity left: the
// client must not take it, unless the check is ablated.
func TestValidityCheck(t *testing.T) {
	for _, skip := range []bool{false, true} {
		tw := newTestWorld(t, worldConfig{seed: 1, latency: sim.FixedDist(60 * time.Millisecond)})
		o := tw.options(0)
		o.TTL, o.Timeout, o.SkipValidityCheck = 100*time.Millisecond, 300*time.Millisecond, skip
		tw.spawn(o, clock.Config{})
		tw.run(5 * time.Second)
		attempts, ok := tw.acquires()
		if skip {
			if ok == 0 {
				t.Errorf("SkipValidityCheck: none of %d attempts acquired", attempts)
			}
			if len(tw.holds) > 0 && tw.holds[0].Until <= tw.holds[0].From {
				t.Errorf("SkipValidityCheck: hold %+v is empty; it should last until the release", tw.holds[0])
			}
			continue
		}
		if ok != 0 || attempts < 5 {
			t.Errorf("%d of %d attempts acquired with 120 ms round trips and a 100 ms TTL; want none of several", ok, attempts)
		}
		for _, op := range tw.h.Ops() {
			if op.Kind == history.Acquire && !strings.HasPrefix(op.Error, "validity -") {
				t.Errorf("failed acquire %+v; want a negative validity in its error", op)
				break
			}
		}
	}
}

// ValidityFromReply takes the slow quorum the check refuses, and believes
// in it for TTL minus drift from the replies: past the masters' expiry by
// the round trip less the request's way (one way here, 60 ms).
func TestValidityFromReply(t *testing.T) {
	tw := newTestWorld(t, worldConfig{seed: 1, latency: sim.FixedDist(60 * time.Millisecond)})
	o := tw.options(0)
	o.TTL, o.Timeout, o.ValidityFromReply = 100*time.Millisecond, 300*time.Millisecond, true
	o.WorkTime = sim.FixedDist(time.Second) // past the validity: the hold ends there
	tw.spawn(o, clock.Config{})
	tw.run(3 * time.Second)
	if _, ok := tw.acquires(); ok == 0 || len(tw.holds) == 0 {
		t.Fatalf("ValidityFromReply: no attempt acquired")
	}
	h := tw.holds[0]
	// Validity 100 ms less the drift (1 ms + 2 ms) from the quorum's replies.
	if got, want := h.Until.Sub(h.From), 97*time.Millisecond; got != want {
		t.Errorf("hold %+v lasts %v, want %v from the replies", h, got, want)
	}
}

// A hold ends at the validity's end as the client's clock measures it: a
// client whose clock runs 10% fast believes in its lock for a tenth less
// true time.
func TestHoldEndsAtValidityThroughTheClientsClock(t *testing.T) {
	for _, ppm := range []float64{0, 100000} {
		tw := newTestWorld(t, worldConfig{seed: 1, latency: sim.FixedDist(time.Millisecond)})
		o := tw.options(0)
		o.WorkTime = sim.FixedDist(5 * time.Second) // past the validity: the hold ends there
		tw.spawn(o, clock.Config{DriftPPM: ppm})
		tw.run(3 * time.Second)
		if len(tw.holds) == 0 {
			t.Fatalf("drift %gppm: no hold", ppm)
		}
		h := tw.holds[0]
		// validity = TTL - elapsed - drift allowance; elapsed is about 2 ms
		// of round trip on the client's clock.
		local := time.Second - 2*time.Millisecond - 12*time.Millisecond
		want := time.Duration(float64(local) / (1 + ppm/1e6))
		if got := h.Until.Sub(h.From); got > want+time.Millisecond || got < want-time.Millisecond {
			t.Errorf("drift %gppm: hold lasts %v of true time; want about %v", ppm, got, want)
		}
		if len(tw.writes.Accepted) != 0 {
			t.Errorf("drift %gppm: the client wrote %v after its validity ran out", ppm, tw.writes.Accepted)
		}
	}
}

func TestExtendKeepsTheLockPastTheTTL(t *testing.T) {
	tw := newTestWorld(t, worldConfig{seed: 1})
	for id := 0; id < 2; id++ {
		o := tw.options(id)
		o.WorkTime = sim.FixedDist(2500 * time.Millisecond) // 2.5 TTLs
		o.Extend = 300 * time.Millisecond
		tw.spawn(o, clock.Config{})
	}
	tw.run(20 * time.Second)
	_, ok := tw.acquires()
	if ok < 4 || len(tw.writes.Accepted) < ok-2 {
		t.Errorf("%d acquisitions, %d writes: extended locks should let most work finish", ok, len(tw.writes.Accepted))
	}
	long := 0
	for _, h := range tw.holds {
		if h.Until.Sub(h.From) > 2*time.Second {
			long++
		}
	}
	if long == 0 {
		t.Errorf("no hold outlasted the TTL: %v", tw.holds)
	}
	t.Logf("%d acquisitions, %d writes, %d holds longer than 2 s", ok, len(tw.writes.Accepted), long)
	if r := checker.MutualExclusion(tw.holds); r.Verdict != checker.Ok {
		t.Error(r.Summary)
	}
	if r := checker.ResourceSafety(tw.holds, tw.writes.Accepted, checker.ResourceOptions{}); r.Verdict != checker.Ok {
		t.Error(r.Summary)
	}
}

func TestProgramNamesMissingOptions(t *testing.T) {
	_, err := Program(Options{Process: 4})
	if err == nil || !strings.Contains(err.Error(), "Masters, History, Holds, Now, Resource") {
		t.Fatalf("err = %v; want one naming the missing options", err)
	}
	_, err = Program(Options{Masters: []string{"a:1"}, History: &history.History{}, Holds: &[]history.Hold{}, Now: func() clock.Time { return 0 }, NoResource: true, TTL: 1500 * time.Microsecond})
	if err == nil || !strings.Contains(err.Error(), "milliseconds") {
		t.Fatalf("err = %v; want one about whole milliseconds", err)
	}
}

// A master cut off for good is not queued for without end: after
// maxWaiters unanswered requests the client resets the connection (and
// says so), dials again, and keeps locking on the other four.
func TestAPartitionedMasterIsResetNotQueuedFor(t *testing.T) {
	tw := newTestWorld(t, worldConfig{seed: 1})
	tw.w.Trace().Keep(sim.LevelInfo)
	// Cut r1 off once the client's connection to it is open: the
	// connection stays, and its requests go unanswered.
	tw.w.At(clock.Time(time.Second), func() {
		if err := tw.net.Isolate("r1"); err != nil {
			t.Fatal(err)
		}
	})
	tw.spawn(tw.options(0), clock.Config{})
	tw.run(30 * time.Second)
	resets := 0
	for _, ev := range tw.w.Trace().Events {
		if ev.Kind == sim.KindLog && ev.Text == "redlock: 256 requests to r1:6379 unanswered; resetting the connection" {
			resets++
		}
	}
	attempts, ok := tw.acquires()
	if resets == 0 || ok < attempts*9/10 {
		t.Fatalf("%d resets of r1's connection, %d of %d attempts acquired; want resets and nearly every attempt acquired", resets, ok, attempts)
	}
	t.Logf("%d resets, %d of %d attempts acquired", resets, ok, attempts)
}
