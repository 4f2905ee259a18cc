package history

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// oldCanonical is Value.Canonical as it was, over strconv.ParseInt.
func oldCanonical(s string) Value {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 || d[0] == '0' && (len(d) > 1 || len(s) > 1) {
		return Str(s)
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return Str(s)
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(n)
	}
	return Str(s)
}

// StrBytes and Canonical turn exactly the strings strconv.FormatInt
// writes into integers, whatever their length, sign or range.
func TestStrBytesMatchesCanonical(t *testing.T) {
	cases := []string{"", "-", "0", "-0", "00", "01", "-01", "+1", "1", "-1", " 1", "1 ", "1x", "x",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"9999999999999999999", "-9999999999999999999", "10000000000000000000", "18446744073709551616",
		"1000000001", "123456789012345678", "abc", "é"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		n := r.Int64() >> r.IntN(64)
		if r.IntN(2) == 0 {
			n = -n
		}
		s := strconv.FormatInt(n, 10)
		cases = append(cases, s, s+"0", "0"+s, s[:len(s)-1]+"a")
	}
	for _, s := range cases {
		want := oldCanonical(s)
		if got := StrBytes([]byte(s)); got != want {
			t.Errorf("StrBytes(%q) = %#v, want %#v", s, got, want)
		}
		if got := Str(s).Canonical(); got != want {
			t.Errorf("Str(%q).Canonical() = %#v, want %#v", s, got, want)
		}
	}
}

func BenchmarkStrBytes(b *testing.B) {
	in := []byte("1000000001")
	b.ReportAllocs()
	for b.Loop() {
		if v := StrBytes(in); v.IsNone() {
			b.Fatal(v)
		}
	}
}
