package bitops

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// quirkScript is a sequence of commands on one keyspace with the replies
// redis-server 7.0.15 gave (RESP2, proto-max-bulk-len 1mb), rendered as
// renderValue does. They pin the behaviours most easily lost in a port:
// error precedence, C-string keyword matching, wrapping arithmetic, and
// what each command does to a missing or empty key.
var quirkScript = []struct {
	argv []string
	want string
}{
	// Offsets: strict integers, at most proto-max-bulk-len bytes.
	{[]string{"SETBIT", "k", "8388607", "1"}, `:0`},
	{[]string{"BITCOUNT", "k"}, `:1`},
	{[]string{"SETBIT", "k", "8388608", "1"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"SETBIT", "k", "-1", "1"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"SETBIT", "k", "+1", "1"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"SETBIT", "k", "x", "2"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"SETBIT", "k", "1", "2"}, `-ERR bit is not an integer or out of range`},
	{[]string{"SETBIT", "list", "1", "2"}, `-ERR bit is not an integer or out of range`},
	{[]string{"SETBIT", "list", "1", "1"}, `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	{[]string{"GETBIT", "list", "x"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"GETBIT", "nokey", "7"}, `:0`},
	{[]string{"DEL", "k"}, `:1`},
	// A new key is created even when the bit written is 0.
	{[]string{"SETBIT", "k", "9", "0"}, `:0`},
	{[]string{"GET", "k"}, `$"\x00\x00"`},
	{[]string{"SETBIT", "k", "9", "1"}, `:0`},
	{[]string{"SETBIT", "k", "9", "1"}, `:1`},
	{[]string{"GETBIT", "k", "9"}, `:1`},
	// BITCOUNT: a missing key answers 0 before the arguments are read.
	{[]string{"BITCOUNT", "nokey", "1"}, `:0`},
	{[]string{"BITCOUNT", "nokey", "x", "y", "z", "w"}, `:0`},
	{[]string{"BITCOUNT", "k", "1"}, `-ERR syntax error`},
	{[]string{"BITCOUNT", "k", "-1", "-2", "FOO"}, `:0`},
	{[]string{"BITCOUNT", "k", "0", "-1", "FOO"}, `-ERR syntax error`},
	{[]string{"BITCOUNT", "k", "0", "-1", "bit\x00junk"}, `:1`},
	{[]string{"SET", "s", "foobar"}, `$"OK"`},
	{[]string{"BITCOUNT", "s"}, `:26`},
	{[]string{"BITCOUNT", "s", "1", "1"}, `:6`},
	{[]string{"BITCOUNT", "s", "5", "30", "BIT"}, `:17`},
	{[]string{"BITCOUNT", "s", "-5", "-1", "bit"}, `:2`},
	{[]string{"BITCOUNT", "s", "-9223372036854775808", "9223372036854775807"}, `:26`},
	{[]string{"BITCOUNT", "list"}, `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	// BITPOS: the bit is checked before the key; a missing key is zeros.
	{[]string{"BITPOS", "nokey", "2"}, `-ERR The bit argument must be 1 or 0.`},
	{[]string{"BITPOS", "list", "x"}, `-ERR value is not an integer or out of range`},
	{[]string{"BITPOS", "nokey", "0", "x", "y", "z", "w", "v"}, `:0`},
	{[]string{"BITPOS", "nokey", "1"}, `:-1`},
	{[]string{"SET", "e", ""}, `$"OK"`},
	{[]string{"BITPOS", "e", "0"}, `:-1`},
	{[]string{"BITPOS", "e", "1"}, `:-1`},
	{[]string{"SET", "ff", "\xff\xff\xff"}, `$"OK"`},
	{[]string{"BITPOS", "ff", "0"}, `:24`},
	{[]string{"BITPOS", "ff", "0", "1"}, `:24`},
	{[]string{"BITPOS", "ff", "0", "1", "-1"}, `:-1`},
	{[]string{"BITPOS", "ff", "0", "3", "20", "bit"}, `:-1`},
	{[]string{"BITPOS", "s", "1", "7", "15", "BIT"}, `:9`},
	{[]string{"BITPOS", "s", "0", "1", "x", "FOO"}, `-ERR syntax error`},
	{[]string{"BITPOS", "s", "0", "x", "1", "FOO"}, `-ERR value is not an integer or out of range`},
	{[]string{"BITPOS", "s", "0", "0", "0", "0", "0"}, `-ERR syntax error`},
	// BITOP: the result is as long as the longest source; empty deletes.
	{[]string{"BITOP", "nand", "d", "s"}, `-ERR syntax error`},
	{[]string{"BITOP", "NOT", "d", "s", "k"}, `-ERR BITOP NOT must be called with a single source key.`},
	{[]string{"BITOP", "not\x00junk", "d", "k"}, `:2`},
	{[]string{"GET", "d"}, `$"\xff\xbf"`},
	{[]string{"BITOP", "AND", "d", "s", "k"}, `:6`},
	{[]string{"GET", "d"}, `$"\x00@\x00\x00\x00\x00"`},
	{[]string{"BITOP", "or", "list", "nokey", "e"}, `:0`},
	{[]string{"GET", "list"}, `nil`},
	{[]string{"RPUSH", "list", "x"}, `:1`},
	{[]string{"BITOP", "xor", "d", "s", "list"}, `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	// BITFIELD: parse errors in argument order, then the RO check.
	{[]string{"BITFIELD", "f", "GET", "u64", "0"}, `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
	{[]string{"BITFIELD", "f", "GET", "I8", "0"}, `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
	{[]string{"BITFIELD", "f", "GET", "i8\x00junk", "0"}, `[:0]`},
	{[]string{"BITFIELD", "f", "get\x00junk", "i8", "0"}, `[:0]`},
	{[]string{"BITFIELD", "f", "GET", "i8"}, `-ERR syntax error`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "SATURATE", "GET", "x", "0"}, `-ERR Invalid OVERFLOW type specified`},
	{[]string{"BITFIELD", "f", "GET", "u4", "#4611686018427387904"}, `[:0]`},
	{[]string{"BITFIELD", "f", "GET", "u4", "#2097152"}, `-ERR bit offset is not an integer or out of range`},
	{[]string{"BITFIELD", "f", "GET", "u4", "#2097151"}, `[:0]`},
	{[]string{"BITFIELD", "f", "SET", "i8", "0", "x"}, `-ERR value is not an integer or out of range`},
	{[]string{"BITFIELD_RO", "f", "SET", "i8", "0", "1", "GET", "x", "0"}, `-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.`},
	{[]string{"BITFIELD_RO", "f", "GET", "i8", "0", "INCRBY", "i8", "0", "1"}, `-ERR BITFIELD_RO only supports the GET subcommand`},
	{[]string{"BITFIELD_RO", "list", "GET", "i8", "0"}, `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	{[]string{"BITFIELD", "list"}, `-WRONGTYPE Operation against a key holding the wrong kind of value`},
	{[]string{"BITFIELD", "f"}, `[]`},
	{[]string{"GET", "f"}, `nil`},
	// A failed write still creates and pads the key.
	{[]string{"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "10", "5"}, `[nil]`},
	{[]string{"GET", "f"}, `$"\x00\x00"`},
	{[]string{"BITFIELD", "f", "SET", "u8", "0", "255", "INCRBY", "u8", "0", "10", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0"}, `[:0 :9 :255 nil :255]`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "sat", "INCRBY", "i8", "0", "-1000", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "-1"}, `[:-128 :127]`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0"}, `[:127 :255]`},
	// Signed SAT of a value far below the range stores the maximum.
	{[]string{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808", "GET", "i8", "0"}, `[:-1 :127]`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775680", "GET", "i8", "0"}, `[:127 :-128]`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i63", "0", "-4611686018427387905", "GET", "i63", "0"}, `[:-4611686018427387904 :4611686018427387903]`},
	{[]string{"BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "-1"}, `[:9223372036854775806 :-9223372036854775808 :9223372036854775807]`},
	{[]string{"BITFIELD", "f", "SET", "u63", "1", "-1", "GET", "u63", "1", "INCRBY", "u1", "#3", "1", "GET", "i5", "3"}, `[:9223372036854775807 :9223372036854775807 :0 :15]`},
	{[]string{"GET", "f"}, `$"o\xff\xff\xff\xff\xff\xff\xff"`},
	// LCS: key types before options, LEN with IDX refused, big tables refused.
	{[]string{"LCS", "list", "nokey", "FOO"}, `-ERR The specified keys must contain string values`},
	{[]string{"LCS", "nokey", "s", "LEN", "IDX"}, `-ERR If you want both the length and indexes, please just use IDX.`},
	{[]string{"LCS", "nokey", "s", "MINMATCHLEN"}, `-ERR syntax error`},
	{[]string{"LCS", "nokey", "s", "MINMATCHLEN", "x", "LEN", "IDX"}, `-ERR value is not an integer or out of range`},
	{[]string{"LCS", "nokey", "nokey", "IDX"}, `[$"matches" [] $"len" :0]`},
	{[]string{"SET", "x", "ohmytext"}, `$"OK"`},
	{[]string{"SET", "y", "mynewtext"}, `$"OK"`},
	{[]string{"LCS", "x", "y"}, `$"mytext"`},
	{[]string{"LCS", "x", "y", "len", "MINMATCHLEN", "9", "WITHMATCHLEN"}, `:6`},
	{[]string{"LCS", "x", "y", "IDX"}, `[$"matches" [[[:4 :7] [:5 :8]] [[:2 :3] [:0 :1]]] $"len" :6]`},
	{[]string{"LCS", "x", "y", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, `[$"matches" [[[:4 :7] [:5 :8] :4]] $"len" :6]`},
	{[]string{"LCS", "y", "x", "idx\x00junk", "withmatchlen", "minmatchlen", "-5"}, `[$"matches" [[[:5 :8] [:4 :7] :4] [[:0 :1] [:2 :3] :2]] $"len" :6]`},
	// 512*512 cells of 4 bytes are exactly 1 MB: allowed.
	{[]string{"SET", "big", strings.Repeat("a", 511)}, `$"OK"`},
	{[]string{"LCS", "big", "big", "LEN"}, `:511`},
	{[]string{"SET", "big", strings.Repeat("a", 512)}, `$"OK"`},
	{[]string{"LCS", "big", "big", "LEN"}, `-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len`},
	{[]string{"LCS", "big", "x", "IDX"}, `[$"matches" [] $"len" :0]`},
}

// TestQuirkScript checks the package, behind the test model of the node's
// glue, against the replies recorded from Redis; with a redis-server on
// PATH it also checks that Redis still gives them.
func TestQuirkScript(t *testing.T) {
	var run func(argv [][]byte) string
	if bin, _ := findOracle(); bin != "" || os.Getenv("CI") == "true" {
		c := startOracle(t, 2)
		if err := c.RPush(context.Background(), "list", "x").Err(); err != nil {
			t.Fatal(err)
		}
		run = func(argv [][]byte) string { return oracleDo(t, c, argv) }
	} else {
		t.Log("no redis-server: checking against the recorded replies only")
	}
	m := newModel(oracleMaxBulkLen)
	m.others["list"] = true
	w := resp.NewWriter(2)
	for i, step := range quirkScript {
		argv := make([][]byte, len(step.argv))
		for j, a := range step.argv {
			argv[j] = []byte(a)
		}
		w.Reset()
		m.exec(argv, w)
		got := renderWritten(t, w)
		if got != step.want {
			t.Errorf("step %d: %s\nrecorded: %s\n  bitops: %s", i, showArgv(argv), step.want, got)
		}
		if run != nil {
			if real := run(argv); real != step.want {
				t.Errorf("step %d: %s\nrecorded: %s\n   redis: %s", i, showArgv(argv), step.want, real)
			}
		}
	}
}
