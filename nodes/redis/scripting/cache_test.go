package scripting

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

func TestLoadExistsEvalSHAFlush(t *testing.T) {
	e := New()
	srv := newFakeServer()
	// SCRIPT LOAD "return 1" on redis 7.0.15.
	const sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
	w := resp.NewWriter(2)
	e.EvalSHA(sha, nil, nil, srv.ctx(), w)
	if got, want := string(w.Bytes()), "-NOSCRIPT No matching script. Please use EVAL.\r\n"; got != want {
		t.Fatalf("EVALSHA before load = %q, want %q", got, want)
	}
	got, err := e.Load([]byte("return 1"))
	if err != nil || got != sha {
		t.Fatalf("Load = %q, %v; want %q", got, err, sha)
	}
	if !e.Exists(strings.ToUpper(sha)) || !e.Exists(sha) || e.Exists("fff") || e.Len() != 1 {
		t.Fatalf("Exists/Len after load: %v %v %v %d", e.Exists(strings.ToUpper(sha)), e.Exists(sha), e.Exists("fff"), e.Len())
	}
	w.Reset()
	e.EvalSHA(strings.ToUpper(sha), nil, nil, srv.ctx(), w)
	if got := string(w.Bytes()); got != ":1\r\n" {
		t.Fatalf("EVALSHA upper-case = %q", got)
	}
	// EVAL caches too, and loading twice does not count twice.
	w.Reset()
	e.Eval([]byte("return 2"), nil, nil, srv.ctx(), w)
	if _, err := e.Load([]byte("return 2")); err != nil || e.Len() != 2 {
		t.Fatalf("Len after EVAL and reload = %d, %v", e.Len(), err)
	}
	e.Flush()
	if e.Len() != 0 || e.Exists(sha) {
		t.Fatalf("Flush left %d scripts", e.Len())
	}
	w.Reset()
	e.Eval([]byte("return 3"), nil, nil, srv.ctx(), w)
	if got := string(w.Bytes()); got != ":3\r\n" {
		t.Fatalf("EVAL after Flush = %q", got)
	}
}

func TestLoadCompileError(t *testing.T) {
	e := New()
	// SCRIPT LOAD "x(" and "return 1 +" on redis 7.0.15.
	for _, body := range []string{"x(", "return 1 +"} {
		_, err := e.Load([]byte(body))
		want := "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'"
		if err == nil || err.Error() != want {
			t.Errorf("Load(%q) = %v, want %q", body, err, want)
		}
	}
	if e.Len() != 0 {
		t.Fatalf("a script that does not compile was cached")
	}
}

func TestScriptFlags(t *testing.T) {
	e := New()
	sha, err := e.Load([]byte("#!lua flags=no-writes,allow-stale\nreturn 1"))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := e.ScriptFlags(sha)
	if !ok || f != FlagShebang|FlagNoWrites|FlagAllowStale {
		t.Fatalf("ScriptFlags = %b, %v", f, ok)
	}
	sha, _ = e.Load([]byte("return 1"))
	if _, ok := e.ScriptFlags(sha); ok {
		t.Fatalf("a script without shebang has flags")
	}
}

func TestCallsReachServer(t *testing.T) {
	e := New()
	srv := newFakeServer()
	w := resp.NewWriter(2)
	e.Eval([]byte(`redis.call("SET", KEYS[1], ARGV[1]) redis.call("incr", "n") return redis.call("incr", "n")`),
		toBytes([]string{"k"}), [][]byte{[]byte("v\x00\r\n")}, srv.ctx(), w)
	if got := string(w.Bytes()); got != ":2\r\n" {
		t.Fatalf("reply %q", got)
	}
	if srv.data["k"] != "v\x00\r\n" || srv.data["n"] != "2" {
		t.Fatalf("data %q", srv.data)
	}
	if len(srv.calls) != 3 || strings.Join(srv.calls[0], " ") != "SET k v\x00\r\n" {
		t.Fatalf("calls %q", srv.calls)
	}
}

func TestLog(t *testing.T) {
	e := New()
	srv := newFakeServer()
	w := resp.NewWriter(2)
	e.Eval([]byte(`redis.log(redis.LOG_WARNING, "a", 1.5, {}, "b") redis.log(redis.LOG_DEBUG, "x")`), nil, nil, srv.ctx(), w)
	if got := string(w.Bytes()); got != "$-1\r\n" {
		t.Fatalf("reply %q", got)
	}
	if strings.Join(srv.logs, "|") != "3 a 1.5 b|0 x" {
		t.Fatalf("logs %q", srv.logs)
	}
}

