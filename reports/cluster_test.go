package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// clusterRun is sampleRun as a 3-shard cluster sampled every 500ms: n1..n3
// masters of 0-5460, 5461-10921 and 10922-16383, n4..n6 their replicas.
// n1 is cut off from 15s: it says cluster_state fail from 20s, while the
// others promote n4 (configEpoch 7) at 21s; n1 claims its slots until it
// turns n4's replica at 35.5s. At 40s slots 5461-5560 move from n2 to n3
// (configEpoch 8); n5 is down from 45s to 48s.
func clusterRun() *Run {
	r := sampleRun(200)
	owners := func(t time.Duration) []SlotRun {
		first := SlotRun{0, 5460, "n1", 1}
		if t >= 21*time.Second {
			first = SlotRun{0, 5460, "n4", 7}
		}
		if t >= 40*time.Second {
			return []SlotRun{first, {5461, 5560, "n3", 8}, {5561, 10921, "n2", 2}, {10922, 16383, "n3", 8}}
		}
		return []SlotRun{first, {5461, 10921, "n2", 2}, {10922, 16383, "n3", 3}}
	}
	for t := time.Duration(0); t < 60*time.Second; t += 500 * time.Millisecond {
		for i := 1; i <= 6; i++ {
			node := fmt.Sprintf("n%d", i)
			s := ClusterSample{At: t, Node: node, State: "ok", Master: i <= 3, CurrentEpoch: 6, ConfigEpoch: uint64(i), Slots: owners(t)}
			if i > 3 {
				s.Replicates = fmt.Sprintf("n%d", i-3)
			}
			if t >= 21*time.Second {
				s.CurrentEpoch = 7
			}
			if t >= 40*time.Second {
				s.CurrentEpoch = 8
				if node == "n3" {
					s.ConfigEpoch = 8
				}
			}
			switch {
			case node == "n4" && t >= 21*time.Second:
				s.Master, s.Replicates, s.ConfigEpoch = true, "", 7
			case node == "n1" && t >= 35500*time.Millisecond:
				s.Master, s.Replicates = false, "n4"
			case node == "n1" && t >= 15*time.Second:
				s.CurrentEpoch, s.Slots = 6, owners(0)
				if t >= 20*time.Second {
					s.State = "fail"
				}
			case node == "n5" && t >= 45*time.Second && t < 48*time.Second:
				s = ClusterSample{At: t, Node: node, Down: true}
			}
			r.Cluster = append(r.Cluster, s)
		}
	}
	return r
}

