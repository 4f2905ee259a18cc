package acl

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// diff runs the same ACL commands on a real redis-server and on the
// package, reply for reply.
type diff struct {
	t     *testing.T
	srv   *server
	acl   *ACL
	host  *diffHost
	count int
}

func newDiff(t *testing.T) *diff {
	srv := startServer(t)
	table, info := tableFromServer(srv)
	a := New(table, DefaultConfig())
	return &diff{t: t, srv: srv, acl: a, host: &diffHost{srv: srv, table: table, info: info}}
}

// diffHost resolves DRYRUN's command lines with the server's help: the
// arity from COMMAND, the keys and their flags from COMMAND
// GETKEYSANDFLAGS, the channels by the table of getChannelsFromCommand.
type diffHost struct {
	srv   *server
	table *Table
	info  map[string]serverCmd
}

func (h *diffHost) NowMs() int64                   { return 0 }
func (h *diffHost) RandomBytes(p []byte)           {}
func (h *diffHost) ACLFile() string                { return "" }
func (h *diffHost) ReadACLFile() ([]byte, error)   { return nil, nil }
func (h *diffHost) WriteACLFile(data []byte) error { return nil }

func (h *diffHost) Resolve(argv [][]byte) (Request, Resolution) {
	base := h.table.Lookup(argv[0])
	if base == nil || bytes.IndexByte(argv[0], '|') >= 0 {
		return Request{}, NotFound
	}
	c := base
	if len(argv) > 1 && base.Subcommands != nil {
		c = h.table.Lookup([]byte(base.Name + "|" + string(argv[1])))
		if c == nil || bytes.IndexByte(argv[1], '|') >= 0 {
			return Request{}, NotFound
		}
	}
	r := Request{Command: c, Argv: argv}
	si := h.info[c.FullName]
	if (si.arity > 0 && si.arity != len(argv)) || len(argv) < -si.arity {
		return r, WrongArity
	}
	if si.hasKeys {
		r.Keys = h.keys
	}
	var fl ChannelFlags
	switch c.FullName {
	case "subscribe", "ssubscribe":
		fl = ChannelSubscribe
	case "unsubscribe", "sunsubscribe":
		fl = ChannelUnsubscribe
	case "psubscribe":
		fl = ChannelSubscribe | ChannelPattern
	case "punsubscribe":
		fl = ChannelUnsubscribe | ChannelPattern
	case "publish", "spublish":
		r.Channels = func([][]byte) []Channel { return []Channel{{Pos: 1, Flags: ChannelPublish}} }
	}
	if fl != 0 {
		r.Channels = func(argv [][]byte) []Channel {
			var out []Channel
			for i := 1; i < len(argv); i++ {
				out = append(out, Channel{Pos: i, Flags: fl})
			}
			return out
		}
	}
	return r, Resolved
}

var keyFlagNames = map[string]KeyFlags{
	"RO": KeyRO, "RW": KeyRW, "OW": KeyOW, "RM": KeyRM,
	"access": KeyAccess, "update": KeyUpdate, "insert": KeyInsert, "delete": KeyDelete,
}

// keys asks the server for the keys; positions are the first unused
// arguments equal to each key (the generated commands use distinct
// arguments).
func (h *diffHost) keys(argv [][]byte) []Key {
	v := h.srv.do(append([][]byte{[]byte("COMMAND"), []byte("GETKEYSANDFLAGS")}, argv...)...)
	if v.IsError() {
		return nil
	}
	used := map[int]bool{}
	var out []Key
	for _, e := range v.Elems {
		var fl KeyFlags
		for _, f := range e.Elems[1].Elems {
			fl |= keyFlagNames[string(f.Str)]
		}
		for i := 1; i < len(argv); i++ {
			if !used[i] && bytes.Equal(argv[i], e.Elems[0].Str) {
				used[i] = true
				out = append(out, Key{Pos: i, Flags: fl})
				break
			}
		}
	}
	return out
}

// run sends args to both and fails the test on a difference.
func (d *diff) run(args ...string) {
	d.t.Helper()
	d.count++
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	want := d.srv.do(b...)
	got := encode(d.t, d.acl.Command(d.host, d.acl.Default(), b).Reply)
	ws, gs := normalize(args, want), normalize(args, got)
	if ws != gs {
		d.t.Fatalf("%q:\n redis: %s\n model: %s", args, ws, gs)
	}
}

