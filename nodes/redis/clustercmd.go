package redis

// clusterSubcommands is the CLUSTER command of a node without cluster
// support: every subcommand, HELP included, answers that support is
// disabled (clusterCommand's first check); processCommand still checks
// the subcommand exists and its arity first.
var clusterSubcommands = func() []cmdSpec {
	const fa = flagAdmin | flagStale
	specs := []cmdSpec{{"cluster", -2, 0, nil, noKeys}}
	for _, sc := range []struct {
		name  string
		arity int
		flags cmdFlags
	}{
		{"addslots", -3, fa}, {"addslotsrange", -4, fa}, {"bumpepoch", 2, fa},
		{"count-failure-reports", 3, fa}, {"countkeysinslot", 3, flagStale},
		{"delslots", -3, fa}, {"delslotsrange", -4, fa}, {"failover", -2, fa},
		{"flushslots", 2, fa}, {"forget", 3, fa}, {"getkeysinslot", 4, flagStale},
		{"help", 2, flagStale}, {"info", 2, flagStale}, {"keyslot", 3, flagStale},
		{"links", 2, flagStale}, {"meet", -4, fa}, {"myid", 2, flagStale},
		{"nodes", 2, flagStale}, {"replicas", 3, fa}, {"replicate", 3, fa},
		{"reset", -2, fa | flagNoScript}, {"saveconfig", 2, fa},
		{"set-config-epoch", 3, fa}, {"setslot", -4, fa}, {"shards", 2, flagStale},
		{"slaves", 3, fa}, {"slots", 2, flagStale},
	} {
		specs = append(specs, cmdSpec{"cluster|" + sc.name, sc.arity, sc.flags, clusterDisabled, noKeys})
	}
	return specs
}()
