package client

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// allOk fails the test unless every operation is Ok and the client ran
// enough of them.
func allOk(t *testing.T, ops []history.Op, atLeast int) {
	t.Helper()
	if len(ops) < atLeast {
		t.Fatalf("%d operations, want at least %d", len(ops), atLeast)
	}
	for _, op := range ops {
		if op.Outcome != history.Ok {
			t.Fatalf("clean run has %s op: %+v", op.Outcome, op)
		}
		if op.Complete < op.Invoke || op.Node != "r1" {
			t.Fatalf("bad times or node: %+v", op)
		}
	}
}

func TestRegisterCleanRunReadsLastWrite(t *testing.T) {
	tw := newTestWorld(t, 1, lan(), redis.DefaultConfig())
	opts := tw.options(3, NewRegister())
	opts.Stop = clock.Time(2 * time.Second)
	tw.spawn(opts)
	tw.w.RunFor(3 * time.Second)
	ops := tw.h.Ops()
	allOk(t, ops, 100)
	last := map[string]history.Value{}
	reads, hits := 0, 0
	for _, op := range ops {
		switch op.Kind {
		case history.Write:
			if n, _ := op.Value.Int(); n/uniqBase != 3 {
				t.Fatalf("write %v is not in client 3's range", op.Value)
			}
			last[op.Key] = op.Value
		case history.Read:
			reads++
			if !op.Result.Equal(last[op.Key]) {
				t.Fatalf("read of %s at %v = %v, want the last write %v", op.Key, op.Invoke, op.Result, last[op.Key])
			}
			if !op.Result.IsNone() {
				hits++
			}
		}
	}
	if reads < 20 || hits < 10 {
		t.Fatalf("%d reads, %d of a written value: the mix is off", reads, hits)
	}
	if ops[len(ops)-1].Invoke >= clock.Time(2*time.Second) {
		t.Fatalf("op invoked after Stop: %+v", ops[len(ops)-1])
	}
}

func TestCASRegisterAndCounterCleanRuns(t *testing.T) {
	tw := newTestWorld(t, 2, lan(), redis.DefaultConfig())
	tw.spawn(tw.options(0, NewCASRegister()))
	tw.spawn(tw.options(1, NewCounter()))
	tw.w.RunFor(2 * time.Second)
	tw.h.Finish(tw.w.Now())
	ops := tw.h.Ops()
	// The op still in flight at the end is Info; every other one is Ok.
	var done []history.Op
	for _, op := range ops {
		if op.Error != "pending at end of run" {
			done = append(done, op)
		}
	}
	allOk(t, done, 200)
	regs := map[string]history.Value{}
	var counter int64
	swapped, refused := 0, 0
	for _, op := range done {
		switch {
		case op.Process == 0 && op.Kind == history.Read:
			if !op.Result.Equal(regs[op.Key]) {
				t.Fatalf("cas-register read %+v, want %v", op, regs[op.Key])
			}
		case op.Kind == history.Write:
			regs[op.Key] = op.Value
		case op.Kind == history.CAS:
			want := int64(0)
			if regs[op.Key].Equal(op.Expect) {
				want = 1
				regs[op.Key] = op.Value
				swapped++
			} else {
				refused++
			}
			if got, _ := op.Result.Int(); got != want {
				t.Fatalf("cas %+v: result %v, want %d", op, op.Result, want)
			}
		case op.Kind == history.Incr:
			counter++
			if got, _ := op.Result.Int(); got != counter {
				t.Fatalf("incr %+v: result %v, want %d", op, op.Result, counter)
			}
		case op.Process == 1 && op.Kind == history.Read:
			if got, _ := op.Result.Int(); got != counter {
				t.Fatalf("counter read %+v, want %d", op, counter)
			}
		}
	}
	if swapped == 0 || refused == 0 || counter == 0 {
		t.Fatalf("swapped=%d refused=%d incrs=%d: the mix is off", swapped, refused, counter)
	}
}

