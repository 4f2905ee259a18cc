package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard returns shard index of count: the seeds at positions index,
// index+count, index+2·count, … of seeds. Shards count from 0, as Kubernetes'
// JOB_COMPLETION_INDEX does, and together hold every seed exactly once.
//
// Shards are strided rather than contiguous blocks for two reasons. A seed's
// shard depends only on its position and count, not on the length of the
// list, so extending --seeds 1-100 to 1-200 leaves seeds 1-100 on the shards
// that ran them before (a failure found on shard 2 stays on shard 2). And
// when the cost of seeds drifts along the list (a list of ranges from
// different campaigns, later seeds with longer durations), every shard gets an
// even share of cheap and dear seeds, so the matrix finishes together.
func Shard(seeds []uint64, index, count int) []uint64 {
	if count <= 0 || index < 0 || index >= count {
		panic(fmt.Sprintf("sweep.Shard: shard %d/%d is out of range", index, count))
	}
	var out []uint64
	for i := index; i < len(seeds); i += count {
		out = append(out, seeds[i])
	}
	return out
}

// ParseShard parses a --shard value "I/N": shard I of N, I from 0 to N-1.
func ParseShard(s string) (index, count int, err error) {
	iText, nText, ok := strings.Cut(s, "/")
	i, errI := strconv.Atoi(iText)
	n, errN := strconv.Atoi(nText)
	if !ok || errI != nil || errN != nil {
		return 0, 0, fmt.Errorf("--shard %q: want I/N, shard I of N counting from 0, such as 0/4", s)
	}
	if err := checkShard(i, n); err != nil {
		return 0, 0, fmt.Errorf("--shard %q: %w", s, err)
	}
	return i, n, nil
}

// ShardFromJobIndex gives the shard of a Kubernetes Indexed Job's pod: index
// is the pod's JOB_COMPLETION_INDEX (as the environment holds it) and count
// the Job's completions, which Kubernetes does not put in the environment, so
// the caller passes it (simulate's --shards).
func ShardFromJobIndex(index string, count int) (int, int, error) {
	i, err := strconv.Atoi(strings.TrimSpace(index))
	if err != nil {
		return 0, 0, fmt.Errorf("JOB_COMPLETION_INDEX=%q: want an integer", index)
	}
	if count == 0 {
		return 0, 0, fmt.Errorf("JOB_COMPLETION_INDEX=%d is set but the number of shards is not; pass --shards with the Job's completions, or --shard I/N", i)
	}
	if err := checkShard(i, count); err != nil {
		return 0, 0, fmt.Errorf("JOB_COMPLETION_INDEX=%d with --shards %d: %w", i, count, err)
	}
	return i, count, nil
}

func checkShard(i, n int) error {
	if n < 1 {
		return fmt.Errorf("the number of shards must be at least 1, not %d", n)
	}
	if i < 0 || i >= n {
		return fmt.Errorf("shard index must be from 0 to %d (shards count from 0), not %d", n-1, i)
	}
	return nil
}
