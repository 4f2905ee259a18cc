package redisdiff

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A Generator draws random commands over a small key space shared by every
// type, so that wrong-type errors, missing keys, conversions between
// encodings and edge arguments all happen often. The same seed gives the
// same commands.
type Generator struct {
	rng *rand.Rand
	fam int // the type family of the command being drawn
}

// NewGenerator returns the Generator of seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// A Command is a generated command and how its reply is compared.
type Command struct {
	Args  []string
	Match Match
}

var (
	// Each type family mostly uses its own two keys, and any key now and
	// then, so that values grow and wrong-type errors stay a minority.
	genKeys    = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13"}
	genMembers = []string{"a", "b", "c", "d", "1", "2", "10", "-3", "x y", ""}
	genValues  = []string{"", "0", "1", "-1", "42", "007", "1.5", "-2.25", "1e3", " 1", "0x10", "abc", "hello world",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "3.0", "inf", "nan", "a\r\nb"}
	genScores = []string{"0", "1", "-1", "2.5", "-0.5", "1e3", "+inf", "-inf", "3", "10", "nan", "x", "1.5e-3"}
	genInts   = []string{"0", "1", "-1", "2", "3", "-2", "5", "10", "100", "-100", "9223372036854775807", "-9223372036854775808", "x", "1.5"}
	genRanges = []string{"0", "1", "-1", "2", "-2", "3", "5", "100", "-100"}
)

func (g *Generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }
func (g *Generator) key() string {
	if g.fam == 0 || g.chance(0.2) {
		return g.pick(genKeys)
	}
	return genKeys[2*(g.fam-1)+g.rng.IntN(2)]
}
func (g *Generator) member() string        { return g.pick(genMembers) }
func (g *Generator) chance(p float64) bool { return g.rng.Float64() < p }

// some returns 1 to n draws of f.
func (g *Generator) some(n int, f func() []string) []string {
	var out []string
	for range 1 + g.rng.IntN(n) {
		out = append(out, f()...)
	}
	return out
}

// flags returns a random subset of opts in random order, conflicting
// combinations included.
func (g *Generator) flags(p float64, opts ...[]string) []string {
	var out []string
	for _, i := range g.rng.Perm(len(opts)) {
		if g.chance(p) {
			out = append(out, opts[i]...)
		}
	}
	return out
}

func cmd(args ...string) []string { return args }

// Next returns the next command. Now and then one of its option
// keywords (an argument of capital letters after the first) carries a
// NUL byte and more after it: Redis compares most options as C strings,
// up to the NUL, and the node must read them so too. Not the first
// argument: a subcommand's name is looked up in a dict whose hash reads
// the whole argument and whose compare stops at the NUL, so a real
// server finds "DELCONSUMER\x00x" or not depending on its random hash
// seed.
func (g *Generator) Next() Command {
	c := g.next()
	if g.chance(0.03) {
		var at []int
		for i, a := range c.Args {
			if i >= 2 && len(a) >= 2 && strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
				at = append(at, i)
			}
		}
		if len(at) > 0 {
			args := slices.Clone(c.Args)
			i := at[g.rng.IntN(len(at))]
			args[i] += "\x00x"
			c.Args = args
		}
	}
	return c
}

