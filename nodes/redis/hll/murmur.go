package hll

import (
	"encoding/binary"
	"math/bits"
)

// hashSeed is the seed hllPatLen gives MurmurHash64A.
const hashSeed = 0xadc83b19

// murmurHash64A is Redis's endian-neutral MurmurHash2, 64-bit version:
// 8-byte blocks are read little-endian.
func murmurHash64A(key []byte, seed uint32) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := uint64(seed) ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	switch len(tail) {
	case 7:
		h ^= uint64(tail[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(tail[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(tail[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(tail[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(tail[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// patLen is hllPatLen: the register an element hashes to (the low 14 bits)
// and the length of the "000..1" pattern in the remaining 50 bits, counting
// the final one, so between 1 and 51.
func patLen(ele []byte) (index int, count uint8) {
	hash := murmurHash64A(ele, hashSeed)
	index = int(hash & (Registers - 1))
	hash >>= precision
	hash |= 1 << hashBits
	return index, uint8(bits.TrailingZeros64(hash) + 1)
}
