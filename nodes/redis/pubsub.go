package redis

import (
	"slices"

	"github.com/redsim/redsim/nodes/redis/glob"
)

var pubsubCommands = []cmdSpec{
	{"subscribe", -2, fps | flagStale, subscribeCommand, noKeys},
	{"unsubscribe", -1, fps | flagStale, unsubscribeCommand, noKeys},
	{"psubscribe", -2, fps | flagStale, psubscribeCommand, noKeys},
	{"punsubscribe", -1, fps | flagStale, punsubscribeCommand, noKeys},
	{"publish", 3, flagStale, publishCommand, noKeys},
	{"pubsub", -2, 0, nil, noKeys},
	{"pubsub|channels", -2, flagStale, pubsubChannelsCommand, noKeys},
	{"pubsub|numsub", -2, flagStale, pubsubNumsubCommand, noKeys},
	{"pubsub|numpat", 2, flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(c.s.numPatterns()) }, noKeys},
}

// patternSub is one PSUBSCRIBE of one client.
type patternSub struct {
	pattern string
	c       *client
}

// writePush starts a pub/sub message: a push in RESP3, an array in RESP2.
func (c *client) writePush(n int) {
	c.beginPush()
	if c.resp == 3 {
		c.w.WritePushLen(n)
	} else {
		c.w.WriteArrayLen(n)
	}
}

func (c *client) subCount() int64 { return int64(len(c.subs) + len(c.psubs)) }

func subscribeCommand(c *client, args [][]byte) {
	for _, ch := range args[1:] {
		name := string(ch)
		if !slices.Contains(c.subs, name) {
			c.subs = append(c.subs, name)
			l, ok := c.s.channels[name]
			if !ok {
				c.s.chanList = append(c.s.chanList, name)
			}
			c.s.channels[name] = append(l, c)
		}
		c.writePush(3)
		c.w.WriteBulkString("subscribe")
		c.w.WriteBulk(ch)
		c.w.WriteInt(c.subCount())
		c.endPush()
	}
}

func (c *client) unsubscribe(name string, notify bool) {
	i := slices.Index(c.subs, name)
	if i >= 0 {
		c.subs = slices.Delete(c.subs, i, i+1)
		l := c.s.channels[name]
		l = slices.DeleteFunc(l, func(x *client) bool { return x == c })
		if len(l) == 0 {
			delete(c.s.channels, name)
			c.s.chanList = slices.DeleteFunc(c.s.chanList, func(x string) bool { return x == name })
		} else {
			c.s.channels[name] = l
		}
	}
	if notify {
		c.writePush(3)
		c.w.WriteBulkString("unsubscribe")
		c.w.WriteBulkString(name)
		c.w.WriteInt(c.subCount())
		c.endPush()
	}
}

func (c *client) punsubscribe(pat string, notify bool) {
	i := slices.Index(c.psubs, pat)
	if i >= 0 {
		c.psubs = slices.Delete(c.psubs, i, i+1)
		c.s.patterns = slices.DeleteFunc(c.s.patterns, func(p patternSub) bool { return p.c == c && p.pattern == pat })
	}
	if notify {
		c.writePush(3)
		c.w.WriteBulkString("punsubscribe")
		c.w.WriteBulkString(pat)
		c.w.WriteInt(c.subCount())
		c.endPush()
	}
}

func unsubscribeCommand(c *client, args [][]byte) {
	unsubscribeGeneric(c, args, "unsubscribe", c.subs, c.unsubscribe)
}

// unsubscribeGeneric is UNSUBSCRIBE and PUNSUBSCRIBE: the named channels
// (patterns), or all of them, with a reply for each, or one with a null
// name when there were none.
func unsubscribeGeneric(c *client, args [][]byte, kind string, current []string, drop func(string, bool)) {
	if len(args) > 1 {
		for _, a := range args[1:] {
			drop(string(a), true)
		}
		return
	}
	if len(current) == 0 {
		c.writePush(3)
		c.w.WriteBulkString(kind)
		c.w.WriteNull()
		c.w.WriteInt(c.subCount())
		c.endPush()
		return
	}
	for _, name := range slices.Clone(current) {
		drop(name, true)
	}
}

func psubscribeCommand(c *client, args [][]byte) {
	for _, p := range args[1:] {
		pat := string(p)
		if !slices.Contains(c.psubs, pat) {
			c.psubs = append(c.psubs, pat)
			c.s.patterns = append(c.s.patterns, patternSub{pat, c})
		}
		c.writePush(3)
		c.w.WriteBulkString("psubscribe")
		c.w.WriteBulk(p)
		c.w.WriteInt(c.subCount())
		c.endPush()
	}
}

func punsubscribeCommand(c *client, args [][]byte) {
	unsubscribeGeneric(c, args, "punsubscribe", c.psubs, c.punsubscribe)
}

func (c *client) unsubscribeAll(notify bool) {
	for _, name := range slices.Clone(c.subs) {
		c.unsubscribe(name, notify)
	}
	for _, pat := range slices.Clone(c.psubs) {
		c.punsubscribe(pat, notify)
	}
	for _, name := range slices.Clone(c.ssubs) {
		c.sunsubscribe(name, notify)
	}
}

// publish delivers msg to channel's subscribers, then to matching
// patterns, and returns how many clients received it.
func (s *Server) publish(channel, msg []byte) int64 {
	n := int64(0)
	for _, x := range s.channels[string(channel)] {
		x.writePush(3)
		x.w.WriteBulkString("message")
		x.w.WriteBulk(channel)
		x.w.WriteBulk(msg)
		x.endPush()
		x.markPending()
		n++
	}
	for _, p := range s.patterns {
		if !glob.Match([]byte(p.pattern), channel, false) {
			continue
		}
		x := p.c
		x.writePush(4)
		x.w.WriteBulkString("pmessage")
		x.w.WriteBulkString(p.pattern)
		x.w.WriteBulk(channel)
		x.w.WriteBulk(msg)
		x.endPush()
		x.markPending()
		n++
	}
	return n
}

func publishCommand(c *client, args [][]byte) {
	n := c.s.publish(args[1], args[2])
	if c.s.clusterEnabled() {
		// In a cluster the bus carries it to every node.
		c.s.clusterPropagatePublish(args[1], args[2], false)
	} else {
		// PUBLISH may replicate (7.0): the replicas' subscribers get
		// the message too; the AOF does not.
		c.forceRepl = true
	}
	c.w.WriteInt(n)
}

func pubsubChannelsCommand(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.WriteError(subcommandSyntaxError(args))
		return
	}
	var out []string
	for _, name := range c.s.chanList {
		if len(args) == 3 && !glob.Match(args[2], []byte(name), false) {
			continue
		}
		out = append(out, name)
	}
	c.w.WriteArrayLen(len(out))
	for _, name := range out {
		c.w.WriteBulkString(name)
	}
}

func pubsubNumsubCommand(c *client, args [][]byte) {
	c.w.WriteArrayLen(2 * (len(args) - 2)) // an array in RESP3 too
	for _, ch := range args[2:] {
		c.w.WriteBulk(ch)
		c.w.WriteInt(int64(len(c.s.channels[string(ch)])))
	}
}
