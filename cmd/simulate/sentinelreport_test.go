package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The report of a Sentinel scenario shows what the sentinels saw: a row
// per sentinel in the sentinels' plot, their events with +switch-master
// on the timeline, and both in result.json.
func TestRunOutShowsSentinels(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "run", "sentinel-failover", "--seed", "1", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	i := strings.Index(html, `<figure id="sentinels">`)
	if i < 0 {
		t.Fatal("report.html has no sentinels' plot")
	}
	fig := html[i : i+strings.Index(html[i:], "</figure>")]
	for _, want := range []string{">s1<", ">s2<", ">s3<", ">names n1<", ">e0<", ">e1<", ">sees ODOWN<"} {
		if !strings.Contains(fig, want) {
			t.Errorf("the sentinels' plot lacks %q", want)
		}
	}
	i = strings.Index(html, `<h2 id="sentinel-events">`)
	if i < 0 {
		t.Fatal("report.html has no Sentinel events")
	}
	events := html[i:]
	for _, want := range []string{"&#43;odown", "&#43;try-failover", "&#43;elected-leader", "&#43;switch-master</td>", "mymaster n1 6379 n", "fault: ", "routine ones are hidden"} {
		if !strings.Contains(events, want) {
			t.Errorf("the Sentinel events lack %q", want)
		}
	}

	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Sentinels []struct {
			Sentinel    string `json:"sentinel"`
			Addr        string `json:"addr"`
			ConfigEpoch uint64 `json:"config_epoch"`
		} `json:"sentinels"`
		Events []struct{ Sentinel, Type, Msg string } `json:"sentinel_events"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	for _, s := range res.Sentinels {
		if _, ok := last[s.Sentinel]; !ok && s.Addr != "n1:6379" {
			t.Errorf("sentinel %s first named %s", s.Sentinel, s.Addr)
		}
		last[s.Sentinel] = s.Addr
		if s.Addr != "n1:6379" && s.ConfigEpoch == 0 {
			t.Errorf("sentinel %s names %s in configuration epoch 0", s.Sentinel, s.Addr)
		}
	}
	if len(last) != 3 || last["s1"] == "n1:6379" || last["s1"] != last["s2"] || last["s2"] != last["s3"] {
		t.Errorf("the sentinels' last views in result.json: %v", last)
	}
	switches := 0
	for _, e := range res.Events {
		if e.Type == "+switch-master" {
			switches++
		}
	}
	if switches != 3 {
		t.Errorf("result.json has %d +switch-master events of %d, want one per sentinel", switches, len(res.Events))
	}
}