// The report of a cluster run has the slot-ownership and epoch plots,
// and summary.md a Cluster section that tells who serves what at the end,
// the failover and the window in which n1 and n4 both claimed 0-5460,
// dated as the 500ms samples date them (not "21.000000s", which claimed
// a precision they do not have).
func TestReportShowsCluster(t *testing.T) {
	dir := t.TempDir()
	r := clusterRun()
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
	if n := strings.Count(page, "<svg"); n != 7 {
		t.Errorf("report.html has %d plots, want 7 (the cluster's three added)", n)
	}
	slots := figureSVG(t, page, "cluster-slots")
	for _, want := range []string{">n1<", ">n6<", ">16383<", ">served by n1<", ">served by n4<", ">down<", ">differs from most<", ">claimed twice<", ">state fail<"} {
		if !strings.Contains(slots, want) {
			t.Errorf("the slot-ownership plot lacks %q", want)
		}
	}
	if strings.Contains(slots, ">served by n5<") || strings.Contains(slots, ">unassigned<") || strings.Contains(slots, ">paused") {
		t.Error("the slot-ownership plot's legend names what the run did not have")
	}
	counts := figureSVG(t, page, "cluster-slot-counts")
	for _, want := range []string{">n1<", ">n4<", ">slots<"} {
		if !strings.Contains(counts, want) {
			t.Errorf("the slots-per-node plot lacks %q", want)
		}
	}
	if strings.Contains(counts, ">no majority<") {
		t.Error("the slots-per-node plot counts slots without a majority in a run that has none")
	}
	epochs := figureSVG(t, page, "cluster-epochs")
	for _, want := range []string{">n4 replaces n1<", ">currentEpoch<", ">configEpoch<", ">failover<", ">epoch<"} {
		if !strings.Contains(epochs, want) {
			t.Errorf("the epochs plot lacks %q", want)
		}
	}
	i := strings.Index(page, `<h2 id="cluster">`)
	if i < 0 {
		t.Fatal("report.html has no Cluster section")
	}
	section := page[i:strings.Index(page, `<h2 id="history">`)]
	for _, want := range []string{
		"From 21 changes", "As all 6 running nodes' tables say.",
		`<td class="mono">5461-5560</td><td>n3</td><td class="num">8</td>`,
		`<td>n1</td><td>replica of n4</td><td class="num">8</td><td class="num">1</td><td>ok</td>`,
		`<td class="num mono">by 21.0s</td><td>n4</td><td>n1</td><td class="num">7</td>`,
		`<tr><td class="num mono">21.0s</td><td class="num mono">35.5s</td><td>n1 (1), n4 (7)</td><td class="mono">0-5460</td></tr>`,
		"sampled every 500ms", "up to 500ms before it",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("report.html's Cluster section lacks %q", want)
		}
	}
	md := string(read(t, dir, SummaryFile))
	i = strings.Index(md, "## Cluster")
	if i < 0 {
		t.Fatal("summary.md has no Cluster section")
	}
	for _, want := range []string{
		"From 21 changes",
		"As all 6 running nodes' tables say:",
		"| 0-5460 | n4 | 7 |\n| 5461-5560 | n3 | 8 |\n| 5561-10921 | n2 | 2 |\n| 10922-16383 | n3 | 8 |\n",
		"| n1 | replica of n4 | 8 | 1 | ok |", "| n4 | master | 8 | 7 | ok |", "| n5 | replica of n2 | 8 | 5 | ok |",
		"sampled every 500ms", "| by 21.0s | n4 | n1 | 7 |",
		"for 14.5s in all, in 1 window (the cluster-ownership check's overlap); 0 with the same configEpoch",
		"| 21.0s | 35.5s | n1 (1), n4 (7) | 0-5460 |",
	} {
		if !strings.Contains(md[i:], want) {
			t.Errorf("summary.md's Cluster section lacks %q", want)
		}
	}
}

// Writing a cluster run twice gives the same bytes, and so does the
// same run with the samples of each instant in another node order.
func TestClusterReportIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := Write(dir, clusterRun()); err != nil {
			t.Fatal(err)
		}
	}
	r := clusterRun()
	slices.Reverse(r.Cluster)
	slices.SortStableFunc(r.Cluster, func(x, y ClusterSample) int { return int(x.At - y.At) })
	if err := Write(c, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ResultFile, SummaryFile, ReportFile} {
		if !bytes.Equal(read(t, a, f), read(t, b, f)) {
			t.Errorf("%s differs between two writes of the same run", f)
		}
		if !bytes.Equal(read(t, a, f), read(t, c, f)) {
			t.Errorf("%s differs with the nodes' samples in another order", f)
		}
	}
}

// A run without a cluster has neither the cluster's plots, nor its
// section, nor its result.json fields.
func TestReportWithoutCluster(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sampleRun(200)); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, ReportFile))
	if strings.Contains(page, `id="cluster`) {
		t.Error("report.html of a run without a cluster shows its plots or section")
	}
	if strings.Contains(string(read(t, dir, SummaryFile)), "## Cluster") {
		t.Error("summary.md of a run without a cluster has a Cluster section")
	}
	var res map[string]any
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cluster", "cluster_failovers", "cluster_overlaps"} {
		if _, ok := res[k]; ok {
			t.Errorf("result.json of a run without a cluster has %q", k)
		}
	}
}

