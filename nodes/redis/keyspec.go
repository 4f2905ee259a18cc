package redis

import (
	"bytes"
	"math"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// keySpec is one key spec of Redis 7.0's command table (src/commands/*.json):
// where the search for keys begins (begin_search) and how they are found from
// there (find_keys). The zero value is Redis's "unknown" spec, which no
// search can use, so Redis falls back on the command's getkeys proc.
// Of the spec flags only INCOMPLETE is kept: the access flags (RW, OW,
// ACCESS, DELETE...) only matter to COMMAND GETKEYSANDFLAGS and ACLs, and
// NOT_KEY only to sharded pub/sub, none of which the node implements.
type keySpec struct {
	// begin_search: at argument index when it is > 0; else just after
	// keyword, searched for from argument startFrom onwards, or when
	// startFrom is negative from argc+startFrom backwards.
	index     int
	keyword   string
	startFrom int

	// find_keys, "range" unless keyNum: from the first key to lastKey,
	// relative to it (negative: counted from the end of argv), every
	// keyStep; with limit > 0 (and lastKey -1), only the first 1/limit of
	// the arguments left.
	//
	// "keynum": the key count is the argument keyNumIdx past the first
	// one, the keys start firstKey past it, every keyStep.
	keyNum              bool
	lastKey, limit      int
	keyNumIdx, firstKey int
	keyStep             int

	// incomplete is CMD_KEY_INCOMPLETE: the spec may miss keys, so a search
	// that used it gives up and the getkeys proc answers instead.
	incomplete bool
	// notKey is CMD_KEY_NOT_KEY: the argument is a shard channel, counted
	// in the legacy key range but not a key for COMMAND GETKEYS.
	notKey bool
}

// keyAt is a single key at argument i.
func keyAt(i int) keySpec { return keySpec{index: i, keyStep: 1} }

// keyRange is the keys from argument i to last, every step; last is
// relative to i, or counted from the end of argv when negative.
func keyRange(i, last, step int) keySpec { return keySpec{index: i, lastKey: last, keyStep: step} }

// keyCount is a key count at argument i, followed by that many keys.
func keyCount(i int) keySpec {
	return keySpec{index: i, keyNum: true, keyNumIdx: 0, firstKey: 1, keyStep: 1}
}

// cmdKeys says which of a command's arguments are keys: Redis's key specs
// and, for the commands that have one, Redis's getkeys proc. A command
// without either has no keys (COMMAND GETKEYS: "The command has no key
// arguments").
type cmdKeys struct {
	specs []keySpec
	// proc is the getkeys proc, which Redis uses when the specs cannot
	// answer (an unknown or incomplete spec, a count that is not a
	// non-negative integer, keys past the end). It returns no positions
	// when the command will fail on argv anyway.
	proc func(argv [][]byte) []int
	// optional is CMD_NO_MANDATORY_KEYS: finding no keys is not an error.
	optional bool
}

// hasKeys is doesCommandHaveKeys: a getkeys proc, or a spec that is not
// NOT_KEY.
func (k cmdKeys) hasKeys() bool {
	if k.proc != nil {
		return true
	}
	for _, sp := range k.specs {
		if !sp.notKey {
			return true
		}
	}
	return false
}

// The key layouts of the commands the node implements, named once because
// most commands share one.
var (
	noKeys          = cmdKeys{}
	oneKey          = cmdKeys{specs: []keySpec{keyAt(1)}}
	keyAt2          = cmdKeys{specs: []keySpec{keyAt(2)}}                     // OBJECT ENCODING key
	twoKeys         = cmdKeys{specs: []keySpec{keyAt(1), keyAt(2)}}           // RENAME src dst; SMOVE...
	allKeys         = cmdKeys{specs: []keySpec{keyRange(1, -1, 1)}}           // DEL key...
	keyValuePairs   = cmdKeys{specs: []keySpec{keyRange(1, -1, 2)}}           // MSET key value...
	keysThenTimeout = cmdKeys{specs: []keySpec{keyRange(1, -2, 1)}}           // BLPOP key... timeout
	destThenKeys    = cmdKeys{specs: []keySpec{keyAt(1), keyRange(2, -1, 1)}} // SINTERSTORE dst key...
	// destCountKeys is ZUNIONSTORE dst numkeys key...: the destination,
	// then a key count.
	destCountKeys = cmdKeys{
		specs: []keySpec{keyAt(1), keyCount(2)},
		proc:  func(argv [][]byte) []int { return countedKeys(argv, 1, 2, 3, 1) },
	}
	// sortKeys is SORT's: the key, then the BY/GET patterns and the STORE
	// key, which no spec can find (sortGetKeys finds STORE).
	sortKeys   = cmdKeys{specs: []keySpec{keyAt(1), {}, {}}, proc: sortGetKeys}
	sortROKeys = cmdKeys{specs: []keySpec{keyAt(1), {}}, proc: func([][]byte) []int { return []int{1} }}
	// scriptKeys is EVAL script numkeys key... arg...: a "keynum" spec,
	// which the (first, last, step) triple cannot express.
	scriptKeys = cmdKeys{
		specs:    []keySpec{keyCount(2)},
		proc:     func(argv [][]byte) []int { return countedKeys(argv, 0, 2, 3, 1) },
		optional: true,
	}
)

// positions finds the keys in argv, a whole command that passed its arity
// check, as getKeysFromCommandWithSpecs does: by the specs when they can
// answer, else by the getkeys proc. SET's spec is marked VARIABLE_FLAGS,
// which makes Redis go to setGetKeys directly; for positions that makes no
// difference (the key is argument 1 either way), so it is not modelled.
func (k cmdKeys) positions(argv [][]byte) []int {
	if len(k.specs) > 0 {
		if pos, ok := specPositions(k.specs, argv); ok {
			return pos
		}
	}
	if k.proc != nil {
		return k.proc(argv)
	}
	return nil
}

// legacyPositions finds the keys in argv as getKeysFromCommand does, for
// the cluster's routing (getNodeByQuery) and client tracking: by the
// getkeys proc when the command has one, else by the legacy (first, last,
// step) range. The range counts the arguments of a "not key" spec too
// (SSUBSCRIBE's channels, routed as keys), and of a range that runs past
// argv keeps the part inside it (PFMERGE with its destination alone), where
// the specs would give no key at all.
func (k cmdKeys) legacyPositions(argv [][]byte) []int {
	if k.proc != nil {
		return k.proc(argv)
	}
	r := k.legacyRange()
	if r.First <= 0 || r.Step <= 0 {
		return nil
	}
	last := r.Last
	if last < 0 {
		last += len(argv)
	}
	var pos []int
	for j := r.First; j <= last && j < len(argv); j += r.Step {
		pos = append(pos, j)
	}
	return pos
}

// specPositions applies specs to argv as getKeysUsingKeySpecs does, keys
// in the order of the specs; ok is false when a spec cannot be used: it is
// unknown or incomplete, its key count is not a non-negative integer, or
// its keys would run past the end of argv.
func specPositions(specs []keySpec, argv [][]byte) (pos []int, ok bool) {
	argc := len(argv)
	for _, sp := range specs {
		if sp.notKey {
			continue
		}
		var first int
		switch {
		case sp.index > 0:
			first = sp.index
		case sp.keyword != "":
			if first = sp.afterKeyword(argv); first == 0 {
				continue // no keyword, no keys from this spec
			}
		default:
			return nil, false
		}
		var last int
		switch {
		case sp.keyNum:
			// Redis only checks keyNumIdx < argc; with the arities of its
			// commands, this stricter check never differs.
			if first+sp.keyNumIdx >= argc {
				return nil, false
			}
			n, ok := rnum.ParseInt(argv[first+sp.keyNumIdx])
			if !ok || n < 0 {
				return nil, false
			}
			first += sp.firstKey
			last = first + int(int32(n)) - 1 // Redis keeps the count in a C int
		case sp.lastKey >= 0:
			last = first + sp.lastKey
		case sp.limit == 0:
			last = argc + sp.lastKey
		default:
			last = first + (argc-first)/sp.limit + sp.lastKey
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for i := first; i <= last; i += sp.keyStep {
			pos = append(pos, i)
		}
		if sp.incomplete {
			return nil, false
		}
	}
	return pos, true
}

// afterKeyword returns the position just after the spec's keyword in argv,
// or 0 when it is not there. The search stops one argument short of its
// end (the last argument going forwards, argument 1 going backwards), and
// compares as strcasecmp does: ASCII letters only, up to a NUL.
func (sp keySpec) afterKeyword(argv [][]byte) int {
	argc := len(argv)
	start, end := sp.startFrom, argc-1
	if sp.startFrom <= 0 {
		start, end = argc+sp.startFrom, 1
	}
	step := 1
	if start > end {
		step = -1
	}
	for i := start; i != end; i += step {
		if i >= argc || i < 1 {
			break
		}
		if cEqualFold(argv[i], sp.keyword) {
			return i + 1
		}
	}
	return 0
}

// lowerC is an argument as strcasecmp compares it with an option's name:
// up to its first NUL byte, in lower case.
func lowerC(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToLower(string(b))
}

// cStr is a string as C reads it: up to its first NUL byte.
func cStr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// cEqualFold is strcasecmp(b, s) == 0 in the C locale: b ends at its first
// NUL, and only ASCII letters fold.
func cEqualFold(b []byte, s string) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// countedKeys is Redis's genericGetKeys, the getkeys proc of the commands
// with a key count (EVAL, ZUNIONSTORE...): the count at argument countAt,
// read with atoi, then that many keys from argument first, every step, and
// a destination key at dest unless dest is 0, listed after the others. A
// count below 1 or past the end gives no keys, because the command will
// reply with an error.
func countedKeys(argv [][]byte, dest, countAt, first, step int) []int {
	n := rnum.Atoi(argv[countAt])
	if n < 1 || n > (len(argv)-first)/step {
		return nil
	}
	pos := make([]int, 0, n+1)
	for i := range n {
		pos = append(pos, first+i*step)
	}
	if dest > 0 {
		pos = append(pos, dest)
	}
	return pos
}

// KeyRange is a command's legacy key positions, COMMAND INFO's first key,
// last key and step: the keys are the arguments First, First+Step... up to
// Last, which counts from the end of argv when negative (-1 is the last
// argument). The zero value means none. Movable is COMMAND INFO's
// "movablekeys" flag: some keys are not in the range (a key count, a
// keyword, a key between other arguments), so only KeyPositions finds them
// all.
type KeyRange struct {
	First, Last, Step int
	Movable           bool
}

// legacyRange derives the legacy range from the specs as Redis's
// populateCommandLegacyRangeSpec does: a lone "range" spec at an index is
// the range itself; several are glued together while each has step 1 and
// starts where the previous one ended; any other spec makes the command's
// keys movable.
func (k cmdKeys) legacyRange() KeyRange {
	if len(k.specs) == 0 {
		return KeyRange{}
	}
	indexRange := func(sp keySpec) bool { return sp.index > 0 && !sp.keyNum }
	if sp := k.specs[0]; len(k.specs) == 1 && indexRange(sp) {
		last := sp.lastKey
		if last >= 0 {
			last += sp.index
		}
		return KeyRange{First: sp.index, Last: last, Step: sp.keyStep, Movable: sp.incomplete}
	}
	first, last, prevLast := math.MaxInt, 0, 0
	movable := false
	for _, sp := range k.specs {
		if !indexRange(sp) || sp.keyStep != 1 || (prevLast != 0 && prevLast != sp.index-1) {
			movable = true
			continue
		}
		movable = movable || sp.incomplete
		first = min(first, sp.index)
		abs := sp.lastKey
		if abs >= 0 {
			abs += sp.index
		}
		// Redis compares as unsigned, so a last key counted from the end
		// wins over any absolute one.
		if uint32(abs) > uint32(last) {
			last = abs
		}
		prevLast = last
	}
	if first == math.MaxInt {
		return KeyRange{Movable: true}
	}
	return KeyRange{First: first, Last: last, Step: 1, Movable: movable}
}

// countKeysAt is a key count at argument i followed by the keys (LMPOP
// numkeys key..., BLMPOP timeout numkeys key...), with genericGetKeys as
// the getkeys proc.
func countKeysAt(i int) cmdKeys {
	return cmdKeys{
		specs: []keySpec{keyCount(i)},
		proc:  func(argv [][]byte) []int { return countedKeys(argv, 0, i, i+1, 1) },
	}
}

// sortGetKeys is sortGetKeys: the key, and the key after the last STORE
// that is not an argument of LIMIT, GET or BY.
func sortGetKeys(argv [][]byte) []int {
	pos := []int{1}
	store := 0
	for i := 2; i < len(argv); i++ {
		switch {
		case cEqualFold(argv[i], "limit"):
			i += 2
		case cEqualFold(argv[i], "get"), cEqualFold(argv[i], "by"):
			i++
		case cEqualFold(argv[i], "store") && i+1 < len(argv):
			store = i + 1
		}
	}
	if store > 0 {
		pos = append(pos, store)
	}
	return pos
}
