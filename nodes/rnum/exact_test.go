package rnum

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// These tests check the conversions against exact big-number arithmetic
// and Go's own correctly rounded float64 parser over seeded random inputs.
// During development the same generators were also run against glibc and
// Redis 7.0.15's util.c compiled in C (tens of thousands of inputs, no
// differences).

func randDecimal(r *rand.Rand, maxExp int) string {
	var sb strings.Builder
	if r.IntN(2) == 0 {
		sb.WriteByte('-')
	}
	nd := 1 + r.IntN(25)
	if r.IntN(10) == 0 {
		nd = 1 + r.IntN(120)
	}
	for i := 0; i < nd; i++ {
		sb.WriteByte(byte('0' + r.IntN(10)))
	}
	if r.IntN(2) == 0 {
		s := sb.String()
		p := 1 + r.IntN(len(s))
		if s[0] == '-' && p == 1 {
			p = 2
		}
		sb.Reset()
		sb.WriteString(s[:p] + "." + s[p:])
	}
	if r.IntN(3) != 0 {
		sb.WriteString("e" + strconv.Itoa(r.IntN(2*maxExp+1)-maxExp))
	}
	return sb.String()
}

func hasNonzeroDigit(s string) bool {
	for _, c := range s {
		if c >= '1' && c <= '9' {
			return true
		}
		if c == 'e' {
			break
		}
	}
	return false
}

func TestParseFloatMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 100000; i++ {
		s := randDecimal(r, 340)
		if i%5 == 0 {
			// exact midpoints between neighbouring doubles, nudged or not
			m := r.Uint64()>>11 | 1<<52
			s = new(big.Float).SetMantExp(new(big.Float).SetUint64(2*m+1), r.IntN(100)-60).Text('g', 1000)
			if r.IntN(2) == 0 {
				s += "0001"
				if !strings.Contains(s, ".") && !strings.Contains(s, "e") {
					s = s[:len(s)-4] + ".0001"
				}
			}
		}
		want, err := strconv.ParseFloat(s, 64)
		got, ok := ParseFloat([]byte(s))
		switch {
		case err != nil: // out of range: Redis rejects overflow
			if ok {
				t.Fatalf("ParseFloat(%q) accepted, strconv: %v", s, err)
			}
		case want == 0 && hasNonzeroDigit(s): // underflow to zero
			if ok {
				t.Fatalf("ParseFloat(%q) must reject underflow", s)
			}
		default:
			if !ok || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("ParseFloat(%q) = %v, %v; strconv %v", s, got, ok, want)
			}
		}
	}
	for i := 0; i < 20000; i++ {
		s := "0x" + strconv.FormatUint(r.Uint64()>>r.IntN(64), 16) + "." + strconv.FormatUint(r.Uint64(), 16) + "p" + strconv.Itoa(r.IntN(2300)-1150)
		want, err := strconv.ParseFloat(s, 64)
		got, ok := ParseFloat([]byte(s))
		if err == nil && want != 0 && (!ok || got != want) {
			t.Fatalf("ParseFloat(%q) = %v, %v; strconv %v", s, got, ok, want)
		}
	}
}

func (x LongDouble) big() *big.Float {
	f := new(big.Float).SetMantExp(new(big.Float).SetUint64(x.mant), int(x.exp))
	if x.neg {
		f.Neg(f)
	}
	return f
}

func TestLongDoubleParseAndAddExact(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	prev := LongDouble{}
	prevBig := new(big.Float)
	for i := 0; i < 30000; i++ {
		s := randDecimal(r, 4000)
		x, ok := ParseLongDouble([]byte(s))
		q, _ := new(big.Rat).SetString(s)
		want := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).SetRat(q)
		if q.Sign() != 0 {
			// Far from both ends of the range, so no subnormal or overflow.
			if e := want.MantExp(nil); e < -16000 || e > 16000 {
				continue
			}
		}
		if !ok || x.big().Cmp(want) != 0 {
			t.Fatalf("ParseLongDouble(%q) = %v (%v), want %v", s, x.big(), ok, want)
		}
		sum := x.Add(prev)
		exact := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(want, prevBig)
		if sum.big().Cmp(exact) != 0 {
			t.Fatalf("%v + %v = %v, want %v", want, prevBig, sum.big(), exact)
		}
		prev, prevBig = x, want
	}
}

// humanExact is "%.17Lf" then trimmed, computed with big integers.
func humanExact(x LongDouble) string {
	v := new(big.Rat).SetInt(new(big.Int).SetUint64(x.mant))
	p := new(big.Int).Lsh(big.NewInt(1), uint(max(x.exp, -x.exp)))
	if x.exp >= 0 {
		v.Mul(v, new(big.Rat).SetInt(p))
	} else {
		v.Quo(v, new(big.Rat).SetInt(p))
	}
	v.Mul(v, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(17), nil)))
	q, rem := new(big.Int).QuoRem(v.Num(), v.Denom(), new(big.Int))
	switch rem.Lsh(rem, 1).Cmp(v.Denom()) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	s := q.String()
	if len(s) <= 17 {
		s = strings.Repeat("0", 18-len(s)) + s
	}
	s = s[:len(s)-17] + "." + s[len(s)-17:]
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if x.neg && s != "0" {
		s = "-" + s
	}
	return s
}

func TestFormatLongDoubleExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 30000; i++ {
		x := LongDouble{mant: r.Uint64() | 1<<63, exp: int32(r.IntN(260) - 190), neg: r.IntN(2) == 0}
		if r.IntN(4) == 0 {
			x.mant >>= r.IntN(64) // unnormalised values format the same way
		}
		if got, want := FormatLongDouble(x), humanExact(x); got != want {
			t.Fatalf("FormatLongDouble(%v * 2^%d) = %s, want %s", x.mant, x.exp, got, want)
		}
	}
}

func TestFastPathsMatchBigPath(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 50000; i++ {
		nd := 1 + r.IntN(19)
		digits := make([]byte, nd)
		for j := range digits {
			digits[j] = byte('0' + r.IntN(10))
		}
		digits[0] = byte('1' + r.IntN(9))
		digits[nd-1] = byte('1' + r.IntN(9))
		e := int64(r.IntN(47) - 27)
		for _, f := range []binFormat{fmt64, fmt80} {
			fast, _ := decimalToBinary(f, digits, e)
			slow := decimalToBinaryBig(f, digits, 0, nd-1, e)
			if fast != slow {
				t.Fatalf("%s e%d: fast %+v slow %+v", digits, e, fast, slow)
			}
		}
	}
}

var sinkF float64
var sinkB []byte

func BenchmarkParseFloat(b *testing.B) {
	in := [][]byte{[]byte("1"), []byte("3.25"), []byte("1700000000123"), []byte("-0.000125"), []byte("6.02214076e23")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v, _ := ParseFloat(in[i%len(in)])
		sinkF += v
		i++
	}
}

func BenchmarkFormatScore(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		sinkB = AppendScore(buf[:0], 0.1)
	}
}

func BenchmarkIncrByFloat(b *testing.B) {
	cur, by := []byte("10.5"), []byte("0.1")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		x, _ := ParseLongDouble(cur)
		y, _ := ParseLongDouble(by)
		sinkB = AppendLongDouble(buf[:0], x.Add(y))
	}
}
