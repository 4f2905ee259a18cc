package stream

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
)

// TestRDBRoundTrip takes streams built by random command sequences
// through rdbfile's DUMP payload (STREAM_LISTPACKS_2, Redis's layout) and
// back: the copy encodes as the original, keeps its node sizes, and
// answers further random commands as the original does.
func TestRDBRoundTrip(t *testing.T) {
	for seed := range 40 {
		r := rand.New(rand.NewPCG(uint64(seed), 10))
		m := newModel()
		m.cfg = Config{NodeMaxBytes: 200, NodeMaxEntries: 4}
		g := &gen{r: r, m: m, keys: []string{"s"}}
		now := int64(1_000_000)
		for range 300 {
			now++
			m.exec(toBytes(g.command()), now)
		}
		s := m.streams["s"]
		if s == nil {
			continue
		}
		p, err := rdbfile.Dump(nil, &rdbfile.Value{Type: rdbfile.TypeStream, Stream: s.RDB()}, rdbfile.DefaultOptions())
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		v, err := rdbfile.DecodeDump(p, false)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		d, err := FromRDB(v.Stream)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !bytes.Equal(d.AppendBinary(nil), s.AppendBinary(nil)) {
			t.Fatalf("seed %d: the stream read back differs", seed)
		}
		if err := checkInvariants(d); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i := range s.nodes {
			if d.nodes[i].bytes() != s.nodes[i].bytes() || d.nodes[i].sorted != s.nodes[i].sorted {
				t.Fatalf("seed %d node %d: size %d sorted %v, want %d %v", seed, i, d.nodes[i].bytes(), d.nodes[i].sorted, s.nodes[i].bytes(), s.nodes[i].sorted)
			}
		}
		if d.replaced != min(s.replaced, 1) {
			t.Fatalf("seed %d: replaced %d, original %d", seed, d.replaced, s.replaced)
		}
		c := newModel()
		c.cfg, c.streams["s"] = m.cfg, d
		for step := range 300 {
			now++
			argv := toBytes(g.command())
			want, wantProp := m.exec(argv, now)
			got, gotProp := c.exec(argv, now)
			if canon(got) != canon(want) || len(gotProp) != len(wantProp) {
				t.Fatalf("seed %d step %d: %q\n got %s\nwant %s", seed, step, argv, canon(got), canon(want))
			}
		}
	}
}

func TestFromRDBRefusesWhatRedisNeverWrites(t *testing.T) {
	f := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i := range s {
			out[i] = []byte(s[i])
		}
		return out
	}
	for name, r := range map[string]*rdbfile.Stream{
		"nil":        nil,
		"empty node": {Nodes: []rdbfile.StreamNode{{Master: rdbfile.StreamID{Ms: 1}, MasterFields: f("a")}}},
		"first entry not master": {Nodes: []rdbfile.StreamNode{{Master: rdbfile.StreamID{Ms: 1}, MasterFields: f("a"),
			Entries: []rdbfile.StreamEntry{{ID: rdbfile.StreamID{Ms: 2}, Fields: f("a", "1")}}}}},
		"orphan pending": {Groups: []rdbfile.StreamGroup{{Name: []byte("g"), PEL: []rdbfile.StreamPending{{ID: rdbfile.StreamID{Ms: 1}}}}}},
	} {
		if _, err := FromRDB(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
