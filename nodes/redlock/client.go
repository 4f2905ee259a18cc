package redlock

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// The scripts of the algorithm: redis.io's (and redlock-rb's) release,
// which deletes the key only if it still holds this client's value, and
// node-redlock's extension, which renews its expiry under the same test.
const (
	UnlockScript = `if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end`
	ExtendScript = `if redis.call("get",KEYS[1]) == ARGV[1] then return redis.call("pexpire",KEYS[1],ARGV[2]) else return 0 end`
)

// valueBytes is the length of a lock value before hex encoding, as
// redlock-rb reads 20 bytes of /dev/urandom.
const valueBytes = 20

// Program returns the program of one lock client process. It fails when a
// required option is missing or a value is out of range. What must outlive
// an incarnation is kept outside it: a restarted client records its
// predecessor's operation in flight as Info and ends its hold at the restart.
func Program(opts Options) (sim.Program, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	st := &state{pending: -1, hold: -1}
	return func(env sim.Env) sim.Node {
		c := newClient(env, opts, st)
		c.recoverState()
		// Spread the clients' first attempts over one retry delay.
		c.wait(c.jitter(), c.lock)
		return c
	}, nil
}

// state is what a client keeps across incarnations.
type state struct {
	pending int // history index of the operation in flight, or -1
	hold    int // index in Holds of the hold not yet released, or -1
}

// phase is where a client is in its loop.
type phase uint8

const (
	idle phase = iota
	acquiring
	fetching
	working
	pausing
	writing
	releasing
	stopped
)

// client is one incarnation of a lock client.
type client struct {
	env sim.Env
	o   Options
	st  *state

	masters  []*redisconn.Conn
	tokens   []*redisconn.Conn // the token source alone, when fenced
	resource []*redisconn.Conn // the resource alone, unless NoResource

	phase phase
	tries int // attempts in the current lock() call
	round *round
	timer sim.Timer // the retry, think, work or pause wait

	// The current attempt and, once acquired, the lock.
	value    []byte        // the random value, hex
	start    time.Duration // monotonic reading when the attempt began
	deadline time.Duration // monotonic reading at which the validity ends
	token    int64

	// Extension while working.
	extendTimer sim.Timer
	extending   bool
	workDone    bool

	lockKey, ttlMS, proc []byte
	setArgs, unlockArgs  [][]byte
}

func newClient(env sim.Env, o Options, st *state) *client {
	c := &client{env: env, o: o, st: st}
	for _, m := range o.Masters {
		c.masters = append(c.masters, newConn(env, m, o.DialTimeout))
	}
	if o.Fenced {
		c.tokens = []*redisconn.Conn{newConn(env, o.TokenSource, o.DialTimeout)}
	}
	if !o.NoResource {
		c.resource = []*redisconn.Conn{newConn(env, o.Resource, o.DialTimeout)}
	}
	c.lockKey = []byte(o.Lock)
	c.ttlMS = strconv.AppendInt(nil, o.TTL.Milliseconds(), 10)
	c.proc = strconv.AppendInt(nil, int64(o.Process), 10)
	return c
}

// Stop is a graceful stop: the operation in flight is abandoned, the hold
// ends now and the connections close.
func (c *client) Stop() {
	if c.round != nil {
		c.round.cancel()
		c.round = nil
	}
	c.abandon("client stopped")
	c.endHold(c.o.Now())
	c.finish()
}

// recoverState closes what a crashed predecessor left open.
func (c *client) recoverState() {
	c.abandon("client crashed")
	c.endHold(c.o.Now())
}

func (c *client) abandon(why string) {
	if c.st.pending >= 0 {
		c.complete(history.Info, history.None, why)
	}
}

// finish stops the loop for good.
func (c *client) finish() {
	c.phase = stopped
	c.env.Cancel(c.timer)
	c.env.Cancel(c.extendTimer)
	for _, l := range c.masters {
		l.Close()
	}
	for _, l := range c.tokens {
		l.Close()
	}
	for _, l := range c.resource {
		l.Close()
	}
}

func (c *client) wait(d time.Duration, fn func()) {
	c.phase = idle
	c.timer = c.env.After(d, fn)
}

// jitter is a retry delay, uniform over [0, RetryDelay).
func (c *client) jitter() time.Duration {
	return time.Duration(c.env.Rand().Int64N(int64(c.o.RetryDelay)))
}

func (c *client) invoke(kind history.Kind, value history.Value) {
	c.st.pending = c.o.History.Invoke(history.Op{Process: c.o.Process, Kind: kind, Key: c.o.Lock, Value: value, Invoke: c.o.Now()})
}

func (c *client) complete(outcome history.Outcome, result history.Value, why string) {
	i := c.st.pending
	c.st.pending = -1
	c.o.History.Complete(i, c.o.Now(), outcome, result, why)
}

