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
// Redis would go BUSY and wait for SCRIPT KILL; each step of the pattern
// matcher counts as an instruction there, so that a pattern that
// backtracks exponentially (which hangs Redis inside C) is cut too.
//
// The cjson library (lua-cjson 2.1.0: encode, decode, null, new and the
// configuration functions) and the bit library (LuaBitOp) follow Redis's C
// code rule for rule, error texts included. cjson.encode writes an
// object's keys in the order pairs() visits them, which in gopher-lua is
// the array part 1..n and then the other keys in the order they were first
// set; Redis follows Lua 5.1's hash order, which no one can rely on. The
// cjson settings a script changes (cjson.encode_number_precision and the
// like) are reset before every run, where Redis keeps them for later
// scripts. tostring(cjson.null) is "userdata: (nil)", as Redis prints it.
//
// The base and string libraries are gopher-lua's where they agree with
// Lua 5.1.5 and the sandbox's own where they did not (see sandbox.go,
// number.go and pattern.go): tostring of numbers (%.14g), tonumber
// (strtod's syntax, and strtoul's in other bases), string.format (each
// item as C's sprintf writes it, and its errors), the pattern functions
// (find, match, gmatch, gsub: lstrlib's matcher, %f included, with its
// errors), string.lower and upper (ASCII only), string.char's range,
// numeric strings where a function takes an integer (string.sub(s,
// "2")), setmetatable on a non-table, coroutine.resume of a dead
// coroutine, and errors raised by these as luaL_error raises them (no
// position when pcall calls the function itself).
// testdata/lua_stdlib.txt in internal/redisdiff compares them with a
// real redis-server. Differences left, because they are in gopher-lua's
// compiler, VM or the library functions it raises errors from:
//   - number literals and the strings arithmetic converts are read with
//     Go's syntax: '010' + 0 is 8 (octal) and '0b11' + 0 is 3, where Lua
//     reads 10 and fails;
//   - the .. operator spells infinities +Inf and -Inf (tostring and
//     string.format say inf);
//   - # on a table calls its __len metamethod, which Lua 5.1 ignores;
//   - runtime errors do not name the variable ("attempt to index a nil
//     value", where Lua says "attempt to index local 't' (a nil value)");
//   - gopher-lua's own library functions (table.concat, table.sort,
//     select, math.*) called directly by pcall name themselves and carry
//     the script's position in their errors, where Lua says '?' and none.
//
// The cmsgpack library (lua-cmsgpack 0.4.0) and the struct library
// (lua-struct) follow the C code bundled with Redis 7.0.15, including its
// x86-64 conversions and its Lua stack limits (see cmsgpack.go and
// struct.go); cmsgpack.pack writes a map's keys in pairs() order, like
// cjson.encode.
//
// redis.setresp(3) works when the server provides Context.CallProto:
// commands then run with the script client in RESP3, their replies become
// Lua values as script_lua.c makes them (map, set, double, big_number and
// verbatim_string tables, nil for null, booleans), and a boolean the script
// returns is a RESP3 boolean. The caller's protocol is the protocol of
// the resp.Writer the reply goes to. redis.set_repl reports its flags
// through Context.SetRepl, redis.acl_check_cmd asks Context.ACLCheckCmd.
// redis.breakpoint and redis.debug behave as outside a debugging session
// (false, nothing): there is no Lua debugger.
//
// Functions (FUNCTION LOAD, FCALL...) have their own Engine in function
// mode, a separate Lua state as in Redis: chunks named user_function, no
// KEYS or ARGV globals, no redis.breakpoint, redis.debug or
// redis.replicate_commands, and while a library loads an environment
// that holds only redis.register_function, redis.log and the constants.
// Where Redis iterates a dictionary in hash order, which a random seed
// chooses at every start (FUNCTION LIST, FUNCTION DUMP's libraries, which
// of several collisions an error names), the engine uses name order.
// used_memory_functions is computed to the byte as Redis does;
// used_memory_vm_functions (the Lua heap) is an estimate. FUNCTION LOAD's
// 500 ms timeout is a step budget (Functions.MaxLoadSteps). A library
// whose function names differ only in case, which makes Redis 7.0.15
// crash at FUNCTION DELETE, is deleted cleanly.
package scripting