// result.json lists each node's view where it changes, with its slot
// table as runs, the failover and the overlap.
func TestResultJSONCluster(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, clusterRun()); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Cluster []struct {
			AtNS         int64  `json:"at_ns"`
			Node         string `json:"node"`
			Down         bool   `json:"down"`
			State        string `json:"state"`
			Master       bool   `json:"master"`
			Replicates   string `json:"replicates"`
			CurrentEpoch uint64 `json:"current_epoch"`
			ConfigEpoch  uint64 `json:"config_epoch"`
			Slots        []struct {
				Start       int    `json:"start"`
				End         int    `json:"end"`
				Owner       string `json:"owner"`
				ConfigEpoch uint64 `json:"config_epoch"`
			} `json:"slots"`
		} `json:"cluster"`
		Failovers []clusterFailoverJSON `json:"cluster_failovers"`
		Overlaps  []clusterOverlapJSON  `json:"cluster_overlaps"`
	}
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Cluster) != 21 {
		t.Errorf("result.json has %d cluster entries, want 21 (the changes of 6 nodes' views)", len(res.Cluster))
	}
	byNode := map[string][]string{}
	var last int64
	for _, c := range res.Cluster {
		if c.AtNS < last {
			t.Fatalf("cluster entries out of time order at %+v", c)
		}
		last = c.AtNS
		line := time.Duration(c.AtNS).String()
		switch {
		case c.Down:
			line += " down"
		case c.Master:
			line += fmt.Sprintf(" master c%d e%d %s", c.CurrentEpoch, c.ConfigEpoch, c.State)
		default:
			line += fmt.Sprintf(" replica-of-%s c%d e%d %s", c.Replicates, c.CurrentEpoch, c.ConfigEpoch, c.State)
		}
		var slots []string
		for _, s := range c.Slots {
			slots = append(slots, fmt.Sprintf("%d-%d:%s/%d", s.Start, s.End, s.Owner, s.ConfigEpoch))
		}
		if len(slots) > 0 {
			line += " " + strings.Join(slots, ",")
		}
		byNode[c.Node] = append(byNode[c.Node], line)
	}
	for node, want := range map[string]string{
		"n1": "0s master c6 e1 ok 0-5460:n1/1,5461-10921:n2/2,10922-16383:n3/3; 20s master c6 e1 fail 0-5460:n1/1,5461-10921:n2/2,10922-16383:n3/3; " +
			"35.5s replica-of-n4 c7 e1 ok 0-5460:n4/7,5461-10921:n2/2,10922-16383:n3/3; 40s replica-of-n4 c8 e1 ok 0-5460:n4/7,5461-5560:n3/8,5561-10921:n2/2,10922-16383:n3/8",
		"n5": "0s replica-of-n2 c6 e5 ok 0-5460:n1/1,5461-10921:n2/2,10922-16383:n3/3; 21s replica-of-n2 c7 e5 ok 0-5460:n4/7,5461-10921:n2/2,10922-16383:n3/3; " +
			"40s replica-of-n2 c8 e5 ok 0-5460:n4/7,5461-5560:n3/8,5561-10921:n2/2,10922-16383:n3/8; 45s down; 48s replica-of-n2 c8 e5 ok 0-5460:n4/7,5461-5560:n3/8,5561-10921:n2/2,10922-16383:n3/8",
	} {
		if got := strings.Join(byNode[node], "; "); got != want {
			t.Errorf("%s's views:\n%s\nwant\n%s", node, got, want)
		}
	}
	if want := (clusterFailoverJSON{21e9, "21.000000s", "n4", "n1", 7}); len(res.Failovers) != 1 || res.Failovers[0] != want {
		t.Errorf("failovers %+v, want [%+v]", res.Failovers, want)
	}
	if want := (clusterOverlapJSON{21e9, "21.000000s", 35.5e9, "35.500000s", "n1", 1, "n4", 7, false, "0-5460"}); len(res.Overlaps) != 1 || res.Overlaps[0] != want {
		t.Errorf("overlaps %+v, want [%+v]", res.Overlaps, want)
	}
}

