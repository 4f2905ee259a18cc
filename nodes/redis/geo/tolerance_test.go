package geo_test

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis/geo"
	"github.com/redsim/redsim/nodes/redis/zset"
)

// The differential tests' one tolerance. Redis takes sin, cos and asin
// from the C library; this package computes them correctly rounded, and
// the C library's results are within one ulp of those (TestTrigAgainstLibm
// checks it, and finds them equal in all but about 0.1% of calls). A
// reply of the real server that differs from ours is accepted when such a
// one-ulp difference explains it, and counted; everything else must match
// byte for byte. What a one-ulp difference can change:
//
//   - a printed distance: GEODIST and WITHDIST must lie between the
//     distances printed for each trigonometric result moved one ulp down,
//     and each moved one ulp up (geo.DistanceBounds), near the antipode
//     some decimetres apart;
//   - the members a search finds, for a member on the edge of the shape
//     (geo.Shape.WithinCases) or when the cells scanned depend on the
//     bounding box's cosines (geo.SearchRangesNudged);
//   - the order of members sorted by distance, for members whose distance
//     bounds overlap, and so which of them COUNT keeps.
//
// Coordinates, hashes, members that no such difference can move, and the
// scan order of unsorted replies are compared exactly.

// libmTally counts the compared replies, and those that differed from
// ours only as a libm one ulp off explains, by reason.
type libmTally struct {
	what     string
	compared int
	reasons  map[string]int
}

func newTally(what string) *libmTally { return &libmTally{what: what, reasons: map[string]int{}} }

func (c *libmTally) log(t *testing.T) {
	t.Helper()
	total := 0
	var parts []string
	for _, reason := range slices.Sorted(maps.Keys(c.reasons)) {
		total += c.reasons[reason]
		parts = append(parts, reason+": "+strconv.Itoa(c.reasons[reason]))
	}
	detail := ""
	if len(parts) > 0 {
		detail = " (" + strings.Join(parts, ", ") + ")"
	}
	t.Logf("%s: %d of %d replies differed from ours only as the C library's last-bit rounding of sin, cos or asin explains%s",
		c.what, total, c.compared, detail)
}

// distanceExplained reports whether got and want, the distances Redis
// and this package print for the two points in unit, are both ones that
// a libm one ulp off can print. (Ours always is, unless Distance has
// drifted from the tests' copy of its formula.)
func distanceExplained(got, want string, unit geo.Unit, lon1, lat1, lon2, lat2 float64) bool {
	lo, hi := geo.DistanceBounds(lon1, lat1, lon2, lat2)
	return printedBetween(got, unit, lo, hi) && printedBetween(want, unit, lo, hi)
}

// printedBetween reports whether got lies between lo and hi (meters)
// as printed in unit; hi = +Inf admits NaN's LLONG_MIN.
func printedBetween(got string, unit geo.Unit, lo, hi float64) bool {
	if math.IsInf(hi, 1) && got == geo.FormatDistance(math.NaN()) {
		return true
	}
	g, err := strconv.ParseFloat(got, 64)
	if err != nil {
		return false
	}
	l, _ := strconv.ParseFloat(geo.FormatDistance(lo/float64(unit)), 64)
	h := math.Inf(1)
	if !math.IsInf(hi, 1) {
		h, _ = strconv.ParseFloat(geo.FormatDistance(hi/float64(unit)), 64)
	}
	return l <= g && g <= h
}

// item is one point of a search reply, its fields as printed ("" when
// not asked for).
type item struct {
	member, dist, hash, coord string
}

// redisItems reads the items of a search reply as go-redis decodes it.
func redisItems(reply any, with [3]bool) ([]item, bool) {
	list, ok := reply.([]any)
	if !ok {
		return nil, false
	}
	var items []item
	for _, e := range list {
		if !(with[0] || with[1] || with[2]) {
			m, ok := e.(string)
			if !ok {
				return nil, false
			}
			items = append(items, item{member: m})
			continue
		}
		fields, ok := e.([]any)
		if !ok || len(fields) == 0 {
			return nil, false
		}
		var it item
		if it.member, ok = fields[0].(string); !ok {
			return nil, false
		}
		fields = fields[1:]
		for i, dst := range []*string{&it.dist, &it.hash, &it.coord} {
			if !with[i] {
				continue
			}
			if len(fields) == 0 {
				return nil, false
			}
			*dst = render(fields[0], nil)
			fields = fields[1:]
		}
		if len(fields) != 0 {
			return nil, false
		}
		items = append(items, it)
	}
	return items, true
}

