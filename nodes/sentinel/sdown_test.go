package sentinel

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// TestSDownPausedMaster: a paused master (SIGSTOP) stops answering PING
// and is SDOWN after down-after-milliseconds; resumed, it is back.
func TestSDownPausedMaster(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 2})
	tw.w.RunFor(15 * time.Second)
	at := tw.w.Now().Duration()
	tw.redis[0].Pause()
	tw.w.RunFor(10 * time.Second)
	sd := tw.first("s1", "+sdown")
	if sd < 0 {
		tw.dump()
		t.Fatal("no +sdown for a paused master")
	}
	// The first unanswered PING leaves within a ping period (1 s) of the
	// pause; SDOWN is down-after after it, seen at the next tick.
	if d := sd - at; d < testDownAfter*time.Millisecond || d > testDownAfter*time.Millisecond+1200*time.Millisecond {
		t.Errorf("+sdown %v after the pause, want about down-after (%d ms)", d, testDownAfter)
	}
	if tw.saw("+odown") != 0 {
		t.Error("ODOWN with quorum 2 and one sentinel")
	}
	tw.redis[0].Resume()
	tw.w.RunFor(3 * time.Second)
	if tw.first("s1", "-sdown") < 0 {
		t.Fatal("no -sdown after the resume")
	}
}

// TestSDownErrorReplies: a master that answers PING with an error other
// than LOADING or MASTERDOWN (here -NOAUTH: it wants a password the
// sentinel was not given) is SDOWN; with auth-pass it is not.
func TestSDownErrorReplies(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 1, requirepass: "secret"})
	tw.w.RunFor(20 * time.Second)
	if tw.first("s1", "+sdown") < 0 {
		tw.dump()
		t.Fatal("no +sdown for a master answering -NOAUTH")
	}
	tw = newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1, requirepass: "secret", extra: "sentinel auth-pass mymaster secret\n"})
	tw.w.RunFor(20 * time.Second)
	if tw.saw("+sdown") != 0 {
		tw.dump()
		t.Fatal("+sdown with the right auth-pass")
	}
	if tw.saw("+slave") != 1 {
		t.Fatal("the replica was not discovered through an authenticated INFO")
	}
}

// TestSDownMasterReportingReplica: a master that turns itself into a
// replica is SDOWN once it has reported the role for down-after plus two
// INFO periods (5 s + 2 x 10 s), not before.
func TestSDownMasterReportingReplica(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 2})
	tw.w.RunFor(12 * time.Second)
	c := tw.dial("r1:6379")
	if v := c.do("REPLICAOF", "nowhere", "6379"); v.String() != "OK" {
		t.Fatalf("REPLICAOF: %s", v.String())
	}
	tw.w.RunFor(40 * time.Second)
	rc, sd := tw.first("s1", "-role-change"), tw.first("s1", "+sdown")
	if rc < 0 || sd < 0 {
		tw.dump()
		t.Fatalf("-role-change at %v, +sdown at %v", rc, sd)
	}
	want := (testDownAfter + 2*defaultInfoPeriod) * time.Millisecond
	if d := sd - rc; d < want || d > want+time.Second {
		t.Errorf("+sdown %v after the role change was seen, want just over %v", d, want)
	}
}

// TestTiltOnPauseAndBackwardJump: a sentinel stopped for 5 s (SIGSTOP, a
// long GC pause) sees more than the tilt trigger between two ticks and
// enters TILT; so does one whose wall clock goes back. A small forward
// step (1 s) does not.
func TestTiltOnPauseAndBackwardJump(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 3, quorum: 2})
	tw.w.RunFor(10 * time.Second)
	tw.w.Host("s3").Clock.Jump(time.Second)
	tw.sentinels[0].Pause()
	tw.w.RunFor(5 * time.Second)
	tw.sentinels[0].Resume()
	tw.w.Host("s2").Clock.Jump(-time.Second)
	tw.w.RunFor(time.Second)
	if tw.first("s1", "+tilt") < 0 {
		t.Error("no TILT after a 5 s pause")
	}
	if tw.first("s2", "+tilt") < 0 {
		t.Error("no TILT after the wall clock went back")
	}
	if tw.first("s3", "+tilt") >= 0 {
		t.Error("TILT after a 1 s forward step (the trigger is 2 s)")
	}
	if !tw.sentinel(0).Tilt() || !tw.sentinel(1).Tilt() || tw.sentinel(2).Tilt() {
		t.Error("Tilt() disagrees with the events")
	}
}

