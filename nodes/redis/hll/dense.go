package hll

// The dense encoding packs register i into bits 6i..6i+5 of the body,
// starting from the least significant bit of each byte. Redis reads and
// writes the byte after a register's first byte unconditionally, relying
// on the sds terminator after the last one; the last register lies in one
// byte, so skipping the access past the body changes nothing.

// denseGet is HLL_DENSE_GET_REGISTER on a dense body.
func denseGet(regs []byte, i int) uint8 {
	b := i * regBits / 8
	fb := uint(i * regBits & 7)
	v := uint(regs[b]) >> fb
	if b+1 < len(regs) {
		v |= uint(regs[b+1]) << (8 - fb)
	}
	return uint8(v & regMax)
}

// densePut is HLL_DENSE_SET_REGISTER: v must be at most 63.
func densePut(regs []byte, i int, v uint8) {
	b := i * regBits / 8
	fb := uint(i * regBits & 7)
	regs[b] &^= byte(regMax << fb)
	regs[b] |= byte(uint(v) << fb)
	if b+1 < len(regs) {
		regs[b+1] &^= byte(regMax >> (8 - fb))
		regs[b+1] |= byte(uint(v) >> (8 - fb))
	}
}

// denseSet is hllDenseSet: it raises register i to count and reports
// whether that changed it.
func denseSet(regs []byte, i int, count uint8) bool {
	if count > denseGet(regs, i) {
		densePut(regs, i, count)
		return true
	}
	return false
}

// denseHisto is hllDenseRegHisto: four registers per three bytes. Each of
// the four goes to its own histogram, so that runs of equal registers do
// not wait on one counter; the sums are the same.
func denseHisto(regs []byte, histo *[64]int) {
	var h [4][64]int32
	regs = regs[:Registers*regBits/8]
	for j := 0; j+2 < len(regs); j += 3 {
		r0, r1, r2 := regs[j], regs[j+1], regs[j+2]
		h[0][r0&63]++
		h[1][(r0>>6|r1<<2)&63]++
		h[2][(r1>>4|r2<<4)&63]++
		h[3][r2>>2]++
	}
	for v := range histo {
		histo[v] += int(h[0][v] + h[1][v] + h[2][v] + h[3][v])
	}
}

// denseMax raises each of max's registers to the dense body's (the dense
// half of hllMerge).
func denseMax(max *[Registers]uint8, regs []byte) {
	regs = regs[:Registers*regBits/8]
	for j, i := 0, 0; j+2 < len(regs); j, i = j+3, i+4 {
		r0, r1, r2 := regs[j], regs[j+1], regs[j+2]
		v := [4]uint8{r0 & 63, (r0>>6 | r1<<2) & 63, (r1>>4 | r2<<4) & 63, r2 >> 2}
		for k, x := range v {
			if x > max[i+k] {
				max[i+k] = x
			}
		}
	}
}
