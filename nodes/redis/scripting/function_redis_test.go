package scripting

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// fnNode is the little of a server the differential test needs around
// Functions: FUNCTION subcommands, FCALL and FCALL_RO with the checks the
// node makes around Find and Call (numkeys, FCALL_RO of a function
// without no-writes).
type fnNode struct {
	f     *Functions
	r     *realRedis
	saved [][]byte // Codes() at the last "DUMP"
}

func (n *fnNode) do(proto int, args []string) []byte {
	w := resp.NewWriter(proto)
	b := toBytes(args)
	cmd := strings.ToLower(args[0])
	switch {
	case cmd == "fcall" || cmd == "fcall_ro":
		fn := n.f.Find(b[1])
		if fn == nil {
			w.WriteError("ERR Function not found")
			break
		}
		nk, err := strconv.ParseInt(args[2], 10, 64)
		switch {
		case err != nil:
			w.WriteError("ERR Bad number of keys provided")
		case nk > int64(len(args)-3):
			w.WriteError("ERR Number of keys can't be greater than number of args")
		case nk < 0:
			w.WriteError("ERR Number of keys can't be negative")
		case cmd == "fcall_ro" && fn.Flags&FlagNoWrites == 0:
			w.WriteError("ERR Can not execute a script with write flag using *_ro command.")
		default:
			n.f.Call(fn, b[3:3+nk], b[3+nk:], n.r.ctx(), w)
		}
	case cmd == "function":
		switch sub := strings.ToLower(args[1]); sub {
		case "load":
			code, opts, err := ParseLoadArgs(b[2:])
			if err == nil {
				var name string
				if name, err = n.f.Load(code, opts); err == nil {
					w.WriteBulkString(name)
				}
			}
			if err != nil {
				w.WriteError(err.Error())
			}
		case "list":
			o, err := ParseListArgs(b[2:])
			if err != nil {
				w.WriteError(err.Error())
				break
			}
			n.f.WriteList(w, o)
		case "delete":
			if err := n.f.Delete(b[2]); err != nil {
				w.WriteError(err.Error())
			} else {
				w.WriteOK()
			}
		case "flush":
			n.f.Flush()
			w.WriteOK()
		case "stats":
			n.f.WriteStats(w, w.WriteNull)
		case "restore":
			policy := RestoreAppend
			var err error
			if len(b) > 3 {
				policy, err = ParseRestorePolicy(b[3])
			}
			if err == nil {
				err = n.f.Restore(n.saved, policy)
			}
			if err != nil {
				w.WriteError(err.Error())
			} else {
				w.WriteOK()
			}
		}
	}
	return w.Bytes()
}

// canonical sorts FUNCTION LIST's libraries and their functions by name,
// since Redis lists them in its hash order.
func canonical(t *testing.T, raw []byte, isList bool) []byte {
	if !isList {
		return raw
	}
	rr := resp.NewReplyReader()
	rr.Feed(raw)
	v, ok, err := rr.Next()
	if !ok || err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	field := func(m resp.Value, k string) *resp.Value {
		for i := 0; i+1 < len(m.Elems); i += 2 {
			if string(m.Elems[i].Str) == k {
				return &m.Elems[i+1]
			}
		}
		return nil
	}
	if v.Kind == resp.KindArray {
		for _, lib := range v.Elems {
			if fns := field(lib, "functions"); fns != nil {
				sort.Slice(fns.Elems, func(i, j int) bool {
					return string(field(fns.Elems[i], "name").Str) < string(field(fns.Elems[j], "name").Str)
				})
			}
		}
		sort.Slice(v.Elems, func(i, j int) bool {
			a, b := field(v.Elems[i], "library_name"), field(v.Elems[j], "library_name")
			return a != nil && b != nil && string(a.Str) < string(b.Str)
		})
	}
	return resp.AppendValue(nil, v)
}

const (
	libA = "#!lua name=liba\n" +
		"redis.register_function('fa', function(keys, args) return {keys, args} end)\n" +
		"redis.register_function{function_name='Fb', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, description='writes'}\n" +
		"redis.register_function{function_name='fro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'ALLOW-stale', 'allow-oom', 'no-cluster', 'allow-cross-slot-keys'}}\n"
	libB = "#!lua name=libb\n" +
		"local calls = 0\n" +
		"local function boom() error('boom') end\n" +
		"redis.register_function('count', function() calls = calls + 1 return calls end)\n" +
		"redis.register_function('fails', function() boom() end)\n" +
		"redis.register_function('usekeys', function() return KEYS end)\n" +
		"redis.register_function('setglobal', function() x = 1 end)\n" +
		"redis.register_function('resp3', function() redis.setresp(3) redis.call('del', 'hh') redis.call('hset', 'hh', 'a', 'b') return redis.call('hgetall', 'hh') end)\n" +
		"redis.register_function('tbool', function() redis.setresp(3) return {true, false} end)\n" +
		"redis.register_function('rawerr', function() return redis.error_reply('MY own') end)\n" +
		"redis.register_function('msgpack', function(keys, args) return cmsgpack.pack(args) end)\n"
)

