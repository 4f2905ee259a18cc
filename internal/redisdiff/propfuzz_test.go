package redisdiff

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/cmdfuzz"
	"github.com/redsim/redsim/nodes/resp"
)

// FuzzPropagation is FuzzDifferential with a replica's view of each
// server: after every command, and after the input's last, both servers
// INCR a barrier key and what each propagated since the last barrier (to
// its replicas, and so to its AOF) must be the same command for command,
// but for the absolute times a server puts in what it propagates
// (samePropagatedArgs). The replies are compared as FuzzDifferential
// compares them. Run it with
//
//	go test ./internal/redisdiff -run '^$' -fuzz 'FuzzPropagation$' -fuzztime 300s
//
// Without -fuzz it runs FuzzDifferential's seeds (see there) and the
// inputs that once found a difference (testdata/fuzz/FuzzPropagation).
//
// Each server's active expiry is off (DEBUG SET-ACTIVE-EXPIRE 0): the DEL
// of a key that its cron samples comes at a time of its own. Keys that
// expire are still deleted, and that propagated, when a command reaches
// them.
func FuzzPropagation(f *testing.F) {
	want := Side{Name: "redis", Addr: StartRedis(f)}
	got := Side{Name: "node", Addr: startNode(f)}
	df := newDiffFuzzer(f, want, got)
	df.prop = newPropWatch(f, df)
	// ROLE lists the replication offset, which the master's PING to its
	// replicas moves every repl-ping-replica-period, at a time of each
	// server's own.
	df.match["role"] = Match{Shape: true}
	for _, seed := range append(append(propSeeds(f, df.gen), df.seeds()...), df.gen.Seeds()...) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		df.run(t, data)
	})
}

// propSequences are the seeds of FuzzPropagation beyond FuzzDifferential's:
// sequences of the commands that Redis rewrites as it propagates them
// (relative times made absolute, floats made SETs, blocking pops served
// as plain ones, expired keys deleted, script effects in MULTI), each
// line "CONN COMMAND ARG..." (arguments without spaces; S1 to S4 stand
// for the generator's scripts).
var propSequences = [][]string{
	{"0 SET k0 v EX 100", "0 SET k1 v PX 100000", "0 SET k2 v EXAT 2000000000", "0 SET k0 w KEEPTTL",
		"0 SET k0 v GET EX 10", "0 SETEX k1 100 v", "0 PSETEX k2 100000 v", "0 GETEX k0 EX 100",
		"0 GETEX k0 PERSIST", "0 GETEX k1 PXAT 2000000000000", "0 GETEX k2 EXAT 1", "0 SET k0 v NX GET"},
	{"0 SET k0 v", "0 EXPIRE k0 100", "0 PEXPIRE k0 100000 GT", "0 EXPIREAT k0 2000000000 NX",
		"0 PEXPIREAT k0 2000000000000", "0 PERSIST k0", "0 EXPIRE k0 -1", "0 SET k1 v", "0 EXPIRE k1 0"},
	{"0 SET k0 v", "0 EXPIRE k0 -1", "0 SET k1 v PX 1", "1 GET k1", "2 EXISTS k1", "0 SET k2 v", "0 DEL k2"},
	{"0 SET k0 1 EX 100", "0 INCRBYFLOAT k0 1.5", "0 INCRBYFLOAT k0 0.5", "0 HINCRBYFLOAT k1 f 1.5",
		"0 HINCRBYFLOAT k1 f -0.5", "0 INCRBYFLOAT k2 1e3", "0 SET k0 v", "0 INCRBYFLOAT k0 1"},
	{"1 BLPOP k0 0", "2 BLMOVE k1 k2 LEFT RIGHT 0", "0 LPUSH k0 a b", "0 RPUSH k1 c d",
		"1 BRPOPLPUSH k2 k0 0", "0 LMPOP 1 k0 RIGHT COUNT 2", "1 BLMPOP 0 1 k2 LEFT", "0 RPUSH k2 x"},
	{"1 BZPOPMIN k0 0", "0 ZADD k0 1 a 2 b 3 c", "0 ZMPOP 1 k0 MAX", "2 BZMPOP 0 1 k1 MIN COUNT 2",
		"0 ZADD k1 1 a 2 b", "0 ZPOPMAX k0", "1 BZPOPMAX k0 k1 0"},
	{"0 XADD k0 * f v", "0 XGROUP CREATE k0 g 0", "0 XREADGROUP GROUP g c COUNT 1 STREAMS k0 >",
		"0 XAUTOCLAIM k0 g c2 0 0", "0 XCLAIM k0 g c3 0 0-1", "1 XREADGROUP GROUP g c BLOCK 0 STREAMS k0 >",
		"0 XADD k0 * f w", "0 XACK k0 g 0-1", "0 XSETID k0 9999999999999-0", "0 XTRIM k0 MAXLEN 0"},
	{"0 EVAL S1 1 k0 v", "0 EVAL S2 0 SET k1 v EX 100", "0 EVAL S4 1 k2", "0 EVAL S3 0 EXPIRE k0 100",
		"0 EVAL S2 0 INCRBYFLOAT k1 1", "0 EVALSHA_RO 0 0"},
	{"0 MULTI", "0 SET k0 v EX 10", "0 INCR k1", "0 GETEX k0 PERSIST", "0 EXEC",
		"1 MULTI", "1 GET k0", "1 EXEC"},
	{"0 SELECT 1", "0 SET k0 v", "1 SET k0 v", "0 MOVE k0 0", "0 SWAPDB 0 1", "2 COPY k0 k1 DB 1",
		"0 FLUSHDB", "1 GETDEL k0", "1 RENAME k1 k2"},
	{"0 RPUSH k0 3 1 2", "0 SORT k0 STORE k1", "0 SADD k2 a b", "0 SINTERSTORE k1 k2 k2",
		"0 SMOVE k2 k0 a", "0 LMOVE k1 k0 LEFT LEFT", "0 ZUNIONSTORE k1 1 k2"},
	{"0 GEOADD k0 13.36 38.11 a", "0 GEOADD k0 15.08 37.50 b", "0 GEORADIUS k0 15 37 200 km STORE k1",
		"0 GEOSEARCHSTORE k2 k0 FROMMEMBER a BYRADIUS 300 km", "0 PFADD k1 a", "0 PFADD k2 a",
		"0 PFCOUNT k2", "0 PFCOUNT k2"},
	{"0 SET k0 v", "0 APPEND k0 w", "0 SETRANGE k0 10 x", "0 SETBIT k1 7 1", "0 BITOP NOT k2 k1",
		"0 HSET k1 f v", "0 LPUSH k2 a", "0 HSETNX k2 f v", "0 UNLINK k0 k1", "0 FLUSHALL ASYNC"},
}

