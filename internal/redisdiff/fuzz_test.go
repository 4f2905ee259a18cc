package redisdiff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/cmdfuzz"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
)

// FuzzDifferential sends the commands of FuzzCommands' generator (every
// command of the node's table, arguments from the input) to the node and
// to a real redis-server, from the same empty state, and requires the
// same replies, but for what cannot match by nature (diffExcluded,
// diffFuzzer.match). Run it with
//
//	go test ./internal/redisdiff -run '^$' -fuzz FuzzDifferential -fuzztime 300s
//
// Without -fuzz it runs its seeds: seeded random sequences, every command
// with a few typical argument lists (the generator's seeds), and the inputs
// that once found a difference (testdata/fuzz/FuzzDifferential). Without a
// redis-server it is skipped, or fails under CI=true.
func FuzzDifferential(f *testing.F) {
	want := Side{Name: "redis", Addr: StartRedis(f)}
	got := Side{Name: "node", Addr: startNode(f)}
	df := newDiffFuzzer(f, want, got)
	for _, seed := range append(df.seeds(), df.gen.Seeds()...) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		df.run(t, data)
	})
}

// seeds are random inputs from fixed seeds: 300 sequences of random
// commands with their keys where the command table's key specs put them,
// and 100 of bytes alone.
func (df *diffFuzzer) seeds() [][]byte {
	tbl := redis.NewCommandTable()
	keys := func(name string) cmdfuzz.KeyRange {
		kr, _ := tbl.KeyRange(name)
		return cmdfuzz.KeyRange{First: kr.First, Last: kr.Last, Step: kr.Step}
	}
	var out [][]byte
	for seed := range uint64(400) {
		if testing.Short() && seed%4 != 0 {
			continue // a quarter of them for the inner loop
		}
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		if seed < 300 {
			out = append(out, df.gen.RandomInput(rng, 4+rng.IntN(20), keys))
			continue
		}
		b := make([]byte, 32+rng.IntN(160))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		out = append(out, b)
	}
	return out
}

// diffExcluded says why the differential fuzzer never sends a command:
// what it does or replies cannot be the same on two servers, or would
// end the run. Commands that only reply differently are compared in a
// weaker way instead (diffFuzzer.match).
var diffExcluded = map[string]string{
	"shutdown":  "ends the server",
	"debug":     "DEBUG SLEEP holds the server, RELOAD and JMAP differ by nature, SET-ACTIVE-EXPIRE outlives the input",
	"replicaof": "makes the server a replica of an unreachable master",
	"slaveof":   "makes the server a replica of an unreachable master",
	"sync":      "turns the connection into a replica's",
	"psync":     "turns the connection into a replica's",
	"monitor":   "every later command, with a timestamp, on the connection",
	"failover":  "FAILOVER TO host port talks to whatever listens there",
	"migrate":   "connects to the host and port of its arguments",
	// The node has no Lua debugger (LDB): after SCRIPT DEBUG YES or SYNC,
	// Redis runs the connection's next script under it.
	"script|debug": "starts the Lua debugger, which the node does not model",
	// State that diverges: what SPOP removes is random.
	"spop": "removes random members; the sets then differ",
	// Timing: a background child ends at a time of its own, and "already
	// in progress" depends on it.
	"bgsave":       "its child's end decides later replies",
	"bgrewriteaof": "its child's end decides later replies",
	// Connections: ids and addresses differ between the servers.
	"client|kill":  "ids and addresses differ; it would also kill the harness's control connection",
	"client|pause": "holds every client for wall-clock time; which commands it catches depends on timing",
	"pfselftest":   "a fraction of a second of register checks, the same each time",
	// Memory figures are jemalloc's in Redis and estimates in the node.
	"memory|usage":        "jemalloc's allocation sizes",
	"memory|stats":        "jemalloc's allocation sizes",
	"memory|doctor":       "jemalloc's allocation sizes",
	"memory|malloc-stats": "jemalloc's own report",
	"object|idletime":     "seconds since the last access, which ticks between the servers",
	"object|freq":         "a logarithmic counter decayed by time",
	"slowlog|get":         "what is logged depends on how long commands took",
	"latency|latest":      "what is logged depends on how long commands took",
	"latency|history":     "what is logged depends on how long commands took",
	"latency|doctor":      "what is logged depends on how long commands took",
	"latency|graph":       "what is logged depends on how long commands took",
	"latency|histogram":   "per-command latency distributions",
}