func (g *Generator) next() Command {
	k, m := g.key, g.member
	one := func() []string { return []string{m()} }
	pair := func() []string { return []string{m(), g.pick(genValues)} }
	scored := func() []string { return []string{g.pick(genScores), m()} }
	keys := func() []string { return []string{k()} }
	ttl := func() string { return g.pick([]string{"100", "1000", "0", "-5", "86400", "x"}) }
	sorted := Match{Sort: true}

	g.fam = g.rng.IntN(8)
	switch g.fam {
	case 7:
		return Command{Args: g.stream()}
	case 1: // strings and bitmaps
		switch g.rng.IntN(23) {
		case 0, 1:
			a := cmd("SET", k(), g.pick(genValues))
			a = append(a, g.flags(0.2, cmd("NX"), cmd("XX"), cmd("GET"), cmd("KEEPTTL"), cmd("EX", ttl()), cmd("PX", "100000"),
				cmd("EXAT", g.pick([]string{"4102444800", "1"})), cmd("PXAT", "4102444800000"))...)
			return Command{Args: a}
		case 2:
			return Command{Args: cmd("GET", k())}
		case 3:
			return Command{Args: cmd(g.pick([]string{"INCR", "DECR"}), k())}
		case 4:
			return Command{Args: cmd(g.pick([]string{"INCRBY", "DECRBY"}), k(), g.pick(genInts))}
		case 5:
			return Command{Args: cmd("INCRBYFLOAT", k(), g.pick(genValues[:12]))}
		case 6:
			return Command{Args: cmd("APPEND", k(), g.pick(genValues))}
		case 7:
			return Command{Args: cmd("STRLEN", k())}
		case 8:
			return Command{Args: cmd("GETRANGE", k(), g.pick(genRanges), g.pick(genRanges))}
		case 9:
			return Command{Args: cmd("SETRANGE", k(), g.pick([]string{"0", "1", "3", "10", "-1"}), g.pick(genValues))}
		case 10:
			return Command{Args: append(cmd("MGET"), g.some(3, keys)...)}
		case 11:
			return Command{Args: append(cmd(g.pick([]string{"MSET", "MSETNX"})), g.some(2, func() []string { return []string{k(), g.pick(genValues)} })...)}
		case 12:
			return Command{Args: cmd(g.pick([]string{"GETSET", "SETNX"}), k(), g.pick(genValues))}
		case 13:
			return Command{Args: cmd("GETDEL", k())}
		case 14:
			return Command{Args: append(cmd("GETEX", k()), g.flags(0.3, cmd("PERSIST"), cmd("EX", ttl()), cmd("PX", "500000"))...)}
		case 15:
			return Command{Args: cmd(g.pick([]string{"SETEX", "PSETEX"}), k(), ttl()+"00", g.pick(genValues))}
		case 16:
			return Command{Args: cmd("SET", k(), g.pick(genInts))}
		case 17, 18, 19, 20, 21:
			return Command{Args: g.bitmap()}
		default:
			return Command{Args: cmd("INCRBY", k(), g.pick([]string{"9223372036854775807", "-9223372036854775808", "1"}))}
		}
	case 6: // HyperLogLogs
		switch g.rng.IntN(8) {
		case 0, 1, 2:
			return Command{Args: append(cmd("PFADD", k()), g.some(4, one)...)}
		case 3, 4:
			return Command{Args: append(cmd("PFCOUNT"), g.some(3, keys)...)}
		case 5:
			return Command{Args: append(cmd("PFMERGE", k()), g.some(3, keys)...)}
		default:
			sub := g.pick([]string{"ENCODING", "DECODE", "TODENSE", "GETREG", "NOSUCH"})
			return Command{Args: cmd("PFDEBUG", sub, k())}
		}
	case 0: // keys
		switch g.rng.IntN(15) {
		case 0, 1:
			return Command{Args: append(cmd(g.pick([]string{"DEL", "UNLINK", "EXISTS"})), g.some(3, keys)...)}
		case 2:
			return Command{Args: cmd("TYPE", k())}
		case 3:
			a := cmd(g.pick([]string{"EXPIRE", "PEXPIRE"}), k(), ttl()+"000")
			return Command{Args: append(a, g.flags(0.25, cmd("NX"), cmd("XX"), cmd("GT"), cmd("LT"))...)}
		case 4:
			return Command{Args: cmd("TTL", k()), Match: Match{Within: 1}}
		case 5:
			return Command{Args: cmd("PTTL", k()), Match: Match{Within: 1000}}
		case 6:
			return Command{Args: cmd("PERSIST", k())}
		case 7:
			return Command{Args: cmd(g.pick([]string{"RENAME", "RENAMENX"}), k(), k())}
		case 8:
			return Command{Args: cmd("KEYS", g.pick([]string{"*", "k[0-2]", "k?", "x*", "*[^1]"})), Match: sorted}
		case 9:
			return Command{Args: cmd("DBSIZE")}
		case 10:
			a := cmd("SCAN", "0", "COUNT", "100")
			if g.chance(0.5) {
				a = append(a, "TYPE", g.pick([]string{"string", "list", "hash", "set", "zset", "stream", "none"}))
			}
			if g.chance(0.3) {
				a = append(a, "MATCH", "k[1-3]")
			}
			return Command{Args: a, Match: sorted}
		case 11:
			return Command{Args: cmd("EXPIREAT", k(), g.pick([]string{"4102444800", "1"}))}
		case 12:
			a := cmd("COPY", k(), k())
			return Command{Args: append(a, g.flags(0.3, cmd("REPLACE"), cmd("DB", g.pick([]string{"0", "1", "16", "x"})))...)}
		case 13:
			return Command{Args: cmd("OBJECT", g.pick([]string{"ENCODING", "REFCOUNT"}), k())}
		default:
			a := cmd("SORT", k())
			a = append(a, g.flags(0.3, cmd("ALPHA"), cmd("DESC"), cmd("LIMIT", g.pick([]string{"0", "1"}), g.pick([]string{"2", "-1"})), cmd("STORE", k()))...)
			return Command{Args: a}
		}
	case 2: // lists
		switch g.rng.IntN(15) {
		case 0, 1:
			return Command{Args: append(cmd(g.pick([]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}), k()), g.some(3, one)...)}
		case 2:
			a := cmd(g.pick([]string{"LPOP", "RPOP"}), k())
			if g.chance(0.4) {
				a = append(a, g.pick([]string{"0", "1", "2", "10", "-1"}))
			}
			return Command{Args: a}
		case 3:
			return Command{Args: cmd("LRANGE", k(), g.pick(genRanges), g.pick(genRanges))}
		case 4:
			return Command{Args: cmd("LLEN", k())}
		case 5:
			return Command{Args: cmd("LINDEX", k(), g.pick(genRanges))}
		case 6:
			return Command{Args: cmd("LSET", k(), g.pick(genRanges), m())}
		case 7:
			return Command{Args: cmd("LREM", k(), g.pick([]string{"0", "1", "-1", "2", "-2"}), m())}
		case 8:
			return Command{Args: cmd("LTRIM", k(), g.pick(genRanges), g.pick(genRanges))}
		case 9:
			return Command{Args: cmd("LINSERT", k(), g.pick([]string{"BEFORE", "AFTER"}), m(), m())}
		case 10:
			a := cmd("LPOS", k(), m())
			a = append(a, g.flags(0.4, cmd("RANK", g.pick([]string{"1", "-1", "2", "-2", "0"})), cmd("COUNT", g.pick([]string{"0", "1", "2", "-1"})), cmd("MAXLEN", g.pick([]string{"0", "1", "3", "-1"})))...)
			return Command{Args: a}
		case 11:
			dir := func() string { return g.pick([]string{"LEFT", "RIGHT"}) }
			return Command{Args: cmd("LMOVE", k(), k(), dir(), dir())}
		case 12:
			return Command{Args: cmd(g.pick([]string{"BLPOP", "BRPOP"}), k(), k(), "0.01")}
		case 13:
			return Command{Args: cmd("RPOPLPUSH", k(), k())}
		default:
			a := cmd("LMPOP", g.pick([]string{"1", "2", "0"}), k(), k(), g.pick([]string{"LEFT", "RIGHT", "MIDDLE"}))
			return Command{Args: append(a, g.flags(0.4, cmd("COUNT", g.pick([]string{"1", "2", "10", "0"})))...)}
		}
	case 3: // hashes
		switch g.rng.IntN(12) {
		case 0, 1:
			return Command{Args: append(cmd(g.pick([]string{"HSET", "HMSET"}), k()), g.some(3, pair)...)}
		case 2:
			return Command{Args: cmd("HSETNX", k(), m(), g.pick(genValues))}
		case 3:
			return Command{Args: cmd("HGET", k(), m())}
		case 4:
			return Command{Args: append(cmd("HMGET", k()), g.some(3, one)...)}
		case 5:
			return Command{Args: cmd(g.pick([]string{"HGETALL", "HKEYS", "HVALS", "HLEN"}), k())}
		case 6:
			return Command{Args: append(cmd("HDEL", k()), g.some(3, one)...)}
		case 7:
			return Command{Args: cmd("HEXISTS", k(), m())}
		case 8:
			return Command{Args: cmd("HINCRBY", k(), m(), g.pick(genInts))}
		case 9:
			return Command{Args: cmd("HINCRBYFLOAT", k(), m(), g.pick(genValues[:12]))}
		case 10:
			return Command{Args: cmd("HSTRLEN", k(), m())}
		default:
			return Command{Args: cmd("HSCAN", k(), "0", "COUNT", "100"), Match: sorted}
		}
	case 4: // sets
		switch g.rng.IntN(11) {
		case 0, 1:
			return Command{Args: append(cmd("SADD", k()), g.some(4, one)...)}
		case 2:
			return Command{Args: append(cmd("SREM", k()), g.some(2, one)...)}
		case 3:
			return Command{Args: cmd("SMEMBERS", k()), Match: sorted}
		case 4:
			return Command{Args: cmd("SISMEMBER", k(), m())}
		case 5:
			return Command{Args: append(cmd("SMISMEMBER", k()), g.some(3, one)...)}
		case 6:
			return Command{Args: cmd("SCARD", k())}
		case 7:
			return Command{Args: append(cmd(g.pick([]string{"SINTER", "SUNION", "SDIFF"})), g.some(3, keys)...), Match: sorted}
		case 8:
			return Command{Args: append(cmd(g.pick([]string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), k()), g.some(3, keys)...)}
		case 9:
			return Command{Args: cmd("SSCAN", k(), "0", "COUNT", "100"), Match: sorted}
		default:
			a := append(cmd("SINTERCARD", g.pick([]string{"1", "2", "3"})), g.some(3, keys)...)
			return Command{Args: append(a, g.flags(0.3, cmd("LIMIT", g.pick([]string{"0", "1", "-1"})))...)}
		}
	default: // sorted sets, and GEO on them
		if g.chance(0.15) {
			return Command{Args: g.geo()}
		}
		switch g.rng.IntN(18) {
		case 0, 1, 2:
			a := cmd("ZADD", k())
			a = append(a, g.flags(0.15, cmd("NX"), cmd("XX"), cmd("GT"), cmd("LT"), cmd("CH"), cmd("INCR"))...)
			return Command{Args: append(a, g.some(3, scored)...)}
		case 3:
			return Command{Args: append(cmd("ZREM", k()), g.some(2, one)...)}
		case 4:
			return Command{Args: cmd("ZSCORE", k(), m())}
		case 5:
			return Command{Args: append(cmd("ZMSCORE", k()), g.some(3, one)...)}
		case 6:
			return Command{Args: cmd("ZINCRBY", k(), g.pick(genScores), m())}
		case 7:
			return Command{Args: cmd("ZCARD", k())}
		case 8:
			bound := func() string {
				return g.pick([]string{"-inf", "+inf", "0", "1", "(1", "2.5", "(2.5", "-1", "x", "(", "10"})
			}
			return Command{Args: cmd("ZCOUNT", k(), bound(), bound())}
		case 9:
			a := cmd("ZRANGE", k())
			switch g.rng.IntN(3) {
			case 0:
				a = append(a, g.pick(genRanges), g.pick(genRanges))
			case 1:
				a = append(a, g.pick([]string{"-inf", "0", "(1", "1", "2.5"}), g.pick([]string{"+inf", "10", "(3", "1"}), "BYSCORE")
			default:
				a = append(a, g.pick([]string{"-", "[a", "(b", "[1", "+"}), g.pick([]string{"+", "[c", "(d", "-", "x"}), "BYLEX")
			}
			a = append(a, g.flags(0.3, cmd("REV"), cmd("WITHSCORES"), cmd("LIMIT", g.pick([]string{"0", "1", "-1"}), g.pick([]string{"1", "2", "-1", "0"})))...)
			return Command{Args: a}
		case 10:
			return Command{Args: append(cmd(g.pick([]string{"ZREVRANGE", "ZRANGE"}), k(), g.pick(genRanges), g.pick(genRanges)), g.flags(0.5, cmd("WITHSCORES"))...)}
		case 11:
			return Command{Args: append(cmd("ZRANGEBYSCORE", k(), g.pick([]string{"-inf", "0", "(1"}), g.pick([]string{"+inf", "2.5", "(10"})), g.flags(0.4, cmd("WITHSCORES"), cmd("LIMIT", "1", "2"))...)}
		case 12:
			return Command{Args: cmd(g.pick([]string{"ZRANK", "ZREVRANK"}), k(), m())}
		case 13:
			a := cmd(g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), k())
			if g.chance(0.5) {
				a = append(a, g.pick([]string{"0", "1", "2", "10", "-1"}))
			}
			return Command{Args: a}
		case 14:
			a := cmd(g.pick([]string{"ZUNION", "ZINTER", "ZDIFF"}), "2", k(), k())
			return Command{Args: append(a, g.flags(0.3, cmd("WEIGHTS", "2", g.pick([]string{"1", "-1", "inf"})), cmd("AGGREGATE", g.pick([]string{"MIN", "MAX", "SUM"})), cmd("WITHSCORES"))...)}
		case 15:
			a := cmd(g.pick([]string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}), k(), "2", k(), k())
			return Command{Args: append(a, g.flags(0.3, cmd("AGGREGATE", g.pick([]string{"MIN", "MAX"})))...)}
		case 16:
			a := cmd("ZMPOP", "2", k(), k(), g.pick([]string{"MIN", "MAX"}))
			return Command{Args: append(a, g.flags(0.4, cmd("COUNT", g.pick([]string{"1", "2", "10"})))...)}
		default:
			return Command{Args: cmd("ZRANGESTORE", k(), k(), g.pick(genRanges), g.pick(genRanges))}
		}
	}
}

