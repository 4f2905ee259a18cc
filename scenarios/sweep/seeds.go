package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxSeeds bounds one seed list, so that a typo such as "1-1000000000" is an
// error rather than an allocation of gigabytes.
const MaxSeeds = 1 << 20

// ParseSeeds parses a --seeds value: comma-separated items, each a seed ("7")
// or an inclusive range ("1-100"). Seeds keep the order written; a seed
// written twice is an error, since it would run the same world twice and count
// it twice.
func ParseSeeds(s string) ([]uint64, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("--seeds %q: %s", s, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad("want a range such as 1-100 or a list such as 1,5,9")
	}
	var seeds []uint64
	seen := map[uint64]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		loText, hiText, isRange := strings.Cut(item, "-")
		lo, err := strconv.ParseUint(loText, 10, 64)
		if err != nil {
			return nil, bad("%q is not a seed or a range A-B of non-negative integers", item)
		}
		hi := lo
		if isRange {
			if hi, err = strconv.ParseUint(hiText, 10, 64); err != nil {
				return nil, bad("%q is not a seed or a range A-B of non-negative integers", item)
			}
			if hi < lo {
				return nil, bad("range %q ends before it starts; write %d-%d", item, hi, lo)
			}
		}
		if hi-lo >= MaxSeeds || uint64(len(seeds))+hi-lo+1 > MaxSeeds {
			return nil, bad("more than %d seeds; split the sweep", MaxSeeds)
		}
		for seed := lo; ; seed++ {
			if seen[seed] {
				return nil, bad("seed %d is listed twice", seed)
			}
			seen[seed] = true
			seeds = append(seeds, seed)
			if seed == hi {
				break
			}
		}
	}
	return seeds, nil
}

// FormatSeeds writes a seed list as ParseSeeds reads it, runs of
// consecutive seeds as ranges: 1-10,42.
func FormatSeeds(seeds []uint64) string {
	var b strings.Builder
	for i := 0; i < len(seeds); {
		j := i
		for j+1 < len(seeds) && seeds[j+1] == seeds[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(seeds[i], 10))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(seeds[j], 10))
		}
		i = j + 1
	}
	return b.String()
}
