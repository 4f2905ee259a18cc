package client

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// uniqBase separates the clients' unique values: client p writes
// p*uniqBase+1, p*uniqBase+2, ...
const uniqBase = 1_000_000_000

// Program returns the program of one client process. It fails when a
// required option is missing. What must outlive an incarnation (the count
// of operations, the operation in flight) is kept outside it: a restarted
// client records its predecessor's operation in flight as Info (Fail if it
// was never sent) and never writes a value twice.
func Program(opts Options) (sim.Program, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	st := &state{pending: -1}
	return func(env sim.Env) sim.Node {
		c := &client{env: env, o: opts, st: st}
		c.stepFn = c.step
		if opts.Sentinel != nil {
			c.disc = &discovery{order: append([]string(nil), opts.Sentinel.Addrs...)}
		}
		if opts.Cluster != nil {
			c.clu = newClusterView(opts.Cluster)
		}
		c.recoverPending()
		first := time.Duration(0)
		if opts.Think > 0 {
			// Spread the clients' first operations over one think time.
			first = time.Duration(env.Rand().Int64N(int64(opts.Think)))
		}
		c.after(first)
		return c
	}, nil
}

// state is what a client keeps across incarnations.
type state struct {
	seq     int64 // operations generated, for unique values
	pending int   // history index of the operation in flight, or -1
	sent    bool  // whether that operation's request was written
}

// client is one incarnation of a client process.
type client struct {
	env sim.Env
	o   Options
	st  *state

	// finals, when not nil, makes this a final reader: it runs these
	// requests once, in order, then calls done.
	finals []Request
	nfinal int
	done   func()

	conn *redisconn.Conn // to addr; nil until the first operation
	addr string

	busy bool   // an operation is in flight
	qerr string // the first error reply to a command queued before it
	// qwrote is set when a command queued before the operation's own ran
	// and wrote (an integer reply: WaitAdd's SADD, not a MULTI's QUEUED):
	// an error from the command after it does not undo the write.
	qwrote bool
	op     history.Op // it, as generated; Decode fills Result or Elems
	cmd    [][]byte
	// cmdBuf is where a builder workload builds cmd.
	cmdBuf cmdBuf
	fails  int // connection failures in a row, for the backoff

	stopped bool
	stepFn  func() // c.step, bound once

	disc *discovery   // with Options.Sentinel
	clu  *clusterView // with Options.Cluster
}

// Stop is a graceful stop: the operation in flight is abandoned.
func (c *client) Stop() {
	if c.busy {
		c.abandon("client stopped")
	}
	c.stopped = true
	c.drop()
	if c.clu != nil {
		c.closeCluster()
	}
	if c.disc != nil && c.disc.conn != nil {
		c.disc.conn.Close()
		c.disc.conn = nil
	}
}

func (c *client) recoverPending() {
	if c.st.pending >= 0 {
		c.abandon("client crashed")
	}
}

// abandon completes the operation in flight (possibly a predecessor's) with
// what a client that gives up on it knows.
func (c *client) abandon(why string) {
	if c.st.sent {
		c.complete(history.Info, why+" after send")
	} else {
		c.complete(history.Fail, why+" before send")
	}
}