// lock starts a lock() call: up to RetryCount attempts.
func (c *client) lock() {
	c.tries = 0
	c.attempt()
}

// attempt sends SET key value NX PX ttl to every master at once.
func (c *client) attempt() {
	if c.phase == stopped {
		return
	}
	if c.o.Stop != 0 && c.o.Now() >= c.o.Stop {
		c.finish()
		return
	}
	c.tries++
	var raw [valueBytes]byte
	r := c.env.Rand()
	for i := 0; i < valueBytes; i += 8 {
		v := r.Uint64()
		for j := i; j < i+8 && j < valueBytes; j++ {
			raw[j] = byte(v)
			v >>= 8
		}
	}
	c.value = hex.AppendEncode(nil, raw[:])
	c.setArgs = [][]byte{[]byte("SET"), c.lockKey, c.value, []byte("NX"), []byte("PX"), c.ttlMS}
	c.unlockArgs = [][]byte{[]byte("EVAL"), []byte(UnlockScript), []byte("1"), c.lockKey, c.value}
	c.invoke(history.Acquire, history.Str(string(c.value)))
	c.phase = acquiring
	c.start = c.env.Mono()
	c.round = startRound(c.env, c.masters, c.o.Timeout, c.set, c.acquired)
}

func (c *client) set(int) [][]byte    { return c.setArgs }
func (c *client) unlock(int) [][]byte { return c.unlockArgs }

// validity is what is left of the TTL after a round that began at start on
// the monotonic clock, less the drift allowance.
func (c *client) validity(start time.Duration) time.Duration {
	return c.o.TTL - (c.env.Mono() - start) - c.o.drift()
}

// trueAt converts a monotonic reading of this host into true time.
func (c *client) trueAt(mono time.Duration) clock.Time {
	if c.o.MonoToTrue != nil {
		return c.o.MonoToTrue(mono)
	}
	return c.o.Now().Add(mono - c.env.Mono())
}

// validFrom is when a lock asked for at start (monotonic) is valid from:
// start, or with the ValidityFromReply ablation now, when the round's
// replies are in.
func (c *client) validFrom(start time.Duration) time.Duration {
	if c.o.ValidityFromReply {
		return c.env.Mono()
	}
	return start
}

func isOK(v resp.Value) bool {
	return v.Kind == resp.KindSimpleString && string(v.Str) == "OK"
}

func isOne(v resp.Value) bool { return v.Kind == resp.KindInt && v.Int == 1 }

func (c *client) acquired(r *round) {
	c.round = nil
	n, q := r.count(isOK), c.o.quorum()
	validity := c.validity(c.start)
	if n >= q && (validity > 0 || c.o.SkipValidityCheck || c.o.ValidityFromReply) {
		c.complete(history.Ok, history.None, "")
		c.deadline = c.validFrom(c.start) + c.o.TTL - c.o.drift()
		until := clock.Never
		if !c.o.SkipValidityCheck {
			until = c.trueAt(c.deadline)
		}
		*c.o.Holds = append(*c.o.Holds, history.Hold{Process: c.o.Process, Lock: c.o.Lock, From: c.o.Now(), Until: until})
		c.st.hold = len(*c.o.Holds) - 1
		c.token = 0
		if c.o.Fenced {
			c.fetchToken()
			return
		}
		c.work()
		return
	}
	why := strconv.Itoa(n) + " of " + strconv.Itoa(len(c.masters)) + " masters locked, quorum " + strconv.Itoa(q)
	if n >= q {
		why = "validity " + validity.String() + " after a quorum"
	}
	c.complete(history.Fail, history.None, why)
	// Unlock every instance, even those that seemed not to lock: a reply
	// may have been lost or late. Nobody waits for these replies.
	for _, l := range c.masters {
		l.Do(nil, 0, c.unlockArgs...)
	}
	if c.tries < c.o.RetryCount {
		c.wait(c.jitter(), c.attempt)
		return
	}
	c.wait(c.jitter()+c.o.Think.Draw(c.env.Rand()), c.lock)
}

// fetchToken asks the token source for the next fencing token.
func (c *client) fetchToken() {
	c.phase = fetching
	c.round = startRound(c.env, c.tokens, c.o.IOTimeout, c.incr, c.gotToken)
}

func (c *client) incr(int) [][]byte { return [][]byte{[]byte("INCR"), c.lockKey} }

func (c *client) gotToken(r *round) {
	c.round = nil
	s := r.replies[0]
	if !s.answered || s.v.Kind != resp.KindInt {
		c.env.Logf("redlock: no fencing token from %s (%s%s); releasing", c.o.TokenSource, s.err, s.v.String())
		c.release()
		return
	}
	c.token = s.v.Int
	if c.st.hold >= 0 {
		(*c.o.Holds)[c.st.hold].Token = c.token
	}
	c.work()
}

