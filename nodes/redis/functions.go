package redis

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/rnum"
)

// The FUNCTION commands and FCALL (src/functions.c): nodes/redis/scripting
// holds the libraries in their own Lua state; this file parses the
// commands, runs functions through the same script client and checks as
// EVAL (scriptPrepareForRun), and counts the changes. FUNCTION LOAD,
// DELETE, FLUSH and RESTORE propagate as they came; FCALL propagates what
// the function wrote, as EVAL does.
var functionCommands = []cmdSpec{
	{"function", -2, 0, nil, noKeys},
	{"function|load", -3, fw | flagNoScript, functionLoadCommand, noKeys},
	{"function|delete", 3, fwn | flagNoScript, functionDeleteCommand, noKeys},
	{"function|flush", -2, fwn | flagNoScript, functionFlushCommand, noKeys},
	{"function|list", -2, flagNoScript, functionListCommand, noKeys},
	{"function|stats", 2, flagNoScript, functionStatsCommand, noKeys},
	{"function|kill", 2, flagNoScript, func(c *client, _ [][]byte) { scriptKill(c, false) }, noKeys},
	{"function|dump", 2, flagNoScript, functionDumpCommand, noKeys},
	{"function|restore", -3, fw | flagNoScript, functionRestoreCommand, noKeys},
	{"function|help", 2, flagStale, functionHelpCommand, noKeys},
	{"fcall", -3, flagNoScript | flagStale, func(c *client, a [][]byte) { fcallGeneric(c, a, false) }, scriptKeys},
	{"fcall_ro", -3, fr | flagNoScript | flagStale, func(c *client, a [][]byte) { fcallGeneric(c, a, true) }, scriptKeys},
}

// functions is the node's function libraries, made on first use.
func (s *Server) functions() *scripting.Functions {
	if s.funcs == nil {
		s.funcs = scripting.NewFunctions()
		s.funcs.Log = func(level int, msg string) { s.env.Logf("function: %s", msg) }
	}
	return s.funcs
}

func functionLoadCommand(c *client, args [][]byte) {
	code, opts, err := scripting.ParseLoadArgs(args[2:])
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	opts.NoTimeout = c.mustObey()
	name, err := c.s.functions().Load(code, opts)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.s.dirty++
	c.w.WriteBulkString(name)
}

func functionDeleteCommand(c *client, args [][]byte) {
	if err := c.s.functions().Delete(args[2]); err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.s.dirty++
	c.w.WriteOK()
}

