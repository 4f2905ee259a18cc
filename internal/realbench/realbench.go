// Package realbench measures real Redis in the same sitting as a
// benchmark of the simulation, so that a ratio against Redis is never a
// comparison across sittings: it starts a redis-server on a free loopback
// port and runs redis-benchmark against it, non-pipelined, as
// BENCHMARKS.md quotes it (-t set,get -c 50).
package realbench

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/redsim/redsim/internal/freeport"
)

// Requests is how many requests redis-benchmark sends per command.
const Requests = 200000

var (
	once   sync.Once
	rate   float64
	reason error
)

// Rate is real Redis's non-pipelined SET/GET rate (requests per second,
// the mean of the two) with 50 clients, measured once per process: the
// benchmarks of one `go test` share it. The error says why there is none
// (redis-server or redis-benchmark not installed, or a failed run).
func Rate() (float64, error) {
	once.Do(func() { rate, reason = measure(Requests) })
	return rate, reason
}

func measure(n int) (float64, error) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return 0, fmt.Errorf("no redis-server on PATH (apt-get install -y redis-server)")
	}
	bench, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return 0, fmt.Errorf("no redis-benchmark on PATH (apt-get install -y redis-tools)")
	}
	p, err := freeport.Port()
	if err != nil {
		return 0, err
	}
	port := strconv.Itoa(p)
	srv := exec.Command(server, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	if err := srv.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	}()
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if i == 50 {
			return 0, fmt.Errorf("redis-server did not listen on port %s: %v", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := exec.Command(bench, "-h", "127.0.0.1", "-p", port, "-t", "set,get", "-n", strconv.Itoa(n), "-c", "50", "--csv").Output()
	if err != nil {
		return 0, fmt.Errorf("redis-benchmark: %v", err)
	}
	return parseCSV(out)
}

// parseCSV reads redis-benchmark --csv: the mean rps of its rows.
func parseCSV(out []byte) (float64, error) {
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return 0, fmt.Errorf("redis-benchmark's CSV: %v", err)
	}
	sum, count := 0.0, 0
	for _, r := range rows {
		if len(r) < 2 || r[0] == "test" {
			continue
		}
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			return 0, fmt.Errorf("redis-benchmark's CSV: rps %q of %s: %v", r[1], r[0], err)
		}
		sum += v
		count++
	}
	if count == 0 {
		return 0, fmt.Errorf("redis-benchmark's CSV has no result rows: %q", out)
	}
	return sum / float64(count), nil
}

// Report adds, to a benchmark that measured perSecond operations per wall
// second, real Redis's rate (redis-ops/s) and the ratio (x-redis); without
// real Redis it logs why and reports the simulation's figure alone.
func Report(b interface {
	ReportMetric(float64, string)
	Logf(string, ...any)
}, perSecond float64) {
	r, err := Rate()
	if err != nil {
		b.Logf("no ratio against real Redis: %v", err)
		return
	}
	b.ReportMetric(r, "redis-ops/s")
	b.ReportMetric(perSecond/r, "x-redis")
}
