package scripting

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/nodes/resp"
)

// The differential tests run scripts and FUNCTION sequences on a real
// redis-server 7.0 and on the engine, and compare the reply bytes. The
// engine's Context.CallProto runs its commands on the same redis-server,
// so command replies are real ones in either protocol.

// realRedis is a redis-server with three raw connections: RESP2 and RESP3
// clients, and the one that serves the engine's redis.call.
type realRedis struct {
	t         *testing.T
	c2, c3    *rawConn
	call      *rawConn
	callProto int
}

type rawConn struct {
	conn net.Conn
	r    *bufio.Reader
	rr   *resp.ReplyReader
}

func startRealRedis(t *testing.T) *realRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	problem := ""
	if err != nil {
		problem = "redis-server not found on PATH; install Redis 7.0 to run the differential tests"
	} else if out, err := exec.Command(bin, "--version").Output(); err != nil || !strings.Contains(string(out), "v=7.0.") {
		problem = bin + " is not Redis 7.0.x"
	}
	if problem != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", problem)
		}
		t.Skip(problem)
	}
	dir := t.TempDir()
	for range 5 {
		port, err := freeport.Port()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--loglevel", "warning", "--logfile", "")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		kill := func() { _ = cmd.Process.Kill(); <-exited }
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		r := &realRedis{t: t, callProto: 2}
		if r.c2 = dialRaw(addr, exited); r.c2 == nil {
			kill()
			continue
		}
		r.c3, r.call = dialRaw(addr, exited), dialRaw(addr, exited)
		t.Cleanup(func() {
			for _, c := range []*rawConn{r.c2, r.c3, r.call} {
				if c != nil {
					_ = c.conn.Close()
				}
			}
			kill()
		})
		if r.c3 == nil || r.call == nil {
			t.Fatalf("connecting to redis-server")
		}
		r.c3.do(t, "HELLO", "3")
		return r
	}
	t.Fatalf("redis-server did not start")
	return nil
}

func dialRaw(addr string, exited <-chan struct{}) *rawConn {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil
		default:
		}
		d := net.Dialer{Timeout: time.Second}
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			return &rawConn{conn: conn, r: bufio.NewReader(conn), rr: resp.NewReplyReader()}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// do sends one command and returns its reply's bytes.
func (c *rawConn) do(t *testing.T, args ...string) []byte {
	t.Helper()
	_ = c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		t.Fatalf("writing to redis-server: %v", err)
	}
	return c.read(t)
}

func (c *rawConn) doBytes(t *testing.T, args [][]byte) []byte {
	t.Helper()
	_ = c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write(resp.AppendCommand(nil, args...)); err != nil {
		t.Fatalf("writing to redis-server: %v", err)
	}
	return c.read(t)
}

func (c *rawConn) read(t *testing.T) []byte {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		raw := append([]byte(nil), c.rr.Peek()...)
		before := c.rr.Buffered()
		_, ok, err := c.rr.Next()
		if err != nil {
			t.Fatalf("reading from redis-server: %v", err)
		}
		if ok {
			return raw[:before-c.rr.Buffered()]
		}
		n, err := c.r.Read(buf)
		if err != nil {
			t.Fatalf("reading from redis-server: %v", err)
		}
		c.rr.Feed(buf[:n])
	}
}

// ctx is the Context the engine runs with: its commands go to the real
// server, in the protocol the script asked for.
func (r *realRedis) ctx() Context {
	return Context{
		CallProto: func(args [][]byte, proto int) []byte {
			if proto != r.callProto {
				r.call.do(r.t, "HELLO", strconv.Itoa(proto))
				r.callProto = proto
			}
			return r.call.doBytes(r.t, args)
		},
	}
}

func (r *realRedis) conn(proto int) *rawConn {
	if proto == 3 {
		return r.c3
	}
	return r.c2
}

