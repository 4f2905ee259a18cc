package bitops

import (
	"math/rand/v2"
	"strconv"
)

// gen draws random commands for the differential tests: mostly valid
// arguments, with invalid ones, boundaries and C-string quirks mixed in.
type gen struct {
	r     *rand.Rand
	limit int64
}

var genKeys = []string{"a", "b", "c", "a", "b", "c", "a", "b", "missing", "list"}

func (g *gen) key() []byte { return []byte(genKeys[g.r.IntN(len(genKeys))]) }

func (g *gen) pick(opts ...string) []byte { return []byte(opts[g.r.IntN(len(opts))]) }

func (g *gen) chance(n int) bool { return g.r.IntN(n) == 0 }

func itoa(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// value is a string to SET: short runs over a small alphabet (so that LCS
// finds long matches), bytes biased to 0x00 and 0xff for bit searches,
// integers (which Redis stores int-encoded), and now and then one long
// enough to cross the LCS table limit.
func (g *gen) value() []byte {
	switch g.r.IntN(10) {
	case 0:
		return itoa(g.r.Int64N(1e6) - 5e5)
	case 1:
		return nil
	case 2:
		n := 500 + g.r.IntN(40)
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[g.r.IntN(2)]
		}
		return b
	case 3, 4, 5:
		n := g.r.IntN(30)
		b := make([]byte, n)
		alpha := "abc"
		if g.chance(2) {
			alpha = "ab"
		}
		for i := range b {
			b[i] = alpha[g.r.IntN(len(alpha))]
		}
		return b
	}
	n := g.r.IntN(48)
	b := make([]byte, n)
	for i := range b {
		switch g.r.IntN(4) {
		case 0:
			b[i] = 0
		case 1:
			b[i] = 0xff
		default:
			b[i] = byte(g.r.IntN(256))
		}
	}
	return b
}

// offset is a bit offset argument; with bits > 0 (BITFIELD) it may take
// the #n form.
func (g *gen) offset(bits int) []byte {
	lim := g.limit * 8
	switch g.r.IntN(40) {
	case 0:
		return itoa(g.r.Int64N(lim))
	case 1:
		return itoa(lim - 1 - g.r.Int64N(70))
	case 2:
		return itoa(lim + g.r.Int64N(3))
	case 3:
		return g.pick("4294967295", "4294967296", "9223372036854775807", "18446744073709551616",
			"-1", "-9223372036854775808", "34359738367", "34359738368")
	case 4:
		return g.pick("", "abc", "1.5", " 1", "+1", "01", "-0", "0x10", "1\x00", "#1", "1 ")
	case 5, 6, 7, 8, 9:
		if bits > 0 {
			switch g.r.IntN(6) {
			case 0:
				return g.pick("#4611686018427387904", "#2305843009213693952", "#-1", "#", "##1",
					"#9223372036854775807", "#1152921504606846976", "#-0", "#0")
			case 1:
				return append([]byte("#"), itoa(lim/int64(bits)-g.r.Int64N(3))...)
			}
			return append([]byte("#"), itoa(g.r.Int64N(40))...)
		}
	}
	if g.chance(3) {
		return itoa(g.r.Int64N(64))
	}
	return itoa(g.r.Int64N(400))
}

// index is a BITCOUNT or BITPOS range end.
func (g *gen) index() []byte {
	switch g.r.IntN(30) {
	case 0:
		return g.pick("9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807")
	case 1:
		return g.pick("x", "", "1.0", "+3", "-0", "1\x00", " 2")
	case 2, 3, 4:
		return itoa(g.r.Int64N(800) - 400)
	}
	return itoa(g.r.Int64N(41) - 20)
}

func (g *gen) unit() []byte {
	return g.pick("BIT", "BYTE", "bit", "byte", "Bit", "bYtE", "bits", "", "byte\x00x", "bit\x00")
}

