package geo

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPiBig checks Machin's π against Euler's π/4 = atan(1/2) + atan(1/3),
// summed here at 2100 bits, to 2000 bits.
func TestPiBig(t *testing.T) {
	const prec = 2000
	w := uint(prec + 100)
	euler := newFloat(w)
	for _, m := range []int64{2, 3} {
		x := newFloat(w).Quo(newFloat(w).SetInt64(1), newFloat(w).SetInt64(m))
		x2 := newFloat(w).Mul(x, x)
		pow := newFloat(w).Set(x)
		for n := int64(0); pow.MantExp(nil) > -int(w); n++ {
			term := newFloat(w).Quo(pow, newFloat(w).SetInt64(2*n+1))
			if n%2 == 0 {
				euler.Add(euler, term)
			} else {
				euler.Sub(euler, term)
			}
			pow.Mul(pow, x2)
		}
	}
	euler.SetMantExp(euler, 2)
	diff := newFloat(w).Sub(piBig(prec), euler)
	if diff.Sign() != 0 && diff.MantExp(nil) > -prec+8 {
		t.Errorf("piBig(%d) - Euler's π = %g", prec, diff)
	}
}

func TestTrigConstants(t *testing.T) {
	if halfPi[0] != math.Pi/2 || twoOverPi != 2/math.Pi || mSixth[0] != -1.0/6 {
		t.Errorf("halfPi[0] %v, twoOverPi %v, mSixth %v", halfPi[0], twoOverPi, mSixth)
	}
	// Each part is at most half an ulp of the one before.
	for i := 1; i < len(halfPi); i++ {
		if math.Abs(halfPi[i]) > math.Abs(halfPi[i-1])*0x1p-53 {
			t.Errorf("halfPi = %v: part %d too large", halfPi, i)
		}
	}
	if sinCosTab[0] != [4]float64{0, 0, 1, 0} {
		t.Errorf("sinCosTab[0] = %v", sinCosTab[0])
	}
	for i, e := range sinCosTab {
		a := float64(i) / 64
		if math.Abs(e[0]-math.Sin(a)) > 0x1p-52 || math.Abs(e[2]-math.Cos(a)) > 0x1p-52 ||
			math.Abs(e[1]) > math.Abs(e[0])*0x1p-53 || math.Abs(e[3]) > e[2]*0x1p-53 {
			t.Errorf("sinCosTab[%d] = %v", i, e)
		}
	}
}

func TestTrigSpecialValues(t *testing.T) {
	negZero := math.Copysign(0, -1)
	inf := math.Inf(1)
	for _, x := range []float64{math.NaN(), inf, -inf} {
		if v, w := sin(x), cos(x); v == v || w == w {
			t.Errorf("sin/cos(%v) = %v %v, want NaN", x, v, w)
		}
	}
	for _, x := range []float64{math.NaN(), inf, -inf, 1.0000000000000002, -2} {
		if v := asin(x); v == v {
			t.Errorf("asin(%v) = %v, want NaN", x, v)
		}
	}
	if v := sin(negZero); v != 0 || !math.Signbit(v) {
		t.Errorf("sin(-0) = %v", v)
	}
	if v := asin(negZero); v != 0 || !math.Signbit(v) {
		t.Errorf("asin(-0) = %v", v)
	}
	if cos(0) != 1 || cos(negZero) != 1 || sin(0) != 0 || asin(0) != 0 {
		t.Error("sin, cos or asin of 0")
	}
	if asin(1) != math.Pi/2 || asin(-1) != -math.Pi/2 {
		t.Errorf("asin(±1) = %v %v", asin(1), asin(-1))
	}
	for _, x := range []float64{5e-324, 1e-310, 0x1p-1022, 1e-20, 0x1p-27} {
		if sin(x) != x || sin(-x) != -x || asin(x) != x || cos(x) != 1 {
			t.Errorf("tiny %v: sin %v asin %v cos %v", x, sin(x), asin(x), cos(x))
		}
	}
}