// Most nodes' view: an owner held by more than half of the running nodes,
// else no majority; a node differs where its table names another owner,
// or everywhere there is no majority.
func TestClusterMajorityAndDissent(t *testing.T) {
	view := func(node string, runs ...SlotRun) *ClusterSample {
		return &ClusterSample{Node: node, Master: true, Slots: runs}
	}
	a := view("n1", SlotRun{0, 99, "n1", 1}, SlotRun{100, 16383, "n2", 2})
	b := view("n2", SlotRun{0, 16383, "n2", 2})
	c := view("n3", SlotRun{0, 99, "n1", 1}, SlotRun{100, 199, "n3", 3}, SlotRun{200, 16383, "n2", 2})
	down := &ClusterSample{Node: "n4", Down: true}
	segs := func(ss []slotSeg) string {
		var out []string
		for _, s := range ss {
			o := s.Owner
			if s.Split {
				o = "split"
			}
			out = append(out, slotRange(s.Start, s.End)+":"+o)
		}
		return strings.Join(out, " ")
	}
	sp := clusterSpan{views: []*ClusterSample{a, b, c, down, nil}}
	maj := sp.majority()
	if got, want := segs(maj), "0-99:n1 100-16383:n2"; got != want {
		t.Errorf("majority %s, want %s", got, want)
	}
	for k, want := range []string{"", "0-99:n2", "100-199:n3", "", ""} {
		if got := segs(sp.dissent(k, maj)); got != want {
			t.Errorf("node %d differs on %q, want %q", k, got, want)
		}
	}
	// Two nodes, one owner each for slots 0-99: no majority there.
	sp = clusterSpan{views: []*ClusterSample{a, b}}
	maj = sp.majority()
	if got, want := segs(maj), "0-99:split 100-16383:n2"; got != want {
		t.Errorf("majority of two %s, want %s", got, want)
	}
	if got, want := segs(sp.dissent(0, maj)), "0-99:split"; got != want {
		t.Errorf("n1 differs on %q, want %q", got, want)
	}
	if maj := (&clusterSpan{views: []*ClusterSample{down}}).majority(); maj != nil {
		t.Errorf("majority with no node up: %v", maj)
	}
}

// Overlaps: two masters' own claims on common slots, one window while
// they claim alike, a new one when a claim changes; failovers are a
// replica's next sample as a master.
func TestClusterOverlapsAndFailovers(t *testing.T) {
	ss := []ClusterSample{
		{At: 0, Node: "n1", Master: true, ConfigEpoch: 1, Slots: []SlotRun{{0, 99, "n1", 1}, {100, 199, "n2", 2}}},
		{At: 0, Node: "n2", Master: true, ConfigEpoch: 2, Slots: []SlotRun{{0, 199, "n2", 2}}},
		{At: 0, Node: "n3", Replicates: "n1", ConfigEpoch: 3},
		// n1 gives up 50-99 at 2s: the window changes.
		{At: 2 * time.Second, Node: "n1", Master: true, ConfigEpoch: 1, Slots: []SlotRun{{0, 49, "n1", 1}, {50, 199, "n2", 2}}},
		// An unrelated change of n2's currentEpoch keeps the window.
		{At: 3 * time.Second, Node: "n2", Master: true, CurrentEpoch: 5, ConfigEpoch: 2, Slots: []SlotRun{{0, 199, "n2", 2}}},
		{At: 4 * time.Second, Node: "n1", Down: true},
		{At: 5 * time.Second, Node: "n3", Master: true, ConfigEpoch: 6, Slots: []SlotRun{{0, 199, "n3", 6}}},
		{At: 6 * time.Second, Node: "n3", Replicates: "n2", ConfigEpoch: 6},
		{At: 7 * time.Second, Node: "n3", Master: true, ConfigEpoch: 7},
	}
	st := newClusterStory(ss, 10*time.Second)
	var got []string
	for _, o := range st.overlaps() {
		got = append(got, fmt.Sprintf("%v-%v %s/%d %s/%d %s", o.From, o.To, o.A, o.EpochA, o.B, o.EpochB, slotRanges(o.Slots, 9)))
	}
	want := "0s-2s n1/1 n2/2 0-99, 2s-4s n1/1 n2/2 0-49, 5s-6s n2/2 n3/6 0-199"
	if strings.Join(got, ", ") != want {
		t.Errorf("overlaps %s, want %s", strings.Join(got, ", "), want)
	}
	got = nil
	for _, f := range st.failovers() {
		got = append(got, fmt.Sprintf("%v %s<-%s e%d", f.At, f.Node, f.Replaced, f.ConfigEpoch))
	}
	if want := "5s n3<-n1 e6, 7s n3<-n2 e7"; strings.Join(got, ", ") != want {
		t.Errorf("failovers %s, want %s", strings.Join(got, ", "), want)
	}
}

