package scenarios

import (
	"strings"
	"testing"
)

func TestParams(t *testing.T) {
	specs := []Param{{"duration", "30s", ""}, {"nodes", "5", ""}}
	if _, err := NewParams(specs, map[string]string{"nodez": "1"}); err == nil || !strings.Contains(err.Error(), `"nodez" is unknown; known: duration, nodes`) {
		t.Errorf("unknown param: %v", err)
	}
	p, err := NewParams(specs, map[string]string{"nodes": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Int("nodes", 1, 9); err == nil || !strings.Contains(err.Error(), `nodes="x"`) {
		t.Errorf("bad int: %v", err)
	}
	if _, err := ParseSet([]string{"novalue"}); err == nil {
		t.Error("ParseSet accepted a set without =")
	}
}

func TestExecuteRejectsBadParams(t *testing.T) {
	s, _ := Builtins().Lookup("ping")
	for _, set := range []map[string]string{{"duration": "soon"}, {"nodes": "1"}, {"quiet": "1h"}, {"latency": "warp"}} {
		_, err := Execute(s, Options{Seed: 1, Set: set})
		if _, ok := err.(*UsageError); !ok {
			t.Errorf("%v: got %v, want a usage error", set, err)
		}
	}
}
