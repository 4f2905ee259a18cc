package redis

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// keysCase is an argv and what COMMAND GETKEYS gives for it: positions, or
// an error.
type keysCase struct {
	argv []string
	want []int
	err  error
}

func checkKeyPositions(t *testing.T, tbl *CommandTable, cases []keysCase) {
	t.Helper()
	for _, tc := range cases {
		argv := make([][]byte, len(tc.argv))
		for i, a := range tc.argv {
			argv[i] = []byte(a)
		}
		got, err := tbl.KeyPositions(argv)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) || (err == nil && got == nil) {
			t.Errorf("KeyPositions(%q) = %v, %v; want %v, %v", tc.argv, got, err, tc.want, tc.err)
		}
	}
}

func words(s string) []string { return strings.Fields(s) }

// The expectations were recorded from redis-server 7.0.15's COMMAND
// GETKEYS; internal/redisdiff compares every command with the server
// itself.
func TestKeyPositions(t *testing.T) {
	checkKeyPositions(t, NewCommandTable(), []keysCase{
		{words("GET k"), []int{1}, nil},
		{words("GeT k"), []int{1}, nil},
		{words("SET k v GET"), []int{1}, nil},
		{words("get a b"), nil, ErrKeysArity},
		{words("del a b c"), []int{1, 2, 3}, nil},
		{words("MSET a 1 b 2"), []int{1, 3}, nil},
		{words("mset a 1 b"), []int{1, 3}, nil},
		{words("blpop a b 0"), []int{1, 2}, nil},
		{words("brpoplpush src dst 0"), []int{1, 2}, nil},
		{words("rename a b"), []int{1, 2}, nil},
		{words("sinterstore d a b"), []int{1, 2, 3}, nil},
		{words("sinterstore d"), nil, ErrKeysArity},
		{words("eval s 2 a b c"), []int{3, 4}, nil},
		{words("evalsha 0123 1 k"), []int{3}, nil},
		// EVAL needs no keys, so counts that find none are not errors.
		{words("eval s 0"), []int{}, nil},
		{words("eval s 3 a b"), []int{}, nil},
		{words("eval s -1 a"), []int{}, nil},
		{words("eval s abc a"), []int{}, nil},
		// A count that string2ll refuses falls back on Redis's atoi.
		{words("eval s 1abc k"), []int{3}, nil},
		{[]string{"eval", "s", " 1", "k"}, []int{3}, nil},
		{words("eval s +1 k"), []int{3}, nil},
		{words("eval s 01 k"), []int{3}, nil},
		// Redis keeps the count in a C int.
		{words("eval s 4294967297 k x"), []int{3}, nil},
		{words("eval s 4294967296 k"), []int{}, nil},
		{words("eval s 99999999999999999999 k"), []int{}, nil},
		{words("ping"), nil, ErrKeysNone},
		{words("publish c m"), nil, ErrKeysNone},
		{words("subscribe c"), nil, ErrKeysNone},
		{words("config get x"), nil, ErrKeysNone},
		{words("config"), nil, ErrKeysNone},
		{words("command getkeys get k"), nil, ErrKeysNone},
		{words("config nosuch"), nil, ErrKeysUnknownCommand},
		{words("nosuch a"), nil, ErrKeysUnknownCommand},
		{nil, nil, ErrKeysUnknownCommand},
	})
}

