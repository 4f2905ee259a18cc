package redis

import "github.com/redsim/redsim/nodes/rnum"

// Random samples of HRANDFIELD and ZRANDMEMBER with a count, drawn from
// the node's stream. Redis's choices come from its own PRNG, so the
// members differ from a real server's; the cases, the reply shapes and
// the orders that do not depend on the draws are Redis 7.0's.

// sampleReplyLimit bounds the reply of a sample with repetitions (a
// negative count): past it the client is closed, as Redis closes one
// whose output buffer passes its client-output-buffer-limit. Redis's
// default for normal clients is no limit, so a count of billions makes
// it write until it runs out of memory; the node stops there instead of
// holding its world for as long.
const sampleReplyLimit = 64 << 20

// sampleOverflow reports whether a sampling reply begun at mark has
// grown past sampleReplyLimit; if so the reply is dropped and the client
// closed (a script's client gets an error instead).
func (c *client) sampleOverflow(mark int) bool {
	if c.w.Len()-mark <= sampleReplyLimit {
		return false
	}
	c.w.Truncate(mark)
	if c.isFake {
		c.w.WriteError("ERR reply exceeds the node's output buffer limit")
		return true
	}
	c.s.env.Logf("Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", c.id, c.addr)
	c.closing = true
	return true
}

// randCount parses HRANDFIELD's and ZRANDMEMBER's count and option:
// -LONG_MAX..LONG_MAX, and half that with the option (WITHVALUES,
// WITHSCORES). ok is false when an error was sent.
func (c *client) randCount(args [][]byte, option string) (count int64, with, ok bool) {
	l, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return 0, false, false
	}
	if l == -1<<63 {
		c.w.WriteError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false, false
	}
	if len(args) > 4 || (len(args) == 4 && !cEqualFold(args[3], option)) {
		c.w.WriteError(errSyntax)
		return 0, false, false
	}
	if len(args) == 4 {
		if l < -(1<<62-1) || l > 1<<62-1 {
			c.w.WriteError("ERR value is out of range")
			return 0, false, false
		}
		with = true
	}
	return l, with, true
}

// sampleDistinct picks count of n positions (0 < count < n) without
// repetition, in the order the reply lists them. When count*3 > n Redis
// copies everything and removes random members until count remain
// (CASE 3), listed here in the encoding's order; otherwise it draws until
// it has count distinct ones (CASE 4), in the order drawn, or for a
// listpack in the listpack's order (lpRandomPairsUnique).
func (s *Server) sampleDistinct(n, count int, listpack bool) []int {
	if count*3 > n {
		keep := make([]int, n)
		for i := range keep {
			keep[i] = i
		}
		for len(keep) > count {
			i := s.rng.IntN(len(keep))
			keep = append(keep[:i], keep[i+1:]...)
		}
		return keep
	}
	if listpack {
		// Selection sampling: each position is taken with probability
		// (still needed)/(still left), in order.
		out := make([]int, 0, count)
		for i := 0; i < n && len(out) < count; i++ {
			if s.rng.IntN(n-i) < count-len(out) {
				out = append(out, i)
			}
		}
		return out
	}
	seen := make(map[int]bool, count)
	out := make([]int, 0, count)
	for len(out) < count {
		i := s.rng.IntN(n)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out
}
