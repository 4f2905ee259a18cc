package scripting

import (
	"errors"
	"sort"

	"github.com/redsim/redsim/nodes/redis/glob"
	"github.com/redsim/redsim/nodes/resp"
)

// The FUNCTION subcommands' argument rules and replies, as functions.c has
// them, for the server to call once it has checked the arity.

// ParseLoadArgs reads FUNCTION LOAD's arguments after LOAD: [REPLACE]
// code. The error is Redis's reply text.
func ParseLoadArgs(args [][]byte) (code []byte, opts LoadOptions, err error) {
	i := 0
	for ; i < len(args)-1; i++ {
		if !equalFoldC(string(args[i]), "replace") {
			return nil, opts, errors.New("ERR Unknown option given: " + cString(string(args[i])))
		}
		opts.Replace = true
	}
	if i >= len(args) {
		return nil, opts, errors.New("ERR Function code is missing")
	}
	return args[i], opts, nil
}

// ListOptions are FUNCTION LIST's arguments.
type ListOptions struct {
	// Pattern, when HasPattern, keeps the libraries whose name matches it
	// (glob-style, case-insensitive): LIBRARYNAME pattern.
	Pattern    []byte
	HasPattern bool
	// WithCode adds each library's code: WITHCODE.
	WithCode bool
}

// ParseListArgs reads FUNCTION LIST's arguments after LIST, in any order,
// each at most once.
func ParseListArgs(args [][]byte) (ListOptions, error) {
	var o ListOptions
	for i := 0; i < len(args); i++ {
		a := string(args[i])
		switch {
		case !o.WithCode && equalFoldC(a, "withcode"):
			o.WithCode = true
		case !o.HasPattern && equalFoldC(a, "libraryname"):
			if i >= len(args)-1 {
				return o, errors.New("ERR library name argument was not given")
			}
			i++
			o.Pattern, o.HasPattern = args[i], true
		default:
			return o, errors.New("ERR Unknown argument " + cString(a))
		}
	}
	return o, nil
}

// WriteList writes FUNCTION LIST's reply: per library a map of
// library_name, engine, functions (each a map of name, description and
// flags, a set of status strings) and, WITHCODE, library_code.
func (f *Functions) WriteList(w *resp.Writer, o ListOptions) {
	var libs []*Library
	for _, l := range f.cur.sortedLibs() {
		if o.HasPattern && !glob.Match(o.Pattern, []byte(l.Name), true) {
			continue
		}
		libs = append(libs, l)
	}
	w.WriteArrayLen(len(libs))
	for _, l := range libs {
		if o.WithCode {
			w.WriteMapLen(4)
		} else {
			w.WriteMapLen(3)
		}
		w.WriteBulkString("library_name")
		w.WriteBulkString(l.Name)
		w.WriteBulkString("engine")
		w.WriteBulkString(luaEngineName)
		w.WriteBulkString("functions")
		w.WriteArrayLen(len(l.funcs))
		for _, fn := range l.funcs {
			w.WriteMapLen(3)
			w.WriteBulkString("name")
			w.WriteBulkString(fn.Name)
			w.WriteBulkString("description")
			if fn.HasDescription {
				w.WriteBulkString(fn.Description)
			} else {
				w.WriteNull()
			}
			w.WriteBulkString("flags")
			names := fn.Flags.Names()
			w.WriteSetLen(len(names))
			for _, n := range names {
				w.WriteSimpleString(n)
			}
		}
		if o.WithCode {
			w.WriteBulkString("library_code")
			w.WriteBulk(l.Code)
		}
	}
}

// Names returns the names of the flags set, in Redis's order (no-writes,
// allow-oom, allow-stale, no-cluster, allow-cross-slot-keys).
func (fl Flags) Names() []string {
	var names []string
	for _, f := range flagNames {
		if fl&f.flag != 0 {
			names = append(names, f.name)
		}
	}
	return names
}

