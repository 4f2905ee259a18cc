package redis

import (
	"strings"
	"testing"
)

// TestSlowCommandDuration: in the simulator a command is as slow as the
// node's clock says, so DEBUG SLEEP's hold is its duration: it enters the
// slow log with it, the latency monitor records it as a "command" event,
// and its latency histogram and commandstats count it, while the fast
// commands around it take 0 µs and stay out.
func TestSlowCommandDuration(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect(`
		CONFIG SET latency-monitor-threshold 100 -> +OK\r\n
		SET a 1 -> +OK\r\n
		DEBUG SLEEP 0.25 -> +OK\r\n
		SLOWLOG LEN -> :1\r\n
		LATENCY RESET fast-command -> :0\r\n
	`)
	get := c.do("SLOWLOG", "GET")
	if !strings.Contains(get, ":250000\r\n*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$4\r\n0.25\r\n") {
		t.Errorf("SLOWLOG GET: want DEBUG SLEEP 0.25 with 250000 µs, got %q", get)
	}
	latest := c.do("LATENCY", "LATEST")
	if !strings.HasPrefix(latest, "*1\r\n*4\r\n$7\r\ncommand\r\n") || !strings.HasSuffix(latest, ":250\r\n:250\r\n") {
		t.Errorf("LATENCY LATEST: want one command event of 250 ms, got %q", latest)
	}
	info := c.do("INFO", "commandstats")
	if !strings.Contains(info, "cmdstat_debug:calls=1,usec=250000,usec_per_call=250000.00,rejected_calls=0,failed_calls=0") ||
		!strings.Contains(info, "cmdstat_set:calls=1,usec=0,usec_per_call=0.00,") {
		t.Errorf("INFO commandstats: %q", info)
	}
	// 250 ms lies in hdr's bucket [249561088, 250609663] ns at two
	// significant digits, reported as its highest value; 0 µs is 1 ns.
	lat := c.do("INFO", "latencystats")
	if !strings.Contains(lat, "latency_percentiles_usec_debug:p50=250609.663,p99=250609.663,p99.9=250609.663") ||
		!strings.Contains(lat, "latency_percentiles_usec_set:p50=0.001,") {
		t.Errorf("INFO latencystats: %q", lat)
	}
	doc := c.do("LATENCY", "DOCTOR")
	if !strings.Contains(doc, "1. command: 1 latency spikes (average 250ms, mean deviation 0ms, period 1.00 sec). Worst all time event 250ms.") {
		t.Errorf("LATENCY DOCTOR: %q", doc)
	}
	graph := c.do("LATENCY", "GRAPH", "command")
	if !strings.Contains(graph, "command - high 250 ms, low 250 ms (all time high 250 ms)\n") || !strings.Contains(graph, "\n_\n") {
		t.Errorf("LATENCY GRAPH: %q", graph)
	}
	c.expect(`
		CONFIG SET slowlog-log-slower-than 300000 -> +OK\r\n
		DEBUG SLEEP 0.25 -> +OK\r\n
		SLOWLOG LEN -> :1\r\n
	`)
}

// TestLatencyHistBuckets checks the hdr arithmetic against values Redis
// reports: a 2 µs call shows as 2.007, 1 µs as 1.003.
func TestLatencyHistBuckets(t *testing.T) {
	for _, tc := range []struct{ ns, want int64 }{{2000, 2007}, {1000, 1003}, {1, 1}, {9023, 9023}, {155000, 155647}} {
		var h latencyHist
		h.record(tc.ns)
		if got := h.valueAt(50); got != tc.want {
			t.Errorf("%d ns: p50 %d, want %d", tc.ns, got, tc.want)
		}
	}
	var h latencyHist
	h.record(2000)
	if cdf := h.cdf(); len(cdf) != 1 || cdf[0] != [2]int64{2, 1} {
		t.Errorf("cdf of one 2 µs call: %v, want [[2 1]]", cdf)
	}
}