// diffScripts are EVAL bodies whose replies must match Redis's byte for
// byte, for a RESP2 and a RESP3 caller.
var diffScripts = []string{
	// Lua 5.0's arg table: none for the main chunk, one for a nested vararg
	// function that does not use ....
	`return arg`,
	`local function f(...) return arg.n end return f(1, 2)`,
	`local function f(a, ...) return {type(arg), arg.n} end return f(1)`,
	// cmsgpack: numbers, strings, tables, nesting, streams.
	`return cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)`,
	`return cmsgpack.pack(1.5, 0.1, -0.25, 1/0, -1/0, 2^63, -2^63, 2^53+1, 1e300)`,
	`return cmsgpack.pack("", "x", string.rep("a", 31), string.rep("b", 32), string.rep("c", 255), string.rep("d", 256), string.rep("e", 65536))`,
	`return cmsgpack.pack(true, false, nil, {}, {1, 2, 3}, {1, nil, 3}, {x = 1}, {[1] = 1, [3] = 3}, {[1.5] = 1}, {[-1] = 1})`,
	`local t = {} t[1] = t return cmsgpack.pack(t)`,
	`return cmsgpack.pack(cjson.null, redis.call, coroutine.create(function() end))`,
	`local t = {} for i = 1, 20 do t[i] = i * 1000 end return cmsgpack.pack(t)`,
	`local t = {} for i = 1, 70000 do t[i] = 1 end return #cmsgpack.pack(t)`,
	`return {cmsgpack.unpack(cmsgpack.pack(1, -1, 300, -300, 70000, -70000, 5000000000, -5000000000, "str", true, false))}`,
	`return cjson.encode({cmsgpack.unpack(cmsgpack.pack({1, 2, {3, 4}}, {a = {b = "c"}}))})`,
	`local v = cmsgpack.unpack(cmsgpack.pack(1.5, 0.1)) return tostring(v)`,
	`return {cmsgpack.unpack("\207\255\255\255\255\255\255\255\255", "\211\128\0\0\0\0\0\0\0")}`,
	`return {cmsgpack.unpack("\207\255\255\255\255\255\255\255\255")}`,
	`return {cmsgpack.unpack("\202\63\192\0\0")}`,
	`return tostring(cmsgpack.unpack("\203\63\185\153\153\153\153\153\154"))`,
	`return {cmsgpack.unpack("\147\1\192\3")}`,
	`return {cmsgpack.unpack("\129\1\192")}`,
	`return {cmsgpack.unpack("\129\192\1")}`,
	`return {cmsgpack.unpack("\193")}`,
	`return {cmsgpack.unpack("\196\1a")}`,
	`return {cmsgpack.unpack("\146\1")}`,
	`return {cmsgpack.unpack("\218\0")}`,
	`return {cmsgpack.unpack("\219\0\0\0\5ab")}`,
	`return {cmsgpack.unpack("")}`,
	`return {cmsgpack.unpack(123)}`,
	`return cmsgpack.unpack({})`,
	`return cmsgpack.unpack()`,
	`return cmsgpack.pack()`,
	`return {cmsgpack.unpack_one("\1\2\3")}`,
	`return {cmsgpack.unpack_one("\1\2\3", 1)}`,
	`return {cmsgpack.unpack_one("\1\2\3", 2)}`,
	`return {cmsgpack.unpack_one("\1\2\3", 3)}`,
	`return {cmsgpack.unpack_one("\1\2\3", 4)}`,
	`return {cmsgpack.unpack_one("\1\2\3", -1)}`,
	`return {cmsgpack.unpack_one("\1\2\3", "x")}`,
	`return {cmsgpack.unpack_limit("\1\2\3", 2)}`,
	`return {cmsgpack.unpack_limit("\1\2\3", 0)}`,
	`return {cmsgpack.unpack_limit("\1\2\3", 2, 1)}`,
	`return {cmsgpack.unpack_limit("\1\2\3", -1)}`,
	`return {cmsgpack.unpack_limit("\1\2\3")}`,
	`local s = string.rep("\1", 7999) return #{cmsgpack.unpack(s)}`,
	`local s = string.rep("\1", 8000) return #{cmsgpack.unpack(s)}`,
	`local s = string.rep("\145", 3998) .. "\1" return type(cmsgpack.unpack(s))`,
	`local s = string.rep("\145", 4010) .. "\1" return cmsgpack.unpack(s)`,
	`local s = string.rep("\129\1", 4010) .. "\1" return cmsgpack.unpack(s)`,
	`return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}`,

	// struct: formats, alignment, byte order, sizes, errors.
	`return struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)`,
	`return struct.pack(">bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)`,
	`return struct.pack("<i3 >i3 i1 i5 i16 I9", -2, -2, 300, -1, -1, 2^60)`,
	`return struct.pack(">L", 2^64) .. struct.pack(">L", 0/0) .. struct.pack(">l", -1e30) .. struct.pack(">L", 1e30) .. struct.pack(">L", -1)`,
	`return struct.pack("fd>fd", 1.5, 0.1, -2.25, 1/0)`,
	`return struct.pack("!bd!4bi!2bh!bl", 1, 2, 3, 4, 5, 6, 7, 8)`,
	`return struct.pack("!8 b i3 b i b", 1, 2, 3, 4, 5)`,
	`return struct.pack("c3sxc0c", "abc", "def", "ghi", "j")`,
	`return struct.pack("c2", "a")`,
	`return struct.pack("s", 12.5)`,
	`return struct.pack("i", "12")`,
	`return struct.pack("i", "x")`,
	`return struct.pack("i")`,
	`return struct.pack("z")`,
	`return struct.pack("i33", 1)`,
	`return struct.pack("!3", 1)`,
	`return struct.pack("i99999999999", 1)`,
	`return struct.pack("b\0z", 1)`,
	`return struct.pack()`,
	`return {struct.unpack("bBhHlLTiI", struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295))}`,
	`return {struct.unpack(">i9", string.rep("\255", 9))}`,
	`return {struct.unpack("<i9", "\1\0\0\0\0\0\0\0\128")}`,
	`return {struct.unpack("<i16", string.rep("\255", 16))}`,
	`return {struct.unpack("i0", "")}`,
	`return {struct.unpack("c1c0", "3abcd")}`,
	`return {struct.unpack("bc0", "\2xyz")}`,
	`return {struct.unpack("c0", "abc")}`,
	`return {struct.unpack("s s", "ab\0cd\0")}`,
	`return {struct.unpack("s", "ab")}`,
	`return {struct.unpack("xxb", "abc")}`,
	`return {struct.unpack("b", "abc", 2)}`,
	`return {struct.unpack("b", "abc", 4)}`,
	`return {struct.unpack("", "", -5)}`,
	`return {struct.unpack("i", "", 0)}`,
	`return {struct.unpack("i", "abc")}`,
	`return {struct.unpack("!4 b i", "\1\0\0\0\2\0\0\0")}`,
	`return {struct.unpack("d", struct.pack("d", 0.1))}`,
	`return tostring(struct.unpack("f", struct.pack("f", 0.1)))`,
	`return {struct.unpack("q", "a")}`,
	`return #{struct.unpack(string.rep("b", 7997), string.rep("a", 7997))}`,
	`return #{struct.unpack(string.rep("b", 7998), string.rep("a", 7998))}`,
	`return {struct.size("bhilTfdx"), struct.size("!bhilTfdx"), struct.size("!4 b d"), struct.size("zi!4i"), struct.size("c9"), struct.size("")}`,
	`return struct.size("s")`,
	`return struct.size("c0")`,
	`return struct.size("b%")`,
	`return struct.size("i40")`,

	// setresp and the conversions both ways.
	`redis.setresp(3) redis.call("del", "h") redis.call("hset", "h", "f", "v") return redis.call("hgetall", "h")`,
	`redis.setresp(3) redis.call("del", "h") redis.call("hset", "h", "f", "v") local m = redis.call("hgetall", "h") return m.map.f`,
	`redis.setresp(3) redis.call("del", "s") redis.call("sadd", "s", "a") return redis.call("smembers", "s")`,
	`redis.setresp(3) redis.call("del", "s") redis.call("sadd", "s", "a") return redis.call("smembers", "s").set.a`,
	`redis.setresp(3) redis.call("del", "z") redis.call("zadd", "z", "1.5", "a") return redis.call("zscore", "z", "a")`,
	`redis.setresp(3) redis.call("del", "z") redis.call("zadd", "z", "1.5", "a") return redis.call("zscore", "z", "a").double`,
	`redis.setresp(3) return redis.call("get", "nosuchkey")`,
	`redis.setresp(3) return type(redis.call("get", "nosuchkey"))`,
	`redis.setresp(2) return type(redis.call("get", "nosuchkey"))`,
	`redis.setresp(3) return redis.call("exists", "nosuchkey")`,
	`redis.setresp(3) return true`,
	`redis.setresp(3) return false`,
	`redis.setresp(3) return {true, false, 1}`,
	`redis.setresp(3) redis.setresp(2) return false`,
	`return {double = 1.5}`,
	`return {double = 0/0}`,
	`return {big_number = "12345678901234567890"}`,
	`local t = 1 for i = 1, 20 do t = {t} end return cmsgpack.pack(t)`,
	`redis.setresp(3) redis.call("del", "h") return redis.call("hgetall", "h")`,
	`redis.setresp(3) redis.call("del", "z") redis.call("zadd", "z", "1.5", "a", "2.5", "b") return redis.call("zrange", "z", 0, -1, "withscores")`,
	`redis.setresp(3) return redis.call("zscore", "nosuchkey", "a")`,
	`redis.setresp(3) redis.call("del", "s") redis.call("sadd", "s", "a") return redis.pcall("incr", "s")`,
	`redis.setresp(3) redis.call("del", "s") redis.call("sadd", "s", "a") return redis.call("incr", "s")`,
	`return {verbatim_string = {format = "mkd", string = "hello"}}`,
	`return {verbatim_string = {format = "txt"}}`,
	`return {map = {k = "v"}}`,
	`return {map = {k = {set = {x = true}}}}`,
	`return {set = {[1] = true}}`,
	`return {map = {}}`,
	`redis.setresp(3) return redis.call("ping")`,
	`redis.setresp(4)`,
	`redis.setresp()`,
	`redis.setresp(2, 3)`,

	// set_repl, replicate_commands, acl_check_cmd, breakpoint, debug.
	`redis.set_repl(redis.REPL_ALL) redis.set_repl(redis.REPL_NONE) redis.set_repl(redis.REPL_AOF) redis.set_repl(redis.REPL_REPLICA) redis.set_repl(redis.REPL_SLAVE) return 1`,
	`redis.set_repl(4)`,
	`redis.set_repl(-1)`,
	`redis.set_repl(2^40)`,
	`redis.set_repl("x") return 1`,
	`redis.set_repl("2") return 1`,
	`redis.set_repl()`,
	`redis.set_repl(1, 2)`,
	`return {redis.REPL_ALL, redis.REPL_AOF, redis.REPL_NONE, redis.REPL_REPLICA, redis.REPL_SLAVE}`,
	`return redis.replicate_commands()`,
	`return redis.breakpoint()`,
	`return {redis.debug("x", 1)}`,
	`return redis.acl_check_cmd("get", "x")`,
	`return redis.acl_check_cmd()`,
	`return redis.acl_check_cmd({})`,
	`return redis.REDIS_VERSION .. " " .. redis.REDIS_VERSION_NUM`,
	`return type(__redis__err__handler)`,
}