// bitmap draws a bitmap command or LCS, offsets small enough to keep the
// strings short.
func (g *Generator) bitmap() []string {
	k := g.key
	off := func() string { return g.pick([]string{"0", "1", "7", "8", "15", "31", "63", "100", "-1", "x"}) }
	unit := func() []string { return g.flags(0.3, cmd(g.pick([]string{"BYTE", "BIT", "bit", "NIBBLE"}))) }
	typ := func() string { return g.pick([]string{"u1", "u8", "i8", "u16", "i5", "u63", "i64", "u64", "x8"}) }
	switch g.rng.IntN(9) {
	case 0:
		return cmd("SETBIT", k(), off(), g.pick([]string{"0", "1", "1", "2"}))
	case 1:
		return cmd("GETBIT", k(), off())
	case 2:
		a := cmd("BITCOUNT", k())
		if g.chance(0.6) {
			a = append(append(a, g.pick(genRanges), g.pick(genRanges)), unit()...)
		}
		return a
	case 3:
		a := cmd("BITPOS", k(), g.pick([]string{"0", "1", "1", "2"}))
		if g.chance(0.6) {
			a = append(a, g.pick(genRanges))
			if g.chance(0.6) {
				a = append(append(a, g.pick(genRanges)), unit()...)
			}
		}
		return a
	case 4:
		op := g.pick([]string{"AND", "OR", "XOR", "NOT", "nand"})
		return append(cmd("BITOP", op, k()), g.some(3, func() []string { return []string{k()} })...)
	case 5, 6:
		name := g.pick([]string{"BITFIELD", "BITFIELD", "BITFIELD_RO"})
		return append(cmd(name, k()), g.some(3, func() []string {
			switch g.rng.IntN(4) {
			case 0:
				return cmd("GET", typ(), off())
			case 1:
				return cmd("SET", typ(), off(), g.pick(genInts))
			case 2:
				return cmd("INCRBY", typ(), "#"+g.pick([]string{"0", "1", "2"}), g.pick(genInts))
			default:
				return cmd("OVERFLOW", g.pick([]string{"WRAP", "SAT", "FAIL", "NONE"}))
			}
		})...)
	default:
		a := cmd("LCS", k(), k())
		return append(a, g.flags(0.3, cmd("LEN"), cmd("IDX"), cmd("MINMATCHLEN", g.pick([]string{"0", "1", "2", "-1"})), cmd("WITHMATCHLEN"))...)
	}
}