// diffConfigExcluded are the parameters CONFIG SET may not change: they
// change the process (its port, directory, files, children) rather than
// what commands reply.
var diffConfigExcluded = []string{"port", "bind", "dir", "dbfilename", "save", "appendonly", "appendfilename",
	"maxmemory", "maxmemory-clients", "oom-score-adj", "oom-score-adj-values", "tls-port", "logfile", "pidfile"}

// diffConfigMasked are the parameters whose CONFIG GET values differ by
// nature between the two servers (CONFIG GET replies are compared
// without them; loglevel: the oracle is started with warning; cluster-port:
// in cluster mode each server has a bus port of its own).
var diffConfigMasked = []string{"port", "dir", "pidfile", "logfile", "unixsocket", "bind", "dbfilename", "loglevel", "cluster-port"}

// diffFuzzer runs inputs against two servers.
type diffFuzzer struct {
	want, got Side
	gen       *cmdfuzz.Generator
	// match is how each command's replies are compared, by full name,
	// from the COMMAND INFO tips of the oracle.
	match map[string]Match
	// ctl are the control connections (want, got): the harness's own,
	// under a user of its own, never given a fuzzed command.
	ctl [2]*Conn
	// config is each server's CONFIG GET * at the start (want, got).
	config [2]map[string]string
	// noScripts: the servers cache no script and hold no function (the
	// last run's closing reset found them so or flushed them); a reset
	// then skips SCRIPT FLUSH, which builds a new Lua state on each.
	noScripts bool
	// cluster: both servers run in cluster mode as a master alone that
	// owns every slot (FuzzClusterDifferential); clusterExcluded applies
	// too, and a reset gives the master every slot again.
	cluster bool
	// prop: the replica links of FuzzPropagation, which compares what
	// each command propagated; nil for the other fuzzers.
	prop *propWatch
	// sentinel: both servers are sentinels (FuzzSentinelDifferential),
	// whose exclusions, resets and normalization of replies replace
	// those above; nil for the other fuzzers.
	sentinel *sentinelMode
}

func newDiffFuzzer(tb testing.TB, want, got Side) *diffFuzzer {
	tb.Helper()
	tbl := redis.NewCommandTable()
	var names []string
	for _, n := range tbl.Names() {
		if _, ok := diffExcluded[n]; !ok {
			names = append(names, n)
		}
	}
	df := &diffFuzzer{want: want, got: got, gen: cmdfuzz.New(names, tbl.Tokens), match: map[string]Match{}}
	for i, side := range []Side{want, got} {
		c, err := Dial(side.Addr)
		if err != nil {
			tb.Fatalf("redisdiff: %s: %v", side.Name, err)
		}
		tb.Cleanup(func() { _ = c.nc.Close() })
		for _, cmd := range [][]string{
			{"ACL", "SETUSER", "redisdiff-control", "on", ">redisdiff", "~*", "&*", "+@all"},
			{"AUTH", "redisdiff-control", "redisdiff"},
		} {
			if r, err := c.DoStrings(cmd...); err != nil || string(r) != "+OK\r\n" {
				tb.Fatalf("redisdiff: %s: %s: %q %v", side.Name, commandText(cmd), r, err)
			}
		}
		df.ctl[i] = c
		r, err := c.DoStrings("CONFIG", "GET", "*")
		v, ok := parseReply(r)
		if err != nil || !ok {
			tb.Fatalf("redisdiff: %s: CONFIG GET *: %q %v", side.Name, r, err)
		}
		df.config[i] = map[string]string{}
		for j := 0; j+1 < len(v.Elems); j += 2 {
			df.config[i][string(v.Elems[j].Str)] = string(v.Elems[j+1].Str)
		}
	}
	for _, n := range tbl.Names() {
		r, err := df.ctl[0].DoStrings("COMMAND", "INFO", n)
		v, ok := parseReply(r)
		if err != nil || !ok || len(v.Elems) != 1 {
			tb.Fatalf("redisdiff: COMMAND INFO %s: %q %v", n, r, err)
		}
		if len(v.Elems[0].Elems) < 8 {
			continue // a command the oracle lacks
		}
		df.match[n] = tipsMatch(v.Elems[0])
	}
	// Times in the replies tick between the servers: a command reaches
	// them microseconds apart, which may straddle a second or a few ms.
	df.match["ttl"] = Match{Within: 1}
	df.match["expiretime"] = Match{Within: 1}
	df.match["pttl"] = Match{Within: 50}
	df.match["pexpiretime"] = Match{Within: 50}
	// COMMAND lists the table in the order of Redis's dict.
	df.match["command"] = Match{Shape: true}
	// PUBSUB CHANNELS and SHARDCHANNELS list a dict too (seeded at
	// random per process), and have no tip that says so.
	df.match["pubsub|channels"] = Match{Sort: true}
	df.match["pubsub|shardchannels"] = Match{Sort: true}
	// HELLO's map holds the connection's id, as CLIENT ID and CLIENT
	// GETREDIR (ids count the harness's connections too); ACL LOG's
	// entries their age; ACL GENPASS is random. None has Redis's tip.
	df.match["hello"] = Match{Shape: true}
	df.match["client|id"] = Match{Shape: true}
	df.match["client|getredir"] = Match{Shape: true}
	df.match["acl|genpass"] = Match{Shape: true}
	df.match["acl|log"] = Match{Shape: true}
	return df
}