func TestSetAndListFinalReadsHoldEveryAcknowledgedElement(t *testing.T) {
	tw := newTestWorld(t, 3, lan(), redis.DefaultConfig())
	set, list := NewSet(), &ListAppend{Keys: 2, ReadFraction: 0.2}
	for i := 0; i < 3; i++ {
		o := tw.options(i, set)
		o.Stop = clock.Time(time.Second)
		tw.spawn(o)
		o = tw.options(10+i, list)
		o.Stop = clock.Time(time.Second)
		tw.spawn(o)
	}
	tw.w.RunFor(1500 * time.Millisecond)
	tw.finalRead(100, "r1:6379", set)
	tw.finalRead(101, "r1:6379", list)
	ops := tw.h.Ops()
	allOk(t, ops, 300)
	added := map[history.Value]bool{}
	appended := map[string][]history.Value{}
	for _, op := range ops {
		switch op.Kind {
		case history.Add:
			added[op.Value] = true
		case history.Append:
			appended[op.Key] = append(appended[op.Key], op.Value)
		case history.Read:
			if op.Elems == nil || op.Key[0] != 'l' {
				t.Fatalf("read without elems or of the wrong key: %+v", op)
			}
			if want := appended[op.Key]; !equalValues(op.Elems, want) {
				t.Fatalf("LRANGE %s = %v, want %v", op.Key, op.Elems, want)
			}
		}
	}
	finals := 0
	for _, op := range ops {
		if op.Kind != history.FinalRead {
			continue
		}
		finals++
		switch op.Key[0] {
		case 's':
			if len(op.Elems) != len(added) {
				t.Fatalf("SMEMBERS has %d elements, %d were added", len(op.Elems), len(added))
			}
			for _, e := range op.Elems {
				if !added[e] {
					t.Fatalf("SMEMBERS holds %v, never added", e)
				}
			}
		case 'l':
			if !equalValues(op.Elems, appended[op.Key]) {
				t.Fatalf("final LRANGE %s = %v, want %v", op.Key, op.Elems, appended[op.Key])
			}
		}
	}
	if finals != 3 {
		t.Fatalf("%d final reads, want 1 set + 2 lists", finals)
	}
}

func equalValues(a, b []history.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// TestPartitionAndCrash cuts the node off (writes in flight become Info,
// dials time out and Fail), then heals and crashes it (dials are refused and
// Fail), then restarts it (writes are Ok again).
func TestPartitionAndCrash(t *testing.T) {
	tw := newTestWorld(t, 4, lan(), redis.DefaultConfig())
	tw.spawn(tw.options(0, NewSet()))
	tw.at(time.Second, func() { tw.net.Isolate("r1") })
	tw.at(2*time.Second, func() { tw.net.Heal(); tw.redis.Kill() })
	tw.at(3*time.Second, tw.redis.Start)
	tw.w.RunFor(4 * time.Second)
	ops := tw.h.Ops()
	in := func(op *history.Op, from, to time.Duration) bool {
		return op.Invoke >= clock.Time(from) && op.Invoke < clock.Time(to)
	}
	timeouts := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Info && strings.Contains(op.Error, "timeout after 300ms") && in(op, time.Second-20*time.Millisecond, 2*time.Second)
	})
	dialTimeouts := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Fail && strings.Contains(op.Error, "i/o timeout") && in(op, time.Second, 2*time.Second)
	})
	refused := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Fail && strings.Contains(op.Error, "connection refused") && in(op, 2*time.Second, 3*time.Second)
	})
	okDuringFaults := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Ok && op.Complete > clock.Time(time.Second+time.Millisecond) && op.Complete < clock.Time(3*time.Second)
	})
	okAfter := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Ok && in(op, 3*time.Second, 4*time.Second)
	})
	if timeouts != 1 || dialTimeouts == 0 || refused < 5 || okDuringFaults != 0 || okAfter < 50 {
		t.Fatalf("timeouts=%d (want 1) dial timeouts=%d refused=%d ok during faults=%d ok after restart=%d", timeouts, dialTimeouts, refused, okDuringFaults, okAfter)
	}
	for _, op := range ops {
		if op.Outcome == history.Info && op.Error != "timeout after 300ms" && !strings.Contains(op.Error, "after send") {
			t.Errorf("info op without a reason after send: %+v", op)
		}
	}
}