// propSeeds encodes propSequences for g.
func propSeeds(tb testing.TB, g *cmdfuzz.Generator) [][]byte {
	tb.Helper()
	scripts := map[string]string{
		"S1": "return redis.call('set',KEYS[1],ARGV[1])",
		"S2": "return redis.pcall(unpack(ARGV))",
		"S3": "return redis.call(unpack(ARGV))",
		"S4": "redis.call('lpush',KEYS[1],'x') return redis.call('lrange',KEYS[1],0,-1)",
	}
	var out [][]byte
	for _, seq := range propSequences {
		var cmds []cmdfuzz.Command
		for _, line := range seq {
			f := strings.Fields(line)
			conn, err := strconv.Atoi(f[0])
			if err != nil {
				tb.Fatalf("propSequences: %q: %v", line, err)
			}
			for i, a := range f {
				if s, ok := scripts[a]; ok {
					f[i] = s
				}
			}
			cmds = append(cmds, cmdfuzz.Command{Conn: conn, Args: f[1:]})
		}
		data, err := g.Encode(cmds)
		if err != nil {
			tb.Fatalf("propSequences: %v", err)
		}
		out = append(out, data)
	}
	return out
}

// propExcludedConfig are the parameters that CONFIG SET may not change
// under FuzzPropagation: they would end or stall the harness's replica
// link (its output buffer limit, the timeout of a replica that acks
// nothing, the snapshot it would need to reconnect).
var propExcludedConfig = []string{"client-output-buffer-limit", "repl-timeout", "repl-backlog-size", "repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas"}

// propWatch holds a replica link to each server (want, got).
type propWatch struct {
	df      *diffFuzzer
	streams [2]*replStream
}

func newPropWatch(tb testing.TB, df *diffFuzzer) *propWatch {
	tb.Helper()
	p := &propWatch{df: df}
	for i, side := range []Side{df.want, df.got} {
		for _, cmd := range [][]string{
			{"CONFIG", "SET", "repl-diskless-sync-delay", "0"},
			{"DEBUG", "SET-ACTIVE-EXPIRE", "0"},
		} {
			if r, err := df.ctl[i].DoStrings(cmd...); err != nil || string(r) != "+OK\r\n" {
				tb.Fatalf("redisdiff: %s: %s: %q %v", side.Name, commandText(cmd), r, err)
			}
		}
		p.streams[i] = openReplStream(tb, side.Addr)
	}
	p.step(tb)
	return p
}

