package sentinel

// MasterNames are the names of the masters the sentinel monitors, in name
// order (SENTINEL MASTERS's order). Like the views in observe.go it only
// reads, so a run is the same with or without an observer calling it.
func (s *Sentinel) MasterNames() []string {
	out := make([]string, len(s.masters))
	for i, m := range s.masters {
		out[i] = m.name
	}
	return out
}
