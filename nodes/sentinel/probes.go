package sentinel

import "github.com/redsim/redsim/sim"

// Coverage probes (sim.Probe): the rare states of Sentinel's state machine
// that a sweep should show it reached. Most are events Sentinel publishes;
// eventProbes maps each such event to its probe.
var (
	probeVoteRefused = sim.DeclareProbe("sentinel/vote-refused",
		"a sentinel asked for its vote in an epoch where it had already voted for another leader")
	probeSDownRole = sim.DeclareProbe("sentinel/sdown-master-reports-replica",
		"a master was judged down because it reported itself a replica for too long")
	probeSDownReboot = sim.DeclareProbe("sentinel/sdown-master-reboot",
		"a master was judged down within master-reboot-down-after-period of a reboot")
)

var eventProbes = map[string]sim.Probe{
	"+odown": sim.DeclareProbe("sentinel/odown", "a master was objectively down (quorum reached)"),
	"-failover-abort-not-elected": sim.DeclareProbe("sentinel/failover-abort-not-elected",
		"a failover was abandoned: the candidate was not elected within the election timeout"),
	"-failover-abort-no-good-slave": sim.DeclareProbe("sentinel/failover-abort-no-good-slave",
		"a failover was abandoned: no replica could be promoted"),
	"-failover-abort-slave-timeout": sim.DeclareProbe("sentinel/failover-abort-slave-timeout",
		"a failover was abandoned: the selected replica did not become a master in time"),
	"+failover-end-for-timeout": sim.DeclareProbe("sentinel/failover-end-for-timeout",
		"a failover ended because the replicas' reconfiguration took longer than failover-timeout"),
	"-slave-reconf-sent-timeout": sim.DeclareProbe("sentinel/slave-reconf-sent-timeout",
		"a replica did not confirm its reconfiguration in time during a failover"),
	"+config-update-from": sim.DeclareProbe("sentinel/config-update-from-hello",
		"a sentinel adopted a newer configuration (a failover it did not lead) from another sentinel's hello"),
	"+convert-to-slave": sim.DeclareProbe("sentinel/convert-to-slave",
		"a node reporting itself a master against the sentinel's configuration was made a replica (a returning old master)"),
	"+fix-slave-config": sim.DeclareProbe("sentinel/fix-slave-config",
		"a replica following the wrong master was pointed at the right one"),
	"+tilt":   sim.DeclareProbe("sentinel/tilt", "a sentinel entered TILT mode (its clock jumped or it was paused)"),
	"+reboot": sim.DeclareProbe("sentinel/reboot", "a sentinel saw a monitored node restart (a new run ID)"),
}
