package rnum

// TEMPORARY differential test against a C oracle built from redis 7.0.15 util.c + glibc; deleted before hand-off.

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func genJunk(r *rand.Rand) string {
	const alpha = "0123456789012345678901234567890123456789..eEeEpPxX+-+- \t\ninfatyINFATY()_\x00bcdBCD"
	n := r.IntN(12)
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteByte(alpha[r.IntN(len(alpha))])
	}
	return sb.String()
}

func genDigits(r *rand.Rand, n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if r.IntN(8) == 0 {
			sb.WriteByte('0')
		} else if r.IntN(8) == 0 {
			sb.WriteByte('9')
		} else {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	return sb.String()
}

func genNum(r *rand.Rand) string {
	var sb strings.Builder
	switch r.IntN(6) {
	case 0:
		sb.WriteByte('-')
	case 1:
		sb.WriteByte('+')
	}
	if r.IntN(6) == 0 {
		sb.WriteString("0x")
		hd := "0123456789abcdefABCDEF"
		n := r.IntN(40)
		for i := 0; i < n; i++ {
			sb.WriteByte(hd[r.IntN(len(hd))])
		}
		if r.IntN(2) == 0 {
			sb.WriteByte('.')
			n = r.IntN(20)
			for i := 0; i < n; i++ {
				sb.WriteByte(hd[r.IntN(len(hd))])
			}
		}
		if r.IntN(2) == 0 {
			sb.WriteString("p")
			sb.WriteString(strconv.Itoa(r.IntN(40000) - 20000))
		}
		return sb.String()
	}
	var nd int
	switch r.IntN(5) {
	case 0:
		nd = r.IntN(4)
	case 1, 2:
		nd = r.IntN(20)
	case 3:
		nd = r.IntN(40)
	default:
		nd = r.IntN(900)
	}
	d := genDigits(r, nd)
	if r.IntN(3) == 0 {
		d = strings.Repeat("0", r.IntN(5)) + d
	}
	if nd > 0 && r.IntN(2) == 0 {
		p := r.IntN(nd + 1)
		d = d[:p] + "." + d[p:]
	}
	sb.WriteString(d)
	if r.IntN(2) == 0 {
		sb.WriteByte("eE"[r.IntN(2)])
		var e int
		switch r.IntN(5) {
		case 0:
			e = r.IntN(60) - 30
		case 1:
			e = r.IntN(700) - 350
		case 2:
			e = r.IntN(10000) - 5000
		case 3:
			e = r.IntN(60) - 4960
		default:
			e = r.IntN(40) + 4910
		}
		if e >= 0 && r.IntN(2) == 0 {
			sb.WriteByte('+')
		}
		sb.WriteString(strconv.Itoa(e))
	}
	return sb.String()
}

// exact decimal of m*2^e
func exactDec(m *big.Int, e int, neg bool) string {
	x := new(big.Rat).SetInt(m)
	if e >= 0 {
		x.Mul(x, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(e))))
	} else {
		x.Quo(x, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), uint(-e))))
	}
	prec := 0
	if e < 0 {
		prec = -e
	}
	s := x.FloatString(prec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if neg {
		s = "-" + s
	}
	return s
}

func genMid(r *rand.Rand) string {
	neg := r.IntN(2) == 0
	if r.IntN(2) == 0 {
		// double midpoint (2m+1)*2^(e-1)
		m := r.Uint64()>>11 | 1<<52
		e := r.IntN(200) - 100
		if r.IntN(4) == 0 {
			e = -1074 + r.IntN(60)
			m = r.Uint64() >> (11 + r.IntN(52))
		}
		if r.IntN(6) == 0 {
			e = 971 - r.IntN(3)
		}
		mm := new(big.Int).SetUint64(m)
		mm.Lsh(mm, 1).Add(mm, big.NewInt(1))
		s := exactDec(mm, e-1, neg)
		switch r.IntN(3) {
		case 0:
			if strings.Contains(s, ".") {
				s += "0000001"
			} else {
				s += ".0000000000000000000000000000000000001"
			}
		}
		return s
	}
	m := r.Uint64() | 1<<63
	e := r.IntN(300) - 150
	if r.IntN(6) == 0 {
		e = -16445 + r.IntN(80)
		m = r.Uint64() >> r.IntN(63)
	}
	mm := new(big.Int).SetUint64(m)
	mm.Lsh(mm, 1).Add(mm, big.NewInt(1))
	s := exactDec(mm, e-1, neg)
	if len(s) >= 5000 {
		return "1"
	}
	if r.IntN(3) == 0 {
		if strings.Contains(s, ".") {
			s += "00000000001"
		} else {
			s += ".000000000000000000000000000001"
		}
	}
	return s
}

func genInt(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return strconv.FormatInt(int64(r.Uint64()), 10)
	case 1:
		return strconv.FormatInt(r.Int64N(1000)-500, 10)
	case 2:
		return []string{"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999", "-0", "00", "01", "+1", " 1", "1 ", "", "-", "0", "-00000000000000000001", "000000000000000000001"}[r.IntN(18)]
	default:
		return genDigits(r, r.IntN(22))
	}
}

type oracle struct {
	cmd *exec.Cmd
	in  *bufio.Writer
	out *bufio.Scanner
}

func TestOracleDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs []string
	for i := 0; i < 60000; i++ {
		switch i % 4 {
		case 0:
			inputs = append(inputs, genJunk(r))
		case 1:
			inputs = append(inputs, genNum(r))
		case 2:
			inputs = append(inputs, genMid(r))
		default:
			inputs = append(inputs, genInt(r))
		}
	}
	inputs = append(inputs, "1e4932", "1.18973149535723176502e4932", "1.18973149535723176508e+4932", "1.2e4932", "3.6e-4951", "1.8e-4951", "1.9e-4951", "1.8226e-4951",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.797693134862315807e308", "2.4703282292062327e-324", "2.4703282292062328e-324", "0x1p-1075", "0x1.0000000000001p-1075", "0x1p1024", "0x1.fffffffffffff8p1023", "0x1.fffffffffffff7ffp1023", "0x.00000000000000000000000000000000000001p0",
		"0x1.ffffffffffffffffp16383", "0x1.fffffffffffffffe8p16383", "0x1p-16445", "0x1p-16446", "0x1.00000001p-16446", "0.0", "-0.0", "00000.00000e99999999999999999999999")
	var pairs [][2]string
	for i := 0; i < 30000; i++ {
		var a, b string
		switch r.IntN(5) {
		case 0:
			a, b = genNum(r), genNum(r)
		case 1:
			a, b = genMid(r), genMid(r)
		case 2:
			a = genMid(r)
			if strings.HasPrefix(a, "-") {
				b = a[1:]
			} else {
				b = "-" + a
			}
			b = b + "1"
		case 3:
			a = strconv.FormatFloat(r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)), 'g', -1, 64)
			b = strconv.FormatFloat(r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)), 'g', -1, 64)
		default:
			a, b = genInt(r), genMid(r)
		}
		pairs = append(pairs, [2]string{a, b})
	}
	pairs = append(pairs, [2]string{"1e4932", "1e4932"}, [2]string{"inf", "-inf"}, [2]string{"inf", "1"}, [2]string{"0x1p-16445", "-0x1p-16445"}, [2]string{"-0", "-0"}, [2]string{"0", "-0"}, [2]string{"1", "-1"}, [2]string{"1e30", "1e-30"}, [2]string{"0x1p63", "-0x1p-200"}, [2]string{"0x1p63", "0x1p-1"}, [2]string{"0x1p63", "0x1.8p-1"})
	var floats []uint64
	for i := 0; i < 30000; i++ {
		switch r.IntN(3) {
		case 0:
			floats = append(floats, r.Uint64())
		case 1:
			floats = append(floats, math.Float64bits(float64(r.IntN(2000000)-1000000)/math.Pow(10, float64(r.IntN(12)))))
		default:
			floats = append(floats, math.Float64bits(r.NormFloat64()*math.Pow(10, float64(r.IntN(50)-25))))
		}
	}
	cmd := exec.Command("/tmp/oracle/oracle")
	var sb strings.Builder
	for _, s := range inputs {
		fmt.Fprintf(&sb, "P %s\n", hex.EncodeToString([]byte(s)))
	}
	for _, p := range pairs {
		fmt.Fprintf(&sb, "A %s %s\n", hex.EncodeToString([]byte(p[0])), hex.EncodeToString([]byte(p[1])))
	}
	for _, f := range floats {
		fmt.Fprintf(&sb, "G %016x\n", f)
	}
	cmd.Stdin = strings.NewReader(sb.String())
	outb, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(outb), "\n"), "\n")
	li := 0
	fails := 0
	fail := func(format string, a ...any) {
		fails++
		if fails < 40 {
			t.Errorf(format, a...)
		}
	}
	for _, s := range inputs {
		want := lines[li]
		li++
		b := []byte(s)
		v, n, rerr := ParseFloatPrefix(b)
		bitsv := math.Float64bits(v)
		if v != v {
			bitsv = 0x7ff8000000000000
		}
		ll, okll := ParseInt(b)
		if !okll {
			ll = 0
		}
		d2, okd := ParseFloat(b)
		d2b := math.Float64bits(d2)
		if !okd {
			d2b = 0
		}
		ld, okld := ParseLongDouble(b)
		hum := "-"
		if okld {
			hum = FormatLongDouble(ld)
		}
		got := fmt.Sprintf("%d %d %016x %d %d %d %016x %d %s", n, b2i(rerr), bitsv, b2i(okll), ll, b2i(okd), d2b, b2i(okld), hum)
		if got != want {
			fail("P %q:\n got %s\nwant %s", s, trunc(got), trunc(want))
		}
	}
	for _, p := range pairs {
		want := lines[li]
		li++
		a, ok1 := ParseLongDouble([]byte(p[0]))
		b, ok2 := ParseLongDouble([]byte(p[1]))
		var got string
		switch {
		case !ok1 || !ok2:
			got = "ERR"
		default:
			s := a.Add(b)
			if !s.IsFinite() {
				got = "NANINF"
			} else {
				got = FormatLongDouble(s)
			}
		}
		if got != want {
			fail("A %q + %q:\n got %s\nwant %s", p[0], p[1], trunc(got), trunc(want))
		}
	}
	for _, f := range floats {
		want := lines[li]
		li++
		got := FormatScore(math.Float64frombits(f))
		if math.IsNaN(math.Float64frombits(f)) {
			continue
		}
		if got != want {
			fail("G %x: got %s want %s", f, got, want)
		}
	}
	okc := 0; for _, l := range lines { if strings.Contains(l, " 1 ") { okc++ } }; t.Logf("okish=%d", okc); t.Logf("checked %d parse, %d add, %d format; fails=%d", len(inputs), len(pairs), len(floats), fails)
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
