package reports

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A run with a planted bug says so beside its status, in its title, its
// parameters, summary.md and result.json, and result.json records the
// buggify sites as README.md says (`buggify_sites`); before, only the
// replay command named the bug, and the sites were a fact string.
func TestReportShowsPlantedBugsAndSites(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun(300)
	r.Status = "fail"
	r.Bugs = []string{"wait-ignores-ack-offset"}
	r.Sites = []RunSite{
		{Name: "repl/ack-late", Percent: 12, Fires: 4, First: 1500 * time.Millisecond},
		{Name: "disk/slow-fsync", Percent: 3, Forced: true},
	}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, ReportFile))
	for _, want := range []string{
		"<title>FAIL failover-partition seed 1 (planted bug: wait-ignores-ack-offset)</title>",
		`<span class="badge big bug">planted bug: wait-ignores-ack-offset</span>`,
		`<tr><td>planted bug</td><td class="mono">wait-ignores-ack-offset</td></tr>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	if md := string(read(t, dir, SummaryFile)); !strings.HasPrefix(md, "# FAIL failover-partition seed 1 (planted bug: wait-ignores-ack-offset)\n") {
		t.Errorf("summary.md's heading does not name the bug: %.80s", md)
	}
	var res struct {
		Bugs  []string         `json:"bugs"`
		Sites []map[string]any `json:"buggify_sites"`
	}
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Bugs) != 1 || res.Bugs[0] != "wait-ignores-ack-offset" {
		t.Errorf("result.json bugs = %v", res.Bugs)
	}
	if len(res.Sites) != 2 {
		t.Fatalf("result.json buggify_sites = %v, want 2 sites", res.Sites)
	}
	if s := res.Sites[0]; s["name"] != "repl/ack-late" || s["percent"] != 12.0 || s["fires"] != 4.0 || s["first_ns"] != 1.5e9 || s["first"] != "1.500000s" {
		t.Errorf("result.json site %v", s)
	}
	if s := res.Sites[1]; s["forced"] != true || s["fires"] != 0.0 || s["first_ns"] != nil {
		t.Errorf("result.json site that never fired %v", s)
	}

	// Without bugs or buggify, neither appears.
	r.Bugs, r.Sites = nil, nil
	dir = t.TempDir()
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	if b := string(read(t, dir, ResultFile)); strings.Contains(b, `"bugs"`) || strings.Contains(b, `"buggify_sites"`) {
		t.Error("result.json of a run without bugs or buggify has their fields")
	}
	if strings.Contains(string(read(t, dir, ReportFile)), "planted bug") {
		t.Error("report.html of a run without bugs mentions a planted bug")
	}
}
