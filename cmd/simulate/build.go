package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// buildIdentity names the simulate binary that runs a sweep, so that
// `simulate merge` can refuse shards run by different code: the same seed
// and build give the same run, another build may not.
//
// It is the Go version and the VCS revision the binary was built from. A
// tree with uncommitted changes (vcs.modified) is not identified by its
// revision, and a binary built without VCS information (go run, go test, a
// build outside the repository) has none, so those add a hash of the
// executable itself: the shards of one Job or one CI run execute the same
// file, and a rebuilt file of other code hashes differently.
func buildIdentity() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return runtime.Version() + " exe " + executableHash()
	}
	var revision, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	switch {
	case revision == "":
		return bi.GoVersion + " exe " + executableHash()
	case modified == "true":
		return bi.GoVersion + " " + revision + " modified exe " + executableHash()
	}
	return bi.GoVersion + " " + revision
}

// executableHash is the first 16 hex digits of the SHA-256 of the running
// executable, or a note saying why there is none (the identity then still
// differs from any real hash, so shards are not mistaken for one build).
func executableHash() string {
	path, err := os.Executable()
	if err != nil {
		return fmt.Sprintf("unknown (%v)", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("unknown (%v)", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Sprintf("unknown (%s: %v)", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
