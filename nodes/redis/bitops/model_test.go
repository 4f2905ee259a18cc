package bitops

import (
	"bytes"
	"strings"

	"github.com/redsim/redsim/nodes/resp"
)

const errWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

// model is a minimal keyspace with the glue the node will have around this
// package: key lookups, WRONGTYPE, storing results, and server.dirty. Keys
// are strings or "other" (a list, created with RPUSH, for WRONGTYPE).
type model struct {
	strs   map[string][]byte
	others map[string]bool
	dirty  int64
	limit  int64
}

func newModel(limit int64) *model {
	return &model{strs: map[string][]byte{}, others: map[string]bool{}, limit: limit}
}

// lookup returns the string at key, whether it exists, and whether it
// holds another type.
func (m *model) lookup(key []byte) (val []byte, exists, wrong bool) {
	if m.others[string(key)] {
		return nil, true, true
	}
	v, ok := m.strs[string(key)]
	return v, ok, false
}

func (m *model) store(key []byte, v []byte) {
	delete(m.others, string(key))
	m.strs[string(key)] = v
}

// exec runs one command and writes its reply to w, as the node would.
func (m *model) exec(argv [][]byte, w *resp.Writer) {
	switch strings.ToLower(string(argv[0])) {
	case "set":
		m.store(argv[1], bytes.Clone(argv[2]))
		m.dirty++
		w.WriteOK()
	case "del":
		n := int64(0)
		for _, k := range argv[1:] {
			_, exists, _ := m.lookup(k)
			if exists {
				delete(m.strs, string(k))
				delete(m.others, string(k))
				n++
			}
		}
		m.dirty += n
		w.WriteInt(n)
	case "rpush":
		if _, exists, wrong := m.lookup(argv[1]); exists && !wrong {
			w.WriteError(errWrongType)
			return
		}
		m.others[string(argv[1])] = true
		m.dirty += int64(len(argv) - 2)
		w.WriteInt(int64(len(argv) - 2)) // the tests push once per key
	case "get":
		v, exists, wrong := m.lookup(argv[1])
		switch {
		case wrong:
			w.WriteError(errWrongType)
		case !exists:
			w.WriteNull()
		default:
			w.WriteBulk(v)
		}
	case "setbit":
		a, e := ParseSetBit(argv, m.limit)
		if e != "" {
			w.WriteError(e)
			return
		}
		v, exists, wrong := m.lookup(argv[1])
		if wrong {
			w.WriteError(errWrongType)
			return
		}
		r := SetBit(v, exists, a)
		m.store(argv[1], r.Value)
		if r.Modified {
			m.dirty++
		}
		w.WriteInt(r.Old)
	case "getbit":
		off, e := ParseGetBit(argv, m.limit)
		if e != "" {
			w.WriteError(e)
			return
		}
		v, _, wrong := m.lookup(argv[1])
		if wrong {
			w.WriteError(errWrongType)
			return
		}
		w.WriteInt(GetBit(v, off))
	case "bitcount":
		v, exists, wrong := m.lookup(argv[1])
		if wrong {
			w.WriteError(errWrongType)
			return
		}
		m.writeInt(w)(BitCount(argv, v, exists))
	case "bitpos":
		bit, e := ParseBitPosBit(argv)
		if e != "" {
			w.WriteError(e)
			return
		}
		v, exists, wrong := m.lookup(argv[1])
		if wrong {
			w.WriteError(errWrongType)
			return
		}
		m.writeInt(w)(BitPos(argv, bit, v, exists))
	case "bitop":
		op, e := ParseBitOp(argv)
		if e != "" {
			w.WriteError(e)
			return
		}
		srcs := make([][]byte, 0, len(argv)-3)
		for _, k := range argv[3:] {
			v, _, wrong := m.lookup(k)
			if wrong {
				w.WriteError(errWrongType)
				return
			}
			srcs = append(srcs, v)
		}
		res := BitOp(op, srcs)
		if len(res) == 0 {
			if _, exists, _ := m.lookup(argv[2]); exists {
				delete(m.strs, string(argv[2]))
				delete(m.others, string(argv[2]))
				m.dirty++
			}
		} else {
			m.store(argv[2], res)
			m.dirty++
		}
		w.WriteInt(int64(len(res)))
	case "bitfield", "bitfield_ro":
		b, e := ParseBitfield(argv, m.limit, len(argv[0]) > len("bitfield"))
		if e != "" {
			w.WriteError(e)
			return
		}
		v, exists, wrong := m.lookup(argv[1])
		if wrong {
			w.WriteError(errWrongType)
			return
		}
		r := b.Apply(v, exists)
		if b.Writes() {
			m.store(argv[1], r.Value)
		}
		m.dirty += int64(r.Changes)
		r.WriteReply(w)
	case "lcs":
		a, _, wrongA := m.lookup(argv[1])
		b, _, wrongB := m.lookup(argv[2])
		if wrongA || wrongB {
			w.WriteError(ErrLCSKeys)
			return
		}
		r, e := LCS(argv, a, b, m.limit)
		if e != "" {
			w.WriteError(e)
			return
		}
		r.WriteReply(w)
	default:
		panic("model: unknown command " + string(argv[0]))
	}
}

func (m *model) writeInt(w *resp.Writer) func(int64, string) {
	return func(n int64, e string) {
		if e != "" {
			w.WriteError(e)
		} else {
			w.WriteInt(n)
		}
	}
}
