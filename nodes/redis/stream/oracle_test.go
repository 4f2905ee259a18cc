package stream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
)

// This file is the differential harness: a real redis-server 7.0.x (the
// oracle), a replication tap that reads what it propagates, and a model
// node that runs the same commands through this package the way the
// simulated node is meant to wire it.

// startRedis starts redis-server from PATH on a free loopback port in a
// temporary directory and returns its address. Without one the test is
// skipped, or fails when CI=true.
func startRedis(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err == nil {
		var out []byte
		out, err = exec.Command(bin, "--version").Output()
		if err == nil && !bytes.Contains(out, []byte("v=7.0.")) {
			err = fmt.Errorf("%s is not 7.0.x: %s", bin, bytes.TrimSpace(out))
		}
	}
	if err != nil {
		msg := "redis-server 7.0.x is needed for the differential tests (apt-get install redis-server): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: " + msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	for range 5 {
		port, err := freeport.Port()
		if err != nil {
			t.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--repl-diskless-sync", "no", "--loglevel", "warning", "--logfile", "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if waitUp(addr, exited) {
			t.Cleanup(func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					_ = cmd.Process.Kill()
					<-exited
				}
			})
			return addr
		}
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatal("redis-server did not start")
	return ""
}

func waitUp(addr string, exited <-chan struct{}) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func newClient(t testing.TB, addr string, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// do sends args and returns the reply as a tree: string, int64, nil,
// []any, map[any]any or replyErr.
func do(c *redis.Client, args ...[]byte) any {
	v, err := tryDo(c, args...)
	if err != nil {
		panic(err)
	}
	return v
}

// tryDo is do with connection errors returned.
func tryDo(c *redis.Client, args ...[]byte) (any, error) {
	a := make([]any, len(args))
	for i, b := range args {
		a[i] = b
	}
	return replyOf(c.Do(context.Background(), a...))
}

// replyOf is a command's reply as do gives it.
func replyOf(cmd *redis.Cmd) (any, error) {
	v, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		var re redis.Error
		if errors.As(err, &re) {
			return replyErr(re.Error()), nil
		}
		return nil, err
	}
	return v, nil
}

type replyErr string

// tap reads the replication stream of the oracle, attached as a replica
// with SYNC.
type tap struct {
	conn net.Conn
	r    *bufio.Reader
}

func newTap(t testing.TB, addr string) *tap {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	conn.Write([]byte("SYNC\r\n"))
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\n" {
			continue // keepalive while the master saves
		}
		if !strings.HasPrefix(line, "$") {
			t.Fatalf("SYNC: unexpected %q", line)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if _, err := r.Discard(n); err != nil {
			t.Fatal(err)
		}
		break
	}
	return &tap{conn, r}
}

// next reads one propagated command.
func (tp *tap) next() ([]string, error) {
	tp.conn.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := tp.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "*") {
		return nil, fmt.Errorf("tap: unexpected %q", line)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	argv := make([]string, n)
	for i := range argv {
		line, err := tp.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		l, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, l+2)
		if _, err := io.ReadFull(tp.r, buf); err != nil {
			return nil, err
		}
		argv[i] = string(buf[:l])
	}
	return argv, nil
}

// until returns the commands propagated before the SET of marker.
func (tp *tap) until(marker string) ([][]string, error) {
	var out [][]string
	for {
		argv, err := tp.next()
		if err != nil {
			return out, err
		}
		switch strings.ToUpper(argv[0]) {
		case "PING", "SELECT", "REPLCONF":
			continue
		case "SET":
			if argv[1] == "tap:marker" {
				if argv[2] == marker {
					return out, nil
				}
				continue
			}
		}
		out = append(out, argv)
	}
}

// treeWriter is a ReplyWriter that builds the tree go-redis would return.
type treeWriter struct {
	proto int
	root  []any
	stack []*treeFrame
}

type treeFrame struct {
	items []any
	want  int
	isMap bool
}

type treeMap []any // a RESP3 map as alternate keys and values

