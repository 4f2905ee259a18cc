package redis

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// adminParams are the CONFIG parameters of the slow log and the latency
// monitor.
var adminParams = []param{
	int64Param("slowlog-log-slower-than", -1, 1<<63-1, func(c *Config) *int64 { return &c.SlowlogLogSlowerThan }),
	intParam("slowlog-max-len", 0, 1<<63-1, func(c *Config) *int { return &c.SlowlogMaxLen }),
	int64Param("latency-monitor-threshold", 0, 1<<63-1, func(c *Config) *int64 { return &c.LatencyMonitorThreshold }),
	boolParam("latency-tracking", func(c *Config) *bool { return &c.LatencyTracking }),
	{name: "latency-tracking-info-percentiles", get: getPercentiles, set: setPercentiles},
}

// int64Param is a long long config from lo to hi.
func int64Param(name string, lo, hi int64, f func(c *Config) *int64) param {
	return numParam(name, 0, intRange(lo, hi), int64Field(f))
}

func getPercentiles(c *Config) string {
	out := make([]string, len(c.LatencyTrackingInfoPercentiles))
	for i, p := range c.LatencyTrackingInfoPercentiles {
		out[i] = trimDouble(strconv.FormatFloat(p, 'f', 6, 64))
	}
	return strings.Join(out, " ")
}

// setPercentiles is setConfigLatencyTrackingInfoPercentilesOutputOption:
// doubles from 0 to 100 separated by single spaces; "" sets none.
func setPercentiles(s *Server, v string) string {
	var ps []float64
	for _, f := range splitConfigArgs(v) {
		p, ok := rnum.ParseFloat([]byte(f))
		if !ok {
			return "Invalid latency-tracking-info-percentiles parameters"
		}
		if p > 100 || p < 0 {
			return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		ps = append(ps, p)
	}
	s.cfg.LatencyTrackingInfoPercentiles = ps
	return ""
}
