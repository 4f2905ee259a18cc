package redisdiff

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
)

// dialTest connects to addr and closes the connection when the test ends.
func dialTest(t *testing.T, addr string) *Conn {
	t.Helper()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// commandInfos returns Redis's COMMAND INFO entries by full name for the
// given top-level commands and all their subcommands; a command Redis does
// not know is left out.
func commandInfos(t *testing.T, c *Conn, names []string) map[string]resp.Value {
	t.Helper()
	infos := map[string]resp.Value{}
	for _, name := range names {
		raw, err := c.DoStrings("COMMAND", "INFO", name)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := parseReply(raw)
		if !ok || v.Kind != resp.KindArray || len(v.Elems) != 1 {
			t.Fatalf("COMMAND INFO %s: unexpected reply %q", name, raw)
		}
		entry := v.Elems[0]
		if entry.IsNull {
			continue
		}
		if len(entry.Elems) != 10 {
			t.Fatalf("COMMAND INFO %s: %d fields, want 10: %s", name, len(entry.Elems), entry)
		}
		infos[name] = entry
		for _, sub := range entry.Elems[9].Elems {
			infos[string(sub.Elems[0].Str)] = sub
		}
	}
	return infos
}

// infoKeyRange reads first key, last key, step and movablekeys from a
// COMMAND INFO entry.
func infoKeyRange(entry resp.Value) redis.KeyRange {
	r := redis.KeyRange{
		First: int(entry.Elems[3].Int),
		Last:  int(entry.Elems[4].Int),
		Step:  int(entry.Elems[5].Int),
	}
	for _, f := range entry.Elems[2].Elems {
		r.Movable = r.Movable || string(f.Str) == "movablekeys"
	}
	return r
}

// TestCommandKeyRanges: for every command and subcommand the node
// implements, its table's first key, last key, step and movablekeys flag
// are those of redis-server 7.0.15's COMMAND INFO. A subcommand
// ("config|get") is compared with its entry in the subcommands section of
// COMMAND INFO of its container, the form in which COMMAND lists it.
func TestCommandKeyRanges(t *testing.T) {
	c := dialTest(t, StartRedis(t))
	tbl := redis.NewCommandTable()
	var top []string
	for _, name := range tbl.Names() {
		if !strings.Contains(name, "|") {
			top = append(top, name)
		}
	}
	infos := commandInfos(t, c, top)
	compared := 0
	for _, name := range tbl.Names() {
		entry, ok := infos[name]
		if !ok {
			t.Errorf("%s: redis-server 7.0.15 has no such command", name)
			continue
		}
		want := infoKeyRange(entry)
		got, _ := tbl.KeyRange(name)
		if got != want {
			t.Errorf("%s: node has keys %+v; COMMAND INFO says %+v", name, got, want)
		}
		compared++
	}
	if compared < 150 {
		t.Errorf("compared only %d commands; the node implements more", compared)
	}
	t.Logf("compared the key range of %d commands and subcommands", compared)
}

// keyExamples returns argvs to ask COMMAND GETKEYS about: every command
// and subcommand of tbl with one to seven arguments in all, which covers
// each command's arity, the counts around it and the longer forms of the
// variadic ones, and hand-written cases for what that misses: key counts,
// case, unknown names.
func keyExamples(tbl *redis.CommandTable) [][]string {
	var out [][]string
	for _, name := range tbl.Names() {
		base := strings.Split(name, "|")
		for n := len(base); n <= 7; n++ {
			argv := append([]string(nil), base...)
			for i := len(base); i < n; i++ {
				argv = append(argv, "a"+strconv.Itoa(i))
			}
			out = append(out, argv)
		}
	}
	for _, cmd := range []string{"eval", "EVALSHA"} {
		for _, count := range []string{"0", "1", "2", "3", "-1", "", "abc", "1abc", " 1", "+1", "01", "1.0",
			"2147483648", "4294967296", "4294967297", "9223372036854775807", "99999999999999999999"} {
			for keys := 0; keys <= 3; keys++ {
				argv := []string{cmd, "return 1", count}
				for i := range keys {
					argv = append(argv, "k"+strconv.Itoa(i))
				}
				out = append(out, argv)
			}
		}
	}
	for _, line := range []string{
		"GeT k", "GET k", "MSET a 1 b", "Mset a 1 b 2 c", "BLPOP a 0", "blmove a b LEFT RIGHT 0",
		"SINTERSTORE d a", "SDIFFSTORE d a b c", "RENAME a a", "set k v get", "CONFIG GET x", "Config get x",
		"CLIENT SETNAME x", "client nosuch x", "config nosuch", "nosuch a", "PUBSUB NUMSUB c", "script load x",
		"command getkeys get k", "COMMAND COUNT x", "abcdefghijklmnopqrstuvwxyzabcdefghij k",
		"LMPOP 2 a b LEFT", "LMPOP 0 a LEFT", "LMPOP 3 a b LEFT", "LMPOP x a LEFT", "BLMPOP 0 2 a b RIGHT COUNT 2",
		"BLMPOP 0 9 a b RIGHT", "ZMPOP 1 a MIN", "BZMPOP 1 2 a b MAX", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 5 a b",
		"ZUNIONSTORE d 2 a b WEIGHTS 1 2", "ZUNIONSTORE d 0 a", "ZUNIONSTORE d 3 a b", "ZINTERSTORE d 1abc a",
		"ZDIFFSTORE d 1 a", "ZINTER 2 a b", "ZUNION 1 a WITHSCORES", "ZDIFF 9 a", "ZINTERCARD 2 a b LIMIT 0",
		"ZRANGESTORE d s 0 -1", "COPY a b DB 1 REPLACE", "MOVE a 1", "SWAPDB 0 1", "BZPOPMIN a b 0", "BZPOPMAX a 0",
		"SORT k", "SORT k STORE d", "SORT k BY w_* GET # STORE d LIMIT 0 1", "SORT k LIMIT 0 1 STORE d STORE e",
		"SORT k GET store STORE d", "SORT k STORE", "sort k by store store x", "SORT_RO k BY w_* GET #",
		"EVAL_RO s 1 k", "EVALSHA_RO s 0", "EVAL_RO s -1 k", "OBJECT ENCODING k", "OBJECT HELP", "LOLWUT VERSION 5",
		"HRANDFIELD h 1", "ZRANDMEMBER z", "READONLY", "COMMAND INFO get",
	} {
		out = append(out, strings.Fields(line))
	}
	// No name with a NUL byte ("get\x00"): Redis hashes the whole name but
	// compares names as C strings, so it finds GET when "get\x00" happens
	// to fall in GET's bucket, which depends on the hash seed it draws at
	// startup (about one start in a hundred).
	out = append(out, []string{"", "k"}, []string{"get", ""})
	return out
}

// getKeysReply is the reply COMMAND GETKEYS gives for KeyPositions's
// answer.
func getKeysReply(argv []string, pos []int, err error) []byte {
	if err != nil {
		return []byte("-" + err.Error() + "\r\n")
	}
	b := []byte("*" + strconv.Itoa(len(pos)) + "\r\n")
	for _, p := range pos {
		b = append(b, "$"+strconv.Itoa(len(argv[p]))+"\r\n"+argv[p]+"\r\n"...)
	}
	return b
}

// TestCommandGetKeys: COMMAND GETKEYS gives the same reply bytes on the
// node as on redis-server 7.0.15 for every example argv, and the table's
// KeyPositions agrees with Redis's reply.
func TestCommandGetKeys(t *testing.T) {
	want, got := sides(t)
	wc, gc := dialTest(t, want.Addr), dialTest(t, got.Addr)
	tbl := redis.NewCommandTable()
	examples := keyExamples(tbl)
	withKeys := 0
	for _, argv := range examples {
		cmd := append([]string{"COMMAND", "GETKEYS"}, argv...)
		w, err := wc.DoStrings(cmd...)
		if err != nil {
			t.Fatalf("%s: %s: %v", want.Name, commandText(cmd), err)
		}
		g, err := gc.DoStrings(cmd...)
		if err != nil {
			t.Fatalf("%s: %s: %v", got.Name, commandText(cmd), err)
		}
		if !bytes.Equal(w, g) {
			t.Errorf("%s\n %s: %q\n %s: %q", commandText(cmd), want.Name, w, got.Name, g)
		}
		if w[0] == '*' && w[1] != '0' {
			withKeys++
		}
		// COMMAND GETKEYS needs a command and one argument before it
		// looks anything up.
		if len(argv) < 2 {
			continue
		}
		bargv := make([][]byte, len(argv))
		for i, a := range argv {
			bargv[i] = []byte(a)
		}
		pos, err := tbl.KeyPositions(bargv)
		if r := getKeysReply(argv, pos, err); !bytes.Equal(r, w) {
			t.Errorf("KeyPositions(%q) = %v, %v: as a reply %q; %s replies %q", argv, pos, err, r, want.Name, w)
		}
	}
	if withKeys < 300 {
		t.Errorf("only %d of %d examples have keys; the examples no longer exercise key positions", withKeys, len(examples))
	}
	t.Logf("compared COMMAND GETKEYS for %d argvs (%d with keys)", len(examples), withKeys)
}