func (t *treeWriter) add(v any) {
	for {
		if len(t.stack) == 0 {
			t.root = append(t.root, v)
			return
		}
		f := t.stack[len(t.stack)-1]
		f.items = append(f.items, v)
		if len(f.items) < f.want {
			return
		}
		t.stack = t.stack[:len(t.stack)-1]
		if f.isMap {
			v = treeMap(f.items)
		} else {
			v = f.items
		}
	}
}

func (t *treeWriter) Proto() int { return t.proto }
func (t *treeWriter) WriteArrayLen(n int) {
	if n == 0 {
		t.add([]any{})
		return
	}
	t.stack = append(t.stack, &treeFrame{want: n})
}
func (t *treeWriter) WriteMapLen(n int) {
	if t.proto == 2 {
		t.WriteArrayLen(2 * n)
		return
	}
	if n == 0 {
		t.add(treeMap{})
		return
	}
	t.stack = append(t.stack, &treeFrame{want: 2 * n, isMap: true})
}
func (t *treeWriter) WriteBulk(b []byte)         { t.add(string(b)) }
func (t *treeWriter) WriteBulkString(s string)   { t.add(s) }
func (t *treeWriter) WriteSimpleString(s string) { t.add(s) }
func (t *treeWriter) WriteInt(n int64)           { t.add(n) }
func (t *treeWriter) WriteNull()                 { t.add(nil) }
func (t *treeWriter) WriteNullArray()            { t.add(nil) }

// render writes r through a treeWriter and returns the one value.
func render(r Reply, proto int) any {
	w := &treeWriter{proto: proto}
	r.WriteReply(w)
	if len(w.root) != 1 || len(w.stack) != 0 {
		panic(fmt.Sprintf("reply wrote %d values, %d open aggregates", len(w.root), len(w.stack)))
	}
	return w.root[0]
}

// canon renders a reply tree as text, maps with sorted keys.
func canon(v any) string {
	var b strings.Builder
	canonTo(&b, v)
	return b.String()
}

func canonTo(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("nil")
	case string:
		b.WriteString(strconv.Quote(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case replyErr:
		b.WriteString("(error " + string(v) + ")")
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			canonTo(b, e)
		}
		b.WriteByte(']')
	case treeMap:
		// As a Go map, a repeated key keeps its last value: go-redis
		// reads RESP3 maps that way.
		kv := map[string]string{}
		for i := 0; i+1 < len(v); i += 2 {
			kv[canon(v[i])] = canon(v[i+1])
		}
		var parts []string
		for k, e := range kv {
			parts = append(parts, k+":"+e)
		}
		sort.Strings(parts)
		b.WriteString("{" + strings.Join(parts, " ") + "}")
	case map[any]any:
		var parts []string
		for k, e := range v {
			parts = append(parts, canon(k)+":"+canon(e))
		}
		sort.Strings(parts)
		b.WriteString("{" + strings.Join(parts, " ") + "}")
	default:
		fmt.Fprintf(b, "<%T %v>", v, v)
	}
}

// model is the test's stand-in for the simulated node's glue: a keyspace,
// the key lookups and WRONGTYPE checks, and the dispatch to this package.
type model struct {
	streams map[string]*Stream
	strings map[string]bool
	cfg     Config
	proto   int
	blocked bool   // the last XREAD would have blocked
	ready   []byte // the key the last command signalled ready
}

func newModel() *model {
	return &model{streams: map[string]*Stream{}, strings: map[string]bool{}, cfg: DefaultConfig(), proto: 2}
}

var errWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")

// arg returns argv[i], or nil past the end.
func arg(argv [][]byte, i int) []byte {
	if i < len(argv) {
		return argv[i]
	}
	return nil
}

func (m *model) lookup(key []byte) (*Stream, error) {
	if m.strings[string(key)] {
		return nil, errWrongType
	}
	return m.streams[string(key)], nil
}

// exec runs argv at nowMs and returns the reply tree and what would be
// propagated.
func (m *model) exec(argv [][]byte, nowMs int64) (any, []Command) {
	res, err := m.run(argv, nowMs)
	m.ready = res.Ready
	if res.Created != nil { // XADD on a missing key
		m.streams[string(argv[1])] = res.Created
	}
	if err != nil {
		return replyErr(err.Error()), nil
	}
	if m.blocked {
		return nil, res.Propagate
	}
	return render(res.Reply, m.proto), res.Propagate
}

