package redis

import "strconv"

// Keyspace notifications (notify.c): with notify-keyspace-events set, the
// commands publish what they did to a key on __keyspace@<db>__:<key> (the
// event as the message) and __keyevent@<db>__:<event> (the key as the
// message), as ordinary pub/sub messages.

// notifyClass is a NOTIFY_* class of events, a bit of
// notify-keyspace-events.
type notifyClass uint32

const (
	notifyKeyspace notifyClass = 1 << iota // K
	notifyKeyevent                         // E
	notifyGeneric                          // g
	notifyString                           // $
	notifyList                             // l
	notifySet                              // s
	notifyHash                             // h
	notifyZSet                             // z
	notifyExpired                          // x
	notifyEvicted                          // e
	notifyStream                           // t
	notifyKeyMiss                          // m, not part of A
	notifyLoaded                           // module only
	notifyModule                           // d
	notifyNew                              // n, not part of A

	notifyAll = notifyGeneric | notifyString | notifyList | notifySet | notifyHash | notifyZSet | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

// parseNotifyFlags is keyspaceEventsStringToFlags; ok is false for a
// character that names no class.
func parseNotifyFlags(v string) (notifyClass, bool) {
	var f notifyClass
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 'A':
			f |= notifyAll
		case 'g':
			f |= notifyGeneric
		case '$':
			f |= notifyString
		case 'l':
			f |= notifyList
		case 's':
			f |= notifySet
		case 'h':
			f |= notifyHash
		case 'z':
			f |= notifyZSet
		case 'x':
			f |= notifyExpired
		case 'e':
			f |= notifyEvicted
		case 'K':
			f |= notifyKeyspace
		case 'E':
			f |= notifyKeyevent
		case 't':
			f |= notifyStream
		case 'm':
			f |= notifyKeyMiss
		case 'd':
			f |= notifyModule
		case 'n':
			f |= notifyNew
		default:
			return 0, false
		}
	}
	return f, true
}

// formatNotifyFlags is keyspaceEventsFlagsToString: A when every class of
// A is on, else the classes one by one, then K, E and m.
func formatNotifyFlags(f notifyClass) string {
	var b []byte
	if f&notifyAll == notifyAll {
		b = append(b, 'A')
	} else {
		for _, x := range []struct {
			c notifyClass
			b byte
		}{{notifyGeneric, 'g'}, {notifyString, '$'}, {notifyList, 'l'}, {notifySet, 's'}, {notifyHash, 'h'},
			{notifyZSet, 'z'}, {notifyExpired, 'x'}, {notifyEvicted, 'e'}, {notifyStream, 't'}, {notifyModule, 'd'}, {notifyNew, 'n'}} {
			if f&x.c != 0 {
				b = append(b, x.b)
			}
		}
	}
	if f&notifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&notifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&notifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// notifyParam is the notify-keyspace-events parameter, kept as Redis
// formats it.
var notifyParam = param{name: "notify-keyspace-events",
	get: func(c *Config) string { return c.NotifyKeyspaceEvents },
	set: func(s *Server, v string) string {
		f, ok := parseNotifyFlags(v)
		if !ok {
			return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		s.cfg.NotifyKeyspaceEvents = formatNotifyFlags(f)
		return ""
	}}

// notify is notifyKeyspaceEvent: when the class is on, publish event on
// key's keyspace channel and key on event's keyevent channel. With
// notifications off it costs one test.
func (s *Server) notify(class notifyClass, event string, key []byte, dbID int) {
	if s.cfg.NotifyKeyspaceEvents == "" {
		return
	}
	f, _ := parseNotifyFlags(s.cfg.NotifyKeyspaceEvents)
	if f&class == 0 {
		return
	}
	db := strconv.Itoa(dbID)
	if f&notifyKeyspace != 0 {
		ch := make([]byte, 0, len("__keyspace@__:")+len(db)+len(key))
		ch = append(append(append(append(ch, "__keyspace@"...), db...), "__:"...), key...)
		s.publish(ch, []byte(event))
	}
	if f&notifyKeyevent != 0 {
		s.publish([]byte("__keyevent@"+db+"__:"+event), key)
	}
}

// notifyChange notifies event on key in d, then del when the change
// emptied the key and removed it, the order of every container command in
// Redis.
func (s *Server) notifyChange(d *db, class notifyClass, event string, key []byte, removed bool) {
	s.notify(class, event, key, d.id)
	if removed {
		s.notify(notifyGeneric, "del", key, d.id)
	}
}
