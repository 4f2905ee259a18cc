package redis

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// The loading window, as Redis 7.0.15 has it. Redis loads its RDB file or
// its AOF at startup, and a replica the snapshot of a full resync, in the
// main thread (rdbLoad, loadAppendOnlyFiles, readSyncBulkPayload), with
// server.loading set. Every loading-process-events-interval-bytes (2 MB)
// of an RDB (rdbLoadProgressCallback), and every 1024 commands of an AOF,
// it calls processEventsWhileBlocked: the clients' waiting input is served,
// and a command without the "loading" flag is answered -LOADING; INFO
// shows loading:1 and the loading_* fields. No time event runs meanwhile
// (serverCron, replicationCron: whileBlockedCron only defragments and
// updates memory figures), and a replica loading its master's snapshot
// does not read the master's stream until it is done.
//
// How long a load takes is a model: LoadStartCost, then each byte of RDB
// at LoadRDBBytesPerSecond and each byte of AOF commands at
// LoadAOFBytesPerSecond (DefaultLoad* below, measured against
// redis-server 7.0.15; BENCHMARKS.md).
//
// The node parses and applies the whole dataset at the start of the
// window, in no virtual time, and then holds its loop for the modelled
// time, as DEBUG SLEEP holds it, waking at each point where Redis would
// call processEventsWhileBlocked to serve the clients (loadEvents). Seen
// from the network this is what Redis does: input waits between the
// points, every command at a point is answered as Redis answers it
// during a load, the replies leave at the point, and the load ends at the
// modelled time. Running the loader itself on a coroutine, as busy
// scripts are (busyscript.go), would only change what the few commands
// allowed during a load can see of the half-loaded dataset: INFO
// keyspace and DEBUG show it whole here, partly loaded in Redis. A file
// that cannot be loaded fails at once rather than where Redis meets the
// error.

// Defaults of the load-time model, measured with redis-server 7.0.15 on
// this project's reference machine (2 cores); BENCHMARKS.md has the
// commands and figures:
//   - an 85.5 MB RDB of 400,000 strings of 200 random bytes loads in
//     0.49 s (mean of 3 restarts, "DB loaded from disk"): 175 MB/s;
//     77.7 MB of 40,000 strings of 2,000 bytes load at 250 MB/s, and
//     DEBUG POPULATE's 1,000,000 small keys (35.8 MB) at 34 MB/s, so the
//     rate is per byte of a typical dataset, not a law;
//   - a 95 MB AOF of those 400,000 SETs loads in 0.75 s: 125 MB/s;
//   - DEBUG RELOAD NOSAVE of a 99-byte RDB takes 106 µs a call
//     (commandstats) against 39 µs for DEBUG CHANGE-REPL-ID: some 60 µs
//     to open, read and close a file.
const (
	DefaultLoadStartCost         = 60 * time.Microsecond
	DefaultLoadRDBBytesPerSecond = 175_000_000
	DefaultLoadAOFBytesPerSecond = 125_000_000
)

// errLoading is shared.loadingerr.
const errLoading = "LOADING Redis is loading the dataset in memory"

// loadPoint is one call of processEventsWhileBlocked during a load: the
// loading_loaded_bytes it reports, and when it comes, from the start of
// the load.
type loadPoint struct {
	bytes int64
	at    time.Duration
}

// loadPlan is what a load will look like from outside, built while the
// node parses the files: loading_total_bytes, the RDB's used-mem
// (loading_rdb_used_mem), the points at which events are served, and
// its length.
type loadPlan struct {
	total   int64
	usedMem int64
	points  []loadPoint
	// pos and at are the plan's cursor: the bytes of input so far and
	// the time they take.
	pos int64
	at  time.Duration
}

func (s *Server) newLoadPlan(total int64) *loadPlan {
	return &loadPlan{total: total, at: s.cfg.LoadStartCost}
}

// advance moves the cursor over n bytes read at rate bytes a second (a
// rate of 0 or less takes no time).
func (p *loadPlan) advance(n, rate int64) {
	if n <= 0 {
		return
	}
	p.pos += n
	if rate > 0 {
		p.at += time.Duration(n/rate)*time.Second + time.Duration((n%rate)*int64(time.Second)/rate)
	}
}

// mark adds a point at the cursor.
func (p *loadPlan) mark() { p.points = append(p.points, loadPoint{bytes: p.pos, at: p.at}) }

// rdb plans an RDB of n bytes at the cursor: rdbLoadProgressCallback
// serves events each time the bytes read cross a multiple of interval.
func (s *Server) planRDB(p *loadPlan, n int64) {
	interval := s.cfg.LoadingProcessEventsIntervalBytes
	start := p.pos
	if interval > 0 {
		for k := interval; k < n; k += interval {
			p.advance(start+k-p.pos, s.cfg.LoadRDBBytesPerSecond)
			p.mark()
		}
	}
	p.advance(start+n-p.pos, s.cfg.LoadRDBBytesPerSecond)
}

// planAOF moves the cursor to off bytes into an AOF's commands that
// start at base, and marks a point there: loadSingleAppendOnlyFile
// serves events before every 1024th command it reads (and before its
// first, and at the end of the file when the count falls there).
func (s *Server) planAOF(p *loadPlan, base, off int64) {
	p.advance(base+off-p.pos, s.cfg.LoadAOFBytesPerSecond)
	p.mark()
}