// RESP3 callers get RESP3 nulls for false and nil, as Redis writes
// shared.null[c->resp].
func TestResp3Caller(t *testing.T) {
	e := New()
	w := resp.NewWriter(3)
	e.Eval([]byte(`return {false, nil}`), nil, nil, newFakeServer().ctx(), w)
	e.Eval([]byte(`return false`), nil, nil, newFakeServer().ctx(), w)
	e.Eval([]byte(`return {map={a=1}}`), nil, nil, newFakeServer().ctx(), w)
	if got, want := string(w.Bytes()), "*1\r\n_\r\n_\r\n%1\r\n$1\r\na\r\n:1\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStepLimit(t *testing.T) {
	e := New()
	e.MaxSteps = 10_000
	srv := newFakeServer()
	for _, body := range []string{
		`while true do end`,
		`while true do pcall(function() while true do end end) end`,
		`local function f() return f() end return f()`,
	} {
		w := resp.NewWriter(2)
		e.Eval([]byte(body), nil, nil, srv.ctx(), w)
		if got := string(w.Bytes()); !strings.HasPrefix(got, "-ERR Script killed by redsim after 10000 Lua instructions") {
			t.Errorf("EVAL %q = %q", body, got)
		}
	}
	// The budget is per run: the next script runs normally.
	w := resp.NewWriter(2)
	e.Eval([]byte(`local s = 0 for i = 1, 100 do s = s + i end return s`), nil, nil, srv.ctx(), w)
	if got := string(w.Bytes()); got != ":5050\r\n" {
		t.Fatalf("after a killed script: %q", got)
	}
}

// Nothing a script does panics the caller, and every run writes one reply.
func TestNoPanics(t *testing.T) {
	e := New()
	srv := newFakeServer()
	bad := func(args [][]byte) []byte { return []byte("not resp") }
	for _, c := range []struct {
		body string
		ctx  Context
	}{
		{`local t = {} t[1] = t return t`, srv.ctx()},
		{`local function f(n) if n == 0 then return {} end return {f(n-1)} end return f(10000)`, srv.ctx()},
		{`return redis.call("get", "x")`, Context{Call: bad}},
		{`return redis.call("get", "x")`, Context{}},
		{`return string.rep("x", 10, 1, 2, {}) .. nil`, srv.ctx()},
		{`error(setmetatable({}, {__tostring = function() error("no") end}))`, srv.ctx()},
		{`error({foo=1})`, srv.ctx()},
		{`return coroutine.resume(coroutine.create(function() error("in co") end))`, srv.ctx()},
	} {
		w := resp.NewWriter(2)
		e.Eval([]byte(c.body), nil, nil, c.ctx, w)
		r := resp.NewReplyReader()
		r.SetMaxDepth(2 * maxReplyDepth)
		r.Feed(w.Bytes())
		if testing.Verbose() {
			t.Logf("%s => %q", c.body, firstBytes(w.Bytes()))
		}
		if _, ok, err := r.Next(); !ok || err != nil || r.Buffered() != 0 {
			t.Errorf("EVAL %q wrote %d bytes that are not one reply: %q...", c.body, w.Len(), firstBytes(w.Bytes()))
		}
	}
}

func firstBytes(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// Output that could depend on the Go heap or on map order is the same in
// every run and every engine.
func TestDeterministicText(t *testing.T) {
	body := []byte(`local t = {} local r = {tostring(t), tostring(rawequal), tostring(tostring), string.format("%s", tostring(t))}
		local m = {} for i = 1, 50 do m["k" .. i] = i end
		for k in pairs(m) do r[#r+1] = k end
		for k in pairs(_G) do r[#r+1] = k end
		math.randomseed(42) r[#r+1] = math.random(1000)
		return r`)
	var first string
	for i := 0; i < 3; i++ {
		e := New()
		w := resp.NewWriter(2)
		e.Eval(body, nil, nil, newFakeServer().ctx(), w)
		e.Eval(body, nil, nil, newFakeServer().ctx(), w)
		if i == 0 {
			first = string(w.Bytes())
			if strings.HasPrefix(first, "-") {
				t.Fatalf("script failed: %s", first)
			}
			continue
		}
		if string(w.Bytes()) != first {
			t.Fatalf("run %d differs:\n%q\n%q", i, w.Bytes(), first)
		}
	}
}

func TestSeed(t *testing.T) {
	e := New()
	out := func(seed int64) string {
		w := resp.NewWriter(2)
		ctx := newFakeServer().ctx()
		ctx.Seed = seed
		e.Eval([]byte(`return {math.random(1000000), math.random(1000000)}`), nil, nil, ctx, w)
		return string(w.Bytes())
	}
	if out(1) != out(1) || out(1) == out(2) {
		t.Fatalf("seed 1: %q %q, seed 2: %q", out(1), out(1), out(2))
	}
	// Seed is redisSrand48's seed: on redis 7.0.15, math.randomseed(1) then
	// math.random(100) twice gives 5 and 46.
	w := resp.NewWriter(2)
	ctx := newFakeServer().ctx()
	ctx.Seed = 1
	e.Eval([]byte(`return {math.random(100), math.random(100)}`), nil, nil, ctx, w)
	if got := string(w.Bytes()); got != "*2\r\n:5\r\n:46\r\n" {
		t.Fatalf("seed 1 gives %q", got)
	}
}