// TestCrashAfterSendIsInfo pauses the node so that a request waits in its
// input, then kills it: the client sees a reset after send.
func TestCrashAfterSendIsInfo(t *testing.T) {
	tw := newTestWorld(t, 5, lan(), redis.DefaultConfig())
	tw.spawn(tw.options(0, NewRegister()))
	tw.at(time.Second, tw.redis.Pause)
	tw.at(time.Second+100*time.Millisecond, tw.redis.Kill)
	tw.w.RunFor(1500 * time.Millisecond)
	ops := tw.h.Ops()
	resets := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Info && strings.Contains(op.Error, "lost after send: connection reset by peer") &&
			op.Complete == clock.Time(time.Second+100*time.Millisecond+200*time.Microsecond)
	})
	if resets != 1 {
		t.Fatalf("%d info ops completed by the reset, want 1:\n%s", resets, tw.jsonl())
	}
}

// TestErrorRepliesFail: a replica refuses writes with READONLY and a write
// to a key of another type gets WRONGTYPE; both are Fail, and the reads the
// replica serves are Ok.
func TestErrorRepliesFail(t *testing.T) {
	cfg := redis.DefaultConfig()
	cfg.ReplicaOf = "nowhere:6379"
	tw := newTestWorld(t, 6, lan(), cfg)
	tw.addRedis("r2", redis.DefaultConfig())
	tw.spawn(tw.options(0, NewRegister()))
	o := tw.options(1, &scripted{})
	o.Target = Fixed("r2:6379")
	tw.spawn(o)
	tw.w.RunFor(time.Second)
	ops := tw.h.Ops()
	for _, op := range ops {
		var want history.Outcome
		var errPrefix string
		switch {
		case op.Process == 0 && op.Kind == history.Write:
			want, errPrefix = history.Fail, "READONLY You can't write against a read only replica."
		case op.Process == 1 && op.Kind == history.Add:
			want, errPrefix = history.Fail, "WRONGTYPE "
		default:
			want = history.Ok
		}
		if op.Outcome != want || !strings.HasPrefix(op.Error, errPrefix) || (want == history.Ok) != (op.Error == "") {
			t.Fatalf("%+v: want %s %q", op, want, errPrefix)
		}
	}
	fails := count(ops, func(op *history.Op) bool { return op.Outcome == history.Fail })
	if fails < 50 || len(ops)-fails < 50 {
		t.Fatalf("%d fail of %d ops", fails, len(ops))
	}
}

// scripted alternates SET r0 and SADD r0: the SADD meets a string.
type scripted struct{ n int }

func (s *scripted) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	s.n++
	if s.n%2 == 1 {
		return history.Op{Kind: history.Write, Key: "r0", Value: history.Int(uniq)}, cmd("SET", "r0", "x")
	}
	return history.Op{Kind: history.Add, Key: "r0", Value: history.Int(uniq)}, cmd("SADD", "r0", "x")
}

func (s *scripted) Decode(op *history.Op, v resp.Value) error {
	if op.Kind == history.Write {
		return okReply(v)
	}
	_, err := intValue(v)
	return err
}

