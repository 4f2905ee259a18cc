package geo

// Redis sorts search results with qsort when it returns them all and with
// its own pqsort when COUNT keeps fewer. Neither is a stable sort by
// distance in general (points at equal distances are common: members at
// the same position), so both are reproduced step for step: glibc 2.36's
// qsort is the top-down merge sort of stdlib/msort.c (stable; the
// quicksort fallback runs only when a temporary array cannot be
// allocated), and pqsort.c is Bentley and McIlroy's quicksort that skips
// partitions outside the wanted prefix.

// distAsc is sort_gp_asc; distDesc is sort_gp_desc.
func distAsc(a, b *Point) int {
	switch {
	case a.Dist > b.Dist:
		return 1
	case a.Dist == b.Dist:
		return 0
	default:
		return -1
	}
}

func distDesc(a, b *Point) int { return -distAsc(a, b) }

// mergeSort is msort_with_tmp; tmp has room for len(p) points.
func mergeSort(p, tmp []Point, cmp func(a, b *Point) int) {
	n := len(p)
	if n <= 1 {
		return
	}
	n1 := n / 2
	mergeSort(p[:n1], tmp, cmp)
	mergeSort(p[n1:], tmp, cmp)
	b1, b2 := p[:n1], p[n1:]
	k := 0
	for len(b1) > 0 && len(b2) > 0 {
		if cmp(&b1[0], &b2[0]) <= 0 {
			tmp[k] = b1[0]
			b1 = b1[1:]
		} else {
			tmp[k] = b2[0]
			b2 = b2[1:]
		}
		k++
	}
	k += copy(tmp[k:], b1)
	copy(p, tmp[:k]) // what is left of b2 is already in place
}

// pqsort sorts p enough that p[lo..hi] (inclusive) hold what a full sort
// would put there, exactly as Redis's pqsort.c leaves them.
func pqsort(p []Point, cmp func(a, b *Point) int, lo, hi int) {
	q := partialSort{p: p, cmp: cmp, lo: lo, hi: hi}
	q.sort(0, len(p))
}

type partialSort struct {
	p      []Point
	cmp    func(a, b *Point) int
	lo, hi int
}

func (q *partialSort) c(i, j int) int { return q.cmp(&q.p[i], &q.p[j]) }
func (q *partialSort) swap(i, j int)  { q.p[i], q.p[j] = q.p[j], q.p[i] }

// vecswap exchanges the n points from i with the n points from j.
func (q *partialSort) vecswap(i, j, n int) {
	for k := 0; k < n; k++ {
		q.swap(i+k, j+k)
	}
}

func (q *partialSort) med3(a, b, c int) int {
	if q.c(a, b) < 0 {
		if q.c(b, c) < 0 {
			return b
		}
		if q.c(a, c) < 0 {
			return c
		}
		return a
	}
	if q.c(b, c) > 0 {
		return b
	}
	if q.c(a, c) < 0 {
		return a
	}
	return c
}

// wanted is _pqsort's test of a partition [a, a+n) against the prefix: it
// is skipped when the whole range lies before it or after it.
func (q *partialSort) wanted(a, n int) bool {
	return !((q.lo < a && q.hi < a) || (q.lo >= a+n && q.hi >= a+n))
}

// sort is _pqsort on the n points from a.
func (q *partialSort) sort(a, n int) {
	for {
		if n < 7 {
			for pm := a + 1; pm < a+n; pm++ {
				for pl := pm; pl > a && q.c(pl-1, pl) > 0; pl-- {
					q.swap(pl, pl-1)
				}
			}
			return
		}
		pm := a + n/2
		if n > 7 {
			pl, pn := a, a+n-1
			if n > 40 {
				d := n / 8
				pl = q.med3(pl, pl+d, pl+2*d)
				pm = q.med3(pm-d, pm, pm+d)
				pn = q.med3(pn-2*d, pn-d, pn)
			}
			pm = q.med3(pl, pm, pn)
		}
		q.swap(a, pm)
		pa, pb := a+1, a+1
		pc, pd := a+n-1, a+n-1
		for {
			for pb <= pc {
				r := q.c(pb, a)
				if r > 0 {
					break
				}
				if r == 0 {
					q.swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := q.c(pc, a)
				if r < 0 {
					break
				}
				if r == 0 {
					q.swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			q.swap(pb, pc)
			pb++
			pc--
		}
		pn := a + n
		r := min(pa-a, pb-pa)
		q.vecswap(a, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		q.vecswap(pb, pn-r, r)
		if r = pb - pa; r > 1 && q.wanted(a, r) {
			q.sort(a, r)
		}
		if r = pd - pc; r > 1 {
			a, n = pn-r, r
			if q.wanted(a, n) {
				continue
			}
		}
		return
	}
}