// runRandom runs steps commands of seed's Generator against both servers
// of a fresh Session, on one connection, and stops at the first reply that
// differs, reporting the seed, the step and the commands that led there.
// Now and then it wraps a few commands in MULTI/EXEC or, with lua, runs one
// through EVAL, so the same commands are also compared inside transactions
// and scripts (without lua, to look past a server's scripting while that is
// what differs).
func runRandom(t testing.TB, seed uint64, steps int, want, got Side, lua bool) {
	t.Helper()
	g := NewGenerator(seed)
	s := NewSession(t, want, got)
	defer s.Close()
	var history []string
	if seed%2 == 1 {
		// Odd seeds speak RESP3: maps, sets, doubles, nulls and pushes
		// in every reply type.
		if ex := s.Do(0, cmd("HELLO", "3")); len(ex.Got) == 0 || ex.Got[0] != '%' || len(ex.Want) == 0 || ex.Want[0] != '%' {
			t.Fatalf("HELLO 3: %q / %q", ex.Want, ex.Got)
		}
		history = append(history, "HELLO 3")
	}
	for i := 0; i < steps; {
		var batch []Command
		switch r := g.rng.IntN(40); {
		case r == 0:
			batch = append(batch, Command{Args: cmd("MULTI")})
			var exec Match // EXEC's reply holds the queued commands' replies
			for range 1 + g.rng.IntN(4) {
				c := g.Next()
				exec = exec.merge(c.Match)
				c.Match = Match{} // queued commands reply +QUEUED
				batch = append(batch, c)
			}
			batch = append(batch, Command{Args: cmd(g.pick([]string{"EXEC", "EXEC", "DISCARD"})), Match: exec})
		case r == 1 && lua:
			c := g.Next()
			batch = append(batch, Command{Args: luaCall(c.Args), Match: c.Match})
		default:
			batch = append(batch, g.Next())
		}
		for _, c := range batch {
			i++
			history = append(history, commandText(c.Args))
			ex := s.Do(0, c.Args)
			if !c.Match.Equal(ex.Want, ex.Got) {
				t.Errorf("seed %d, step %d: %s: replies differ\n\t%-6s %q\n\t%-6s %q\n%s\nrerun: go test ./internal/redisdiff -run 'TestRandom/seed=%d$'",
					seed, i, commandText(c.Args), want.Name+":", ex.Want, got.Name+":", ex.Got, formatHistory(history[:len(history)-1]), seed)
				return
			}
		}
	}
}

