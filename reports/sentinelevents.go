package reports

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// eventsView is the report's timeline of the sentinels' events, with the
// faults of the schedule between them: every event that tells what the
// sentinels concluded or did, and a count of the routine ones hidden.
type eventsView struct {
	Rows []eventRow
	// Shown counts the events in Rows; Hidden the routine ones left out,
	// and HiddenBy says of which types ("+slave ×40, +sentinel ×20").
	Shown, Hidden int
	HiddenBy      string
}

// eventRow is a fault starting or ending, or one sentinel's events of one
// type at one instant (several instances going SDOWN at once are one row).
type eventRow struct {
	At       string
	Sentinel string
	Type     string
	Msgs     []string
	// Fault is the fault's text on a fault's row.
	Fault string
	// Key marks the events that change who the master is or whether the
	// sentinels can act: ODOWN, TILT, elections, switches and aborts.
	Key bool
	at  time.Duration
}

// routineEvents are published while the sentinels discover the deployment
// and keep their tables up to date; they say nothing about a failover.
var routineEvents = map[string]bool{
	"+monitor": true, "+slave": true, "+sentinel": true, "+reboot": true,
	"+role-change": true, "-role-change": true, "+fix-slave-config": true,
	"+sentinel-address-switch": true, "+sentinel-address-update": true,
	"+sentinel-invalid-addr": true, "-dup-sentinel": true, "+set": true,
}

// routineEvent reports whether e is hidden from the timeline: a routine
// type, or another sentinel going SDOWN or coming back (the sentinels'
// view of their masters and replicas is what the timeline shows).
func routineEvent(e SentinelEvent) bool {
	if routineEvents[e.Type] {
		return true
	}
	return (e.Type == "+sdown" || e.Type == "-sdown") && strings.HasPrefix(e.Msg, "sentinel ")
}

func keyEvent(typ string) bool {
	switch typ {
	case "+odown", "+tilt", "-tilt", "+try-failover", "+elected-leader", "+switch-master",
		"+promoted-slave", "+convert-to-slave", "+config-update-from", "+failover-end", "+failover-end-for-timeout":
		return true
	}
	return strings.HasPrefix(typ, "-failover-abort")
}

// sentinelEvents is the timeline of r's sentinel events, nil when it has
// none.
func sentinelEvents(r *Run) *eventsView {
	if len(r.SentinelEvents) == 0 {
		return nil
	}
	v := &eventsView{}
	hidden := map[string]int{}
	for _, e := range r.SentinelEvents {
		if routineEvent(e) {
			typ := e.Type
			if strings.HasPrefix(e.Msg, "sentinel ") && (typ == "+sdown" || typ == "-sdown") {
				typ += " sentinel"
			}
			hidden[typ]++
			v.Hidden++
			continue
		}
		v.Shown++
		at := e.At.Duration()
		if n := len(v.Rows); n > 0 {
			last := &v.Rows[n-1]
			if last.at == at && last.Sentinel == e.Host && last.Type == e.Type {
				last.Msgs = append(last.Msgs, e.Msg)
				continue
			}
		}
		v.Rows = append(v.Rows, eventRow{At: instant(at), Sentinel: e.Host, Type: e.Type, Msgs: []string{e.Msg}, Key: keyEvent(e.Type), at: at})
	}
	var faults []eventRow
	for _, f := range r.Faults {
		faults = append(faults, eventRow{At: instant(f.At), Fault: "fault: " + f.Text, at: f.At})
		if f.End != f.At {
			faults = append(faults, eventRow{At: instant(f.End), Fault: "fault ends: " + f.Text, at: f.End})
		}
	}
	// Faults go before the events of their instant: they caused them.
	rows := append(faults, v.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at < rows[j].at })
	v.Rows = rows
	types := make([]string, 0, len(hidden))
	for t := range hidden {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if hidden[types[i]] != hidden[types[j]] {
			return hidden[types[i]] > hidden[types[j]]
		}
		return types[i] < types[j]
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = t + " ×" + strconv.Itoa(hidden[t])
	}
	v.HiddenBy = strings.Join(parts, ", ")
	return v
}
