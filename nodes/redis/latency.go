package redis

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// latencyTSLen is LATENCY_TS_LEN: the samples an event's history keeps.
const latencyTSLen = 160

// latencySample is one second's worst latency of an event, in ms.
type latencySample struct{ unixSec, ms int64 }

// latencySeries is an event's history: a ring of samples, at most one per
// second, and the worst latency ever seen.
type latencySeries struct {
	event   string
	samples [latencyTSLen]latencySample
	idx     int
	max     int64
}

// latencyState is the latency monitor's events, in the order they were
// first seen (Redis keeps them in a dict; LATENCY LATEST lists them in its
// hash order, the node in this one).
type latencyState struct {
	latencyEvents []*latencySeries
}

var latencyCommands = []cmdSpec{
	{"latency", -2, 0, nil, noKeys},
	{"latency|doctor", 2, fadm | flagStale, latencyDoctorCommand, noKeys},
	{"latency|graph", 3, fadm | flagStale, latencyGraphCommand, noKeys},
	{"latency|histogram", -2, fadm | flagStale, latencyHistogramCommand, noKeys},
	{"latency|history", 3, fadm | flagStale, latencyHistoryCommand, noKeys},
	{"latency|latest", 2, fadm | flagStale, latencyLatestCommand, noKeys},
	{"latency|reset", -2, fadm | flagStale, latencyResetCommand, noKeys},
	{"latency|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], latencyHelp) }, noKeys},
}

var latencyHelp = []string{
	"DOCTOR",
	"    Return a human readable latency analysis report.",
	"GRAPH <event>",
	"    Return an ASCII latency graph for the <event> class.",
	"HISTORY <event>",
	"    Return time-latency samples for the <event> class.",
	"LATEST",
	"    Return the latest latency samples for all events.",
	"RESET [<event> ...]",
	"    Reset latency data of one or more <event> classes.",
	"    (default: reset all data for all event classes)",
	"HISTOGRAM [COMMAND ...]",
	"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
	"    If no commands are specified then all histograms are replied.",
}

// latencyAddSample is latencyAddSampleIfNeeded: an event that took at
// least latency-monitor-threshold ms (0 disables the monitor) is added to
// its history, keeping the worst of one second.
func (s *Server) latencyAddSample(event string, ms int64) {
	if s.cfg.LatencyMonitorThreshold == 0 || ms < s.cfg.LatencyMonitorThreshold {
		return
	}
	ts := s.latencySeries(event)
	if ts == nil {
		ts = &latencySeries{event: event}
		s.latencyEvents = append(s.latencyEvents, ts)
	}
	now := s.env.Now().Unix()
	ts.max = max(ts.max, ms)
	prev := &ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
	if prev.unixSec == now {
		prev.ms = max(prev.ms, ms)
		return
	}
	ts.samples[ts.idx] = latencySample{now, ms}
	ts.idx = (ts.idx + 1) % latencyTSLen
}

func (s *Server) latencySeries(event string) *latencySeries {
	for _, ts := range s.latencyEvents {
		if ts.event == event {
			return ts
		}
	}
	return nil
}

// history is the event's samples, oldest first.
func (ts *latencySeries) history() []latencySample {
	var out []latencySample
	for j := range latencyTSLen {
		if smp := ts.samples[(ts.idx+j)%latencyTSLen]; smp.unixSec != 0 {
			out = append(out, smp)
		}
	}
	return out
}

func latencyHistoryCommand(c *client, args [][]byte) {
	ts := c.s.latencySeries(string(args[2]))
	if ts == nil {
		c.w.WriteArrayLen(0)
		return
	}
	h := ts.history()
	c.w.WriteArrayLen(len(h))
	for _, smp := range h {
		c.w.WriteArrayLen(2)
		c.w.WriteInt(smp.unixSec)
		c.w.WriteInt(smp.ms)
	}
}

func latencyLatestCommand(c *client, _ [][]byte) {
	c.w.WriteArrayLen(len(c.s.latencyEvents))
	for _, ts := range c.s.latencyEvents {
		last := ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
		c.w.WriteArrayLen(4)
		c.w.WriteBulkString(ts.event)
		c.w.WriteInt(last.unixSec)
		c.w.WriteInt(last.ms)
		c.w.WriteInt(ts.max)
	}
}

// latencyResetCommand is LATENCY RESET [event...]: the number of event
// histories deleted; event names match case-insensitively.
func latencyResetCommand(c *client, args [][]byte) {
	s := c.s
	resets := 0
	reset := func(match func(string) bool) {
		n := len(s.latencyEvents)
		s.latencyEvents = slices.DeleteFunc(s.latencyEvents, func(ts *latencySeries) bool { return match(ts.event) })
		resets += n - len(s.latencyEvents)
	}
	if len(args) == 2 {
		reset(func(string) bool { return true })
	}
	for _, e := range args[2:] {
		reset(func(ev string) bool { return strings.EqualFold(ev, string(e)) })
	}
	c.w.WriteInt(int64(resets))
}

func latencyGraphCommand(c *client, args [][]byte) {
	ts := c.s.latencySeries(string(args[2]))
	if ts == nil {
		c.w.WriteError("ERR No samples available for event '" + cstr(args[2], len(args[2])) + "'")
		return
	}
	c.w.WriteVerbatimString(latencyGraph(ts, c.s.env.Now().Unix()), "txt")
}

// latencyHistogramCommand is LATENCY HISTOGRAM [command...]: each
// command's calls and the cumulative distribution of its latencies, for
// the commands with a histogram. Redis lists all commands in its dicts'
// hash order; the node lists them by name. A container named in the
// arguments brings its subcommands.
func latencyHistogramCommand(c *client, args [][]byte) {
	s := c.s
	var cmds []*command
	if len(args) == 2 {
		for _, name := range s.commands.Names() {
			if cmd := s.commands.command(name); cmd.hist != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	for _, a := range args[2:] {
		cmd := s.commands.command(strings.ToLower(string(a)))
		if cmd == nil {
			continue
		}
		if cmd.hist != nil {
			cmds = append(cmds, cmd)
		}
		if cmd.subs != nil {
			for _, name := range s.commands.Names() {
				if sub := s.commands.command(name); strings.HasPrefix(name, cmd.name+"|") && sub.hist != nil {
					cmds = append(cmds, sub)
				}
			}
		}
	}
	c.w.WriteMapLen(len(cmds))
	for _, cmd := range cmds {
		c.w.WriteBulkString(cmd.name)
		c.w.WriteMapLen(2)
		c.w.WriteBulkString("calls")
		c.w.WriteInt(cmd.hist.total)
		c.w.WriteBulkString("histogram_usec")
		cdf := cmd.hist.cdf()
		c.w.WriteMapLen(len(cdf))
		for _, p := range cdf {
			c.w.WriteInt(p[0])
			c.w.WriteInt(p[1])
		}
	}
}

// trackLatency is updateCommandLatencyHistogram when latency-tracking is
// on: the duration in ns, clamped to [1 ns, 1 s].
func (s *Server) trackLatency(cmd *command, usec int64) {
	if !s.cfg.LatencyTracking {
		return
	}
	ns := min(max(usec*1000, 1), 1_000_000_000)
	if cmd.hist == nil {
		cmd.hist = &latencyHist{}
	}
	cmd.hist.record(ns)
}

// infoLatencyStats writes INFO latencystats: the configured percentiles
// of each command's histogram, in µs.
func (s *Server) infoLatencyStats(b *strings.Builder) {
	b.WriteString("# Latencystats\r\n")
	for _, name := range s.commands.Names() {
		cmd := s.commands.command(name)
		if cmd.hist == nil {
			continue
		}
		b.WriteString("latency_percentiles_usec_" + name + ":")
		for j, p := range s.cfg.LatencyTrackingInfoPercentiles {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("p" + trimDouble(strconv.FormatFloat(p, 'f', 6, 64)) + "=")
			b.WriteString(strconv.FormatFloat(float64(cmd.hist.valueAt(p))/1000, 'f', 3, 64))
		}
		b.WriteString("\r\n")
	}
}

// trimDouble is trimDoubleString: a "%f" number without its trailing
// zeros, and without the point when nothing follows it.
func trimDouble(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// latencyHist is the hdr_histogram Redis keeps per command: 1 ns to 1 s
// with two significant digits. It holds the count of each equivalence
// bucket, keyed by the bucket's lowest value; percentiles and the CDF are
// computed as hdr_histogram 0.11 computes them, so they show the same
// bucket bounds (2.007 µs for a 2 µs call).
type latencyHist struct {
	buckets []histBucket // by lowest value
	total   int64
	last    int // the index of the bucket record counted in last
}

type histBucket struct{ low, count int64 }

// hdrBucket returns the lowest value and the width of the bucket of v, for
// hdr_init(1, 1e9, 2): 256 sub-buckets, half of which each bucket adds.
func hdrBucket(v int64) (low, width int64) {
	idx := 64 - bits.LeadingZeros64(uint64(v)|255) - 8
	return (v >> idx) << idx, int64(1) << idx
}

func (h *latencyHist) record(v int64) {
	low, _ := hdrBucket(v)
	// Calls of one command mostly take as long as the last one did.
	if h.last < len(h.buckets) && h.buckets[h.last].low == low {
		h.buckets[h.last].count++
		h.total++
		return
	}
	i, ok := slices.BinarySearchFunc(h.buckets, low, func(b histBucket, l int64) int { return int(min(max(b.low-l, -1), 1)) })
	if !ok {
		h.buckets = slices.Insert(h.buckets, i, histBucket{low: low})
	}
	h.buckets[i].count++
	h.total++
	h.last = i
}

// valueAt is hdr_value_at_percentile: the highest value of the bucket
// where the count reaches the percentile (the lowest for percentile 0).
func (h *latencyHist) valueAt(p float64) int64 {
	want := int64(min(p, 100)/100*float64(h.total) + 0.5)
	want = max(want, 1)
	var n int64
	for _, b := range h.buckets {
		n += b.count
		if n >= want {
			if p == 0 {
				return b.low
			}
			_, w := hdrBucket(b.low)
			return b.low + w - 1
		}
	}
	return 0
}

// cdf is fillCommandCDF's walk with hdr's logarithmic iterator from 1024
// ns, base 2: at each power-of-two level, the level's bucket's highest
// value in µs and the count of values up to it, when that count grew.
func (h *latencyHist) cdf() [][2]int64 {
	var out [][2]int64
	var prev int64
	for level := int64(1024); ; level *= 2 {
		_, w := hdrBucket(level)
		hi := level + w - 1
		var cum int64
		for _, b := range h.buckets {
			if b.low <= level {
				cum += b.count
			}
		}
		if cum > prev {
			out = append(out, [2]int64{hi / 1000, cum})
		}
		prev = cum
		if cum >= h.total || level > 1<<40 {
			return out
		}
	}
}

// latencyGraphCols is LATENCY_GRAPH_COLS: the width of LATENCY GRAPH.
const latencyGraphCols = 80

// latencyGraph is latencyCommandGenSparkeline: a title line, a rule, and
// the samples drawn as a four-row filled sparkline, 80 columns a block,
// each column labelled vertically with how long ago its sample was.
func latencyGraph(ts *latencySeries, now int64) string {
	h := ts.history()
	lo, hi := int64(0), int64(0)
	values := make([]float64, len(h))
	labels := make([]string, len(h))
	for i, smp := range h {
		if i == 0 {
			lo, hi = smp.ms, smp.ms
		}
		lo, hi = min(lo, smp.ms), max(hi, smp.ms)
		values[i] = float64(smp.ms)
		switch ago := now - smp.unixSec; {
		case ago < 60:
			labels[i] = strconv.FormatInt(ago, 10) + "s"
		case ago < 3600:
			labels[i] = strconv.FormatInt(ago/60, 10) + "m"
		case ago < 86400:
			labels[i] = strconv.FormatInt(ago/3600, 10) + "h"
		default:
			labels[i] = strconv.FormatInt(ago/86400, 10) + "d"
		}
	}
	var b strings.Builder
	b.WriteString(ts.event + " - high " + strconv.FormatInt(hi, 10) + " ms, low " + strconv.FormatInt(lo, 10) +
		" ms (all time high " + strconv.FormatInt(ts.max, 10) + " ms)\n")
	b.WriteString(strings.Repeat("-", latencyGraphCols) + "\n")
	for j := 0; j < len(values); j += latencyGraphCols {
		if j != 0 {
			b.WriteByte('\n')
		}
		n := min(len(values)-j, latencyGraphCols)
		sparkline(&b, values, labels, float64(lo), float64(hi), j, n)
	}
	return b.String()
}

// sparkline draws values[off:off+n] as sparklineRenderRange does with
// four rows and the fill style: each row covers three steps of the
// range ('_', 'o', '#'), full rows below a value are '|'; then a blank
// row and the labels, one character per row.
func sparkline(b *strings.Builder, values []float64, labels []string, lo, hi float64, off, n int) {
	const rows, charsetLen = 4, 3
	const fill = "_o#"
	rel := hi - lo
	if rel == 0 {
		rel = 1
	}
	steps := charsetLen * rows
	line := make([]byte, n)
	for row := 0; ; row++ {
		more := false
		for j := range line {
			line[j] = ' '
		}
		for j := 0; j < n; j++ {
			step := int(float64(int((values[off+j]-lo)*float64(steps))) / rel)
			step = min(max(step, 0), steps-1)
			if row < rows {
				more = true
				switch ci := step - (rows-row-1)*charsetLen; {
				case ci >= 0 && ci < charsetLen:
					line[j] = fill[ci]
				case ci >= charsetLen:
					line[j] = '|'
				}
				continue
			}
			if row-rows < 1 { // the margin above the labels
				more = true
				break
			}
			if lab, k := labels[off+j], row-rows-1; len(lab) > k {
				more = true
				line[j] = lab[k]
			}
		}
		if !more {
			return
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}

// The paragraphs of LATENCY DOCTOR's report that the node's events can
// call for.
const (
	doctorDisabled    = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	doctorNoSpike     = "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
	doctorSpikes      = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"
	doctorNoFix       = "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"
	doctorAdvices     = "\nI have a few advices for you:\n\n"
	adviseSlowlogOn   = "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"
	adviseSlowlogTune = "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n"
	adviseSlowlogLook = "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n"
	adviseScheduler   = "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
		"  1) Lower the system load.\n" +
		"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
		"  3) Check if you have a \"noisy neighbour\" problem.\n" +
		"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
		"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n"
	adviseLargeObjects = "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"
)

// latencyDoctorCommand is LATENCY DOCTOR, createLatencyReport: each
// event's statistics, then the advice they call for. The node only
// records the command and fast-command events, so only their advice can
// appear; it has no transparent huge pages to warn about.
func latencyDoctorCommand(c *client, _ [][]byte) {
	s := c.s
	if len(s.latencyEvents) == 0 && s.cfg.LatencyMonitorThreshold == 0 {
		c.w.WriteVerbatimString(doctorDisabled, "txt")
		return
	}
	var b strings.Builder
	now := s.env.Now().Unix()
	advices := 0
	var slowOn, slowTune, slowLook, sched, large bool
	for i, ts := range s.latencyEvents {
		if i == 0 {
			b.WriteString(doctorSpikes)
		}
		h := ts.history()
		var sum, lo, hi, oldest int64
		for j, smp := range h {
			if j == 0 {
				lo, hi = smp.ms, smp.ms
			}
			lo, hi = min(lo, smp.ms), max(hi, smp.ms)
			sum += smp.ms
			if oldest == 0 || smp.unixSec < oldest {
				oldest = smp.unixSec
			}
		}
		var avg, mad, period int64
		if n := int64(len(h)); n > 0 {
			avg = sum / n
			period = max(now-oldest, 1)
			var dev int64
			for _, smp := range h {
				d := avg - smp.ms
				dev += max(d, -d)
			}
			mad = dev / n
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + ts.event + ": " + strconv.Itoa(len(h)) + " latency spikes (average " +
			strconv.FormatInt(avg, 10) + "ms, mean deviation " + strconv.FormatInt(mad, 10) + "ms, period " +
			strconv.FormatFloat(float64(period)/float64(len(h)), 'f', 2, 64) + " sec). Worst all time event " +
			strconv.FormatInt(ts.max, 10) + "ms.")
		switch strings.ToLower(ts.event) {
		case "command":
			if s.cfg.SlowlogLogSlowerThan < 0 {
				slowOn = true
				advices++
			} else if s.cfg.SlowlogLogSlowerThan/1000 > s.cfg.LatencyMonitorThreshold {
				slowTune = true
				advices++
			}
			slowLook, large = true, true
			advices += 2
		case "fast-command":
			sched = true
			advices++
		}
		b.WriteByte('\n')
	}
	switch {
	case len(s.latencyEvents) == 0 && advices == 0:
		b.WriteString(doctorNoSpike)
	case advices == 0:
		b.WriteString(doctorNoFix)
	default:
		b.WriteString(doctorAdvices)
		threshold := strconv.FormatInt(s.cfg.LatencyMonitorThreshold*1000, 10)
		if slowOn {
			b.WriteString(strings.Replace(adviseSlowlogOn, "%d", threshold, 1))
		}
		if slowTune {
			b.WriteString(strings.Replace(adviseSlowlogTune, "%d", threshold, 1))
		}
		if slowLook {
			b.WriteString(adviseSlowlogLook)
		}
		if sched {
			b.WriteString(adviseScheduler)
		}
		if large {
			b.WriteString(adviseLargeObjects)
		}
	}
	c.w.WriteVerbatimString(b.String(), "txt")
}
