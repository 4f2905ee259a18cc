package reports

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
)

// sentinelRun is sampleRun watched by three sentinels. During its
// partition s3 sees n1 SDOWN at 18s, tries a failover in epoch 1 that is
// not elected, then sees n1 ODOWN at 20s and fails it over to n3 in epoch
// 2 at 21s; s1 and s2 follow at 35s. s2 is in TILT from 40s to 42s, and s1
// is down from 45s to 48s.
func sentinelRun() *Run {
	r := sampleRun(200)
	view := func(at time.Duration, host, addr, status string, cur, cfg uint64) SentinelSample {
		return SentinelSample{At: at, Sentinel: host, Master: "mymaster", Addr: addr, Status: status, CurrentEpoch: cur, ConfigEpoch: cfg}
	}
	for t := time.Duration(0); t < 60*time.Second; t += 500 * time.Millisecond {
		for _, h := range []string{"s1", "s2", "s3"} {
			s := view(t, h, "n1:6379", "ok", 0, 0)
			switch {
			case h == "s3" && t >= 21*time.Second:
				s = view(t, h, "n3:6379", "ok", 2, 2)
			case h == "s3" && t >= 20*time.Second:
				s = view(t, h, "n1:6379", "odown", 2, 0)
			case h == "s3" && t >= 18*time.Second:
				s = view(t, h, "n1:6379", "sdown", 1, 0)
			case t >= 35*time.Second:
				s = view(t, h, "n3:6379", "ok", 2, 2)
			}
			if h == "s2" && t >= 40*time.Second && t < 42*time.Second {
				s.Tilt = true
			}
			if h == "s1" && t >= 45*time.Second && t < 48*time.Second {
				s = SentinelSample{At: t, Sentinel: h, Master: "mymaster", Down: true}
			}
			r.Sentinels = append(r.Sentinels, s)
		}
	}
	ev := func(at time.Duration, host, typ, msg string) SentinelEvent {
		return SentinelEvent{At: clock.Time(at), Host: host, Type: typ, Msg: msg}
	}
	r.SentinelEvents = []SentinelEvent{
		ev(time.Second, "s1", "+monitor", "master mymaster n1 6379 quorum 2"),
		ev(2*time.Second, "s1", "+slave", "slave n2:6379 n2 6379 @ mymaster n1 6379"),
		ev(2*time.Second, "s2", "+sentinel", "sentinel 0123 s1 26379 @ mymaster n1 6379"),
		ev(18*time.Second, "s3", "+sdown", "master mymaster n1 6379"),
		ev(18*time.Second, "s3", "+sdown", "sentinel 4567 s1 26379 @ mymaster n1 6379"),
		ev(18*time.Second, "s3", "+sdown", "slave n2:6379 n2 6379 @ mymaster n1 6379"),
		ev(18*time.Second, "s3", "+sdown", "slave n4:6379 n4 6379 @ mymaster n1 6379"),
		ev(18100*time.Millisecond, "s3", "+new-epoch", "1"),
		ev(19*time.Second, "s3", "-failover-abort-not-elected", "master mymaster n1 6379"),
		ev(20*time.Second, "s3", "+odown", "master mymaster n1 6379 #quorum 2/2"),
		ev(20*time.Second, "s3", "+new-epoch", "2"),
		ev(20*time.Second, "s3", "+try-failover", "master mymaster n1 6379"),
		ev(20500*time.Millisecond, "s3", "+elected-leader", "master mymaster n1 6379"),
		ev(21*time.Second, "s3", "+switch-master", "mymaster n1 6379 n3 6379"),
		ev(35*time.Second, "s1", "+switch-master", "mymaster n1 6379 n3 6379"),
		ev(40*time.Second, "s2", "+tilt", "#tilt mode entered"),
		ev(42*time.Second, "s2", "-tilt", "#tilt mode exited"),
	}
	return r
}

