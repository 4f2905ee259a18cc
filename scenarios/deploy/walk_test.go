package deploy

import (
	"fmt"
	"reflect"
	"unsafe"
)

// walker looks for paths to targets (objects that should be garbage)
// through structs, pointers, slices, maps and interfaces, and into the
// first words of closures, for a leak test to say what keeps them.
type walker struct {
	targets map[uintptr]bool
	seen    map[uintptr]bool
	found   []string
	budget  int
}

func (wk *walker) walk(v reflect.Value, path string, depth int) {
	if depth > 60 || len(wk.found) > 10 || wk.budget <= 0 {
		return
	}
	wk.budget--
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		p := v.Pointer()
		if wk.targets[p] {
			wk.found = append(wk.found, path)
			return
		}
		if wk.seen[p] {
			return
		}
		wk.seen[p] = true
		wk.walk(v.Elem(), path+"*", depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		wk.walk(v.Elem(), path+"(i)", depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
				f = v.Field(i)
			}
			f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			wk.walk(f, path+"."+v.Type().Field(i).Name, depth+1)
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		p := v.Pointer()
		key := p ^ uintptr(v.Len())<<1
		if wk.seen[key] {
			return
		}
		wk.seen[key] = true
		for i := 0; i < v.Len(); i++ {
			wk.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			wk.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		it := v.MapRange()
		for it.Next() {
			wk.walk(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), depth+1)
		}
	case reflect.Func:
		if v.IsNil() {
			return
		}
		// A closure: scan its first words for a target.
		if !v.CanAddr() {
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		fv := *(*unsafe.Pointer)(unsafe.Pointer(v.UnsafeAddr()))
		words := (*[12]uintptr)(fv)
		for i := 1; i < 12; i++ {
			if wk.targets[words[i]] {
				wk.found = append(wk.found, fmt.Sprintf("%s(closure word %d)", path, i))
				return
			}
		}
	}
}
