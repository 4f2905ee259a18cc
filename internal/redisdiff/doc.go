// Package redisdiff is the differential test suite of the Redsim Redis
// node: it sends the same commands to the node and to a real redis-server
// and requires the same reply bytes from both.
//
// The harness is exported so that other packages' tests can use it:
// StartRedis runs a real redis-server 7.0.x from PATH (the test is skipped
// when there is none, and fails under CI=true), StartNode runs the node on
// the real-time Env of sim/realenv, Conn is a raw RESP client and Session
// sends the same commands to two Sides; this package's own tests run the
// scripts and the seeded random sequences through it. A
// package that the node itself imports cannot use StartNode's file
// without an import cycle; it may use the rest from an external test
// package.
//
// # Scripts
//
// A script (testdata/*.txt) is one command per line, split into arguments
// as redis-cli splits them: "..." takes the escapes \n \r \t \b \a \\ \"
// and \xHH, '...' takes \' only. Lines starting with # are comments; blank
// lines are ignored. Each file starts from empty servers (FLUSHALL) on fresh
// connections. Every command's reply is compared as bytes, unless
// directives say otherwise.
//
// Modifiers apply to the next command, written on the same line after the
// modifier or on a later line; several may be combined:
//
//	!sort      sort the elements of every innermost array (one holding no
//	           array) before comparing: replies in hash-table order, as
//	           KEYS, SMEMBERS of a hash-table set, SCAN, HGETALL of a big hash
//	!ignore    compare only the reply's type and, for an array, its length:
//	           replies that differ by nature (HELLO's id, INFO, SPOP)
//	!within N  let integers anywhere in the reply differ by up to N: TTL
//	           and PTTL, which tick between the two servers
//	!slow      wait SlowReplyTimeout (30 s) for the reply instead of
//	           ReplyTimeout (3 s): a reply slow by nature (SETBIT at 2^32-1)
//	!quiet     expect no reply: wait QuietTimeout (500 ms) instead of
//	           ReplyTimeout (a command that blocks for ever, a push that
//	           must not come); a reply that does come still fails the step,
//	           and a step without it that neither server answers fails too.
//	           A timeout closes the connection (reopened on its next use),
//	           except at a !quiet !recv of a push, which leaves nothing owed
//	!mask      replace client addresses (ip:port), DEBUG OBJECT's address
//	           and LRU fields, and a leading MONITOR
//	           timestamp in every string of the reply before comparing
//	!async     send the command without reading its reply (a BLPOP that
//	           blocks until another connection pushes); read it with !recv.
//	           The script goes on once both servers have processed the
//	           command: blocked on it, replied or closed the connection
//
// Actions:
//
//	!conn N    send the following commands on connection N (0-7; 0 at
//	           the start); connections are opened on first use, and one
//	           that a server closed is reopened on its next use
//	!recv      read and compare the next reply on the current connection:
//	           that of its oldest !async command, else a pushed message
//	           (pub/sub); modifiers before !recv apply to it
//	!sleep D   wait D (a Go duration, at most 5s) on the wall clock, to let
//	           keys expire
//
// A command sent on a connection that still owes the reply of an !async
// command is a script error. The two servers get each command before
// either reply is read, so a command that blocks for its timeout costs the
// timeout once. A server that does not reply within ReplyTimeout, or that
// closes the connection, shows as <no reply ...> or <connection closed>
// in place of its reply.
//
// After an !async command the harness waits, on each server, until the
// command is processed, so that commands sent on different connections run
// in the order of the script (two BLPOPs on one list are served in the
// order they were sent, whichever socket the server reads first): through
// a control connection, opened for the wait and closed before the script
// goes on, it asks CLIENT LIST whether the client is blocked (flags=b),
// and it watches for the start of the reply or the end of the connection.
// A server that shows none of them within ReplyTimeout fails the step.
// Since no script command runs while the control connection is open,
// scripts do not see it in CLIENT LIST or INFO clients; the command
// counters of INFO stats do count its CLIENT LIST polls, which may differ
// between the two servers.
//
// # Cluster mode
//
// TestClusterScripts runs the scripts of testdata/cluster against two
// fresh servers in cluster mode per script. Both load the same nodes.conf
// (a lone master by default, or NAME.nodes.conf beside the script: peers
// that never answer, at 127.0.0.2, with a node timeout of an hour), so
// node IDs and epochs agree, and both announce port 6379 and bus port
// 16379, so NODES, SLOTS, SHARDS and MOVED agree although the servers
// listen on different ports. What still differs by nature (SHARDS'
// order, from a hash table with a random seed) is compared with !ignore.
//
// # Propagation and command metadata
//
// TestPropagation runs the scripts of testdata/propagation with a raw
// replica connected to each server (PSYNC ? -1, the snapshot skipped)
// and, after each step, compares the commands both servers sent to their
// replica, up to an INCR of redisdiff:barrier that marks the step's end:
// what a command propagates to replicas and the AOF (BLMPOP as LPOP or
// RPOP with a count, SORT ... STORE as it came...).
//
// TestCommandInfoAndDocs compares COMMAND INFO and COMMAND DOCS of every
// command of the node's table, and TestCommandMetaFile checks that
// nodes/redis/commandmeta.go holds what the oracle says;
// -redisdiff.update-meta writes it anew from the oracle.
//
// # Replication stories
//
// TestStories runs the scripted replication stories of testdata/stories
// twice: on real redis-server processes (a master and its replicas on
// loopback ports, in real time) and on Redsim nodes in a simulated world
// (in virtual time), through the same story driver (story.go). Both runs
// must print the file's output, which -rewrite takes from the real run.
// A story starts a world (world M R...), sends commands to its nodes
// (cmd; @NAME stands for a node's host and port, for REPLICAOF), waits
// for states (await NODE FIELD=VALUE..., await synced, await acked),
// stops and starts nodes (stop sends SHUTDOWN; start boots the node with
// its first configuration, from its files) and samples every node's
// replication state (sample): role, master, master_link_status,
// connected_slaves, the replicas and their states, master_failover_state,
// master_replid and master_replid2, and INFO stats' sync_full,
// sync_partial_ok and sync_partial_err, printed as their transitions
// since the previous sample. What differs by nature is normalised:
// addresses become node names, replication IDs labels (A, B... in the
// order the samples show them), offsets their changes (+N) and
// second_repl_offset its distance from the node's offset. Samples are
// taken only at states that stay put (after an await), never while a
// transition is under way, so that the real run prints the same output
// every time; disconnections are made by commands, not by timing: CLIENT
// KILL TYPE master or replica cuts a link, and REPLICAOF @nowhere (an
// address that refuses connections) holds a replica off, its master's
// state cached, until REPLICAOF @M gives it its master back. (A wrong
// masterauth would hold it off too, but setting it back races with a
// handshake in flight, which then misreads its replies: Redis's own
// race, seen here as an extra full sync.) Both worlds boot with
// repl-diskless-sync-delay 0 and repl-ping-replica-period 3600, so that
// a full sync starts at once and no PING moves the offsets while a story
// runs. TestStoriesDetectChangedTransitions shows each story failing
// when one of its expected transitions is changed.
//
// # Differential fuzzing
//
// FuzzDifferential turns fuzz input into commands with the generator of
// the node's crash fuzzer (internal/cmdfuzz: every command of the node's
// table, arguments from the docs' tokens) and sends each to both servers,
// from the same state (each input starts with both emptied: clients
// killed, FLUSHALL, scripts, functions, changed configs and users reset).
// Replies are compared as the scripts compare them; what cannot match by
// nature is left out (diffExcluded: SHUTDOWN, DEBUG, SPOP, BGSAVE...) or
// compared more loosely, as Redis's COMMAND INFO tips say
// (nondeterministic_output: type and length only;
// nondeterministic_output_order: sorted), with TTLs within a tick. A
// command that neither server answers within 50 ms is blocked; its reply
// is compared when it comes. A connection that subscribed or tracks keys
// has its pushed replies read and compared after each command. A
// difference must show in three runs of the
// input to fail it: one that goes away came from timing (a key expiring
// between the two servers' turns).
//
// FuzzPropagation runs the same inputs with a replica link (PSYNC ? -1 on
// a raw connection) to each server: after every command both servers
// INCR a barrier key, and what each propagated before it must be the
// same, command for command, but for the absolute times in it (PXAT,
// PEXPIREAT, stream IDs, XCLAIM's TIME: within two seconds). The link
// acks offset 0, so WAIT counts it only for a client at offset 0; active
// expiry is off on both (its DELs come at times of their own); CONFIG
// SET of the parameters that would drop the link is not sent.
//
// FuzzSentinelDifferential does the same for Sentinel: a real
// redis-sentinel (the oracle started with --sentinel) and nodes/sentinel
// on sim/realenv, both monitoring one master at a port where nothing
// listens (nothing is discovered, no failover starts), get every command
// of the oracle's COMMAND LIST. Each input starts from the configured
// state (clients killed, masters removed and the one monitored again,
// SENTINEL CONFIG and DEBUG values and users restored); after a
// difference, or a request for a vote (which may raise the current
// epoch), both processes are restarted instead: no command resets their
// counters or their epoch. Replies are normalised where two real
// sentinels differ too: run IDs, client addresses, fds and buffer sizes,
// INFO's process, clock and sampled fields, the times and link state of
// SENTINEL MASTER and kin, and hash-table orders;
// TestSentinelFuzzerSeesNoDifferenceBetweenTwoRealSentinels runs the
// seeds against two real sentinels started seconds apart to check that
// this is enough.
//
// # Running
//
//	go test ./internal/redisdiff                         node against Redis
//	go test ./internal/redisdiff -redisdiff.against=redis  two real servers, to check the scripts
//	go test ./internal/redisdiff -run TestScripts/lists -redisdiff.trace -v
//	go test ./internal/redisdiff -run TestRandom -redisdiff.seeds=500
//	go test ./internal/redisdiff -run '^$' -fuzz FuzzDifferential -fuzztime 5m
//	go test ./internal/redisdiff -run '^$' -fuzz 'FuzzPropagation$' -fuzztime 5m
//	go test ./internal/redisdiff -run '^$' -fuzz 'FuzzSentinelDifferential$' -fuzztime 5m
//	go test ./internal/redisdiff -run TestStories -args -rewrite  regenerate the stories' output from Redis
//
// -redisdiff.trace logs each command with Redis's reply; -redisdiff.steps
// sets the commands per seed; -redisdiff.lua=false keeps TestRandom from
// wrapping commands in EVAL.
package redisdiff
