package client

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
)

// A cluster client's tags carry the attempt's number (gen) and what the
// command is: the operation's command, a command queued before it, or the
// ASKING before them. (READONLY is the connections' handshake.)
const (
	tagStride = 4
	tagMain   = 0
	tagAsking = 2
)

// invokeCluster records the operation generated in c.op and sends its
// first attempt.
func (c *client) invokeCluster(cmd [][]byte) {
	v, op := c.clu, &c.op
	v.slot = opSlot(op, c)
	v.tries, v.ask = 0, false
	v.readOnly = (v.o.ReadOnly || v.o.RouteRandomly) && readOnlyCommand(cmd)
	v.node = c.route()
	op.Process, op.Node, op.Invoke = c.o.Process, v.node.host, c.o.Now()
	c.cmd, c.busy = cmd, true
	c.st.pending, c.st.sent = c.o.History.Invoke(*op), false
	c.attempt()
}

// route is the node for the operation's slot.
func (c *client) route() *clusterNode {
	if c.clu.readOnly {
		return c.clu.nodeFor(c.readOnlyNode(c.clu.slot))
	}
	return c.masterNode(c.clu.slot)
}

// attempt sends the operation to v.node: ASKING first after -ASK, then the
// commands queued before it (MULTI ...), then its command, in one pipeline.
func (c *client) attempt() {
	v := c.clu
	if v.node == nil {
		v.node = c.route()
	}
	if h := v.node.host; h != c.op.Node {
		c.op.Node = h
		c.o.History.Redirect(c.st.pending, h)
	}
	v.gen++
	c.qerr, c.qwrote, c.st.sent = "", false, false
	conn := c.connTo(v.node)
	base := v.gen * tagStride
	if v.ask {
		v.ask = false
		conn.Do(c, base+tagAsking, []byte("ASKING"))
	}
	for _, q := range queued(&c.op, c.cmd) {
		conn.Do(c, base+tagQueued, q...)
	}
	conn.Do(c, base+tagMain, c.cmd...)
}

// clusterReply is Reply for a cluster client.
func (c *client) clusterReply(tag int, v resp.Value, err error) {
	if !c.busy || tag/tagStride != c.clu.gen {
		return // an abandoned attempt's
	}
	switch tag % tagStride {
	case tagQueued:
		c.queuedReply(v, err)
		return
	case tagAsking:
		return // a refused ASKING shows in the command's own reply
	}
	if err != nil {
		c.clusterFailed(err)
		return
	}
	text := c.qerr
	if text == "" && v.IsError() {
		text = errorText(v.Str)
		if c.qwrote || scriptRuntimeError(c.cmd, text) {
			// The write queued before it was applied, or the script wrote
			// before the error: not a refusal.
			if c.qwrote {
				text = "applied, then " + text
			}
			c.fails = 0
			c.complete(history.Info, text)
			c.after(c.think())
			return
		}
	}
	if text != "" {
		c.refused(text)
		return
	}
	c.fails = 0
	if err := c.o.Workload.Decode(&c.op, v); err != nil {
		c.complete(history.Info, "unexpected reply: "+redisconn.Brief(v))
	} else {
		c.complete(history.Ok, "")
	}
	c.after(c.think())
}

// refused handles an error reply, which is certainly not applied: a
// redirection or a retryable refusal is tried again while MaxRedirects
// allows, anything else fails the operation.
func (c *client) refused(text string) {
	v := c.clu
	moved, ask, slot, addr := redirection(text)
	retry := moved || ask || retryable(text)
	// Every attempt so far was refused: nothing was applied, whatever
	// happens to the operation now (a stop during the backoff included).
	c.st.sent = false
	if !retry || v.tries >= v.o.maxRedirects() {
		c.complete(history.Fail, text)
		c.after(c.think())
		return
	}
	v.tries++
	switch {
	case moved:
		// go-redis reloads lazily and goes to the node named; the slot's
		// new owner is also remembered at once, so that the next operation
		// on it does not take the same detour.
		v.node = v.nodeFor(addr)
		v.moved[slot] = v.node
		c.lazyReload()
		c.attempt()
		return
	case ask:
		c.lazyReload()
		v.node, v.ask = v.nodeFor(addr), true
		c.attempt()
		return
	case strings.HasPrefix(text, "READONLY "):
		c.lazyReload()
		v.node = nil
	case strings.HasPrefix(text, "LOADING ") && (v.o.ReadOnly || v.o.RouteRandomly):
		// go-redis: with ReadOnly a loading node is avoided at once.
		c.markFailing(v.node.addr)
		v.node = nil
	case v.tries > 1:
		// go-redis: first the same node, then the node the map names.
		c.markFailing(v.node.addr)
		v.node = nil
	}
	c.retryLater()
}