// tipsMatch is how the replies of a command compare, by the tips of its
// entry of the oracle's COMMAND INFO (which has them eighth).
func tipsMatch(info resp.Value) Match {
	var m Match
	if len(info.Elems) < 8 {
		return m
	}
	for _, tip := range info.Elems[7].Elems {
		switch string(tip.Str) {
		case "nondeterministic_output":
			m.Shape = true
		case "nondeterministic_output_order":
			m.Sort = true
		}
	}
	return m
}

// fullName is the table's name of the command args ("get",
// "config|get"), or "" for one the table does not have.
func fullName(args []string, match map[string]Match) string {
	name := strings.ToLower(args[0])
	if len(args) > 1 {
		if sub := name + "|" + strings.ToLower(args[1]); match[sub] != (Match{}) || hasName(match, sub) {
			return sub
		}
	}
	return name
}

func hasName(match map[string]Match, name string) bool { _, ok := match[name]; return ok }

// excluded says why args must not be sent, or "".
func (df *diffFuzzer) excluded(args []string) string {
	name := fullName(args, df.match)
	if df.sentinel != nil {
		return sentinelExcludedArgs(name, args)
	}
	if why, ok := diffExcluded[name]; ok {
		return why
	}
	if why, ok := clusterExcluded[name]; ok && df.cluster {
		return why
	}
	if name == "config|set" {
		for i := 2; i < len(args); i += 2 {
			if slices.Contains(diffConfigExcluded, strings.ToLower(args[i])) || strings.HasPrefix(strings.ToLower(args[i]), "tls-") {
				return "CONFIG SET " + args[i] + " changes the process"
			}
			if df.prop != nil && slices.Contains(propExcludedConfig, strings.ToLower(args[i])) {
				return "CONFIG SET " + args[i] + " would end or stall the replica link"
			}
		}
	}
	return ""
}

// diffPair is one connection to each server, as a fuzzed command sees it.
type diffPair struct {
	c [2]*Conn
	// blocked: the last command has not replied yet on either server (a
	// blocking command, CLIENT REPLY OFF); its replies are read as they
	// come, and the connection is dropped before its next command.
	blocked bool
	cmd     []string // the command whose reply is owed
	// pushes: the connection may get replies no command asked for (it
	// subscribed, or tracks keys), or several replies to one command
	// ((UN)SUBSCRIBE and kin reply once per channel). They are read and
	// compared after each command, so that each reply is compared as the
	// command it belongs to says.
	pushes bool
	// multi: a MULTI is open on both; queued are the commands both
	// queued since.
	multi  bool
	queued [][]string
}

// pushWait is how long the fuzzer waits for a pushed reply on a
// connection that may get one, after each command.
const pushWait = 2 * time.Millisecond

