package scripting

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

func mustLoad(t *testing.T, f *Functions, code string) {
	t.Helper()
	if _, err := f.Load([]byte(code), LoadOptions{}); err != nil {
		t.Fatalf("Load(%q): %v", code, err)
	}
}

func fcall(f *Functions, name string, keys, args []string, ctx Context, proto int) string {
	w := resp.NewWriter(proto)
	fn := f.Find([]byte(name))
	if fn == nil {
		return "-ERR Function not found\r\n"
	}
	f.Call(fn, toBytes(keys), toBytes(args), ctx, w)
	return string(w.Bytes())
}

// TestFunctionsMemory checks used_memory_functions against the figures
// redis-server 7.0.15 reports for the same loads.
func TestFunctionsMemory(t *testing.T) {
	f := NewFunctions()
	steps := []struct {
		code string
		want int64
	}{
		{"", 200},
		{"#!lua name=b\nredis.register_function('g', function(keys, args) return 1 end)", 440},
		{"#!lua name=c\nredis.register_function{function_name='h', callback=function(keys, args) return 1 end, description='hello there'}", 744},
	}
	for _, s := range steps {
		if s.code != "" {
			mustLoad(t, f, s.code)
		}
		if got := f.MemoryOverhead(); got != s.want {
			t.Errorf("after %q: used_memory_functions %d, want %d", s.code, got, s.want)
		}
	}
	vm := f.VMMemory()
	f.Flush()
	if got := f.MemoryOverhead(); got != 200 {
		t.Errorf("after FLUSH: used_memory_functions %d, want 200", got)
	}
	if f.VMMemory() != vm || vm <= freshVMMemory {
		t.Errorf("VMMemory %d after flush, %d before; want unchanged and above %d", f.VMMemory(), vm, freshVMMemory)
	}
	if f.NumFunctions() != 0 || f.NumLibraries() != 0 {
		t.Errorf("after FLUSH: %d functions, %d libraries", f.NumFunctions(), f.NumLibraries())
	}
}

func TestFunctionsCallAndNames(t *testing.T) {
	f := NewFunctions()
	srv := newFakeServer()
	mustLoad(t, f, "#!lua name=lib\n"+
		"redis.register_function('Echo', function(keys, args) return {#keys, #args, keys[1], args[1]} end)\n"+
		"redis.register_function('incr', function(keys) return redis.call('incr', keys[1]) end)\n"+
		"redis.register_function('rnd', function() return math.random(1000) end)\n")
	if got, want := fcall(f, "ECHO", []string{"k"}, []string{"a", "b"}, srv.ctx(), 2), "*4\r\n:1\r\n:2\r\n$1\r\nk\r\n$1\r\na\r\n"; got != want {
		t.Errorf("FCALL ECHO = %q, want %q", got, want)
	}
	fcall(f, "incr", []string{"n"}, nil, srv.ctx(), 2)
	if got := fcall(f, "incr", []string{"n"}, nil, srv.ctx(), 2); got != ":2\r\n" {
		t.Errorf("second FCALL incr = %q", got)
	}
	// Same seed, same number: the run machinery is EVAL's.
	ctx := srv.ctx()
	ctx.Seed = 42
	a, b := fcall(f, "rnd", nil, nil, ctx, 2), fcall(f, "rnd", nil, nil, ctx, 2)
	if a != b {
		t.Errorf("math.random with one seed: %q then %q", a, b)
	}
	if fn := f.Find([]byte("echo")); fn == nil || fn.Name != "Echo" || fn.Library.Name != "lib" {
		t.Errorf("Find(echo) = %+v", fn)
	}
	if _, err := f.Load([]byte("#!lua name=other\nredis.register_function('ECHO', function() end)"), LoadOptions{}); err == nil ||
		err.Error() != "ERR Function ECHO already exists" {
		t.Errorf("clashing load: %v", err)
	}
	if err := f.Delete([]byte("LIB")); err == nil || err.Error() != "ERR Library not found" {
		t.Errorf("Delete(LIB) = %v (library names are case-sensitive)", err)
	}
}

// TestFunctionsCaseTwins: a library may register names that differ only
// in case; FCALL reaches the first, FUNCTION STATS counts both, and
// deleting the library (which crashes Redis 7.0.15) removes both; the
// function dictionary keeps its four slots, as Redis's does.
func TestFunctionsCaseTwins(t *testing.T) {
	f := NewFunctions()
	mustLoad(t, f, "#!lua name=q\nredis.register_function('Ab', function() return 1 end)\nredis.register_function('aB', function() return 2 end)")
	if got := fcall(f, "ab", nil, nil, newFakeServer().ctx(), 2); got != ":1\r\n" {
		t.Errorf("FCALL ab = %q", got)
	}
	w := resp.NewWriter(2)
	f.WriteStats(w, w.WriteNull)
	if !strings.Contains(string(w.Bytes()), "functions_count\r\n:2\r\n") || f.NumFunctions() != 1 {
		t.Errorf("stats %q, NumFunctions %d", w.Bytes(), f.NumFunctions())
	}
	if err := f.Delete([]byte("q")); err != nil || f.NumFunctions() != 0 || f.MemoryOverhead() != 200+4*dictSlotSize {
		t.Errorf("Delete: %v, %d functions, memory %d", err, f.NumFunctions(), f.MemoryOverhead())
	}
}

