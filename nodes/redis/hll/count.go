package hll

import "math"

// alphaInf is HLL_ALPHA_INF, 0.5/ln(2).
const alphaInf = 0.721347520444481703680

// Count is PFCOUNT of one existing key: the integer reply and the value to
// store back. A valid cached cardinality is returned as it is and h is
// left alone; otherwise the estimate is computed, written into h's header
// in place and modified is true (Redis then signals the key and counts a
// change, which propagates the new bytes). The reply is the 64-bit cache
// read as a signed integer, so an estimate that overflows shows as
// math.MinInt64, as in Redis.
func Count(h []byte) (reply int64, out []byte, modified bool, err error) {
	if err := Check(h); err != nil {
		return 0, h, false, err
	}
	if cacheValid(h) {
		return int64(cachedCard(h)), h, false, nil
	}
	var histo [64]int
	if h[4] == encDense {
		denseHisto(h[hdrSize:], &histo)
	} else if !sparseHisto(h, &histo) {
		return 0, h, false, ErrInvalid
	}
	card := estimate(&histo)
	setCachedCard(h, card)
	return int64(card), h, true, nil
}

// estimate is the estimator of hllCount (Otmar Ertl, "New cardinality
// estimation algorithms for HyperLogLog sketches", arXiv:1702.01284) on a
// register histogram. Register values above 51 count nowhere, as in Redis.
func estimate(histo *[64]int) uint64 {
	const m = float64(Registers)
	z := m * tau((m-float64(histo[hashBits+1]))/m)
	for j := hashBits; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	// The conversions keep Go from fusing a multiply and an add, which C
	// (built for x86-64 without FMA) rounds separately.
	z += float64(m * sigma(float64(histo[0])/m))
	return llroundToCard(alphaInf * m * m / z)
}

// llroundToCard is (uint64_t)(double)llroundl(e) on x86-64: half away from
// zero, and an estimate beyond the range of long long (an infinity when
// every register is at 51 or more) becomes LLONG_MIN, whose bits are 1<<63.
func llroundToCard(e float64) uint64 {
	if !(e > -(1<<63) && e < 1<<63) {
		return 1 << 63
	}
	return uint64(int64(math.Round(e)))
}

// sigma is hllSigma.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

// tau is hllTau; pow(1-x, 2) is compiled by GCC as a plain square.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}
