package main

import (
	"regexp"
	"runtime"
	"testing"
)

// A test binary has no VCS information, so its identity is the Go version
// and a hash of the executable: stable within the process, and naming both.
func TestBuildIdentity(t *testing.T) {
	id := buildIdentity()
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(runtime.Version()) + ` (exe sha256:[0-9a-f]{16}|[0-9a-f]{40}( modified exe sha256:[0-9a-f]{16})?)$`).MatchString(id) {
		t.Errorf("buildIdentity() = %q", id)
	}
	if again := buildIdentity(); again != id {
		t.Errorf("buildIdentity() = %q, then %q", id, again)
	}
}