func TestFunctionsLoadRules(t *testing.T) {
	f := NewFunctions()
	f.MaxLoadSteps = 10_000
	slow := "#!lua name=slow\nlocal n = 0 for i = 1, 1e6 do n = n + i end redis.register_function('f', function() return n end)"
	if _, err := f.Load([]byte(slow), LoadOptions{}); err == nil || err.Error() != "ERR Error registering functions: ERR FUNCTION LOAD timeout" {
		t.Errorf("slow load: %v", err)
	}
	if _, err := f.Load([]byte(slow), LoadOptions{NoTimeout: true}); err != nil {
		t.Errorf("slow load without timeout: %v", err)
	}
	var logs []string
	f.Log = func(level int, msg string) { logs = append(logs, msg) }
	mustLoad(t, f, "#!lua name=logger\nredis.log(redis.LOG_NOTICE, 'hi', 1) redis.register_function('g', function() return 1 end)")
	if len(logs) != 1 || logs[0] != "hi 1" {
		t.Errorf("load-time logs %q", logs)
	}
	// A register_function kept from load time fails later, as in Redis.
	mustLoad(t, f, "#!lua name=keeper\nlocal reg = redis.register_function\nredis.register_function('late', function() reg('x', function() end) end)")
	got := fcall(f, "late", nil, nil, newFakeServer().ctx(), 2)
	if !strings.HasPrefix(got, "-ERR redis.register_function can only be called on FUNCTION LOAD command script: late, on @user_function:3.") {
		t.Errorf("late register_function: %q", got)
	}
	// REPLACE that fails keeps the old library.
	if _, err := f.Load([]byte("#!lua name=slow\nreturn 1"), LoadOptions{Replace: true}); err == nil || f.Find([]byte("f")) == nil {
		t.Errorf("failed REPLACE: %v, f kept: %v", err, f.Find([]byte("f")) != nil)
	}
}

func TestFunctionsListOrderAndRestore(t *testing.T) {
	f := NewFunctions()
	for _, name := range []string{"zz", "aa", "mm"} {
		mustLoad(t, f, "#!lua name="+name+"\nredis.register_function('"+name+"2', function() end)\nredis.register_function('"+name+"1', function() end)")
	}
	w := resp.NewWriter(2)
	f.WriteList(w, ListOptions{})
	list := string(w.Bytes())
	if !(strings.Index(list, "aa") < strings.Index(list, "mm") && strings.Index(list, "mm") < strings.Index(list, "zz") &&
		strings.Index(list, "aa1") < strings.Index(list, "aa2")) {
		t.Errorf("FUNCTION LIST not in name order: %q", list)
	}
	codes := f.Codes()
	if len(codes) != 3 || !strings.HasPrefix(string(codes[0]), "#!lua name=aa\n") {
		t.Fatalf("Codes() = %q", codes)
	}
	before := f.MemoryOverhead()
	if err := f.Restore(codes, RestoreAppend); err == nil || err.Error() != "ERR Library aa already exists" {
		t.Errorf("Restore APPEND: %v", err)
	}
	if err := f.Restore(append(codes, codes[0]), RestoreFlush); err == nil || err.Error() != "ERR Library 'aa' already exists" {
		t.Errorf("Restore of a payload with a duplicate: %v", err)
	}
	if f.MemoryOverhead() != before || f.NumLibraries() != 3 {
		t.Errorf("failed restores changed the libraries")
	}
	if err := f.Restore(codes[:1], RestoreFlush); err != nil || f.NumLibraries() != 1 {
		t.Errorf("Restore FLUSH: %v, %d libraries", err, f.NumLibraries())
	}
	if err := f.Restore(codes, RestoreReplace); err != nil || f.NumLibraries() != 3 {
		t.Errorf("Restore REPLACE: %v, %d libraries", err, f.NumLibraries())
	}
}

// fakeProtoServer answers every command with a canned RESP3 reply (the
// ones DEBUG PROTOCOL gives, which scripts may not call in Redis) and
// records the protocol it was asked for.
func fakeProtoCtx(reply string, protos *[]int) Context {
	return Context{CallProto: func(args [][]byte, proto int) []byte {
		*protos = append(*protos, proto)
		return []byte(reply)
	}}
}