// Samples given in any order and with repeats make the same story: the
// changes of each node in time order, spans cut where one changes.
func TestClusterStorySpans(t *testing.T) {
	ss := []ClusterSample{
		{At: time.Second, Node: "n10", State: "ok"},
		{At: 0, Node: "n2", State: "fail"},
		{At: 0, Node: "n10", State: "fail"},
		{At: time.Second, Node: "n2", State: "fail"},
		{At: 2 * time.Second, Node: "n2", State: "ok"},
	}
	st := newClusterStory(ss, 3*time.Second)
	if got := strings.Join(st.nodes, " "); got != "n2 n10" {
		t.Errorf("nodes %s, want n2 n10", got)
	}
	var got []string
	for _, sp := range st.spans {
		line := fmt.Sprintf("%v-%v", sp.from, sp.to)
		for _, v := range sp.views {
			line += " " + v.State
		}
		got = append(got, line)
	}
	if want := "0s-1s fail fail, 1s-2s fail ok, 2s-3s ok ok"; strings.Join(got, ", ") != want {
		t.Errorf("spans %s, want %s", strings.Join(got, ", "), want)
	}
}

// The slots each node serves in most nodes' tables: n1's 5461 go to n4
// at 21s, 100 of n2's to n3 at 40s; n1 alone claiming its slots from 21s
// to 35.5s does not count.
func TestClusterSlotCounts(t *testing.T) {
	r := clusterRun()
	st := newClusterStory(r.Cluster, r.Duration)
	owners, series, split := st.slotCounts()
	if split != nil {
		t.Errorf("slots without a majority: %v", split)
	}
	var got []string
	for i, o := range owners {
		line := o + ":"
		prev := -1.0
		for _, pt := range series[i] {
			if pt.Y != prev {
				line += fmt.Sprintf(" %vs=%v", pt.X, pt.Y)
				prev = pt.Y
			}
		}
		got = append(got, line)
	}
	want := "n1: 0s=5461 21s=0; n2: 0s=5461 40s=5361; n3: 0s=5462 40s=5562; n4: 0s=0 21s=5461"
	if strings.Join(got, "; ") != want {
		t.Errorf("slot counts\n%s\nwant\n%s", strings.Join(got, "; "), want)
	}
	// Two nodes that name different owners of every slot: no majority.
	two := newClusterStory([]ClusterSample{
		{Node: "n1", Slots: []SlotRun{{0, 16383, "n1", 1}}},
		{Node: "n2", Slots: []SlotRun{{0, 16383, "n2", 1}}},
	}, time.Second)
	if _, _, split := two.slotCounts(); len(split) != 1 || split[0].Y != ClusterSlots {
		t.Errorf("two nodes that disagree on every slot: no-majority counts %v, want all 16384", split)
	}
}

// BenchmarkClusterFigures draws the three cluster plots of an hour-long run
// whose views change every 10s.
func BenchmarkClusterFigures(b *testing.B) {
	r := clusterRun()
	var long []ClusterSample
	changes := newClusterStory(r.Cluster, r.Duration)
	for rep := time.Duration(0); rep < 60; rep++ {
		for _, s := range slices.Concat(changes.samples...) {
			s.At += rep * time.Minute
			s.CurrentEpoch += uint64(rep)
			long = append(long, s)
		}
	}
	r.Cluster, r.Duration = long, time.Hour
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fr := newFrame(r)
		if _, err := clusterSlotsFigure(fr, r); err != nil {
			b.Fatal(err)
		}
		if _, err := clusterSlotCountsFigure(fr, r); err != nil {
			b.Fatal(err)
		}
		if _, err := clusterEpochsFigure(fr, r); err != nil {
			b.Fatal(err)
		}
	}
}
