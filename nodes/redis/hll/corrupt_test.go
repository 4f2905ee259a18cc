package hll_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redsim/redsim/nodes/redis/hll"
)

// A malformed value and whether its last opcode is an XZERO cut short by
// the end of the value. Redis reads the missing byte from the sds
// terminator, which an update can leave non-zero; commands that could read
// it after such an update are not compared.
type badValue struct {
	name      string
	v         []byte
	truncated bool
}

func header(enc byte) []byte {
	return []byte{'H', 'Y', 'L', 'L', enc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}
}

// sparseBody appends opcodes covering about target registers: runs are
// drawn at random, mostly no longer than what is left, so that the total
// often lands exactly; over is how far the last run may overshoot.
func sparseBody(r *rand.Rand, h []byte, target, over int) []byte {
	covered := 0
	for covered < target {
		left := target - covered
		lim := left + over
		switch r.IntN(3) {
		case 0:
			n := 1 + r.IntN(min(64, lim))
			h = append(h, byte(n-1))
			covered += n
		case 1:
			n := 1 + r.IntN(min(16384, lim))
			if r.IntN(2) == 0 {
				n = 1 + r.IntN(min(400, lim))
			}
			h = append(h, byte((n-1)>>8)|0x40, byte(n-1))
			covered += n
		default:
			n := 1 + r.IntN(min(4, lim))
			v := 1 + r.IntN(32)
			if r.IntN(3) == 0 {
				v = 1 + r.IntN(3)
			}
			h = append(h, byte((v-1)<<2|(n-1))|0x80)
			covered += n
		}
	}
	return h
}

func badValues(r *rand.Rand) []badValue {
	var out []badValue
	add := func(name string, v []byte, truncated bool) {
		out = append(out, badValue{name, v, truncated})
	}
	// Headers that are not an HLL's.
	for n := range 16 {
		add("short "+strconv.Itoa(n), []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")[:n], false)
	}
	empty := hll.New()
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"magic", func(h []byte) []byte { h[1] = 'X'; return h }},
		{"encoding 2", func(h []byte) []byte { h[4] = 2; return h }},
		{"encoding 255", func(h []byte) []byte { h[4] = 255; return h }},
		{"dense but short", func(h []byte) []byte { h[4] = 0; return h }},
		{"header only", func(h []byte) []byte { return h[:16] }},
		{"unused bytes", func(h []byte) []byte { h[5], h[6], h[7] = 1, 2, 3; return h }},
		{"valid cache 12345", func(h []byte) []byte {
			binary.LittleEndian.PutUint64(h[8:], 12345)
			return h
		}},
		{"valid cache max", func(h []byte) []byte {
			binary.LittleEndian.PutUint64(h[8:], 1<<63-1)
			return h
		}},
		{"lone XZERO byte", func(h []byte) []byte { return append(h[:16], 0x7f) }},
		{"XZERO 16384 + ZERO", func(h []byte) []byte { return append(h, 0x00) }},
		{"XZERO 16384 + VAL", func(h []byte) []byte { return append(h, 0x80) }},
		{"XZERO 16384 + XZERO", func(h []byte) []byte { return append(h, 0x40, 0x00) }},
	} {
		add(tc.name, tc.edit(bytes.Clone(empty)), tc.name == "lone XZERO byte")
	}
	// An XZERO of 16127 then one cut short: 257 registers from the
	// terminator make it valid.
	add("cut XZERO covers", append(header(1), 0x7e, 0xfe, 0x41), true)
	add("cut XZERO short", append(header(1), 0x7e, 0xfe, 0x40), true)

	// Dense values with unusual registers.
	for _, tc := range []struct {
		name string
		reg  func(i int) uint8
	}{
		{"dense all 63", func(int) uint8 { return 63 }},
		{"dense all 51", func(int) uint8 { return 51 }},
		{"dense all 52", func(int) uint8 { return 52 }},
		{"dense half 51", func(i int) uint8 { return uint8(51 * (i & 1)) }},
		{"dense all 1", func(int) uint8 { return 1 }},
		{"dense random", func(int) uint8 { return uint8(r.IntN(64)) }},
		{"dense random low", func(int) uint8 { return uint8(r.IntN(8)) }},
		{"dense one 40", func(i int) uint8 {
			if i == 77 {
				return 40
			}
			return 0
		}},
	} {
		add(tc.name, denseValue(tc.reg), false)
	}
	d := denseValue(func(int) uint8 { return 3 })
	add("dense long", append(bytes.Clone(d), 0), false)
	add("dense short", d[:len(d)-1], false)

	// Random opcode streams: exact, short, long, with a trailing opcode,
	// and random bytes.
	for i := range 40 {
		add("exact "+strconv.Itoa(i), sparseBody(r, header(1), 16384, 0), false)
		short := 1 + r.IntN(5)
		add(fmt.Sprintf("short by %d #%d", short, i), sparseBody(r, header(1), 16384-short, 0), false)
		add("overshoot "+strconv.Itoa(i), sparseBody(r, header(1), 16384-r.IntN(3), 4), false)
		tail := []byte{byte(r.IntN(64)), byte(0x80 | r.IntN(128)), byte(0x40 | r.IntN(64))}[r.IntN(3)]
		add("trailing "+strconv.Itoa(i), append(sparseBody(r, header(1), 16384, 0), tail), false)
		junk := make([]byte, 16+r.IntN(60))
		copy(junk, header(1))
		for j := 16; j < len(junk); j++ {
			junk[j] = byte(r.IntN(256))
		}
		last := len(junk) - 1
		add("junk "+strconv.Itoa(i), junk, last >= 16 && junk[last]&0xc0 == 0x40)
	}
	// Valid values with one byte changed.
	for i := range 30 {
		v := sparseBody(r, header(1), 16384, 0)
		v[16+r.IntN(len(v)-16)] = byte(r.IntN(256))
		add("flipped "+strconv.Itoa(i), v, endsCut(v))
	}
	return out
}

