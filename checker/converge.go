package checker

import (
	"fmt"
	"slices"
	"strings"
)

func checkConvergence(shards []Shard) Result {
	res := Result{Checker: "convergence"}
	sorted := slices.Clone(shards)
	slices.SortStableFunc(sorted, func(a, b Shard) int { return strings.Compare(a.Name, b.Name) })
	replicas, diverged, unread := 0, 0, 0
	var firstBad, firstUnread string
	for _, s := range sorted {
		reps := slices.Clone(s.Replicas)
		slices.SortStableFunc(reps, func(a, b Replica) int { return strings.Compare(a.Node, b.Node) })
		replicas += len(reps)
		digests := map[string][]string{}
		var order []string
		for _, r := range reps {
			if r.Digest == "" {
				unread++
				if firstUnread == "" {
					firstUnread = fmt.Sprintf("shard %q: no digest from %s", s.Name, r.Node)
				}
				continue
			}
			if _, ok := digests[r.Digest]; !ok {
				order = append(order, r.Digest)
			}
			digests[r.Digest] = append(digests[r.Digest], r.Node)
		}
		if len(order) <= 1 {
			continue
		}
		diverged++
		if firstBad != "" {
			continue
		}
		parts := make([]string, len(order))
		for i, d := range order {
			parts[i] = fmt.Sprintf("%s have %s", strings.Join(digests[d], ", "), d)
		}
		firstBad = fmt.Sprintf("shard %q: %s", s.Name, strings.Join(parts, "; "))
		res.Evidence = Evidence{Key: s.Name, Replicas: reps}
	}
	res.Metrics = []Metric{
		{"shards", float64(len(sorted))},
		{"replicas", float64(replicas)},
		{"diverged_shards", float64(diverged)},
		{"unread_replicas", float64(unread)},
	}
	switch {
	case diverged > 0:
		res.Verdict = Violation
		res.Summary = fmt.Sprintf("%d of %d shards diverged; %s", diverged, len(sorted), firstBad)
	case replicas == 0:
		res.Verdict, res.Summary = Unknown, "no replica digest to compare"
	case unread > 0:
		res.Verdict = Unknown
		res.Summary = fmt.Sprintf("%s gave no digest; %s", counted(unread, "node"), firstUnread)
	default:
		res.Verdict = Ok
		res.Summary = fmt.Sprintf("%s, %s: every shard's nodes report the same digest", counted(len(sorted), "shard"), counted(replicas, "node"))
	}
	return res
}

// counted is "1 shard" or "3 shards".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