// The key-spec language beyond what the node's commands use today: a
// keyword to begin the search (forwards and backwards), a range with a
// limit, an incomplete spec, an unknown one, a key count with a
// destination key. The specs are Redis 7.0.15's for XREAD, GEORADIUS,
// MIGRATE, SORT and ZUNIONSTORE, and the expectations were recorded from
// that server; the getkeys procs of MIGRATE and SORT are simplified
// stand-ins that only show whether the fallback happened.
func TestKeySpecLanguage(t *testing.T) {
	afterKeyword := func(kw string) func(argv [][]byte) []int {
		return func(argv [][]byte) []int {
			pos := []int{1}
			for i := 2; i < len(argv)-1; i++ {
				if cEqualFold(argv[i], kw) {
					pos = append(pos, i+1)
				}
			}
			return pos
		}
	}
	tbl := &CommandTable{cmds: map[string]*command{
		"xread": {name: "xread", arity: -4, keys: cmdKeys{specs: []keySpec{
			{keyword: "STREAMS", startFrom: 1, lastKey: -1, keyStep: 1, limit: 2},
		}}},
		"georadius": {name: "georadius", arity: -6, keys: cmdKeys{specs: []keySpec{
			keyAt(1),
			{keyword: "STORE", startFrom: 6, keyStep: 1},
			{keyword: "STOREDIST", startFrom: 6, keyStep: 1},
		}}},
		"migrate": {name: "migrate", arity: -6, keys: cmdKeys{
			specs: []keySpec{keyAt(3), {keyword: "KEYS", startFrom: -2, lastKey: -1, keyStep: 1, incomplete: true}},
			proc: func(argv [][]byte) []int {
				p := afterKeyword("keys")(argv)
				return []int{p[len(p)-1], len(argv) - 1}
			},
		}},
		"sort": {name: "sort", arity: -2, keys: cmdKeys{
			specs: []keySpec{keyAt(1), {}, {}},
			proc:  afterKeyword("store"),
		}},
		"zunionstore": {name: "zunionstore", arity: -4, keys: cmdKeys{
			specs: []keySpec{keyAt(1), keyCount(2)},
			proc:  func(argv [][]byte) []int { return countedKeys(argv, 1, 2, 3, 1) },
		}},
	}}
	checkKeyPositions(t, tbl, []keysCase{
		{words("xread streams a b 0 0"), []int{2, 3}, nil},
		{words("xread count 2 streams a b c 0 0 0"), []int{4, 5, 6}, nil},
		{words("xread streams a b 0"), []int{2}, nil},
		{words("xread count streams streams a 0"), []int{3}, nil},
		{words("xread block 0 STREAMS s1 0"), []int{4}, nil},
		{words("xread count 1 streams"), nil, ErrKeysInvalid},
		{words("georadius g 0 0 1 km"), []int{1}, nil},
		{words("georadius g 0 0 1 km store d"), []int{1, 7}, nil},
		{words("georadius g 0 0 1 km storedist d store e"), []int{1, 9, 7}, nil},
		{words("migrate h 6379 k 0 10"), []int{3}, nil},
		{words("migrate h 6379 k 0 10 copy"), []int{3}, nil},
		{words("migrate h 6379 x 0 10 keys a b"), []int{7, 8}, nil}, // the proc's answer
		{words("sort k by x get y"), []int{1}, nil},
		{words("sort k store d"), []int{1, 3}, nil},
		{words("sort k limit 0 1 store d"), []int{1, 6}, nil},
		{words("zunionstore d 2 a b weights 1 2"), []int{1, 3, 4}, nil},
		{words("zunionstore d 1x a"), []int{3, 1}, nil},         // by the proc, after the spec failed
		{words("zunionstore d 4294967297 a"), []int{1, 3}, nil}, // by the spec: the count is a C int
		{words("zunionstore d 0 a"), nil, ErrKeysInvalid},
		{words("zunionstore d 3 a b"), nil, ErrKeysInvalid},
	})
	// COMMAND INFO's first, last, step and movablekeys for them.
	for name, want := range map[string]KeyRange{
		"xread":       {Movable: true},
		"georadius":   {1, 1, 1, true},
		"migrate":     {3, 3, 1, true},
		"sort":        {1, 1, 1, true},
		"zunionstore": {1, 1, 1, true},
	} {
		if got, _ := tbl.KeyRange(name); got != want {
			t.Errorf("KeyRange(%q) = %+v; want %+v", name, got, want)
		}
	}
}

// COMMAND INFO's first key, last key, step and movablekeys of each key
// layout the node uses, as redis-server 7.0.15 reports them.
func TestKeyRange(t *testing.T) {
	tbl := NewCommandTable()
	for _, tc := range []struct {
		name string
		want KeyRange
	}{
		{"get", KeyRange{1, 1, 1, false}},
		{"del", KeyRange{1, -1, 1, false}},
		{"mset", KeyRange{1, -1, 2, false}},
		{"blpop", KeyRange{1, -2, 1, false}},
		{"rename", KeyRange{1, 2, 1, false}},
		{"sinterstore", KeyRange{1, -1, 1, false}},
		{"eval", KeyRange{0, 0, 0, true}},
		{"ping", KeyRange{}},
		{"config", KeyRange{}},
		{"config|get", KeyRange{}},
	} {
		got, ok := tbl.KeyRange(tc.name)
		if !ok || got != tc.want {
			t.Errorf("KeyRange(%q) = %+v, %v; want %+v", tc.name, got, ok, tc.want)
		}
	}
	if _, ok := tbl.KeyRange("config|nosuch"); ok {
		t.Error(`KeyRange("config|nosuch") found a command`)
	}
	if names := tbl.Names(); !slices.Contains(names, "config|get") || !slices.Contains(names, "get") || !slices.IsSorted(names) {
		t.Errorf("Names() = %v; want sorted names with subcommands", names)
	}
}

func TestCommandGetKeys(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect(`
COMMAND GETKEYS MSET a 1 b 2 -> *2\r\n$1\r\na\r\n$1\r\nb\r\n
COMMAND GETKEYS eval s 0 -> *0\r\n
COMMAND GETKEYS get -> -ERR wrong number of arguments for 'command|getkeys' command\r\n
COMMAND GETKEYS get a b -> -ERR Invalid number of arguments specified for command\r\n
COMMAND GETKEYS ping x -> -ERR The command has no key arguments\r\n
COMMAND GETKEYS nosuch x -> -ERR Invalid command specified\r\n
MULTI -> +OK\r\n
COMMAND GETKEYS get k -> +QUEUED\r\n
EXEC -> *1\r\n*1\r\n$1\r\nk\r\n
`)
}
