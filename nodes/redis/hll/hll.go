package hll

import (
	"encoding/binary"
	"errors"
)

// Registers is the number of registers of every HyperLogLog (HLL_REGISTERS):
// 2^14, indexed by the low 14 bits of an element's hash.
const Registers = 1 << precision

// DefaultSparseMaxBytes is the default of hll-sparse-max-bytes: the size,
// header included, beyond which a sparse value is promoted to dense.
const DefaultSparseMaxBytes = 3000

const (
	precision = 14                            // HLL_P
	hashBits  = 64 - precision                // HLL_Q
	regBits   = 6                             // HLL_BITS
	regMax    = 1<<regBits - 1                // HLL_REGISTER_MAX
	hdrSize   = 16                            // magic, encoding, 3 unused, card
	denseSize = hdrSize + Registers*regBits/8 // HLL_DENSE_SIZE: 12304

	encDense  = 0
	encSparse = 1

	// cacheStale is the bit of the cached cardinality's last byte that
	// marks it stale (HLL_INVALIDATE_CACHE).
	cacheStale = 0x80
)

// The errors carry Redis's reply text without the leading '-', ready for
// an error reply.
var (
	// ErrWrongType is isHLLObjectOrReply's reply for a string that is not
	// an HLL: shorter than the header, a magic other than "HYLL", an
	// encoding byte other than 0 or 1, or a dense value of the wrong size.
	ErrWrongType = errors.New("WRONGTYPE Key is not a valid HyperLogLog string value.")
	// ErrInvalid is the reply for a sparse value whose opcodes do not
	// cover exactly Registers registers.
	ErrInvalid = errors.New("INVALIDOBJ Corrupted HLL object detected")
)

// New returns the value PFADD creates for a missing key before adding
// to it: createHLLObject's sparse value, one XZERO opcode covering every
// register, with the cached cardinality (0) already marked stale, as
// PFADD leaves it even when given no elements. The reply to PFADD on a
// missing key is 1 whatever Add reports.
func New() []byte {
	h := make([]byte, hdrSize+2, hdrSize+64)
	copy(h, "HYLL")
	h[4] = encSparse
	invalidate(h)
	putXZero(h[hdrSize:], Registers)
	return h
}

// Check is isHLLObjectOrReply for a string value: nil if h has a valid
// header (a sparse body is only checked where it is read), else
// ErrWrongType.
func Check(h []byte) error {
	if len(h) < hdrSize || string(h[:4]) != "HYLL" || h[4] > encSparse {
		return ErrWrongType
	}
	if h[4] == encDense && len(h) != denseSize {
		return ErrWrongType
	}
	return nil
}

// Add is PFADD's loop over elems on an existing value: it raises the
// register each element hashes to and reports whether any register
// changed. sparseMaxBytes is hll-sparse-max-bytes. On ErrInvalid out still
// holds the updates made before the bad element, as Redis leaves them in
// the key without propagating them; on ErrWrongType out is h.
func Add(h []byte, elems [][]byte, sparseMaxBytes int) (out []byte, updated bool, err error) {
	if err := Check(h); err != nil {
		return h, false, err
	}
	for _, e := range elems {
		var r int
		h, r = addOne(h, e, sparseMaxBytes)
		switch r {
		case 1:
			updated = true
		case -1:
			return h, updated, ErrInvalid
		}
	}
	if updated {
		invalidate(h)
	}
	return h, updated, nil
}

// addOne is hllAdd on a value with a valid header: 1 if a register
// changed, 0 if not, -1 for an invalid sparse body.
func addOne(h, ele []byte, sparseMaxBytes int) ([]byte, int) {
	index, count := patLen(ele)
	if h[4] == encDense {
		if denseSet(h[hdrSize:], index, count) {
			return h, 1
		}
		return h, 0
	}
	return sparseSet(h, index, count, sparseMaxBytes)
}

// Encoding is PFDEBUG ENCODING: "dense" or "sparse", or ErrWrongType.
func Encoding(h []byte) (string, error) {
	if err := Check(h); err != nil {
		return "", err
	}
	if h[4] == encDense {
		return "dense", nil
	}
	return "sparse", nil
}

func invalidate(h []byte) { h[hdrSize-1] |= cacheStale }

func cacheValid(h []byte) bool { return h[hdrSize-1]&cacheStale == 0 }

func cachedCard(h []byte) uint64 { return binary.LittleEndian.Uint64(h[8:hdrSize]) }

func setCachedCard(h []byte, card uint64) { binary.LittleEndian.PutUint64(h[8:hdrSize], card) }