// The report of a run with sentinels has their plot (a row per sentinel,
// the epochs, TILT, down) and their events with the faults between them;
// routine events are counted, not listed.
func TestReportShowsSentinels(t *testing.T) {
	dir := t.TempDir()
	r := sentinelRun()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	if *reportOut != "" {
		if err := Write(*reportOut, r); err != nil {
			t.Fatal(err)
		}
	}
	page := string(read(t, dir, ReportFile))
	checkWellFormed(t, page)
	if n := strings.Count(page, "<svg"); n != 5 {
		t.Errorf("report.html has %d plots, want 5 (the sentinels' one added)", n)
	}
	fig := figureSVG(t, page, "sentinels")
	for _, want := range []string{">s1<", ">s2<", ">s3<", ">e0<", ">e2<", ">c1<", ">c2<", ">names n1<", ">names n3<", ">TILT<", ">down<", ">sees SDOWN<", ">sees ODOWN<"} {
		if !strings.Contains(fig, want) {
			t.Errorf("the sentinels' plot lacks %q", want)
		}
	}
	i := strings.Index(page, `<h2 id="sentinel-events">`)
	if i < 0 {
		t.Fatal("report.html has no Sentinel events section")
	}
	events := page[i:strings.Index(page, `<h2 id="history">`)]
	for _, want := range []string{
		"&#43;switch-master", "mymaster n1 6379 n3 6379", "-failover-abort-not-elected", "&#43;tilt", "&#43;elected-leader",
		"fault: partition majority {n1,n2} | {n3,n4,n5}", // the faults between the events
		"&#43;sdown ×3", // one sentinel's SDOWNs of one instant, in one row
		"13 events; 4 routine ones are hidden (&#43;monitor ×1, &#43;sdown sentinel ×1, &#43;sentinel ×1, &#43;slave ×1)",
	} {
		if !strings.Contains(events, want) {
			t.Errorf("the Sentinel events lack %q", want)
		}
	}
	if strings.Contains(events, "&#43;monitor</td>") || strings.Contains(events, "sentinel 4567") {
		t.Error("a routine event is listed")
	}
	if !strings.Contains(events, `<tr class="key"><td class="num mono">21.000000s</td><td>s3</td><td class="mono">&#43;switch-master</td>`) {
		t.Error("+switch-master is not marked as a key event")
	}
	if strings.Index(events, "&#43;new-epoch") > strings.Index(events, "-failover-abort-not-elected") {
		t.Error("the events are not in time order")
	}

	md := string(read(t, dir, SummaryFile))
	i = strings.Index(md, "## Sentinel events")
	if i < 0 {
		t.Fatal("summary.md has no Sentinel events")
	}
	for _, want := range []string{"The key ones of 17 events", "| 21.000000s | s3 | +switch-master | mymaster n1 6379 n3 6379 |", "| 40.000000s | s2 | +tilt |", "-failover-abort-not-elected"} {
		if !strings.Contains(md[i:], want) {
			t.Errorf("summary.md's Sentinel events lack %q", want)
		}
	}
	if strings.Contains(md[i:], "+new-epoch") || strings.Contains(md[i:], "+monitor") {
		t.Error("summary.md lists more than the key events")
	}
}

