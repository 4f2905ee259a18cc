// Package clock holds virtual time and the per-host clock models of a Redsim
// world.
//
// True time is the world's own: int64 nanoseconds since the world's epoch,
// advanced only by the event loop. A host never sees true time; it reads its
// Clock, which maps true time to two local readings as Linux does:
//
//   - Mono: CLOCK_MONOTONIC. It drifts (its rate is 1 + DriftPPM/1e6) but never
//     jumps and never goes backwards.
//   - Wall: CLOCK_REALTIME. It is the monotonic reading plus an offset; offset
//     changes, forward or backward jumps and strobing move it, drift moves it too.
//
// All arithmetic is integer so that a reading is the same on every machine.
package clock