// TestRESP3Conversions follows script_lua.c's conversions of RESP3 replies
// into Lua values and of Lua values into RESP3 replies.
func TestRESP3Conversions(t *testing.T) {
	cases := []struct {
		reply, script string
		proto         int
		want          string
	}{
		{"#t\r\n", `redis.setresp(3) return redis.call('x')`, 3, "#t\r\n"},
		{"#t\r\n", `redis.setresp(3) return redis.call('x')`, 2, ":1\r\n"},
		{"#f\r\n", `redis.setresp(3) return redis.call('x')`, 2, ":0\r\n"},
		{"#f\r\n", `redis.setresp(3) local v = redis.call('x') redis.setresp(2) return v`, 2, "$-1\r\n"},
		{"#f\r\n", `redis.setresp(3) local v = redis.call('x') redis.setresp(2) return v`, 3, "_\r\n"},
		{"_\r\n", `redis.setresp(3) return type(redis.call('x'))`, 2, "$3\r\nnil\r\n"},
		{",3.5\r\n", `redis.setresp(3) return redis.call('x').double * 2`, 2, ":7\r\n"},
		{",3.5\r\n", `redis.setresp(3) return redis.call('x')`, 3, ",3.5\r\n"},
		{",3.5\r\n", `redis.setresp(3) return redis.call('x')`, 2, "$3\r\n3.5\r\n"},
		{"(1234567999999999999\r\n", `redis.setresp(3) return redis.call('x')`, 3, "(1234567999999999999\r\n"},
		{"(1234567999999999999\r\n", `redis.setresp(3) return redis.call('x').big_number`, 3, "$19\r\n1234567999999999999\r\n"},
		{"=15\r\ntxt:Some string\r\n", `redis.setresp(3) return redis.call('x')`, 3, "=15\r\ntxt:Some string\r\n"},
		{"=15\r\ntxt:Some string\r\n", `redis.setresp(3) return redis.call('x')`, 2, "$11\r\nSome string\r\n"},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n", `redis.setresp(3) return redis.call('x')`, 3, "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n", `redis.setresp(3) return redis.call('x')`, 2, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n"},
		{"~2\r\n$1\r\na\r\n$1\r\nb\r\n", `redis.setresp(3) local s = redis.call('x').set return {s.a, s.b}`, 3, "*2\r\n#t\r\n#t\r\n"},
		{"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n", `redis.setresp(3) return redis.call('x')`, 3, "*2\r\n:2039123\r\n:9543892\r\n"},
		{"*3\r\n:1\r\n_\r\n:3\r\n", `redis.setresp(3) return redis.call('x')`, 3, "*1\r\n:1\r\n"},
		{"%1\r\n_\r\n:1\r\n", `redis.setresp(3) return redis.pcall('x')`, 2, "-ERR table index is nil script: SHA, on @user_script:1.\r\n"},
		{"!3\r\nERR\r\n", `redis.setresp(3) return redis.pcall('x')`, 3, "-ERR ERR\r\n"}, // luaPushErrorBuff: no space, code ERR
	}
	e := New()
	for _, c := range cases {
		var protos []int
		w := resp.NewWriter(c.proto)
		e.Eval([]byte(c.script), nil, nil, fakeProtoCtx(c.reply, &protos), w)
		got := string(w.Bytes())
		if want := strings.Replace(c.want, "SHA", sha1hex([]byte(c.script)), 1); got != want {
			t.Errorf("reply %q, %q to a RESP%d caller\n got %q\nwant %q", c.reply, c.script, c.proto, got, c.want)
		}
		if len(protos) == 0 || protos[0] != 3 {
			t.Errorf("%q: the command ran in protocols %v, want 3", c.script, protos)
		}
	}
	// Without CallProto there is no RESP3, as before.
	w := resp.NewWriter(2)
	e.Eval([]byte(`redis.setresp(3)`), nil, nil, newFakeServer().ctx(), w)
	if !strings.HasPrefix(string(w.Bytes()), "-ERR redsim: redis.setresp(3) needs Context.CallProto") {
		t.Errorf("setresp(3) with Call only: %q", w.Bytes())
	}
}

func TestSetReplAndACLCheck(t *testing.T) {
	var repl []int
	var checked [][]string
	ctx := newFakeServer().ctx()
	ctx.SetRepl = func(flags int) { repl = append(repl, flags) }
	ctx.ACLCheckCmd = func(args [][]byte) (bool, bool) {
		var a []string
		for _, b := range args {
			a = append(a, string(b))
		}
		checked = append(checked, a)
		return a[0] == "get", a[0] != "nosuch"
	}
	w := resp.NewWriter(2)
	e := New()
	e.Eval([]byte(`redis.set_repl(redis.REPL_AOF) redis.set_repl(redis.REPL_NONE) return {redis.acl_check_cmd('get', 1.5), redis.acl_check_cmd('set', 'k', 'v')}`), nil, nil, ctx, w)
	if got, want := string(w.Bytes()), "*2\r\n:1\r\n$-1\r\n"; got != want {
		t.Errorf("reply %q, want %q", got, want)
	}
	if len(repl) != 3 || repl[0] != ReplAll || repl[1] != ReplAOF || repl[2] != ReplNone {
		t.Errorf("SetRepl calls %v, want [ReplAll ReplAOF ReplNone]", repl)
	}
	if len(checked) != 2 || checked[0][1] != "1.5" {
		t.Errorf("ACLCheckCmd calls %q", checked)
	}
	w.Reset()
	e.Eval([]byte(`return redis.acl_check_cmd('nosuch')`), nil, nil, ctx, w)
	if !strings.HasPrefix(string(w.Bytes()), "-ERR Invalid command passed to redis.acl_check_cmd() script: ") {
		t.Errorf("unknown command: %q", w.Bytes())
	}
}
