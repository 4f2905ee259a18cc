package cluster_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// twoNodeConfig builds a two-node cluster of real servers with slots,
// epochs, a hostname and open migrations, saves node 1's nodes.conf and
// returns its bytes.
func twoNodeConfig(t *testing.T) (s1, s2 *realNode, id1, id2 string, file []byte) {
	s1 = startRealNode(t, "--cluster-announce-hostname", "real-1.test")
	s2 = startRealNode(t)
	id1, id2 = s1.myID(t), s2.myID(t)
	s1.do(t, "CLUSTER", "SET-CONFIG-EPOCH", "5")
	s2.do(t, "CLUSTER", "SET-CONFIG-EPOCH", "3")
	s1.do(t, "CLUSTER", "ADDSLOTSRANGE", "0", "5460")
	s2.do(t, "CLUSTER", "ADDSLOTSRANGE", "5461", "10922")
	s2.do(t, "CLUSTER", "ADDSLOTS", "12000", "12002")
	s1.do(t, "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(s2.port), strconv.Itoa(s2.busPort))
	waitFor(t, "the two servers to know each other", func() bool {
		a, b := s1.do(t, "CLUSTER", "NODES"), s2.do(t, "CLUSTER", "NODES")
		return strings.Contains(a, id2) && strings.Contains(b, id1) && !strings.Contains(a+b, "handshake") &&
			strings.Contains(a, "12002") && strings.Contains(b, "0-5460")
	})
	if r := s2.do(t, "CLUSTER", "BUMPEPOCH"); r != "BUMPED 6" {
		t.Fatalf("BUMPEPOCH on node 2: %q, want BUMPED 6", r)
	}
	waitFor(t, "node 1 to learn node 2's epoch 6", func() bool {
		return strings.Contains(s1.do(t, "CLUSTER", "INFO"), "cluster_current_epoch:6") &&
			strings.Contains(s2.do(t, "CLUSTER", "NODES"), " 5 connected 0-5460")
	})
	s1.do(t, "CLUSTER", "SETSLOT", "100", "MIGRATING", id2)
	s1.do(t, "CLUSTER", "SETSLOT", "5462", "IMPORTING", id2)
	s1.do(t, "CLUSTER", "SAVECONFIG")
	file, err := os.ReadFile(filepath.Join(s1.dir, "nodes.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return s1, s2, id1, id2, file
}

// withoutTimes clears the fields that depend on when they were read.
func withoutTimes(l cluster.NodeLine) cluster.NodeLine {
	l.PingSent, l.PongReceived = 0, 0
	return l
}

func TestNodesConfFromRedis(t *testing.T) {
	s1, s2, id1, id2, file := twoNodeConfig(t)
	t.Logf("nodes.conf of node 1:\n%s", file)

	c, err := cluster.ParseConfig(file)
	if err != nil {
		t.Fatalf("ParseConfig of redis-server's nodes.conf: %v", err)
	}
	if got := string(c.Format()); got != string(file) {
		t.Fatalf("Format differs from the file:\n%s\nwant\n%s", got, file)
	}
	me := c.Myself()
	wantMe := cluster.NodeLine{ID: id1, IP: "127.0.0.1", Port: s1.port, CPort: s1.busPort, Hostname: "real-1.test",
		Flags: cluster.FlagMyself | cluster.FlagMaster, ConfigEpoch: 5, Connected: true,
		Slots:     []cluster.SlotRange{{Start: 0, End: 5460}},
		Migrating: []cluster.SlotPeer{{Slot: 100, Node: id2}}, Importing: []cluster.SlotPeer{{Slot: 5462, Node: id2}}}
	if !reflect.DeepEqual(withoutTimes(*me), wantMe) {
		t.Errorf("myself line parsed as\n%+v\nwant\n%+v", *me, wantMe)
	}
	var other cluster.NodeLine
	for _, l := range c.Nodes {
		if l.ID == id2 {
			other = l
		}
	}
	wantOther := cluster.NodeLine{ID: id2, IP: "127.0.0.1", Port: s2.port, CPort: s2.busPort, Flags: cluster.FlagMaster,
		ConfigEpoch: 6, Connected: true,
		Slots: []cluster.SlotRange{{Start: 5461, End: 10922}, {Start: 12000, End: 12000}, {Start: 12002, End: 12002}}}
	if len(c.Nodes) != 2 || !reflect.DeepEqual(withoutTimes(other), wantOther) {
		t.Errorf("%d lines; node 2's parsed as\n%+v\nwant\n%+v", len(c.Nodes), other, wantOther)
	}
	if c.CurrentEpoch != 6 || c.LastVoteEpoch != 0 || len(c.Warnings) != 0 {
		t.Errorf("vars: currentEpoch %d lastVoteEpoch %d, warnings %v; want 6, 0, none", c.CurrentEpoch, c.LastVoteEpoch, c.Warnings)
	}

	// CLUSTER NODES is the same text as nodes.conf, without the vars line
	// and with its own ping and pong times.
	nodes := s1.do(t, "CLUSTER", "NODES")
	nc, err := cluster.ParseConfig([]byte(nodes))
	if err != nil {
		t.Fatalf("CLUSTER NODES does not parse: %v", err)
	}
	if got := string(cluster.FormatNodes(nc.Nodes)); got != nodes {
		t.Fatalf("CLUSTER NODES formats back as\n%s\nwant\n%s", got, nodes)
	}
	for i := range nc.Nodes {
		if !reflect.DeepEqual(withoutTimes(nc.Nodes[i]), withoutTimes(c.Nodes[i])) {
			t.Errorf("CLUSTER NODES line %d differs from nodes.conf beyond its times:\n%s\n%s", i+1,
				nc.Nodes[i].AppendTo(nil), c.Nodes[i].AppendTo(nil))
		}
	}

	// Node 2's view of node 1: no myself flag and no migrations.
	view := *me
	view.Flags &^= cluster.FlagMyself
	view.Migrating, view.Importing = nil, nil
	var seen string
	for _, l := range strings.Split(strings.TrimSuffix(s2.do(t, "CLUSTER", "NODES"), "\n"), "\n") {
		if strings.HasPrefix(l, id1) {
			seen = l
			f := strings.Fields(l)
			view.PingSent, _ = strconv.ParseInt(f[4], 10, 64)
			view.PongReceived, _ = strconv.ParseInt(f[5], 10, 64)
		}
	}
	if got := string(view.AppendTo(nil)); got != seen {
		t.Errorf("node 2 shows node 1 as\n%s\nFormat of the non-myself view gives\n%s", seen, got)
	}
}

// TestNodesConfTruncated cuts a real nodes.conf at every byte. Each prefix
// must parse to the whole config or be refused, except where Redis itself
// loads a shorter config; a sample of prefixes of each kind is given to a
// real redis-server to confirm it loads or refuses exactly those.
func TestNodesConfTruncated(t *testing.T) {
	_, _, _, _, file := twoNodeConfig(t)
	full, err := cluster.ParseConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	var same, refused, shorter []int
	for k := range len(file) + 1 {
		c, err := cluster.ParseConfig(file[:k])
		var ce *cluster.ConfigError
		switch {
		case k == 0:
			if !errors.Is(err, cluster.ErrNoConfig) {
				t.Fatalf("empty file: %v", err)
			}
		case errors.As(err, &ce):
			if ce.Log == "" || c.Nodes != nil {
				t.Fatalf("prefix %d refused without Redis's message or half-loaded: %v %+v", k, err, c)
			}
			refused = append(refused, k)
		case err != nil:
			t.Fatalf("prefix %d: unexpected error %v", k, err)
		case reflect.DeepEqual(c, full):
			same = append(same, k)
		default:
			shorter = append(shorter, k)
		}
	}
	t.Logf("%d bytes: %d prefixes parse to the whole config, %d are refused, %d load as a shorter config (as Redis would)",
		len(file), len(same), len(refused), len(shorter))
	if len(same) == 0 || len(refused) == 0 {
		t.Fatal("expected both whole and refused prefixes")
	}

	// The oracle: a sample of each kind, plus every line boundary.
	sample := map[int]bool{0: true}
	for i, b := range file {
		if b == '\n' {
			sample[i+1] = true
		}
	}
	for _, ks := range [][]int{same, refused, shorter} {
		for j := 0; j < len(ks); j += max(1, len(ks)/6) {
			sample[ks[j]] = true
		}
	}
	checked := 0
	for k := range len(file) + 1 {
		if !sample[k] {
			continue
		}
		c, err := cluster.ParseConfig(file[:k])
		loaded, id, out := runWithConfig(t, file[:k])
		checked++
		switch {
		case k == 0:
			if !loaded {
				t.Errorf("empty nodes.conf: redis-server exited:\n%s", out)
			}
		case err != nil && loaded:
			t.Errorf("prefix %d (%q...): we refuse (%v) but redis-server loads it", k, tail(file[:k]), err)
		case err == nil && !loaded:
			t.Errorf("prefix %d (%q...): we load it but redis-server exits:\n%s", k, tail(file[:k]), out)
		case err == nil && id != c.Myself().ID:
			t.Errorf("prefix %d: redis-server is %s, we read myself as %s", k, id, c.Myself().ID)
		case err != nil && !strings.Contains(out, err.(*cluster.ConfigError).Log):
			t.Errorf("prefix %d: redis-server's output lacks %q:\n%s", k, err.(*cluster.ConfigError).Log, out)
		}
	}
	t.Logf("%d prefixes checked against redis-server", checked)
}

func tail(b []byte) string {
	if len(b) > 30 {
		return "..." + string(b[len(b)-30:])
	}
	return string(b)
}

// TestNodesConfCrashesLikeRedis gives redis-server the files it refuses by
// crashing rather than by its corrupted-config error, and checks that it
// logs the line ConfigError.Log names.
func TestNodesConfCrashesLikeRedis(t *testing.T) {
	startRealNode(t) // skips, or fails under CI, without redis-server 7.0
	const a, b = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca", "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1"
	for _, conf := range []string{
		a + " h:1@2 myself,boss - 0 0 1 connected\n",
		a + " h:1@2 myself - 0 0 1 connected [5]\n",
		a + " h:1@2 myself - 0 0 1 connected\n" + b + " h:1@2 myself - 0 0 1 connected\n",
		a + " h:1@2 myself - 0 0 1 connected\n  \n",
		a + " h:1@2 myself - 0 0 1 connected [5-\n",
		a + " h:1@2 master - 0 0 1 connected\n",
	} {
		_, err := cluster.ParseConfig([]byte(conf))
		var ce *cluster.ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("%q: ParseConfig = %v, want a refusal", conf, err)
		}
		loaded, _, out := runWithConfig(t, []byte(conf))
		if loaded || !strings.Contains(out, ce.Log) {
			t.Errorf("%q: we refuse with %q; redis-server loaded=%v and logged:\n%s", conf, ce.Log, loaded, out)
		}
	}
}
