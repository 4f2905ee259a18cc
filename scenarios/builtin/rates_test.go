package builtin

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
)

// TestExpectedRates keeps the unsafe cases honest: each line of
// testdata/expected-rates.txt is swept and its violation rate must stay in
// its band.
func TestExpectedRates(t *testing.T) {
	if testing.Short() {
		t.Skip("sweeps hundreds of worlds")
	}
	f, err := os.Open("testdata/expected-rates.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg := Registry()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 4 {
			t.Fatalf("expected-rates.txt:%d: want SCENARIO SEEDS LO HI [k=v...]", line)
		}
		n, err1 := strconv.Atoi(fields[1])
		lo, err2 := strconv.ParseFloat(fields[2], 64)
		hi, err3 := strconv.ParseFloat(fields[3], 64)
		set, err4 := scenarios.ParseSet(fields[4:])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || n < 1 {
			t.Fatalf("expected-rates.txt:%d: bad line %q", line, sc.Text())
		}
		s, err := reg.Lookup(fields[0])
		if err != nil {
			t.Fatalf("expected-rates.txt:%d: %v", line, err)
		}
		seeds := make([]uint64, n)
		for i := range seeds {
			seeds[i] = uint64(i + 1)
		}
		sum, err := sweep.Run(context.Background(), sweep.Config{Scenario: s, Seeds: seeds, Set: set})
		if err != nil || sum.Errored > 0 {
			t.Fatalf("expected-rates.txt:%d: %v (%d framework errors)", line, err, sum.Errored)
		}
		rate := float64(sum.Failed) / float64(n)
		if rate < lo || rate > hi {
			t.Errorf("expected-rates.txt:%d: %s %s: violation rate %.2f (%d of %d seeds) is outside [%g, %g]",
				line, fields[0], strings.Join(fields[4:], " "), rate, sum.Failed, n, lo, hi)
		}
	}
}