// fnSteps is a FUNCTION session; "DUMP" saves the libraries for the
// "FUNCTION RESTORE" steps (FUNCTION DUMP on the real server).
var fnSteps = [][]string{
	{"FUNCTION", "FLUSH"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "LOAD", "return 1"},
	{"FUNCTION", "LOAD", "#!lua"},
	{"FUNCTION", "LOAD", "#!lua\nreturn 1"},
	{"FUNCTION", "LOAD", "#!lua name=a name=b\n"},
	{"FUNCTION", "LOAD", "#!lua foo=bar\n"},
	{"FUNCTION", "LOAD", "#!lua \"name=x\n"},
	{"FUNCTION", "LOAD", "#!js name=x\n"},
	{"FUNCTION", "LOAD", "#! lua name=x\n"},
	{"FUNCTION", "LOAD", "#!lua name=a-b\n"},
	{"FUNCTION", "LOAD", "#!lua name=\n"},
	{"FUNCTION", "LOAD", "#!lua name=nofn\nreturn 1"},
	{"FUNCTION", "LOAD", "#!lua name=e\nreturn string.len('x')"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.call('ping')"},
	{"FUNCTION", "LOAD", "#!lua name=e\nx = 1"},
	{"FUNCTION", "LOAD", "#!lua name=e\nlocal t = {} t.x = 1 return KEYS"},
	{"FUNCTION", "LOAD", "#!lua name=e\nreturn 1 +"},
	{"FUNCTION", "LOAD", "#!lua name=e\nerror('x')"},
	{"FUNCTION", "LOAD", "#!lua name=e\nerror({})"},
	{"FUNCTION", "LOAD", "#!lua name=e\nerror({err='MY x'})"},
	{"FUNCTION", "LOAD", "#!lua name=e\nerror(12)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function()"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('a-b', function() end)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('', function() end)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('f', function() end) redis.register_function('f', function() end)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function({}, function() end)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('f', 1)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function(1, function() end)"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('f')"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f'}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{callback=function() end}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=function() end, what=1}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=function() end, flags='no-writes'}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=function() end, flags={'bad'}}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=function() end, flags={{}}}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=function() end, description={}}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name={}, callback=function() end}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{function_name='f', callback=1}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.register_function{[{}]=1}"},
	{"FUNCTION", "LOAD", "#!lua name=e\nredis.log(redis.LOG_WARNING, 'loading') redis.register_function('f', function() return redis.REDIS_VERSION end)"},
	{"FUNCTION", "LOAD", "bad", "x"},
	{"FUNCTION", "LOAD", libA},
	{"FUNCTION", "LOAD", "#!LUA name=libb\n" + libB[len("#!lua name=libb\n"):]},
	{"FUNCTION", "LOAD", libA},
	{"FUNCTION", "LOAD", "#!lua name=clash\nredis.register_function('FA', function() end)"},
	{"FUNCTION", "LOAD", "replace", "#!lua name=liba\nredis.register_function('count', function() end)"},
	{"FUNCTION", "LOAD", "replace", "#!lua name=liba\nreturn 1 +"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "LIST", "WITHCODE"},
	{"FUNCTION", "LIST", "LIBRARYNAME", "LIBA"},
	{"FUNCTION", "LIST", "libraryname", "*b", "withcode"},
	{"FUNCTION", "LIST", "LIBRARYNAME"},
	{"FUNCTION", "LIST", "WITHCODE", "WITHCODE"},
	{"FUNCTION", "LIST", "foo"},
	{"FCALL", "fa", "2", "k1", "k2", "a1"},
	{"FCALL", "FA", "0"},
	{"FCALL", "nosuch", "0"},
	{"FCALL", "fa", "x"},
	{"FCALL", "fa", "-1"},
	{"FCALL", "fa", "3", "a"},
	{"FCALL", "fb", "1", "fk", "fv"},
	{"FCALL_RO", "fb", "1", "fk", "fv"},
	{"FCALL_RO", "fro", "1", "fk"},
	{"FCALL", "count", "0"},
	{"FCALL", "count", "0"},
	{"FCALL", "fails", "0"},
	{"FCALL", "usekeys", "0"},
	{"FCALL", "setglobal", "0"},
	{"FCALL", "resp3", "0"},
	{"FCALL", "tbool", "0"},
	{"FCALL", "rawerr", "0"},
	{"FCALL", "msgpack", "0", "a", "b"},
	{"DUMP"},
	{"FUNCTION", "DELETE", "e"},
	{"FUNCTION", "DELETE", "libb"},
	{"FUNCTION", "RESTORE", "PAYLOAD"},
	{"FUNCTION", "RESTORE", "PAYLOAD", "bad"},
	{"FUNCTION", "RESTORE", "PAYLOAD", "REPLACE"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "DELETE", "libb"},
	{"FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('count', function() return 'other' end)"},
	{"FUNCTION", "RESTORE", "PAYLOAD", "replace"},
	{"FUNCTION", "RESTORE", "PAYLOAD", "FLUSH"},
	{"FCALL", "count", "0"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "DELETE", "nosuch"},
	{"FUNCTION", "DELETE", "LIBA"},
	{"FUNCTION", "DELETE", "liba"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "FLUSH"},
	{"FUNCTION", "RESTORE", "PAYLOAD", "APPEND"},
	{"FUNCTION", "LIST"},
	{"FUNCTION", "STATS"},
	{"FUNCTION", "FLUSH"},
}

func TestDifferentialFunctions(t *testing.T) {
	r := startRealRedis(t)
	for _, proto := range []int{2, 3} {
		n := &fnNode{f: NewFunctions(), r: r}
		var payload []byte
		for _, step := range fnSteps {
			if step[0] == "DUMP" {
				rr := resp.NewReplyReader()
				rr.Feed(r.conn(proto).do(t, "FUNCTION", "DUMP"))
				v, _, _ := rr.Next()
				payload = v.Str
				n.saved = n.f.Codes()
				continue
			}
			args := append([]string(nil), step...)
			if len(args) > 2 && args[1] == "RESTORE" {
				args[2] = string(payload)
			}
			isList := len(args) > 1 && strings.EqualFold(args[1], "list")
			want := canonical(t, r.conn(proto).do(t, args...), isList)
			got := canonical(t, n.do(proto, args), isList)
			if !bytes.Equal(got, want) {
				t.Errorf("RESP%d %q\n got %q\nwant %q", proto, step, got, want)
			}
		}
	}
}
