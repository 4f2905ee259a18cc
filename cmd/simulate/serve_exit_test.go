package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A node that cannot load its data exits with status 1, as redis-server's
// exit(1) (a supervisor with restart-on-failure sees the failure), and
// says so after the node's own log lines.
func TestServeExitsOneWhenTheNodeCannotLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "appendonlydir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"), []byte("garbage line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "serve", "--addr", "127.0.0.1:0", "--dir", dir, "--appendonly")
	if code != 1 || !strings.Contains(errOut, "Invalid AOF manifest file format") || !strings.Contains(errOut, "exited with status 1") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}
