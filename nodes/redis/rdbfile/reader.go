package rdbfile

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// RecordKind tells what a Record holds.
type RecordKind uint8

// The records of a file, in the order Redis writes them: aux fields,
// function libraries, then per database SELECTDB, RESIZEDB and its keys;
// EOF last.
const (
	RecordKey RecordKind = iota
	RecordAux
	RecordFunction
	RecordSelectDB
	RecordResizeDB
	RecordEOF
)

func (k RecordKind) String() string {
	switch k {
	case RecordKey:
		return "key"
	case RecordAux:
		return "aux"
	case RecordFunction:
		return "function"
	case RecordSelectDB:
		return "selectdb"
	case RecordResizeDB:
		return "resizedb"
	case RecordEOF:
		return "eof"
	}
	return "RecordKind(" + strconv.Itoa(int(k)) + ")"
}

// Record is one record of a file.
type Record struct {
	Kind RecordKind
	// Offset is where the record starts (for a key, its first opcode:
	// EXPIRETIME_MS when it has one).
	Offset int
	// DB is the database selected when the record was read (RecordKey,
	// RecordSelectDB, RecordResizeDB). A loader checks it against its
	// number of databases: Redis exits when a file selects one it lacks.
	DB int
	// Key, Value and Meta describe a key (RecordKey).
	Key   []byte
	Value *Value
	Meta  KeyMeta
	// AuxKey and AuxValue are an aux field (RecordAux).
	AuxKey, AuxValue []byte
	// Code is a function library's code (RecordFunction), the payload
	// FUNCTION LOAD takes; a 7.0 release-candidate record is converted to
	// it as Redis converts it ("#!<engine> name=<name>\n" + body).
	Code []byte
	// DBSize and ExpiresSize are RESIZEDB's hints (RecordResizeDB); they
	// are not checked against the keys that follow.
	DBSize, ExpiresSize uint64
}

// ReadOptions configure a Reader.
type ReadOptions struct {
	// SkipChecksum does not verify the CRC-64, as Redis does not with
	// rdbchecksum no (or skip-checksum-validation).
	SkipChecksum bool
}

// Reader reads an RDB file held in memory, record by record, as
// rdbLoadRio does. Keys, strings and elements may alias the data given to
// NewReader: a loader that reuses that buffer copies them.
//
// The checksum covers the whole file and is verified when the EOF record
// is read, as Redis verifies it after loading: records returned before an
// error are not known to be intact. A loader that must not half-load a
// damaged file loads into a fresh dataset and drops it on error (Redis
// exits), or uses ReadAll.
type Reader struct {
	d       decoder
	version int
	opts    ReadOptions
	db      int
	err     error
	done    bool
	eofRec  Record
	empty   int
}

// NewReader checks the header ("REDIS" and a version from 1 to 10, as
// rdbLoadRio reads it with atoi) and returns a Reader on the first record.
func NewReader(data []byte, opts ReadOptions) (*Reader, error) {
	if len(data) < 9 {
		if string(data) != "REDIS"[:min(len(data), 5)] {
			return nil, errorf(ErrFormat, 0, "wrong signature: not an RDB file")
		}
		return nil, errorf(ErrTruncated, len(data), "the input ends inside the 9-byte header")
	}
	if string(data[:5]) != "REDIS" {
		return nil, errorf(ErrFormat, 0, "wrong signature %q: not an RDB file", data[:5])
	}
	ver := atoi(data[5:9])
	if ver < 1 || ver > Version {
		return nil, errorf(ErrVersion, 5, "can't handle RDB format version %q (this reader takes 1 to %d)", data[5:9], Version)
	}
	return &Reader{d: decoder{data: data, off: 9, end: len(data)}, version: ver, opts: opts}, nil
}

// atoi is C's atoi on a 4-byte field: leading spaces, a sign, digits.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// Version is the file's RDB version.
func (r *Reader) Version() int { return r.version }

// EmptyKeysSkipped counts the keys whose collection was empty, which
// Redis 7.0 skips with a warning rather than fail (old bugs wrote some).
func (r *Reader) EmptyKeysSkipped() int { return r.empty }

// Offset is the number of bytes read so far; after EOF, the size of the
// file proper (an AOF with an RDB preamble continues there).
func (r *Reader) Offset() int { return r.d.off }

