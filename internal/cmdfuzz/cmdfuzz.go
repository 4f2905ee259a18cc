package cmdfuzz

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// MaxCommands is the most commands one input turns into.
const MaxCommands = 64

// Conns is the number of connections the commands are spread over, so
// that a command blocked on one can be served by another.
const Conns = 3

// A Generator turns bytes into commands of its table.
type Generator struct {
	full     []string   // each command's full lowercase name, as given to New
	names    [][]string // each command and subcommand, as the words that name it
	keywords []string
}

// A Command is one generated command and the connection it goes on.
type Command struct {
	Conn int // 0 to Conns-1
	Args []string
}

// New returns the generator of the commands with the full lowercase
// names ("get", "config|get"), in that order; tokens gives the option
// keywords of a command (its docs' argument tokens).
func New(names []string, tokens func(name string) []string) *Generator {
	g := &Generator{}
	seen := map[string]bool{}
	for _, name := range names {
		g.full = append(g.full, name)
		g.names = append(g.names, strings.Split(strings.ToUpper(name), "|"))
		for _, tok := range tokens(name) {
			seen[strings.ToUpper(tok)] = true
		}
	}
	// The words the node's parsers look for, a few of them missing from
	// the docs' tokens.
	for _, w := range strings.Fields("WITHSCORES WITHVALUES LIMIT BY GET STORE ASC DESC ALPHA COUNT MATCH TYPE " +
		"WEIGHTS AGGREGATE SUM MIN MAX LEFT RIGHT BEFORE AFTER NX XX GT LT CH INCR EX PX EXAT PXAT KEEPTTL PERSIST " +
		"REPLACE DB RANK MAXLEN BYSCORE BYLEX REV VERSION FILTERBY MODULE ACLCAT PATTERN SYNC ASYNC") {
		seen[w] = true
	}
	for w := range seen { //redsim:ordered sorted below
		g.keywords = append(g.keywords, w)
	}
	slices.Sort(g.keywords)
	return g
}

// Index is the position of the command named by words ("SETRANGE",
// "CONFIG GET") in the generator's list, -1 if it has none: the seeds
// of a particular command are built with it.
func (g *Generator) Index(words ...string) int {
	return slices.IndexFunc(g.names, func(n []string) bool { return slices.EqualFunc(n, words, strings.EqualFold) })
}

var (
	fuzzKeys    = []string{"k0", "k1", "k2", "{k}3", "*", "k0->f", "nosuch"}
	fuzzNumbers = []string{"0", "1", "-1", "2", "3", "5", "10", "100", "-100", "0.5", "-0", "1e3", "0.01"}
	fuzzHuge    = []string{"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"2147483647", "2147483648", "-2147483649", "4294967296", "536870912", "1e308", "-1e308", "1.7976931348623157e309",
		"inf", "-inf", "+inf", "nan", "4611686018427387904", "-4611686018427387905", "18446744073709551615"}
	fuzzValues  = []string{"", "a", "b", "x y", "\x00", "\r\n", strings.Repeat("x", 100), "[a", "(a", "-", "+", "(1", "[", "*a*", "#", "k*->f"}
	fuzzScripts = []string{"return 1", "return redis.call('get',KEYS[1])", "return redis.call('set',KEYS[1],ARGV[1])",
		"return redis.pcall(unpack(ARGV))", "redis.call('lpush',KEYS[1],'x') return redis.call('lrange',KEYS[1],0,-1)",
		"#!lua flags=no-writes\nreturn redis.call('get',KEYS[1])", "return redis.call(unpack(ARGV))"}
)

// reader hands out the input a byte at a time, then zeros.
type reader struct {
	data []byte
	i    int
}

func (r *reader) more() bool { return r.i < len(r.data) }

func (r *reader) next() int {
	if r.i >= len(r.data) {
		return 0
	}
	b := r.data[r.i]
	r.i++
	return int(b)
}

func (r *reader) pick(s []string) string { return s[r.next()%len(s)] }

// arg draws one argument.
func (g *Generator) arg(r *reader) string {
	switch r.next() % 8 {
	case 0, 1:
		return r.pick(fuzzKeys)
	case 2:
		return r.pick(fuzzNumbers)
	case 3:
		return r.pick(fuzzHuge)
	case 4:
		return r.pick(g.keywords)
	case 5:
		return r.pick(fuzzValues)
	case 6:
		return r.pick(fuzzScripts)
	default:
		n := r.next() % 16
		var b []byte
		for range n {
			b = append(b, byte(r.next()))
		}
		return string(b)
	}
}

// command draws a connection and a command.
func (g *Generator) command(r *reader) Command {
	conn := r.next() % Conns
	args := slices.Clone(g.names[(r.next()<<8|r.next())%len(g.names)])
	for range r.next() % 9 {
		args = append(args, g.arg(r))
	}
	return Command{Conn: conn, Args: args}
}