func TestDifferentialScripts(t *testing.T) {
	r := startRealRedis(t)
	e := New()
	for _, proto := range []int{2, 3} {
		for _, s := range diffScripts {
			want := r.conn(proto).do(t, "EVAL", s, "0")
			w := resp.NewWriter(proto)
			e.Eval([]byte(s), nil, nil, r.ctx(), w)
			if got := w.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("RESP%d EVAL %q\n got %q\nwant %q", proto, s, got, want)
			}
		}
	}
}

// TestDifferentialGlobals compares the sandbox's globals and library
// tables with Redis's, for EVAL and for functions.
func TestDifferentialGlobals(t *testing.T) {
	const list = `
local out = {}
local names = {}
for k in pairs(_G) do table.insert(names, k) end
table.sort(names)
for _, k in ipairs(names) do
  local v = _G[k]
  local s = k .. ":" .. type(v)
  if type(v) == "table" and k ~= "_G" and k ~= "KEYS" and k ~= "ARGV" then
    local sub = {}
    for kk in pairs(v) do table.insert(sub, tostring(kk)) end
    table.sort(sub)
    s = s .. " {" .. table.concat(sub, ",") .. "}"
  end
  table.insert(out, s)
end
return out`
	r := startRealRedis(t)
	want := r.c2.do(t, "EVAL", list, "0")
	w := resp.NewWriter(2)
	New().Eval([]byte(list), nil, nil, r.ctx(), w)
	if !bytes.Equal(w.Bytes(), want) {
		t.Errorf("EVAL globals\n got %q\nwant %q", w.Bytes(), want)
	}
	lib := "#!lua name=globals\nredis.register_function('globals', function(keys, args)" + list + "\nend)"
	r.c2.do(t, "FUNCTION", "LOAD", lib)
	want = r.c2.do(t, "FCALL", "globals", "0")
	f := NewFunctions()
	if _, err := f.Load([]byte(lib), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	w.Reset()
	f.Call(f.Find([]byte("globals")), nil, nil, r.ctx(), w)
	if !bytes.Equal(w.Bytes(), want) {
		t.Errorf("FCALL globals\n got %q\nwant %q", w.Bytes(), want)
	}
	r.c2.do(t, "FUNCTION", "FLUSH")
}
