package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/redsim/redsim/clock"
)

// The JSON form of an Op, one per line in history.jsonl. Field names are
// stable; fields holding None, nil or zero are omitted, except process, kind,
// the two times and the outcome. A read that found no value therefore has no
// "result".
//
//	{"process":3,"node":"n1","kind":"write","key":"k2","value":7,"invoke_ns":1500000,"complete_ns":2100000,"outcome":"ok"}
type opJSON struct {
	Process    int       `json:"process"`
	Node       string    `json:"node,omitempty"`
	Kind       Kind      `json:"kind"`
	Key        string    `json:"key,omitempty"`
	Value      Value     `json:"value"`
	Expect     Value     `json:"expect"`
	Result     Value     `json:"result"`
	Elems      []Value   `json:"elems"`
	InvokeNS   int64     `json:"invoke_ns"`
	CompleteNS int64     `json:"complete_ns"`
	Outcome    Outcome   `json:"outcome"`
	Error      string    `json:"error,omitempty"`
	Mops       []mopJSON `json:"mops,omitempty"`
}

// The JSON form of a Mop, inside an Op's "mops":
//
//	{"kind":"append","key":"t3","value":17} or {"kind":"read","key":"t3","elems":[4,17]}
type mopJSON struct {
	Kind  Kind    `json:"kind"`
	Key   string  `json:"key"`
	Value Value   `json:"value"`
	Elems []Value `json:"elems"`
}

// AppendJSON appends op's JSON form, without a newline, to b.
func (op *Op) AppendJSON(b []byte) []byte {
	b = append(b, `{"process":`...)
	b = strconv.AppendInt(b, int64(op.Process), 10)
	if op.Node != "" {
		b = append(b, `,"node":`...)
		b = appendJSONString(b, op.Node)
	}
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(op.Kind))
	if op.Key != "" {
		b = append(b, `,"key":`...)
		b = appendJSONString(b, op.Key)
	}
	b = appendValueField(b, `,"value":`, op.Value)
	b = appendValueField(b, `,"expect":`, op.Expect)
	b = appendValueField(b, `,"result":`, op.Result)
	if op.Elems != nil {
		b = appendElems(b, op.Elems)
	}
	b = append(b, `,"invoke_ns":`...)
	b = strconv.AppendInt(b, int64(op.Invoke), 10)
	b = append(b, `,"complete_ns":`...)
	b = strconv.AppendInt(b, int64(op.Complete), 10)
	b = append(b, `,"outcome":"`...)
	b = append(b, op.Outcome.String()...)
	b = append(b, '"')
	if op.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, op.Error)
	}
	if op.Mops != nil {
		b = append(b, `,"mops":[`...)
		for i := range op.Mops {
			if i > 0 {
				b = append(b, ',')
			}
			b = op.Mops[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (m *Mop) appendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, string(m.Kind))
	b = append(b, `,"key":`...)
	b = appendJSONString(b, m.Key)
	b = appendValueField(b, `,"value":`, m.Value)
	if m.Elems != nil {
		b = appendElems(b, m.Elems)
	}
	return append(b, '}')
}

func appendElems(b []byte, elems []Value) []byte {
	b = append(b, `,"elems":[`...)
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.AppendJSON(b)
	}
	return append(b, ']')
}

func appendValueField(b []byte, name string, v Value) []byte {
	if v.IsNone() {
		return b
	}
	return v.AppendJSON(append(b, name...))
}

// MarshalJSON encodes op in its history.jsonl form.
func (op Op) MarshalJSON() ([]byte, error) { return op.AppendJSON(nil), nil }

// UnmarshalJSON decodes the history.jsonl form.
func (op *Op) UnmarshalJSON(b []byte) error {
	var j opJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*op = Op{
		Process: j.Process, Node: j.Node, Kind: j.Kind, Key: j.Key,
		Value: j.Value, Expect: j.Expect, Result: j.Result, Elems: j.Elems,
		Invoke: clock.Time(j.InvokeNS), Complete: clock.Time(j.CompleteNS),
		Outcome: j.Outcome, Error: j.Error,
	}
	if j.Mops != nil {
		op.Mops = make([]Mop, len(j.Mops))
		for i, m := range j.Mops {
			op.Mops[i] = Mop{Kind: m.Kind, Key: m.Key, Value: m.Value, Elems: m.Elems}
		}
	}
	return nil
}

// WriteJSONL writes the history as JSON Lines, one operation per line in
// invocation order (a streaming history's kept operations).
func (h *History) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	var op Op
	for i := h.next; i < h.n; i++ {
		c, r := h.at(i)
		h.decode(c, r, &op)
		line = op.AppendJSON(line[:0])
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteJSONL writes ops as JSON Lines, one per line, in the order given.
func WriteJSONL(w io.Writer, ops []Op) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	for i := range ops {
		line = ops[i].AppendJSON(line[:0])
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadJSONL reads a history written by WriteJSONL. Blank lines are skipped; an
// error names the line. Operations still pending in the input stay pending.
func ReadJSONL(r io.Reader) (*History, error) {
	h := &History{}
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var op Op
			if uerr := json.Unmarshal(b, &op); uerr != nil {
				return nil, fmt.Errorf("history line %d: %v", line, uerr)
			}
			h.restore(h.Invoke(op), &op)
		}
		if err == io.EOF {
			return h, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history line %d: %v", line, err)
		}
	}
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does; workloads write printable ASCII values.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// restore sets what Invoke left out of operation i: the rest of op, as
// read back from a history file, pending or not.
func (h *History) restore(i int, op *Op) {
	c, r := h.at(i)
	r.complete, r.outcome, r.err = op.Complete, op.Outcome, c.str(op.Error)
	r.result, r.rk = c.value(op.Result)
	if op.Elems != nil {
		c.extraOf(r).elems = op.Elems
	}
	if op.Outcome != Pending {
		h.pending--
		c.completed()
	}
}
