package hll_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/hll"
)

// model runs the HLL commands over this package the way the node will:
// a keyspace of string values and hll-sparse-max-bytes. Replies take the
// shapes go-redis gives: int64, string, []any of int64, or an error.
type model struct {
	keys      map[string][]byte
	sparseMax int
}

func newModel() *model {
	return &model{keys: map[string][]byte{}, sparseMax: hll.DefaultSparseMaxBytes}
}

// errNoKey is PFDEBUG's reply for a missing key.
var errNoKey = errors.New("ERR The specified key does not exist")

func (m *model) do(args []string) (any, error) {
	switch strings.ToUpper(args[0]) {
	case "PFADD":
		return m.pfadd(args[1], args[2:])
	case "PFCOUNT":
		return m.pfcount(args[1:])
	case "PFMERGE":
		return m.pfmerge(args[1], args[2:])
	case "PFDEBUG":
		return m.pfdebug(args[1], args[2])
	}
	panic("model: no command " + args[0])
}

func (m *model) pfadd(key string, elems []string) (any, error) {
	h, ok := m.keys[key]
	if !ok {
		h = hll.New()
	}
	bs := make([][]byte, len(elems))
	for i, e := range elems {
		bs[i] = []byte(e)
	}
	out, updated, err := hll.Add(h, bs, m.sparseMax)
	if ok || err == nil {
		m.keys[key] = out
	}
	if err != nil {
		return nil, err
	}
	if !ok || updated {
		return int64(1), nil
	}
	return int64(0), nil
}

func (m *model) pfcount(keys []string) (any, error) {
	if len(keys) == 1 {
		h, ok := m.keys[keys[0]]
		if !ok {
			return int64(0), nil
		}
		card, out, modified, err := hll.Count(h)
		if err != nil {
			return nil, err
		}
		if modified {
			m.keys[keys[0]] = out
		}
		return card, nil
	}
	var u hll.Union
	for _, k := range keys {
		if h, ok := m.keys[k]; ok {
			if err := u.Merge(h); err != nil {
				return nil, err
			}
		}
	}
	return u.Count(), nil
}

func (m *model) pfmerge(dest string, srcs []string) (any, error) {
	var u hll.Union
	for _, k := range append([]string{dest}, srcs...) {
		if h, ok := m.keys[k]; ok {
			if err := u.Merge(h); err != nil {
				return nil, err
			}
		}
	}
	out, err := u.Store(m.keys[dest], m.sparseMax)
	if err != nil {
		return nil, err
	}
	m.keys[dest] = out
	return "OK", nil
}

func (m *model) pfdebug(sub, key string) (any, error) {
	h, ok := m.keys[key]
	if !ok {
		return nil, errNoKey
	}
	if err := hll.Check(h); err != nil {
		return nil, err
	}
	switch strings.ToLower(sub) {
	case "getreg":
		regs, out, _, err := hll.GetReg(h)
		m.keys[key] = out
		if err != nil {
			return nil, err
		}
		reply := make([]any, len(regs))
		for i, r := range regs {
			reply[i] = int64(r)
		}
		return reply, nil
	case "decode":
		return hll.Decode(h)
	case "encoding":
		return hll.Encoding(h)
	case "todense":
		out, converted, err := hll.ToDense(h)
		m.keys[key] = out
		if err != nil {
			return nil, err
		}
		if converted {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, errors.New("ERR Unknown PFDEBUG subcommand '" + sub + "'")
}

// describe renders a reply for failure messages, shortening long arrays.
func describe(v any, err error) string {
	if err != nil {
		return "error " + strconv.Quote(err.Error())
	}
	if a, ok := v.([]any); ok && len(a) > 8 {
		return "array of " + strconv.Itoa(len(a))
	}
	if s, ok := v.(string); ok {
		if len(s) > 200 {
			return strconv.Quote(s[:200]) + "..."
		}
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
