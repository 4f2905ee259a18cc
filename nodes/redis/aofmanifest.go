package redis

import (
	"bytes"
	"strconv"

	"github.com/redsim/redsim/nodes/resp"
)

// Redis 7.0's multi-part AOF keeps its files in appenddirname: one base
// file (the dataset at the last rewrite, in RDB or AOF form), the incr
// files that took the writes since, and the manifest that names them, in
// loading order. A rewrite turns the old base and incr files into history,
// which is deleted once the new manifest is on disk.

// The AOF file types, as the manifest writes them.
const (
	aofTypeBase = 'b'
	aofTypeHist = 'h'
	aofTypeIncr = 'i'
)

// aofInfo is one line of the manifest.
type aofInfo struct {
	name string
	seq  int64
	kind byte // aofTypeBase, aofTypeHist or aofTypeIncr
}

// aofManifest is aofManifest: the base (if any), the history files and
// the incr files in order, and the last sequence numbers handed out.
type aofManifest struct {
	base    *aofInfo
	incrs   []aofInfo
	history []aofInfo
	baseSeq int64
	incrSeq int64
	// dirty is set by a change not yet persisted: persistManifest writes
	// only a dirty manifest.
	dirty bool
}

func (m *aofManifest) clone() *aofManifest {
	c := &aofManifest{baseSeq: m.baseSeq, incrSeq: m.incrSeq, dirty: m.dirty}
	if m.base != nil {
		b := *m.base
		c.base = &b
	}
	c.incrs = append([]aofInfo(nil), m.incrs...)
	c.history = append([]aofInfo(nil), m.history...)
	return c
}

func (m *aofManifest) empty() bool { return m.base == nil && len(m.incrs) == 0 }

// newBase is getNewBaseFileNameAndMarkPreAsHistory: the next base file's
// name, the old base becoming the first history file.
func (m *aofManifest) newBase(prefix string, rdb bool) string {
	if m.base != nil {
		old := *m.base
		old.kind = aofTypeHist
		m.history = append([]aofInfo{old}, m.history...)
	}
	m.baseSeq++
	format := ".aof"
	if rdb {
		format = ".rdb"
	}
	m.base = &aofInfo{name: prefix + "." + strconv.FormatInt(m.baseSeq, 10) + ".base" + format, seq: m.baseSeq, kind: aofTypeBase}
	m.dirty = true
	return m.base.name
}

// newIncr is getNewIncrAofName: a new last incr file.
func (m *aofManifest) newIncr(prefix string) string {
	m.incrSeq++
	name := prefix + "." + strconv.FormatInt(m.incrSeq, 10) + ".incr.aof"
	m.incrs = append(m.incrs, aofInfo{name: name, seq: m.incrSeq, kind: aofTypeIncr})
	m.dirty = true
	return name
}

// lastIncr is getLastIncrAofName: the incr file to append to, a new one
// if there is none.
func (m *aofManifest) lastIncr(prefix string) string {
	if len(m.incrs) == 0 {
		return m.newIncr(prefix)
	}
	return m.incrs[len(m.incrs)-1].name
}

// markIncrsHistory is markRewrittenIncrAofAsHistory: the incr files a
// rewrite covered become history, the last one excepted while the AOF is
// on (it is the one being written). They go to the head of the history,
// the newest first.
func (m *aofManifest) markIncrsHistory(keepLast bool) {
	if len(m.incrs) == 0 {
		return
	}
	n := len(m.incrs)
	if keepLast {
		n--
	}
	for i := n - 1; i >= 0; i-- {
		h := m.incrs[i]
		h.kind = aofTypeHist
		m.history = append([]aofInfo{h}, m.history...)
	}
	m.incrs = append([]aofInfo(nil), m.incrs[n:]...)
	m.dirty = true
}

// format is getAofManifestAsString: the base, the history, the incr files.
func (m *aofManifest) format() []byte {
	var b []byte
	line := func(ai aofInfo) {
		b = append(b, "file "...)
		if needsRepr(ai.name) {
			b = appendRepr(b, []byte(ai.name))
		} else {
			b = append(b, ai.name...)
		}
		b = append(b, " seq "...)
		b = strconv.AppendInt(b, ai.seq, 10)
		b = append(b, " type "...)
		b = append(b, ai.kind, '\n')
	}
	if m.base != nil {
		line(*m.base)
	}
	for _, h := range m.history {
		line(h)
	}
	for _, i := range m.incrs {
		line(i)
	}
	return b
}

// needsRepr is sdsneedsrepr: a name that must be quoted in the manifest.
func needsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || c < 0x21 || c > 0x7e {
			return true
		}
	}
	return false
}

// manifestError is a manifest the loader refuses: Redis logs it and exits.
type manifestError struct {
	line    int    // 0 when no line is shown
	text    string // the trimmed line
	showing bool
	msg     string
}

func (e *manifestError) Error() string { return e.msg }

// maxManifestLine is MANIFEST_MAX_LINE: fgets reads at most this many
// bytes at a time.
const maxManifestLine = 1024

