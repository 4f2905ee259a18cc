package bugs

import "testing"

var sinkOn bool

// BenchmarkOnOff is the cost of a site while nothing is enabled: what every
// run without a planted bug pays at each site it passes.
func BenchmarkOnOff(b *testing.B) {
	DisableAll()
	on := false
	for i := 0; i < b.N; i++ {
		on = on != On(IncrbyfloatDropsTTL)
	}
	sinkOn = on
}

// BenchmarkOnOther is the cost of a site while another entry is enabled
// (a failpoint lookup): what a run with a planted bug pays at the other
// sites.
func BenchmarkOnOther(b *testing.B) {
	b.Cleanup(DisableAll)
	if err := Enable(WaitIgnoresAckOffset); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	on := false
	for i := 0; i < b.N; i++ {
		on = on != On(IncrbyfloatDropsTTL)
	}
	sinkOn = on
}
