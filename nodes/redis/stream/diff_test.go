package stream

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	diffSeeds = flag.Int("stream.seeds", 30, "seeds for TestDifferentialRandom")
	diffSteps = flag.Int("stream.steps", 400, "commands per seed for TestDifferentialRandom")
	diffTrace = flag.Bool("stream.trace", false, "log every command of TestDifferentialRandom")
)

// timeTolerance bounds how far apart the oracle's clock and the model's
// (read just before each command) may put a time-valued field.
const timeTolerance = 1000

// gen draws random stream commands, mostly valid ones, steered by the
// model's state so that IDs, groups, consumers and pending entries exist.
type gen struct {
	r    *rand.Rand
	m    *model
	keys []string
	far  bool // IDs in the far future, so that "*" does not depend on the clock
}

var (
	groupNames    = []string{"g1", "g2", "g3"}
	consumerNames = []string{"alice", "bob", "carol", "dave"}
	fieldSets     = [][]string{{"f1"}, {"f1", "f2"}, {"name", "age", "city"}, {"123", "f1"}, {"x"}}
)

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) stream(key string) *Stream { return g.m.streams[key] }

// someID returns an ID near the stream's content: an existing entry, a
// pending one, or one around them.
func (g *gen) someID(key string) ID {
	s := g.stream(key)
	if s == nil || s.lastID.IsZero() {
		return ID{uint64(g.r.IntN(5)) + g.base(), uint64(g.r.IntN(3))}
	}
	switch g.r.IntN(4) {
	case 0, 1:
		if s.length > 0 {
			all := s.Range(ID{}, MaxID, 0, g.r.IntN(2) == 0)
			return all[g.r.IntN(len(all))].ID
		}
	case 2:
		if s.groups.Len() > 0 {
			var ids []ID
			s.groups.All(func(_ string, gr *Group) bool {
				gr.pel.All(func(id ID, _ *pending) bool { ids = append(ids, id); return true })
				return true
			})
			if len(ids) > 0 {
				return ids[g.r.IntN(len(ids))]
			}
		}
	}
	last := s.lastID
	ms := last.Ms
	if ms > 3 {
		ms -= uint64(g.r.IntN(4))
	}
	return ID{ms, uint64(g.r.IntN(4))}
}

func (g *gen) base() uint64 {
	if g.far {
		return 10_000_000_000_000
	}
	return 1000
}

func (g *gen) idArg(key string) string {
	id := g.someID(key)
	switch g.r.IntN(10) {
	case 0:
		return strconv.FormatUint(id.Ms, 10) // incomplete
	case 1:
		return "(" + id.String()
	}
	return id.String()
}

func (g *gen) value() string {
	switch g.r.IntN(6) {
	case 0:
		return strconv.Itoa(g.r.IntN(2000) - 1000)
	case 1:
		return strconv.FormatInt(g.r.Int64N(1<<40), 10)
	case 2:
		return strings.Repeat("v", g.r.IntN(300))
	case 3:
		return "007"
	}
	return "val" + strconv.Itoa(g.r.IntN(100))
}

func (g *gen) xadd() []string {
	key := g.pick(g.keys)
	argv := []string{"XADD", key}
	if g.r.IntN(8) == 0 {
		argv = append(argv, "NOMKSTREAM")
	}
	if g.r.IntN(3) == 0 {
		argv = append(argv, g.trimOpts(key)...)
	}
	s := g.stream(key)
	var last ID
	if s != nil {
		last = s.lastID
	}
	switch n := g.r.IntN(20); {
	case n == 0 && s != nil && last.Ms > uint64(time.Now().UnixMilli())+1e6:
		argv = append(argv, "*")
	case n == 1:
		argv = append(argv, strconv.FormatUint(max(last.Ms, g.base())+uint64(g.r.IntN(2)), 10)+"-*")
	case n == 2:
		argv = append(argv, last.String()) // equal: an error unless empty
	case n == 3:
		argv = append(argv, "0-0")
	default:
		ms := max(last.Ms, g.base())
		if g.r.IntN(3) == 0 {
			ms += uint64(g.r.IntN(3))
		}
		seq := uint64(g.r.IntN(3))
		if ms == last.Ms {
			seq += last.Seq + 1
		}
		argv = append(argv, ID{ms, seq}.String())
	}
	fields := g.pick2()
	for _, f := range fields {
		argv = append(argv, f, g.value())
	}
	return argv
}

