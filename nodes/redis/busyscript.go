package redis

import (
	"strconv"
	"time"
)

// busy-reply-threshold (lua-time-limit) is configurable as in Redis 7.0,
// but not acted upon yet: a script runs to its end (or to the engine's
// step budget) within one event, and the node never answers -BUSY. See
// the report of the wt-mem branch for the design that is missing.

// busyParams are busy-reply-threshold and its alias lua-time-limit, in
// ms from 0 to LONG_MAX.
var busyParams = []param{busyThresholdParam("busy-reply-threshold"), busyThresholdParam("lua-time-limit")}

func busyThresholdParam(name string) param {
	return param{name: name,
		get: func(c *Config) string { return strconv.FormatInt(durationMs(c.BusyReplyThreshold), 10) },
		set: func(s *Server, v string) string {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "argument couldn't be parsed into an integer"
			}
			if n < 0 {
				return "argument must be between 0 and 9223372036854775807 inclusive"
			}
			s.cfg.BusyReplyThreshold = time.Duration(min(n, int64(1<<63-1)/int64(time.Millisecond))) * time.Millisecond
			return ""
		}}
}