// trigArgs draws arguments of each function: uniform over what Redis
// passes (|x| <= π for sin, latitudes for cos, [0, 1] for asin), the
// same scaled down by up to 2^-40, points near multiples of π/2 and of
// the table's 1/64, wider sin and cos arguments, and asin's arguments
// near 1/2 and 1.
func trigArgs(r *rand.Rand, fn string, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		u := r.Float64()*2 - 1
		var x float64
		switch fn {
		case "sin", "cos":
			switch i % 6 {
			case 0:
				x = u * math.Pi
			case 1:
				x = u * 1.4844
			case 2:
				x = u * math.Exp2(-float64(r.IntN(40)))
			case 3:
				k := float64(r.IntN(1 << r.IntN(20)))
				if u < 0 {
					k = -k
				}
				x = k*(math.Pi/2) + u*math.Exp2(-float64(r.IntN(45)))
			case 4:
				x = float64(r.IntN(52))/64 + u*math.Exp2(-7-float64(r.IntN(40)))
			case 5:
				x = u * math.Exp2(float64(r.IntN(20)))
			}
		case "asin":
			switch i % 5 {
			case 0, 1:
				x = u
			case 2:
				x = u * math.Exp2(-float64(r.IntN(40)))
			case 3:
				x = math.Copysign(1-r.Float64()*math.Exp2(-float64(r.IntN(53))), u)
			case 4:
				x = 0.5 + u*math.Exp2(-2-float64(r.IntN(40)))
			}
		}
		xs[i] = x
	}
	return xs
}

var trigFuncs = map[string]func(float64) float64{"sin": sin, "cos": cos, "asin": asin}

func slowTrig(fn string, x float64) float64 {
	switch {
	case fn == "asin" && x != 0 && math.Abs(x) <= 1:
		return asinSlow(x)
	case fn == "sin" && x != 0:
		return sinCosSlow(x, false)
	case fn == "cos" && x != 0:
		return sinCosSlow(x, true)
	}
	return trigFuncs[fn](x)
}

// TestTrigCorrectlyRounded compares the fast paths with the slow one,
// which rounds an enclosure of the true value computed in math/big.
func TestTrigCorrectlyRounded(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 1000
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, fn := range []string{"sin", "cos", "asin"} {
		for _, x := range trigArgs(r, fn, n) {
			if got, want := trigFuncs[fn](x), slowTrig(fn, x); got != want {
				t.Errorf("%s(%v) = %x, correctly rounded %x", fn, x, math.Float64bits(got), math.Float64bits(want))
			}
		}
	}
}

// TestTrigSlowPath checks the slow path against identities it does not
// build in, at two precisions: sin² + cos² = 1; sin 2x = 2 sin x cos x,
// whose two sides reduce their arguments differently (x up to 2^1000);
// and asin(sin x) = x, through the derivative since sin x is rounded to a
// double first.
func TestTrigSlowPath(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	lessThan := func(v, bound *big.Float) bool { return newFloat(64).Abs(v).Cmp(bound) <= 0 }
	for i := range 300 {
		x := (r.Float64()*2 - 1) * math.Exp2(float64(r.IntN(60)-20))
		if i%10 == 0 {
			x = (r.Float64()*2 - 1) * math.Exp2(float64(r.IntN(1000)))
		}
		for _, w := range []uint{startPrec, 4 * startPrec} {
			s, es := sinCosBig(x, false, w)
			c, ec := sinCosBig(x, true, w)
			s2, es2 := sinCosBig(2*x, false, w)
			// Both identities hold to a few times the errors' sum (sin and
			// cos are at most 1) plus the roundings at 2w bits.
			bound := newFloat(64).Add(es, ec)
			bound.Add(bound, es2)
			bound.SetMantExp(bound, 2)
			one := newFloat(2*w).Mul(s, s)
			one.Add(one, newFloat(2*w).Mul(c, c))
			one.Sub(one, big.NewFloat(1))
			if !lessThan(one, bound) {
				t.Errorf("x = %v at %d bits: sin²+cos²-1 = %g, bound %g", x, w, one, bound)
			}
			twice := newFloat(2*w).Mul(s, c)
			twice.SetMantExp(twice, 1)
			twice.Sub(twice, s2)
			if !lessThan(twice, bound) {
				t.Errorf("x = %v at %d bits: 2 sin x cos x - sin 2x = %g, bound %g", x, w, twice, bound)
			}
		}
	}
	for range 300 {
		x := (r.Float64()*2 - 1) * 1.4
		for _, w := range []uint{startPrec, 4 * startPrec} {
			s, es := sinCosBig(x, false, w)
			c, _ := sinCosBig(x, true, w)
			sx, _ := s.Float64()
			a, ea := asinBig(sx, w)
			// asin(sx) = x + (sx - sin x)/cos x + a second-order term
			// below 2^-106·tan x/cos²x < 2^-95 for |x| <= 1.4.
			d := newFloat(2*w).Sub(new(big.Float).SetFloat64(sx), s)
			d.Quo(d, c)
			d.Add(d, new(big.Float).SetFloat64(x))
			d.Sub(a, d)
			bound := newFloat(64).Quo(es, c)
			bound.Add(bound, ea)
			bound.SetMantExp(bound, 2)
			bound.Add(bound, pow2(-95))
			if !lessThan(d, bound) {
				t.Errorf("x = %v at %d bits: asin(sin x) - x off by %g, bound %g", x, w, d, bound)
			}
		}
	}
}

