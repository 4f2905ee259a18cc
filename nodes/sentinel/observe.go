package sentinel

// Read-only views for observers (a scenario's checks and reports): they
// read the state and change nothing, so a run is the same with or
// without them.

// MyID is the sentinel's ID (sentinel myid).
func (s *Sentinel) MyID() string { return s.myid }

// CurrentEpoch is the sentinel's current epoch.
func (s *Sentinel) CurrentEpoch() uint64 { return s.currentEpoch }

// Tilt reports whether the sentinel is in TILT mode.
func (s *Sentinel) Tilt() bool { return s.tilt }

// MasterAddr is what SENTINEL GET-MASTER-ADDR-BY-NAME answers for name
// ("host:port"), and false when no master has that name.
func (s *Sentinel) MasterAddr(name string) (string, bool) {
	m := s.masterByName(name)
	if m == nil {
		return "", false
	}
	return currentMasterAddr(m).String(), true
}

// ConfigEpoch is the configuration epoch of the master named name.
func (s *Sentinel) ConfigEpoch(name string) uint64 {
	if m := s.masterByName(name); m != nil {
		return m.configEpoch
	}
	return 0
}

// Known is how many replicas and other sentinels the sentinel knows for
// the master named name.
func (s *Sentinel) Known(name string) (replicas, sentinels int) {
	if m := s.masterByName(name); m != nil {
		return len(m.slaves), len(m.sentinels)
	}
	return 0, 0
}

// Status is the master's state as INFO's sentinel section says it: "ok",
// "sdown" or "odown" ("" for no such master).
func (s *Sentinel) Status(name string) string {
	m := s.masterByName(name)
	switch {
	case m == nil:
		return ""
	case m.flags&sriODown != 0:
		return "odown"
	case m.flags&sriSDown != 0:
		return "sdown"
	}
	return "ok"
}