// step invokes the next operation.
func (c *client) step() {
	if c.stopped || c.busy {
		return
	}
	now := c.o.Now()
	if c.o.Stop != 0 && now >= c.o.Stop {
		c.finish()
		return
	}
	if e, f := clock.Time(c.o.IdleEvery), clock.Time(c.o.IdleFor); e > 0 && f > 0 && c.finals == nil && now >= e {
		if phase := now % e; phase < f {
			c.after(time.Duration(f - phase))
			return
		}
	}
	addr := ""
	if c.clu != nil {
		if !c.clusterReady() {
			return // the slot map's load calls step
		}
	} else if addr = c.target(); addr == "" {
		if c.o.Sentinel == nil {
			c.after(c.o.BackoffMin)
		} // else the discovery calls step when it is over
		return
	}
	// The operation is generated in place, in c.op (an Op is large), which
	// the client does not use while it is not busy.
	var cmd [][]byte
	if c.finals != nil {
		if c.nfinal == len(c.finals) {
			c.finish()
			return
		}
		c.op, cmd = c.finals[c.nfinal].Op, c.finals[c.nfinal].Cmd
		c.nfinal++
	} else {
		c.st.seq++
		cmd = nextOp(&c.op, c.o.Workload, c.env.Rand(), int64(c.o.Process)*uniqBase+c.st.seq, &c.cmdBuf)
	}
	if c.clu != nil {
		c.invokeCluster(cmd)
		return
	}
	if c.conn != nil && addr != c.addr {
		c.drop() // the target moved: follow it
		c.conn = nil
	}
	if c.conn == nil {
		c.connect(addr)
	}
	op := &c.op
	op.Process, op.Node, op.Invoke = c.o.Process, hostOf(addr), now
	c.st.pending, c.st.sent = c.o.History.Invoke(*op), false
	c.cmd, c.busy, c.qerr, c.qwrote = cmd, true, "", false
	// A MULTI/EXEC transaction is queued in one pipeline; only EXEC's
	// reply (tag 0) is the operation's. A queued command that Redis
	// refuses makes EXEC fail with EXECABORT.
	for _, q := range queued(op, cmd) {
		c.conn.Do(c, tagQueued, q...)
	}
	// Sent once the connection is open: a dial that fails sent nothing.
	c.conn.Do(c, 0, cmd...)
}

// scriptRuntimeError reports an error raised inside a script or function
// (Redis names the script in it, " script: <sha>"), not a refusal to run
// it: the writes the script made before it stay.
func scriptRuntimeError(cmd [][]byte, text string) bool {
	if len(cmd) == 0 {
		return false
	}
	switch strings.ToUpper(string(cmd[0])) {
	case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
		return strings.Contains(text, " script: ")
	}
	return false
}

// queuedReply notes the reply to a command queued before the
// operation's own: the first refusal, or a write done.
func (c *client) queuedReply(v resp.Value, err error) {
	switch {
	case err != nil:
	case v.IsError():
		if c.qerr == "" {
			c.qerr = errorText(v.Str)
		}
	case v.Kind == resp.KindInt:
		c.qwrote = true
	}
}

// tagQueued tags the commands of a transaction before its EXEC, whose
// replies the client reads and drops.
const tagQueued = 1

// connect makes the connection to addr, dialled by its first command.
func (c *client) connect(addr string) {
	c.addr = addr
	c.conn = redisconn.New(c.env, addr, redisconn.Options{
		DialTimeout: c.o.DialTimeout,
		Timeout:     c.o.Timeout,
		LogPrefix:   "client " + strconv.Itoa(c.o.Process) + ": ",
		ReadOnly:    c.o.ReadOnly,
		// Every reply is decoded at once (Workload.Decode keeps nothing
		// of it).
		ReuseReplies: true,
	})
}

// drop closes the current connection, if any. Close, not Abort: as with
// close(2), what the kernel still holds is sent, so a timed-out request
// may yet be applied, which is what Info allows.
func (c *client) drop() {
	if c.conn != nil {
		c.conn.Close()
	}
}

// Sent implements redisconn.SendWaiter: the request has left. A
// transaction is sent when its EXEC is: without EXEC, Redis discards it.
func (c *client) Sent(tag int) {
	if c.clu != nil {
		if c.busy && tag == c.clu.gen*tagStride+tagMain {
			c.st.sent = true
		}
		return
	}
	if tag == 0 {
		c.st.sent = true
	}
}

