// Package redis is Redsim's Redis 7.0 server: the keyspace, the commands,
// expiry, transactions, scripting, pub/sub and persistence, written as an
// event-driven state machine over a sim.Env so that the same code runs in the
// simulated world and, through sim/realenv, behind `simulate serve`.
//
// The execution model is Redis's: one command at a time per node. A
// connection's bytes go through a resp.Reader; each complete command is
// looked up, checked (arity, authentication, MULTI, pub/sub context) and run
// to completion; replies collect in the client's writer and are written to
// the connection when the event that produced them ends (Redis's
// beforeSleep), after the append-only file has been written and, with
// appendfsync always, fsynced. A cron at hz runs the active expiry cycle,
// the everysec fsync and the save points. While the event loop is held
// (DEBUG SLEEP, SAVE, an appendfsync always fsync) input waits, the
// master's stream included, and runs in client id order when the hold
// ends; a cron that came due meanwhile runs after that input, once, and
// its next period counts from then, as Redis fires a late time event (a
// replica held by its fsyncs still ACKs every second). The AOF is Redis
// 7.0's multi-part AOF (aofmanifest.go, aofload.go, aof.go): a manifest
// naming a base file (RDB or commands) and incr files, in appenddirname,
// which the simulated disk keeps as flat names with a "appendonlydir/"
// prefix. Every manifest is fsynced before its rename, and a rewrite's
// new base before the manifest that names it, so a crash at any step
// leaves files that load every write acknowledged under appendfsync
// always; the fsyncs Redis makes in its main thread hold the node.
//
// Loading a dataset takes virtual time (loading.go): at boot the node
// listens first, then loads its RDB file or AOF, and a replica loads the
// snapshot of a full resync, each for LoadStartCost plus its bytes at a
// measured rate. Meanwhile the loop is held as Redis's is by its loader,
// and every loading-process-events-interval-bytes of RDB (every 1024 AOF
// commands) the waiting clients are served: commands without the loading
// flag get -LOADING, INFO shows loading:1 and the loading_* fields, no
// cron runs and a replica reads nothing of its master's stream; it sends
// its master a newline at those points (once a second at most), which
// the master takes as an ACK's time, so that a load longer than
// repl-timeout keeps the link. Known
// differences: the dataset is applied whole when the load starts (INFO
// keyspace and DEBUG see all of it), a bad file fails at once, and DEBUG
// RELOAD and DEBUG LOADAOF load in no time.
//
// A replica reaches its master through a nodes/redisconn Conn for the
// handshake and the snapshot, then takes the raw connection over (Hijack)
// for the replication stream, which a master client applies. Observers
// (a scenario's checks) read replication through ReplStats (INFO's
// sync_full, sync_partial_ok and sync_partial_err, and counters Redis keeps
// nowhere: resyncs taken as a replica, link drops, and the replication
// protocol errors with their log lines), ReplID, MasterHost and
// ReplicaAcks; an operator kills a replica's link with KillMasterLink, as
// CLIENT KILL TYPE master does. min-replicas-to-write compares with the
// count of good replicas that Redis keeps, recounted once a second by
// replicationCron, when a replica goes online or is freed, and on CONFIG
// SET, from ACK times in whole seconds of the cached wall clock
// (server.unixtime); an ACK alone does not recount it. Known differences
// in replication: a replica's offset counts the commands it applied,
// encoded again, where Redis counts the bytes it read (the same bytes for
// a well-formed stream; a bare newline, which Redis would count, is not);
// the master client is not in CLIENT LIST; a protocol error's log line
// lacks Redis's sample of the query buffer; every full sync's snapshot is
// sent as a diskless one is (with repl-diskless-sync no it starts at once,
// but no dump.rdb is written for it and no replica joins a disk BGSAVE
// already running); the replica class of client-output-buffer-limit is
// not enforced; an error reply to PSYNC does not fall back to SYNC; and
// INFO lacks the master_sync_* fields of a transfer in progress.
//
// Each command family's file lists its commands (cmdSpec): name, arity,
// flags, and where the keys are, as the key specs of Redis 7.0.15's
// src/commands/*.json. CommandTable.KeyPositions finds a command's keys
// from them as COMMAND GETKEYS does, and KeyRange is COMMAND INFO's legacy
// (first key, last key, step), derived from the specs as Redis derives it.
//
// COMMAND INFO and COMMAND DOCS take the name, arity, key range and key
// specs' searches from the table, and what the table does not hold (the
// full flags, ACL categories, tips, key-spec flags and notes, the docs)
// from commandmeta.go, which internal/redisdiff generates from a real
// redis-server 7.0.15 and checks against it.
//
// A panic inside a command becomes a *CommandPanic naming the node (its
// host and process), the command line and the original value and stack,
// so that a scenario's framework error says which command crashed which
// node; FuzzCommands drives a node with random commands of the table to
// keep any input from crashing it.
//
// Values keep Redis 7.0's encodings, as OBJECT ENCODING reports them:
// strings are int (shared from 0 to 9999, OBJECT REFCOUNT 2147483647),
// embstr up to 44 bytes or raw, as the command that made them chose;
// lists are quicklists (7.0 has no listpack lists); sets, hashes and
// sorted sets convert one way at the configured thresholds, and the
// stores of ZUNIONSTORE and its kin convert back as Redis does. OBJECT
// IDLETIME reads an LRU clock the cron updates, as Redis's with hz 10;
// under an LFU maxmemory-policy the same field holds the LFU counter and
// its time, and OBJECT FREQ answers instead (evict.go). With maxmemory
// set, used_memory is a model (usedmemory.go) that eviction and -OOM
// compare against the limit.
//
// Known differences, each a choice: random picks (SPOP, SRANDMEMBER,
// HRANDFIELD, ZRANDMEMBER, LOLWUT's art) come from the node's stream, so
// the members differ from a real server's; a sample with repetitions
// whose reply passes 64 MiB closes the client, where Redis's unlimited
// normal clients make it write until it runs out of memory; an EXEC or a
// script that propagates a single command wraps it in MULTI/EXEC, which
// Redis 7.0 does not; SORT does not reproduce Redis's stale errno (an
// overflow in one SORT can fail a later one); SWAPDB touches a watched
// key that exists on either side, without Redis's special case for keys
// already expired.
//
// Bitmaps (SETBIT, BITFIELD...), LCS and HyperLogLogs are computed by the
// pure packages nodes/redis/bitops and nodes/redis/hll; bitops.go and
// hyperloglog.go look the keys up in Redis's order and store the results
// (made raw, as dbUnshareStringValue does). Their size bound is
// proto-max-bulk-len except for the master's link and the AOF, which are
// obeyed; PFSELFTEST draws from the node's stream. hll's one known
// difference (a hand-made sparse value cut inside an XZERO opcode) is
// described in its doc.
//
// CONFIG holds 7.0.15's whole table (config.go, configtypes.go,
// configparams.go): every parameter with its type, bounds, units, enum
// names, aliases, flags (immutable, protected by
// enable-protected-configs, hidden, sensitive, refused while loading) and
// default, checked and reported with Redis's replies. Config's doc
// comments say which parameters the node acts upon, which it keeps
// without their behaviour yet, and which (ProcessConfig) belong to a real
// process. Known differences: CONFIG SET port and bind store the value
// and the node keeps listening where it was; activedefrag yes is refused
// as by the reference build (Debian's, without HAVE_DEFRAG) and TLS
// cannot be turned on; enable-debug-command is "yes", as the node always
// allows DEBUG; CONFIG REWRITE answers as a server started without a
// config file; busy-reply-threshold takes "007" and "+5", and holds at
// most 9223372036854 ms (busyscript.go).
//
// Bugs from Redis's history can be planted back (nodes/bugs, `simulate
// mutants`): each sits behind a bugs.On check at the place the fix went, and
// with none enabled the node is 7.0.15, event for event. The stories in
// bugs_test.go show what each one changes.
//
// Invariants: nothing here iterates a Go map into a reply, a trace line or a
// decision; the keyspace and the other hash tables are the seedless dict, and
// every random choice (RANDOMKEY, SPOP, expiry sampling, skiplist levels,
// math.random in scripts) is drawn from the node's own PRNG stream. Key
// expiry reads the host's wall clock by default, as Redis's mstime() does;
// Config.ExpireClock = ExpireMonotonic runs expiry on the monotonic clock
// instead, so that clock jumps after boot cannot expire or revive keys.
package redis