// Commands are the commands of data, at most MaxCommands.
func (g *Generator) Commands(data []byte) []Command {
	r := &reader{data: data}
	var out []Command
	for n := 0; r.more() && n < MaxCommands; n++ {
		out = append(out, g.command(r))
	}
	return out
}

// Seeds are inputs for each command of the table: with no arguments,
// with keys, with numbers and with keywords.
func (g *Generator) Seeds() [][]byte {
	var out [][]byte
	for i := range g.names {
		hi, lo := byte(i>>8), byte(i)
		out = append(out,
			[]byte{0, hi, lo, 0},
			[]byte{0, hi, lo, 3, 0, 0, 2, 1, 5, 1},
			[]byte{1, hi, lo, 4, 0, 1, 2, 0, 2, 2, 4, 3},
			[]byte{2, hi, lo, 5, 0, 0, 3, 0, 3, 1, 4, 7, 2, 3},
		)
	}
	return out
}

// Encode is an input that Commands turns into cmds: each command's words
// must name one of the generator's commands, and each argument must be
// one of its lists' (keys, numbers, keywords, values, scripts) or at
// most 15 bytes, written raw. Fuzzers seed themselves with the
// sequences they care about this way.
func (g *Generator) Encode(cmds []Command) ([]byte, error) {
	if len(cmds) > MaxCommands {
		return nil, fmt.Errorf("cmdfuzz: %d commands, at most %d", len(cmds), MaxCommands)
	}
	var b []byte
	for _, c := range cmds {
		if c.Conn < 0 || c.Conn >= Conns {
			return nil, fmt.Errorf("cmdfuzz: connection %d of %q, want 0 to %d", c.Conn, c.Args, Conns-1)
		}
		i, words := -1, 0
		for n := min(2, len(c.Args)); n > 0 && i < 0; n-- {
			i, words = g.Index(c.Args[:n]...), n
		}
		if i < 0 {
			return nil, fmt.Errorf("cmdfuzz: %q names no command of the generator", c.Args)
		}
		if len(g.names[i]) != words {
			return nil, fmt.Errorf("cmdfuzz: %q: %s takes a subcommand", c.Args, g.names[i][0])
		}
		args := c.Args[words:]
		if len(args) > 8 {
			return nil, fmt.Errorf("cmdfuzz: %q has %d arguments, at most 8", c.Args, len(args))
		}
		b = append(b, byte(c.Conn), byte(i>>8), byte(i), byte(len(args)))
		for _, a := range args {
			enc, ok := g.encodeArg(a)
			if !ok {
				return nil, fmt.Errorf("cmdfuzz: argument %q of %q is in no list and longer than 15 bytes", a, c.Args)
			}
			b = append(b, enc...)
		}
	}
	return b, nil
}

// encodeArg is the bytes that arg draws a, if any do.
func (g *Generator) encodeArg(a string) ([]byte, bool) {
	for kind, list := range [][]string{fuzzKeys, nil, fuzzNumbers, fuzzHuge, g.keywords, fuzzValues, fuzzScripts} {
		if j := slices.Index(list, a); j >= 0 && j < 256 {
			return []byte{byte(kind), byte(j)}, true
		}
	}
	if len(a) > 15 {
		return nil, false
	}
	return append([]byte{7, byte(len(a))}, a...), true
}

// A KeyRange says where a command's keys are, in COMMAND INFO's legacy
// terms: argument positions First to Last (counting the command's name
// as 0; a negative Last counts from the end) every Step; First 0 for
// none.
type KeyRange struct{ First, Last, Step int }

// RandomInput is an input of n commands drawn with rng: random commands
// whose arguments are keys where keys(name) puts them and random
// elsewhere. The fuzzer's seeds are such inputs: mutations of a command
// that finds its key where it looks for one reach further than those of
// one that fails at its first argument.
func (g *Generator) RandomInput(rng *rand.Rand, n int, keys func(name string) KeyRange) []byte {
	var b []byte
	for range n {
		i := rng.IntN(len(g.names))
		kr := keys(g.full[i])
		nargs := rng.IntN(7)
		b = append(b, byte(rng.IntN(Conns)), byte(i>>8), byte(i), byte(nargs))
		for j := range nargs {
			pos := len(g.names[i]) + j
			last := kr.Last
			if last < 0 {
				last += len(g.names[i]) + nargs
			}
			if kr.First > 0 && kr.Step > 0 && pos >= kr.First && pos <= last && (pos-kr.First)%kr.Step == 0 {
				// Mostly the keys every type shares, so that values grow.
				b = append(b, byte(8*rng.IntN(32)), byte(rng.IntN(3)+len(fuzzKeys)*rng.IntN(2)*rng.IntN(8)))
				continue
			}
			kind := rng.IntN(8)
			b = append(b, byte(kind+8*rng.IntN(32)))
			if kind == 7 {
				m := rng.IntN(16)
				b = append(b, byte(m))
				for range m {
					b = append(b, byte(rng.Uint32()))
				}
				continue
			}
			b = append(b, byte(rng.Uint32()))
		}
	}
	return b
}