// clusterFailed handles an operation that got no reply. One that may have
// been sent ends as the single-node client ends it (Info): go-redis would
// send it again after a read timeout, but a retried INCR or RPUSH could
// then be applied twice while the history recorded it once. One certainly
// not sent (a dial refused or timed out, a connection lost before the
// request left) is tried again, first on the same node, then on the node
// the map names, as go-redis does.
func (c *client) clusterFailed(err error) {
	v := c.clu
	e := err.(*redisconn.Error)
	addr := v.node.addr
	c.dropNode(v.node)
	var pe *redisconn.ProtocolError
	switch {
	case e.Err == redisconn.ErrTimeout:
		c.complete(history.Info, "timeout after "+c.o.Timeout.String())
	case errors.As(e.Err, &pe):
		c.complete(history.Info, "bad reply stream from "+addr+": "+pe.Err.Error())
	case e.Sent:
		c.complete(history.Info, "connection to "+addr+" lost after send: "+e.Err.Error())
	default:
		why := "connection to " + addr + " lost before send: " + e.Err.Error()
		if !e.Opened {
			why = "dial " + addr + ": " + e.Err.Error()
		}
		if v.tries < v.o.maxRedirects() {
			v.tries++
			if v.tries > 1 {
				c.markFailing(addr)
				v.node = nil
			}
			c.retryLater()
			return
		}
		c.complete(history.Fail, why)
	}
	c.fails++
	c.after(c.backoff())
}

// retryLater sends the operation again after go-redis's retry backoff.
func (c *client) retryLater() {
	gen := c.clu.gen
	c.env.After(c.retryBackoff(c.clu.tries), func() {
		if c.busy && !c.stopped && c.clu.gen == gen {
			c.attempt()
		}
	})
}

// retryBackoff is go-redis's internal.RetryBackoff: BackoffMin<<retry,
// drawn uniformly above BackoffMin, capped at BackoffMax.
func (c *client) retryBackoff(retry int) time.Duration {
	lo, hi := c.o.BackoffMin, c.o.BackoffMax
	if lo <= 0 {
		return 0
	}
	d := lo << uint(min(retry, 30))
	if d < lo {
		return hi
	}
	d = lo + time.Duration(c.env.Rand().Int64N(int64(d)))
	if d > hi || d < lo {
		d = hi
	}
	return d
}

// redirection reads "MOVED <slot> <host:port>" and "ASK <slot>
// <host:port>".
func redirection(text string) (moved, ask bool, slot int, addr string) {
	f := strings.Fields(text)
	if len(f) != 3 || (f[0] != "MOVED" && f[0] != "ASK") {
		return false, false, 0, ""
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 0 || n >= cluster.Slots {
		return false, false, 0, ""
	}
	return f[0] == "MOVED", f[0] == "ASK", n, f[2]
}

// retryable are the refusals go-redis's shouldRetry retries: the cluster
// or the node is not ready yet, or no longer the master.
func retryable(text string) bool {
	for _, p := range []string{"TRYAGAIN ", "CLUSTERDOWN ", "LOADING ", "READONLY ", "MASTERDOWN ", "NOREPLICAS "} {
		if strings.HasPrefix(text, p) {
			return true
		}
	}
	return text == "ERR max number of clients reached"
}

// opSlot is the slot of the operation's first key; an operation without
// keys goes to a random slot (go-redis's RandomSlot).
func opSlot(op *history.Op, c *client) int {
	key := op.Key
	if key == "" && len(op.Mops) > 0 {
		key = op.Mops[0].Key
	}
	if key == "" {
		return c.env.Rand().IntN(cluster.Slots)
	}
	return cluster.KeyHashSlot([]byte(key))
}

// readOnlyCommand reports whether Redis 7.0 flags cmd readonly (the
// commands the workloads send, and a few more); go-redis reads the same
// flag from COMMAND. EVAL and EXEC are not read-only.
func readOnlyCommand(cmd [][]byte) bool {
	if len(cmd) == 0 {
		return false
	}
	switch strings.ToUpper(string(cmd[0])) {
	case "GET", "MGET", "STRLEN", "GETRANGE", "EXISTS", "TYPE", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME",
		"SMEMBERS", "SISMEMBER", "SCARD", "LRANGE", "LLEN", "LINDEX",
		"HGET", "HGETALL", "HLEN", "ZRANGE", "ZSCORE", "ZCARD", "EVAL_RO", "EVALSHA_RO":
		return true
	}
	return false
}