// parseManifest is aofLoadManifestFromFile, quirks included: it reads the
// file in fgets's chunks, so a line without a newline (the last line of a
// file that does not end with one, or a chunk of a longer line) is "too
// long"; a chunk that starts with '#' is a comment; keys are matched
// without case; seq is read as atoll reads it and must not be 0.
func parseManifest(data []byte) (*aofManifest, error) {
	m := &aofManifest{}
	var maxSeq int64
	lineNum := 0
	for off := 0; ; {
		if off >= len(data) {
			if lineNum == 0 {
				return nil, &manifestError{msg: "Found an empty AOF manifest"}
			}
			return m, nil
		}
		end := off + maxManifestLine
		if end > len(data) {
			end = len(data)
		}
		if i := bytes.IndexByte(data[off:end], '\n'); i >= 0 {
			end = off + i + 1
		}
		chunk := data[off:end]
		off = end
		lineNum++
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i] // a C string from here on
		}
		if len(chunk) > 0 && chunk[0] == '#' {
			continue
		}
		if bytes.IndexByte(chunk, '\n') < 0 {
			return nil, &manifestError{msg: "The AOF manifest file contains too long line"}
		}
		line := bytes.Trim(chunk, " \t\r\n")
		fail := func(msg string) error {
			return &manifestError{line: lineNum, text: string(line), showing: true, msg: msg}
		}
		if len(line) == 0 {
			return nil, fail("Invalid AOF manifest file format")
		}
		argv, ok := resp.SplitArgs(line)
		if !ok || len(argv) < 6 || len(argv)%2 != 0 {
			return nil, fail("Invalid AOF manifest file format")
		}
		var ai aofInfo
		hasName := false
		for i := 0; i < len(argv); i += 2 {
			key, val := string(bytes.ToLower(argv[i])), argv[i+1]
			switch key {
			case "file":
				ai.name, hasName = cstr(val, len(val)), true
				if bytes.ContainsAny([]byte(ai.name), `/\`) {
					return nil, fail("File can't be a path, just a filename")
				}
			case "seq":
				ai.seq = atoll(val)
			case "type":
				ai.kind = 0
				if len(val) > 0 {
					ai.kind = val[0]
				}
			}
		}
		if !hasName || ai.seq == 0 || ai.kind == 0 {
			return nil, fail("Invalid AOF manifest file format")
		}
		switch ai.kind {
		case aofTypeBase:
			if m.base != nil {
				return nil, fail("Found duplicate base file information")
			}
			b := ai
			m.base = &b
			m.baseSeq = ai.seq
		case aofTypeHist:
			m.history = append(m.history, ai)
		case aofTypeIncr:
			if ai.seq <= maxSeq {
				return nil, fail("Found a non-monotonic sequence number")
			}
			m.incrs = append(m.incrs, ai)
			m.incrSeq, maxSeq = ai.seq, ai.seq
		default:
			return nil, fail("Unknown AOF file type")
		}
	}
}

// atoll is C's atoll: leading blanks, a sign, digits up to the first
// other byte, saturating as glibc's strtoll does.
func atoll(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + uint64(b[i]-'0')
		if n > 1<<63 {
			over = true
		}
	}
	switch {
	case over && neg:
		return -1 << 63
	case over || (!neg && n == 1<<63):
		return 1<<63 - 1
	case neg:
		return -int64(n)
	}
	return int64(n)
}

// logManifestError logs a refused manifest as aofLoadManifestFromFile's
// loaderr does before Redis exits.
func (s *Server) logManifestError(err error) {
	s.env.Logf("*** FATAL AOF MANIFEST FILE ERROR ***")
	if e, ok := err.(*manifestError); ok && e.showing {
		s.env.Logf("Reading the manifest file, at line %d", e.line)
		s.env.Logf(">>> '%s'", e.text)
	}
	s.env.Logf("%s", err.Error())
}

// aofPath is a file of the AOF directory on the Env's disk.
func (s *Server) aofPath(name string) string { return s.cfg.AppendDirname + "/" + name }

func (s *Server) manifestName() string { return s.cfg.AppendFilename + ".manifest" }

// tempIncrName is getTempIncrAofName: the incr file of a CONFIG SET
// appendonly yes, renamed into the manifest when its rewrite is done.
func (s *Server) tempIncrName() string { return "temp-" + s.cfg.AppendFilename + ".incr" }

// persistManifest is persistAofManifest (writeAofManifestFile): the
// manifest written to a temp file, fsynced, and renamed over the old one.
// Redis fsyncs in its main thread, so the node is held meanwhile; done
// runs with the outcome, the node still held if done holds it again.
func (s *Server) persistManifest(m *aofManifest, done func(ok bool)) {
	if !m.dirty {
		done(true)
		return
	}
	disk := s.env.Disk()
	tmpName := "temp-" + s.manifestName()
	tmp := s.aofPath(tmpName)
	if err := disk.Write(tmp, m.format()); err != nil {
		s.env.Logf("Error trying to write the temporary AOF manifest file %s: %v", tmpName, err)
		done(false)
		return
	}
	s.holdSync(tmp, func(err error) {
		if err != nil {
			s.env.Logf("Fail to fsync the temp AOF file %s: %v.", tmpName, err)
			done(false)
			return
		}
		if err := disk.Rename(tmp, s.aofPath(s.manifestName())); err != nil {
			s.env.Logf("Error trying to rename the temporary AOF manifest file %s into %s: %v", tmpName, s.manifestName(), err)
			done(false)
			return
		}
		m.dirty = false
		done(true)
	})
}

// holdSync fsyncs name while the node is held, as an fsync in Redis's
// main thread blocks its event loop: input and timers wait. then runs
// when it completes; if then does not hold the node again, the input
// that waited is served.
func (s *Server) holdSync(name string, then func(err error)) {
	s.sleeping = true
	s.env.Disk().Sync(name, func(err error) {
		if s.stopped {
			return
		}
		s.sleeping = false
		then(err)
		if !s.sleeping && !s.stopped {
			s.flushReplies()
			s.resume()
		}
	})
}