func (g *gen) pick2() []string {
	if g.r.IntN(5) == 0 {
		n := 1 + g.r.IntN(3)
		out := make([]string, n)
		for i := range out {
			out[i] = "k" + strconv.Itoa(g.r.IntN(6))
		}
		return out
	}
	return fieldSets[g.r.IntN(len(fieldSets))]
}

func (g *gen) trimOpts(key string) []string {
	var out []string
	if g.r.IntN(2) == 0 {
		out = append(out, "MAXLEN")
	} else {
		out = append(out, "MINID")
	}
	approx := false
	switch g.r.IntN(3) {
	case 0:
		out = append(out, "~")
		approx = true
	case 1:
		out = append(out, "=")
	}
	if out[0] == "MAXLEN" {
		out = append(out, strconv.Itoa(g.r.IntN(20)+g.r.IntN(4)*40))
	} else {
		out = append(out, g.someID(key).String())
	}
	if approx && g.r.IntN(3) == 0 || g.r.IntN(30) == 0 {
		out = append(out, "LIMIT", strconv.Itoa(g.r.IntN(40)))
	}
	return out
}

func (g *gen) groupOf(key string) string {
	if s := g.stream(key); s != nil && s.groups.Len() > 0 && g.r.IntN(6) != 0 {
		var names []string
		s.groups.All(func(n string, _ *Group) bool { names = append(names, n); return true })
		return g.pick(names)
	}
	return g.pick(groupNames)
}

func (g *gen) ids(key string, n int) []string {
	var out []string
	for range n {
		out = append(out, g.someID(key).String())
	}
	return out
}

