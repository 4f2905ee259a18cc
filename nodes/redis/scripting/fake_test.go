package scripting

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/resp"
)

// fakeServer is a tiny map-backed command executor standing in for the
// node: enough of GET, SET, INCR, DEL, EXISTS and PING, with the error
// replies Redis 7.0 gives scripts for unknown commands and bad arity.
type fakeServer struct {
	data  map[string]string
	calls [][]string
	logs  []string
}

func newFakeServer() *fakeServer { return &fakeServer{data: make(map[string]string)} }

func (f *fakeServer) ctx() Context {
	return Context{
		Call: f.call,
		Log:  func(level int, msg string) { f.logs = append(f.logs, strconv.Itoa(level)+" "+msg) },
	}
}

func (f *fakeServer) call(args [][]byte) []byte {
	var call []string
	for _, a := range args {
		call = append(call, string(a))
	}
	f.calls = append(f.calls, call)
	w := resp.NewWriter(2)
	arity := map[string]int{"get": 2, "set": 3, "incr": 2, "del": -2, "exists": -2, "ping": -1, "eval": -3}
	name := strings.ToLower(call[0])
	n, ok := arity[name]
	switch {
	case !ok:
		w.WriteError("ERR Unknown Redis command called from script")
		return w.Bytes()
	case (n > 0 && len(call) != n) || (n < 0 && len(call) < -n):
		w.WriteError("ERR Wrong number of args calling Redis command from script")
		return w.Bytes()
	}
	switch name {
	case "eval":
		w.WriteError("ERR This Redis command is not allowed from script")
	case "ping":
		w.WriteSimpleString("PONG")
	case "get":
		if v, ok := f.data[call[1]]; ok {
			w.WriteBulkString(v)
		} else {
			w.WriteNull()
		}
	case "set":
		f.data[call[1]] = call[2]
		w.WriteOK()
	case "incr":
		v, err := strconv.ParseInt(f.data[call[1]], 10, 64)
		if _, ok := f.data[call[1]]; !ok {
			v, err = 0, nil
		}
		if err != nil {
			w.WriteError("ERR value is not an integer or out of range")
			break
		}
		f.data[call[1]] = strconv.FormatInt(v+1, 10)
		w.WriteInt(v + 1)
	case "del", "exists":
		var c int64
		for _, k := range call[1:] {
			if _, ok := f.data[k]; ok {
				c++
				if name == "del" {
					delete(f.data, k)
				}
			}
		}
		w.WriteInt(c)
	}
	return append([]byte(nil), w.Bytes()...)
}
