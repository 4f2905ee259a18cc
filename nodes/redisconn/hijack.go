package redisconn

import "github.com/redsim/redsim/sim"

// Hijack hands the open connection to h, for a stream that is not request
// and reply: a replica calls it from the callback of PSYNC's +CONTINUE (or
// of the snapshot that follows +FULLRESYNC, taken with Await), and the
// master's replication stream then goes to h. It returns the connection and
// a copy of the bytes received but not parsed, which h must take as the
// stream's first bytes; every later OnData and OnClose of the connection
// goes to h. Commands still awaiting replies and held ones are told
// ErrHijacked, and the Conn forgets the connection: the next Do dials
// anew. Without an open connection Hijack returns nil, nil.
func (c *Conn) Hijack(h sim.ConnHandler) (sim.Conn, []byte) {
	l := c.cur
	if l == nil || !l.open {
		return nil, nil
	}
	rest := append([]byte(nil), c.rr.Peek()...)
	c.rr.Discard(len(rest))
	l.raw = h
	c.shut(ErrHijacked, alreadyClosed)
	return l.conn, rest
}