// ourItems are the items of c's reply from Query.Run.
func (c *searchCase) ourItems(l *loaded) []item {
	var items []item
	for _, p := range c.q.Run(l.set) {
		it := item{member: p.Member}
		if c.with[0] {
			it.dist = geo.FormatDistance(p.Dist / float64(c.q.Shape.Unit))
		}
		if c.with[1] {
			it.hash = strconv.FormatInt(int64(p.Score), 10)
		}
		if c.with[2] {
			it.coord = "[" + geo.FormatCoord(p.Lon) + " " + geo.FormatCoord(p.Lat) + "]"
		}
		items = append(items, it)
	}
	return items
}

// renderItems prints items as render prints the reply they come from.
func (c *searchCase) renderItems(items []item) string {
	var b strings.Builder
	b.WriteByte('[')
	nested := c.with[0] || c.with[1] || c.with[2]
	for i, it := range items {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !nested {
			b.WriteString(it.member)
			continue
		}
		b.WriteByte('[')
		b.WriteString(it.member)
		for _, f := range []string{it.dist, it.hash, it.coord} {
			if f != "" {
				b.WriteString(" " + f)
			}
		}
		b.WriteByte(']')
	}
	b.WriteByte(']')
	return b.String()
}

// explain returns how a libm one ulp off explains that Redis's items
// (got) differ from ours, or false when nothing of the kind does.
func (c *searchCase) explain(l *loaded, got, ours []item) (string, bool) {
	s := c.q.Shape
	reasons := map[string]bool{}
	because := func(r string) { reasons[r] = true }
	// The cells Redis scans, with the bounding box's cosines as here and
	// one ulp up or down; a member only some of them scan is on the edge.
	variants := [][]zset.ScoreRange{geo.SearchRanges(s), geo.SearchRangesNudged(s, -1), geo.SearchRangesNudged(s, 1)}
	cellsMove := !slices.Equal(variants[0], variants[1]) || !slices.Equal(variants[0], variants[2])
	// Every member those cells hold: its distance bounds, and whether it
	// is on the shape's edge.
	type candidate struct {
		lo, hi   float64
		edge     bool
		variants uint // a bit for each variant that scans the member
	}
	all := uint(1)<<len(variants) - 1
	cands := map[string]*candidate{}
	for vi, ranges := range variants {
		for _, r := range ranges {
			for m, score := range l.set.RangeByScore(r, false, 0, -1) {
				if cd, ok := cands[m]; ok {
					cd.variants |= 1 << vi
					continue
				}
				lon, lat := geo.Decode(score)
				in, out := s.WithinCases(lon, lat)
				lo, hi := geo.DistanceBounds(s.Lon, s.Lat, lon, lat)
				cands[m] = &candidate{lo: lo, hi: hi, edge: in && out, variants: 1 << vi}
			}
		}
	}
	anyEdge := false
	for _, cd := range cands {
		cd.edge = cd.edge || cd.variants != all
		anyEdge = anyEdge || cd.edge
	}
	overlap := func(a, b string) bool {
		ca, cb := cands[a], cands[b]
		return ca.lo <= cb.hi && cb.lo <= ca.hi
	}
	index := func(items []item) map[string]int {
		m := map[string]int{}
		for i, it := range items {
			m[it.member] = i
		}
		return m
	}
	gotAt, oursAt := index(got), index(ours)
	if len(gotAt) != len(got) || len(oursAt) != len(ours) {
		return "", false // a member twice
	}

	// Members on one side only: on the edge, or (COUNT without ANY)
	// swapped across the cut with one on the other side.
	var onlyGot, onlyOurs []string
	for _, it := range got {
		if _, ok := oursAt[it.member]; !ok {
			onlyGot = append(onlyGot, it.member)
		}
	}
	for _, it := range ours {
		if _, ok := gotAt[it.member]; !ok {
			onlyOurs = append(onlyOurs, it.member)
		}
	}
	if len(onlyGot)+len(onlyOurs) > 0 && c.q.Any && anyEdge {
		// An edge member moves where ANY stops the scan.
		because("edge of the shape")
		if cellsMove {
			because("cells scanned")
		}
		return strings.Join(slices.Sorted(maps.Keys(reasons)), " and "), true
	}
	cut := c.q.Count != 0 && !c.q.Any
	for _, side := range [][2][]string{{onlyGot, onlyOurs}, {onlyOurs, onlyGot}} {
		for _, m := range side[0] {
			cd, ok := cands[m]
			switch {
			case !ok:
				return "", false
			case cd.variants != all:
				because("cells scanned")
			case cd.edge:
				because("edge of the shape")
			case cut && slices.ContainsFunc(side[1], func(o string) bool { return overlap(m, o) }):
				because("COUNT cut")
			default:
				return "", false
			}
		}
	}

	// The members both found: in the same scan order when unsorted (unless
	// the cells move); when sorted, any two that changed places have
	// overlapping distances.
	var common []item
	for _, it := range got {
		if _, ok := oursAt[it.member]; ok {
			common = append(common, it)
		}
	}
	sorted := c.q.Order != geo.Unordered || cut
	for i, a := range common {
		if _, ok := cands[a.member]; !ok {
			return "", false
		}
		for _, b := range common[i+1:] {
			if oursAt[a.member] < oursAt[b.member] {
				continue
			}
			switch {
			case !sorted && cellsMove:
				because("cells scanned")
			case !sorted || !overlap(a.member, b.member):
				return "", false
			default:
				because("order of close distances")
			}
		}
		o := ours[oursAt[a.member]]
		if a.hash != o.hash || a.coord != o.coord {
			return "", false
		}
		if a.dist != o.dist {
			cd := cands[a.member]
			if !printedBetween(a.dist, s.Unit, cd.lo, cd.hi) || !printedBetween(o.dist, s.Unit, cd.lo, cd.hi) {
				return "", false
			}
			because("WITHDIST digits")
		}
	}
	return strings.Join(slices.Sorted(maps.Keys(reasons)), " and "), len(reasons) > 0
}

