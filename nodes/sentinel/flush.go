package sentinel

import (
	"github.com/redsim/redsim/sim"
)

// flusher is sentinelFlushConfig on a disk whose fsyncs take time. Redis
// rewrites its file and fsyncs it in the main thread, so nothing else
// happens meanwhile; here every flush renders the file at the moment it is
// asked for and joins a queue, and while the queue is not empty the
// process is held: client input, link replies and the timer wait, and
// replies are not written, until the last flush is durable. Each flush is
// rewriteConfigOverwriteFile (a temporary file written and fsynced, then
// renamed over the configuration file) followed by sentinelFlushConfig's
// own fsync of the result, so a crash at any point leaves the previous
// file or the new one, never a half-written one.
type flusher struct {
	s        *Sentinel
	queue    []flushJob
	running  bool
	deferred []func()
	// exitWhenFlushed: SIMULATE-FAILURE's crash waits for the queue.
	exitWhenFlushed bool
}

type flushJob struct {
	content string
	done    func(ok bool)
}

func (f *flusher) holding() bool { return len(f.queue) > 0 }

// flushConfig is sentinelFlushConfig; done, if not nil, is told whether
// the file was saved, once it is durable (or failed).
func (s *Sentinel) flushConfig(done func(ok bool)) {
	old, _ := s.env.Disk().Read(s.o.ConfigFile)
	s.queue = append(s.queue, flushJob{content: s.renderConfig(string(old)), done: done})
	if !s.running {
		s.runFlush()
	}
}

// runFlush starts the job at the head of the queue.
func (s *Sentinel) runFlush() {
	if len(s.queue) == 0 {
		s.running = false
		if s.exitWhenFlushed {
			s.env.Exit()
			return
		}
		s.resume()
		return
	}
	s.running = true
	job := s.queue[0]
	disk := s.env.Disk()
	tmp := s.o.ConfigFile + "." + s.tmpSuffix()
	fail := func(err error) {
		s.env.Logf("WARNING: Sentinel was not able to save the new configuration on disk!!!: %v", err)
		s.endFlush(false)
	}
	if err := disk.Write(tmp, []byte(job.content)); err != nil {
		_ = disk.Remove(tmp)
		fail(err)
		return
	}
	disk.Sync(tmp, func(err error) {
		if err != nil {
			s.env.Logf("Could not sync tmp config file to disk (%v)", err)
			_ = disk.Remove(tmp)
			fail(err)
			return
		}
		if err := disk.Rename(tmp, s.o.ConfigFile); err != nil {
			s.env.Logf("Could not rename tmp config file (%v)", err)
			_ = disk.Remove(tmp)
			fail(err)
			return
		}
		disk.Sync(s.o.ConfigFile, func(err error) {
			if err != nil {
				fail(err)
				return
			}
			s.env.Logf("Sentinel new configuration saved on disk")
			s.endFlush(true)
		})
	})
}

func (s *Sentinel) endFlush(ok bool) {
	job := s.queue[0]
	s.queue[0] = flushJob{}
	s.queue = s.queue[1:]
	if job.done != nil {
		job.done(ok)
	}
	s.runFlush()
}

// tmpSuffix is mkstemp's six random characters.
func (s *Sentinel) tmpSuffix() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = chars[s.rng.IntN(len(chars))]
	}
	return string(b)
}

// later runs fn now, or when the hold ends if the process is held: the
// link events that a blocked Redis would only read after its fsync.
func (s *Sentinel) later(fn func()) {
	if s.stopped {
		return
	}
	if s.holding() {
		s.deferred = append(s.deferred, fn)
		return
	}
	fn()
	s.afterEvent()
}

// resume runs what waited for the hold: replies are written, then the
// deferred link events and client input in arrival order, then a late
// timer tick, stopping wherever a new flush holds the process again.
func (s *Sentinel) resume() {
	if s.stopped {
		return
	}
	s.sendOutbox()
	s.writeReplies()
	for len(s.deferred) > 0 && !s.holding() {
		fn := s.deferred[0]
		s.deferred[0] = nil
		s.deferred = s.deferred[1:]
		fn()
	}
	if !s.holding() {
		s.processAllInput()
	}
	if !s.holding() && s.cronLate {
		s.cronLate = false
		s.timerTick()
	}
	if !s.holding() {
		s.sendOutbox()
		s.writeReplies()
	}
}

// afterEvent is beforeSleep and the writes that follow it: link commands
// and client replies are written unless a flush holds the process.
func (s *Sentinel) afterEvent() {
	if !s.holding() {
		s.sendOutbox()
		s.writeReplies()
	}
}

var _ sim.Node = (*Sentinel)(nil)
