package redis

// scripting is the EVAL state (filled in when the engine lands).
type scripting struct{}

var scriptingCommands = []cmdSpec{}

func (s *Server) scriptCount() int { return 0 }