// normalize renders a reply for comparison. The order of single-command
// rules (and ACL CAT's list) follows the server's dict hash order, which
// is random per process, so those are sorted on both sides.
func normalize(args []string, v resp.Value) string {
	sub := ""
	if len(args) > 1 {
		sub = strings.ToLower(args[1])
	}
	switch {
	case sub == "list" && !v.IsError():
		for i := range v.Elems {
			v.Elems[i].Str = []byte(sortRules(string(v.Elems[i].Str)))
		}
	case sub == "getuser" && !v.IsError() && !v.IsNull:
		sortGetUser(v)
	case sub == "cat" && len(args) == 3 && !v.IsError():
		slices.SortFunc(v.Elems, func(a, b resp.Value) int { return bytes.Compare(a.Str, b.Str) })
	}
	return v.String()
}

func sortGetUser(v resp.Value) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		switch string(v.Elems[i].Str) {
		case "commands":
			v.Elems[i+1].Str = []byte(sortRules(string(v.Elems[i+1].Str)))
		case "selectors":
			for _, s := range v.Elems[i+1].Elems {
				sortGetUser(s)
			}
		}
	}
}

// sortRules sorts each run of single-command rules ("+get", "-config|set",
// "+select|0") in a description, inside or outside a selector.
func sortRules(s string) string {
	toks := strings.Split(s, " ")
	isSingle := func(t string) bool {
		return len(t) > 1 && (t[0] == '+' || t[0] == '-') && t[1] != '@'
	}
	for i := 0; i < len(toks); {
		if !isSingle(toks[i]) {
			i++
			continue
		}
		j := i
		closed := false
		for j < len(toks) && isSingle(toks[j]) && !closed {
			closed = strings.HasSuffix(toks[j], ")")
			toks[j] = strings.TrimSuffix(toks[j], ")")
			j++
		}
		slices.Sort(toks[i:j])
		if closed {
			toks[j-1] += ")"
		}
		i = j
	}
	return strings.Join(toks, " ")
}