// Next returns the next record. After EOF (whose checksum it has
// verified) it returns EOF again; after an error, the same error.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if r.done {
		return r.eofRec, nil
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) next() (Record, error) {
	d := &r.d
	meta := NoMeta
	start := -1
	for {
		at := d.off
		if start < 0 {
			start = at
		}
		d.mark = at
		op, err := d.byte("a record type")
		if err != nil {
			return Record{}, err
		}
		switch op {
		case opExpireTime:
			p, err := d.bytes(4, "EXPIRETIME")
			if err != nil {
				return Record{}, err
			}
			meta.ExpireAtMs = int64(int32(binary.LittleEndian.Uint32(p))) * 1000
			continue
		case opExpireTimeM:
			if meta.ExpireAtMs, err = d.millis("EXPIRETIME_MS"); err != nil {
				return Record{}, err
			}
			continue
		case opFreq:
			b, err := d.byte("FREQ")
			if err != nil {
				return Record{}, err
			}
			meta.Freq = int(b)
			continue
		case opIdle:
			idle, err := d.uint("IDLE")
			if err != nil {
				return Record{}, err
			}
			meta.Idle = int64(idle & (1<<63 - 1))
			continue
		case opEOF:
			return r.eof(start)
		case opSelectDB:
			db, err := d.uint("SELECTDB")
			if err != nil {
				return Record{}, err
			}
			if db > 1<<31-1 {
				return Record{}, errorf(ErrFormat, at, "SELECTDB %d: no server has that many databases", db)
			}
			r.db = int(db)
			return Record{Kind: RecordSelectDB, Offset: start, DB: r.db}, nil
		case opResizeDB:
			size, err := d.uint("RESIZEDB")
			if err != nil {
				return Record{}, err
			}
			exp, err := d.uint("RESIZEDB")
			if err != nil {
				return Record{}, err
			}
			return Record{Kind: RecordResizeDB, Offset: start, DB: r.db, DBSize: size, ExpiresSize: exp}, nil
		case opAux:
			k, _, err := d.str("aux field key")
			if err != nil {
				return Record{}, err
			}
			v, _, err := d.str("aux field value")
			if err != nil {
				return Record{}, err
			}
			return Record{Kind: RecordAux, Offset: start, AuxKey: k, AuxValue: v}, nil
		case opModuleAux:
			id, _ := d.uint("MODULE_AUX")
			return Record{}, errorf(ErrUnsupported, at, "module aux data (module type id %d): no module can load it here", id)
		case opFunction2:
			code, _, err := d.str("function library")
			if err != nil {
				return Record{}, err
			}
			return Record{Kind: RecordFunction, Offset: start, Code: code}, nil
		case opFunction:
			code, err := r.preGAFunction()
			if err != nil {
				return Record{}, err
			}
			return Record{Kind: RecordFunction, Offset: start, Code: code}, nil
		}
		if !isObjectType(op) {
			return Record{}, errorf(ErrFormat, at, "unknown RDB encoding type %d", op)
		}
		d.mark = d.off
		key, _, err := d.str("key")
		if err != nil {
			return Record{}, err
		}
		v, err := d.object(op)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Kind == ErrEmptyKey {
				r.empty++
				meta, start = NoMeta, -1
				continue
			}
			return Record{}, err
		}
		return Record{Kind: RecordKey, Offset: start, DB: r.db, Key: key, Value: v, Meta: meta}, nil
	}
}

// preGAFunction reads a 7.0-rc function record and builds the payload
// Redis builds from it.
func (r *Reader) preGAFunction() ([]byte, error) {
	d := &r.d
	name, _, err := d.str("function library name")
	if err != nil {
		return nil, err
	}
	engine, _, err := d.str("function engine name")
	if err != nil {
		return nil, err
	}
	hasDesc, err := d.uint("function description indicator")
	if err != nil {
		return nil, err
	}
	if hasDesc != 0 {
		if _, _, err := d.str("function description"); err != nil {
			return nil, err
		}
	}
	body, _, err := d.str("function library body")
	if err != nil {
		return nil, err
	}
	code := make([]byte, 0, len(engine)+len(name)+len(body)+10)
	code = append(code, "#!"...)
	code = append(code, engine...)
	code = append(code, " name="...)
	code = append(code, name...)
	code = append(code, '\n')
	return append(code, body...), nil
}

func (r *Reader) eof(start int) (Record, error) {
	d := &r.d
	if r.version >= 5 {
		end := d.off
		d.mark = end
		p, err := d.bytes(8, "the checksum")
		if err != nil {
			return Record{}, err
		}
		stored := binary.LittleEndian.Uint64(p)
		if stored != 0 && !r.opts.SkipChecksum {
			if got := CRC64(0, d.data[:end]); got != stored {
				return Record{}, errorf(ErrChecksum, end, "wrong RDB checksum: the file says %016x, its bytes give %016x", stored, got)
			}
		}
	}
	r.done = true
	r.eofRec = Record{Kind: RecordEOF, Offset: start, DB: r.db}
	return r.eofRec, nil
}

// File is a whole file, as ReadAll returns it.
type File struct {
	Version int
	// Aux holds the aux fields in file order.
	Aux []AuxField
	// Functions holds the function libraries' code in file order.
	Functions [][]byte
	// Keys holds the keys in file order.
	Keys []KeyRecord
	// EmptyKeysSkipped counts the empty collections left out.
	EmptyKeysSkipped int
	// Size is the file's size proper (to its checksum).
	Size int
}

// AuxField is an aux field.
type AuxField struct{ Key, Value string }

// AuxValue returns the value of the first aux field named key.
func (f *File) AuxValue(key string) (string, bool) {
	for _, a := range f.Aux {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// KeyRecord is a key of a File.
type KeyRecord struct {
	DB    int
	Key   []byte
	Value *Value
	Meta  KeyMeta
}

// ReadAll reads and verifies a whole file; on error it returns nothing
// of it.
func ReadAll(data []byte, opts ReadOptions) (*File, error) {
	r, err := NewReader(data, opts)
	if err != nil {
		return nil, err
	}
	f := &File{Version: r.Version()}
	for {
		rec, err := r.Next()
		if err != nil {
			return nil, err
		}
		switch rec.Kind {
		case RecordKey:
			f.Keys = append(f.Keys, KeyRecord{DB: rec.DB, Key: rec.Key, Value: rec.Value, Meta: rec.Meta})
		case RecordAux:
			f.Aux = append(f.Aux, AuxField{string(rec.AuxKey), string(rec.AuxValue)})
		case RecordFunction:
			f.Functions = append(f.Functions, rec.Code)
		case RecordResizeDB:
			// A hint, bounded by what the bytes left can hold (a key takes
			// at least 3).
			if n := min(rec.DBSize, uint64(len(data)-r.Offset())/3); n > 0 {
				f.Keys = slices.Grow(f.Keys, int(n))
			}
		case RecordEOF:
			f.EmptyKeysSkipped = r.EmptyKeysSkipped()
			f.Size = r.Offset()
			return f, nil
		}
	}
}
