package redis

import (
	"bytes"
	"errors"
	"io/fs"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/rdbfile"
)

// loadManifest is aofLoadManifestFromDisk, which Redis 7.0 runs at every
// boot, appendonly or not: no manifest is an empty one (a first start, or
// an upgrade from a single appendonly.aof); a bad one stops the node.
func (s *Server) loadManifest() bool {
	s.aofManifest = &aofManifest{}
	name := s.aofPath(s.manifestName())
	data, err := s.env.Disk().Read(name)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		s.env.Logf("Fatal error: can't open the AOF manifest file %s for reading: %v", name, err)
		return false
	}
	m, err := parseManifest(data)
	if err != nil {
		s.logManifestError(err)
		return false
	}
	s.aofManifest = m
	return true
}

// The outcomes of loading one AOF file (AOF_OK and the others).
const (
	aofOK = iota
	aofNotExist
	aofEmpty
	aofOpenErr
	aofFailed
	aofTruncated
)

// loadAOF is loadAppendOnlyFiles with loadDataFromDisk's handling of its
// outcome: the base, then the incr files, in the manifest's order. A
// single appendonly.aof of an older Redis is first moved into the
// directory under a manifest of its own (aofUpgradePrepare), which takes
// an fsync; done runs with whether the node may go on, and the load's
// window (nil when nothing was loaded).
func (s *Server) loadAOF(done func(ok bool, p *loadPlan)) {
	m := s.aofManifest
	disk := s.env.Disk()
	_, oldErr := disk.Size(s.cfg.AppendFilename)
	if oldErr == nil {
		_, inDirErr := disk.Size(s.aofPath(s.cfg.AppendFilename))
		if m.empty() || (m.base != nil && len(m.incrs) == 0 && m.base.name == s.cfg.AppendFilename && inDirErr != nil) {
			s.upgradeAOF(func(ok bool) {
				if !ok {
					done(false, nil)
					return
				}
				done(s.loadAOFFiles())
			})
			return
		}
	}
	done(s.loadAOFFiles())
}

// upgradeAOF is aofUpgradePrepare: a manifest naming the old file as the
// base, then the file moved in. A crash between the two is retried at the
// next boot, as the manifest then names a base the directory lacks.
func (s *Server) upgradeAOF(done func(ok bool)) {
	if _, err := s.env.Disk().Size(s.aofPath(s.cfg.AppendFilename)); err == nil {
		// serverAssert(!aofFileExist(server.aof_filename)).
		s.env.Logf("=== ASSERTION FAILED === the AOF directory %s already holds a file named %s", s.cfg.AppendDirname, s.cfg.AppendFilename)
		done(false)
		return
	}
	m := &aofManifest{base: &aofInfo{name: s.cfg.AppendFilename, seq: 1, kind: aofTypeBase}, baseSeq: 1}
	s.aofManifest = m
	s.persistManifest(m, func(ok bool) {
		if !ok {
			done(false)
			return
		}
		if err := s.env.Disk().Rename(s.cfg.AppendFilename, s.aofPath(s.cfg.AppendFilename)); err != nil {
			s.env.Logf("Error trying to move the old AOF file %s into dir %s: %v", s.cfg.AppendFilename, s.cfg.AppendDirname, err)
			done(false)
			return
		}
		s.env.Logf("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", s.cfg.AppendFilename, s.cfg.AppendDirname)
		done(true)
	})
}

// loadAOFFiles loads the files the manifest names; false stops the node.
// The plan is the load's window, nil when there was nothing to load.
func (s *Server) loadAOFFiles() (bool, *loadPlan) {
	m := s.aofManifest
	if m.empty() {
		return true, nil // AOF_NOT_EXIST: nothing to load, nothing logged
	}
	files := make([]aofInfo, 0, 1+len(m.incrs))
	if m.base != nil {
		files = append(files, *m.base)
	}
	files = append(files, m.incrs...)
	disk := s.env.Disk()
	var total, baseSize int64
	for _, f := range files {
		n, err := disk.Size(s.aofPath(f.name))
		if err != nil {
			// An AOF the manifest names but the disk lacks is fatal.
			s.env.Logf("Unable to obtain the AOF file %s length. stat: %v", f.name, err)
			return false, nil
		}
		total += n
	}
	if total == 0 {
		return true, nil // AOF_EMPTY: nothing loaded, nothing logged
	}
	p := s.newLoadPlan(total)
	for i, f := range files {
		last := i == len(files)-1
		if i == 0 && m.base != nil {
			baseSize, _ = disk.Size(s.aofPath(f.name))
		}
		from := p.at
		ret := s.loadAOFFile(f.name, p)
		kind := "incr"
		if f.kind == aofTypeBase {
			kind = "base"
		}
		if ret == aofOK || (ret == aofTruncated && last) {
			s.env.Logf("DB loaded from %s file %s: %s seconds", kind, f.name, loadSeconds(p.at-from))
		}
		if ret == aofTruncated && !last {
			s.env.Logf("Fatal error: the truncated file is not the last file")
			return false, nil
		}
		if ret == aofOpenErr || ret == aofFailed {
			return false, nil
		}
	}
	s.aofSize, s.aofBaseSize = total, baseSize
	return true, p
}

