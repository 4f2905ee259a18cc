package stream

import (
	"strings"
	"testing"
)

// errorSetup prepares every error case: stream s with two entries, group
// g with one pending entry, and the string key str.
var errorSetup = [][]string{
	{"XADD", "s", "1-1", "f", "v"},
	{"XADD", "s", "1-2", "f", "v"},
	{"XGROUP", "CREATE", "s", "g", "0"},
	{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"},
	{"SET", "str", "x"},
}

// errorCases covers every error text of the package. The expectations are
// Redis 7.0.15's replies, which TestErrorsAgainstRedis confirms.
var errorCases = []struct {
	argv string
	want string
}{
	{"XADD s 1-x f v", "ERR Invalid stream ID specified as stream command argument"},
	{"XADD s 1 f v", "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
	{"XADD s MINID ~ abc 5-1 f v", "ERR Invalid stream ID specified as stream command argument"},
	{"XADD s - f v", "ERR Invalid stream ID specified as stream command argument"},
	{"XRANGE s x +", "ERR Invalid stream ID specified as stream command argument"},
	{"XRANGE s (- +", "ERR Invalid stream ID specified as stream command argument"},
	{"XRANGE s ( +", "ERR Invalid stream ID specified as stream command argument"},
	{"XDEL s abc", "ERR Invalid stream ID specified as stream command argument"},
	{"XACK s g 1-1 +", "ERR Invalid stream ID specified as stream command argument"},
	{"XREAD STREAMS s 1-1-1", "ERR Invalid stream ID specified as stream command argument"},
	{"XGROUP CREATE s g2 +", "ERR Invalid stream ID specified as stream command argument"},
	{"XGROUP SETID s g 1-y", "ERR Invalid stream ID specified as stream command argument"},
	{"XCLAIM s g c 0 1-1 LASTID x", "ERR Invalid stream ID specified as stream command argument"},
	{"XSETID s -", "ERR Invalid stream ID specified as stream command argument"},
	{"XADD s 18446744073709551616-0 f v", "ERR Invalid stream ID specified as stream command argument"},
	{"XTRIM s MAXLEN 5 FOO", "ERR syntax error"},
	{"XRANGE s - + FOO", "ERR syntax error"},
	{"XRANGE s - + COUNT", "ERR syntax error"},
	{"XREAD FOO STREAMS s 0", "ERR syntax error"},
	{"XREAD COUNT 1 STREAMS", "ERR syntax error"},
	{"XPENDING s g - +", "ERR syntax error"},
	{"XPENDING s g IDLE 5 - +", "ERR syntax error"},
	{"XSETID s 5-5 FOO 1", "ERR syntax error"},
	{"XAUTOCLAIM s g c 0 0 FOO", "ERR syntax error"},
	{"XADD s MAXLEN x * f v", "ERR value is not an integer or out of range"},
	{"XADD s MAXLEN ~ * f v", "ERR value is not an integer or out of range"},
	{"XTRIM s MAXLEN ~ 5 LIMIT x", "ERR value is not an integer or out of range"},
	{"XRANGE s - + COUNT x", "ERR value is not an integer or out of range"},
	{"XREAD COUNT x STREAMS s 0", "ERR value is not an integer or out of range"},
	{"XGROUP CREATE s g2 0 ENTRIESREAD x", "ERR value is not an integer or out of range"},
	{"XPENDING s g IDLE x - + 1", "ERR value is not an integer or out of range"},
	{"XPENDING s g - + x", "ERR value is not an integer or out of range"},
	{"XINFO STREAM s FULL COUNT x", "ERR value is not an integer or out of range"},
	{"XSETID s 5-5 ENTRIESADDED x", "ERR value is not an integer or out of range"},
	{"XADD s 1-2 f v", "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
	{"XADD s 0-0 f v", "ERR The ID specified in XADD must be greater than 0-0"},
	{"XADD new 0 f v", "ERR The ID specified in XADD must be greater than 0-0"},
	{"XINFO STREAM nokey", "ERR no such key"},
	{"XSETID nokey 1-1", "ERR no such key"},
	{"XGROUP CREATE s g 0", "BUSYGROUP Consumer Group name already exists"},
	{"XGROUP CREATE nokey g 0", "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."},
	{"XGROUP DESTROY nokey g", "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."},
	{"XRANGE s (18446744073709551615-18446744073709551615 +", "ERR invalid start ID for the interval"},
	{"XAUTOCLAIM s g c 0 (18446744073709551615-18446744073709551615", "ERR invalid start ID for the interval"},
	{"XPENDING s g (18446744073709551615-18446744073709551615 + 1", "ERR invalid start ID for the interval"},
	{"XRANGE s - (0-0", "ERR invalid end ID for the interval"},
	{"XREVRANGE s (0-0 -", "ERR invalid end ID for the interval"},
	{"XPENDING s g - (0-0 1", "ERR invalid end ID for the interval"},
	{"XADD s MAXLEN 1 MINID 1 * f v", "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
	{"XTRIM s MINID 1 MAXLEN 1", "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"},
	{"XTRIM s MAXLEN -1", "ERR The MAXLEN argument must be >= 0."},
	{"XTRIM s MAXLEN ~ 1 LIMIT -1", "ERR The LIMIT argument must be >= 0."},
	{"XADD s LIMIT 5 * f v", "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
	{"XTRIM s LIMIT 5", "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"},
	{"XTRIM s LIMIT 0", "ERR syntax error, XTRIM must be called with a trimming strategy"},
	{"XTRIM s MAXLEN 1 LIMIT 5", "ERR syntax error, LIMIT cannot be used without the special ~ option"},
	{"XADD s MAXLEN = 1 LIMIT 0 * f v", "ERR syntax error, LIMIT cannot be used without the special ~ option"},
	{"XADD s * f", "ERR wrong number of arguments for 'xadd' command"},
	{"XADD s MAXLEN 5 1-5", "ERR wrong number of arguments for 'xadd' command"},
	{"XREAD BLOCK x STREAMS s 0", "ERR timeout is not an integer or out of range"},
	{"XREAD BLOCK -1 STREAMS s 0", "ERR timeout is negative"},
	{"XREAD STREAMS s t u", "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."},
	{"XREADGROUP GROUP g c STREAMS s t >", "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."},
	{"XREAD GROUP g c STREAMS s 0", "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."},
	{"XREAD NOACK STREAMS s 0", "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."},
	{"XREADGROUP COUNT 1 NOACK STREAMS s >", "ERR Missing GROUP option for XREADGROUP"},
	{"XREADGROUP GROUP nog c STREAMS s >", "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"},
	{"XREADGROUP GROUP g c STREAMS nokey >", "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option"},
	{"XREADGROUP GROUP g c STREAMS s $", "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."},
	{"XREAD STREAMS s >", "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."},
	{"XREAD STREAMS s str 0 0", "WRONGTYPE Operation against a key holding the wrong kind of value"},
	{"XREAD STREAMS s str x 0", "ERR Invalid stream ID specified as stream command argument"},
	{"XGROUP CREATE s g2 0 ENTRIESREAD -2", "ERR value for ENTRIESREAD must be positive or -1"},
	{"XSETID s 5-5 ENTRIESADDED -1", "ERR entries_added must be positive"},
	{"XSETID s 5-5 MAXDELETEDID 6-0", "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"},
	{"XSETID s 1-0", "ERR The ID specified in XSETID is smaller than the target stream top item"},
	{"XSETID s 5-5 ENTRIESADDED 1", "ERR The entries_added specified in XSETID is smaller than the target stream length"},
	{"XCLAIM s g c x 1-1", "ERR Invalid min-idle-time argument for XCLAIM"},
	{"XCLAIM s g c 0 1-1 IDLE x", "ERR Invalid IDLE option argument for XCLAIM"},
	{"XCLAIM s g c 0 1-1 TIME x", "ERR Invalid TIME option argument for XCLAIM"},
	{"XCLAIM s g c 0 1-1 RETRYCOUNT x", "ERR Invalid RETRYCOUNT option argument for XCLAIM"},
	{"XCLAIM s g c 0 1-1 FOO", "ERR Unrecognized XCLAIM option 'FOO'"},
	{"XCLAIM s g c 0 1-1 IDLE", "ERR Unrecognized XCLAIM option 'IDLE'"},
	{"XAUTOCLAIM s g c x 0", "ERR Invalid min-idle-time argument for XAUTOCLAIM"},
	{"XAUTOCLAIM s g c 0 0 COUNT 0", "ERR COUNT must be > 0"},
	{"XAUTOCLAIM s g c 0 0 COUNT x", "ERR COUNT must be > 0"},
	{"XAUTOCLAIM s g c 0 0 COUNT 576460752303423488", "ERR COUNT must be > 0"},
	{"XAUTOCLAIM s g c 0 x", "ERR Invalid stream ID specified as stream command argument"},
	{"XPENDING s nog", "NOGROUP No such key 's' or consumer group 'nog'"},
	{"XPENDING nokey g - + 1", "NOGROUP No such key 'nokey' or consumer group 'g'"},
	{"XCLAIM nokey g c 0 1-1", "NOGROUP No such key 'nokey' or consumer group 'g'"},
	{"XCLAIM s nog c x 1-1", "NOGROUP No such key 's' or consumer group 'nog'"},
	{"XAUTOCLAIM s nog c 0 0", "NOGROUP No such key 's' or consumer group 'nog'"},
	{"XGROUP SETID s nog 0", "NOGROUP No such consumer group 'nog' for key name 's'"},
	{"XGROUP CREATECONSUMER s nog c", "NOGROUP No such consumer group 'nog' for key name 's'"},
	{"XGROUP DELCONSUMER s nog c", "NOGROUP No such consumer group 'nog' for key name 's'"},
	{"XINFO CONSUMERS s nog", "NOGROUP No such consumer group 'nog' for key name 's'"},
	{"XGROUP CREATE s g3 0 FOO", "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."},
	{"xgroup setid s g 0 MKSTREAM", "ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP."},
	{"XGROUP SETID s g 0 ENTRIESREAD", "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP."},
	{"XGROUP CREATE s g3 0 MKSTREAM MKSTREAM MKSTREAM MKSTREAM", "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."},
	{"XINFO STREAM s FOO", "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."},
	{"xinfo stream s FULL COUNT", "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP."},
	{"XINFO STREAM s FULL LIMIT 5", "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."},
	{"XADD s 5-* f v", ""}, // no error: 5-0
	{"XACK nokey g x", ""}, // missing key: 0 before the IDs are parsed
	{"XDEL nokey x", ""},   // likewise
}

func setupModel(t *testing.T) *model {
	m := newModel()
	for _, argv := range errorSetup {
		if r, _ := m.exec(toBytes(argv), 1); r != nil {
			if e, ok := r.(replyErr); ok {
				t.Fatalf("setup %q: %s", argv, e)
			}
		}
	}
	return m
}

// TestErrors checks every error text on the package alone.
func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		m := setupModel(t)
		got, _ := m.exec(toBytes(strings.Fields(tc.argv)), 2)
		e, isErr := got.(replyErr)
		if tc.want == "" {
			if isErr {
				t.Errorf("%s: unexpected error %s", tc.argv, e)
			}
			continue
		}
		if string(e) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.argv, canon(got), tc.want)
		}
	}
}

// TestErrorsAgainstRedis confirms the error table with the oracle.
func TestErrorsAgainstRedis(t *testing.T) {
	o := newOracle(t)
	for _, tc := range errorCases {
		o.reset(DefaultConfig(), 2)
		for _, argv := range errorSetup {
			o.check(argv...)
		}
		theirs, _ := o.check(strings.Fields(tc.argv)...)
		e, _ := theirs.(replyErr)
		if string(e) != tc.want {
			t.Errorf("%s: the table says %q, redis %s", tc.argv, tc.want, canon(theirs))
		}
	}
}

// TestBlockInScript checks the error of XREAD BLOCK inside a script, which
// names the command as the script typed it.
func TestBlockInScript(t *testing.T) {
	for _, cmd := range []string{"xread BLOCK 0 STREAMS s 0", "XREADGROUP BLOCK 0 GROUP g c STREAMS s 0"} {
		name := strings.Fields(cmd)[0]
		_, err := ParseXRead(toBytes(strings.Fields(cmd)), true)
		if want := "ERR " + name + " command is not allowed with BLOCK option from scripts"; err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", name, err, want)
		}
	}
	if _, err := ParseXRead(toBytes(strings.Fields("XREAD BLOCK 0 STREAMS s 0")), false); err != nil {
		t.Error(err)
	}
}
