package redis

import (
	"github.com/redsim/redsim/nodes/redis/cluster"
	"slices"

	"github.com/redsim/redsim/nodes/redis/glob"
)

// Sharded pub/sub (Redis 7.0): channels that belong to a key slot. On a
// standalone node they behave as plain channels in a namespace of their
// own, without patterns; a client's shard subscriptions are counted apart
// from its other ones, but any subscription puts a RESP2 client in the
// subscribed context.

var shardPubsubCommands = []cmdSpec{
	{"spublish", 3, flagStale, spublishCommand, notKeyAt1},
	{"ssubscribe", -2, fps | flagStale, ssubscribeCommand, notKeyRange1},
	{"sunsubscribe", -1, fps | flagStale, sunsubscribeCommand, notKeyRange1},
	{"pubsub|shardchannels", -2, flagStale, pubsubShardChannelsCommand, noKeys},
	{"pubsub|shardnumsub", -2, flagStale, pubsubShardNumsubCommand, noKeys},
	{"pubsub|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], pubsubHelp) }, noKeys},
}

// pubsubHelp is PUBSUB HELP's text in 7.0.15.
var pubsubHelp = []string{
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
}

// The channel arguments of the sharded commands: key specs flagged
// NOT_KEY, which give them a key range in COMMAND INFO (for cluster
// routing) but no keys for COMMAND GETKEYS.
var (
	notKeyAt1    = cmdKeys{specs: []keySpec{{index: 1, keyStep: 1, notKey: true}}}
	notKeyRange1 = cmdKeys{specs: []keySpec{{index: 1, lastKey: -1, keyStep: 1, notKey: true}}}
)

// shardPubsub is the server's side of sharded pub/sub
// (server.pubsubshard_channels).
type shardPubsub struct {
	shardChannels map[string][]*client
	shardChanList []string // in creation order, for PUBSUB SHARDCHANNELS
}

// subscribed is the CLIENT_PUBSUB flag: the client has a subscription of
// any kind.
func (c *client) subscribed() bool {
	return len(c.subs)+len(c.psubs)+len(c.ssubs) > 0
}

func ssubscribeCommand(c *client, args [][]byte) {
	if c.deniedBlocking {
		// Unlike SUBSCRIBE, no exception for MULTI.
		c.w.WriteError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	s := c.s
	if s.shardChannels == nil {
		s.shardChannels = map[string][]*client{}
	}
	for _, ch := range args[1:] {
		name := string(ch)
		if !slices.Contains(c.ssubs, name) {
			c.ssubs = append(c.ssubs, name)
			l, ok := s.shardChannels[name]
			if !ok {
				s.shardChanList = append(s.shardChanList, name)
			}
			s.shardChannels[name] = append(l, c)
		}
		c.writePush(3)
		c.w.WriteBulkString("ssubscribe")
		c.w.WriteBulk(ch)
		c.w.WriteInt(int64(len(c.ssubs)))
		c.endPush()
	}
}

// sunsubscribe drops one shard subscription of c; the reply, when notify,
// counts only the shard subscriptions left.
func (c *client) sunsubscribe(name string, notify bool) {
	if i := slices.Index(c.ssubs, name); i >= 0 {
		c.ssubs = slices.Delete(c.ssubs, i, i+1)
		s := c.s
		l := slices.DeleteFunc(s.shardChannels[name], func(x *client) bool { return x == c })
		if len(l) == 0 {
			delete(s.shardChannels, name)
			s.shardChanList = slices.DeleteFunc(s.shardChanList, func(x string) bool { return x == name })
		} else {
			s.shardChannels[name] = l
		}
	}
	if notify {
		c.writePush(3)
		c.w.WriteBulkString("sunsubscribe")
		c.w.WriteBulkString(name)
		c.w.WriteInt(int64(len(c.ssubs)))
		c.endPush()
	}
}

func sunsubscribeCommand(c *client, args [][]byte) {
	if len(args) > 1 {
		for _, a := range args[1:] {
			c.sunsubscribe(string(a), true)
		}
		return
	}
	if len(c.ssubs) == 0 {
		c.writePush(3)
		c.w.WriteBulkString("sunsubscribe")
		c.w.WriteNull()
		c.w.WriteInt(0)
		c.endPush()
		return
	}
	for _, name := range slices.Clone(c.ssubs) {
		c.sunsubscribe(name, true)
	}
}

// spublish delivers msg to the clients subscribed to the shard channel;
// patterns never match shard channels.
func spublishCommand(c *client, args [][]byte) {
	n := c.s.spublish(args[1], args[2])
	if c.s.clusterEnabled() {
		c.s.clusterPropagatePublish(args[1], args[2], true)
	} else {
		c.forceRepl = true // as PUBLISH
	}
	c.w.WriteInt(n)
}

// spublish delivers msg to the clients subscribed to the shard channel.
func (s *Server) spublish(channel, msg []byte) int64 {
	n := int64(0)
	for _, x := range s.shardChannels[string(channel)] {
		x.writePush(3)
		x.w.WriteBulkString("smessage")
		x.w.WriteBulk(channel)
		x.w.WriteBulk(msg)
		x.endPush()
		x.markPending()
		n++
	}
	return n
}

func pubsubShardChannelsCommand(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.WriteError(subcommandSyntaxError(args))
		return
	}
	var out []string
	for _, name := range c.s.shardChanList {
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

// pubsubShardNumsubCommand replies with a flat array of channel and count
// pairs, in RESP3 too.
func pubsubShardNumsubCommand(c *client, args [][]byte) {
	c.w.WriteArrayLen(2 * (len(args) - 2))
	for _, ch := range args[2:] {
		c.w.WriteBulk(ch)
		c.w.WriteInt(int64(len(c.s.shardChannels[string(ch)])))
	}
}

// numPatterns is PUBSUB NUMPAT: the distinct patterns subscribed to, not
// the subscriptions.
func (s *Server) numPatterns() int64 {
	var seen []string
	for _, p := range s.patterns {
		if !slices.Contains(seen, p.pattern) {
			seen = append(seen, p.pattern)
		}
	}
	return int64(len(seen))
}

// removeChannelsInSlot is removeChannelsInSlot: every shard channel of
// slot, in byte order (the slots-to-channels radix tree's), loses its
// subscribers, each told with a sunsubscribe message
// (pubsubShardUnsubscribeAllClients).
func (s *Server) removeChannelsInSlot(slot int) {
	var names []string
	for _, name := range s.shardChanList {
		if cluster.KeyHashSlot([]byte(name)) == slot {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, c := range slices.Clone(s.shardChannels[name]) {
			c.sunsubscribe(name, true)
			c.markPending()
		}
	}
}