// pushCommands are those after which a connection may get pushed
// replies, or several replies to one command.
var pushCommands = []string{"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "client|tracking", "hello"}

// A diffRun is one input's run against both servers.
type diffRun struct {
	df      *diffFuzzer
	conns   [cmdfuzz.Conns]*diffPair
	history []string
	configs []string // parameters CONFIG SET may have changed
	acl     bool     // an ACL command ran
	scripts bool     // a command that may cache a script or load a function ran
	// slots: a CLUSTER command that may change the slots ran (cluster
	// mode); setslots are the slots CLUSTER SETSLOT named.
	slots    bool
	setslots []string
}

// blockWait is how long a command may go without a reply from either
// server before the fuzzer takes it as blocked on both.
const blockWait = 50 * time.Millisecond

// run runs data: on a mismatch it runs it twice more, and fails only if
// the difference shows every time. What changes with a few microseconds
// (a key expiring between the two servers' turns) is not a finding.
func (df *diffFuzzer) run(t *testing.T, data []byte) {
	cmds := df.gen.Commands(data)
	var first string
	for try := range 3 {
		msg := df.runOnce(t, cmds)
		if msg == "" {
			if try > 0 {
				t.Logf("a difference that did not come back (timing):\n%s", first)
			}
			return
		}
		if try == 0 {
			first = msg
		}
	}
	t.Fatal(first)
}

// runOnce runs cmds from empty servers and returns the first difference,
// or "".
func (df *diffFuzzer) runOnce(t *testing.T, cmds []cmdfuzz.Command) (msg string) {
	r := &diffRun{df: df}
	if df.sentinel == nil {
		df.reset(t, nil, false, !df.noScripts, nil, nil)
		df.noScripts = false
	}
	if df.prop != nil {
		df.prop.step(t) // what the resets propagated
	}
	defer func() {
		if df.sentinel != nil {
			// A sentinel is reset after each input only, and restarted
			// after a difference.
			df.sentinel.reset(t, df, r, msg != "")
			r.close()
			return
		}
		var slots []string
		if r.slots {
			slots = append([]string{}, r.setslots...)
		}
		df.reset(t, r.configs, r.acl, r.scripts, slots, r.history)
		df.noScripts = true // reset fails the test otherwise
		r.close()
	}()
	for _, c := range cmds {
		if df.excluded(c.Args) != "" {
			continue
		}
		name := fullName(c.Args, df.match)
		switch {
		case name == "config|set":
			for i := 2; i < len(c.Args); i += 2 {
				r.configs = append(r.configs, strings.ToLower(c.Args[i]))
			}
		case strings.HasPrefix(name, "acl"), name == "auth", name == "hello":
			r.acl = true
		case strings.HasPrefix(name, "eval"), strings.HasPrefix(name, "script"), strings.HasPrefix(name, "function"):
			r.scripts = true
		case strings.HasPrefix(name, "cluster|"):
			r.slots = true
			if name == "cluster|setslot" && len(c.Args) > 2 {
				r.setslots = append(r.setslots, c.Args[2])
			}
		}
		if df.sentinel != nil {
			df.sentinel.note(name, c.Args)
		}
		if msg := r.do(c.Conn, c.Args); msg != "" {
			return msg
		}
		if df.prop != nil {
			if msg := df.prop.compare(t, r.history); msg != "" {
				return msg
			}
		}
	}
	for i := range r.conns {
		if msg := r.poll(i, 20*time.Millisecond); msg != "" {
			return msg
		}
	}
	if df.prop != nil {
		return df.prop.compare(t, r.history)
	}
	return ""
}

// do sends args on connection n of both servers and compares the replies.
func (r *diffRun) do(n int, args []string) string {
	p := r.conns[n]
	if p != nil && p.blocked {
		if msg := r.poll(n, 0); msg != "" {
			return msg
		}
		if p.blocked {
			r.drop(n)
		}
	}
	p = r.pair(n)
	text := commandText(args)
	r.history = append(r.history, fmt.Sprintf("[%d] %s", n, text))
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	var sendErr [2]error
	for i := range 2 {
		sendErr[i] = p.c[i].Send(bs...)
	}
	w, g, ok := receivePair(p, sendErr, blockWait)
	switch {
	case !ok:
		p.blocked, p.cmd = true, args
	case unsubscribeAll(args):
		if msg := r.compareUnsubscribeAll(p, args, w, g); msg != "" {
			return msg
		}
	case strings.EqualFold(args[0], "exec") && len(args) == 1 && r.compareExec(p, args, w, g):
	default:
		if msg := r.compare(args, w, g); msg != "" {
			return msg
		}
	}
	r.trackMulti(p, args, w, g, ok)
	p.pushes = p.pushes || slices.Contains(pushCommands, fullName(args, r.df.match))
	// Replies to blocked commands that this one may have served, and
	// pushed ones.
	for i := range r.conns {
		if i != n {
			if msg := r.poll(i, 0); msg != "" {
				return msg
			}
		}
		if msg := r.drain(i); msg != "" {
			return msg
		}
	}
	return ""
}

// trackMulti keeps the commands a transaction queued on p, so that EXEC's
// replies are compared each as its own command's are (a COMMAND DOCS
// queued lists the table in each server's dict order, as it does alone).
func (r *diffRun) trackMulti(p *diffPair, args []string, w, g []byte, ok bool) {
	name := strings.ToLower(args[0])
	switch {
	case !ok:
	case name == "multi" && string(w) == "+OK\r\n" && string(g) == "+OK\r\n":
		p.multi, p.queued = true, nil
	case name == "exec" || name == "discard" || name == "reset":
		p.multi, p.queued = false, nil
	case p.multi && string(w) == "+QUEUED\r\n" && string(g) == "+QUEUED\r\n":
		p.queued = append(p.queued, args)
	}
}

// compareExec compares EXEC's replies element by element with the rules
// of the commands queued, when both servers ran every one of them; it
// reports whether it did (and found them equal), and otherwise leaves
// the replies to be compared whole.
func (r *diffRun) compareExec(p *diffPair, args []string, w, g []byte) bool {
	if !p.multi || len(p.queued) == 0 {
		return false
	}
	wv, okw := parseReply(w)
	gv, okg := parseReply(g)
	if !okw || !okg || wv.Kind != resp.KindArray || gv.Kind != resp.KindArray ||
		len(wv.Elems) != len(p.queued) || len(gv.Elems) != len(p.queued) {
		return false
	}
	for i, q := range p.queued {
		if r.compare(q, resp.AppendValue(nil, wv.Elems[i]), resp.AppendValue(nil, gv.Elems[i])) != "" {
			return false
		}
	}
	return true
}

// unsubscribeAll says whether args unsubscribe from every channel or
// pattern: a reply per channel, in the order of the client's dict, which
// Redis seeds at random.
func unsubscribeAll(args []string) bool {
	switch strings.ToLower(args[0]) {
	case "unsubscribe", "punsubscribe", "sunsubscribe":
		return len(args) == 1
	}
	return false
}

// compareUnsubscribeAll reads the replies of an unsubscribeAll command
// after its first (w, g) and compares them but for their order: the
// counts in sequence, the channels as sets.
func (r *diffRun) compareUnsubscribeAll(p *diffPair, args []string, w, g []byte) string {
	ws, gs := [][]byte{w}, [][]byte{g}
	for p.c[0] != nil {
		w, g, ok := receivePair(p, [2]error{}, pushWait)
		if !ok {
			break
		}
		ws, gs = append(ws, w), append(gs, g)
	}
	channels := func(replies [][]byte) (masked []byte, names []string) {
		for _, raw := range replies {
			v, ok := parseReply(raw)
			if ok && isAggregate(v.Kind) && len(v.Elems) == 3 {
				names = append(names, string(v.Elems[1].Str)+"/"+string(v.Elems[1].Kind))
				v.Elems[1] = resp.Value{Kind: resp.KindBulk, Str: []byte("<channel>")}
				raw = resp.AppendValue(nil, v)
			}
			masked = append(masked, raw...)
		}
		slices.Sort(names)
		return masked, names
	}
	wm, wn := channels(ws)
	gm, gn := channels(gs)
	if bytes.Equal(wm, gm) && slices.Equal(wn, gn) {
		return ""
	}
	return r.compare(args, bytes.Join(ws, nil), bytes.Join(gs, nil))
}

// drain reads and compares what connection n has been sent beyond the
// replies of its commands, if it may get such replies: all that came,
// compared together.
func (r *diffRun) drain(n int) string {
	p := r.conns[n]
	if p == nil || !p.pushes || p.blocked || p.c[0] == nil {
		return ""
	}
	var ws, gs [][]byte
	for p.c[0] != nil {
		w, g, ok := receivePair(p, [2]error{}, pushWait)
		if !ok {
			break
		}
		r.history = append(r.history, fmt.Sprintf("[%d] (a pushed reply)", n))
		ws, gs = append(ws, w), append(gs, g)
	}
	if len(ws) == 0 {
		return ""
	}
	if r.df.sentinel != nil {
		ws, gs = r.df.sentinel.normalizePushes(ws, gs)
	}
	if w, g := bytes.Join(ws, nil), bytes.Join(gs, nil); !bytes.Equal(w, g) {
		return fmt.Sprintf("the pushed replies on connection %d differ\n\t%-6s %q\n\t%-6s %q\n%s", n, r.df.want.Name+":", clip(w), r.df.got.Name+":", clip(g),
			formatHistory(r.history[:len(r.history)-len(ws)]))
	}
	return ""
}

// poll reads the owed replies of connection n if either server has sent
// its own within wait (then waiting for the other's).
func (r *diffRun) poll(n int, wait time.Duration) string {
	p := r.conns[n]
	if p == nil || !p.blocked {
		return ""
	}
	w, g, ok := receivePair(p, [2]error{}, max(wait, time.Millisecond))
	if !ok {
		return ""
	}
	p.blocked = false
	r.history = append(r.history, fmt.Sprintf("[%d] (the reply of %s)", n, commandText(p.cmd)))
	return r.compare(p.cmd, w, g)
}

// receivePair reads the next reply of both connections of p: ok is false
// when neither came within wait; when one did, the other is given
// ReplyTimeout.
func receivePair(p *diffPair, sendErr [2]error, wait time.Duration) (w, g []byte, ok bool) {
	var out [2][]byte
	var got [2]bool
	read := func(i int, d time.Duration) {
		if sendErr[i] != nil {
			out[i], got[i] = connError(sendErr[i]), true
			return
		}
		b, err := p.c[i].Receive(d)
		switch {
		case err == nil:
			out[i], got[i] = b, true
		case !strings.HasPrefix(err.Error(), "no reply within"):
			out[i], got[i] = connError(err), true
		}
	}
	done := make(chan struct{})
	go func() { read(1, wait); close(done) }()
	read(0, wait)
	<-done
	switch {
	case !got[0] && !got[1]:
		return nil, nil, false
	case !got[0]:
		read(0, ReplyTimeout)
	case !got[1]:
		read(1, ReplyTimeout)
	}
	for i := range 2 {
		if !got[i] {
			out[i] = []byte("<no reply within " + ReplyTimeout.String() + ">")
		}
	}
	if isConnError(out[0]) || isConnError(out[1]) {
		p.c[0].nc.Close()
		p.c[1].nc.Close()
		p.c = [2]*Conn{}
	}
	return out[0], out[1], true
}

// compare compares the replies of args, and renders a difference.
func (r *diffRun) compare(args []string, w, g []byte) string {
	name := fullName(args, r.df.match)
	m := r.df.match[name]
	if r.df.sentinel != nil {
		w, g = r.df.sentinel.normalize(0, name, args, w), r.df.sentinel.normalize(1, name, args, g)
	}
	switch {
	case name == "config|get":
		w, g = r.df.withoutConfigs(w), r.df.withoutConfigs(g)
	case (name == "command|info" || name == "command|docs") && len(args) == 2:
		// Without names: the whole table, in the order of Redis's dict.
		m.Shape = true
	case name == "command|info" || name == "command|docs":
		// A container lists its subcommands in the order of Redis's dict
		// (TestCommandInfoAndDocs compares them one by one).
		w, g = withoutSubcommandLists(w, name == "command|docs"), withoutSubcommandLists(g, name == "command|docs")
	case name == "acl|cat" && len(args) > 2:
		// A category's commands come in the order of Redis's command
		// dict, whose hash is seeded at random when the server starts:
		// two real servers list them in different orders (no COMMAND
		// INFO tip says so).
		m.Sort = true
	case bytes.HasPrefix(w, luaCompileError) && bytes.HasPrefix(g, luaCompileError):
		// The node compiles with gopher-lua, whose parser words its
		// errors otherwise than Lua 5.1's.
		return ""
	}
	if r.df.lua(args) {
		// A script's reply is that of the commands it ran, which may be
		// anything: sorted, as the least that is sure to match.
		m.Sort = true
	}
	if m.Equal(w, g) {
		return ""
	}
	return fmt.Sprintf("%s: replies differ\n\t%-6s %q\n\t%-6s %q\n%s%s", commandText(args), r.df.want.Name+":", clip(w), r.df.got.Name+":", clip(g),
		firstDifference(w, g, r.df.want.Name, r.df.got.Name), formatHistory(r.history[:len(r.history)-1]))
}

// firstDifference shows where two long replies start to differ, which
// clip may have cut: "" for short ones.
func firstDifference(w, g []byte, wname, gname string) string {
	if len(w) <= 400 && len(g) <= 400 {
		return ""
	}
	// After the first lines, which hold the lengths.
	_, w, _ = bytes.Cut(w, []byte("\r\n"))
	_, g, _ = bytes.Cut(g, []byte("\r\n"))
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	around := func(b []byte) []byte { return b[max(0, i-80):min(len(b), i+80)] }
	return fmt.Sprintf("\tthey part at byte %d after the first line:\n\t%-6s %q\n\t%-6s %q\n", i, wname+":", around(w), gname+":", around(g))
}

var luaCompileError = []byte("-ERR Error compiling script")

// clip cuts a long reply for a message.
func clip(b []byte) []byte {
	if len(b) > 400 {
		return append(b[:400:400], "..."...)
	}
	return b
}

// lua says whether args run a script whose commands come from the input.
func (df *diffFuzzer) lua(args []string) bool {
	switch strings.ToLower(args[0]) {
	case "eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro":
		return true
	}
	return false
}

// withoutSubcommandLists drops the lists of subcommands from a COMMAND
// INFO or COMMAND DOCS reply.
func withoutSubcommandLists(raw []byte, docs bool) []byte {
	v, ok := parseReply(raw)
	if !ok || !isAggregate(v.Kind) {
		return raw
	}
	for i := range v.Elems {
		e := &v.Elems[i]
		if (docs && i%2 == 1 && isAggregate(e.Kind)) || (!docs && len(e.Elems) >= 10) {
			*e = withoutSubcommands(*e, docs)
		}
	}
	return resp.AppendValue(nil, v)
}

// withoutConfigs drops from a CONFIG GET reply the parameters of
// diffConfigMasked and those the node lacks (about half of Redis's: a
// known gap, which would show in every CONFIG GET of a pattern), and
// sorts the rest by name (the reply is in dict order).
func (df *diffFuzzer) withoutConfigs(raw []byte) []byte {
	v, ok := parseReply(raw)
	if !ok || !isAggregate(v.Kind) {
		return raw
	}
	type pair struct{ k, v resp.Value }
	var pairs []pair
	for i := 0; i+1 < len(v.Elems); i += 2 {
		name := string(v.Elems[i].Str)
		if _, ok := df.config[1][strings.ToLower(name)]; ok && !slices.Contains(diffConfigMasked, strings.ToLower(name)) {
			pairs = append(pairs, pair{v.Elems[i], v.Elems[i+1]})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return bytes.Compare(a.k.Str, b.k.Str) })
	v.Elems = v.Elems[:0]
	for _, p := range pairs {
		v.Elems = append(v.Elems, p.k, p.v)
	}
	return resp.AppendValue(nil, v)
}

// pair returns connection n, dialling it on first use.
func (r *diffRun) pair(n int) *diffPair {
	p := r.conns[n]
	if p == nil {
		p = &diffPair{}
		r.conns[n] = p
	}
	if p.c[0] == nil {
		for i, side := range []Side{r.df.want, r.df.got} {
			c, err := Dial(side.Addr)
			if err != nil {
				panic(fmt.Sprintf("redisdiff: %s: %v", side.Name, err))
			}
			p.c[i] = c
		}
	}
	return p
}

// drop closes connection n on both servers and makes sure that both have
// forgotten it (a blocked client that lingered could take what a later
// command pushes).
func (r *diffRun) drop(n int) {
	p := r.conns[n]
	if p == nil || p.c[0] == nil {
		return
	}
	for i := range 2 {
		id := r.df.clientID(i, p.c[i])
		_ = p.c[i].nc.Close()
		if id != "" {
			_, _ = r.df.ctl[i].DoStrings("CLIENT", "KILL", "ID", id)
		}
	}
	r.conns[n] = nil
}

// clientID finds the id of c's client on server i, through CLIENT LIST
// on the control connection: c's local address is the client's addr.
func (df *diffFuzzer) clientID(i int, c *Conn) string {
	raw, err := df.ctl[i].DoStrings("CLIENT", "LIST")
	v, ok := parseReply(raw)
	if err != nil || !ok {
		return ""
	}
	addr := "addr=" + c.nc.LocalAddr().String() + " "
	for _, line := range strings.Split(string(v.Str), "\n") {
		if strings.Contains(line, addr) {
			id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
			return id
		}
	}
	return ""
}

func (r *diffRun) close() {
	for _, p := range r.conns {
		if p != nil && p.c[0] != nil {
			_ = p.c[0].nc.Close()
			_ = p.c[1].nc.Close()
		}
	}
}

// reset brings both servers back to their state at the start: no client
// but the control connection, no keys, no scripts or functions, the
// configs given back their first values, and with acl the users too.
//
// In cluster mode, slots not nil (an input ran a CLUSTER command) also
// ends the migrations of the slots among them and gives the master back
// the slots it lost, and then both servers are awaited until their state
// is ok. Only the missing slots are added: a master left with none is
// among a minority, and turns ok again only after its rejoin delay
// (500 ms), counted from each server's own reset. after is the input just
// run, which a failure to reset names.
func (df *diffFuzzer) reset(t *testing.T, configs []string, acl, scripts bool, slots, after []string) {
	for i, side := range []Side{df.want, df.got} {
		cmds := [][]string{
			{"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"},
			{"CLIENT", "KILL", "TYPE", "pubsub"},
			{"FLUSHALL"},
		}
		if scripts {
			cmds = append(cmds, []string{"SCRIPT", "FLUSH"}, []string{"FUNCTION", "FLUSH"})
		}
		if df.cluster && slots != nil {
			for _, slot := range slots {
				if n, err := strconv.Atoi(slot); err == nil && n >= 0 && n < 16384 && strconv.Itoa(n) == slot {
					cmds = append(cmds, []string{"CLUSTER", "SETSLOT", slot, "STABLE"})
				}
			}
		}
		for _, name := range configs {
			if v, ok := df.config[i][name]; ok {
				cmds = append(cmds, []string{"CONFIG", "SET", name, v})
			}
		}
		if acl {
			cmds = append(cmds, []string{"ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"})
			raw, err := df.ctl[i].DoStrings("ACL", "USERS")
			v, ok := parseReply(raw)
			if err != nil || !ok {
				t.Fatalf("redisdiff: %s: ACL USERS: %q %v", side.Name, raw, err)
			}
			for _, u := range v.Elems {
				if s := string(u.Str); s != "default" && s != "redisdiff-control" {
					cmds = append(cmds, []string{"ACL", "DELUSER", s})
				}
			}
		}
		run := func(cmds [][]string) {
			for _, cmd := range cmds {
				if raw, err := df.ctl[i].DoStrings(cmd...); err != nil || (len(raw) > 0 && raw[0] == '-') {
					t.Fatalf("redisdiff: %s: resetting with %s: %q %v\nafter the input's commands:\n\t%s", side.Name, commandText(cmd), raw, err, strings.Join(after, "\n\t"))
				}
			}
		}
		run(cmds)
		if df.cluster && slots != nil {
			run(df.missingSlots(t, i))
		}
	}
	if df.cluster && slots != nil {
		df.awaitClusterOK(t, after)
	}
}

// An input's scripts and functions do not outlive it, though a reset
// flushes them only after an input that ran a scripting command: the
// next input starts from servers that cache none.
func TestFuzzerResetForgetsScripts(t *testing.T) {
	df := newDiffFuzzer(t, Side{Name: "redis", Addr: StartRedis(t)}, Side{Name: "node", Addr: startNode(t)})
	const lib = "#!lua name=fuzzlib\nredis.register_function('f', function() return 1 end)"
	for _, cmds := range [][]cmdfuzz.Command{
		{{Args: []string{"SCRIPT", "LOAD", "return 1"}}},
		{{Args: []string{"EVAL", "return 2", "0"}}},
		{{Args: []string{"MULTI"}}, {Args: []string{"EVAL", "return 3", "0"}}, {Args: []string{"EXEC"}}},
		{{Args: []string{"FUNCTION", "LOAD", lib}}},
		{{Args: []string{"SET", "k", "v"}}},
	} {
		if msg := df.runOnce(t, cmds); msg != "" {
			t.Fatal(msg)
		}
		for i, side := range []Side{df.want, df.got} {
			info, err := df.ctl[i].DoStrings("INFO", "memory")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(info), "number_of_cached_scripts:0") {
				t.Errorf("%s after %v caches scripts:\n%s", side.Name, cmds, info)
			}
			list, err := df.ctl[i].DoStrings("FUNCTION", "LIST")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(list), "fuzzlib") {
				t.Errorf("%s after %v holds the input's library: %q", side.Name, cmds, list)
			}
		}
	}
}
