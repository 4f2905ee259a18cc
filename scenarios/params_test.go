package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestParams(t *testing.T) {
	specs := []Param{DurationParam("duration", "30s", ""), IntParam("nodes", 5, 1, 9, ""), DurationParam("quiet", "5s", ""),
		ChoiceParam("latency", "fixed", LatencyShapes, ""), FloatParam("f", "0.5", 0, 1, false, ""), BoolParam("b", true, "")}
	if _, err := NewParams(specs, map[string]string{"nodez": "1"}); err == nil || !strings.Contains(err.Error(), `"nodez" is unknown; known: duration, nodes, quiet, latency, f, b`) {
		t.Errorf("unknown param: %v", err)
	}
	for set, want := range map[string]string{
		"nodes=x":      `parameter nodes="x": want an integer from 1 to 9`,
		"nodes=10":     `parameter nodes="10": want an integer from 1 to 9`,
		"duration=-1s": `parameter duration="-1s": want a non-negative duration such as 30s`,
		"latency=warp": `parameter latency="warp": want lognormal, uniform, fixed (one of)`,
		"f=1":          `parameter f="1": want a number in (0, 1)`,
		"b=maybe":      `parameter b="maybe": want true or false`,
		"quiet=30s":    `parameter quiet=30s must be shorter than duration=30s`,
	} {
		kv, _ := ParseSet([]string{set})
		if _, err := NewParams(specs, kv); err == nil || err.Error() != want {
			t.Errorf("--set %s: %v, want %s", set, err, want)
		}
	}
	p, err := NewParams(specs, map[string]string{"nodes": "7", "f": "0.25"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Int("nodes") != 7 || p.Duration("duration") != 30*time.Second || p.Float("f") != 0.25 || !p.Bool("b") || p.String("latency") != "fixed" {
		t.Errorf("typed values: %d %v %v %v %q", p.Int("nodes"), p.Duration("duration"), p.Float("f"), p.Bool("b"), p.String("latency"))
	}
	if _, err := ParseSet([]string{"novalue"}); err == nil {
		t.Error("ParseSet accepted a set without =")
	}
}