func (g *gen) command() []string {
	key := g.pick(g.keys)
	if g.m.strings[key] {
		return []string{"DEL", key} // one WRONGTYPE is enough
	}
	switch n := g.r.IntN(100); {
	case n < 33:
		return g.xadd()
	case n < 38:
		argv := []string{"XDEL", key}
		for range 1 + g.r.IntN(3) {
			argv = append(argv, g.someID(key).String())
		}
		return argv
	case n < 42:
		return append([]string{"XTRIM", key}, g.trimOpts(key)...)
	case n < 48:
		name, a, b := "XRANGE", g.idArg(key), g.idArg(key)
		if g.r.IntN(3) == 0 {
			a = "-"
		}
		if g.r.IntN(3) == 0 {
			b = "+"
		}
		if g.r.IntN(2) == 0 {
			name, a, b = "XREVRANGE", b, a
			if a == "-" {
				a = "+"
			}
		}
		argv := []string{name, key, a, b}
		if g.r.IntN(2) == 0 {
			argv = append(argv, "COUNT", strconv.Itoa(g.r.IntN(6)-1))
		}
		return argv
	case n < 50:
		return []string{"XLEN", key}
	case n < 57:
		group := g.groupOf(key)
		switch g.r.IntN(8) {
		case 0, 1, 6, 7:
			id := g.pick([]string{"$", "0", g.someID(key).String()})
			argv := []string{"XGROUP", "CREATE", key, group, id}
			if g.r.IntN(3) == 0 {
				argv = append(argv, "MKSTREAM")
			}
			if g.r.IntN(3) == 0 {
				argv = append(argv, "ENTRIESREAD", strconv.Itoa(g.r.IntN(10)-1))
			}
			return argv
		case 2:
			argv := []string{"XGROUP", "SETID", key, group, g.pick([]string{"$", "0", "-", g.someID(key).String()})}
			if g.r.IntN(2) == 0 {
				argv = append(argv, "ENTRIESREAD", strconv.Itoa(g.r.IntN(10)-1))
			}
			return argv
		case 3:
			return []string{"XGROUP", "DESTROY", key, group}
		case 4:
			return []string{"XGROUP", "CREATECONSUMER", key, group, g.pick(consumerNames)}
		default:
			return []string{"XGROUP", "DELCONSUMER", key, group, g.pick(consumerNames)}
		}
	case n < 68:
		argv := []string{"XREADGROUP", "GROUP", g.groupOf(key), g.pick(consumerNames)}
		if g.r.IntN(2) == 0 {
			argv = append(argv, "COUNT", strconv.Itoa(g.r.IntN(5)))
		}
		if g.r.IntN(5) == 0 {
			argv = append(argv, "NOACK")
		}
		argv = append(argv, "STREAMS", key)
		if g.r.IntN(6) == 0 {
			other := g.pick(g.keys)
			argv = append(argv[:len(argv)-1], key, other, ">", g.pick([]string{">", "0"}))
			return argv
		}
		return append(argv, g.pick([]string{">", ">", ">", "0", g.someID(key).String()}))
	case n < 71:
		argv := []string{"XREAD"}
		if g.r.IntN(2) == 0 {
			argv = append(argv, "COUNT", strconv.Itoa(g.r.IntN(5)))
		}
		return append(argv, "STREAMS", key, g.pick([]string{"$", "0", g.someID(key).String()}))
	case n < 76:
		argv := []string{"XACK", key, g.groupOf(key)}
		return append(argv, g.ids(key, 1+g.r.IntN(3))...)
	case n < 81:
		argv := []string{"XPENDING", key, g.groupOf(key)}
		if g.r.IntN(3) == 0 {
			return argv
		}
		if g.r.IntN(3) == 0 {
			argv = append(argv, "IDLE", g.pick([]string{"0", "100000000000"}))
		}
		argv = append(argv, g.pick([]string{"-", g.idArg(key)}), g.pick([]string{"+", g.idArg(key)}), strconv.Itoa(g.r.IntN(8)))
		if g.r.IntN(2) == 0 {
			argv = append(argv, g.pick(consumerNames))
		}
		return argv
	case n < 87:
		argv := []string{"XCLAIM", key, g.groupOf(key), g.pick(consumerNames), g.pick([]string{"0", "0", "100000000000"})}
		argv = append(argv, g.ids(key, 1+g.r.IntN(3))...)
		if g.r.IntN(3) == 0 {
			argv = append(argv, g.pick([]string{"IDLE", "TIME"}), g.pick([]string{"1000", "1000000000000", "-5"}))
		}
		if g.r.IntN(4) == 0 {
			argv = append(argv, "RETRYCOUNT", strconv.Itoa(g.r.IntN(5)))
		}
		if g.r.IntN(4) == 0 {
			argv = append(argv, "FORCE")
		}
		if g.r.IntN(3) == 0 {
			argv = append(argv, "JUSTID")
		}
		if g.r.IntN(5) == 0 {
			argv = append(argv, "LASTID", g.someID(key).String())
		}
		return argv
	case n < 91:
		argv := []string{"XAUTOCLAIM", key, g.groupOf(key), g.pick(consumerNames),
			g.pick([]string{"0", "100000000000"}), g.pick([]string{"0", "-", g.idArg(key)})}
		if g.r.IntN(2) == 0 {
			argv = append(argv, "COUNT", strconv.Itoa(1+g.r.IntN(4)))
		}
		if g.r.IntN(3) == 0 {
			argv = append(argv, "JUSTID")
		}
		return argv
	case n < 97:
		switch g.r.IntN(4) {
		case 0:
			return []string{"XINFO", "STREAM", key}
		case 1:
			return []string{"XINFO", "STREAM", key, "FULL", "COUNT", strconv.Itoa(g.r.IntN(5))}
		case 2:
			return []string{"XINFO", "GROUPS", key}
		}
		return []string{"XINFO", "CONSUMERS", key, g.groupOf(key)}
	case n < 99:
		s := g.stream(key)
		id := g.someID(key)
		if s != nil && g.r.IntN(2) == 0 {
			id = s.lastID
			id.Seq += uint64(g.r.IntN(3))
		}
		argv := []string{"XSETID", key, id.String()}
		if g.r.IntN(2) == 0 {
			argv = append(argv, "ENTRIESADDED", strconv.Itoa(g.r.IntN(40)))
		}
		if g.r.IntN(3) == 0 {
			argv = append(argv, "MAXDELETEDID", g.someID(key).String())
		}
		return argv
	case g.r.IntN(3) == 0:
		return []string{"SET", key, "x"}
	}
	return []string{"DEL", key}
}

// normalize turns RESP3 maps (go-redis's map[any]any and the model's
// treeMap) into treeMaps with sorted keys, recursively, so that both
// sides can be walked alike.
func normalize(v any) any {
	switch v := v.(type) {
	case []any:
		for i := range v {
			v[i] = normalize(v[i])
		}
		return v
	case map[any]any:
		var m treeMap
		for k, e := range v {
			m = append(m, k, e)
		}
		return normalize(m)
	case treeMap:
		type pair struct {
			k string
			a any
			b any
		}
		var ps []pair
		for i := 0; i+1 < len(v); i += 2 {
			ps = append(ps, pair{canon(v[i]), v[i], normalize(v[i+1])})
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].k < ps[j].k })
		out := make(treeMap, 0, len(v))
		for _, p := range ps {
			out = append(out, p.a, p.b)
		}
		return out
	}
	return v
}

