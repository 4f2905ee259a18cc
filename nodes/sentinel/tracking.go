package sentinel

import (
	"slices"
	"strings"
)

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, which a sentinel
// serves as Redis does: it keeps each client's tracking options, though
// with no keys it never sends an invalidation.

// trackingState is a client's CLIENT_TRACKING* flags, its redirection and
// its broadcast prefixes (sorted, as the client's rax keeps them).
type trackingState struct {
	on, bcast, optin, optout, noloop bool
	// caching is CLIENT_TRACKING_CACHING: CLIENT CACHING's flag, which
	// lasts until a command other than CLIENT's.
	caching  bool
	redirect int64
	prefixes []string
}

// clientTrackingCommand is CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST]
// [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP].
func (s *Sentinel) clientTrackingCommand(c *client, argv []string) {
	var redir int64
	var bcast, optin, optout, noloop bool
	var prefixes []string
	for j := 3; j < len(argv); j++ {
		more := j < len(argv)-1
		switch {
		case strcaseEq(argv[j], "redirect") && more:
			j++
			if redir != 0 {
				c.errorReply("A client can only redirect to a single other client")
				return
			}
			id, ok := parseLong(c, argv[j], "")
			if !ok {
				return
			}
			if s.clientByID(id) == nil {
				c.errorReply("The client ID you want redirect to does not exist")
				return
			}
			redir = id
		case strcaseEq(argv[j], "bcast"):
			bcast = true
		case strcaseEq(argv[j], "optin"):
			optin = true
		case strcaseEq(argv[j], "optout"):
			optout = true
		case strcaseEq(argv[j], "noloop"):
			noloop = true
		case strcaseEq(argv[j], "prefix") && more:
			j++
			prefixes = append(prefixes, argv[j])
		default:
			c.errorReply("syntax error")
			return
		}
	}
	t := &c.tracking
	switch {
	case strcaseEq(argv[2], "on"):
		switch {
		case !bcast && len(prefixes) > 0:
			c.errorReply("PREFIX option requires BCAST mode to be enabled")
			return
		case t.on && t.bcast != bcast:
			c.errorReply("You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case bcast && (optin || optout):
			c.errorReply("OPTIN and OPTOUT are not compatible with BCAST")
			return
		case optin && optout:
			c.errorReply("You can't specify both OPTIN mode and OPTOUT mode")
			return
		case (optin && t.optout) || (optout && t.optin):
			c.errorReply("You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		}
		if bcast {
			if msg := prefixCollision(t.prefixes, prefixes); msg != "" {
				c.errorReply(msg)
				return
			}
		}
		t.on, t.redirect = true, redir
		t.bcast, t.optin, t.optout, t.noloop = bcast, optin, optout, noloop
		if bcast {
			if len(prefixes) == 0 {
				prefixes = []string{""}
			}
			for _, p := range prefixes {
				if i, found := slices.BinarySearch(t.prefixes, p); !found {
					t.prefixes = slices.Insert(t.prefixes, i, p)
				}
			}
		}
	case strcaseEq(argv[2], "off"):
		c.tracking = trackingState{}
	default:
		c.errorReply("syntax error")
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
				return "Prefix '" + cstring(p) + "' overlaps with an existing prefix '" + cstring(o) + "'. Prefixes for a single client must not overlap."
			}
		}
		for _, q := range added[i+1:] {
			if overlap(p, q) {
				return "Prefix '" + cstring(p) + "' overlaps with another provided prefix '" + cstring(q) + "'. Prefixes for a single client must not overlap."
			}
		}
	}
	return ""
}

// cstring is s as a C format's %s prints it: up to its first NUL.
func cstring(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// clientCachingCommand is CLIENT CACHING YES|NO.
func (s *Sentinel) clientCachingCommand(c *client, argv []string) {
	t := &c.tracking
	if !t.on {
		c.errorReply("CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case strcaseEq(argv[2], "yes"):
		if !t.optin {
			c.errorReply("CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case strcaseEq(argv[2], "no"):
		if !t.optout {
			c.errorReply("CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		c.errorReply("syntax error")
		return
	}
	t.caching = true
	c.w.WriteOK()
}

// redirectReply is the redirection as CLIENT GETREDIR and TRACKINGINFO
// report it: -1 when tracking is off, 0 without a redirection.
func (t *trackingState) redirectReply() int64 {
	if !t.on {
		return -1
	}
	return t.redirect
}

func (s *Sentinel) clientGetRedirCommand(c *client, _ []string) {
	c.w.WriteInt(c.tracking.redirectReply())
}

// clientTrackingInfoCommand is CLIENT TRACKINGINFO.
func (s *Sentinel) clientTrackingInfoCommand(c *client, _ []string) {
	t := &c.tracking
	flags := []string{"off"}
	if t.on {
		flags[0] = "on"
	}
	if t.bcast {
		flags = append(flags, "bcast")
	}
	if t.optin {
		flags = append(flags, "optin")
		if t.caching {
			flags = append(flags, "caching-yes")
		}
	}
	if t.optout {
		flags = append(flags, "optout")
		if t.caching {
			flags = append(flags, "caching-no")
		}
	}
	if t.noloop {
		flags = append(flags, "noloop")
	}
	c.w.WriteMapLen(3)
	c.w.WriteBulkString("flags")
	c.w.WriteSetLen(len(flags))
	for _, f := range flags {
		c.w.WriteBulkString(f)
	}
	c.w.WriteBulkString("redirect")
	c.w.WriteInt(t.redirectReply())
	c.w.WriteBulkString("prefixes")
	c.w.WriteArrayLen(len(t.prefixes))
	for _, p := range t.prefixes {
		c.w.WriteBulkString(p)
	}
}

// trackingPrefixes is the size of the broadcast prefix table: the
// prefixes some client in BCAST mode tracks.
func (s *Sentinel) trackingPrefixes() int {
	seen := map[string]bool{}
	for _, c := range s.clients {
		for _, p := range c.tracking.prefixes {
			seen[p] = true
		}
	}
	return len(seen)
}

// clientByID is lookupClientByID.
func (s *Sentinel) clientByID(id int64) *client {
	for _, c := range s.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}
