package redis

import (
	"github.com/redsim/redsim/nodes/redis/cluster"
)

// clusterRedirectBlocked is clusterRedirectBlockedClientIfNeeded: the
// error that unblocks c, a client blocked on keys (lists, sorted sets,
// streams; not WAIT), when the cluster is down or when the keys' slot is
// served by another node and not being imported here; "" to leave it
// blocked. Its keys are all in one slot, so the first decides.
func (s *Server) clusterRedirectBlocked(c *client) string {
	b := c.blocked
	if b == nil || b.wait || len(b.keys) == 0 {
		return ""
	}
	cl := s.cl
	if cl.state == cluster.StateFail {
		return s.redirectError(nil, 0, redirDownState)
	}
	slot := cluster.KeyHashSlot([]byte(b.keys[0]))
	n := cl.slots[slot]
	// A READONLY client's read may stay on its master's replica.
	if c.readonlyCluster && b.cmd != nil && b.cmd.flags&flagWrite == 0 && cl.myself.isReplica() && cl.myself.master == n {
		n = cl.myself
	}
	if n == cl.myself || cl.importingFrom[slot] != nil {
		return ""
	}
	if n == nil {
		return s.redirectError(nil, 0, redirDownUnbound)
	}
	return s.redirectError(n, slot, redirMoved)
}

// unblockRedirected unblocks c with msg, as clientsCronHandleTimeout's
// clusterRedirectClient and unblockClient do: the error is counted as an
// error reply, the blocked call is not counted as served, and the
// client's pending input runs.
func (c *client) unblockRedirected(msg string) {
	c.blocked.cmd = nil // unblockClient does not update the command's stats
	c.unblock(false)
	c.s.countError([]byte("-" + msg))
	c.w.WriteError(msg)
	c.markPending()
	c.processInput()
}
