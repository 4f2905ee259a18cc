package sim

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"
)

// DiskConfig is a host disk's size and behaviour.
type DiskConfig struct {
	// CapacityBytes bounds the bytes in all files; 0 means unlimited.
	CapacityBytes int64
	// FsyncLatency is how long an fsync takes; the zero value means a fixed
	// 500µs, an SSD's typical figure.
	FsyncLatency Dist
	// TornTail keeps, on a crash, a random prefix of each file's unsynced
	// appends (a torn write), instead of none of them.
	TornTail bool
}

// SimDisk is a host's simulated disk: every file has a page-cache view that
// reads and writes see, and a durable view that survives a crash.
type SimDisk struct {
	h     *Host
	cfg   DiskConfig
	files map[string]*file
	used  int64
	// torn holds each file's stream of torn-tail draws, disk/<host>/torn/<file>,
	// made at the first crash that tears the file. Looked up only, never
	// ranged over. A stream per file keeps one process's files from moving
	// what a crash keeps of another's; fsync latencies come from each
	// incarnation's own stream (procDisk), so how often anything fsyncs never
	// moves what a crash keeps either.
	torn map[string]*rand.Rand
	// gen counts crashes; an fsync that started before a crash makes nothing
	// durable.
	gen uint64
	// Faults: failSyncs makes the next n fsyncs fail; full makes every write
	// fail with ENOSPC.
	failSyncs int
	full      bool
	extraSync time.Duration
}

// file keeps its durable view cheaply for the common case of appends: while
// only appends happened since the last fsync, the durable content is
// data[:durableLen]. A rewrite snapshots the durable content first.
type file struct {
	data       []byte
	durableLen int
	durable    []byte // the durable content when rewritten is set
	rewritten  bool
	wgen       uint64 // bumped by every rewrite, so an fsync in flight knows
}

func newDisk(h *Host, cfg DiskConfig) (*SimDisk, error) {
	if cfg.FsyncLatency == (Dist{}) {
		cfg.FsyncLatency = FixedDist(500 * time.Microsecond)
	}
	if err := cfg.FsyncLatency.Validate(); err != nil {
		return nil, fmt.Errorf("disk fsync latency: %w", err)
	}
	if cfg.CapacityBytes < 0 {
		return nil, fmt.Errorf("disk capacity %d is negative", cfg.CapacityBytes)
	}
	return &SimDisk{h: h, cfg: cfg, files: map[string]*file{}, torn: map[string]*rand.Rand{}}, nil
}

// FailSyncs makes the next n fsyncs fail with EIO; the data stays unsynced.
func (d *SimDisk) FailSyncs(n int) {
	d.h.w.Fault(fmt.Sprintf("disk %s fail-fsync n=%d", d.h.name, n))
	d.failSyncs = n
}

// SetFull makes writes fail with ENOSPC (true) or succeed again (false),
// whatever the capacity.
func (d *SimDisk) SetFull(full bool) {
	d.h.w.Fault(fmt.Sprintf("disk %s full=%t", d.h.name, full))
	d.full = full
}

// SlowSyncs adds extra to every fsync from now on (0 restores).
func (d *SimDisk) SlowSyncs(extra time.Duration) {
	d.h.w.Fault(fmt.Sprintf("disk %s slow-fsync extra=%v", d.h.name, extra))
	d.extraSync = extra
}

// Durable returns the content that would survive a crash now (no torn tail).
func (d *SimDisk) Durable(name string) ([]byte, bool) {
	f, ok := d.files[name]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), f.durableView()...), true
}

func (f *file) durableView() []byte {
	if f.rewritten {
		return f.durable
	}
	return f.data[:f.durableLen]
}

// beforeRewrite keeps the durable content aside before data changes other
// than by appending.
func (f *file) beforeRewrite() {
	if !f.rewritten {
		f.durable = append([]byte(nil), f.data[:f.durableLen]...)
		f.rewritten = true
	}
	f.wgen++
}

