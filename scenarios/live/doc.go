// Package live runs a scenario's deployment as real processes on this
// machine (`simulate run SCENARIO --live`): each Redis node is a
// redis-server from PATH, in a directory of its own under a temporary
// root, with the scenario's configuration written as redis.conf; the
// clients are the simulator's own client programs, run on one real-time
// loop (sim/realenv) and recording the same history, which the
// scenario's checks then judge as they judge a simulated one.
//
// A Backend is a scenarios.Backend and a deploy.Platform, so built-in
// scenarios run unchanged: their Setup calls r.Deploy, which builds on the
// backend, and the seed's world still draws the schedule and the workload.
//
// A deployment's sentinels are redis-sentinel processes, each with a
// sentinel.conf written from its deploy.Sentinel, on its host's address
// (beside the host's redis-server, if any, on another port); their events
// reach the run through a subscription of its own (PSUBSCRIBE *), and
// the run writes its addresses back as host names wherever a sentinel
// hands them out (answers, events), so that histories and checks name
// nodes as a simulated run does.
//
// Faults are real where they can be: every host of the deployment gets its
// own loopback address (127.0.X.Y, X from the run's process id), nodes
// bind to it and connect from it (bind, bind-source-addr) and clients dial
// from their host's; partitions are iptables DROP rules between address
// pairs in a chain of the run's own (REDSIM-<pid>), jumped to from INPUT
// on lo, so that dropped packets are held by TCP's retransmissions as the
// simulator holds them. A crash is SIGKILL and a restart starts the same
// command in the same directory; crash-wipe empties the directory first;
// pause and resume are SIGSTOP and SIGCONT. SIGKILL loses what the process
// had not written, not what it wrote to the kernel: the page cache
// survives, unlike the simulator's power loss, so appendfsync no or
// everysec loses nothing to a live crash. Clock, disk and link-latency
// faults are skipped, each with a line in the run's facts.
//
// A fault on a host acts on every process of it, node and sentinel.
//
// Invariants: traffic goes only to addresses the run assigned; Close
// kills every process the run started, deletes its chain and its jump
// rule and removes its directory, and New first removes what a run that
// was killed left (chains and directories named for a process id that no
// longer runs). redis-server and redis-sentinel processes get SIGKILL
// from the kernel if the run dies without Close (PR_SET_PDEATHSIG).
package live