// TestSentinelsWithRequirepass: sentinels with requirepass authenticate
// to each other with it (sentinelSendAuthIfNeeded's fallback), so their
// IS-MASTER-DOWN-BY-ADDR requests are answered and ODOWN is reached; a
// client without the password gets -NOAUTH.
func TestSentinelsWithRequirepass(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 3, quorum: 3, extra: "requirepass secret\n"})
	tw.w.RunFor(15 * time.Second)
	c := tw.dial("s1:26379")
	if v := c.do("SENTINEL", "MYID"); v.String() != "(error) NOAUTH Authentication required." {
		t.Fatalf("without AUTH: %s", v.String())
	}
	if v := c.do("AUTH", "secret"); v.String() != "OK" {
		t.Fatalf("AUTH: %s", v.String())
	}
	tw.w.Host("r1").Crash()
	tw.w.RunFor(10 * time.Second)
	if tw.first("s1", "+odown") < 0 && tw.first("s2", "+odown") < 0 && tw.first("s3", "+odown") < 0 {
		tw.dump()
		t.Fatal("no ODOWN with quorum 3: the sentinels' requests were not authenticated")
	}
}

// TestSDownMasterReboot: a master seen rebooted (a new run_id in INFO) is
// +reboot; with master-reboot-down-after-period set it is flagged, SDOWN
// once that period passes without a PONG, and back at the next PONG.
// (In the simulated world a rebooted node answers PONG at once, since the
// Redis node has no -LOADING window, so the SDOWN half is driven by hand.)
func TestSDownMasterReboot(t *testing.T) {
	for _, period := range []int{0, 3000} {
		extra := ""
		if period > 0 {
			extra = "sentinel master-reboot-down-after-period mymaster " + strconv.Itoa(period) + "\n"
		}
		tw := newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 2, extra: extra})
		tw.w.RunFor(12 * time.Second)
		h := tw.w.Host("r1")
		h.Crash()
		h.Restart(0)
		tw.w.RunFor(15 * time.Second)
		if tw.first("s1", "+reboot") < 0 {
			tw.dump()
			t.Fatalf("period %d: no +reboot", period)
		}
		if tw.first("s1", "+sdown") >= 0 {
			tw.dump()
			t.Fatalf("period %d: +sdown though every PING got PONG", period)
		}
		s := tw.sentinel(0)
		m := s.masterByName("mymaster")
		if period == 0 {
			if m.flags&sriMasterReboot != 0 {
				t.Fatal("reboot flag set without master-reboot-down-after-period")
			}
			continue
		}
		// The flag as INFO sets it, then no PONG for the period.
		m.flags |= sriMasterReboot
		m.rebootSince = s.mstime() - int64(period) - 1
		s.checkSubjectivelyDown(m)
		if m.flags&sriSDown == 0 || tw.first("s1", "+sdown") < 0 {
			t.Fatal("no SDOWN after master-reboot-down-after-period without PONG")
		}
		s.pingReply(m, resp.Value{Kind: resp.KindSimpleString, Str: []byte("PONG")})
		s.checkSubjectivelyDown(m)
		if m.flags&(sriSDown|sriMasterReboot) != 0 || tw.first("s1", "-sdown") < 0 {
			t.Fatal("a PONG did not end the reboot SDOWN")
		}
	}
}