// luaCall wraps a command in an EVAL that runs it with redis.call and
// returns its reply, going through both reply conversions.
func luaCall(args []string) []string {
	var b strings.Builder
	b.WriteString("return redis.call(")
	for i := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("ARGV[" + strconv.Itoa(i+1) + "]")
	}
	b.WriteString(")")
	return append([]string{"EVAL", b.String(), "0"}, args...)
}

// formatHistory renders the commands before a mismatch, the last ones
// only when there are many.
func formatHistory(h []string) string {
	const keep = 40
	var b strings.Builder
	start := max(0, len(h)-keep)
	fmt.Fprintf(&b, "the %d commands before it", len(h)-start)
	if start > 0 {
		fmt.Fprintf(&b, " (of %d)", len(h))
	}
	b.WriteString(":")
	for i := start; i < len(h); i++ {
		fmt.Fprintf(&b, "\n\t%4d %s", i+1, h[i])
	}
	return b.String()
}

// Stream IDs and group names for the stream family: explicit IDs only,
// since "*" takes the server's clock, which differs between the sides.
var (
	genStreamIDs = []string{"0-1", "1", "1-1", "1-*", "2", "2-5", "3-*", "5", "7-0", "10-1", "0", "x", "18446744073709551615-18446744073709551615"}
	genRangeIDs  = []string{"-", "+", "0", "1-1", "(1-1", "2", "(5", "7", "10-1", "x"}
	genGroups    = []string{"g1", "g2", "nosuch"}
	genConsumers = []string{"alice", "bob", "carol"}
)

