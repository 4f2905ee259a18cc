package stream

import "errors"

// The error replies of the stream commands, with their codes, exactly as
// Redis 7.0.15 words them. Errors that name a key, group or option are
// built by the functions below; their text may contain \r or \n from those
// names, which the reply writer turns into spaces as addReplyErrorFormat
// does.
var (
	ErrInvalidID   = errors.New("ERR Invalid stream ID specified as stream command argument")
	ErrSyntax      = errors.New("ERR syntax error")
	ErrNotInteger  = errors.New("ERR value is not an integer or out of range")
	ErrIDTooSmall  = errors.New("ERR The ID specified in XADD is equal or smaller than the target stream top item")
	ErrIDZero      = errors.New("ERR The ID specified in XADD must be greater than 0-0")
	ErrExhausted   = errors.New("ERR The stream has exhausted the last possible ID, unable to add more items")
	ErrTooLarge    = errors.New("ERR Elements are too large to be stored")
	ErrNoSuchKey   = errors.New("ERR no such key")
	ErrBusyGroup   = errors.New("BUSYGROUP Consumer Group name already exists")
	ErrGroupGone   = errors.New("NOGROUP the consumer group this client was blocked on no longer exists")
	ErrKeyRequired = errors.New("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")

	errInvalidStart   = errors.New("ERR invalid start ID for the interval")
	errInvalidEnd     = errors.New("ERR invalid end ID for the interval")
	errMaxLenAndMinID = errors.New("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
	errMaxLenNegative = errors.New("ERR The MAXLEN argument must be >= 0.")
	errLimitNegative  = errors.New("ERR The LIMIT argument must be >= 0.")
	errLimitNoTrim    = errors.New("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	errXTrimNoTrim    = errors.New("ERR syntax error, XTRIM must be called with a trimming strategy")
	errLimitNoApprox  = errors.New("ERR syntax error, LIMIT cannot be used without the special ~ option")
	errXAddArity      = errors.New("ERR wrong number of arguments for 'xadd' command")
	errTimeoutNotInt  = errors.New("ERR timeout is not an integer or out of range")
	errTimeoutNeg     = errors.New("ERR timeout is negative")
	errUnbalanced     = errors.New("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
	errGroupInXRead   = errors.New("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
	errNoAckInXRead   = errors.New("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
	errMissingGroup   = errors.New("ERR Missing GROUP option for XREADGROUP")
	errDollarInGroup  = errors.New("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
	errGtInXRead      = errors.New("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
	errEntriesRead    = errors.New("ERR value for ENTRIESREAD must be positive or -1")
	errEntriesAdded   = errors.New("ERR entries_added must be positive")
	errSetIDMaxDel    = errors.New("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
	errSetIDTop       = errors.New("ERR The ID specified in XSETID is smaller than the target stream top item")
	errSetIDLength    = errors.New("ERR The entries_added specified in XSETID is smaller than the target stream length")
	errClaimMinIdle   = errors.New("ERR Invalid min-idle-time argument for XCLAIM")
	errClaimIdle      = errors.New("ERR Invalid IDLE option argument for XCLAIM")
	errClaimTime      = errors.New("ERR Invalid TIME option argument for XCLAIM")
	errClaimRetry     = errors.New("ERR Invalid RETRYCOUNT option argument for XCLAIM")
	errAutoMinIdle    = errors.New("ERR Invalid min-idle-time argument for XAUTOCLAIM")
	errAutoCount      = errors.New("ERR COUNT must be > 0")
)

// errorf builds an error from parts; byte-slice parts are cut at a NUL as
// C's %s does.
func errorf(parts ...any) error {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b = append(b, p...)
		case []byte:
			b = append(b, cstr(p)...)
		}
	}
	return errors.New(string(b))
}

// errNoKeyOrGroup is the NOGROUP error of XPENDING, XCLAIM and XAUTOCLAIM.
func errNoKeyOrGroup(key, group []byte) error {
	return errorf("NOGROUP No such key '", key, "' or consumer group '", group, "'")
}

// errNoGroupForKey is the NOGROUP error of XGROUP and XINFO CONSUMERS.
func errNoGroupForKey(key, group []byte) error {
	return errorf("NOGROUP No such consumer group '", group, "' for key name '", key, "'")
}

// errSubcommand is addReplySubcommandSyntaxError: the subcommand as typed
// (at most 128 bytes) and the command name in upper case.
func errSubcommand(argv [][]byte) error {
	sub := cstr(argv[1])
	if len(sub) > 128 {
		sub = sub[:128]
	}
	cmd := asciiUpper(cstr(argv[0]))
	return errorf("ERR unknown subcommand or wrong number of arguments for '", sub, "'. Try ", cmd, " HELP.")
}