// TestPartitionedFromMasterOnly: a sentinel cut from the master alone has
// it SDOWN, but the others answer IS-MASTER-DOWN-BY-ADDR with 0, so there
// is no ODOWN; its command link, with a PING pending for more than half
// down-after, is closed and dialled again once 15 s old; after the heal
// the master is back.
func TestPartitionedFromMasterOnly(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 3, quorum: 2})
	if !tw.discovered(1, 2) {
		t.Fatal("no discovery")
	}
	if err := tw.net.Split([][]string{{"s1"}, {"r1"}}); err != nil {
		t.Fatal(err)
	}
	dials := func() int {
		n := 0
		for _, ev := range tw.w.Trace().Events {
			if ev.Kind == sim.KindDial && ev.Proc == tw.sentinels[0].ID() && strings.HasSuffix(ev.Text, "->r1:6379") {
				n++
			}
		}
		return n
	}
	before := dials()
	tw.w.RunFor(30 * time.Second)
	if d := dials() - before; d < 2 {
		t.Errorf("%d dials to the master while cut off, want the command and pub/sub links dialled again", d)
	}
	if tw.first("s1", "+sdown") < 0 {
		tw.dump()
		t.Fatal("s1 does not have the master SDOWN")
	}
	if tw.first("s2", "+sdown") >= 0 || tw.first("s3", "+sdown") >= 0 || tw.saw("+odown") != 0 {
		tw.dump()
		t.Fatal("the master is down for more than the partitioned sentinel")
	}
	if v := tw.sentinel(0).masterByName("mymaster").sentinels; v[0].flags&sriMasterDown != 0 || v[1].flags&sriMasterDown != 0 {
		t.Fatal("another sentinel said the master is down")
	}
	tw.net.Heal()
	if !tw.runUntil(20*time.Second, func() bool { return tw.first("s1", "-sdown") >= 0 }) {
		tw.dump()
		t.Fatal("no -sdown after the heal")
	}
}

// TestAuthAsCString: auth-pass and auth-user are C strings to Redis (sdsnew
// of the argument): what follows a NUL is not part of them, from the
// configuration file or from SENTINEL SET.
func TestAuthAsCString(t *testing.T) {
	tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1, requirepass: "secret", extra: "sentinel auth-pass mymaster \"secret\\x00junk\"\n"})
	tw.w.RunFor(20 * time.Second)
	if tw.saw("+sdown") != 0 || tw.saw("+slave") != 1 {
		tw.dump()
		t.Fatalf("auth-pass \"secret\\x00junk\" from the file: %d +sdown, %d +slave; want the password secret", tw.saw("+sdown"), tw.saw("+slave"))
	}

	tw = newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1, requirepass: "secret"})
	tw.w.RunFor(20 * time.Second)
	if tw.first("s1", "+sdown") < 0 {
		t.Fatal("no +sdown without auth-pass")
	}
	s := tw.dial("s1:26379")
	if v := s.do("SENTINEL", "SET", "mymaster", "auth-pass", "secret\x00junk"); v.String() != "OK" {
		t.Fatalf("SENTINEL SET auth-pass: %s", v.String())
	}
	tw.w.RunFor(20 * time.Second)
	if tw.first("s1", "-sdown") < 0 || tw.saw("+slave") != 1 {
		tw.dump()
		t.Fatal("SENTINEL SET auth-pass \"secret\\x00junk\": the master did not come back, or its replica was not discovered")
	}

	// auth-user: AUTH u pw, the user name cut at its NUL.
	tw = newWorld(t, worldOpts{replicas: 0, sentinels: 1, quorum: 1})
	r := tw.dial("r1:6379")
	for _, cmd := range [][]string{{"ACL", "SETUSER", "u", "on", ">pw", "allcommands", "allkeys", "allchannels"}, {"ACL", "SETUSER", "default", "off"}} {
		if v := r.do(cmd...); v.String() != "OK" {
			t.Fatalf("%v: %s", cmd, v.String())
		}
	}
	s = tw.dial("s1:26379")
	if v := s.do("SENTINEL", "SET", "mymaster", "auth-user", "u\x00x", "auth-pass", "pw"); v.String() != "OK" {
		t.Fatalf("SENTINEL SET auth-user: %s", v.String())
	}
	tw.w.RunFor(20 * time.Second)
	if tw.saw("+sdown") != 0 {
		tw.dump()
		t.Fatal("auth-user \"u\\x00x\": the master is SDOWN; want the user u")
	}
}
