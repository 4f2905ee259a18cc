package scripting

// Memory figures of the EVAL script cache, for INFO, as function_memory.go
// has them for functions. used_memory_scripts_eval (evalScriptsMemory) is
// reproduced: each cached script's SHA1 sds and body, a dictEntry and a
// luaScript each, and the dictionary's slots, which grow with the scripts
// and go back to none at SCRIPT FLUSH. used_memory_vm_eval (luaMemory of
// the EVAL Lua state) cannot be: it starts at Redis's figure for a fresh
// state and grows 1 KiB with each script compiled, until SCRIPT FLUSH
// makes a new state.

const (
	// luaScriptSize is sizeof(luaScript): its flags and its body's robj
	// pointer.
	luaScriptSize = 16
	// robjSize is sizeof(robj), which an embedded string shares its
	// allocation with.
	robjSize = 16
	// embstrMaxLen is OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer arguments are
	// raw strings.
	embstrMaxLen = 44
	// freshEvalVMMemory is used_memory_vm_eval of a fresh Redis 7.0.15.
	freshEvalVMMemory = 32768
)

// FreshEvalVMMemory and FreshFunctionsVMMemory are the Lua heaps of the
// two engines before they have run anything, and EmptyFunctionsOverhead
// is used_memory_functions with no library: INFO reports them for a node
// that has not made the engine yet.
const (
	FreshEvalVMMemory      = freshEvalVMMemory
	FreshFunctionsVMMemory = freshVMMemory
	EmptyFunctionsOverhead = enginesDictMemory + libCtxSize + engineCacheMemory
)

// argSdsMemory is getStringObjectSdsUsedMemory of a command argument of n
// bytes as the query parser makes it: an embedded string up to 44 bytes
// (its allocation less the robj), else a raw one of exactly n bytes.
// Arguments of 32 KiB and more, which Redis may take over from the query
// buffer with spare room, are counted at their length too.
func argSdsMemory(n int) int64 {
	if n <= embstrMaxLen {
		return jemallocSize(robjSize+3+int64(n)+1) - robjSize
	}
	return sdsSize(n)
}

// addScriptMemory counts a script of a body of n bytes added to the cache.
func (e *Engine) addScriptMemory(n int) {
	e.scriptsMem += sdsSize(40) + argSdsMemory(n)
	e.scriptSlots = dictSlotsAfterAdd(e.scriptSlots, len(e.scripts))
	e.compiled++
}

// ScriptsMemory is INFO's used_memory_scripts_eval (evalScriptsMemory).
func (e *Engine) ScriptsMemory() int64 {
	return e.scriptsMem + int64(len(e.scripts))*(dictEntrySize+luaScriptSize) + int64(e.scriptSlots)*dictSlotSize
}

// VMMemory is INFO's used_memory_vm_eval: an estimate (see above).
func (e *Engine) VMMemory() int64 { return freshEvalVMMemory + 1024*e.compiled }
