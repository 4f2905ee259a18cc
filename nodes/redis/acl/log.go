package acl

// Context is where a denied command ran (ACL_LOG_CTX_*).
type Context int

// The contexts, with Redis's values.
const (
	ContextToplevel Context = 0
	ContextLua      Context = 1
	ContextMulti    Context = 2
	ContextModule   Context = 3
)

// String is the context as ACL LOG shows it.
func (c Context) String() string {
	switch c {
	case ContextToplevel:
		return "toplevel"
	case ContextMulti:
		return "multi"
	case ContextLua:
		return "lua"
	case ContextModule:
		return "module"
	}
	return "unknown"
}

// Client is what the log needs to know of the client whose command was
// denied.
type Client struct {
	// User is the client's user (c->user).
	User *User
	// Context is ContextMulti for a client inside MULTI, ContextLua for a
	// script's call, else ContextToplevel.
	Context Context
	// Info is CLIENT LIST's line for the client (for a script, the
	// client that called the script), without the trailing newline.
	Info string
	// NowMs is the server's wall clock (mstime()).
	NowMs int64
}

// logMergeWindowMs is ACL_LOG_GROUPING_MAX_TIME_DELTA: entries within a
// minute of each other with the same reason, context, object and user
// are counted as one.
const logMergeWindowMs = 60000

// logMergeScan is how many of the newest entries a new one is compared
// against for merging.
const logMergeScan = 10

// LogEntry is one ACL LOG entry.
type LogEntry struct {
	Count    int64
	Reason   Reason
	Context  Context
	Object   string
	Username string
	// TimeMs is when the entry was last updated.
	TimeMs     int64
	ClientInfo string
}

// Log is the ACL log, newest entry first.
type Log struct {
	entries []*LogEntry
}

// Entries returns the entries, newest first.
func (l *Log) Entries() []*LogEntry { return l.entries }

// Log is the server's ACL log.
func (a *ACL) Log() *Log { return &a.log }

// LogDenial records a denied command (processCommand, and scripts' and
// MULTI's checks) in the ACL log: the object is the command's full name,
// or the denied key or channel.
func (a *ACL) LogDenial(c Client, v Verdict, r *Request) {
	a.AddLogEntry(c, LogEntry{Reason: v.Reason, Object: v.LogObject(r), Username: c.User.Name()})
}

// AddLogEntry adds e (its Reason, Object and Username) to the log as
// addACLLogEntry does: the context, time and client info come from c. A
// matching entry among the ten newest (same reason, context, object and
// user, updated at most 60 s apart) is moved to the front and counted
// instead; otherwise the entry goes to the front and the oldest entries
// beyond acllog-max-len are dropped.
func (a *ACL) AddLogEntry(c Client, e LogEntry) {
	e.Count, e.Context, e.TimeMs, e.ClientInfo = 1, c.Context, c.NowMs, c.Info
	l := &a.log
	for i := 0; i < len(l.entries) && i < logMergeScan; i++ {
		cur := l.entries[i]
		if cur.Reason != e.Reason || cur.Context != e.Context || cur.Object != e.Object || cur.Username != e.Username {
			continue
		}
		if d := cur.TimeMs - e.TimeMs; d > logMergeWindowMs || d < -logMergeWindowMs {
			continue
		}
		copy(l.entries[1:i+1], l.entries[:i])
		l.entries[0] = cur
		cur.ClientInfo, cur.TimeMs = e.ClientInfo, e.TimeMs
		cur.Count++
		return
	}
	l.entries = append(l.entries, nil)
	copy(l.entries[1:], l.entries)
	l.entries[0] = &e
	max := a.Config.LogMaxLen
	if max < 0 {
		max = 0
	}
	for len(l.entries) > max {
		l.entries[len(l.entries)-1] = nil
		l.entries = l.entries[:len(l.entries)-1]
	}
}

// Reset empties the log (ACL LOG RESET).
func (l *Log) Reset() { l.entries = nil }

// reply is ACL LOG [count]'s reply: the count newest entries as maps,
// their ages measured from nowMs.
func (l *Log) reply(count int64, nowMs int64) Reply {
	if count > int64(len(l.entries)) {
		count = int64(len(l.entries))
	}
	out := make([]Reply, 0, count)
	for _, e := range l.entries[:count] {
		out = append(out, Map(
			Bulk("count"), Int(e.Count),
			Bulk("reason"), Bulk(e.Reason.String()),
			Bulk("context"), Bulk(e.Context.String()),
			Bulk("object"), Bulk(e.Object),
			Bulk("username"), Bulk(e.Username),
			Bulk("age-seconds"), Double(float64(nowMs-e.TimeMs)/1000),
			Bulk("client-info"), Bulk(e.ClientInfo),
		))
	}
	return Array(out...)
}
