package scripting

// Memory figures of the functions engine, for INFO. Redis counts the
// allocations of its structures (used_memory_functions, from
// functionsMemoryOverhead) and asks Lua for the size of its heap
// (used_memory_vm_functions). The first is reproduced to the byte: the
// sizes of the C structures on x86-64, rounded up to jemalloc's size
// classes, and the slots of the function dictionary, which grows with the
// functions and shrinks only at FUNCTION FLUSH. The second cannot be: the
// Lua heap is gopher-lua's Go heap; VMMemory is an estimate that starts at
// Redis's figure for a fresh state and grows with the libraries compiled.

// Sizes of Redis 7.0's structures on x86-64.
const (
	dictEntrySize    = 24 // key, value, next
	dictSlotSize     = 8  // a pointer
	libCtxSize       = 32 // functionsLibCtx
	functionInfoSize = 40 // functionInfo
	libraryInfoSize  = 32 // functionLibInfo
	luaFunctionSize  = 4  // luaFunctionCtx: an int
	// engineCacheMemory is engine_cache_memory for the one Lua engine:
	// engineInfo (24 -> 32), the sds "LUA" (8), the engine struct (56 ->
	// 64) and luaEngineCtx (8).
	engineCacheMemory = 112
	// enginesDictMemory is the engines dictionary: one entry, four slots.
	enginesDictMemory = dictEntrySize + 4*dictSlotSize
	// freshVMMemory is used_memory_vm_functions of a fresh Redis 7.0.15.
	freshVMMemory = 33792
)

// jemallocSize is the size class jemalloc serves a request of n bytes
// from: 8, then multiples of 16 up to 128, then four classes per doubling.
func jemallocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := int64(1)
	for step*8 < n {
		step <<= 1
	}
	// step is now the power of two with 4*step < n <= 8*step; the classes
	// between 4*step and 8*step are step apart.
	return (n + step - 1) / step * step
}

// sdsSize is sdsZmallocSize of a string of n bytes: header, bytes, NUL.
func sdsSize(n int) int64 {
	hdr := int64(3) // sdshdr8
	switch {
	case n > 0 && n < 32:
		hdr = 1 // sdshdr5
	case n >= 1<<32:
		hdr = 17
	case n >= 1<<16:
		hdr = 9
	case n >= 1<<8:
		hdr = 5
	}
	return jemallocSize(hdr + int64(n) + 1)
}

func functionMallocSize(fn *Function) int64 {
	n := jemallocSize(functionInfoSize) + sdsSize(len(fn.Name)) + jemallocSize(luaFunctionSize)
	if fn.HasDescription {
		n += sdsSize(len(fn.Description))
	}
	return n
}

func libraryMallocSize(l *Library) int64 {
	return jemallocSize(libraryInfoSize) + sdsSize(len(l.Name)) + sdsSize(len(l.Code))
}

// dictSlotsAfterAdd is the size of a Redis dictionary of slots slots after
// an add brought it to n entries: 4 at the first add, then doubled to the
// next power of two above the entries when they reach the size.
func dictSlotsAfterAdd(slots, n int) int {
	if slots == 0 {
		return 4
	}
	if n-1 >= slots {
		s := 4
		for s < n {
			s <<= 1
		}
		return s
	}
	return slots
}

// MemoryOverhead is INFO's used_memory_functions (functionsMemoryOverhead).
func (f *Functions) MemoryOverhead() int64 {
	c := f.cur
	return enginesDictMemory + int64(len(c.funcs))*dictEntrySize + int64(c.slots)*dictSlotSize +
		libCtxSize + c.cache + engineCacheMemory
}

// VMMemory is INFO's used_memory_vm_functions: an estimate (see above),
// 1 KiB more for every library compiled, which never shrinks, as Lua's
// heap does not at FUNCTION FLUSH.
func (f *Functions) VMMemory() int64 { return freshVMMemory + 1024*f.loads }