func (m *model) run(argv [][]byte, now int64) (Result, error) {
	m.blocked = false
	name := strings.ToLower(string(argv[0]))
	if name != "xgroup" && name != "xinfo" && len(argv) < 2 {
		argv = append(argv, nil) // stand-in key: the package checks arity
	}
	if name == "set" {
		m.strings[string(argv[1])] = true
		delete(m.streams, string(argv[1]))
		return Result{Reply: OKReply{}, Effects: Effects{Propagate: []Command{argv}}}, nil
	}
	if name == "exists" {
		_, ok := m.streams[string(argv[1])]
		if ok || m.strings[string(argv[1])] {
			return Result{Reply: IntReply(1)}, nil
		}
		return Result{Reply: IntReply(0)}, nil
	}
	if name == "del" {
		_, ok := m.streams[string(argv[1])]
		ok = ok || m.strings[string(argv[1])]
		delete(m.strings, string(argv[1]))
		delete(m.streams, string(argv[1]))
		if ok {
			return Result{Reply: IntReply(1), Effects: Effects{Propagate: []Command{argv}}}, nil
		}
		return Result{Reply: IntReply(0)}, nil
	}
	// parse-first commands
	switch name {
	case "xadd":
		a, err := ParseXAdd(argv, m.cfg, false)
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XAdd(s, a, now, m.cfg)
	case "xtrim":
		a, err := ParseXTrim(argv, m.cfg, false)
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XTrim(s, a), nil
	case "xrange", "xrevrange":
		a, err := ParseXRange(argv, name == "xrevrange")
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XRange(s, a), nil
	case "xread", "xreadgroup":
		a, err := ParseXRead(argv, false)
		if err != nil {
			return Result{}, err
		}
		if err := a.Resolve(m.lookup); err != nil {
			return Result{}, err
		}
		res := XRead(a, now)
		if len(res.Reply.(ReadReply)) == 0 && a.Block >= 0 {
			m.blocked = true
		}
		return res, nil
	case "xgroup":
		a, err := ParseXGroup(argv)
		if err != nil {
			return Result{}, err
		}
		var s *Stream
		if len(argv) >= 4 {
			if s, err = m.lookup(arg(argv, 2)); err != nil {
				return Result{}, err
			}
		}
		res, err := XGroup(s, a, now)
		if res.Created != nil {
			// exec stores it under argv[1]; keep the key right.
			m.streams[string(argv[2])] = res.Created
			res.Created = nil
		}
		return res, err
	case "xpending":
		a, err := ParseXPending(argv)
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XPending(s, a, now)
	case "xautoclaim":
		a, err := ParseXAutoClaim(argv)
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XAutoClaim(s, a, now)
	case "xsetid":
		a, err := ParseXSetID(argv)
		if err != nil {
			return Result{}, err
		}
		s, err := m.lookup(arg(argv, 1))
		if err != nil {
			return Result{}, err
		}
		return XSetID(s, a)
	case "xinfo":
		if len(argv) < 3 {
			return XInfo(nil, argv, now)
		}
		s, err := m.lookup(arg(argv, 2))
		if err != nil {
			return Result{}, err
		}
		return XInfo(s, argv, now)
	}
	// lookup-first commands
	s, err := m.lookup(arg(argv, 1))
	if err != nil {
		return Result{}, err
	}
	switch name {
	case "xlen":
		return XLen(s), nil
	case "xdel":
		return XDel(s, argv)
	case "xack":
		return XAck(s, argv)
	case "xclaim":
		return XClaim(s, argv, now)
	}
	panic("model: unknown command " + name)
}

// propagated renders what the node would propagate for one command,
// wrapped in MULTI/EXEC when more than one, as text lines.
func propagated(cmds []Command) []string {
	var out []string
	if len(cmds) > 1 {
		out = append(out, "MULTI")
	}
	for _, c := range cmds {
		parts := make([]string, len(c))
		for i, a := range c {
			parts[i] = string(a)
		}
		out = append(out, strings.Join(parts, " "))
	}
	if len(cmds) > 1 {
		out = append(out, "EXEC")
	}
	return out
}

