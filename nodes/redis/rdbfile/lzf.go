package rdbfile

// LZF as Redis uses it (src/lzf_c.c, lzf_d.c with lzfP.h's settings:
// HLOG 16, VERY_FAST, no ULTRA_FAST). The format:
//
//	000LLLLL <L+1 bytes>         a literal run of 1 to 32 bytes
//	LLLooooo oooooooo            a back reference of L+2 = 3..8 bytes, offset o+1
//	111ooooo LLLLLLLL oooooooo   a back reference of L+9 bytes, offset o+1
//
// The compressor is a port of lzf_compress. Redis leaves its hash table
// uninitialised (stack garbage, checked before use), so its output can in
// rare cases depend on earlier calls; this one starts every call from an
// empty table and is deterministic, which makes its output equal to
// Redis's whenever the garbage did not matter.

const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = (1 << 8) + (1 << 3)
	// lzfMaxRatio bounds the expansion: a 3-byte back reference yields at
	// most 264 bytes, so no stream of n bytes decompresses to more than
	// 88n. A declared length above that is refused before allocating.
	lzfMaxRatio = 88
)

// lzfCompressor holds the hash table. Slots hold base+position; a slot
// below the current call's base is from an earlier call and counts as
// empty, which spares clearing 256 KiB per call.
type lzfCompressor struct {
	htab []uint32
	base uint32
}

func lzfIdx(h uint32) uint32 { return ((h >> (3*8 - lzfHLog)) - h*5) & (lzfHSize - 1) }

// compress compresses in into out (whose length is the most it may use)
// and returns the compressed length, or 0 when the result does not fit,
// as lzf_compress(in, len(in), out, len(out)).
func (c *lzfCompressor) compress(in, out []byte) int {
	inLen, outEnd := len(in), len(out)
	if inLen == 0 || outEnd == 0 {
		return 0
	}
	if c.htab == nil {
		c.htab = make([]uint32, lzfHSize)
		c.base = 1
	}
	if uint64(c.base)+uint64(inLen)+2 >= 1<<31 {
		clear(c.htab)
		c.base = 1
	}
	base := c.base
	c.base += uint32(inLen) + 1
	htab := c.htab

	ip, op := 0, 0
	lit := 0
	op++ // start run
	var hval uint32
	if inLen >= 2 {
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < inLen-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		stored := htab[slot]
		htab[slot] = base + uint32(ip)
		ref := -1
		if stored > base {
			ref = int(stored - base)
		}
		if ref > 0 && ref < ip && ip-ref-1 < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			off := ip - ref - 1
			l := 2
			maxlen := inLen - ip - l
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}
			if op+3+1 >= outEnd {
				undo := 0
				if lit == 0 {
					undo = 1
				}
				if op-undo+3+1 >= outEnd {
					return 0
				}
			}
			out[op-lit-1] = byte(lit - 1) // stop run
			if lit == 0 {
				op-- // undo run if length is zero
			}
			done := false
			if maxlen > 16 {
				for range 16 {
					l++
					if in[ref+l] != in[ip+l] {
						done = true
						break
					}
				}
			}
			if !done {
				for {
					l++
					if !(l < maxlen && in[ref+l] == in[ip+l]) {
						break
					}
				}
			}
			l -= 2 // l is now #octets - 1
			ip++
			if l < 7 {
				out[op] = byte(off>>8 + l<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += l + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = base + uint32(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = base + uint32(ip)
			ip++
		} else {
			if op >= outEnd {
				return 0
			}
			lit++
			out[op] = in[ip]
			op++
			ip++
			if lit == lzfMaxLit {
				out[op-lit-1] = byte(lit - 1)
				lit = 0
				op++
			}
		}
	}
	if op+3 > outEnd {
		return 0
	}
	for ip < inLen {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1) // end run
	if lit == 0 {
		op--
	}
	return op
}

// lzfDecompress decompresses in into out, which must be exactly the
// uncompressed length, and reports whether in was a valid stream of that
// length (lzf_decompress(in, len(in), out, len(out)) == len(out)).
func lzfDecompress(in, out []byte) bool {
	ip, op := 0, 0
	inLen, outLen := len(in), len(out)
	for ip < inLen {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			ctrl++
			if op+ctrl > outLen || ip+ctrl > inLen {
				return false
			}
			copy(out[op:op+ctrl], in[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		l := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= inLen {
			return false
		}
		if l == 7 {
			l += int(in[ip])
			ip++
			if ip >= inLen {
				return false
			}
		}
		ref -= int(in[ip])
		ip++
		l += 2
		if op+l > outLen || ref < 0 {
			return false
		}
		if op >= ref+l {
			copy(out[op:op+l], out[ref:ref+l])
			op += l
		} else {
			for range l {
				out[op] = out[ref]
				op++
				ref++
			}
		}
	}
	return op == outLen
}