// TestTrigKernelErrors measures the kernels' errors against the series
// in math/big: each must stay a quarter of its bound or less.
func TestTrigKernelErrors(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(15, 16))
	type kernel struct {
		name  string
		odd   bool
		f     func(rh, rl float64) (float64, float64)
		bound float64
	}
	kernels := []kernel{
		{"sinQuick", true, sinQuick, quickErr}, {"cosQuick", false, cosQuick, quickErr},
		{"sinKernel", true, sinKernel, kernelErr}, {"cosKernel", false, cosKernel, kernelErr},
	}
	worst := make([]float64, len(kernels))
	for i := range n {
		rh := r.Float64() * (math.Pi / 4)
		switch i % 3 {
		case 1:
			rh = math.Abs(math.Round(rh*64)/64 + (r.Float64()-0.5)*math.Exp2(-7-float64(r.IntN(40))))
		case 2:
			rh *= math.Exp2(-float64(r.IntN(27)))
		}
		rl := (r.Float64() - 0.5) * 0x1p-52 * rh
		arg := newFloat(200).SetFloat64(rh)
		arg.Add(arg, new(big.Float).SetFloat64(rl))
		want := [2]*big.Float{}
		want[0], _ = sinCosSeries(arg, false, 200)
		want[1], _ = sinCosSeries(arg, true, 200)
		for k, kn := range kernels {
			h, l := kn.f(rh, rl)
			w := want[0]
			if kn.odd {
				w = want[1]
			}
			d := newFloat(200).SetFloat64(h)
			d.Add(d, new(big.Float).SetFloat64(l))
			d.Sub(d, w)
			d.Quo(d, w)
			e, _ := d.Float64()
			worst[k] = max(worst[k], math.Abs(e))
		}
	}
	for k, kn := range kernels {
		t.Logf("%s: largest relative error 2^%.1f, bound 2^%.0f", kn.name, math.Log2(worst[k]), math.Log2(kn.bound))
		if worst[k] > kn.bound/4 {
			t.Errorf("%s: error %g is over a quarter of its bound %g", kn.name, worst[k], kn.bound)
		}
	}

	// asinKernel returns its own bound; the error must stay within it.
	ratio := [2]float64{}
	for i := range n {
		sh := r.Float64() * 0.5
		if i%2 == 1 {
			sh = math.Max(sh*math.Exp2(-float64(r.IntN(28))), 0x1p-28)
		}
		sl := (r.Float64() - 0.5) * 0x1p-52 * sh
		arg := newFloat(200).SetFloat64(sh)
		arg.Add(arg, new(big.Float).SetFloat64(sl))
		want, _ := asinSeries(arg, 200)
		for j, accurate := range []bool{false, true} {
			h, l, e, ok := asinKernel(sh, sl, accurate)
			if !ok {
				t.Errorf("asinKernel(%v, %v) gave up", sh, sl)
				continue
			}
			d := newFloat(200).SetFloat64(h)
			d.Add(d, new(big.Float).SetFloat64(l))
			d.Sub(d, want)
			f, _ := d.Float64()
			ratio[j] = max(ratio[j], math.Abs(f)/e)
		}
	}
	t.Logf("asinKernel: largest error / bound %.3f quick, %.3f accurate", ratio[0], ratio[1])
	if ratio[0] > 0.25 || ratio[1] > 0.25 {
		t.Errorf("asinKernel's errors reach %.3f and %.3f of its bounds", ratio[0], ratio[1])
	}
}