// loadWindow is a load in progress (server.loading and the loading_*
// fields of INFO).
type loadWindow struct {
	startSec int64 // loading_start_time, wall seconds
	total    int64 // loading_total_bytes
	usedMem  int64 // loading_rdb_used_mem
	loaded   int64 // loading_loaded_bytes
	points   []loadPoint
	end      time.Duration
	// at is how far into the plan the load is: each step's timer runs
	// for the plan's time from the last, so that a paused process
	// (SIGSTOP) resumes its load where it stopped.
	at   time.Duration
	done func()
}

// loadingState is the node's part in loads.
type loadingState struct {
	lw *loadWindow
	// newlineSec is the wall second replicationSendNewlineToMaster last
	// sent its keepalive in.
	newlineSec int64
}

// runLoad holds the node for the load that p describes, serving events
// at its points, and then runs done; with no plan (nothing was loaded)
// done runs at once.
func (s *Server) runLoad(p *loadPlan, done func()) {
	if p == nil {
		done()
		return
	}
	s.loading = true
	s.lw = &loadWindow{
		startSec: s.env.Now().Unix(),
		total:    p.total,
		usedMem:  p.usedMem,
		points:   p.points,
		end:      p.at,
		done:     done,
	}
	s.sleeping = true
	s.nextLoadStep()
}

// nextLoadStep sets the timer of the load's next point, or of its end.
func (s *Server) nextLoadStep() {
	w := s.lw
	if len(w.points) > 0 {
		next := w.points[0].at
		s.env.After(next-w.at, s.loadEvents)
		w.at = next
		return
	}
	s.env.After(w.end-w.at, s.stopLoading)
	w.at = w.end
}

// loadEvents is processEventsWhileBlocked during a load: the progress is
// recorded, a replica loading its master's snapshot sends the master a
// newline (once a second at most), and the clients' waiting input is
// served, in id order, and answered.
func (s *Server) loadEvents() {
	w := s.lw
	if w == nil || s.stopped || s.shut.finishing {
		return
	}
	w.loaded = w.points[0].bytes
	w.points = w.points[1:]
	s.sleeping = false
	s.updateCachedTime()
	if s.shutdownWhileLoading() {
		return // exiting: the load is abandoned
	}
	if s.linkState == linkTransfer && s.link != nil && s.link.transfer {
		if now := s.env.Now().Unix(); now != s.newlineSec {
			s.newlineSec = now
			s.link.conn.Write([]byte("\n"))
		}
	}
	for _, c := range slices.Clone(s.clients) {
		if !c.closed {
			c.stampRead() // a blocked client's socket is read too
		}
		if !c.closed && c.blocked == nil {
			c.processInput()
			if s.stopped || s.shut.finishing { // SHUTDOWN
				s.afterEvent()
				return
			}
		}
	}
	// The bus waits for the load's end, though Redis's
	// processEventsWhileBlocked reads it: a message there can make the
	// node a replica of another master or fsync nodes.conf, which the
	// node cannot do in the middle of its load.
	s.flushReplies()
	s.sleeping = true
	s.nextLoadStep()
}

// stopLoading ends the load: the node runs what follows it (the rest of
// the boot, or the replica's first read of its master's stream), then
// the input and the crons that waited.
func (s *Server) stopLoading() {
	w := s.lw
	if w == nil || s.stopped || s.shut.finishing {
		return
	}
	s.lw = nil
	s.loading = false
	s.sleeping = false
	w.done()
	if !s.sleeping && !s.stopped {
		s.resume()
	}
}

// loadSeconds formats a load's length as Redis's "%.3f seconds" logs.
func loadSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// deniedWhileLoading is processCommand's loading check: the command (or,
// for EXEC, one it would run) lacks the "loading" flag.
func (c *client) deniedWhileLoading(cmd *command) bool {
	if cmd.flags&flagLoading == 0 {
		return true
	}
	if cmd.name == "exec" {
		for _, q := range c.queue {
			if qc := c.s.lookup(q); qc != nil && qc.flags&flagLoading == 0 {
				return true
			}
		}
	}
	return false
}

// infoLoading writes INFO persistence's loading_* fields while a load
// runs, as genRedisInfoString computes them.
func (s *Server) infoLoading(b *strings.Builder) {
	w := s.lw
	if w == nil {
		return
	}
	perc := 0.0
	remaining := int64(1)
	switch {
	case w.total != 0:
		perc = float64(w.loaded) / float64(w.total) * 100
		remaining = w.total - w.loaded
	case w.usedMem != 0:
		perc = float64(w.loaded) / float64(w.usedMem) * 100
		remaining = w.usedMem - w.loaded
		perc = min(perc, 99.99)
		remaining = max(remaining, 1)
	}
	eta := int64(1) // "a fake 1 second figure if we don't have enough info"
	if elapsed := s.env.Now().Unix() - w.startSec; elapsed != 0 {
		eta = elapsed * remaining / (w.loaded + 1)
	}
	field(b, "loading_start_time", w.startSec)
	field(b, "loading_total_bytes", w.total)
	field(b, "loading_rdb_used_mem", w.usedMem)
	field(b, "loading_loaded_bytes", w.loaded)
	field(b, "loading_loaded_perc", strconv.FormatFloat(perc, 'f', 2, 64))
	field(b, "loading_eta_seconds", eta)
}

// Loading reports whether the node is loading its dataset (INFO's
// loading:1): at boot, or a replica its master's snapshot.
func (s *Server) Loading() bool { return s.loading }