// stream draws a stream command: entries, trims, ranges, groups and their
// pending lists (times in replies are avoided or compared loosely).
func (g *Generator) stream() []string {
	k, id, rid := g.key, func() string { return g.pick(genStreamIDs) }, func() string { return g.pick(genRangeIDs) }
	field := func() []string { return []string{g.member(), g.pick(genValues)} }
	trim := func() []string {
		t := cmd(g.pick([]string{"MAXLEN", "MINID"}))
		if g.chance(0.4) {
			t = append(t, g.pick([]string{"~", "="}))
		}
		if t[0] == "MAXLEN" {
			return append(t, g.pick([]string{"0", "1", "2", "5", "-1", "x"}))
		}
		return append(t, id())
	}
	grp, cons := func() string { return g.pick(genGroups) }, func() string { return g.pick(genConsumers) }
	switch g.rng.IntN(16) {
	case 0, 1, 2, 3:
		a := cmd("XADD", k())
		if g.chance(0.1) {
			a = append(a, "NOMKSTREAM")
		}
		if g.chance(0.2) {
			a = append(a, trim()...)
		}
		return append(append(a, id()), g.some(3, field)...)
	case 4:
		return cmd("XLEN", k())
	case 5:
		a := cmd(g.pick([]string{"XRANGE", "XREVRANGE"}), k(), rid(), rid())
		if g.chance(0.3) {
			a = append(a, "COUNT", g.pick([]string{"0", "1", "2", "-1"}))
		}
		return a
	case 6:
		return append(cmd("XDEL", k()), g.some(2, func() []string { return []string{id()} })...)
	case 7:
		return append(cmd("XTRIM", k()), trim()...)
	case 8:
		a := cmd("XGROUP", "CREATE", k(), grp(), g.pick([]string{"$", "0", "1-1", "x"}))
		return append(a, g.flags(0.3, cmd("MKSTREAM"), cmd("ENTRIESREAD", g.pick([]string{"0", "1", "5", "-1"})))...)
	case 9:
		switch g.rng.IntN(4) {
		case 0:
			return cmd("XGROUP", "DESTROY", k(), grp())
		case 1:
			return cmd("XGROUP", "CREATECONSUMER", k(), grp(), cons())
		case 2:
			return cmd("XGROUP", "DELCONSUMER", k(), grp(), cons())
		default:
			return cmd("XGROUP", "SETID", k(), grp(), g.pick([]string{"$", "0", "2"}))
		}
	case 10, 11:
		a := cmd("XREADGROUP", "GROUP", grp(), cons())
		a = append(a, g.flags(0.3, cmd("COUNT", g.pick([]string{"1", "2"})), cmd("NOACK"))...)
		return append(a, "STREAMS", k(), g.pick([]string{">", ">", "0", "$"}))
	case 12:
		a := cmd("XREAD")
		if g.chance(0.3) {
			a = append(a, "COUNT", g.pick([]string{"1", "2"}))
		}
		return append(a, "STREAMS", k(), g.pick([]string{"0", "$", "1-1", "5"}))
	case 13:
		return append(cmd("XACK", k(), grp()), g.some(2, func() []string { return []string{id()} })...)
	case 14:
		return cmd("XPENDING", k(), grp())
	default:
		a := cmd("XSETID", k(), id())
		return append(a, g.flags(0.3, cmd("ENTRIESADDED", g.pick([]string{"0", "5", "100"})), cmd("MAXDELETEDID", id()))...)
	}
}

