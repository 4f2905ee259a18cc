//go:build !linux

package redisdiff

import "syscall"

// oracleProcAttr is nil where the kernel cannot tie the oracle's life to
// the test process's.
func oracleProcAttr() *syscall.SysProcAttr { return nil }
