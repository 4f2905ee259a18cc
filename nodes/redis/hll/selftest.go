package hll

import (
	"encoding/binary"
	"fmt"
	"math"
)

// selfTestCycles is HLL_TEST_CYCLES.
const selfTestCycles = 1000

// SelfTest is PFSELFTEST: nil for +OK, or the error to reply
// ("ERR TESTFAILED ..."). rand stands for C's rand(), a value in
// [0, 2^31), and should draw from the node's PRNG stream; sparseMaxBytes
// is hll-sparse-max-bytes, which the test consults (it fails, as Redis's
// does, when that setting is so small that one element promotes a value
// the test expects to be sparse). Like Redis it sets and reads back
// 16 million random registers and adds ten million elements to a dense and
// a sparse value, so it takes a good fraction of a second.
func SelfTest(rand func() uint32, sparseMaxBytes int) error {
	// Test 1: registers keep what is written to them, without touching
	// their neighbours.
	regs := make([]byte, denseSize-hdrSize)
	var want [Registers]uint8
	for range selfTestCycles {
		for i := range want {
			r := uint8(rand() & regMax)
			want[i] = r
			densePut(regs, i, r)
		}
		for i, w := range want {
			if v := denseGet(regs, i); v != w {
				return fmt.Errorf("ERR TESTFAILED Register %d should be %d but is %d", i, w, v)
			}
		}
	}

	// Test 2: the estimate stays within six standard errors, and the
	// sparse and dense encodings agree.
	dense := make([]byte, denseSize)
	sparse := New()
	relErr := 1.04 / math.Sqrt(Registers)
	checkpoint := int64(1)
	seed := uint64(rand())
	seed |= uint64(rand()) << 32
	var ele [8]byte
	for j := uint64(1); j <= 10_000_000; j++ {
		binary.LittleEndian.PutUint64(ele[:], j^seed)
		index, count := patLen(ele[:])
		denseSet(dense[hdrSize:], index, count)
		sparse, _ = addOne(sparse, ele[:], sparseMaxBytes)
		if int64(j) != checkpoint {
			continue
		}
		if j < uint64(sparseMaxBytes)/2 && sparse[4] != encSparse {
			return fmt.Errorf("ERR TESTFAILED sparse encoding not used")
		}
		card := countAny(dense)
		if card != countAny(sparse) {
			return fmt.Errorf("ERR TESTFAILED dense/sparse disagree")
		}
		absErr := checkpoint - int64(card)
		maxErr := uint64(math.Ceil(relErr * 6 * float64(checkpoint)))
		if j == 10 {
			// Collisions make a larger error at 10 likely enough to
			// report falsely otherwise.
			maxErr = 1
		}
		if absErr < 0 {
			absErr = -absErr
		}
		if absErr > int64(maxErr) {
			return fmt.Errorf("ERR TESTFAILED Too big error. card:%d abserr:%d", checkpoint, absErr)
		}
		checkpoint *= 10
	}
	return nil
}

// countAny is hllCount without the cache: the estimate of a dense or
// sparse value (a sparse one that does not add up counts what it holds).
func countAny(h []byte) uint64 {
	var histo [64]int
	if h[4] == encDense {
		denseHisto(h[hdrSize:], &histo)
	} else {
		sparseHisto(h, &histo)
	}
	return estimate(&histo)
}
