package hll

import (
	"errors"
	"strconv"
)

// ErrNotSparse is PFDEBUG DECODE's reply for a dense value.
var ErrNotSparse = errors.New("ERR HLL encoding is not sparse")

// ToDense is PFDEBUG TODENSE: it converts a sparse value to dense and
// reports whether it did (Redis then counts a change so that the new
// encoding propagates); a dense value is returned as it is.
func ToDense(h []byte) (out []byte, converted bool, err error) {
	if err := Check(h); err != nil {
		return h, false, err
	}
	if h[4] == encDense {
		return h, false, nil
	}
	d, ok := sparseToDense(h)
	if !ok {
		return h, false, ErrInvalid
	}
	return d, true, nil
}

// GetReg is PFDEBUG GETREG: the 16384 register values, after converting a
// sparse value to dense as ToDense does (the caller stores out and, when
// converted, counts a change).
func GetReg(h []byte) (regs []uint8, out []byte, converted bool, err error) {
	out, converted, err = ToDense(h)
	if err != nil {
		return nil, out, false, err
	}
	regs = make([]uint8, Registers)
	for i := range regs {
		regs[i] = denseGet(out[hdrSize:], i)
	}
	return regs, out, converted, nil
}

// Decode is PFDEBUG DECODE: the sparse opcodes as "z:N" (ZERO), "Z:N"
// (XZERO) and "v:VALUE,N" (VAL) separated by spaces; every opcode is
// shown, whether or not the runs add up. ErrNotSparse for a dense value.
func Decode(h []byte) (string, error) {
	if err := Check(h); err != nil {
		return "", err
	}
	if h[4] != encSparse {
		return "", ErrNotSparse
	}
	out := make([]byte, 0, 8*(len(h)-hdrSize))
	for p := hdrSize; p < len(h); {
		if p > hdrSize {
			out = append(out, ' ')
		}
		b := h[p]
		switch {
		case isZero(b):
			out = append(out, "z:"...)
			out = strconv.AppendInt(out, int64(zeroLen(b)), 10)
			p++
		case isXZero(b):
			out = append(out, "Z:"...)
			out = strconv.AppendInt(out, int64(xzeroLen(h, p)), 10)
			p += 2
		default:
			out = append(out, "v:"...)
			out = strconv.AppendInt(out, int64(valValue(b)), 10)
			out = append(out, ',')
			out = strconv.AppendInt(out, int64(valLen(b)), 10)
			p++
		}
	}
	return string(out), nil
}
