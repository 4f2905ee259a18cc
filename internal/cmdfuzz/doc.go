// Package cmdfuzz turns fuzz input into Redis commands: the generator
// shared by the node's crash fuzzer (FuzzCommands in nodes/redis) and
// the differential fuzzer (FuzzDifferential in internal/redisdiff).
//
// Commands come from a command table given as names (the node's own);
// arguments are drawn from the input: keys shared by every type, small,
// huge and negative numbers, floats, the option keywords of the
// commands' docs, scripts and raw bytes. The same input always gives the
// same commands, and an input's first bytes decide its first commands,
// so that the fuzzer's mutations stay local. The package imports nothing
// of the node, so that the node's own tests can use it.
package cmdfuzz
