package bitops

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// fuzzLimit is the proto-max-bulk-len of the fuzz target: small, so that
// an allocation the limit does not bound shows up at once.
const fuzzLimit = 1 << 16

// fuzzCommands are the commands a fuzz input picks from, with the arity
// their command table entries give them (negative: at least).
var fuzzCommands = []struct {
	name  string
	arity int
}{
	{"setbit", 4}, {"getbit", 3}, {"bitcount", -2}, {"bitpos", -3}, {"bitop", -4},
	{"bitfield", -2}, {"bitfield_ro", -2}, {"lcs", -3}, {"set", 3},
}

// fuzzArgv decodes one command: the first byte picks it, the rest splits
// on 0xfe into arguments, padded or cut to the command's arity with key
// names.
func fuzzArgv(cmd []byte) [][]byte {
	if len(cmd) == 0 {
		return nil
	}
	spec := fuzzCommands[int(cmd[0])%len(fuzzCommands)]
	argv := [][]byte{[]byte(spec.name)}
	if len(cmd) > 1 {
		argv = append(argv, bytes.Split(cmd[1:], []byte{0xfe})...)
	}
	n := spec.arity
	if n < 0 {
		n = -n
	}
	for len(argv) < n {
		argv = append(argv, []byte("k"))
	}
	if spec.arity > 0 {
		argv = argv[:spec.arity]
	}
	return argv
}

// fuzzEncode is fuzzArgv's inverse, for the seed corpus.
func fuzzEncode(argv ...string) []byte {
	for i, c := range fuzzCommands {
		if c.name == argv[0] {
			out := []byte{byte(i)}
			for j, a := range argv[1:] {
				if j > 0 {
					out = append(out, 0xfe)
				}
				out = append(out, a...)
			}
			return out
		}
	}
	panic("fuzzEncode: unknown command " + argv[0])
}

// FuzzCommands runs sequences of commands (separated by 0xfd) with
// arbitrary arguments through the package behind the test model. No input
// may panic, no string may outgrow the limit (BITFIELD may address up to
// 63 bits past the last allowed offset), and no command may allocate much
// more than the limit: offsets past it must be refused, not allocated.
func FuzzCommands(f *testing.F) {
	for _, step := range quirkScript {
		switch step.argv[0] {
		case "SET", "SETBIT", "GETBIT", "BITCOUNT", "BITPOS", "BITOP", "BITFIELD", "BITFIELD_RO", "LCS":
			argv := append([]string{}, step.argv...)
			argv[0] = string(bytes.ToLower([]byte(argv[0])))
			f.Add(fuzzEncode(argv...))
		}
	}
	f.Add(fuzzEncode("setbit", "k", "524287", "1"))
	f.Add(fuzzEncode("setbit", "k", "524288", "1"))
	f.Add(fuzzEncode("bitfield", "k", "SET", "i64", "#8191", "-1"))
	f.Add(fuzzEncode("bitfield", "k", "INCRBY", "u63", "#8322", "1"))
	f.Add(fuzzEncode("bitfield", "k", "SET", "u8", "#9223372036854775807", "1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newModel(fuzzLimit)
		m.strs["k"] = []byte("foobar")
		m.strs["e"] = []byte{}
		m.others["list"] = true
		w := resp.NewWriter(2)
		for _, cmd := range bytes.Split(data, []byte{0xfd}) {
			argv := fuzzArgv(cmd)
			if argv == nil {
				continue
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			w.Reset()
			m.exec(argv, w)
			runtime.ReadMemStats(&after)
			// A string may take up to the limit plus the 8 bytes a BITFIELD
			// write can reach past it; append rounds capacities up, and LCS
			// has its table (at most the limit) and its answer.
			budget := uint64(3*fuzzLimit + 64*len(data) + 1<<16)
			if got := after.TotalAlloc - before.TotalAlloc; got > budget {
				t.Fatalf("%s allocated %d bytes, budget %d", showArgv(argv), got, budget)
			}
			for k, v := range m.strs { //redsim:ordered any failing key will do
				if len(v) > fuzzLimit+8 {
					t.Fatalf("after %s, %q holds %d bytes, more than the limit", showArgv(argv), k, len(v))
				}
			}
			r := resp.NewReplyReader()
			r.Feed(w.Bytes())
			if _, ok, err := r.Next(); !ok || err != nil || r.Buffered() != 0 {
				t.Fatalf("%s wrote a malformed reply %q", showArgv(argv), w.Bytes())
			}
		}
	})
}
