package redis

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// Client-side caching (Redis's tracking.c). In the default mode the server
// remembers, per key, the clients that read it (the tracking table) and
// sends each one invalidation when the key changes, forgetting the key.
// In BCAST mode a client subscribes to key prefixes instead, and the keys
// changed under them are sent once per event loop cycle. Invalidations are
// RESP3 pushes, or messages on __redis__:invalidate for a RESP2 client
// that redirects them to a subscribed connection.

// trackingChannel is the channel RESP2 invalidations are published on.
const trackingChannel = "__redis__:invalidate"

// trackingState is a client's CLIENT TRACKING settings (its CLIENT_TRACKING*
// flags, client_tracking_redirection and client_tracking_prefixes).
type trackingState struct {
	on, bcast, optin, optout, noloop bool
	// caching is CLIENT_TRACKING_CACHING: CLIENT CACHING was given for the
	// next command.
	caching     bool
	brokenRedir bool
	redirect    int64
	prefixes    []string // BCAST prefixes, in byte order as a rax lists them
}

// serverTracking is the server's side: the tracking table and the prefix
// table. Both are radix trees in Redis, so their order is byte order.
type serverTracking struct {
	// trackedKeys maps a key to the ids of the clients that may cache it,
	// in the order Redis's rax of 8-byte ids gives them (bytes of a
	// little-endian id: see idOrder).
	trackedKeys    dict[[]int64]
	trackedItems   int64 // TrackingTableTotalItems
	trackingOn     int   // server.tracking_clients
	prefixTable    map[string]*bcastState
	prefixList     []string // the prefixes, sorted
	pendingInvalid []trackingPending
	limitTimeouts  int // trackingLimitUsedSlots' timeout_counter
	// inCall is server.fixed_time_expire: how deep in call() the node is.
	inCall int
	// current is server.current_client: the client whose command runs at
	// the top level, or nil (the cron). currentCmd and currentArgs are its
	// command, which a script's reads are attributed to.
	current     *client
	currentCmd  *command
	currentArgs [][]byte
}

// trackingPending is a key (or, for a flush, none) whose invalidation for
// the current client waits until its reply is written.
type trackingPending struct {
	key   string
	flush bool
}

// bcastState is one BCAST prefix: the clients subscribed to it and the keys
// under it changed in this cycle, each with the last client that changed
// it (for NOLOOP).
type bcastState struct {
	clients []*client // by id
	keys    map[string]*client
}