// geo draws a GEO command on the sorted-set keys: positions near each
// other (so searches find several), members shared with ZADD's (so odd
// scores get decoded), and options in any combination.
func (g *Generator) geo() []string {
	k, m := g.key, g.member
	lon := func() string { return g.pick([]string{"13.36", "13.4", "15.08", "15", "-0.1", "180", "181", "x"}) }
	lat := func() string { return g.pick([]string{"38.11", "38", "37.5", "37", "51.5", "85.05", "86", "-85"}) }
	unit := func() string { return g.pick([]string{"m", "km", "KM", "mi", "ft", "parsec"}) }
	radius := func() []string { return []string{g.pick([]string{"0", "1", "50", "200", "1000", "-1", "inf"}), unit()} }
	opts := func() []string {
		return g.flags(0.25, cmd("WITHDIST"), cmd("WITHCOORD"), cmd("WITHHASH"), cmd(g.pick([]string{"ASC", "DESC"})),
			cmd("COUNT", g.pick([]string{"1", "2", "0"})), cmd("ANY"))
	}
	switch g.rng.IntN(7) {
	case 0, 1:
		a := append(cmd("GEOADD", k()), g.flags(0.15, cmd("NX"), cmd("XX"), cmd("CH"))...)
		return append(a, g.some(3, func() []string { return []string{lon(), lat(), m()} })...)
	case 2:
		return append(cmd(g.pick([]string{"GEOPOS", "GEOHASH"}), k()), g.some(3, func() []string { return []string{m()} })...)
	case 3:
		a := cmd("GEODIST", k(), m(), m())
		if g.chance(0.5) {
			a = append(a, unit())
		}
		return a
	case 4:
		a := append(cmd("GEORADIUS", k(), lon(), lat()), radius()...)
		a = append(a, opts()...)
		if g.chance(0.2) {
			a = append(a, g.pick([]string{"STORE", "STOREDIST"}), k())
		}
		return a
	case 5:
		return append(append(cmd(g.pick([]string{"GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"}), k(), m()), radius()...), opts()...)
	default:
		a := cmd("GEOSEARCH", k())
		if g.chance(0.2) {
			a = cmd("GEOSEARCHSTORE", k(), k())
		}
		if g.chance(0.5) {
			a = append(a, "FROMMEMBER", m())
		} else {
			a = append(a, "FROMLONLAT", lon(), lat())
		}
		if g.chance(0.5) {
			a = append(append(a, "BYRADIUS"), radius()...)
		} else {
			a = append(a, "BYBOX", g.pick([]string{"100", "400", "0"}), g.pick([]string{"100", "400", "-1"}), unit())
		}
		a = append(a, opts()...)
		if a[0] == "GEOSEARCHSTORE" && g.chance(0.3) {
			a = append(a, "STOREDIST")
		}
		return a
	}
}
