package realenv

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/redsim/redsim/sim"
)

// disk is sim.Disk over the files of one directory and of its
// subdirectories one level down ("appendonlydir/appendonly.aof.1.incr.aof"),
// which are created on the first write into them.
type disk struct {
	l   *Loop
	dir string
}

func (d *disk) path(op, name string) (string, error) {
	sub, base, nested := strings.Cut(name, "/")
	if !nested {
		sub, base = "", name
	}
	if !validName(base) || (nested && !validName(sub)) || strings.ContainsRune(name, 0) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return filepath.Join(d.dir, name), nil
}

func validName(s string) bool {
	return s != "" && s != "." && !strings.Contains(s, "/") && !strings.Contains(s, "..")
}

// mkdirFor creates the subdirectory a name is in, if it has one.
func mkdirFor(p string, name string) error {
	if !strings.Contains(name, "/") {
		return nil
	}
	return diskErr(os.MkdirAll(filepath.Dir(p), 0o755))
}

// diskErr maps ENOSPC to sim.ErrNoSpace and EIO to sim.ErrIO, keeping the
// *fs.PathError around them.
func diskErr(err error) error {
	var pe *fs.PathError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, syscall.ENOSPC):
		return &fs.PathError{Op: pe.Op, Path: filepath.Base(pe.Path), Err: sim.ErrNoSpace}
	case errors.Is(pe.Err, syscall.EIO):
		return &fs.PathError{Op: pe.Op, Path: filepath.Base(pe.Path), Err: sim.ErrIO}
	}
	return err
}

func (d *disk) Read(name string) ([]byte, error) {
	p, err := d.path("read", name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	return b, diskErr(err)
}

func (d *disk) Write(name string, data []byte) error {
	p, err := d.path("write", name)
	if err != nil {
		return err
	}
	if err := mkdirFor(p, name); err != nil {
		return err
	}
	return diskErr(os.WriteFile(p, data, 0o644))
}

func (d *disk) Append(name string, data []byte) error {
	p, err := d.path("write", name)
	if err != nil {
		return err
	}
	if err := mkdirFor(p, name); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return diskErr(err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return diskErr(err)
}

func (d *disk) Truncate(name string, size int64) error {
	p, err := d.path("truncate", name)
	if err != nil {
		return err
	}
	return diskErr(os.Truncate(p, size))
}

func (d *disk) Rename(from, to string) error {
	pf, err := d.path("rename", from)
	if err != nil {
		return err
	}
	pt, err := d.path("rename", to)
	if err != nil {
		return err
	}
	if err := mkdirFor(pt, to); err != nil {
		return err
	}
	return os.Rename(pf, pt)
}

func (d *disk) Remove(name string) error {
	p, err := d.path("remove", name)
	if err != nil {
		return err
	}
	return diskErr(os.Remove(p))
}

func (d *disk) Size(name string) (int64, error) {
	p, err := d.path("stat", name)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, diskErr(err)
	}
	return fi.Size(), nil
}

// List returns the regular files' names, those of the subdirectories as
// "sub/name", sorted.
func (d *disk) List() []string {
	ents, err := os.ReadDir(d.dir) // sorted by name
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		switch {
		case e.Type().IsRegular():
			names = append(names, e.Name())
		case e.IsDir():
			sub, _ := os.ReadDir(filepath.Join(d.dir, e.Name()))
			for _, f := range sub {
				if f.Type().IsRegular() {
					names = append(names, e.Name()+"/"+f.Name())
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

// Sync fsyncs name on a helper goroutine; done runs on the loop. If the loop
// stops first, done never runs.
func (d *disk) Sync(name string, done func(err error)) {
	l := d.l
	p, err := d.path("fsync", name)
	if err != nil || l.down {
		if err == nil {
			return
		}
		l.wg.Add(1)
		go func() { defer l.wg.Done(); l.post(func() { done(err) }) }()
		return
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err == nil {
			err = f.Sync()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		err = diskErr(err)
		l.post(func() { done(err) })
	}()
}