// endsCut reports whether a sparse value's opcodes end in half an XZERO.
func endsCut(v []byte) bool {
	p := 16
	for p < len(v) {
		if v[p]&0xc0 == 0x40 {
			p += 2
		} else {
			p++
		}
	}
	return p > len(v)
}

func denseValue(reg func(i int) uint8) []byte {
	h := make([]byte, 16+12288)
	copy(h, header(0))
	for i := range 16384 {
		v := uint(reg(i))
		b, fb := i*6/8, uint(i*6%8)
		h[16+b] |= byte(v << fb)
		if fb > 2 {
			h[16+b+1] |= byte(v >> (8 - fb))
		}
	}
	return h
}

// TestRedisCorrupt sets malformed values and runs every HLL command on
// them (each on a fresh copy), requiring Redis's replies and the bytes it
// leaves behind, errors and partial updates included.
func TestRedisCorrupt(t *testing.T) {
	o := startOracle(t)
	r := rand.New(rand.NewPCG(99, 1))
	o.reset(3000)
	good := [][]byte{}
	for _, n := range []int{3, 40} {
		o.del("g")
		args := []string{"PFADD", "g"}
		for i := range n {
			args = append(args, "good:"+strconv.Itoa(i))
		}
		o.run("good", args...)
		good = append(good, bytes.Clone(o.m.keys["g"]))
	}
	good = append(good, denseValue(func(i int) uint8 { return uint8(i % 7) }))
	many := []string{"PFADD", "c"}
	for i := range 40 {
		many = append(many, "m:"+strconv.Itoa(i))
	}
	ops := [][]string{
		{"PFCOUNT", "c"},
		{"PFCOUNT", "c", "g"},
		{"PFCOUNT", "g", "c"},
		{"PFMERGE", "d", "c", "g"},
		{"PFMERGE", "d", "g", "c"},
		{"PFMERGE", "c", "g"},
		{"PFMERGE", "c"},
		{"PFMERGE", "g", "c"},
		{"PFADD", "c", "one"},
		{"PFADD", "c", "elem:" + strconv.Itoa(r.IntN(1000))},
		many,
		{"PFDEBUG", "DECODE", "c"},
		{"PFDEBUG", "ENCODING", "c"},
		{"PFDEBUG", "TODENSE", "c"},
		{"PFDEBUG", "GETREG", "c"},
	}
	fails := 0
	for _, bv := range badValues(r) {
		for i, op := range ops {
			if bv.truncated && len(op) > 3 && op[0] == "PFADD" {
				continue
			}
			if fails > 10 {
				t.Fatal("stopping after 10 differences")
			}
			ctx := fmt.Sprintf("value %q (%s)", bv.name, showValue(bv.v, true))
			o.del("d")
			o.set("c", bv.v)
			o.set("g", good[i%len(good)])
			if !o.run(ctx, op...) || !o.sameValues(ctx, "c", "d", "g") {
				fails++
			}
		}
	}
}