// oracle pairs a real server (with its replication tap) and a model.
type oracle struct {
	t          testing.TB
	client     *redis.Client // c2 or c3
	c2, c3     *redis.Client // RESP2 and RESP3 connections
	tap        *tap
	m          *model
	marker     int
	traceSteps bool
}

func newOracle(t testing.TB) *oracle {
	addr := startRedis(t)
	o := &oracle{t: t, c2: newClient(t, addr, 2), c3: newClient(t, addr, 3), tap: newTap(t, addr), m: newModel()}
	o.client = o.c2
	return o
}

// reset empties both sides and sets the node limits.
func (o *oracle) reset(cfg Config, proto int) {
	o.m = newModel()
	o.m.cfg, o.m.proto = cfg, proto
	o.client = o.c2
	if proto == 3 {
		o.client = o.c3
	}
	do(o.client, toBytes([]string{"FLUSHALL"})...)
	do(o.client, toBytes([]string{"CONFIG", "SET", "stream-node-max-bytes", strconv.FormatInt(cfg.NodeMaxBytes, 10)})...)
	do(o.client, toBytes([]string{"CONFIG", "SET", "stream-node-max-entries", strconv.FormatInt(cfg.NodeMaxEntries, 10)})...)
	o.sync()
}

// sync reads the tap up to a fresh marker and returns what came before.
func (o *oracle) sync() []string {
	o.marker++
	do(o.client, toBytes([]string{"SET", "tap:marker", strconv.Itoa(o.marker)})...)
	return o.untilMarker()
}

// untilMarker reads the tap up to the marker's SET and returns what came
// before it, one command a line.
func (o *oracle) untilMarker() []string {
	got, err := o.tap.until(strconv.Itoa(o.marker))
	if err != nil {
		o.t.Fatal(err)
	}
	var out []string
	for _, c := range got {
		out = append(out, strings.Join(c, " "))
	}
	return out
}

// doMarked is do of argv on the oracle followed by sync, with the command
// and the marker's SET sent together: one round trip instead of two.
func (o *oracle) doMarked(argv []string) (any, []string) {
	o.marker++
	ctx := context.Background()
	a := make([]any, len(argv))
	for i, s := range argv {
		a[i] = s
	}
	var cmd *redis.Cmd
	if _, err := o.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		cmd = p.Do(ctx, a...)
		p.Do(ctx, "SET", "tap:marker", strconv.Itoa(o.marker))
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		var re redis.Error
		if !errors.As(err, &re) {
			o.t.Fatal(err)
		}
	}
	theirs, err := replyOf(cmd)
	if err != nil {
		o.t.Fatal(err)
	}
	return theirs, o.untilMarker()
}

// check runs argv on both sides and fails on any difference in the reply
// or in what is propagated; it returns the oracle's reply and propagation.
func (o *oracle) check(argv ...string) (any, []string) {
	o.t.Helper()
	now := time.Now().UnixMilli()
	theirs, theirProp := o.doMarked(argv)
	mine, prop := o.m.exec(toBytes(argv), now)
	if o.traceSteps {
		o.t.Logf("%q -> %s", argv, canon(theirs))
	}
	mine, theirs, err := maskTimes(argv, mine, theirs)
	if err != nil {
		o.t.Fatalf("%q: %v", argv, err)
	}
	if canon(mine) != canon(theirs) {
		o.t.Fatalf("%q\n model: %s\nredis: %s", argv, canon(mine), canon(theirs))
	}
	myProp := propagated(prop)
	if err := maskPropagated(myProp, theirProp); err != nil {
		o.t.Fatalf("%q: %v", argv, err)
	}
	if strings.Join(myProp, "\n") != strings.Join(theirProp, "\n") {
		o.t.Fatalf("%q propagated\n model: %q\nredis: %q", argv, myProp, theirProp)
	}
	return theirs, theirProp
}
