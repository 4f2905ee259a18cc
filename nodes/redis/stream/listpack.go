package stream

import "github.com/redsim/redsim/nodes/rnum"

// The sizes in bytes that listpack.c gives its elements. A stream node is
// a listpack in Redis, and whether XADD starts a new node depends on the
// tail listpack's total size (lpBytes), so the simulator counts the bytes
// each element would take without building the listpack itself.

// lpHeaderAndEnd is LP_HDR_SIZE (total bytes and element count) plus the
// end-of-listpack byte.
const lpHeaderAndEnd = 6 + 1

// lpIntEncodedLen is the encoding size of an integer element
// (lpEncodeIntegerGetType).
func lpIntEncodedLen(v int64) int64 {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

// lpBacklenLen is the size of the back-length that follows an element
// whose encoding takes l bytes (lpEncodeBacklen).
func lpBacklenLen(l int64) int64 {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// lpIntSize is the total size of an integer element.
func lpIntSize(v int64) int64 {
	l := lpIntEncodedLen(v)
	return l + lpBacklenLen(l)
}

// lpStringSize is the total size of a string element: strings that are
// canonical int64 decimals are stored as integers (lpEncodeGetType).
func lpStringSize(s []byte) int64 {
	if v, ok := rnum.ParseInt(s); ok {
		return lpIntSize(v)
	}
	n := int64(len(s))
	var l int64
	switch {
	case n < 64:
		l = 1 + n
	case n < 4096:
		l = 2 + n
	default:
		l = 5 + n
	}
	return l + lpBacklenLen(l)
}

// entrySize is the listpack bytes of entry e in node n, as append counts
// them.
func entrySize(n *node, e *entry) int64 {
	nf := int64(len(e.fv) / 2)
	flags, lpCount := int64(0), nf+3
	if e.deleted {
		flags = 1
	}
	var size int64
	if e.same {
		flags |= 2
	} else {
		lpCount += nf + 1
		size += lpIntSize(nf)
	}
	size += lpIntSize(flags) + lpIntSize(int64(e.id.Ms-n.master.Ms)) + lpIntSize(int64(e.id.Seq-n.master.Seq))
	for i, b := range e.fv {
		if i%2 == 1 || !e.same {
			size += lpStringSize(b)
		}
	}
	return size + lpIntSize(lpCount)
}
