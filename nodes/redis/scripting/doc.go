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
// The cjson library (lua-cjson 2.1.0: encode, decode, null, new and the
// configuration functions) and the bit library (LuaBitOp) follow Redis's C
// code rule for rule, error texts included. cjson.encode writes an
// object's keys in the order pairs() visits them, which in gopher-lua is
// the array part 1..n and then the other keys in the order they were first
// set; Redis follows Lua 5.1's hash order, which no one can rely on. The
// cjson settings a script changes (cjson.encode_number_precision and the
// like) are reset before every run, where Redis keeps them for later
// scripts. tostring(cjson.null) gives an address like other userdata, where
// Redis prints "userdata: (nil)".
//
// What is not there: the cmsgpack and struct libraries,
// redis.acl_check_cmd, the Lua debugger (redis.breakpoint returns false and
// redis.debug does nothing) and RESP3 inside scripts: redis.setresp(3) raises
// an error, since Context.Call speaks RESP2 only.
package scripting
