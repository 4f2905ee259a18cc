package rdb

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite testdata/fuzz/FuzzReader from fuzzSeeds")

// fuzzSeeds are whole files and bare bodies (which FuzzReader also seals).
func fuzzSeeds() [][]byte {
	valid := write(nil, []AuxField{{"redis-ver", "7.0.15"}}, []Entry{
		{Type: TypeString, Key: []byte("s"), ExpireAtMs: -1, Elems: bs("v")},
		{Type: TypeList, Key: []byte("l"), ExpireAtMs: 5, Elems: bs("a", "b")},
		{DB: 2, Type: TypeSet, Key: []byte("set"), ExpireAtMs: -1, Elems: bs("1", "x")},
		{DB: 2, Type: TypeHash, Key: []byte("h"), ExpireAtMs: -1, Elems: bs("f", "v")},
		{DB: 2, Type: TypeZSet, Key: []byte("z"), ExpireAtMs: 1 << 40, Elems: bs("m"), Scores: []float64{1.5}},
	})
	flipped := append([]byte(nil), valid...)
	flipped[bodyAt+4] ^= 0x20
	return [][]byte{
		valid,
		valid[:len(valid)/2],
		flipped,
		NewWriter(nil).Finish(),
		valid[bodyAt : len(valid)-trailerLen], // a body: sealed, it reads as valid
		{byte(TypeList), 1, 'k', 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10},
	}
}

// FuzzReader: no input may panic the Reader, every error must wrap one of
// the four sentinels, and whatever reads cleanly must survive a rewrite: the
// Writer accepts it and reading that back gives the same keys. Each input is
// tried as a file and, sealed with a correct header and checksum, as a body,
// so the fuzzer reaches the record parser without forging CRCs.
//
// The seeds are in testdata/fuzz/FuzzReader, written from fuzzSeeds.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReads(t, data)
		checkReads(t, seal(data))
	})
}

func checkReads(t *testing.T, data []byte) {
	aux, es, err := readAll(data)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || !(errors.Is(err, ErrTruncated) || errors.Is(err, ErrChecksum) ||
			errors.Is(err, ErrFormat) || errors.Is(err, ErrVersion)) {
			t.Fatalf("error %v (%T) wraps no sentinel", err, err)
		}
		if e.Offset < 0 || e.Offset > len(data) {
			t.Fatalf("error offset %d outside the %d-byte input: %v", e.Offset, len(data), err)
		}
		return
	}
	again := write(nil, aux, es)
	aux2, es2, err := readAll(again)
	if err != nil {
		t.Fatalf("rewritten file does not read: %v", err)
	}
	if fmt.Sprint(aux2) != fmt.Sprint(aux) {
		t.Fatalf("aux changed in a rewrite: %q then %q", aux, aux2)
	}
	sameEntries(t, es2, es)
}

// TestWriteFuzzSeeds keeps the checked-in corpus in step with fuzzSeeds when
// run with -write-seeds; otherwise it checks that the corpus exists.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if !*writeSeeds {
		if ents, err := os.ReadDir(dir); err != nil || len(ents) < len(fuzzSeeds()) {
			t.Fatalf("%s holds %d seeds (%v); regenerate with go test -run TestWriteFuzzSeeds -write-seeds", dir, len(ents), err)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
