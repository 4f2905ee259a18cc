// Package realenv runs a Redsim node on real time, real TCP and real files.
//
// A Loop implements sim.Env. Every node callback (the Program, timer
// functions, accept functions, ConnHandler methods, Sync completions, Stop)
// runs on one goroutine, the loop goroutine: the goroutine that calls Start
// and then Run. Network readers, writers, dialers and fsyncs run on helper
// goroutines that never call node code; they post closures to the loop
// through a channel. So node code needs no locking here, just as in the
// simulator.
//
// Timers are not helpers: the loop keeps them in one heap ordered by (due
// time on Mono, creation order) and sleeps on a single runtime timer set for
// the earliest. So, as in the simulator, a timer never fires before one due
// earlier, timers due together fire in the order they were made, and a
// cancelled timer never fires, even when the callback of a timer due in the
// same wake-up cancels it.
//
// This is the one package of Redsim allowed goroutines, wall clocks and real
// I/O (cmd/detlint exempts it by name). Real mode is not deterministic: event
// order follows the kernel and the scheduler, and Rand is seeded from
// crypto/rand.
//
// Differences from the simulator: Env methods must be called only from the
// loop goroutine; Listen binds Config.ListenHost (127.0.0.1 by default) and
// accepts port 0 (see Loop.Addr); disk names are flat files under
// Config.Dir; on shutdown pending writes get a bounded flush (one second).
package realenv
