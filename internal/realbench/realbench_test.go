package realbench

import (
	"os"
	"os/exec"
	"testing"
)

func TestParseCSV(t *testing.T) {
	out := []byte("\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"80000.00\",\"0.3\"\n\"GET\",\"90000.00\",\"0.3\"\n")
	r, err := parseCSV(out)
	if err != nil || r != 85000 {
		t.Fatalf("%v %v", r, err)
	}
	for _, bad := range []string{"", "\"test\",\"rps\"\n", "\"SET\",\"fast\"\n"} {
		if _, err := parseCSV([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// A short real measurement: redis-server and redis-benchmark run and give
// a positive rate (CI installs them; without them, only under CI is it a
// failure).
func TestMeasure(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI: redis-benchmark is not installed")
		}
		t.Skip("no redis-benchmark")
	}
	r, err := measure(2000)
	if err != nil || r <= 0 {
		t.Fatalf("rate %v: %v", r, err)
	}
}
