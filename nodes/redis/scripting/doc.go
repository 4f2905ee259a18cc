// Package scripting is the EVAL engine of the Redis node: it compiles Lua
// scripts with gopher-lua, caches them by SHA1 as SCRIPT LOAD does, runs
// them in a sandbox shaped like Redis 7.0's (the same globals, the redis
// library, readonly globals and library tables) and turns what a script
// returns or raises into the reply real Redis 7.0 would send, byte for byte
// where gopher-lua allows it.
//
// The engine runs commands only through the Context the server hands to each
// run: it never touches the keyspace itself, and the server keeps every
// command-level check (unknown command, arity, commands denied to scripts,
// WRONGTYPE). It owns one Lua state, reused across runs as Redis reuses its
// own; KEYS, ARGV, the math.random generator, the RESP version of
// redis.setresp and the step budget are reset before every run, so a run
// depends only on the script, its arguments, the Context's seed and the
// replies of the commands it calls.
//
// Invariants: no call into the engine panics (Lua errors, Go panics inside
// gopher-lua, runaway recursion and malformed command replies all become
// error replies); every run writes exactly one reply; nothing depends on the
// wall clock, on Go map order or on global random state. A script that runs
// longer than MaxSteps Lua instructions is stopped with an error, where real
// Redis would go BUSY and wait for SCRIPT KILL.
//
// What is not there: the cjson, cmsgpack, bit and struct libraries,
// redis.acl_check_cmd, the Lua debugger (redis.breakpoint returns false and
// redis.debug does nothing) and RESP3 inside scripts: redis.setresp(3) raises
// an error, since Context.Call speaks RESP2 only.
package scripting
