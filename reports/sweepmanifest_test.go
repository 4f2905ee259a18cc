package reports

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sweep.json reads back as written, and a directory without one, or with
// something else in it, says so.
func TestSweepManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := SweepManifest{Scenario: "ping", Source: "ping", Params: map[string]string{"nodes": "5"}, Set: map[string]string{"nodes": "5"},
		Seeds: "1-12", ShardIndex: 2, ShardCount: 3, Build: "go1.26 abc", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := WriteSweepManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSweepManifest(dir)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("read %+v, %v; wrote %+v", got, err, m)
	}
	if _, err := ReadSweepManifest(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no sweep.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, SweepManifestFile), []byte(`{"seed": 1}`), 0o644)
	if _, err := ReadSweepManifest(dir); err == nil || !strings.Contains(err.Error(), "sweep.json is not a sweep manifest") {
		t.Errorf("a file of something else: %v", err)
	}
}

// A results.jsonl line written before lines recorded their build still
// reads (resume and merge read old files), and a line without a build is
// written without the field.
func TestSweepEntryBuildIsOptional(t *testing.T) {
	path := filepath.Join(t.TempDir(), SweepResultsFile)
	old := `{"scenario":"ping","seed":1,"status":"pass","hash":"80135d5a6fbdc49a","passed":true,"verdicts":[],"params":{"nodes":"5"},"wall_ms":3.2}` + "\n"
	os.WriteFile(path, []byte(old), 0o644)
	es, err := ReadSweepEntries(path, false)
	if err != nil || len(es) != 1 || es[0].Build != "" || es[0].Hash != "80135d5a6fbdc49a" {
		t.Fatalf("an old line: %+v, %v", es, err)
	}
	var b strings.Builder
	if err := EncodeSweepEntry(&b, &es[0]); err != nil || b.String() != old {
		t.Errorf("written again: %q, %v; want %q", b.String(), err, old)
	}
	es[0].Build = "go1.26 abc"
	b.Reset()
	EncodeSweepEntry(&b, &es[0])
	if !strings.Contains(b.String(), `"build":"go1.26 abc"`) {
		t.Errorf("the build is not written: %s", b.String())
	}
}
