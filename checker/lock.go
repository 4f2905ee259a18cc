package checker

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// holdsByLock groups holds that span some time by lock name, locks sorted,
// holds by acquisition then process.
func holdsByLock(holds []history.Hold) (names []string, by map[string][]history.Hold) {
	by = map[string][]history.Hold{}
	for _, h := range holds {
		if h.Until <= h.From {
			continue // a validity that ran out before the acquire completed
		}
		if _, ok := by[h.Lock]; !ok {
			names = append(names, h.Lock)
		}
		by[h.Lock] = append(by[h.Lock], h)
	}
	slices.Sort(names)
	for _, hs := range by {
		slices.SortStableFunc(hs, cmpHold)
	}
	return names, by
}

func cmpHold(a, b history.Hold) int {
	if c := cmpInt64(int64(a.From), int64(b.From)); c != 0 {
		return c
	}
	if c := a.Process - b.Process; c != 0 {
		return c
	}
	return cmpInt64(int64(a.Until), int64(b.Until))
}

func checkMutualExclusion(holds []history.Hold) Result {
	names, by := holdsByLock(holds)
	overlaps := 0
	var longest time.Duration
	var first []history.Hold
	for _, name := range names {
		hs := by[name]
		for i, a := range hs {
			for _, b := range hs[i+1:] {
				if b.From >= a.Until {
					break
				}
				if b.Process == a.Process {
					continue
				}
				overlaps++
				d := min(a.Until, b.Until).Sub(b.From)
				longest = max(longest, d)
				if first == nil || b.From < first[1].From {
					first = []history.Hold{a, b}
				}
			}
		}
	}
	res := Result{Checker: "mutual-exclusion", Metrics: []Metric{
		{"holds", float64(len(holds))},
		{"overlaps", float64(overlaps)},
		{"longest_overlap_s", longest.Seconds()},
	}}
	if overlaps == 0 {
		res.Verdict = Ok
		res.Summary = fmt.Sprintf("%d holds of %d locks, none overlapping", len(holds), len(names))
		return res
	}
	a, b := first[0], first[1]
	res.Verdict = Violation
	res.Summary = fmt.Sprintf("%d overlapping holds (longest overlap %v); first: lock %q held by process %d over [%v, %v) and by process %d from %v",
		overlaps, longest, a.Lock, a.Process, a.From, a.Until, b.Process, b.From)
	res.Evidence = Evidence{Key: a.Lock, Holds: first, From: b.From, To: min(a.Until, b.Until)}
	return res
}

// holdIndex answers which hold a process's write was made under.
type holdIndex struct {
	all       []history.Hold         // by acquisition
	byProcess map[int][]history.Hold // each by acquisition
}

func newHoldIndex(hs []history.Hold) holdIndex {
	ix := holdIndex{all: hs, byProcess: map[int][]history.Hold{}}
	for _, h := range hs {
		ix.byProcess[h.Process] = append(ix.byProcess[h.Process], h)
	}
	return ix
}

// under returns process p's latest hold acquired at or before t.
func (ix holdIndex) under(p int, t clock.Time) (history.Hold, bool) {
	hs := ix.byProcess[p]
	i, _ := slices.BinarySearchFunc(hs, t, func(h history.Hold, t clock.Time) int {
		if h.From <= t {
			return -1
		}
		return 1
	})
	if i == 0 {
		return history.Hold{}, false
	}
	return hs[i-1], true
}

// otherHold returns the first hold, in acquisition order, of another process
// than p that had begun by t and had not ended by from: a hold that some other
// process had at some moment between from and t.
func (ix holdIndex) otherHold(p int, from, t clock.Time) (history.Hold, bool) {
	for _, h := range ix.all {
		if h.From > t {
			break
		}
		if h.Process != p && h.Until > from {
			return h, true
		}
	}
	return history.Hold{}, false
}

// resourceViolation is one unsafe write and what shows it.
type resourceViolation struct {
	what     string
	holds    []history.Hold
	accesses []history.Access
}