// crash keeps each file's durable content, and with torn (or a disk
// configured with TornTail) a random prefix of its unsynced appends.
func (d *SimDisk) crash(torn bool) {
	d.gen++
	names := d.List()
	for _, name := range names {
		f := d.files[name]
		keep := f.durableView()
		if !f.rewritten && (torn || d.cfg.TornTail) && len(f.data) > f.durableLen {
			keep = f.data[:f.durableLen+d.tornStream(name).IntN(len(f.data)-f.durableLen+1)]
		}
		d.used -= int64(len(f.data) - len(keep))
		f.data = append([]byte(nil), keep...)
		f.durableLen = len(f.data)
		f.durable, f.rewritten = nil, false
		f.wgen++
	}
}

// wipe loses every file: the host comes back on an empty disk.
func (d *SimDisk) wipe() {
	d.crash(false)
	d.files = map[string]*file{}
	d.used = 0
}

// tornStream is the stream of the torn tails of the named file.
func (d *SimDisk) tornStream(name string) *rand.Rand {
	r, ok := d.torn[name]
	if !ok {
		r = d.h.w.Stream("disk/" + d.h.name + "/torn/" + name)
		d.torn[name] = r
	}
	return r
}

func (d *SimDisk) room(extra int64) error {
	if d.full || (d.cfg.CapacityBytes > 0 && d.used+extra > d.cfg.CapacityBytes) {
		return ErrNoSpace
	}
	return nil
}

