package sentinel

import (
	"fmt"
	"strconv"
)

// Log levels, Redis's LL_*; the sentinel logs at verbosity notice.
const (
	llDebug = iota
	llVerbose
	llNotice
	llWarning
)

// event is sentinelEvent: log the event (at notice and above), publish it
// on the channel named by its type (unless a debug one) to this sentinel's
// own subscribers. A format starting with "%@" is prefixed with the
// instance as "<type> <name> <ip> <port>", followed for a non-master by
// "@ <master name> <master ip> <master port>".
func (s *Sentinel) event(level int, typ string, ri *instance, format string, args ...any) {
	if p, ok := eventProbes[typ]; ok {
		p.Reach(s.env)
	}
	var msg []byte
	if len(format) >= 2 && format[0] == '%' && format[1] == '@' {
		msg = appendInstanceID(msg, ri)
		format = format[2:]
	}
	if format != "" {
		if len(args) == 0 {
			msg = append(msg, format...)
		} else {
			msg = fmt.Appendf(msg, format, args...)
		}
	}
	if level >= llNotice {
		s.env.Logf("%s %s", typ, msg)
	}
	if level != llDebug {
		s.publish(typ, string(msg))
	}
	if s.o.OnEvent != nil && level != llDebug {
		s.o.OnEvent(typ, string(msg))
	}
}

func appendInstanceID(b []byte, ri *instance) []byte {
	b = append(b, ri.typeStr()...)
	b = append(b, ' ')
	b = append(b, ri.name...)
	b = append(b, ' ')
	b = append(b, ri.addr.host...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(ri.addr.port), 10)
	if ri.flags&sriMaster == 0 && ri.master != nil {
		m := ri.master
		b = append(b, " @ "...)
		b = append(b, m.name...)
		b = append(b, ' ')
		b = append(b, m.addr.host...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.addr.port), 10)
	}
	return b
}