// items returns the elements of an array or the alternating keys and
// values of a map (a RESP2 map is a flat array).
func items(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case treeMap:
		return v
	}
	return nil
}

// field returns the value at key name in a map (or flat array).
func field(v any, name string) (any, bool) {
	it := items(v)
	for i := 0; i+1 < len(it); i += 2 {
		if it[i] == name {
			return it[i+1], true
		}
	}
	return nil, false
}

// setField replaces the value at key name.
func setField(v any, name string, x any) {
	it := items(v)
	for i := 0; i+1 < len(it); i += 2 {
		if it[i] == name {
			it[i+1] = x
		}
	}
}

// maskTimes replaces the time-valued fields of mine and theirs with a
// marker after checking that they agree within timeTolerance: idle times
// of XPENDING and XINFO CONSUMERS, seen-times and delivery times of XINFO
// STREAM FULL.
func maskTimes(argv []string, mine, theirs any) (any, any, error) {
	mine, theirs = normalize(mine), normalize(theirs)
	cmd := strings.ToUpper(argv[0])
	var err error
	near := func(a, b any) {
		x, ok1 := a.(int64)
		y, ok2 := b.(int64)
		if !ok1 || !ok2 || x-y > timeTolerance || y-x > timeTolerance {
			err = fmt.Errorf("time field %v vs %v", a, b)
		}
	}
	// pair calls f on matching elements of two arrays of equal length.
	pair := func(a, b any, f func(x, y any)) {
		ia, ib := items(a), items(b)
		if len(ia) == len(ib) {
			for i := range ia {
				f(ia[i], ib[i])
			}
		}
	}
	maskAt := func(i int) func(x, y any) {
		return func(x, y any) {
			ix, iy := items(x), items(y)
			if len(ix) > i && len(iy) > i {
				near(ix[i], iy[i])
				ix[i], iy[i] = "T", "T"
			}
		}
	}
	maskField := func(name string) func(x, y any) {
		return func(x, y any) {
			a, ok1 := field(x, name)
			b, ok2 := field(y, name)
			if ok1 && ok2 {
				near(a, b)
				setField(x, name, "T")
				setField(y, name, "T")
			}
		}
	}
	sub := func(name string, f func(x, y any)) func(x, y any) {
		return func(x, y any) {
			a, _ := field(x, name)
			b, _ := field(y, name)
			f(a, b)
		}
	}
	switch {
	case cmd == "XPENDING" && len(argv) > 3:
		pair(mine, theirs, maskAt(2))
	case cmd == "XINFO" && strings.EqualFold(argv[1], "consumers"):
		pair(mine, theirs, maskField("idle"))
	case cmd == "XINFO" && len(argv) > 3:
		sub("groups", func(ga, gb any) {
			pair(ga, gb, func(x, y any) {
				sub("pending", func(a, b any) { pair(a, b, maskAt(2)) })(x, y)
				sub("consumers", func(a, b any) {
					pair(a, b, func(u, v any) {
						maskField("seen-time")(u, v)
						sub("pending", func(p, q any) { pair(p, q, maskAt(1)) })(u, v)
					})
				})(x, y)
			})
		})(mine, theirs)
	}
	return mine, theirs, err
}

// maskPropagated checks the TIME of propagated XCLAIMs within
// timeTolerance and blanks it.
func maskPropagated(mine, theirs []string) error {
	if len(mine) != len(theirs) {
		return nil
	}
	for i := range mine {
		a, b := strings.Split(mine[i], " "), strings.Split(theirs[i], " ")
		if len(a) != 14 || len(b) != 14 || a[0] != "XCLAIM" || !strings.EqualFold(b[0], "XCLAIM") {
			continue
		}
		x, _ := strconv.ParseInt(a[7], 10, 64)
		y, _ := strconv.ParseInt(b[7], 10, 64)
		if x-y > timeTolerance || y-x > timeTolerance {
			return fmt.Errorf("XCLAIM TIME %d vs %d", x, y)
		}
		a[7], b[7] = "T", "T"
		mine[i], theirs[i] = strings.Join(a, " "), strings.Join(b, " ")
	}
	return nil
}

func toBytes(argv []string) [][]byte {
	out := make([][]byte, len(argv))
	for i, a := range argv {
		out[i] = []byte(a)
	}
	return out
}