func (g *gen) command() [][]byte {
	switch g.r.IntN(26) {
	case 0, 1, 2:
		return [][]byte{[]byte("SET"), g.key(), g.value()}
	case 3:
		return [][]byte{[]byte("DEL"), g.key()}
	case 4, 5, 6:
		bit := g.pick("0", "1")
		if g.chance(8) {
			bit = g.pick("2", "-1", "", "01", "1 ", "true", "-0", "9223372036854775808")
		}
		return [][]byte{g.pick("SETBIT", "setbit"), g.key(), g.offset(0), bit}
	case 7, 8:
		return [][]byte{[]byte("GETBIT"), g.key(), g.offset(0)}
	case 9, 10, 11:
		argv := [][]byte{[]byte("BITCOUNT"), g.key()}
		switch g.r.IntN(8) {
		case 0:
		case 1:
			argv = append(argv, g.index())
		case 2:
			argv = append(argv, g.index(), g.index(), g.unit(), g.unit())
		case 3, 4:
			argv = append(argv, g.index(), g.index())
		default:
			argv = append(argv, g.index(), g.index(), g.pick("BIT", "BYTE", "bit"))
			if g.chance(6) {
				argv[len(argv)-1] = g.unit()
			}
		}
		return argv
	case 12, 13, 14:
		bit := g.pick("0", "1")
		if g.chance(10) {
			bit = g.pick("2", "-1", "x", "", "01")
		}
		argv := [][]byte{[]byte("BITPOS"), g.key(), bit}
		switch g.r.IntN(8) {
		case 0:
		case 1:
			argv = append(argv, g.index())
		case 2:
			argv = append(argv, g.index(), g.index())
		case 3:
			argv = append(argv, g.index(), g.index(), g.unit(), g.unit())
		default:
			argv = append(argv, g.index(), g.index(), g.pick("BIT", "BYTE", "bit"))
			if g.chance(6) {
				argv[len(argv)-1] = g.unit()
			}
		}
		return argv
	case 15, 16, 17:
		op := g.pick("AND", "or", "Xor", "NOT", "and", "OR", "XOR", "not")
		if g.chance(10) {
			op = g.pick("not\x00x", "nand", "", "an", "andx")
		}
		argv := [][]byte{[]byte("BITOP"), op, g.key()}
		n := 1 + g.r.IntN(4)
		if string(op) == "NOT" || string(op) == "not" {
			if !g.chance(6) {
				n = 1
			}
		}
		for range n {
			argv = append(argv, g.key())
		}
		return argv
	case 18, 19, 20, 21, 22:
		return g.bitfield()
	default:
		return g.lcs()
	}
}

func (g *gen) fieldType() (arg []byte, bits int) {
	if g.chance(12) {
		return g.pick("i0", "u64", "i65", "I8", "x8", "", "u", "i08", "i8\x00z", "u-1", "i", "u 8", "i+8"), 8
	}
	bits = 1 + g.r.IntN(64)
	if bits == 64 || g.chance(2) {
		return append([]byte("i"), itoa(int64(bits))...), bits
	}
	return append([]byte("u"), itoa(int64(bits))...), bits
}

// fieldValue is a SET value or an increment near the edges of a bits-wide
// field's ranges.
func (g *gen) fieldValue(bits int) []byte {
	switch g.r.IntN(12) {
	case 0:
		return g.pick("9223372036854775807", "-9223372036854775808", "x", "", "1.5", "9223372036854775808")
	case 1, 2, 3:
		edges := []int64{1<<(bits-1) - 1, -(1 << (bits - 1)), 1<<bits - 1, 1 << bits, -1, 0, 1}
		if bits >= 63 {
			edges = []int64{1<<62 - 1, -(1 << 62), -1 << 63, 1<<63 - 1, -1, 0, 1}
		}
		return itoa(edges[g.r.IntN(len(edges))] + g.r.Int64N(5) - 2)
	case 4:
		return itoa(int64(g.r.Uint64()))
	}
	return itoa(g.r.Int64N(600) - 300)
}

func (g *gen) bitfield() [][]byte {
	name := g.pick("BITFIELD", "bitfield", "BITFIELD", "BITFIELD_RO")
	argv := [][]byte{name, g.key()}
	readOnly := len(name) > len("bitfield")
	n := g.r.IntN(5)
	for range n {
		switch k := g.r.IntN(12); {
		case k < 4 || (readOnly && g.chance(2)):
			t, bits := g.fieldType()
			argv = append(argv, g.pick("GET", "get", "Get"), t, g.offset(bits))
		case k < 6:
			t, bits := g.fieldType()
			argv = append(argv, g.pick("SET", "set"), t, g.offset(bits), g.fieldValue(bits))
		case k < 9:
			t, bits := g.fieldType()
			argv = append(argv, g.pick("INCRBY", "incrby"), t, g.offset(bits), g.fieldValue(bits))
		case k < 11:
			ow := g.pick("WRAP", "SAT", "FAIL", "wrap", "sat", "fail")
			if g.chance(10) {
				ow = g.pick("SATURATE", "", "fail\x00x", "x")
			}
			argv = append(argv, g.pick("OVERFLOW", "overflow"), ow)
		default:
			argv = append(argv, g.pick("FOO", "get\x00x", "", "GETX", "OVERFLOW", "SET", "GET"))
		}
	}
	if len(argv) > 3 && g.chance(10) {
		argv = argv[:len(argv)-1]
	}
	return argv
}

func (g *gen) lcs() [][]byte {
	argv := [][]byte{[]byte("LCS"), g.key(), g.key()}
	for range g.r.IntN(4) {
		switch g.r.IntN(10) {
		case 0, 1, 2:
			argv = append(argv, g.pick("IDX", "idx"))
		case 3:
			argv = append(argv, g.pick("LEN", "len"))
		case 4, 5:
			argv = append(argv, g.pick("WITHMATCHLEN", "withmatchlen"))
		case 6, 7:
			mm := itoa(g.r.Int64N(6))
			if g.chance(5) {
				mm = g.pick("-3", "x", "", "9223372036854775807")
			}
			argv = append(argv, g.pick("MINMATCHLEN", "minmatchlen"), mm)
		case 8:
			argv = append(argv, g.pick("MINMATCHLEN"))
		default:
			argv = append(argv, g.pick("FOO", "idx\x00x", "IDXX", ""))
		}
	}
	return argv
}