func functionFlushCommand(c *client, args [][]byte) {
	switch {
	case len(args) > 3:
		c.w.WriteError("ERR unknown subcommand or wrong number of arguments for '" + cstr(args[1], 128) + "'. Try FUNCTION HELP.")
		return
	case len(args) == 3 && !cEqualFold(args[2], "sync") && !cEqualFold(args[2], "async"):
		c.w.WriteError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	c.s.functions().Flush()
	c.s.dirty++
	c.w.WriteOK()
}

func functionListCommand(c *client, args [][]byte) {
	o, err := scripting.ParseListArgs(args[2:])
	if err != nil {
		// functionListCommand quotes an unknown argument through
		// addReplyErrorSdsSafe: line ends become spaces, none trimmed.
		c.w.WriteErrorSafe(err.Error())
		return
	}
	c.s.functions().WriteList(c.w, o)
}

// functionHelp is FUNCTION HELP's text after its first line.
var functionHelp = []string{
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}

func functionHelpCommand(c *client, args [][]byte) { c.writeHelp(args[0], functionHelp) }

// functionStatsCommand is FUNCTION STATS: refused while EVAL's script is
// busy, and showing the function that is.
func functionStatsCommand(c *client, _ [][]byte) {
	if c.s.long != nil && c.s.inScript && c.s.script.eval {
		c.w.WriteError(errBusyEval)
		return
	}
	c.s.functions().WriteStats(c.w, func() { c.s.writeRunningScript(c) })
}

// fcallGeneric is fcallCommandGeneric: FCALL and FCALL_RO.
func fcallGeneric(c *client, args [][]byte, ro bool) {
	f := c.s.functions()
	fn := f.Find(args[1])
	if fn == nil {
		c.w.WriteError("ERR Function not found")
		return
	}
	n, ok := rnum.ParseInt(args[2])
	switch {
	case !ok:
		c.w.WriteError("ERR Bad number of keys provided")
		return
	case n > int64(len(args)-3):
		c.w.WriteError("ERR Number of keys can't be greater than number of args")
		return
	case n < 0:
		c.w.WriteError("ERR Number of keys can't be negative")
		return
	}
	if !c.prepareScript(fn.Flags|scripting.FlagShebang, ro) {
		return
	}
	keys, argv := args[3:3+n], args[3+n:]
	readOnly := ro || fn.Flags&scripting.FlagNoWrites != 0
	c.s.scriptCrossSlot = fn.Flags&scripting.FlagAllowCrossSlotKeys != 0
	c.s.runScript(c, readOnly, false, fn.Name, func(ctx scripting.Context) { f.Call(fn, keys, argv, ctx, c.w) })
}

// functionDumpCommand is FUNCTION DUMP: the libraries' codes as a DUMP
// payload of FUNCTION2 records.
func functionDumpCommand(c *client, args [][]byte) {
	c.w.WriteBulk(dumpFunctions(c.s.functions().Codes()))
}

// functionRestoreCommand is FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE].
func functionRestoreCommand(c *client, args [][]byte) {
	policy := scripting.RestoreAppend
	if len(args) > 4 {
		// functionRestoreCommand: addReplySubcommandSyntaxError.
		c.w.WriteError(subcommandSyntaxError(args))
		return
	}
	if len(args) == 4 {
		p, err := scripting.ParseRestorePolicy(args[3])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		policy = p
	}
	if _, err := rdbfile.VerifyDump(args[2], c.s.skipChecksum); err != nil {
		c.w.WriteError("ERR DUMP payload version or checksum are wrong")
		return
	}
	p, off := args[2], 0
	next := func() ([]byte, bool, error) {
		if len(p)-off <= 10 {
			return nil, false, nil
		}
		code, next, err := undumpFunction(p, off)
		off = next
		return code, err == nil, err
	}
	if err := c.s.functions().RestoreFrom(next, policy); err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.s.dirty++
	c.w.WriteOK()
}

// dumpFunctions is rdbSaveFunctions plus the DUMP footer: one FUNCTION2
// record per library, the RDB version and the CRC-64. The records are
// what a file holds between its header and its EOF.
func dumpFunctions(codes [][]byte) []byte {
	w := rdbfile.NewWriter(nil, rdbfile.DefaultOptions())
	for _, code := range codes {
		w.Function(code)
	}
	file := w.Finish()
	out := append([]byte(nil), file[len("REDIS0010"):len(file)-9]...)
	out = append(out, byte(rdbfile.Version), byte(rdbfile.Version>>8))
	return binary.LittleEndian.AppendUint64(out, rdbfile.CRC64(0, out))
}

// undumpFunction reads the function library record at p[off], as
// functionRestoreCommand's loop and rdbFunctionLoad read one, and returns
// its code and the offset after it: a type byte that must be FUNCTION2
// (or 7.0-rc's FUNCTION, whose name, engine and code make a shebang and
// code), then its strings, read as rio reads the payload buffer (a
// string may run into the footer).
func undumpFunction(p []byte, off int) ([]byte, int, error) {
	t := p[off]
	off++
	var fail []string // the error for each field that does not read
	switch t {
	case rdbfile.OpFunction2:
		fail = []string{"Failed loading library payload"}
	case rdbfile.OpFunction:
		fail = []string{"Failed loading library name", "Failed loading engine name", "", "Failed loading library blob"}
	default:
		return nil, off, errors.New("ERR given type is not a function")
	}
	var fields [][]byte
	for _, msg := range fail {
		if msg == "" {
			// 7.0-rc's description: a length saying whether one follows,
			// then the description.
			has, next, err := rdbfile.ReadLength(p, off)
			if err != nil {
				return nil, off, errors.New("ERR Failed loading library description indicator")
			}
			off = next
			if has != 0 {
				if _, next, err = rdbfile.ReadString(p, off); err != nil {
					return nil, off, errors.New("ERR Failed loading library description")
				}
				off = next
			}
			continue
		}
		f, next, err := rdbfile.ReadString(p, off)
		if err != nil {
			return nil, off, errors.New("ERR " + msg)
		}
		fields, off = append(fields, bytes.Clone(f)), next
	}
	if t == rdbfile.OpFunction {
		return []byte("#!" + string(fields[1]) + " name=" + string(fields[0]) + "\n" + string(fields[2])), off, nil
	}
	return fields[0], off, nil
}
