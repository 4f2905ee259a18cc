package redisdiff

import (
	"errors"
	"strings"
	"testing"
)

// The oracle must be there and be 7.0.x; StartRedis turns a problem into a
// skip, or a failure under CI=true.
func TestFindOracle(t *testing.T) {
	found := func(string) (string, error) { return "/usr/bin/redis-server", nil }
	missing := func(string) (string, error) { return "", errors.New("not found") }
	says := func(v string) func(string) (string, error) {
		return func(string) (string, error) { return v, nil }
	}
	for _, tc := range []struct {
		look    func(string) (string, error)
		version func(string) (string, error)
		bin     string
		problem string
	}{
		{found, says("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=e08dbad3e06f3fb\n"), "/usr/bin/redis-server", ""},
		{missing, says(""), "", "redis-server not found on PATH"},
		{found, says("Redis server v=7.2.4 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64\n"), "", "is Redis server v=7.2.4"},
		{found, func(string) (string, error) { return "", errors.New("exec format error") }, "", "--version failed"},
	} {
		bin, problem := findOracle(tc.look, tc.version)
		if bin != tc.bin || (tc.problem == "") != (problem == "") || !strings.Contains(problem, tc.problem) {
			t.Errorf("findOracle = %q, %q; want %q and a problem containing %q", bin, problem, tc.bin, tc.problem)
		}
	}
}
