package redis

// min-replicas-to-write, as replication.c's MIN-SLAVES-TO-WRITE section
// keeps it: a count of good replicas (repl_good_slaves_count), not a
// test made at each write. It is recounted once a second by
// replicationCron, when a replica goes online (after its snapshot, or on
// a partial resync), when a replica client is freed, and when CONFIG SET
// changes min-replicas-to-write or min-replicas-max-lag; an ACK updates
// the replica's ACK time but not the count. Ages are in whole seconds of
// server.unixtime (Server.unixtime), the wall clock that Redis caches at
// each cron and each command.

// refreshGoodReplicas is refreshGoodSlavesCount: the online replicas
// whose last ACK is at most min-replicas-max-lag seconds old. With either
// option 0 the count is left as it was, as Redis leaves it.
func (s *Server) refreshGoodReplicas() {
	if s.cfg.MinReplicasToWrite == 0 || s.cfg.MinReplicasMaxLag == 0 {
		return
	}
	good := 0
	for _, r := range s.replicas {
		if r.replState == replOnline && s.unixtime-r.replAckTime <= int64(s.cfg.MinReplicasMaxLag) {
			good++
		}
	}
	s.goodReplicas = good
}

// tooFewGoodReplicas is checkGoodReplicasStatus's refusal, less its
// exemption of replicas, which each caller applies (a planted bug lifts
// it): both options are set and the last count falls short.
func (s *Server) tooFewGoodReplicas() bool {
	return s.cfg.MinReplicasToWrite > 0 && s.cfg.MinReplicasMaxLag > 0 && s.goodReplicas < s.cfg.MinReplicasToWrite
}
