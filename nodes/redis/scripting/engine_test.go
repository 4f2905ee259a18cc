package scripting

import (
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// evalCase is one EVAL and the reply real Redis gives to it.
type evalCase struct {
	script string
	keys   []string
	argv   []string
	want   string
}

func toBytes(a []string) [][]byte {
	var out [][]byte
	for _, s := range a {
		out = append(out, []byte(s))
	}
	return out
}

// run evaluates c on a fresh engine against a fresh fake server in which
// "str" holds "abc", and returns the reply.
func (c evalCase) run(t *testing.T, e *Engine) string {
	t.Helper()
	srv := newFakeServer()
	srv.data["str"] = "abc"
	w := resp.NewWriter(2)
	e.Eval([]byte(c.script), toBytes(c.keys), toBytes(c.argv), srv.ctx(), w)
	return string(w.Bytes())
}

// The replies below are those of redis-server 7.0.15 (redis-cli replaced
// by a raw socket, so the bytes are exact), for the same scripts.
var redisCases = []evalCase{
	// Lua -> Redis conversions.
	{script: `return 1`, want: ":1\r\n"},
	{script: `return 1.9`, want: ":1\r\n"},
	{script: `return -1.9`, want: ":-1\r\n"},
	{script: `return 1/0`, want: ":-9223372036854775808\r\n"},
	{script: `return 0/0`, want: ":-9223372036854775808\r\n"},
	{script: `return 2^63`, want: ":-9223372036854775808\r\n"},
	{script: `return true`, want: ":1\r\n"},
	{script: `return false`, want: "$-1\r\n"},
	{script: `return nil`, want: "$-1\r\n"},
	{script: `return "x"`, want: "$1\r\nx\r\n"},
	{script: `return {1,2,{3,"x"},nil,5}`, want: "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n"},
	{script: `return {1,false,3}`, want: "*3\r\n:1\r\n$-1\r\n:3\r\n"},
	{script: `return {ok="fine"}`, want: "+fine\r\n"},
	{script: "return {ok=\"fi\\r\\nne\"}", want: "+fi  ne\r\n"},
	{script: `return {err="My Error"}`, want: "-My Error\r\n"},
	{script: `return {err="MyError"}`, want: "-MyError\r\n"},
	{script: `return {err="-X y"}`, want: "--X y\r\n"},
	{script: `return {err=""}`, want: "-\r\n"},
	{script: `return {err=12}`, want: "*0\r\n"},
	{script: `return {1,2,ok="x"}`, want: "+x\r\n"},
	{script: `return {ok=1, 5}`, want: "*1\r\n:5\r\n"},
	{script: `return {double=3.14}`, want: "$18\r\n3.1400000000000001\r\n"},
	{script: `return {big_number="123"}`, want: "$3\r\n123\r\n"},
	{script: `return {map={a=1}}`, want: "*2\r\n$1\r\na\r\n:1\r\n"},
	{script: `return {set={a=true}}`, want: "*1\r\n$1\r\na\r\n"},
	{script: `local t = {} for i=1,3 do t[i]=i end t[2]=nil return t`, want: "*1\r\n:1\r\n"},
	{script: `return {1,2,3,nil,5,n=4}`, want: "*3\r\n:1\r\n:2\r\n:3\r\n"},
	{script: `return KEYS`, keys: []string{"a", "b"}, argv: []string{"c", "d"}, want: "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
	{script: `return ARGV`, keys: []string{"a", "b"}, argv: []string{"c", "d"}, want: "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"},
	{script: `return {KEYS[1],ARGV[1]}`, want: "*0\r\n"},
	{script: `KEYS[1] = "x" return KEYS[1]`, want: "$1\r\nx\r\n"},

	// redis.error_reply and redis.status_reply.
	{script: `return redis.error_reply("My Error")`, want: "-My Error\r\n"},
	{script: `return redis.error_reply("MyError")`, want: "-ERR MyError\r\n"},
	{script: `return redis.error_reply("-MyError")`, want: "-ERR MyError\r\n"},
	{script: `return redis.error_reply("-My Error x")`, want: "-My Error x\r\n"},
	{script: `return redis.error_reply("")`, want: "-ERR \r\n"},
	{script: `return redis.error_reply()`, want: "-ERR wrong number or type of arguments\r\n"},
	{script: `return redis.status_reply(1)`, want: "-ERR wrong number or type of arguments\r\n"},
	{script: `return redis.status_reply("fine")`, want: "+fine\r\n"},
	{script: `local t = redis.error_reply("A B") return t["err"]`, want: "$3\r\nA B\r\n"},

	// Redis -> Lua conversions.
	{script: `return redis.call("ping")`, want: "+PONG\r\n"},
	{script: `return redis.call("ping")["ok"]`, want: "$4\r\nPONG\r\n"},
	{script: `return {redis.call("ping")}`, want: "*1\r\n+PONG\r\n"},
	{script: `return redis.call("get","nokey")`, want: "$-1\r\n"},
	{script: `return type(redis.call("get","nokey"))`, want: "$7\r\nboolean\r\n"},
	{script: `return redis.call("exists","nokey")`, want: ":0\r\n"},
	{script: `redis.call("set","f",1.5) redis.call("set","g",0.1) redis.call("set","h",1e20) redis.call("set","i",-0) return {redis.call("get","f"),redis.call("get","g"),redis.call("get","h"),redis.call("get","i")}`,
		want: "*4\r\n$3\r\n1.5\r\n$19\r\n0.10000000000000001\r\n$5\r\n1e+20\r\n$2\r\n-0\r\n"},

	// Errors from redis.call and redis.pcall.
	{script: `return redis.call("incr","str")`, want: "-ERR value is not an integer or out of range script: f599bd29e523715d298db137d76ae0e2b1af2355, on @user_script:1.\r\n"},
	{script: "\n\nreturn redis.call(\"incr\",\"str\")", want: "-ERR value is not an integer or out of range script: 5ab44a6624af0c4a50af9c8edcebb0641767f525, on @user_script:3.\r\n"},
	{script: `return redis.pcall("incr","str")`, want: "-ERR value is not an integer or out of range\r\n"},
	{script: `local t = redis.pcall("incr","str") local r = {} for k,v in pairs(t) do r[#r+1]=k.."="..tostring(v) end table.sort(r) return r`,
		want: "*2\r\n$47\r\nerr=ERR value is not an integer or out of range\r\n$30\r\nignore_error_stats_update=true\r\n"},
	{script: `return redis.call()`, want: "-ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n"},
	{script: `return redis.pcall()`, want: "-ERR Please specify at least one argument for this redis lib call\r\n"},
	{script: `return redis.call("get",{})`, want: "-ERR Lua redis lib command arguments must be strings or integers script: dcef67b9205a9d3f8a30c37ec57d43db9375b79d, on @user_script:1.\r\n"},
	{script: `return redis.pcall("get",{})`, want: "-ERR Lua redis lib command arguments must be strings or integers\r\n"},
	{script: `return redis.call("get",nil)`, want: "-ERR Lua redis lib command arguments must be strings or integers script: 199ffb85fe3fa5ded20c327e6f63c80b4684c570, on @user_script:1.\r\n"},
	{script: `return redis.call("nosuchcmd")`, want: "-ERR Unknown Redis command called from script script: 317b3f8e56143320ec25e06367455d3a009831cc, on @user_script:1.\r\n"},
	{script: `return redis.call("get")`, want: "-ERR Wrong number of args calling Redis command from script script: ad9cf9305028be601cfd2abed4ce895eb41a4a6f, on @user_script:1.\r\n"},
	{script: `return redis.pcall("nosuchcmd")`, want: "-ERR Unknown Redis command called from script\r\n"},
	{script: `return redis.call("eval","return 1",0)`, want: "-ERR This Redis command is not allowed from script script: e5084e7bcd2fb5da5f7764a118cb0e1f801776b7, on @user_script:1.\r\n"},
	{script: `local ok, e = pcall(function() return redis.call("incr","str") end) return e`, want: "$43\r\nERR value is not an integer or out of range\r\n"},
	{script: `local ok, e = pcall(function() redis.call("incr","str") end) return e["err"]`, want: "$-1\r\n"},

	// Errors raised by scripts.
	{script: "local function f()\n  return redis.call(\"incr\",\"str\")\nend\nreturn f()", want: "-ERR value is not an integer or out of range script: af3555bc010c6df15dacb7988ae208ec0902e492, on @user_script:2.\r\n"},
	{script: "local function f()\n  error(\"deep\", 2)\nend\nf()", want: "-ERR user_script:4: deep script: f6d682556861e741b0733d2e606a10e05eaf95bb, on @user_script:2.\r\n"},
	{script: `return {xpcall(function() error("x") end, function(e) return e end)}`, want: "*2\r\n$-1\r\n$16\r\nuser_script:1: x\r\n"},
	{script: `error("boom")`, want: "-ERR user_script:1: boom script: 872b3fcb081448525c6141cdfa3df8374d30d162, on @user_script:1.\r\n"},
	{script: `error("boom", 0)`, want: "-ERR boom script: 6d36be2ba591adb012b104a8949eb75a3e7284b5, on @user_script:1.\r\n"},
	{script: `error({err="X boom"})`, want: "-X boom script: d7d713e40f75be26f8188ff51a68bc062782ad48, on @user_script:1.\r\n"},
	{script: `error()`, want: "-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\r\n"},
	{script: `error(nil)`, want: "-ERR nil script: c402aa49952c86c38f35fb311d54977d08f3bf01, on @user_script:1.\r\n"},
	{script: `error(12)`, want: "-ERR user_script:1: 12 script: 531d78cb0a3022f46aa8fcca247caa61d303b321, on @user_script:1.\r\n"},
	{script: `return pcall(function() error("x") end)`, want: "$-1\r\n"},
	{script: `local ok, e = pcall(function() error("x") end) return e`, want: "$16\r\nuser_script:1: x\r\n"},
	{script: `return {pcall(error, {err="X y"})}`, want: "*2\r\n$-1\r\n$3\r\nX y\r\n"},
	{script: `return {pcall(error, {foo="X y"})}`, want: "*2\r\n$-1\r\n*0\r\n"},
	{script: `local ok, e = pcall(error, {foo="X y"}) return e.foo`, want: "$3\r\nX y\r\n"},
	{script: `return nil + 1`, want: "-ERR user_script:1: attempt to perform arithmetic on a nil value script: d13bc48d895ba57f297c4db70c1d256548a54e2d, on @user_script:1.\r\n"},
	{script: `return "a" + 1`, want: "-ERR user_script:1: attempt to perform arithmetic on a string value script: 69e755cbd683439e324646ca443ba2960238ad85, on @user_script:1.\r\n"},
	{script: `return "10" + 1`, want: ":11\r\n"},
	{script: `return "a" .. {}`, want: "-ERR user_script:1: attempt to concatenate a table value script: 945126167b8059003126bccae0e6ac753b885f9c, on @user_script:1.\r\n"},
	{script: `return 1 < "x"`, want: "-ERR user_script:1: attempt to compare number with string script: e16ffcab332cbd0a1688f92a31d9cbac151c3c39, on @user_script:1.\r\n"},
	{script: `local f; f = function() return 1 + f() end return f()`, want: "-ERR user_script:1: stack overflow script: 02ba1e55075b2e7c86986fdc7179872b469889c4, on @user_script:1.\r\n"},
	{script: `return math.floor("x")`, want: "-ERR user_script:1: bad argument #1 to 'floor' (number expected, got string) script: 1f683580f1b3b3032aec840268ad12ed73ed3fef, on @user_script:1.\r\n"},

	// Globals protection and the sandbox.
	// A main chunk has no arg table (Lua 5.1), a nested vararg function
	// that does not use ... has Lua 5.0's.
	{script: `return arg`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'arg' script: 0b8e5b4bc814c3a46de16e9eb2d7c40ba532a9f9, on @user_script:1.\r\n"},
	{script: `local function f(...) return arg.n end return f(1,2)`, want: ":2\r\n"},
	{script: `local function f(a, ...) return type(arg) end return f(1)`, want: "$5\r\ntable\r\n"},
	{script: `return x`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n"},
	{script: `foo()`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'foo' script: 3c061f52aea718c14c209c91cec7e42536b5c368, on @user_script:1.\r\n"},
	{script: `return type(_G.x)`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: b8b4854744aeba41d7adba2e6dc19ecc899d3843, on @user_script:1.\r\n"},
	{script: `x = 1`, want: "-ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n"},
	{script: `string.foo = 1`, want: "-ERR user_script:1: Attempt to modify a readonly table script: 46f9bf166bc7e1ab2ed3b9de7b99c4e1e7dc1f7d, on @user_script:1.\r\n"},
	{script: `redis.call = nil`, want: "-ERR user_script:1: Attempt to modify a readonly table script: 2786c35ed73d3860851cf52e0b5dfbbc0bdb4803, on @user_script:1.\r\n"},
	{script: `rawset(_G, "x", 1) return 1`, want: "-ERR Attempt to modify a readonly table script: 29afa3c0d090e06daf1261cece65a5e6217e26b6, on @user_script:1.\r\n"},
	{script: `setmetatable(_G, nil) return 1`, want: "-ERR Attempt to modify a readonly table script: c122f21771d632cc334af0c2a37dd028f1a230b7, on @user_script:1.\r\n"},
	{script: `getmetatable("").__index = nil return 1`, want: "-ERR user_script:1: Attempt to modify a readonly table script: 087d9c5fb3515ef74a5b0f5ccf0bad6dff7eecc0, on @user_script:1.\r\n"},
	{script: `return type(getmetatable(_G))`, want: "$5\r\ntable\r\n"},
	{script: `return type(getmetatable(string))`, want: "$3\r\nnil\r\n"},
	{script: `return rawget(_G, "nope")`, want: "$-1\r\n"},
	{script: `return _G["redis"] ~= nil`, want: ":1\r\n"},
	{script: `local t = {} t.x = 1 return t.x`, want: ":1\r\n"},
	{script: `return loadfile`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile' script: a08fbe72c95f67027cc9b6349f5d335b598397b7, on @user_script:1.\r\n"},
	{script: `return os`, want: "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: f03b5ad6e7d58786b6a5e879efbea4a4408f5c2f, on @user_script:1.\r\n"},
	{script: `return type(loadstring)`, want: "$8\r\nfunction\r\n"},
	{script: `return _VERSION`, want: "$7\r\nLua 5.1\r\n"},
	{script: `return ("abc"):upper()`, want: "$3\r\nABC\r\n"},
	{script: `local t = setmetatable({}, {__index=string}) return t.upper("a")`, want: "$1\r\nA\r\n"},
	{script: `return coroutine.wrap(function() coroutine.yield(5) end)()`, want: ":5\r\n"},
	{script: `return loadstring("return 7")()`, want: ":7\r\n"},
	{script: `return {loadstring("x(")}`, want: "*0\r\n"},
	{script: `local s = 0 for i = 1, 10 do s = s + i end return s`, want: ":55\r\n"},
	{script: `local r = {} for k,v in pairs(string) do r[#r+1]=k end table.sort(r) return table.concat(r, " ")`,
		want: "$82\r\nbyte char dump find format gfind gmatch gsub len lower match rep reverse sub upper\r\n"},
	{script: `local r = {} for k,v in pairs(table) do r[#r+1]=k end table.sort(r) return table.concat(r, " ")`,
		want: "$57\r\nconcat foreach foreachi getn insert maxn remove setn sort\r\n"},

	// Number formatting.
	{script: `return tostring(1/3)`, want: "$16\r\n0.33333333333333\r\n"},
	{script: `return string.format("%s", 1/3)`, want: "$16\r\n0.33333333333333\r\n"},
	{script: `return tostring(1e15)`, want: "$5\r\n1e+15\r\n"},
	{script: `return tostring(2^53)`, want: "$18\r\n9.007199254741e+15\r\n"},
	{script: `return tostring(-1/0)`, want: "$4\r\n-inf\r\n"},
	{script: `return tostring(0/0)`, want: "$4\r\n-nan\r\n"},
	{script: `return tostring(123456789012)`, want: "$12\r\n123456789012\r\n"},
	{script: `return table.concat({1,2.5,"x"}, ",")`, want: "$7\r\n1,2.5,x\r\n"},

	// The rest of the redis library.
	{script: `return redis.sha1hex("abc")`, want: "$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n"},
	{script: `return redis.sha1hex(1)`, want: "$40\r\n356a192b7913b04c54574d18c28d46e6395428ab\r\n"},
	{script: `return redis.sha1hex({})`, want: "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
	{script: `return redis.sha1hex()`, want: "-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @user_script:1.\r\n"},
	{script: `return redis.replicate_commands()`, want: ":1\r\n"},
	{script: `return redis.set_repl(redis.REPL_ALL)`, want: "$-1\r\n"},
	{script: `return redis.set_repl(7)`, want: "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: cedb2b57227b6373471ce552cec25d44bc1ff54b, on @user_script:1.\r\n"},
	{script: `return redis.set_repl()`, want: "-ERR redis.set_repl() requires two arguments. script: 9504533b41060c143a92eb2f8878e77d33b6dc33, on @user_script:1.\r\n"},
	{script: `return redis.setresp(4)`, want: "-ERR RESP version must be 2 or 3. script: 921c0a48021d97dfd5884aeea41875972c7804d9, on @user_script:1.\r\n"},
	{script: `return redis.setresp()`, want: "-ERR redis.setresp() requires one argument. script: 76da64e28014e7c9ad76db33c3918c53d81a3d7e, on @user_script:1.\r\n"},
	{script: `return redis.log(redis.LOG_WARNING, "hello")`, want: "$-1\r\n"},
	{script: `return redis.log(9, "hello")`, want: "-ERR Invalid debug level. script: e85101a21372637d712d441f5d33e7e4c0cdf28a, on @user_script:1.\r\n"},
	{script: `return redis.log(1)`, want: "-ERR redis.log() requires two arguments or more. script: f5438245431406aa19fc387d93c6d03a0d5bcb0f, on @user_script:1.\r\n"},
	{script: `return redis.log("x","y")`, want: "-ERR First argument must be a number (log level). script: a642a1ea01b696b4b74651935b72c3a016af31a0, on @user_script:1.\r\n"},
	{script: `return redis.REDIS_VERSION`, want: "$6\r\n7.0.15\r\n"},
	{script: `return redis.breakpoint()`, want: "$-1\r\n"},
	{script: `return redis.debug("x")`, want: "$-1\r\n"},

	// math.random with Redis's generator (redisLrand48).
	{script: `math.randomseed(0) return {tostring(math.random()), tostring(math.random())}`, want: "*2\r\n$16\r\n0.17082803611217\r\n$16\r\n0.74990198051087\r\n"},
	{script: `math.randomseed(1) return {math.random(100), math.random(100)}`, want: "*2\r\n:5\r\n:46\r\n"},
	{script: `return math.random(1,2,3)`, want: "-ERR user_script:1: wrong number of arguments script: 5cd983b5db563301a1c7ab05351573640323e7a9, on @user_script:1.\r\n"},
	{script: `return math.random(0)`, want: "-ERR user_script:1: bad argument #1 to 'random' (interval is empty) script: 008bcb60f86ee36d26c67b641b46674578d9cba0, on @user_script:1.\r\n"},
	{script: `return math.random(5,1)`, want: "-ERR user_script:1: bad argument #2 to 'random' (interval is empty) script: a741818ffb7c388451f24cddac469a3d600c6b45, on @user_script:1.\r\n"},
	{script: `return {math.random(5,5)}`, want: "*1\r\n:5\r\n"},

	// Compilation and shebangs.
	{script: `x(`, want: "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n"},
	{script: "#!lua\nreturn 1", want: ":1\r\n"},
	{script: "#!lua flags=no-writes,allow-oom\nreturn 1", want: ":1\r\n"},
	{script: "#!lua flags=bogus\nreturn 1", want: "-ERR Unexpected flag in script shebang: bogus\r\n"},
	{script: "#!lua foo=bar\nreturn 1", want: "-ERR Unknown lua shebang option: foo=bar\r\n"},
	{script: "#!python\nreturn 1", want: "-ERR Unexpected engine in script shebang: #!python\r\n"},
	{script: "#!lua", want: "-ERR Invalid script shebang\r\n"},
	{script: "#!lua\nreturn redis.call(\"nosuch\")", want: "-ERR Unknown Redis command called from script script: d00a0737de7b6d45ae0565f47f428c9be5ce1fa1, on @user_script:2.\r\n"},
}

// Where gopher-lua cannot know what Lua 5.1 knows, the reply differs from
// Redis's in the variable name only: redis 7.0.15 says "attempt to perform
// arithmetic on local 'x' (a nil value)" here.
func TestRuntimeErrorWithoutVariableName(t *testing.T) {
	c := evalCase{script: "local function f()\n  local x = nil\n  return x + 1\nend\nreturn f()",
		want: "-ERR user_script:3: attempt to perform arithmetic on a nil value script: 6ada422c938c914d7bed4bd53a83e2cc48ec75ae, on @user_script:3.\r\n"}
	if got := c.run(t, New()); got != c.want {
		t.Fatalf("got %q, want %q", got, c.want)
	}
}

func TestEvalMatchesRedis(t *testing.T) {
	e := New()
	for _, c := range redisCases {
		if got := c.run(t, e); got != c.want {
			t.Errorf("EVAL %q\n got %q\nwant %q", c.script, got, c.want)
		}
	}
}

// One engine serves every case in turn, as a node's does: no case may leave
// state behind that changes the next one's reply.
func TestEvalCasesAreIndependent(t *testing.T) {
	e := New()
	for range 2 {
		for _, c := range redisCases {
			if got := c.run(t, e); got != c.want {
				t.Errorf("second pass: EVAL %q\n got %q\nwant %q", c.script, got, c.want)
			}
		}
	}
}