func TestDiffHandWritten(t *testing.T) {
	d := newDiff(t)
	cases := [][]string{
		{"ACL", "LIST"},
		{"ACL", "USERS"},
		{"ACL", "GETUSER", "default"},
		{"ACL", "GETUSER", "nobody"},
		{"ACL", "SETUSER", "alice"},
		{"ACL", "GETUSER", "alice"},
		{"ACL", "SETUSER", "alice", "on", ">p1", ">p2", "~cached:*", "%R~ro:*", "%W~wo:*", "%RW~rw:*", "&news.*", "+get", "+set", "+@hash", "-hdel"},
		{"ACL", "GETUSER", "alice"},
		{"ACL", "LIST"},
		{"ACL", "SETUSER", "alice", "<p1", "(+ping ~x)", "(", "+get", "%R~y)", "+select|0", "+select|1"},
		{"ACL", "GETUSER", "alice"},
		{"ACL", "LIST"},
		{"ACL", "SETUSER", "bob", "+@all", "-@dangerous", "+config|get", "-debug", "allkeys", "allchannels", "skip-sanitize-payload"},
		{"ACL", "GETUSER", "bob"},
		{"ACL", "SETUSER", "bob", "~x"},
		{"ACL", "SETUSER", "bob", "&x"},
		{"ACL", "SETUSER", "bob", "+nosuch"},
		{"ACL", "SETUSER", "bob", "-@nosuch"},
		{"ACL", "SETUSER", "bob", "+config|get|x"},
		{"ACL", "SETUSER", "bob", "+config|nosuch"},
		{"ACL", "SETUSER", "bob", "+get|"},
		{"ACL", "SETUSER", "bob", "#abc"},
		{"ACL", "SETUSER", "bob", "!" + strings.Repeat("0", 64)},
		{"ACL", "SETUSER", "bob", "<nosuch"},
		{"ACL", "SETUSER", "bob", "%~x"},
		{"ACL", "SETUSER", "bob", "%X~x"},
		{"ACL", "SETUSER", "bob", "%RR~x"},
		{"ACL", "SETUSER", "bob", "%R"},
		{"ACL", "SETUSER", "bob", "(~x"},
		{"ACL", "SETUSER", "bob", "(on)"},
		{"ACL", "SETUSER", "bob", "(+get \"x)"},
		{"ACL", "SETUSER", "bob", "(\"~a b\")"},
		{"ACL", "SETUSER", "bob", "(\"+get\" '~q')"},
		{"ACL", "SETUSER", "bob", "(a", "(b", "~c)"},
		{"ACL", "SETUSER", "bob", "on", "+get", "nonsense"},
		{"ACL", "GETUSER", "bob"},
		{"ACL", "SETUSER", "bob", "reset"},
		{"ACL", "GETUSER", "bob"},
		{"ACL", "SETUSER", "bob", "", "nopass", "#" + strings.Repeat("ab", 32), "resetpass"},
		{"ACL", "SETUSER", "b b"},
		{"ACL", "SETUSER", "bob", "~a b"},
		{"ACL", "SETUSER", "bob", "+"},
		{"ACL", "SETUSER", "bob", "-"},
		{"ACL", "SETUSER", "bob", "+@"},
		{"ACL", "SETUSER", "bob", "ON", "AllKeys", "+GET", "+@Read", "-@ALL", "+@all"},
		{"ACL", "LIST"},
		{"ACL", "DELUSER", "bob", "default"},
		{"ACL", "DELUSER", "bob", "nobody"},
		{"ACL", "USERS"},
		{"ACL", "CAT"},
		{"ACL", "CAT", "hash"},
		{"ACL", "CAT", "DANGEROUS"},
		{"ACL", "CAT", "nosuch"},
		{"ACL", "CAT", "a", "b"},
		{"ACL", "GENPASS", "0"},
		{"ACL", "GENPASS", "4097"},
		{"ACL", "GENPASS", "x"},
		{"ACL", "LOG", "x"},
		{"ACL", "NOSUCH"},
		{"ACL", "HELP"},
		{"ACL", "LOAD"},
		{"ACL", "SAVE"},
		{"ACL", "SETUSER", "carol", "on", "nopass", "-@all", "+get", "+set", "+publish", "+subscribe", "+psubscribe", "%R~r*", "%W~w*", "&chan*", "(+@all ~other*)"},
		{"ACL", "DRYRUN", "carol", "get", "r1"},
		{"ACL", "DRYRUN", "carol", "get", "w1"},
		{"ACL", "DRYRUN", "carol", "set", "w1", "v"},
		{"ACL", "DRYRUN", "carol", "set", "r1", "v"},
		{"ACL", "DRYRUN", "carol", "set", "other1", "v"},
		{"ACL", "DRYRUN", "carol", "del", "r1"},
		{"ACL", "DRYRUN", "carol", "del", "other1"},
		{"ACL", "DRYRUN", "carol", "publish", "chan1", "m"},
		{"ACL", "DRYRUN", "carol", "publish", "x", "m"},
		{"ACL", "DRYRUN", "carol", "psubscribe", "chan*"},
		{"ACL", "DRYRUN", "carol", "psubscribe", "chan1"},
		{"ACL", "DRYRUN", "carol", "subscribe", "chan1", "x"},
		{"ACL", "DRYRUN", "carol", "nosuch"},
		{"ACL", "DRYRUN", "carol", "get"},
		{"ACL", "DRYRUN", "nobody", "get", "x"},
		{"ACL", "DRYRUN", "carol", "config", "get", "x"},
		{"ACL", "DRYRUN", "carol", "config", "nosuch"},
		{"ACL", "DRYRUN", "carol", "auth", "x"},
		{"ACL", "DRYRUN", "carol", "mset", "r1", "v", "w2", "v"},
		{"ACL", "DRYRUN", "carol", "copy", "r1", "w2"},
		{"ACL", "DRYRUN", "carol", "lmove", "r1", "w1", "left", "right"},
		{"ACL", "SETUSER", "dave", "on", "nopass", "+select|0", "+client|id"},
		{"ACL", "DRYRUN", "dave", "select", "0"},
		{"ACL", "DRYRUN", "dave", "SELECT", "1"},
		{"ACL", "DRYRUN", "dave", "client", "id"},
		{"ACL", "DRYRUN", "dave", "client", "list"},
		{"ACL", "LIST"},
	}
	for _, c := range cases {
		d.run(c...)
	}
}