// TestDifferentialRandom runs seeded random command sequences on the model
// and on a real redis-server and requires equal replies (time-valued
// fields within timeTolerance) and equal propagated commands, read from
// the oracle's replication stream.
func TestDifferentialRandom(t *testing.T) {
	t.Parallel() // an oracle of its own
	o := newOracle(t)
	configs := []Config{DefaultConfig(), {NodeMaxBytes: 4096, NodeMaxEntries: 5}, {NodeMaxBytes: 300, NodeMaxEntries: 100},
		{NodeMaxBytes: 128, NodeMaxEntries: 3}, {NodeMaxBytes: 0, NodeMaxEntries: 7}, {NodeMaxBytes: 1000, NodeMaxEntries: 0}}
	for seed := range *diffSeeds {
		proto := 2
		if seed%4 == 3 {
			proto = 3
		}
		o.reset(configs[seed%len(configs)], proto)
		g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 42)), m: o.m, keys: []string{"s1", "s2"}, far: seed%2 == 1}
		for step := range *diffSteps {
			argv := g.command()
			if *diffTrace {
				t.Logf("seed %d step %d", seed, step)
			}
			o.traceSteps = *diffTrace
			o.check(argv...)
		}
	}
}

// TestDifferentialTrim grows long streams under various node limits and
// trims them approximately and exactly, with deletions in between, so
// that node boundaries (listpack sizes, entry counts, deleted flags)
// decide what MAXLEN ~ and MINID ~ leave; replies, XINFO STREAM and the
// propagated (rewritten) commands must match the oracle's.
func TestDifferentialTrim(t *testing.T) {
	t.Parallel() // an oracle of its own
	o := newOracle(t)
	configs := []Config{DefaultConfig(), {NodeMaxBytes: 4096, NodeMaxEntries: 10}, {NodeMaxBytes: 200, NodeMaxEntries: 100},
		{NodeMaxBytes: 1000, NodeMaxEntries: 0}, {NodeMaxBytes: 0, NodeMaxEntries: 13}, {NodeMaxBytes: 512, NodeMaxEntries: 20},
		{NodeMaxBytes: 4096, NodeMaxEntries: 0}, {NodeMaxBytes: 8192, NodeMaxEntries: 500}}
	seeds := *diffSeeds
	if testing.Short() {
		// Each configuration once: the inner loop's budget; make test runs
		// them all.
		seeds = min(seeds, len(configs))
	}
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		o.reset(configs[seed%len(configs)], 2)
		// Big nodes of small entries push the master entry's counts
		// past 127, where their encoding grows.
		small := seed%len(configs) >= 6
		g := &gen{r: r, m: o.m, keys: []string{"t"}}
		ms := uint64(1000)
		for range 1500 {
			ms += uint64(r.IntN(3))
			argv := []string{"XADD", "t"}
			if r.IntN(4) == 0 {
				argv = append(argv, g.trimOpts("t")...)
				if argv[2] == "MAXLEN" {
					argv[len(argv)-1] = strconv.Itoa(r.IntN(400))
				}
			}
			argv = append(argv, strconv.FormatUint(ms, 10)+"-*")
			if small {
				argv = append(argv, "f", strconv.Itoa(r.IntN(200)))
				if r.IntN(2) == 0 {
					argv[len(argv)-1] = "v"
				}
			} else {
				for _, f := range g.pick2() {
					argv = append(argv, f, g.value())
				}
			}
			o.check(argv...)
			switch r.IntN(12) {
			case 0, 1, 2:
				del := []string{"XDEL", "t"}
				for range 1 + r.IntN(4) {
					del = append(del, g.someID("t").String())
				}
				if st := o.m.streams["t"]; small && st != nil && r.IntN(2) == 0 {
					// Delete in the tail node, so that its deleted
					// count grows.
					del = append(del[:2], st.lastValidID().String())
				}
				o.check(del...)
			case 3:
				xt := append([]string{"XTRIM", "t"}, g.trimOpts("t")...)
				if xt[2] == "MAXLEN" {
					xt[len(xt)-1] = strconv.Itoa(r.IntN(600))
				}
				o.check(xt...)
			case 4:
				o.check("XINFO", "STREAM", "t")
			case 5:
				o.check("XRANGE", "t", g.idArg("t"), "+", "COUNT", "5")
			case 6:
				o.check("XREVRANGE", "t", "+", g.idArg("t"), "COUNT", "5")
			}
		}
		o.check("XINFO", "STREAM", "t", "FULL", "COUNT", "0")
	}
}
