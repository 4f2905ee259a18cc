package sweep

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseSeeds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		err  string
	}{
		{in: "1-5", want: "[1 2 3 4 5]"},
		{in: "7", want: "[7]"},
		{in: "1,5,9", want: "[1 5 9]"},
		{in: "10-12, 3", want: "[10 11 12 3]"},
		{in: "0-0", want: "[0]"},
		{in: "18446744073709551614-18446744073709551615", want: "[18446744073709551614 18446744073709551615]"},
		{in: "", err: "want a range such as 1-100"},
		{in: "5-1", err: `range "5-1" ends before it starts; write 1-5`},
		{in: "a-b", err: `"a-b" is not a seed or a range`},
		{in: "1-", err: `"1-" is not a seed`},
		{in: "-3", err: `"-3" is not a seed`},
		{in: "1,,2", err: `"" is not a seed`},
		{in: "1-3,2", err: "seed 2 is listed twice"},
		{in: "1-100000000", err: "more than 1048576 seeds"},
		{in: "0-18446744073709551615", err: "more than 1048576 seeds"},
	} {
		got, err := ParseSeeds(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "--seeds ") {
				t.Errorf("ParseSeeds(%q) = %v, %v; want an error naming --seeds with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("ParseSeeds(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestShardsCoverEverySeedOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100, 101} {
		seeds := seedRange(1000, 1000+uint64(n)-1)
		for count := 1; count <= 9; count++ {
			seen := map[uint64]int{}
			sizes := map[int]bool{}
			for i := range count {
				shard := Shard(seeds, i, count)
				sizes[len(shard)] = true
				for _, s := range shard {
					seen[s]++
				}
			}
			for _, s := range seeds {
				if seen[s] != 1 {
					t.Fatalf("%d seeds, %d shards: seed %d is in %d shards", n, count, s, seen[s])
				}
			}
			if len(seen) != len(seeds) {
				t.Fatalf("%d seeds, %d shards: shards hold %d distinct seeds", n, count, len(seen))
			}
			if len(sizes) > 2 {
				t.Fatalf("%d seeds, %d shards: shard sizes differ by more than one: %v", n, count, sizes)
			}
		}
	}
}

// Extending the seed range keeps every old seed on the shard that ran it.
func TestShardOfASeedSurvivesALongerRange(t *testing.T) {
	short, long := Shard(seedRange(1, 100), 2, 4), Shard(seedRange(1, 200), 2, 4)
	if fmt.Sprint(long[:len(short)]) != fmt.Sprint(short) {
		t.Fatalf("shard 2/4 of 1-100 is %v, but 1-200 starts %v", short, long[:len(short)])
	}
	if fmt.Sprint(short[:3]) != "[3 7 11]" {
		t.Fatalf("shard 2/4 of 1-100 starts %v, want every 4th seed from 3", short[:3])
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in       string
		i, n     int
		errWants string
	}{
		{in: "0/1", i: 0, n: 1},
		{in: "3/4", i: 3, n: 4},
		{in: "4/4", errWants: "shard index must be from 0 to 3"},
		{in: "-1/4", errWants: "shard index must be from 0 to 3"},
		{in: "0/0", errWants: "at least 1"},
		{in: "1", errWants: "want I/N"},
		{in: "a/b", errWants: "want I/N"},
		{in: "", errWants: "want I/N"},
	} {
		i, n, err := ParseShard(tt.in)
		if tt.errWants != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWants) || !strings.HasPrefix(err.Error(), "--shard ") {
				t.Errorf("ParseShard(%q): %v; want an error naming --shard with %q", tt.in, err, tt.errWants)
			}
			continue
		}
		if err != nil || i != tt.i || n != tt.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v", tt.in, i, n, err)
		}
	}
}

func TestShardFromJobIndex(t *testing.T) {
	if i, n, err := ShardFromJobIndex("2", 5); err != nil || i != 2 || n != 5 {
		t.Errorf("2 of 5: %d/%d %v", i, n, err)
	}
	for _, tt := range []struct {
		index string
		count int
		want  string
	}{
		{"x", 5, `JOB_COMPLETION_INDEX="x": want an integer`},
		{"2", 0, "pass --shards"},
		{"5", 5, "must be from 0 to 4"},
	} {
		if _, _, err := ShardFromJobIndex(tt.index, tt.count); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ShardFromJobIndex(%q, %d): %v; want %q", tt.index, tt.count, err, tt.want)
		}
	}
}

func TestFormatSeeds(t *testing.T) {
	for _, tt := range []struct {
		seeds []uint64
		want  string
	}{
		{nil, ""},
		{[]uint64{7}, "7"},
		{[]uint64{1, 5, 9}, "1,5,9"},
		{[]uint64{1, 2, 3, 4, 42}, "1-4,42"},
		{[]uint64{9, 10, 3, 4}, "9-10,3-4"},
	} {
		got := FormatSeeds(tt.seeds)
		if got != tt.want {
			t.Errorf("FormatSeeds(%v) = %q, want %q", tt.seeds, got, tt.want)
		}
		if back, err := ParseSeeds(got); len(tt.seeds) > 0 && (err != nil || !slices.Equal(back, tt.seeds)) {
			t.Errorf("ParseSeeds(%q) = %v, %v", got, back, err)
		}
	}
}