// WriteStats writes FUNCTION STATS's reply; running writes its
// running_script (null, or the function a client sees busy).
func (f *Functions) WriteStats(w *resp.Writer, running func()) {
	w.WriteMapLen(2)
	w.WriteBulkString("running_script")
	running()
	w.WriteBulkString("engines")
	w.WriteMapLen(1)
	w.WriteBulkString(luaEngineName)
	w.WriteMapLen(2)
	w.WriteBulkString("libraries_count")
	w.WriteInt(int64(len(f.cur.libs)))
	w.WriteBulkString("functions_count")
	w.WriteInt(int64(f.cur.nFuncs))
}

// Codes returns the code of every library, in the order of their names:
// what FUNCTION DUMP and the RDB file hold, one RDB_OPCODE_FUNCTION2
// record per library (the records, version and checksum are the RDB
// codec's business).
func (f *Functions) Codes() [][]byte {
	libs := f.cur.sortedLibs()
	codes := make([][]byte, len(libs))
	for i, l := range libs {
		codes[i] = l.Code
	}
	return codes
}

// RestorePolicy is FUNCTION RESTORE's policy for the libraries already
// there.
type RestorePolicy int

const (
	// RestoreAppend (the default) adds the libraries and fails, changing
	// nothing, if one of them or one of their functions exists already.
	RestoreAppend RestorePolicy = iota
	// RestoreReplace replaces the libraries of the same name; a function
	// name held by another library is still an error.
	RestoreReplace
	// RestoreFlush drops every library first.
	RestoreFlush
)

// ParseRestorePolicy reads FUNCTION RESTORE's policy argument.
func ParseRestorePolicy(arg []byte) (RestorePolicy, error) {
	switch {
	case equalFoldC(string(arg), "append"):
		return RestoreAppend, nil
	case equalFoldC(string(arg), "replace"):
		return RestoreReplace, nil
	case equalFoldC(string(arg), "flush"):
		return RestoreFlush, nil
	}
	return 0, errors.New("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
}

// Restore loads the libraries of codes (from a FUNCTION RESTORE payload or
// an RDB file, in their order there) under policy, as functionRestoreCommand
// does once the payload's checksum is verified: every library is created
// first, without the load timeout, and an error there ("Library 'x'
// already exists" for a duplicate in the payload, a compile error...)
// changes nothing; then they join the current ones. The error's text is
// Redis's reply without its '-'. Loading an RDB file at start or at a full
// sync is Restore with RestoreFlush.
func (f *Functions) Restore(codes [][]byte, policy RestorePolicy) error {
	i := 0
	return f.RestoreFrom(func() ([]byte, bool, error) {
		if i == len(codes) {
			return nil, false, nil
		}
		i++
		return codes[i-1], true, nil
	}, policy)
}

// RestoreFrom is Restore with the libraries handed out one at a time by
// next (ok false after the last), each compiled before the next is read,
// as functionRestoreCommand reads and loads a payload's records: an error
// from next or from a library's code ends the restore, changing nothing.
func (f *Functions) RestoreFrom(next func() (code []byte, ok bool, err error), policy RestorePolicy) error {
	tmp := newLibCtx()
	for {
		code, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if _, err := f.create(tmp, code, false, false); err != nil {
			return err
		}
	}
	if policy == RestoreFlush {
		f.cur = tmp
		return nil
	}
	return f.cur.join(tmp, policy == RestoreReplace)
}

// join is libraryJoin: it moves src's libraries into c, or changes nothing
// and returns the first collision.
func (c *libCtx) join(src *libCtx, replace bool) error {
	var replaced []*Library
	undo := func(err error) error {
		for _, l := range replaced {
			c.link(l)
		}
		return err
	}
	libs := src.sortedLibs()
	for _, l := range libs {
		old := c.libs[l.Name]
		if old == nil {
			continue
		}
		if !replace {
			return undo(errors.New("ERR Library " + l.Name + " already exists"))
		}
		c.unlink(old)
		replaced = append(replaced, old)
	}
	var names []string
	for _, l := range libs {
		for _, fn := range l.funcs {
			names = append(names, fn.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if _, taken := c.funcs[foldName([]byte(n))]; taken {
			return undo(errors.New("ERR Function " + n + " already exists"))
		}
	}
	for _, l := range libs {
		c.link(l)
	}
	return nil
}