func notExist(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// Read returns a copy of the file's page-cache content.
func (d *SimDisk) Read(name string) ([]byte, error) {
	f, ok := d.files[name]
	if !ok {
		return nil, notExist("read", name)
	}
	return append([]byte(nil), f.data...), nil
}

// Write replaces the file's content.
func (d *SimDisk) Write(name string, data []byte) error {
	f, ok := d.files[name]
	old := 0
	if ok {
		old = len(f.data)
	}
	if err := d.room(int64(len(data) - old)); err != nil {
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	if !ok {
		f = &file{}
		d.files[name] = f
	}
	f.beforeRewrite()
	f.data = append(f.data[:0], data...)
	d.used += int64(len(data) - old)
	return nil
}

// Append adds data at the end of the file, creating it if needed.
func (d *SimDisk) Append(name string, data []byte) error {
	if err := d.room(int64(len(data))); err != nil {
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	f, ok := d.files[name]
	if !ok {
		f = &file{}
		d.files[name] = f
	}
	f.data = append(f.data, data...)
	d.used += int64(len(data))
	return nil
}

// Truncate cuts or extends (with zeros) the file to size.
func (d *SimDisk) Truncate(name string, size int64) error {
	f, ok := d.files[name]
	if !ok {
		return notExist("truncate", name)
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: name, Err: fs.ErrInvalid}
	}
	grow := size - int64(len(f.data))
	if grow > 0 {
		if err := d.room(grow); err != nil {
			return &fs.PathError{Op: "truncate", Path: name, Err: err}
		}
		f.data = append(f.data, make([]byte, grow)...)
	} else if grow < 0 {
		if size < int64(f.durableLen) {
			f.beforeRewrite()
		}
		f.data = f.data[:size]
	}
	d.used += grow
	return nil
}

// Rename moves from over to, atomically and durably.
func (d *SimDisk) Rename(from, to string) error {
	f, ok := d.files[from]
	if !ok {
		return notExist("rename", from)
	}
	if old, ok := d.files[to]; ok && from != to {
		d.used -= int64(len(old.data))
	}
	delete(d.files, from)
	d.files[to] = f
	return nil
}

// Remove deletes the file, durably.
func (d *SimDisk) Remove(name string) error {
	f, ok := d.files[name]
	if !ok {
		return notExist("remove", name)
	}
	d.used -= int64(len(f.data))
	delete(d.files, name)
	return nil
}

// Size is the file's page-cache length.
func (d *SimDisk) Size(name string) (int64, error) {
	f, ok := d.files[name]
	if !ok {
		return 0, notExist("stat", name)
	}
	return int64(len(f.data)), nil
}

// Used is the number of bytes in all files.
func (d *SimDisk) Used() int64 { return d.used }

// List returns the file names, sorted.
func (d *SimDisk) List() []string {
	names := make([]string, 0, len(d.files))
	for name := range d.files { //redsim:ordered the names are sorted below
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// siteFsyncSlow makes an fsync take up to a second longer, as on a disk
// busy with another writer; Redis logs "Asynchronous AOF fsync is taking
// too long" then, and with appendfsync always its replies wait.
var siteFsyncSlow = DeclareSite("disk/fsync-slow",
	"an fsync completes 0.1-1 s later than the disk's latency, as on a busy disk")

// sync starts an fsync for p's current incarnation, its latency drawn from r;
// done runs as p's event.
func (d *SimDisk) sync(p *Process, r *rand.Rand, name string, done func(error)) {
	f, ok := d.files[name]
	if !ok {
		p.w.Schedule(p.w.now, p, funcRunner(func() { done(notExist("fsync", name)) }), 0)
		return
	}
	lat := d.cfg.FsyncLatency.Draw(r) + d.extraSync
	if siteFsyncSlow.FireIn(p.w, p.id) {
		lat += siteFsyncSlow.DelayIn(p.w, time.Second)
	}
	fail := d.failSyncs > 0
	if fail {
		d.failSyncs--
	}
	gen, wgen, n, inc := d.gen, f.wgen, len(f.data), p.inc
	p.w.Schedule(p.w.now.Add(lat), nil, funcRunner(func() {
		var err error
		switch {
		case fail:
			err = &fs.PathError{Op: "fsync", Path: name, Err: ErrIO}
		case d.gen != gen:
			// The host crashed while the fsync was in flight: nothing became durable.
			err = &fs.PathError{Op: "fsync", Path: name, Err: ErrIO}
		default:
			// A rewrite since the call is not covered: it needs an fsync of its own.
			if cur, ok := d.files[name]; ok && cur == f {
				if f.wgen == wgen {
					// Only appends since the call: its first n bytes are now durable.
					if f.rewritten || n > f.durableLen {
						f.durableLen = n
					}
					f.rewritten, f.durable = false, nil
				}
			}
		}
		p.w.trace.Add(Event{At: p.w.now, Kind: KindSync, Level: LevelDebug, Proc: p.id, A: int64(n), Text: name})
		if p.Alive(inc) { // the callback belongs to the incarnation that asked
			p.w.Schedule(p.w.now, p, funcRunner(func() { done(err) }), 0)
		}
	}), 0)
}

// procDisk is the Disk an incarnation sees: the host's, with Sync callbacks
// bound to that incarnation.
type procDisk struct {
	d   *SimDisk
	p   *Process
	inc uint32
	// fsync is the incarnation's stream of fsync latencies,
	// fsyncStream(host, process, incarnation), made on its first Sync so that
	// processes that never fsync cost nothing. Another process's fsyncs on
	// the same host draw from their own stream and cannot move these.
	fsync *rand.Rand
}

// fsyncStream names the stream of one incarnation's fsync latencies.
func fsyncStream(host, proc string, inc uint32) string {
	return "disk/" + host + "/fsync/" + proc + "/" + strconv.FormatUint(uint64(inc), 10)
}

func (pd *procDisk) Read(name string) ([]byte, error)       { return pd.d.Read(name) }
func (pd *procDisk) Write(name string, data []byte) error   { return pd.d.Write(name, data) }
func (pd *procDisk) Append(name string, data []byte) error  { return pd.d.Append(name, data) }
func (pd *procDisk) Truncate(name string, size int64) error { return pd.d.Truncate(name, size) }
func (pd *procDisk) Rename(from, to string) error           { return pd.d.Rename(from, to) }
func (pd *procDisk) Remove(name string) error               { return pd.d.Remove(name) }
func (pd *procDisk) Size(name string) (int64, error)        { return pd.d.Size(name) }
func (pd *procDisk) List() []string                         { return pd.d.List() }
func (pd *procDisk) Sync(name string, done func(error)) {
	if !pd.p.Alive(pd.inc) {
		return
	}
	if pd.fsync == nil {
		pd.fsync = pd.p.w.Stream(fsyncStream(pd.p.host.name, pd.p.name, pd.inc))
	}
	pd.d.sync(pd.p, pd.fsync, name, done)
}
