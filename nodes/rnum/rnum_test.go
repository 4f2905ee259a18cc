package rnum

import (
	"math"
	"testing"
)

// Expectations marked "server" were recorded from Debian 12's
// redis-server 7.0.15; the randomized tests in exact_test.go cover the
// rest of the input space against exact big-number arithmetic.

const (
	// server: INCRBYFLOAT k 1e400 (a long double holds it; "%.17Lf" never
	// switches to an exponent).
	incr1e400 = "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"
	// server: INCRBYFLOAT k 1.7976931348623157e308
	incrMaxDouble = "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384"
)

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"-1", -1, true},
		{"99", 99, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, // server
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"-00000000000000000001", 0, false}, // server: 21 bytes
		{"007", 0, false},                   // server
		{"00", 0, false},                    // server
		{"-0", 0, false},                    // server
		{"+1", 0, false},                    // server
		{" 1", 0, false},                    // server
		{"1 ", 0, false},
		{"1.0", 0, false}, // server
		{"", 0, false},    // server
		{"-", 0, false},
		{"1\x00", 0, false},
		{"1e3", 0, false},
	} {
		got, ok := ParseInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseFloat(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{"+1", 1, true},                 // server
		{"-0", negZero, true},           // server (skiplist keeps the sign)
		{"0x10", 16, true},              // server
		{"3.0", 3, true},                // server
		{"inf", math.Inf(1), true},      // server
		{"-inf", math.Inf(-1), true},    // server
		{"infinity", math.Inf(1), true}, // server
		{"+InFiNiTy", math.Inf(1), true},
		{"1e-320", 9.99988867182683e-321, true}, // server: subnormal is fine
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1e400", 0, false},  // server: overflow
		{"1e-400", 0, false}, // server: underflow to zero
		{"nan", 0, false},    // server
		{" 1", 0, false},     // server
		{"1 ", 0, false},     // server
		{"", 0, false},       // server
		{"1e", 0, false},
		{"0x", 0, false},
		{"infinit", 0, false},
		{"1\x00", 0, false},
		{"0e99999999999999999999", 0, true},
		{"\t1", 0, false},
	} {
		got, ok := ParseFloat([]byte(tc.in))
		if ok != tc.ok || math.Float64bits(got) != math.Float64bits(tc.want) {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseFloatPrefix(t *testing.T) {
	// glibc strtod end positions.
	for _, tc := range []struct {
		in       string
		n        int
		rangeErr bool
	}{
		{"", 0, false}, {"e5", 0, false}, {"x", 0, false}, {".", 0, false}, {".e5", 0, false},
		{"0x", 1, false}, {"0xp3", 1, false}, {"0x0p3", 5, false}, {"0x.p1", 1, false}, {"0x.8", 4, false},
		{"1e", 1, false}, {"1e+", 1, false}, {"1.", 2, false}, {"-.5e-1x", 6, false}, {"  +1", 4, false},
		{"infinit", 3, false}, {"infinity", 8, false}, {"nan(abc_9)", 10, false}, {"nan(ab", 3, false},
		{"1e400", 5, true}, {"-1e400", 6, true}, {"1e-400", 6, true}, {"1e-310", 6, false}, {"1\x002", 1, false},
	} {
		_, n, rangeErr := ParseFloatPrefix([]byte(tc.in))
		if n != tc.n || rangeErr != tc.rangeErr {
			t.Errorf("ParseFloatPrefix(%q) = n %d, rangeErr %v; want %d, %v", tc.in, n, rangeErr, tc.n, tc.rangeErr)
		}
	}
}

func TestFormatScore(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0.1, "0.10000000000000001"},                       // server
		{1.5, "1.5"},                                       // server
		{1e20, "1e+20"},                                    // server
		{1e17, "1e+17"},                                    // server
		{1e16, "10000000000000000"},                        // server
		{1000000000000000.25, "1000000000000000.2"},        // server: ties to even
		{123456789, "123456789"},                           // server
		{1e-5, "1.0000000000000001e-05"},                   // server
		{3, "3"},                                           // server
		{16, "16"},                                         // server
		{0.30000000000000004, "0.30000000000000004"},       // server (ZINCRBY)
		{9.99988867182683e-321, "9.9998886718268301e-321"}, // server
		{math.Inf(1), "inf"},                               // server
		{math.Inf(-1), "-inf"},                             // server
		{math.Copysign(0, -1), "-0"},                       // server (skiplist encoding)
		{0, "0"},
		{-2.5, "-2.5"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{5e-324, "4.9406564584124654e-324"},
	} {
		if got := FormatScore(tc.in); got != tc.want {
			t.Errorf("FormatScore(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// incr applies INCRBYFLOAT's steps to a stored string (absent when
// hasCur is false) and reports the reply or the error text.
func incr(hasCur bool, cur, by string) string {
	v := LongDouble{}
	if hasCur {
		var ok bool
		if v, ok = ParseLongDouble([]byte(cur)); !ok {
			return "ERR value is not a valid float"
		}
	}
	d, ok := ParseLongDouble([]byte(by))
	if !ok {
		return "ERR value is not a valid float"
	}
	v = v.Add(d)
	if !v.IsFinite() {
		return "ERR increment would produce NaN or Infinity"
	}
	return FormatLongDouble(v)
}

func TestIncrByFloatServer(t *testing.T) {
	for _, tc := range []struct {
		steps []string // increments applied in turn to an absent key
		want  string   // reply to the last one
	}{
		{[]string{"0.1"}, "0.1"},
		{[]string{"0.1", "0.2"}, "0.3"},
		{[]string{"0.1", "0.7"}, "0.8"},
		{[]string{"0.1", "0.2", "0.3"}, "0.6"},
		{[]string{"1.1", "2.2"}, "3.3"},
		{[]string{"-0.1", "0.1"}, "0"},
		{[]string{"1e400"}, incr1e400},
		{[]string{"1.7976931348623157e308"}, incrMaxDouble},
		{[]string{"0.000003814697265625"}, "0.00000381469726562"}, // exact tie: half-even
		{[]string{"-1e-20"}, "0"},                                 // "-0" becomes "0"
		{[]string{"1e-17"}, "0.00000000000000001"},
		{[]string{"0.000000000000000005"}, "0"},
		{[]string{"0.000000000000000015"}, "0.00000000000000002"},
		{[]string{"5e-18"}, "0"},
		{[]string{"1e-310"}, "0"},
		{[]string{"0x1p-16445"}, "0"},
		{[]string{"1.5e4932"}, "ERR value is not a valid float"},
		{[]string{"1e-4951"}, "ERR value is not a valid float"},
		{[]string{"inf"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"Infinity"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"-inf"}, "ERR increment would produce NaN or Infinity"},
		{[]string{"nan"}, "ERR value is not a valid float"},
		{[]string{" 1"}, "ERR value is not a valid float"},
		{[]string{"1 "}, "ERR value is not a valid float"},
		{[]string{"3.0e3"}, "3000"},
		{[]string{"10", "5.0e3"}, "5010"},
		{[]string{"-0"}, "0"},
		{[]string{"18446744073709551615"}, "18446744073709551615"},
		{[]string{"18446744073709551617"}, "18446744073709551616"},
		{[]string{"3.14159265358979323846264338327950288"}, "3.14159265358979324"},
		{[]string{"1.23456789012345678901234"}, "1.23456789012345679"},
		{[]string{"-123.456"}, "-123.456"},
		{[]string{"1e19"}, "10000000000000000000"},
		{[]string{"123456789012345678.5"}, "123456789012345678.5"},
		{[]string{"99999999999999999999.99"}, "100000000000000000000"},
		{[]string{"0x1.8p1"}, "3"},
		{[]string{".5"}, "0.5"},
		{[]string{"5."}, "5"},
		{[]string{"1E2"}, "100"},
	} {
		var got string
		cur, has := "", false
		for _, s := range tc.steps {
			got = incr(has, cur, s)
			cur, has = got, true
		}
		if got != tc.want {
			t.Errorf("INCRBYFLOAT %v = %q, want %q", tc.steps, got, tc.want)
		}
	}
	// server: stored values that INCRBYFLOAT must reject or accept.
	for _, tc := range []struct{ cur, by, want string }{
		{"-0", "-0", "0"},
		{"10.50", "0", "10.5"},
		{"1\x00", "1", "ERR value is not a valid float"},
		{"", "1", "ERR value is not a valid float"},
		{"1.5", "0.1", "1.6"}, // HINCRBYFLOAT uses the same steps
	} {
		if got := incr(true, tc.cur, tc.by); got != tc.want {
			t.Errorf("INCRBYFLOAT on %q by %q = %q, want %q", tc.cur, tc.by, got, tc.want)
		}
	}
}

func TestLongDoubleLimits(t *testing.T) {
	long := make([]byte, maxLongDoubleChars-1)
	for i := range long {
		long[i] = '0'
	}
	long[len(long)-1] = '1'
	if _, ok := ParseLongDouble(long); !ok {
		t.Error("5119 bytes must be accepted")
	}
	if _, ok := ParseLongDouble(append(long, '0')); ok {
		t.Error("5120 bytes must be rejected, as string2ld's buffer is 5120")
	}
	if got := FormatLongDouble(LongDoubleFromInt64(math.MinInt64)); got != "-9223372036854775808" {
		t.Errorf("MinInt64 = %s", got)
	}
	if got := FormatFloat(0.1); got != "0.10000000000000001" {
		t.Errorf("FormatFloat(0.1) = %s", got)
	}
	x, _ := ParseLongDouble([]byte("0.1"))
	if x.Float64() != 0.1 {
		t.Error("Float64 must round to nearest")
	}
	inf, _ := ParseLongDouble([]byte("inf"))
	ninf, _ := ParseLongDouble([]byte("-inf"))
	if s := inf.Add(ninf); !s.IsNaN() || s.IsFinite() {
		t.Error("inf + -inf must be NaN")
	}
	max, _ := ParseLongDouble([]byte("1e4932"))
	if s := max.Add(max); s.IsFinite() {
		t.Error("overflow must give infinity")
	}
}

// Expectations recorded from glibc's atoi (x86-64), which Redis 7.0.15's
// genericGetKeys uses for key counts.
func TestAtoi(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"0", 0},
		{"7", 7},
		{"-7", -7},
		{"+7", 7},
		{"  \t\n\v\f\r12", 12},
		{"\xa01", 0}, // not a space in the C locale
		{"2abc", 2},
		{"1 2", 1},
		{"1\x002", 1},
		{"0001", 1},
		{"abc", 0},
		{"", 0},
		{"-", 0},
		{"--1", 0},
		{" -1", -1},
		{"2147483647", 2147483647},
		{"2147483648", -2147483648},
		{"-2147483649", 2147483647},
		{"4294967296", 0},
		{"4294967297", 1},
		{"1152921504606846976", 0},
		{"9223372036854775807", -1},
		{"9223372036854775808", -1},
		{"11529215046068469760", -1},
		{"99999999999999999999", -1},
		{"-9223372036854775808", 0},
		{"-9223372036854775809", 0},
		{"-99999999999999999999", 0},
	} {
		if got := Atoi([]byte(tc.in)); got != tc.want {
			t.Errorf("Atoi(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

// CeilMul1000 is x87's (long long)ceill(x*1000.0): exact near 2^63 where
// float64 is not, LLONG_MIN out of range, ceilings toward +inf.
func TestCeilMul1000(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"0.1", 100},
		{"0.0001", 1},
		{"-0.0001", 0},
		{"-1.5", -1500},
		{"1e-4000", 1},
		{"9223372036854775", 9223372036854775000},
		{"9223372036854775.807", math.MaxInt64},
		{"9223372036854775.808", math.MinInt64},
		{"9223372036854776", math.MinInt64},
		{"-9223372036854775.808", -math.MaxInt64}, // -...807.617 rounds to -...807.5 (64-bit mantissa), ceiling -...807
		{"-9223372036854775.809", math.MinInt64},
		{"1e300", math.MinInt64},
		{"inf", math.MinInt64},
		{"-inf", math.MinInt64},
	} {
		x, ok := ParseLongDouble([]byte(tc.in))
		if !ok {
			t.Fatalf("ParseLongDouble(%q) refused", tc.in)
		}
		if got := CeilMul1000(x); got != tc.want {
			t.Errorf("CeilMul1000(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