// figureSVG is the SVG of the figure with that id.
func figureSVG(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<figure id="`+id+`">`)
	if i < 0 {
		t.Fatalf("report.html has no figure %q", id)
	}
	j := strings.Index(page[i:], "</figure>")
	return page[i : i+j]
}

// A run without sentinels shows neither their plot nor their events, and
// result.json has no sentinel fields.
func TestReportWithoutSentinels(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sampleRun(200)); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, ReportFile))
	if strings.Contains(page, `id="sentinels"`) || strings.Contains(page, `id="sentinel-events"`) || strings.Contains(page, "No sentinel") {
		t.Error("report.html of a run without sentinels shows them")
	}
	if strings.Contains(string(read(t, dir, SummaryFile)), "Sentinel") {
		t.Error("summary.md of a run without sentinels mentions them")
	}
	var res map[string]any
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sentinels", "sentinel_events"} {
		if _, ok := res[k]; ok {
			t.Errorf("result.json of a run without sentinels has %q", k)
		}
	}
}

// result.json lists each sentinel's view where it changes, and every
// event, the routine ones too.
func TestResultJSONSentinels(t *testing.T) {
	dir := t.TempDir()
	r := sentinelRun()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Sentinels []struct {
			AtNS         int64  `json:"at_ns"`
			Sentinel     string `json:"sentinel"`
			Master       string `json:"master"`
			Down         bool   `json:"down"`
			Addr         string `json:"addr"`
			Status       string `json:"status"`
			Tilt         bool   `json:"tilt"`
			CurrentEpoch uint64 `json:"current_epoch"`
			ConfigEpoch  uint64 `json:"config_epoch"`
		} `json:"sentinels"`
		Events []struct {
			AtNS     int64  `json:"at_ns"`
			At       string `json:"at"`
			Sentinel string `json:"sentinel"`
			Type     string `json:"type"`
			Msg      string `json:"msg"`
		} `json:"sentinel_events"`
	}
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	var s3, s1 []string
	for _, s := range res.Sentinels {
		line := time.Duration(s.AtNS).String() + " " + s.Addr + " " + s.Status
		if s.Tilt {
			line += " tilt"
		}
		if s.Down {
			line += "down"
		}
		switch s.Sentinel {
		case "s1":
			s1 = append(s1, line)
		case "s3":
			s3 = append(s3, line)
		}
	}
	if got, want := strings.Join(s3, ", "), "0s n1:6379 ok, 18s n1:6379 sdown, 20s n1:6379 odown, 21s n3:6379 ok"; got != want {
		t.Errorf("s3's views: %s, want %s", got, want)
	}
	if got, want := strings.Join(s1, ", "), "0s n1:6379 ok, 35s n3:6379 ok, 45s  down, 48s n3:6379 ok"; got != want {
		t.Errorf("s1's views: %s, want %s", got, want)
	}
	if len(res.Events) != len(r.SentinelEvents) {
		t.Fatalf("result.json has %d sentinel events, want all %d", len(res.Events), len(r.SentinelEvents))
	}
	if e := res.Events[13]; e.Type != "+switch-master" || e.Sentinel != "s3" || e.At != "21.000000s" || e.AtNS != 21e9 || e.Msg != "mymaster n1 6379 n3 6379" {
		t.Errorf("event 13: %+v", e)
	}
}

// Rows: one per sentinel, in natural order; the master's name joins the
// label when the sentinels watch several; a sentinel never seen up keeps
// a row; its down samples without a master name apply to each of its rows.
func TestSentinelRows(t *testing.T) {
	ss := []SentinelSample{
		{At: 0, Sentinel: "s10", Master: "b", Addr: "n4:6379"},
		{At: 0, Sentinel: "s10", Master: "a", Addr: "n1:6379"},
		{At: 0, Sentinel: "s2", Down: true},
		{At: 0, Sentinel: "s9", Down: true},
		{At: time.Second, Sentinel: "s2", Master: "a", Addr: "n1:6379"},
	}
	var got []string
	for _, row := range sentinelRows(ss) {
		got = append(got, row.label+"/"+strings.Repeat("x", len(row.samples)))
	}
	if want := "s2 a/xx, s9/x, s10 a/x, s10 b/x"; strings.Join(got, ", ") != want {
		t.Errorf("rows %s, want %s", strings.Join(got, ", "), want)
	}
	one := sentinelRows(ss[:2])
	if len(one) != 2 || one[0].label != "s10 a" {
		t.Errorf("two masters: rows %+v", one)
	}
	if rows := sentinelRows(ss[4:]); len(rows) != 1 || rows[0].label != "s2" {
		t.Errorf("one master: rows %+v", rows)
	}
}