// TestDistanceNudged: the tests' copy of Distance (export_test.go) is
// Distance with this package's sin, cos and asin, and DistanceBounds
// brackets it.
func TestDistanceNudged(t *testing.T) {
	pts := randPoints(2001)
	pts = append(pts, [2]float64{0, 10}, [2]float64{0, -10}, [2]float64{180, 1}, [2]float64{0, -1})
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		d := Distance(p[0], p[1], q[0], q[1])
		if n := distanceWith(sin, cos, asin, p[0], p[1], q[0], q[1]); math.Float64bits(n) != math.Float64bits(d) {
			t.Fatalf("distanceWith(sin, cos, asin, %v, %v) = %v, Distance %v", p, q, n, d)
		}
		if lo, hi := DistanceBounds(p[0], p[1], q[0], q[1]); !(lo <= d && d <= hi) {
			t.Errorf("DistanceBounds(%v, %v) = %v, %v around %v", p, q, lo, hi, d)
		}
	}
}

// machineLibm computes fn (sin, cos or asin) over xs with the C library
// of the machine, through a small C program built with its C compiler;
// without one the test is skipped.
func machineLibm(t *testing.T, fn string, xs []float64) []float64 {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to call the machine's libm")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "libm.c")
	prog := `#include <math.h>
#include <stdio.h>
#include <string.h>

/* Reads doubles on stdin, writes f of each on stdout, f named by argv[1];
   the calls go through a pointer so that the compiler cannot fold them. */
int main(int argc, char **argv) {
	double (*f)(double) = strcmp(argv[1], "sin") == 0 ? sin : strcmp(argv[1], "cos") == 0 ? cos : asin;
	double x;
	while (fread(&x, sizeof x, 1, stdin) == 1) {
		double y = f(x);
		fwrite(&y, sizeof y, 1, stdout);
	}
	return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "libm")
	if out, err := exec.Command(cc, "-O2", "-o", bin, src, "-lm").CombinedOutput(); err != nil {
		t.Skipf("%s cannot build the libm helper: %v\n%s", cc, err, out)
	}
	var in bytes.Buffer
	if err := binary.Write(&in, binary.NativeEndian, xs); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, fn)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("libm helper: %v", err)
	}
	ys := make([]float64, len(xs))
	if err := binary.Read(bytes.NewReader(out), binary.NativeEndian, ys); err != nil {
		t.Fatalf("libm helper output: %v", err)
	}
	return ys
}

// libmPairs draws n pairs of points: uniform ones, close ones and
// near-antipodal ones.
func libmPairs(r *rand.Rand, n int) [][4]float64 {
	pairs := make([][4]float64, n)
	for i := range pairs {
		lon1, lat1 := r.Float64()*360-180, r.Float64()*170.1-85.05
		var lon2, lat2 float64
		switch i % 3 {
		case 0:
			lon2, lat2 = r.Float64()*360-180, r.Float64()*170.1-85.05
		case 1:
			lon2, lat2 = lon1+(r.Float64()-0.5)*0.1, math.Max(math.Min(lat1+(r.Float64()-0.5)*0.1, 85.05), -85.05)
		case 2:
			lon2, lat2 = lon1+180+(r.Float64()-0.5)*1e-4, -lat1+(r.Float64()-0.5)*1e-4
			if lon2 > 180 {
				lon2 -= 360
			}
		}
		pairs[i] = [4]float64{lon1, lat1, lon2, lat2}
	}
	return pairs
}

// libmDistances runs distanceWith over the pairs with the machine's libm:
// a pass recording the arguments of each function with the results
// known so far, a batch through machineLibm, and again until no new
// argument turns up (three passes: asin's depend on sin's and cos's).
func libmDistances(t *testing.T, pairs [][4]float64) (ds []float64, args map[string][]float64, results map[string]map[uint64]float64) {
	results = map[string]map[uint64]float64{"sin": {}, "cos": {}, "asin": {}}
	args = map[string][]float64{}
	for {
		fresh := map[string][]float64{}
		lookup := func(fn string) func(float64) float64 {
			return func(x float64) float64 {
				if y, ok := results[fn][math.Float64bits(x)]; ok {
					return y
				}
				fresh[fn] = append(fresh[fn], x)
				return trigFuncs[fn](x)
			}
		}
		ds = ds[:0]
		for _, p := range pairs {
			ds = append(ds, distanceWith(lookup("sin"), lookup("cos"), lookup("asin"), p[0], p[1], p[2], p[3]))
		}
		if len(fresh) == 0 {
			return ds, args, results
		}
		for _, fn := range []string{"sin", "cos", "asin"} {
			if len(fresh[fn]) == 0 {
				continue
			}
			ys := machineLibm(t, fn, fresh[fn])
			for i, x := range fresh[fn] {
				results[fn][math.Float64bits(x)] = ys[i]
			}
			args[fn] = append(args[fn], fresh[fn]...)
		}
	}
}

// TestTrigAgainstLibm measures how often the machine's libm returns the
// correctly rounded result: on the arguments Distance passes for random
// pairs of points (uniform, close and near-antipodal ones) and on
// trigArgs, and then how often the distances and the replies printed
// from them differ. Every libm result must be within one ulp of ours
// (the differential tests' tolerance rests on it) and equal to it for at
// least 99% of arguments (the package's premise, see doc.go).
func TestTrigAgainstLibm(t *testing.T) {
	n := 60000
	if testing.Short() {
		n = 6000
	}
	r := rand.New(rand.NewPCG(17, 18))
	pairs := libmPairs(r, n)
	ds, args, results := libmDistances(t, pairs)
	goFuncs := map[string]func(float64) float64{"sin": math.Sin, "cos": math.Cos, "asin": math.Asin}
	compare := func(fn, what string, xs []float64, libm func(int) float64) {
		differ, goDiffer := 0, 0
		for i, x := range xs {
			ours, theirs := trigFuncs[fn](x), libm(i)
			if math.Float64bits(goFuncs[fn](x)) != math.Float64bits(theirs) {
				goDiffer++
			}
			if math.Float64bits(ours) == math.Float64bits(theirs) || ours != ours && theirs != theirs {
				continue
			}
			differ++
			if math.Nextafter(ours, theirs) != theirs {
				t.Errorf("%s(%v): libm %v is more than one ulp from the correctly rounded %v", fn, x, theirs, ours)
			}
		}
		t.Logf("%-4s on %6d %s arguments: libm differs from correctly rounded on %4d (%.3f%%), from Go's math on %6d (%.1f%%)",
			fn, len(xs), what, differ, 100*float64(differ)/float64(len(xs)), goDiffer, 100*float64(goDiffer)/float64(len(xs)))
		if differ*100 > len(xs) {
			t.Errorf("%s: libm differs on more than 1%% of %s arguments; see doc.go", fn, what)
		}
	}
	for _, fn := range []string{"sin", "cos", "asin"} {
		xs := args[fn]
		compare(fn, "Distance's", xs, func(i int) float64 { return results[fn][math.Float64bits(xs[i])] })
	}
	for _, fn := range []string{"sin", "cos", "asin"} {
		xs := trigArgs(r, fn, n)
		libm := machineLibm(t, fn, xs)
		compare(fn, "other", xs, func(i int) float64 { return libm[i] })
	}

	bits, printed, far := 0, 0, 0
	for i, p := range pairs {
		d := Distance(p[0], p[1], p[2], p[3])
		if math.Float64bits(d) == math.Float64bits(ds[i]) {
			continue
		}
		bits++
		if FormatDistance(d) != FormatDistance(ds[i]) {
			printed++
			if i%3 == 2 {
				far++
			}
		}
	}
	t.Logf("Distance with libm on %d pairs of points: %d differ (%.2f%%), %d of them printed in meters (%d near-antipodal)",
		len(pairs), bits, 100*float64(bits)/float64(len(pairs)), printed, far)
}

func BenchmarkSin(b *testing.B) {
	xs := trigArgs(rand.New(rand.NewPCG(1, 2)), "sin", 1024)
	for i := range xs {
		xs[i] = math.Remainder(xs[i], math.Pi)
	}
	b.ReportAllocs()
	var s float64
	for i := 0; b.Loop(); i++ {
		s += sin(xs[i&1023])
	}
	_ = s
}

func BenchmarkCos(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = degRad(r.Float64()*170 - 85)
	}
	b.ReportAllocs()
	var s float64
	for i := 0; b.Loop(); i++ {
		s += cos(xs[i&1023])
	}
	_ = s
}

func BenchmarkAsin(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = r.Float64()
	}
	b.ReportAllocs()
	var s float64
	for i := 0; b.Loop(); i++ {
		s += asin(xs[i&1023])
	}
	_ = s
}