// step INCRs the barrier key on both servers and returns what each
// propagated before it; then it acks offset 0 on each link, as a replica
// does, so that neither master times the link out (and none counts the
// harness for WAIT).
func (p *propWatch) step(tb testing.TB) (prop [2][]string) {
	tb.Helper()
	for i, side := range []Side{p.df.want, p.df.got} {
		if r, err := p.df.ctl[i].DoStrings("INCR", barrierKey); err != nil || len(r) == 0 || r[0] != ':' {
			tb.Fatalf("redisdiff: %s: INCR %s: %q %v", side.Name, barrierKey, r, err)
		}
		prop[i] = p.streams[i].until(tb)
		_ = p.streams[i].nc.SetWriteDeadline(time.Now().Add(ReplyTimeout))
		if _, err := p.streams[i].nc.Write(resp.AppendCommandStrings(nil, "REPLCONF", "ACK", "0")); err != nil {
			tb.Fatalf("redisdiff: %s: acking on the replica link: %v", side.Name, err)
		}
	}
	return prop
}

// compare takes a step and renders a difference in what was propagated,
// or "".
func (p *propWatch) compare(tb testing.TB, history []string) string {
	prop := p.step(tb)
	if samePropagatedCommands(prop[0], prop[1]) {
		return ""
	}
	return fmt.Sprintf("after\n\t%s\nthe servers propagated\n\t%s:\n\t\t%s\n\t%s:\n\t\t%s",
		strings.Join(history, "\n\t"), p.df.want.Name, strings.Join(prop[0], "\n\t\t"), p.df.got.Name, strings.Join(prop[1], "\n\t\t"))
}

// samePropagatedCommands compares two lists of propagated commands
// argument by argument (samePropagatedArgs).
func samePropagatedCommands(want, got []string) bool {
	return sameCommands(want, got, func(w, g []string, j int) bool { return samePropagatedArgs(w[j], g[j]) })
}

// samePropagatedArgs says whether two arguments are equal, but for the
// server's clock in them: a Unix time in milliseconds (SET's PXAT,
// PEXPIREAT, XCLAIM's TIME, RESTORE's ABSTTL), alone or as a stream ID's
// first part (XADD *), may differ by up to five seconds, since a command
// reaches the two servers at different instants (a loaded machine stalls
// one of them for seconds; a unit mix-up is a factor of 1000).
func samePropagatedArgs(w, g string) bool {
	if w == g {
		return true
	}
	wms, wseq, wid := splitTimeArg(w)
	gms, gseq, gid := splitTimeArg(g)
	if wms == 0 || gms == 0 || wid != gid || wms-gms > 5000 || gms-wms > 5000 {
		return false
	}
	// In the same millisecond the sequence numbers may differ by one: the
	// previous XADD * may have fallen in that millisecond on one server
	// and in the one before on the other.
	return wms != gms || wseq-gseq <= 1 && gseq-wseq <= 1
}

// splitTimeArg parses a as a Unix time in milliseconds (from 2001 to
// 2286), or a stream ID whose first part is one; ms is 0 otherwise.
func splitTimeArg(a string) (ms, seq int64, id bool) {
	head, tail, id := strings.Cut(a, "-")
	ms, err := strconv.ParseInt(head, 10, 64)
	if err != nil || ms < 1e12 || ms >= 1e13 {
		return 0, 0, false
	}
	if id {
		if seq, err = strconv.ParseInt(tail, 10, 64); err != nil || seq < 0 {
			return 0, 0, false
		}
	}
	return ms, seq, id
}

func TestSamePropagatedArgs(t *testing.T) {
	for _, c := range []struct {
		w, g string
		same bool
	}{
		{"k", "k", true},
		{"k", "v", false},
		{"1733300000000", "1733300000999", true},
		{"1733300000000", "1733300004000", true},
		{"1733300000000", "1733300006000", false},
		{"1733300000000-0", "1733300000001-0", true},
		{"1733300000000-0", "1733300000000-1", true},
		{"1733300000000-0", "1733300000000-2", false},
		{"1733300000000-0", "1733300000000", false},
		{"100", "101", false},
		{"100-0", "101-0", false},
	} {
		if got := samePropagatedArgs(c.w, c.g); got != c.same {
			t.Errorf("samePropagatedArgs(%q, %q) = %v, want %v", c.w, c.g, got, c.same)
		}
	}
}