// TestToleranceChecker shows that the tolerance admits what a libm one
// ulp off does and nothing else, on replies made up from ours: a WITHDIST
// at either end of a near-antipodal member's bounds passes; a distance
// past them, a changed coordinate, two far-apart members swapped and a
// member left out do not.
func TestToleranceChecker(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	l := loadLocal(t, "tolerance", genPoints(r, 600))
	for _, p := range l.pts {
		lon, lat := geo.Decode(l.scores[p.member])
		c := &searchCase{
			q:    geo.Query{Shape: geo.Shape{Lon: lon, Lat: lat, Unit: geo.Meters, Radius: 2.1e7}, Order: geo.Desc},
			with: [3]bool{true, false, true},
		}
		ours := c.ourItems(l)
		if len(ours) < 3 {
			continue
		}
		// The farthest member, near the antipode: do its bounds print
		// differently?
		far := ours[0]
		flon, flat := geo.Decode(l.scores[far.member])
		lo, hi := geo.DistanceBounds(lon, lat, flon, flat)
		if geo.FormatDistance(lo) == geo.FormatDistance(hi) {
			continue
		}
		edit := func(f func(items []item)) []item {
			got := slices.Clone(ours)
			f(got)
			return got
		}
		for _, d := range []string{geo.FormatDistance(lo), geo.FormatDistance(hi)} {
			if d == far.dist {
				continue
			}
			got := edit(func(items []item) { items[0].dist = d })
			if reason, ok := c.explain(l, got, ours); !ok || reason != "WITHDIST digits" {
				t.Errorf("WITHDIST %s for %s within its bounds [%v, %v]: %q, %v", d, far.member, lo, hi, reason, ok)
			}
		}
		past := strconv.FormatFloat(hi+0.001, 'f', 4, 64)
		last := len(ours) - 1
		for name, got := range map[string][]item{
			"a distance past the bounds": edit(func(items []item) { items[0].dist = past }),
			"a changed coordinate":       edit(func(items []item) { items[0].coord = "[0 0]" }),
			"far-apart members swapped":  edit(func(items []item) { items[0], items[last] = items[last], items[0] }),
			"a member left out":          edit(func(items []item) { copy(items[1:], items[2:]) })[:last],
		} {
			if reason, ok := c.explain(l, got, ours); ok {
				t.Errorf("%s passed as %q", name, reason)
			}
		}
		return
	}
	t.Fatal("no near-antipodal member whose distance bounds print differently")
}