// loadAOFFile is loadSingleAppendOnlyFile: an RDB (a base, or the
// preamble of an old single file, told by its "REDIS" signature) and then
// commands. A file cut short anywhere in a command (or in the RDB) is cut
// back to the last whole command when aof-load-truncated is on; anything
// else malformed refuses to start, as redis-check-aof must be run. Its
// bytes and the points where Redis would serve events go into p, from
// the plan's cursor on.
func (s *Server) loadAOFFile(name string, p *loadPlan) int {
	disk := s.env.Disk()
	path := s.aofPath(name)
	data, err := disk.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		s.env.Logf("The append log file %s doesn't exist: %v", name, err)
		return aofNotExist
	}
	if err != nil {
		s.env.Logf("Fatal error: can't open the append log file %s for reading: %v", name, err)
		return aofOpenErr
	}
	if len(data) == 0 {
		return aofEmpty
	}
	s.loading = true
	defer func() { s.loading = false }()
	base := p.pos
	defer func() { p.advance(base+int64(len(data))-p.pos, s.cfg.LoadAOFBytesPerSecond) }()
	loops := 0
	fake := s.fakeClient()
	off := 0
	var validUpTo, validBeforeMulti int64
	if bytes.HasPrefix(data, []byte("REDIS")) {
		oldStyle := name == s.cfg.AppendFilename
		if oldStyle {
			s.env.Logf("Reading RDB preamble from AOF file...")
		} else {
			s.env.Logf("Reading RDB base file on AOF loading...")
		}
		f, err := rdbfile.ReadAll(data, s.rdbReadOptions())
		if err == nil {
			// An AOF's RDB keeps keys whose time has passed
			// (RDBFLAGS_AOF_PREAMBLE); the commands that follow may
			// still touch them.
			err = s.applyRDB(f, false)
		}
		if err != nil {
			if oldStyle {
				s.env.Logf("Error reading the RDB preamble of the AOF file %s, AOF loading aborted", name)
			} else {
				s.env.Logf("Error reading the RDB base file %s, AOF loading aborted", name)
			}
			if errors.Is(err, rdbfile.ErrTruncated) {
				return s.aofShortRead(name, validUpTo)
			}
			s.logLoadError(err)
			s.env.Logf("Unrecoverable error reading the append only file %s: %v", name, err)
			return aofFailed
		}
		if p.usedMem == 0 {
			p.usedMem = rdbUsedMem(f)
		}
		s.planRDB(p, int64(f.Size))
		off = f.Size
		if oldStyle {
			s.env.Logf("Reading the remaining AOF tail...")
		}
	}
	inMulti := false
	var queued [][][]byte
	for off < len(data) {
		if loops%1024 == 0 {
			s.planAOF(p, base, int64(off))
		}
		loops++
		if data[off] == '#' { // an annotation
			if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
				off += i + 1
			} else {
				off = len(data)
			}
			continue
		}
		args, next, err := nextAOFCommand(data, off)
		if errors.Is(err, errAOFTruncated) {
			return s.aofShortRead(name, validUpTo)
		}
		if err != nil {
			s.env.Logf("Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", name)
			return aofFailed
		}
		cmd := s.lookup(args)
		if cmd == nil {
			s.env.Logf("Unknown command '%s' reading the append only file %s", cstr(args[0], 128), name)
			return aofFailed
		}
		if next == len(data) && bugs.On(bugs.AOFLoadDropsLastCommand) {
			// An off-by-one at the end of the file: the last complete
			// command is read but never run.
			break
		}
		switch {
		case cmd.name == "multi":
			validBeforeMulti = validUpTo
			inMulti = true
		case cmd.name == "exec" && inMulti:
			for _, q := range queued {
				s.call(fake, s.lookup(q), q)
			}
			queued = queued[:0]
			inMulti = false
		case inMulti:
			queued = append(queued, args)
		default:
			s.call(fake, cmd, args)
		}
		fake.w.Reset()
		off = next
		if s.cfg.AOFLoadTruncated {
			validUpTo = int64(off)
		}
	}
	if loops%1024 == 0 {
		s.planAOF(p, base, int64(off)) // the read that meets the end
	}
	if inMulti {
		// A whole file that ends inside MULTI is a short read too: the
		// transaction never ran and is cut off.
		s.env.Logf("Revert incomplete MULTI/EXEC transaction in AOF file %s", name)
		return s.aofShortRead(name, validBeforeMulti)
	}
	return aofOK
}