// Reply implements redisconn.Waiter: the outcome of the operation in
// flight.
func (c *client) Reply(tag int, v resp.Value, err error) {
	if c.clu != nil {
		c.clusterReply(tag, v, err)
		return
	}
	if !c.busy {
		return // abandoned by Stop
	}
	if tag == tagQueued {
		c.queuedReply(v, err)
		return
	}
	if err != nil {
		c.failed(err)
		return
	}
	c.fails = 0
	switch {
	case c.qerr != "":
		c.complete(history.Fail, c.qerr)
	case v.IsError() && c.qwrote:
		// WAIT refused or interrupted (UNBLOCKED when the master becomes
		// a replica) after the SADD before it was applied.
		c.complete(history.Info, "applied, then "+errorText(v.Str))
	case v.IsError() && scriptRuntimeError(c.cmd, errorText(v.Str)):
		// Raised by a command the script called: what it wrote before
		// stays (Redis rolls no script back).
		c.complete(history.Info, errorText(v.Str))
	case v.IsError():
		text := errorText(v.Str)
		c.complete(history.Fail, text)
		if demoted(text) {
			c.forgetMaster(text)
		}
	default:
		if err := c.o.Workload.Decode(&c.op, v); err != nil {
			c.complete(history.Info, "unexpected reply: "+redisconn.Brief(v))
		} else {
			c.complete(history.Ok, "")
		}
	}
	c.after(c.think())
}

// failed completes the operation in flight that got no reply, with what
// the client can know: whether its request left.
func (c *client) failed(err error) {
	e := err.(*redisconn.Error) // what a Conn always reports
	var pe *redisconn.ProtocolError
	switch {
	case e.Err == redisconn.ErrTimeout:
		c.complete(history.Info, "timeout after "+c.o.Timeout.String())
		// So that a late reply can never be matched to the next request.
		c.drop()
	case errors.As(e.Err, &pe):
		c.complete(history.Info, "bad reply stream from "+c.addr+": "+pe.Err.Error())
	case e.Sent:
		c.complete(history.Info, "connection to "+c.addr+" lost after send: "+e.Err.Error())
	case !e.Opened:
		c.complete(history.Fail, "dial "+c.addr+": "+e.Err.Error())
	default:
		c.complete(history.Fail, "connection to "+c.addr+" lost before send: "+e.Err.Error())
	}
	c.forgetMaster(e.Err.Error())
	c.fails++
	c.after(c.backoff())
}

// complete records the end of the operation in flight.
func (c *client) complete(outcome history.Outcome, errText string) {
	i := c.st.pending
	c.st.pending, c.st.sent = -1, false
	c.busy = false
	now := c.o.Now()
	switch {
	case outcome == history.Ok && c.op.Kind == history.Txn:
		c.o.History.CompleteTxn(i, now, c.op.Mops)
	case outcome == history.Ok && c.op.Elems != nil:
		c.o.History.CompleteElems(i, now, c.op.Elems)
	case outcome == history.Ok:
		c.o.History.Complete(i, now, outcome, c.op.Result, "")
	default:
		c.o.History.Complete(i, now, outcome, history.None, errText)
	}
	c.op, c.cmd = history.Op{}, nil
}

func (c *client) finish() {
	c.stopped = true
	c.drop()
	if c.clu != nil {
		c.closeCluster()
	}
	if c.done != nil {
		c.done()
	}
}

func (c *client) after(d time.Duration) {
	c.env.After(d, c.stepFn)
}

func (c *client) think() time.Duration {
	t := c.o.Think
	if t <= 0 || c.finals != nil {
		return 0
	}
	return t/2 + time.Duration(c.env.Rand().Int64N(int64(t)))
}

// backoff is BackoffMin doubled per failure in a row, capped at BackoffMax,
// jittered over [d/2, d].
func (c *client) backoff() time.Duration {
	return redisconn.Backoff{Min: c.o.BackoffMin, Max: c.o.BackoffMax}.Delay(c.env.Rand(), c.fails)
}

// hostOf is the host part of "host:port", the node an operation went to.
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return addr[:i]
	}
	return addr
}

// errorText is the first line of an error reply, "READONLY You can't ...".
func errorText(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