// TestTargetFollowsTheMaster moves the target from r1 to r2 mid-run: the
// client closes its connection and sends to r2 from then on.
func TestTargetFollowsTheMaster(t *testing.T) {
	tw := newTestWorld(t, 7, lan(), redis.DefaultConfig())
	tw.addRedis("r2", redis.DefaultConfig())
	master := "r1:6379"
	o := tw.options(0, NewRegister())
	o.Target = func() string { return master }
	tw.spawn(o)
	tw.at(time.Second, func() { master = "r2:6379" })
	tw.at(1500*time.Millisecond, func() { master = "" })
	tw.w.RunFor(2 * time.Second)
	ops := tw.h.Ops()
	for _, op := range ops {
		want := "r1"
		if op.Invoke >= clock.Time(time.Second) {
			want = "r2"
		}
		if op.Node != want || op.Outcome != history.Ok || op.Invoke >= clock.Time(1500*time.Millisecond) {
			t.Fatalf("%+v: want ok on %s before 1.5s", op, want)
		}
	}
	if n := count(ops, func(op *history.Op) bool { return op.Node == "r2" }); n < 20 {
		t.Fatalf("%d ops on r2", n)
	}
}

// TestClientRestart crashes the client process with a request in flight:
// its next incarnation records that operation as Info and writes no value
// twice.
func TestClientRestart(t *testing.T) {
	tw := newTestWorld(t, 8, lan(), redis.DefaultConfig())
	c := tw.spawn(tw.options(0, NewSet()))
	tw.at(time.Second, tw.redis.Pause)
	tw.at(time.Second+50*time.Millisecond, func() { c.Kill(); c.Start() })
	tw.at(time.Second+100*time.Millisecond, tw.redis.Resume)
	tw.w.RunFor(2 * time.Second)
	ops := tw.h.Ops()
	crashed := count(ops, func(op *history.Op) bool {
		return op.Outcome == history.Info && op.Error == "client crashed after send"
	})
	seen := map[history.Value]bool{}
	for _, op := range ops {
		if seen[op.Value] {
			t.Fatalf("value %v written twice", op.Value)
		}
		seen[op.Value] = true
	}
	if crashed != 1 || tw.h.Pending() != 0 {
		t.Fatalf("%d ops recorded as crashed, %d pending; want 1, 0", crashed, tw.h.Pending())
	}
}

// TestSameSeedSameHistory runs a world with random latency, several
// workloads, a partition and a crash twice per seed.
func TestSameSeedSameHistory(t *testing.T) {
	run := func(seed uint64) []byte {
		tw := newTestWorld(t, seed, sim.UniformDist(100*time.Microsecond, 3*time.Millisecond), redis.DefaultConfig())
		wls := []Workload{NewRegister(), NewCASRegister(), NewCounter(), NewSet(), NewListAppend()}
		for i, wl := range wls {
			tw.spawn(tw.options(i, wl))
		}
		tw.at(500*time.Millisecond, func() { tw.net.Isolate("r1") })
		tw.at(900*time.Millisecond, func() { tw.net.Heal() })
		tw.at(1200*time.Millisecond, tw.redis.Kill)
		tw.at(1300*time.Millisecond, tw.redis.Start)
		tw.w.RunFor(2 * time.Second)
		tw.h.Finish(tw.w.Now())
		return tw.jsonl()
	}
	a, b, c := run(11), run(11), run(12)
	if !bytes.Equal(a, b) {
		t.Fatal("seed 11 gave two different histories")
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 11 and 12 gave the same history: the seed does not reach the clients")
	}
	if n := bytes.Count(a, []byte("\n")); n < 500 {
		t.Fatalf("only %d ops", n)
	}
}

func TestProgramNamesMissingOptions(t *testing.T) {
	_, err := Program(Options{Process: 4})
	if err == nil || !strings.Contains(err.Error(), "History, Now, Target (or Sentinel or Cluster), Workload") {
		t.Fatalf("err = %v", err)
	}
	_, err = FinalReadProgram("r1:6379", Options{History: &history.History{}, Now: func() clock.Time { return 0 }, Workload: NewRegister()}, nil)
	if err == nil || !strings.Contains(err.Error(), "no final reads") {
		t.Fatalf("err = %v", err)
	}
}