// aofShortRead is loadSingleAppendOnlyFile's uxeof: cut the file back to
// validUpTo and go on when aof-load-truncated is on, else refuse.
func (s *Server) aofShortRead(name string, validUpTo int64) int {
	if s.cfg.AOFLoadTruncated {
		probeAOFTruncated.Reach(s.env)
		s.env.Logf("!!! Warning: short read while loading the AOF file %s!!!", name)
		s.env.Logf("!!! Truncating the AOF %s at offset %d !!!", name, validUpTo)
		if err := s.env.Disk().Truncate(s.aofPath(name), validUpTo); err != nil {
			s.env.Logf("Error truncating the AOF file %s: %v", name, err)
		} else {
			s.env.Logf("AOF %s loaded anyway because aof-load-truncated is enabled", name)
			return aofTruncated
		}
	}
	s.env.Logf("Unexpected end of file reading the append only file %s. You can: "+
		"1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "+
		"2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", name)
	return aofFailed
}

// errAOFTruncated and errAOFFormat classify a bad command in an AOF.
var (
	errAOFTruncated = errors.New("unexpected end of file")
	errAOFFormat    = errors.New("bad file format")
)

// nextAOFCommand parses one command of an AOF at data[off:] as Redis's
// loader reads it, line by line with fgets: "*<argc>" then, per argument,
// "$<len>", len bytes and two bytes that are skipped unread. The end of
// the file anywhere in it is a short read; a line that does not start
// with '*' or '$' where one must, or a count below 1, is a format error.
func nextAOFCommand(data []byte, off int) (args [][]byte, next int, err error) {
	// line is fgets: through the next '\n', or to the end of the file.
	line := func(at int) ([]byte, int, bool) {
		if at >= len(data) {
			return nil, at, false
		}
		if i := bytes.IndexByte(data[at:], '\n'); i >= 0 {
			return data[at : at+i+1], at + i + 1, true
		}
		return data[at:], len(data), true
	}
	l, p, _ := line(off)
	if l[0] != '*' {
		return nil, 0, errAOFFormat
	}
	if len(l) == 1 {
		return nil, 0, errAOFTruncated // "*" and the end of the file
	}
	n := atoll(l[1:])
	if n < 1 {
		return nil, 0, errAOFFormat
	}
	for i := int64(0); i < n; i++ {
		l, np, ok := line(p)
		if !ok {
			return nil, 0, errAOFTruncated
		}
		if l[0] != '$' {
			return nil, 0, errAOFFormat
		}
		m := atoll(l[1:])
		if m < 0 || m > int64(len(data)) {
			// Redis reads a negative length as a huge unsigned one and
			// dies allocating it; the node calls the file malformed.
			return nil, 0, errAOFFormat
		}
		p = np
		if int64(p)+m > int64(len(data)) {
			return nil, 0, errAOFTruncated
		}
		args = append(args, data[p:p+int(m)])
		p += int(m)
		if p+2 > len(data) {
			return nil, 0, errAOFTruncated
		}
		p += 2 // the CRLF, not checked
	}
	return args, p, nil
}

// aofFileSize is the size of an AOF file, 0 if it cannot be read.
func (s *Server) aofFileSize(name string) int64 {
	n, _ := s.env.Disk().Size(s.aofPath(name))
	return n
}
