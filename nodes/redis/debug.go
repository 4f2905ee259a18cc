package redis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/rnum"
)

// debugState is what DEBUG subcommands set for the rest of the run.
type debugState struct {
	// skipChecksum is DEBUG SET-SKIP-CHECKSUM-VALIDATION: RDB files and
	// RESTORE payloads are loaded without checking their CRC-64.
	skipChecksum bool
	// allowDeniedInScripts is DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may
	// call commands flagged noscript.
	allowDeniedInScripts bool
	// quicklistPackedThreshold is DEBUG QUICKLIST-PACKED-THRESHOLD in
	// bytes, 0 for the default (1 GB); lists keep no plain nodes, so it is
	// only remembered.
	quicklistPackedThreshold int64
}

// debugCommand is DEBUG (src/debug.c): the subcommands a test suite or a
// client library's tests use. Those that crash, leak or read the process's
// own memory (SEGFAULT, PANIC, ASSERT, OOM, LEAK, MALLCTL, JMAP...) are
// not simulated and answer as an unknown subcommand.
func debugCommand(c *client, args [][]byte) {
	s := c.s
	sub := lowerC(args[1])
	n := len(args)
	switch {
	case sub == "help" && n == 2:
		c.writeHelp(args[0], debugHelp)
	case sub == "sleep" && n == 3:
		// strtod: what does not convert is 0 seconds.
		secs, _, _ := rnum.ParseFloatPrefix(args[2])
		c.w.WriteOK()
		s.sleep(time.Duration(secs * float64(time.Second)))
	case sub == "digest" && n == 2:
		c.w.WriteSimpleString(s.digestHex())
	case sub == "digest-value" && n >= 2:
		c.w.WriteArrayLen(n - 2)
		for _, k := range args[2:] {
			c.w.WriteSimpleString(s.keyDigestHex(c.db, k))
		}
	case sub == "set-active-expire" && n == 3:
		s.activeExpireOff = rnum.Atoi(args[2]) == 0
		c.w.WriteOK()
	case sub == "set-skip-checksum-validation" && n == 3:
		s.skipChecksum = rnum.Atoi(args[2]) != 0
		c.w.WriteOK()
	case sub == "set-disable-deny-scripts" && n == 3:
		s.allowDeniedInScripts = rnum.Atoi(args[2]) != 0
		c.w.WriteOK()
	case sub == "quicklist-packed-threshold" && n == 3:
		// quicklistisSetPackedThreshold: 0 restores the default, and
		// nothing from 1 MB below 4 GB up is taken.
		v, ok := memtoull(string(args[2]))
		if !ok || v > 1<<32-1<<20 {
			c.w.WriteError("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
			return
		}
		s.quicklistPackedThreshold = int64(v)
		c.w.WriteOK()
	case sub == "change-repl-id" && n == 2:
		// changeReplicationId, clearReplicationId2.
		s.replid = randomHex(s.rng, 40)
		s.replid2, s.secondOffset = strings.Repeat("0", 40), -1
		s.env.Logf("Changing replication IDs after receiving DEBUG change-repl-id")
		c.w.WriteOK()
	case sub == "error" && n == 3:
		// The argument is the whole error line, code included.
		c.w.WriteRaw(append(append([]byte{'-'}, sanitizeErrorLine(args[2])...), '\r', '\n'))
	case sub == "log" && n == 3:
		s.env.Logf("DEBUG LOG: %s", args[2])
		c.w.WriteOK()
	case sub == "populate" && n >= 3 && n <= 5:
		debugPopulate(c, args)
	case sub == "reload":
		debugReload(c, args)
	case sub == "loadaof" && n == 2:
		debugLoadAOF(c)
	case sub == "object" && n == 3:
		o := c.db.lookupNoTouch(args[2])
		if o == nil {
			c.w.WriteError(errNoKey)
			return
		}
		c.w.WriteSimpleString(s.debugObject(o))
	case sub == "protocol" && n == 3:
		debugProtocol(c, lowerC(args[2]))
	default:
		c.w.WriteError("ERR unknown subcommand or wrong number of arguments for '" + cstr(args[1], 128) + "'. Try DEBUG HELP.")
	}
}

// sanitizeErrorLine is what addReplyErrorLength makes of an error text:
// newlines become spaces so that the reply stays one line.
func sanitizeErrorLine(b []byte) []byte {
	out := []byte(cstr(b, len(b)))
	for i, ch := range out {
		if ch == '\r' || ch == '\n' {
			out[i] = ' '
		}
	}
	return out
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: count string keys
// prefix:N holding "value:N" (zero-padded to size), skipping keys that
// exist; not propagated and not counted as changes.
func debugPopulate(c *client, args [][]byte) {
	count, ok := rnum.ParseInt(args[2])
	if !ok || count < 0 {
		c.w.WriteError(errPositiveInt)
		return
	}
	prefix := "key"
	if len(args) >= 4 {
		prefix = string(args[3])
	}
	size := int64(-1)
	if len(args) == 5 {
		if size, ok = rnum.ParseInt(args[4]); !ok || size < 0 {
			c.w.WriteError(errPositiveInt)
			return
		}
	}
	for i := range count {
		key := prefix + ":" + strconv.FormatInt(i, 10)
		if c.db.lookupNoTouch([]byte(key)) != nil {
			continue
		}
		val := []byte("value:" + strconv.FormatInt(i, 10))
		if size >= 0 {
			v := make([]byte, size)
			copy(v, val)
			val = v
		}
		c.db.add(key, stringObject(val))
	}
	c.w.WriteOK()
}

// debugProtocol is DEBUG PROTOCOL type: a sample reply of each RESP3 type,
// as a RESP2 client sees it when it asks.
func debugProtocol(c *client, typ string) {
	w := c.w
	switch typ {
	case "string":
		w.WriteBulkString("Hello World")
	case "integer":
		w.WriteInt(12345)
	case "double":
		if c.resp == 2 {
			w.WriteBulkString("3.141")
		} else {
			w.WriteRaw([]byte(",3.141\r\n"))
		}
	case "bignum":
		w.WriteBigNum("1234567999999999999999999999999999999")
	case "null":
		w.WriteNull()
	case "array", "set", "map":
		n := 3
		switch typ {
		case "array":
			w.WriteArrayLen(n)
		case "set":
			w.WriteSetLen(n)
		default:
			w.WriteMapLen(n)
		}
		for i := range n {
			w.WriteInt(int64(i))
			if typ == "map" {
				w.WriteBool(i == 1)
			}
		}
	case "attrib":
		if c.resp > 2 {
			w.WriteRaw([]byte("|1\r\n"))
			w.WriteBulkString("key-popularity")
			w.WriteArrayLen(2)
			w.WriteBulkString("key:123")
			w.WriteInt(90)
		}
		w.WriteBulkString("Some real reply following the attribute")
	case "push":
		if c.resp < 3 {
			w.WriteError("ERR RESP2 is not supported by this command")
			return
		}
		w.WritePushLen(2)
		w.WriteBulkString("server-cpu-usage")
		w.WriteInt(42)
		w.WriteBulkString("Some real reply following the push reply")
	case "true", "false":
		w.WriteBool(typ == "true")
	case "verbatim":
		w.WriteVerbatimString("This is a verbatim\nstring", "txt")
	default:
		w.WriteError("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// debugHelp is DEBUG HELP's text after its first line: the subcommands
// 7.0.15 lists, including those the node does not simulate.
var debugHelp = []string{
	"AOF-FLUSH-SLEEP <microsec>",
	"    Server will sleep before flushing the AOF, this is used for testing.",
	"ASSERT",
	"    Crash by assertion failed.",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"CONFIG-REWRITE-FORCE-ALL",
	"    Like CONFIG REWRITE but writes all configuration options, including",
	"    keywords not listed in original configuration file or default values.",
	"CRASH-AND-RECOVER [<milliseconds>]",
	"    Hard crash and restart after a <milliseconds> delay (default 0).",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LEAK <string>",
	"    Create a memory leak of the input string.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"HTSTATS <dbid>",
	"    Return hash table statistics of the specified Redis database.",
	"HTSTATS-KEY <key>",
	"    Like HTSTATS but for the hash table stored at <key>'s value.",
	"LOADAOF",
	"    Flush the AOF buffers on disk and reload the AOF in memory.",
	"REPLICATE <string>",
	"    Replicates the provided string to replicas, allowing data divergence.",
	"MALLCTL <key> [<val>]",
	"    Get or set a malloc tuning integer.",
	"MALLCTL-STR <key> [<val>]",
	"    Get or set a malloc tuning string.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"DROP-CLUSTER-PACKET-FILTER <packet-type>",
	"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
	"OOM",
	"    Crash the server simulating an out-of-memory error.",
	"PANIC",
	"    Crash the server simulating a panic.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
	"    * MERGE: conflicting keys will be loaded from RDB.",
	"    * NOFLUSH: the existing database will not be removed before load, but",
	"      conflicting keys will generate an exception and kill the server.",
	"    * NOSAVE: the database will be loaded from an existing RDB file.",
	"    Examples:",
	"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
	"      the database.",
	"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
	"      existing RDB file.",
	"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
	"      file to the database.",
	"RESTART [<milliseconds>]",
	"    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
	"SDSLEN <key>",
	"    Show low level SDS string info representing `key` and value.",
	"SEGFAULT",
	"    Crash the server with sigsegv.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"QUICKLIST-PACKED-THRESHOLD <size>",
	"    Sets the threshold for elements to be inserted as plain vs packed nodes",
	"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
	"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
	"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"STRINGMATCH-TEST",
	"    Run a fuzz tester against the stringmatchlen() function.",
	"STRUCTSIZE",
	"    Return the size of different Redis core C structures.",
	"LISTPACK <key>",
	"    Show low level info about the listpack encoding of <key>.",
	"QUICKLIST <key> [<0|1>]",
	"    Show low level info about the quicklist encoding of <key>.",
	"    The optional argument (0 by default) sets the level of detail",
	"CLIENT-EVICTION",
	"    Show low level client eviction pools info (maxmemory-clients).",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
	"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
	"    In case NEVER is provided the last observed peak will never be reset",
	"    In case RESET is provided the peak reset time will be restored to the default value",
	"REPLYBUFFER RESIZING <0|1>",
	"    Enable or disable the reply buffer resize cron job",
	"CLUSTERLINK KILL <to|from|all> <node-id>",
	"    Kills the link based on the direction to/from (both) with the provided node.",
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the RDB
// file (at once, as rdbSave does in the main thread), empty the dataset,
// and load the file back. With NOFLUSH a key already present is replaced
// under MERGE and, without it, stops the server as Redis's duplicate-key
// panic does.
func debugReload(c *client, args [][]byte) {
	s := c.s
	flush, save, merge := true, true, false
	for _, opt := range args[2:] {
		switch {
		case cEqualFold(opt, "merge"):
			merge = true
		case cEqualFold(opt, "noflush"):
			flush = false
		case cEqualFold(opt, "nosave"):
			save = false
		default:
			c.w.WriteError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	disk := s.env.Disk()
	if save {
		tmp := "temp-debug-reload.rdb"
		if err := disk.Write(tmp, s.snapshot()); err != nil {
			c.w.WriteError("ERR")
			return
		}
		disk.Sync(tmp, func(error) {})
		if err := disk.Rename(tmp, s.cfg.DBFilename); err != nil {
			c.w.WriteError("ERR")
			return
		}
		s.dirty = 0
		s.lastSaveMs = s.nowMs()
	}
	data, err := disk.Read(s.cfg.DBFilename)
	var f *rdbfile.File
	if err == nil {
		f, err = rdbfile.ReadAll(data, s.rdbReadOptions())
	}
	if err != nil {
		if flush {
			for _, d := range s.dbs {
				d.flush()
			}
		}
		c.w.WriteError("ERR Error trying to load the RDB dump, check server logs.")
		return
	}
	if flush {
		err = s.applyRDB(f, !s.isReplica())
	} else {
		err = s.mergeRDB(f, merge)
	}
	if errors.Is(err, errDuplicateKey) {
		s.env.Logf("Guru Meditation: %v", err)
		s.crashExit()
		return
	}
	if err != nil {
		s.logLoadError(err)
		c.w.WriteError("ERR Error trying to load the RDB dump, check server logs.")
		return
	}
	c.noProp = true // the reload is no write to propagate
	s.env.Logf("DB reloaded by DEBUG RELOAD")
	c.w.WriteOK()
}

// errDuplicateKey is rdbLoad's panic on a key the dataset already has
// (DEBUG RELOAD NOFLUSH without MERGE).
var errDuplicateKey = errors.New("Duplicate key found in RDB file")

// mergeRDB loads f's keys and libraries into the dataset as it is (DEBUG
// RELOAD NOFLUSH): a key present is replaced under MERGE, an error
// otherwise.
func (s *Server) mergeRDB(f *rdbfile.File, merge bool) error {
	for _, k := range f.Keys {
		if k.DB < 0 || k.DB >= len(s.dbs) {
			return fmt.Errorf("the file selects db %d; this server has %d databases", k.DB, len(s.dbs))
		}
		d := s.dbs[k.DB]
		if d.lookupNoTouch(k.Key) != nil && !merge {
			return fmt.Errorf("%w: %q", errDuplicateKey, k.Key)
		}
	}
	policy := scripting.RestoreAppend
	if merge {
		policy = scripting.RestoreReplace
	}
	if len(f.Functions) > 0 {
		if err := s.functions().Restore(f.Functions, policy); err != nil {
			return fmt.Errorf("failed loading the function libraries: %v", err)
		}
	}
	for _, k := range f.Keys {
		o, err := s.objectFromRDB(k.Value)
		if err != nil {
			return fmt.Errorf("key %q: %w", k.Key, err)
		}
		if k.Meta.ExpireAtMs != -1 {
			o.expireAt = s.expireFromRDB(k.Meta.ExpireAtMs)
		}
		d := s.dbs[k.DB]
		d.remove(string(k.Key))
		d.add(string(k.Key), o)
	}
	return nil
}

// debugLoadAOF is DEBUG LOADAOF: write the AOF buffer out, empty the
// dataset and load the AOF files again by the manifest on disk; a file
// that does not load stops the server (exit(1) in Redis).
func debugLoadAOF(c *client) {
	s := c.s
	if s.aofOn && len(s.aofBuf) > 0 && s.aofIncr != "" {
		if err := s.env.Disk().Append(s.aofPath(s.aofIncr), s.aofBuf); err == nil {
			s.aofBuf = s.aofBuf[:0]
		}
	}
	for _, d := range s.dbs {
		d.flush()
	}
	// The reload takes no virtual time: the loading window of a reload
	// inside a command is not modelled (loading.go models the loads at
	// boot and of a full resync).
	if !s.loadManifest() {
		s.crashExit()
		return
	}
	if ok, _ := s.loadAOFFiles(); !ok {
		s.crashExit()
		return
	}
	s.dirty = 0
	c.noProp = true // call() sees dirty go down: nothing to propagate
	s.env.Logf("Append Only File loaded by DEBUG LOADAOF")
	c.w.WriteOK()
}

// debugObject is DEBUG OBJECT's line for o. The address is not a real
// one; serializedlength is the value's RDB size (rdbSavedObjectLen).
// A list's quicklist fields describe the nodes that RPUSHes would have
// built under today's list-max-listpack-size and list-compress-depth, as
// its serializedlength does: the node does not keep the layout, which in
// Redis also depends on the list's history (LPUSH, LINSERT, deletions) and
// on the options when it was created.
func (s *Server) debugObject(o *object) string {
	refcount := 1
	if o.shared {
		refcount = sharedRefcount
	}
	idle := (s.lruClock - s.lruOf(o)) & lruClockMax
	line := "Value at:0x7f0000000000 refcount:" + strconv.Itoa(refcount) +
		" encoding:" + o.encoding() +
		" serializedlength:" + strconv.Itoa(s.serializedLength(o)) +
		" lru:" + strconv.FormatInt(s.lruOf(o), 10) +
		" lru_seconds_idle:" + strconv.FormatInt(idle, 10)
	if o.kind == kindList {
		items := o.rdbValue().Elems
		fill := rdbfile.QuicklistFill(s.cfg.ListMaxListpackSize)
		nodes, size := rdbfile.QuicklistShape(items, fill)
		compressed := 0
		if s.cfg.ListCompressDepth > 0 {
			compressed = 1
		}
		line += " ql_nodes:" + strconv.Itoa(nodes) +
			" ql_avg_node:" + strconv.FormatFloat(float64(len(items))/float64(nodes), 'f', 2, 64) +
			" ql_listpack_max:" + strconv.Itoa(fill) +
			" ql_compressed:" + strconv.Itoa(compressed) +
			" ql_uncompressed_size:" + strconv.Itoa(size)
	}
	return line
}

// serializedLength is rdbSavedObjectLen: the value's serialized bytes
// without its type byte.
func (s *Server) serializedLength(o *object) int {
	b, err := rdbfile.EncodeValue(nil, o.rdbValue(), s.rdbOptions())
	if err != nil || len(b) == 0 {
		return 0
	}
	return len(b) - 1
}