// work holds the lock for a drawn time, extending it if asked to.
func (c *client) work() {
	c.phase = working
	c.workDone = false
	c.timer = c.env.After(c.o.WorkTime.Draw(c.env.Rand()), c.endWork)
	if c.o.Extend > 0 {
		c.extendTimer = c.env.After(c.o.Extend, c.extend)
	}
}

func (c *client) endWork() {
	c.workDone = true
	c.env.Cancel(c.extendTimer)
	if c.extending {
		return // extended goes on
	}
	c.afterWork()
}

// afterWork checks validity, as a careful client does before acting on
// the lock, then pauses if the scenario says so, then writes. The pause
// comes after the check: that is the case Kleppmann describes.
func (c *client) afterWork() {
	if !c.o.SkipValidityCheck && c.env.Mono() >= c.deadline {
		c.env.Logf("redlock: the lock's validity ran out while working; not writing")
		c.release()
		return
	}
	if c.o.NoResource {
		c.release()
		return
	}
	if d := c.o.PauseAfterAcquire.Draw(c.env.Rand()); d > 0 {
		c.phase = pausing
		c.env.Logf("redlock: stop-the-world pause of %v before writing", d)
		if c.o.OnPause != nil {
			c.o.OnPause(d)
		}
		c.timer = c.env.After(d, c.write)
		return
	}
	c.write()
}

func (c *client) extend() {
	if c.phase != working || c.workDone {
		return
	}
	c.extending = true
	start := c.env.Mono()
	c.invoke(history.Extend, history.Str(string(c.value)))
	args := [][]byte{[]byte("EVAL"), []byte(ExtendScript), []byte("1"), c.lockKey, c.value, c.ttlMS}
	c.round = startRound(c.env, c.masters, c.o.Timeout, func(int) [][]byte { return args }, func(r *round) { c.extended(r, start) })
}

func (c *client) extended(r *round, start time.Duration) {
	c.round = nil
	c.extending = false
	n, q := r.count(isOne), c.o.quorum()
	validity := c.validity(start)
	if n >= q && (validity > 0 || c.o.SkipValidityCheck || c.o.ValidityFromReply) {
		c.complete(history.Ok, history.None, "")
		c.deadline = c.validFrom(start) + c.o.TTL - c.o.drift()
		if !c.o.SkipValidityCheck && c.st.hold >= 0 {
			(*c.o.Holds)[c.st.hold].Until = c.trueAt(c.deadline)
		}
	} else {
		why := strconv.Itoa(n) + " of " + strconv.Itoa(len(c.masters)) + " masters extended, quorum " + strconv.Itoa(q)
		if n >= q {
			why = "validity " + validity.String() + " after a quorum"
		}
		c.complete(history.Fail, history.None, why)
	}
	if c.workDone {
		c.afterWork()
		return
	}
	c.extendTimer = c.env.After(c.o.Extend, c.extend)
}

// write sends WRITE lock process token to the resource.
func (c *client) write() {
	c.phase = writing
	c.round = startRound(c.env, c.resource, c.o.IOTimeout, c.writeArgs, c.wrote)
}

func (c *client) writeArgs(int) [][]byte {
	return [][]byte{[]byte("WRITE"), c.lockKey, c.proc, strconv.AppendInt(nil, c.token, 10)}
}

func (c *client) wrote(r *round) {
	c.round = nil
	if s := r.replies[0]; !s.answered || s.v.IsError() {
		c.env.Logf("redlock: write with token %d not accepted: %s%s", c.token, s.err, s.v.String())
	}
	c.release()
}

// endHold ends the current hold at true time t, if it ran later.
func (c *client) endHold(t clock.Time) {
	if c.st.hold < 0 {
		return
	}
	h := &(*c.o.Holds)[c.st.hold]
	if t < h.Until {
		h.Until = t
	}
	c.st.hold = -1
}

// release runs the unlock script on every master.
func (c *client) release() {
	c.phase = releasing
	c.endHold(c.o.Now())
	c.invoke(history.Release, history.Str(string(c.value)))
	c.round = startRound(c.env, c.masters, c.o.Timeout, c.unlock, c.released)
}

func (c *client) released(r *round) {
	c.round = nil
	answered := r.count(func(resp.Value) bool { return true })
	deleted := r.count(isOne)
	if answered == len(c.masters) {
		c.complete(history.Ok, history.Int(int64(deleted)), "")
	} else {
		c.complete(history.Info, history.None, strconv.Itoa(answered)+" of "+strconv.Itoa(len(c.masters))+" masters answered")
	}
	c.wait(c.o.Think.Draw(c.env.Rand()), c.lock)
}
