package redisdiff

import "syscall"

// oracleProcAttr has the kernel kill the oracle when the test process
// dies without its cleanups: a fuzzing worker that the fuzzer stops, a
// test binary killed at its timeout. Otherwise each would leave a
// redis-server behind.
func oracleProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
