package redisdiff

import (
	"bytes"
	"regexp"
	"slices"

	"github.com/redsim/redsim/nodes/resp"
)

// Equal reports whether two raw replies agree under m.
func (m Match) Equal(want, got []byte) bool {
	if m.Shape {
		return sameShape(want, got)
	}
	if bytes.Equal(want, got) {
		return true
	}
	if !m.Sort && m.Within == 0 && !m.Mask {
		return false
	}
	wv, ok1 := parseReply(want)
	gv, ok2 := parseReply(got)
	if !ok1 || !ok2 {
		return false
	}
	if m.Mask {
		mask(&wv)
		mask(&gv)
	}
	if m.Within > 0 {
		within(&wv, &gv, m.Within)
	}
	if m.Sort {
		sortInnermost(&wv)
		sortInnermost(&gv)
	}
	return bytes.Equal(resp.AppendValue(nil, wv), resp.AppendValue(nil, gv))
}

// sameShape compares the type bytes and, for arrays, the element counts
// (the first line).
func sameShape(want, got []byte) bool {
	if len(want) == 0 || len(got) == 0 || want[0] != got[0] {
		return false
	}
	switch want[0] {
	case '*', '%', '~', '>':
		return bytes.Equal(firstLine(want), firstLine(got))
	}
	return true
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\r'); i >= 0 {
		return b[:i]
	}
	return b
}

func parseReply(raw []byte) (resp.Value, bool) {
	r := resp.NewReplyReader()
	r.Feed(raw)
	v, ok, err := r.Next()
	return v, ok && err == nil && r.Buffered() == 0
}

// within makes g's integers equal to w's where they differ by at most n,
// walking both trees in step.
func within(w, g *resp.Value, n int64) {
	if w.Kind == resp.KindInt && g.Kind == resp.KindInt {
		if d := w.Int - g.Int; d >= -n && d <= n {
			g.Int = w.Int
		}
		return
	}
	if len(w.Elems) != len(g.Elems) {
		return
	}
	for i := range w.Elems {
		within(&w.Elems[i], &g.Elems[i], n)
	}
}

// sortInnermost sorts, by their encoding, the elements of every aggregate
// none of whose elements is an aggregate.
func sortInnermost(v *resp.Value) {
	if len(v.Elems) == 0 {
		return
	}
	leaf := true
	for i := range v.Elems {
		if isAggregate(v.Elems[i].Kind) {
			leaf = false
			sortInnermost(&v.Elems[i])
		}
	}
	if !leaf {
		return
	}
	enc := make([][]byte, len(v.Elems))
	for i := range v.Elems {
		enc[i] = resp.AppendValue(nil, v.Elems[i])
	}
	idx := make([]int, len(v.Elems))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return bytes.Compare(enc[a], enc[b]) })
	sorted := make([]resp.Value, len(v.Elems))
	for i, j := range idx {
		sorted[i] = v.Elems[j]
	}
	v.Elems = sorted
}

func isAggregate(k resp.Kind) bool {
	return k == resp.KindArray || k == resp.KindMap || k == resp.KindSet || k == resp.KindPush
}

var (
	maskAddr = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+`)
	maskTime = regexp.MustCompile(`^\d+\.\d{6} `)
	// DEBUG OBJECT's address and LRU fields.
	maskObject = regexp.MustCompile(`at:0x[0-9a-f]+|lru:\d+ lru_seconds_idle:\d+`)
)

// mask replaces client addresses and a leading MONITOR timestamp in every
// string of v with fixed text.
func mask(v *resp.Value) {
	if v.Str != nil {
		v.Str = maskTime.ReplaceAll(v.Str, []byte("<time> "))
		v.Str = maskAddr.ReplaceAll(v.Str, []byte("<addr>"))
		v.Str = maskObject.ReplaceAll(v.Str, []byte("<masked>"))
	}
	for i := range v.Elems {
		mask(&v.Elems[i])
	}
}