func checkResourceSafety(holds []history.Hold, writes []history.Access, fenced bool) Result {
	_, by := holdsByLock(holds)
	wByLock := map[string][]history.Access{}
	var locks []string
	for _, w := range writes {
		if _, ok := wByLock[w.Lock]; !ok {
			locks = append(locks, w.Lock)
		}
		wByLock[w.Lock] = append(wByLock[w.Lock], w)
	}
	slices.Sort(locks)
	var stale, outOfOrder, tokens int
	var first *resourceViolation
	note := func(v resourceViolation) {
		if first == nil || v.accesses[len(v.accesses)-1].At < first.accesses[len(first.accesses)-1].At {
			first = &v
		}
	}
	for _, lock := range locks {
		ws := wByLock[lock]
		slices.SortStableFunc(ws, func(a, b history.Access) int { return cmpInt64(int64(a.At), int64(b.At)) })
		ix := newHoldIndex(by[lock])
		// The write under the latest acquisition so far, and the write that
		// carried the highest token so far.
		var latest, top history.Access
		var latestHold history.Hold
		haveLatest, haveTop := false, false
		for _, w := range ws {
			h, held := ix.under(w.Process, w.At)
			from := clock.Time(math.MinInt64)
			if held {
				from = h.From
			}
			// At one write, the first rule noted is the one the summary gives:
			// the token, then the ended hold, then the order.
			if fenced && haveTop && (w.Token < top.Token || w.Token == top.Token && w.Process != top.Process) {
				tokens++
				note(resourceViolation{
					what:     fmt.Sprintf("the fenced resource accepted token %d from process %d at %v after token %d from process %d at %v", w.Token, w.Process, w.At, top.Token, top.Process, top.At),
					accesses: []history.Access{top, w},
				})
			}
			// A write outside its process's hold is stale once another
			// process has held the lock since the writer acquired (at any
			// time, for a writer that never held it): that holder may have
			// relied on being alone, before the write or while it happened.
			// A hold that ended before the writer's began relied on nothing
			// the write can break.
			if !fenced && (!held || w.At >= h.Until) {
				if h2, ok := ix.otherHold(w.Process, from, w.At); ok {
					stale++
					ended := "with no hold"
					if held {
						ended = fmt.Sprintf("whose hold [%v, %v) had ended", h.From, h.Until)
					}
					note(resourceViolation{
						what:     fmt.Sprintf("process %d wrote at %v %s, after process %d's hold [%v, %v) began", w.Process, w.At, ended, h2.Process, h2.From, h2.Until),
						holds:    holdsOf(held, h, h2),
						accesses: append(firstWriteUnder(ws, h2), w),
					})
				}
			}
			// A fenced resource orders holders by token, not by when their
			// acquire completed (a Redlock client fetches its token after
			// it records the hold), and the token rule above is that order:
			// a write after a higher token's is a token violation.
			if !fenced && haveLatest && latest.Process != w.Process && latestHold.From > from {
				outOfOrder++
				note(resourceViolation{
					what:     fmt.Sprintf("process %d's write at %v (hold from %v) came after process %d, which acquired later at %v, wrote at %v", w.Process, w.At, from, latest.Process, latestHold.From, latest.At),
					holds:    holdsOf(held, h, latestHold),
					accesses: []history.Access{latest, w},
				})
			}
			if !haveLatest || from >= latestHold.From {
				latest, latestHold, haveLatest = w, h, true
				if !held {
					latestHold.From = from
				}
			}
			if !haveTop || w.Token > top.Token {
				top, haveTop = w, true
			}
		}
	}
	kind := "unfenced"
	if fenced {
		kind = "fenced"
	}
	res := Result{Checker: "resource-safety/" + kind, Metrics: []Metric{
		{"writes", float64(len(writes))},
		{"stale_writes", float64(stale)},
		{"out_of_order_writes", float64(outOfOrder)},
		{"token_violations", float64(tokens)},
	}}
	if first == nil {
		res.Verdict = Ok
		res.Summary = fmt.Sprintf("%d writes to %d %s resources, all under a current hold and in acquisition order", len(writes), len(locks), kind)
		if fenced {
			res.Summary = fmt.Sprintf("%d writes to %d fenced resources, in token order", len(writes), len(locks))
		}
		return res
	}
	res.Verdict = Violation
	res.Summary = fmt.Sprintf("%d stale, %d out of order, %d token violations in %d writes; first: %s", stale, outOfOrder, tokens, len(writes), first.what)
	slices.SortStableFunc(first.accesses, func(a, b history.Access) int { return cmpInt64(int64(a.At), int64(b.At)) })
	ev := Evidence{Holds: first.holds, Accesses: first.accesses, From: clock.Time(math.MaxInt64)}
	for _, h := range ev.Holds {
		ev.From = min(ev.From, h.From)
	}
	for _, a := range ev.Accesses {
		ev.Key = a.Lock
		ev.From = min(ev.From, a.At)
		ev.To = max(ev.To, a.At)
	}
	res.Evidence = ev
	return res
}

func holdsOf(held bool, h, other history.Hold) []history.Hold {
	if !held {
		return []history.Hold{other}
	}
	hs := []history.Hold{h, other}
	slices.SortStableFunc(hs, cmpHold)
	return hs
}

// firstWriteUnder returns the first write made under hold h, if any.
func firstWriteUnder(ws []history.Access, h history.Hold) []history.Access {
	for _, w := range ws {
		if w.Process == h.Process && w.At >= h.From && w.At < h.Until {
			return []history.Access{w}
		}
	}
	return nil
}