// TestDiffRandom applies seeded random rule sequences to a few users and
// compares every reply, and the users' descriptions after each step.
func TestDiffRandom(t *testing.T) {
	d := newDiff(t)
	seeds := 150
	steps := 40
	if testing.Short() {
		seeds, steps = 6, 25
	}
	var names []string
	d.acl.table.walk(func(c *Command) { names = append(names, c.FullName) })
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		g := &ruleGen{rng: rng, cmds: names}
		for range steps {
			user := fmt.Sprintf("u%d", rng.IntN(3))
			switch n := rng.IntN(20); {
			case n < 14:
				args := []string{"ACL", "SETUSER", user}
				for range rng.IntN(6) {
					args = append(args, g.rule(true)...)
				}
				d.run(args...)
				d.run("ACL", "GETUSER", user)
			case n < 17:
				d.run(append([]string{"ACL", "DRYRUN", user}, g.command()...)...)
			case n < 18:
				d.run("ACL", "DELUSER", user)
			default:
				d.run("ACL", "LIST")
			}
		}
		d.run("ACL", "LIST")
		d.run("ACL", "DELUSER", "u0", "u1", "u2")
	}
	t.Logf("%d commands compared", d.count)
}

// ruleGen draws SETUSER rules, valid and invalid.
type ruleGen struct {
	rng  *rand.Rand
	cmds []string
}

var (
	genCategories = append(CategoryNames[:], "all", "nosuch")
	genPatterns   = []string{"*", "a*", "b?", "k[12]", "", "x"}
	genPasswords  = []string{"p1", "p2", ""}
)

func (g *ruleGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *ruleGen) rule(topLevel bool) []string {
	r := g.rng
	sign := "+"
	if r.IntN(2) == 0 {
		sign = "-"
	}
	switch r.IntN(24) {
	case 0:
		return []string{g.pick([]string{"on", "off", "nopass", "resetpass", "sanitize-payload", "skip-sanitize-payload", "reset", "clearselectors"})}
	case 1:
		return []string{g.pick([]string{">", "<"}) + g.pick(genPasswords)}
	case 2:
		h := string(hashPassword([]byte(g.pick(genPasswords))))
		if r.IntN(5) == 0 {
			h = h[:63]
		}
		return []string{g.pick([]string{"#", "!"}) + h}
	case 3, 4:
		return []string{g.pick([]string{"~", "%R~", "%W~", "%RW~", "%WR~", "%r~", "%~", "%RR~", "%R"}) + g.pick(genPatterns)}
	case 5:
		return []string{g.pick([]string{"allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands"})}
	case 6:
		return []string{"&" + g.pick(genPatterns)}
	case 7, 8, 9, 10:
		return []string{sign + "@" + g.pick(genCategories)}
	case 11, 12, 13, 14, 15:
		return []string{sign + g.pick(g.cmds)}
	case 16:
		return []string{"+" + g.pick([]string{"select|0", "select|1", "get|x", "config|get|x", "config|", "nosuch", "NOSUCH|x", "debug|object"})}
	case 17:
		return []string{g.pick([]string{"bogus", "", "~a b"})}
	}
	if !topLevel {
		return []string{"+get"}
	}
	// A selector, in one argument or spread over several.
	var inner []string
	for range 1 + r.IntN(4) {
		rl := g.rule(false)[0]
		if rl == "" || strings.ContainsAny(rl, " ()\"'") {
			continue
		}
		inner = append(inner, rl)
	}
	if len(inner) == 0 {
		inner = []string{"+ping"}
	}
	if r.IntN(2) == 0 {
		return []string{"(" + strings.Join(inner, " ") + ")"}
	}
	inner[0] = "(" + inner[0]
	inner[len(inner)-1] += ")"
	return inner
}

// command draws a command line for DRYRUN with distinct arguments.
func (g *ruleGen) command() []string {
	keys := []string{"a1", "b2", "k1", "x", "zz"}
	g.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	switch g.rng.IntN(10) {
	case 0:
		return []string{"get", keys[0]}
	case 1:
		return []string{"set", keys[0], "v"}
	case 2:
		return []string{"mset", keys[0], "v1", keys[1], "v2"}
	case 3:
		return []string{"del", keys[0], keys[1]}
	case 4:
		return []string{"publish", keys[0], "m"}
	case 5:
		return []string{"psubscribe", keys[0], "a*"}
	case 6:
		return []string{"subscribe", keys[0], keys[1]}
	case 7:
		return []string{"config", "get", "maxmemory"}
	case 8:
		return []string{"select", g.pick([]string{"0", "1"})}
	}
	return []string{"lmove", keys[0], keys[1], "left", "right"}
}