// idOrder orders client ids as Redis's rax of raw uint64s does on a
// little-endian machine: by the low byte first.
func idOrder(a, b int64) int {
	x, y := bits.ReverseBytes64(uint64(a)), bits.ReverseBytes64(uint64(b))
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func clientTrackingCommand(c *client, args [][]byte) {
	var redir int64
	var bcast, optin, optout, noloop bool
	var prefixes []string
	for j := 3; j < len(args); j++ {
		more := j < len(args)-1
		switch {
		case cEqualFold(args[j], "redirect") && more:
			j++
			if redir != 0 {
				c.w.WriteError("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := rnum.ParseInt(args[j])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if c.s.clientByID(id) == nil {
				c.w.WriteError("ERR The client ID you want redirect to does not exist")
				return
			}
			redir = id
		case cEqualFold(args[j], "bcast"):
			bcast = true
		case cEqualFold(args[j], "optin"):
			optin = true
		case cEqualFold(args[j], "optout"):
			optout = true
		case cEqualFold(args[j], "noloop"):
			noloop = true
		case cEqualFold(args[j], "prefix") && more:
			j++
			prefixes = append(prefixes, string(args[j]))
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	t := &c.tracking
	switch {
	case cEqualFold(args[2], "on"):
		switch {
		case !bcast && len(prefixes) > 0:
			c.w.WriteError("ERR PREFIX option requires BCAST mode to be enabled")
			return
		case t.on && t.bcast != bcast:
			c.w.WriteError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case bcast && (optin || optout):
			c.w.WriteError("ERR OPTIN and OPTOUT are not compatible with BCAST")
			return
		case optin && optout:
			c.w.WriteError("ERR You can't specify both OPTIN mode and OPTOUT mode")
			return
		case (optin && t.optout) || (optout && t.optin):
			c.w.WriteError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		}
		if bcast {
			if msg := prefixCollision(t.prefixes, prefixes); msg != "" {
				c.w.WriteError(msg)
				return
			}
		}
		c.enableTracking(redir, bcast, optin, optout, noloop, prefixes)
	case cEqualFold(args[2], "off"):
		c.disableTracking()
	default:
		c.w.WriteError(errSyntax)
		return
	}
	c.w.WriteOK()
}

// prefixCollision is checkPrefixCollisionsOrReply: no new prefix may be a
// prefix of another, old or new.
func prefixCollision(old, added []string) string {
	overlap := func(a, b string) bool { n := min(len(a), len(b)); return a[:n] == b[:n] }
	for i, p := range added {
		for _, o := range old {
			if overlap(o, p) {
				return "ERR Prefix '" + cstr([]byte(p), len(p)) + "' overlaps with an existing prefix '" + cstr([]byte(o), len(o)) + "'. Prefixes for a single client must not overlap."
			}
		}
		for _, q := range added[i+1:] {
			if overlap(p, q) {
				return "ERR Prefix '" + cstr([]byte(p), len(p)) + "' overlaps with another provided prefix '" + cstr([]byte(q), len(q)) + "'. Prefixes for a single client must not overlap."
			}
		}
	}
	return ""
}

// enableTracking is enableTracking: the options replace the old ones
// (CACHING excepted), prefixes add to the old ones.
func (c *client) enableTracking(redir int64, bcast, optin, optout, noloop bool, prefixes []string) {
	s, t := c.s, &c.tracking
	if !t.on {
		s.trackingOn++
	}
	t.on, t.brokenRedir, t.redirect = true, false, redir
	t.bcast, t.optin, t.optout, t.noloop = bcast, optin, optout, noloop
	if !bcast {
		return
	}
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	if s.prefixTable == nil {
		s.prefixTable = map[string]*bcastState{}
	}
	for _, p := range prefixes {
		bs := s.prefixTable[p]
		if bs == nil {
			bs = &bcastState{keys: map[string]*client{}}
			s.prefixTable[p] = bs
			i, _ := slices.BinarySearch(s.prefixList, p)
			s.prefixList = slices.Insert(s.prefixList, i, p)
		}
		if i, found := slices.BinarySearchFunc(bs.clients, c.id, func(x *client, id int64) int { return int(x.id - id) }); !found {
			bs.clients = slices.Insert(bs.clients, i, c)
			j, _ := slices.BinarySearch(t.prefixes, p)
			t.prefixes = slices.Insert(t.prefixes, j, p)
		}
	}
}

// disableTracking is disableTracking: the client leaves its prefixes; the
// tracking table keeps its id until the keys change.
func (c *client) disableTracking() {
	s, t := c.s, &c.tracking
	for _, p := range t.prefixes {
		bs := s.prefixTable[p]
		bs.clients = slices.DeleteFunc(bs.clients, func(x *client) bool { return x == c })
		if len(bs.clients) == 0 {
			delete(s.prefixTable, p)
			s.prefixList = slices.DeleteFunc(s.prefixList, func(x string) bool { return x == p })
		}
	}
	if t.on {
		s.trackingOn--
	}
	*t = trackingState{}
}

// trackingAfterCall is the tracking part of call(): a read command
// remembers its keys for a tracking client (for a script, the keys the
// script declared); a top-level command then sends the invalidations
// that waited for its reply.
func (s *Server) trackingAfterCall(c *client, cmd *command, args [][]byte) {
	if cmd.flags&flagReadonly != 0 && cmd.name != "eval_ro" && cmd.name != "evalsha_ro" && cmd.name != "fcall_ro" {
		caller, ccmd, cargs := c, cmd, args
		if c.isFake && s.inScript && s.current != nil {
			caller, ccmd, cargs = s.current, s.currentCmd, s.currentArgs
		}
		if t := &caller.tracking; t.on && !t.bcast && ccmd != nil {
			s.rememberKeys(caller, ccmd, cargs)
		}
	}
	if s.execDepth == 0 && len(s.pendingInvalid) > 0 {
		p := s.pendingInvalid
		s.pendingInvalid = nil
		if cur := s.current; cur != nil && !cur.closed {
			for _, k := range p {
				if k.flush {
					cur.sendInvalidation(nil, true, cur.resp)
				} else {
					cur.sendInvalidation([]string{k.key}, false, 0)
				}
			}
		}
	}
}

// rememberKeys is trackingRememberKeys.
func (s *Server) rememberKeys(c *client, cmd *command, args [][]byte) {
	t := &c.tracking
	if (t.optin && !t.caching) || (t.optout && t.caching) {
		return
	}
	if cmd.flags&flagPubSub != 0 {
		return // shard channels are not keys to cache
	}
	for _, i := range cmd.keys.legacyPositions(args) { // getKeysFromCommand
		key := string(args[i])
		ids, _ := s.trackedKeys.Get(key)
		j, found := slices.BinarySearchFunc(ids, c.id, idOrder)
		if found {
			continue
		}
		s.trackedKeys.Set(key, slices.Insert(ids, j, c.id))
		s.trackedItems++
	}
}

// trackingInvalidate is trackingInvalidateKey for signalModifiedKey: the
// clients that may cache key are told, and the key is forgotten; BCAST
// prefixes collect it for the end of the cycle. by is the client whose
// command changed the key (nil for expiry and the cron).
func (s *Server) trackingInvalidate(key string, by *client, bcast bool) {
	if s.trackingOn == 0 && s.trackedKeys.Len() == 0 {
		return // no client has ever tracked: the common case costs this
	}
	if bcast {
		for _, p := range s.prefixList {
			if strings.HasPrefix(key, p) {
				s.prefixTable[p].keys[key] = by
			}
		}
	}
	ids, ok := s.trackedKeys.Get(key)
	if !ok {
		return
	}
	for _, id := range ids {
		x := s.clientByID(id)
		if x == nil || !x.tracking.on || x.tracking.bcast {
			continue
		}
		if x.tracking.noloop && x == s.current {
			continue
		}
		if x == s.current && s.inCall > 0 {
			s.pendingInvalid = append(s.pendingInvalid, trackingPending{key: key})
			continue
		}
		x.sendInvalidation([]string{key}, false, 0)
	}
	s.trackedItems -= int64(len(ids))
	s.trackedKeys.Delete(key)
}

// sendInvalidation is sendTrackingMessage: keys, or a null for a flush
// written in the RESP version nullResp (the tracking client's, even when
// the message goes to another client).
func (c *client) sendInvalidation(keys []string, flush bool, nullResp int) {
	to, redirected := c, false
	if id := c.tracking.redirect; id != 0 {
		r := c.s.clientByID(id)
		if r == nil {
			c.tracking.brokenRedir = true
			if c.resp > 2 {
				c.beginPush()
				c.w.WritePushLen(2)
				c.w.WriteBulkString("tracking-redir-broken")
				c.w.WriteInt(id)
				c.endPush()
				c.markPending()
			}
			return
		}
		to, redirected = r, true
	}
	switch {
	case to.resp > 2:
		to.beginPush()
		to.w.WritePushLen(2)
		to.w.WriteBulkString("invalidate")
	case redirected && to.subscribed():
		to.beginPush()
		to.w.WriteArrayLen(3)
		to.w.WriteBulkString("message")
		to.w.WriteBulkString(trackingChannel)
	default:
		return // RESP2 has no way to push on the same connection
	}
	if flush {
		if nullResp > 2 {
			to.w.WriteRaw([]byte("_\r\n"))
		} else {
			to.w.WriteRaw([]byte("$-1\r\n"))
		}
	} else {
		to.w.WriteArrayLen(len(keys))
		for _, k := range keys {
			to.w.WriteBulkString(k)
		}
	}
	to.endPush()
	to.markPending()
}

// trackingFlushed is trackingInvalidateKeysOnFlush: every tracking client
// gets a null invalidation (the current one after its reply), and the
// table is emptied.
func (s *Server) trackingFlushed() {
	if s.trackingOn > 0 {
		for _, x := range s.clients {
			if !x.tracking.on {
				continue
			}
			if x == s.current && s.inCall > 0 {
				s.pendingInvalid = append(s.pendingInvalid, trackingPending{flush: true})
			} else {
				x.sendInvalidation(nil, true, x.resp)
			}
		}
	}
	s.trackedKeys.Clear()
	s.trackedItems = 0
}

// trackingBroadcast is trackingBroadcastInvalidationMessages, run before
// the event loop sleeps: each prefix sends the keys changed under it, in
// byte order, to its clients (a NOLOOP client without its own changes).
func (s *Server) trackingBroadcast() {
	if s.trackingOn == 0 {
		return
	}
	for _, p := range s.prefixList {
		bs := s.prefixTable[p]
		if len(bs.keys) == 0 {
			continue
		}
		keys := make([]string, 0, len(bs.keys))
		for k := range bs.keys { //redsim:ordered sorted below
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, x := range bs.clients {
			send := keys
			if x.tracking.noloop {
				send = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return bs.keys[k] == x })
				if len(send) == 0 {
					continue
				}
			}
			x.sendInvalidation(send, false, 0)
		}
		clear(bs.keys)
	}
}

// trackingLimit is trackingLimitUsedSlots: while the table holds more
// keys than tracking-table-max-keys, invalidate random ones, with more
// effort each time the limit could not be reached.
func (s *Server) trackingLimit() {
	max := s.trackingMaxKeys()
	if s.trackingOn == 0 || max == 0 {
		return
	}
	if int64(s.trackedKeys.Len()) <= max {
		s.limitTimeouts = 0
		return
	}
	for effort := 100 * (s.limitTimeouts + 1); effort > 0; effort-- {
		key, _, ok := s.trackedKeys.Random(s.rng)
		if !ok {
			break
		}
		s.trackingInvalidate(key, nil, false)
		if int64(s.trackedKeys.Len()) <= max {
			s.limitTimeouts = 0
			return
		}
	}
	s.limitTimeouts++
}

// trackingMaxKeys is tracking-table-max-keys.
func (s *Server) trackingMaxKeys() int64 { return int64(s.cfg.TrackingTableMaxKeys) }

// trackingInfo is INFO's tracking fields of the stats section.
func (s *Server) trackingInfo() string {
	return "tracking_total_keys:" + strconv.Itoa(s.trackedKeys.Len()) + "\r\n" +
		"tracking_total_items:" + strconv.FormatInt(s.trackedItems, 10) + "\r\n" +
		"tracking_total_prefixes:" + strconv.Itoa(len(s.prefixList)) + "\r\n"
}
