package sim

import (
	"encoding/binary"
	"io"
	"strconv"

	"github.com/redsim/redsim/clock"
)

// Kind is the type of a trace event.
type Kind uint8

// The trace event kinds. Later layers add client operations as KindOp.
const (
	KindTimer Kind = iota + 1
	KindDeliver
	KindDial
	KindAccept
	KindOpen
	KindRefused
	KindDialTimeout
	KindClose
	KindReset
	KindStart
	KindCrash
	KindKill
	KindStop
	KindExit
	KindPause
	KindResume
	KindFault
	KindSync
	KindLog
	KindOp
	KindNote
	KindProbe
	// KindSite is a fault site's first firing in a world (Site.Fire).
	KindSite
)

var kindNames = [...]string{
	KindTimer: "timer", KindDeliver: "deliver", KindDial: "dial", KindAccept: "accept",
	KindOpen: "open", KindRefused: "refused", KindDialTimeout: "dial-timeout",
	KindClose: "close", KindReset: "reset", KindStart: "start", KindCrash: "crash",
	KindKill: "kill", KindStop: "stop", KindExit: "exit", KindPause: "pause",
	KindResume: "resume", KindFault: "fault", KindSync: "fsync", KindLog: "log",
	KindOp: "op", KindNote: "note", KindProbe: "probe", KindSite: "buggify",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// Level orders events by how much a reader wants them.
type Level uint8

const (
	// LevelDebug is for the bulk: deliveries and timer firings.
	LevelDebug Level = iota
	// LevelInfo is for connection and process lifecycle, logs and operations.
	LevelInfo
	// LevelFault is for injected faults.
	LevelFault
	// LevelNone keeps nothing.
	LevelNone
)

// Event is one trace record. Which of A, B and Text are set depends on Kind.
type Event struct {
	At    clock.Time
	Kind  Kind
	Level Level
	// Proc is the process the event happened to, -1 for the world.
	Proc    int32
	A, B, C int64
	Text    string
}

// Trace hashes every event and keeps or prints those at or above a level.
type Trace struct {
	hash  uint64
	count uint64
	// keep is the lowest level stored in Events; print the lowest written to out.
	keep, print Level
	out         io.Writer
	names       func(proc int32) string
	Events      []Event
	line        []byte
}

func newTrace() *Trace {
	return &Trace{hash: 0x9e3779b97f4a7c15, keep: LevelNone, print: LevelNone}
}

// Keep stores the events at or above level in Events (for a later comparison).
func (t *Trace) Keep(level Level) { t.keep = level }

// Print writes the events at or above level to out, one line each.
func (t *Trace) Print(out io.Writer, level Level) { t.out, t.print = out, level }

// Hash is the running hash of every event so far.
func (t *Trace) Hash() uint64 { return t.hash }

// Count is the number of events so far.
func (t *Trace) Count() uint64 { return t.count }

// Add records ev.
func (t *Trace) Add(ev Event) {
	t.count++
	// One finalizer per event over a weighted sum of its fields: distinct odd
	// weights keep a value moved from one field to another from hashing alike.
	h := t.hash + uint64(ev.At)*0x9e3779b97f4a7c15 + (uint64(ev.Kind)<<32|uint64(uint32(ev.Proc)))*0xc2b2ae3d27d4eb4f +
		uint64(ev.A)*0x165667b19e3779f9 + uint64(ev.B)*0xd6e8feb86659fd93 + uint64(ev.C)*0xff51afd7ed558ccd
	if ev.Text != "" {
		h += hashString(ev.Text)
	}
	h = mix64(h)
	t.hash = h
	if ev.Level >= t.keep {
		t.Events = append(t.Events, ev)
	}
	if t.out != nil && ev.Level >= t.print {
		t.line = t.AppendEvent(t.line[:0], &ev)
		t.line = append(t.line, '\n')
		t.out.Write(t.line)
	}
}

// AppendEvent formats ev as one line.
func (t *Trace) AppendEvent(b []byte, ev *Event) []byte {
	b = ev.At.AppendTo(b)
	b = append(b, ' ')
	b = append(b, ev.Kind.String()...)
	if ev.Proc >= 0 && t.names != nil {
		b = append(b, ' ')
		b = append(b, t.names(ev.Proc)...)
	}
	switch ev.Kind {
	case KindTimer:
		b = append(b, " timer="...)
		b = strconv.AppendInt(b, ev.A, 10)
	case KindDeliver:
		b = append(b, " conn="...)
		b = strconv.AppendInt(b, ev.A, 10)
		b = append(b, " bytes="...)
		b = strconv.AppendInt(b, ev.B, 10)
	case KindStart, KindExit, KindCrash, KindKill:
		b = append(b, " incarnation="...)
		b = strconv.AppendInt(b, ev.A, 10)
	default:
		if ev.A != 0 || ev.B != 0 {
			b = append(b, " conn="...)
			b = strconv.AppendInt(b, ev.A, 10)
		}
	}
	if ev.Text != "" {
		b = append(b, ' ')
		b = append(b, ev.Text...)
	}
	return b
}

// Format returns ev as one line.
func (t *Trace) Format(ev *Event) string { return string(t.AppendEvent(nil, ev)) }

// HashBytes is a fast deterministic 64-bit hash of p, for putting delivered
// payloads into trace events.
func HashBytes(p []byte) int64 {
	h := uint64(len(p)) * 0x9e3779b97f4a7c15
	for len(p) >= 8 {
		h = mix64(h ^ binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	var tail uint64
	for i, c := range p {
		tail |= uint64(c) << (8 * i)
	}
	return int64(mix64(h ^ tail))
}

// FirstDifference compares two traces that kept every event and describes
// the first event at which they differ, or returns "" when they are the same.
func FirstDifference(a, b *Trace) string {
	n := min(len(a.Events), len(b.Events))
	for i := 0; i < n; i++ {
		if a.Events[i] != b.Events[i] {
			return "first difference at event " + strconv.Itoa(i+1) + ":\n  run 1: " + a.Format(&a.Events[i]) + "\n  run 2: " + b.Format(&b.Events[i])
		}
	}
	if len(a.Events) != len(b.Events) {
		return "run 1 kept " + strconv.Itoa(len(a.Events)) + " events, run 2 kept " + strconv.Itoa(len(b.Events))
	}
	if a.hash != b.hash {
		return "the hashes differ in events not kept"
	}
	return ""
}
