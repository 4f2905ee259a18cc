package redis

// DatasetVersion is a counter that changes whenever anything DatasetHash
// or Expires covers may have changed since it was last read, so that a
// caller that keeps a digest can reuse it while the version is the same.
// It can change without the dataset changing (a write command that wrote
// nothing); it never stays the same across a change.
//
// The counter is bumped at two levels, so that each catches what the other
// could miss:
//
//   - every change of a database's key space or of a TTL goes through one
//     of db's helpers (add, setFound, remove, flush, setExpire, persist) or
//     SWAPDB's exchange of key spaces, and each bumps it. That covers what
//     runs outside a command: loading an RDB or AOF, a full sync from a
//     master, DEBUG RELOAD, active and lazy expiry, eviction, the deletion
//     of a cluster slot's keys;
//   - a value changed in place (SADD, SETRANGE, XADD, PFCOUNT's cache...)
//     is only done by commands, or by serving a blocked client on behalf of
//     one. call bumps it after every command flagged write, every command
//     that counted a change (dirty) or propagated something, EXEC and
//     scripts included through their inner calls; and every write fed to
//     the replicas or the AOF (propagate), every key touched for WATCH
//     (signalModified) bumps it too, which covers the blocked clients
//     served by serveReady.
//
// A read-only command that changes nothing leaves it alone, so a digest
// survives the replicas' pings and acks once the clients have stopped.
func (s *Server) DatasetVersion() uint64 { return s.datasetVersion }

// datasetChanged bumps the dataset version (DatasetVersion).
func (s *Server) datasetChanged() { s.datasetVersion++ }
