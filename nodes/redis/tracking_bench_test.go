package redis

import "testing"

// BenchmarkWriteUntracked runs SET on keys that no client tracks and no
// notification covers, with (sub-benchmark "tracking-elsewhere") and
// without another client tracking other keys and notifications on for
// another class: what client-side caching and keyspace notifications add
// to a write that concerns neither. Compare with BenchmarkExecSetGet and
// the same benchmark before these features.
func BenchmarkWriteUntracked(b *testing.B) {
	for _, tc := range []struct {
		name  string
		setup func(s *Server, other *client)
	}{
		{"off", func(*Server, *client) {}},
		{"tracking-elsewhere", func(s *Server, other *client) {
			s.current = other
			other.enableTracking(0, false, false, false, false, nil)
			s.current = nil
			s.cfg.NotifyKeyspaceEvents = "Kl"
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, c := benchServer(b)
			tc.setup(s, s.newClient(nil))
			keys := benchKeys(10000)
			args := [][]byte{[]byte("SET"), nil, []byte("xxxxxxxxxxxxxxxx")}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				args[1] = keys[i%len(keys)]
				runCmd(s, c, args)
			}
		})
	}
}
