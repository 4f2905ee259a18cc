package file

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/nemesis"
)

func TestExampleScenarioFileRuns(t *testing.T) {
	s, err := Load("../../examples/register-partitions.toml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "register-partitions" {
		t.Fatalf("name %q", s.Name)
	}
	a, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Passed() || a.Hash != b.Hash || len(a.Verdicts) != 3 {
		t.Fatalf("passed=%v hashes %s %s verdicts %+v", a.Passed(), a.Hash, b.Hash, a.Verdicts)
	}
}

func TestExplicitNemesisActions(t *testing.T) {
	s, err := Parse("x.toml", `
duration = "30s"
quiet = "10s"
[workload]
kind = "set"
[[nemesis.action]]
at = "8s"
op = "partition"
shape = "isolate"
groups = [["n2"]]
[[nemesis.action]]
at = "12s"
op = "heal"
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Schedule) != 3 || res.Schedule[0].Groups[0][0] != "n2" || !res.Passed() {
		t.Fatalf("schedule %v verdicts %+v", res.Schedule, res.Verdicts)
	}
}

// Bad files get one error naming the file, the line and the field.
func TestScenarioFileErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"duration = 40s", `f.toml:1: duration: "40s" is not a string, integer, boolean or array (strings need quotes)`},
		{"[topology]\nnodes = 12", "f.toml:2: topology.nodes must be an integer from 1 to 9"},
		{"[topology]\nnodez = 3", "f.toml:2: topology.nodez is unknown; known: appendfsync, appendonly, cluster, hosts, latency, nodes"},
		{"[workload]\nkind = \"queue\"", `f.toml:2: workload.kind "queue" is unknown; one of register, cas-register, counter, set, list-append, mixed`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"partition\"\nshape = \"halves\"", `f.toml:4: nemesis.action[0].shape "halves" is unknown; one of isolate, majority, oneway, bridge`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"crash\"\ntarget = \"n9\"", `f.toml:4: nemesis.action[0].target "n9" is unknown; one of c1, n1, n2, n3, master`},
		{"[[nemesis.action]]\nop = \"crash\"", `f.toml:1: nemesis.action[0].at is required (a duration such as "10s")`},
		// What each op needs, by nemesis.Action.Check: these failed mid-run
		// (exit 3) or did nothing.
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"crash\"", "f.toml:1: nemesis.action[0]: crash: target is missing: the host it acts on"},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"partition\"\nshape = \"isolate\"\ngroups = [[\"n1\", \"n2\"]]", "f.toml:1: nemesis.action[0]: partition: shape isolate wants one group of one host, the one cut off; got [[n1 n2]]"},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"clog\"\ngroups = [[\"n1\"]]", `f.toml:1: nemesis.action[0]: clog: groups must be one group of two hosts, such as [["n1", "n2"]]; got [[n1]]`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"clock-jump\"\ntarget = \"n1\"", "f.toml:1: nemesis.action[0]: clock-jump: delta is missing or 0: a jump of nothing"},
		{"[nemesis]\nfaults = [\"floods\"]", `f.toml:2: nemesis.faults: "floods" is unknown; one of partitions, crashes, pauses, clocks, links, disks, link-kills, wipes`},
		{"[workload]\nkind = \"set\"\n[checks]\nlinearizable = true", "f.toml:4: checks.linearizable needs a register, cas-register, counter or mixed workload, not set"},
		{"[toplogy]\nnodes = 3", "f.toml:1: table [toplogy] is unknown; known: topology, workload, nemesis, checks"},
		{"quiet = \"90s\"", "f.toml:1: quiet (1m30s) must be shorter than duration (1m0s)"},
		{"name = \"x", "f.toml:1: name: unterminated string"},
		{"[topology]\nnodes = 2\nhosts = [\"m\", \"r1\", \"r2\"]", "f.toml:3: topology.hosts names 3 hosts but topology.nodes is 2; give one of them"},
		{"[topology]\nhosts = [\"m\", \"c1\"]", `f.toml:2: host "c1" is named twice, empty or reserved ("master" is what publish moves); every node and client host needs its own name`},
		{"[topology]\nhosts = [\"m\"]\n[[nemesis.action]]\nat = \"1s\"\nop = \"crash\"\ntarget = \"n1\"", `f.toml:6: nemesis.action[0].target "n1" is unknown; one of c1, m, master`},
		{"duration = \"-5s\"", `f.toml:1: duration "-5s" is negative; it must be zero or more`},
		{"duration = \"5 s\"", `f.toml:1: duration "5 s" is not a duration; write a number with a unit (ms, s, m, h) such as "10s" or "1m30s"`},
		{"duration = 5", `f.toml:1: duration must be a duration in quotes such as "10s"`},
		{"duration = \"60s\"\nquiet = \"15s\"\n[[nemesis.action]]\nat = \"50s\"\nop = \"heal\"",
			`f.toml:4: nemesis.action at "50s" is inside the quiet period (45s to 1m0s: duration 1m0s minus quiet 15s); faults and repairs must come before 45s, when every fault is healed`},
		{"duration = \"60s\"\n[[nemesis.action]]\nat = \"1s\"\nop = \"heal\"\n[[nemesis.action]]\nat = \"70s\"\nop = \"heal\"",
			`f.toml:6: nemesis.action at "1m10s" is after the run ends (duration 1m0s); it would never happen`},
		{"[workload]\nclients = 0\n[checks]\nlinearizable = false\nconvergence = false",
			"f.toml:3: every check is off (checks.linearizable, checks.set and checks.convergence are false, and liveness needs workload.clients > 0): a run that judges nothing can never fail"},
		{"[topology", `f.toml:1: malformed table header "[topology"`},
		{"[workload]\nkind = \"set\"\n[workload.weights]\nttl = 2", `f.toml:3: [workload.weights] needs kind = "mixed", not set`},
		{"[workload]\nkind = \"mixed\"\n[workload.weights]\nttls = 2", `f.toml:4: [workload.weights]: workload family "ttls" is unknown; known: register, set, counter, float, ttl, list, multi, eval`},
		{"[workload]\nkind = \"mixed\"\n[workload.weights]\nttl = \"lots\"", `f.toml:4: workload.weights.ttl must be an integer from 0 to 1000`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"failover\"\ntarget = \"master\"", `f.toml:1: nemesis.action[0].groups is required for failover: the candidate hosts, then optionally the hosts that follow the new master, such as [["n2", "n3"], ["n1"]]`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"failover\"\ntarget = \"n2\"\ngroups = [[\"n2\"]]", `f.toml:1: nemesis.action[0].target: publish and failover take "master" (what the clients follow), every other action a host`},
		// An empty host list is refused where it is given, not replaced
		// by the default (topology) or run into a panic (workload).
		{"[workload]\nkind = \"set\"\nhosts = []", `f.toml:3: workload.hosts is empty; name the client hosts such as ["c1"], or leave it out for c1 (workload.clients = 0 runs no clients)`},
		{"[topology]\nhosts = []", `f.toml:2: topology.hosts is empty; name the node hosts, the first the master, such as ["n1", "n2", "n3"], or leave it out for n1 to nN`},
		// A table read once may not be an array of tables.
		{"[[topology]]\nnodes = 2\n[[topology]]\nnodes = 3", "f.toml:3: [[topology]] is given again (first at line 1); topology is one table: write [topology] once"},
		{"[[checks]]\nset = true", "f.toml:1: [[checks]] is an array of tables; checks is one table: write [checks]"},
		{"[workload]\nkind = \"mixed\"\n[[workload.weights]]\nttl = 1\n[[workload.weights]]\nset = 1", "f.toml:5: [[workload.weights]] is given again (first at line 3); workload.weights is one table: write [workload.weights] once"},
		{"[topology]\nnodes = 2\n[[topology]]\nnodes = 3", "f.toml:3: [[topology]]: [topology] (line 1) is a table, not an array of tables"},
		{"[[nemesis]]\ninterval = \"1s\"\n[nemesis]", "f.toml:3: [nemesis]: [[nemesis]] (line 1) made it an array of tables; a table is given one way"},
		{"[nemesis.action]\nat = \"1s\"\nop = \"heal\"", "f.toml:1: [nemesis.action] is one table; actions are an array of tables: write [[nemesis.action]]"},
		// A super-table may follow its sub-tables, once.
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"heal\"\n[nemesis]\n[nemesis]", "f.toml:5: table [nemesis] is defined twice (first at line 4)"},
		{"[workload]\nweights = 1\n[workload.weights]", "f.toml:3: table [workload.weights]: weights is a key (line 2), not a table"},
		{"[workload.weights]\nttl = 1\n[workload]\nweights = 1", "f.toml:4: key \"weights\" is also a table (line 1)"},
		{"\"name\" = \"x\"", `f.toml:1: key "\"name\"" is not a bare key (letters, digits, '-' and '_'; quoted and dotted keys are not supported)`},
		{"[\"topology\"]", `f.toml:1: table header "[\"topology\"]": "\"topology\"" is not a bare key (letters, digits, '-' and '_'; quoted keys are not supported)`},
		{"[workload..weights]", `f.toml:1: malformed table header "[workload..weights]"`},
		{"[topology]\nnodes = 99999999999999999999", "f.toml:2: nodes: 99999999999999999999 is an integer out of range (over 64 bits)"},
		{"[nemesis]\nfaults = [\n\"partitions\"]", `f.toml:2: faults: the array is not closed on its line; arrays are one line, such as ["a", "b"]`},
		{"[nemesis]\nfaults = [\"partitions\",", `f.toml:2: faults: the array is not closed on its line; arrays are one line, such as ["a", "b"]`},
		{"[workload]\nkind = \"mixed\"\n[workload.weights]\nttl = 1\nbogus = 2", `f.toml:5: [workload.weights]: workload family "bogus" is unknown; known: register, set, counter, float, ttl, list, multi, eval`},
		{"name = \"a/b\"", `f.toml:1: name "a/b" is not safe in a file name (runs and shrinks name files after it); use letters, digits, '-', '_' and '.'`},
		{"name = \"..\"", `f.toml:1: name ".." is not safe in a file name (runs and shrinks name files after it); use letters, digits, '-', '_' and '.'`},
		{"summary = \"s\"\nname = \"\"", `f.toml:2: name "" is not safe in a file name (runs and shrinks name files after it); use letters, digits, '-', '_' and '.'`},
		{"[topology]\nhosts = [\"a:b\", \"n2\"]", `f.toml:2: topology.hosts: "a:b" is not a host name; a host name is letters, digits, '-' and '_', such as "n1"`},
		{"[topology]\nhosts = [\"m\", \"r\", \"m\"]", `f.toml:2: topology.hosts: host "m" is named twice; every host needs its own name`},
		{"[workload]\nhosts = [\"c 1\"]", `f.toml:2: workload.hosts: "c 1" is not a host name; a host name is letters, digits, '-' and '_', such as "n1"`},
		{"[workload]\nhosts = [\"n1\"]", `f.toml:2: host "n1" is named twice, empty or reserved ("master" is what publish moves); every node and client host needs its own name`},
		{"[topology]\ncluster = true\nhosts = [\"a\", \"b\", \"c\", \"d\", \"e\", \"operator\"]", `f.toml:3: host "operator" is the cluster operator's host in a cluster topology; name the node or client host another way`},
	} {
		_, err := Parse("f.toml", tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got  %v\n want %s", tc.src, err, tc.want)
		}
	}
	if _, err := Load("nosuch/file.toml"); err == nil || !strings.Contains(err.Error(), "nosuch/file.toml") {
		t.Fatalf("missing file: %v", err)
	}
}

// Actions run and print in time order whatever order the file gives them.
func TestFileActionsAreSortedByTime(t *testing.T) {
	s, err := Parse("x.toml", `
duration = "30s"
quiet = "10s"
[[nemesis.action]]
at = "12s"
op = "heal"
[[nemesis.action]]
at = "8s"
op = "partition"
shape = "isolate"
groups = [["n2"]]
[[nemesis.action]]
at = "8s"
op = "pause"
target = "n3"
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Schedule {
		got = append(got, a.At.String()+" "+string(a.Op))
	}
	want := "8s partition, 8s pause, 12s heal, 20s heal-all"
	if strings.Join(got, ", ") != want {
		t.Fatalf("schedule %s, want %s", strings.Join(got, ", "), want)
	}
}

// --set can move the quiet period over an action the file placed before
// it; the run is refused, naming the action's line.
func TestSetDurationRechecksFileActions(t *testing.T) {
	s, err := Parse("x.toml", "duration = \"30s\"\nquiet = \"10s\"\n[[nemesis.action]]\nat = \"15s\"\nop = \"heal\"\n")
	if err != nil {
		t.Fatal(err)
	}
	_, err = scenarios.Execute(s, scenarios.Options{Seed: 1, Set: map[string]string{"duration": "20s"}})
	var ue *scenarios.UsageError
	want := `x.toml:4: nemesis.action at "15s" is inside the quiet period (10s to 20s: duration 20s minus quiet 10s) with the values given by --set or --duration`
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant it to contain %s", err, want)
	}
}

// A file can say what an operator does: the Jepsen 2013 failover by hand.
func TestFileOperatorActions(t *testing.T) {
	s, err := Parse("x.toml", `
duration = "40s"
quiet = "10s"
[topology]
nodes = 3
[workload]
kind = "set"
[[nemesis.action]]
at = "0s"
op = "latency"
groups = [["c1", "n3"]]
latency = "2ms"
[[nemesis.action]]
at = "8s"
op = "partition"
shape = "isolate"
groups = [["n1"]]
[[nemesis.action]]
at = "10s"
op = "promote"
target = "n2"
[[nemesis.action]]
at = "10s"
op = "replicaof"
target = "n3"
master = "n2:6379"
[[nemesis.action]]
at = "10s"
op = "publish"
target = "master"
master = "n2:6379"
[[nemesis.action]]
at = "20s"
op = "heal"
[[nemesis.action]]
at = "21s"
op = "replicaof"
target = "n1"
master = "n2:6379"
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	var sched []string
	for _, a := range res.Schedule {
		sched = append(sched, a.String())
	}
	want := "0.000000s latency c1,n3 latency=2ms; 8.000000s partition isolate n1; 10.000000s promote n2; 10.000000s replicaof n3 -> n2:6379; 10.000000s publish master -> n2:6379; 20.000000s heal; 21.000000s replicaof n1 -> n2:6379; 30.000000s heal-all"
	if got := strings.Join(sched, "; "); got != want {
		t.Fatalf("schedule\n got  %s\n want %s", got, want)
	}
	// Clients moved to n2 after the publish; n1's isolated writes are lost
	// when it follows n2, as in Jepsen's test, and the replicas converge.
	moved := false
	for _, op := range res.History {
		if op.Invoke > 11e9 && op.Node == "n2" {
			moved = true
			break
		}
	}
	if !moved {
		t.Error("no client operation went to n2 after the publish")
	}
	for _, v := range res.Verdicts {
		if v.Checker == "convergence" && v.Verdict != checker.Ok {
			t.Errorf("convergence: %s %s", v.Verdict, v.Summary)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"replicaof\"\ntarget = \"n2\"", `f.toml:1: nemesis.action[0].master is required for replicaof: the address to follow, such as "n3:6379"`},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"latency\"\ngroups = [[\"c1\", \"n1\"]]", `f.toml:1: nemesis.action[0].latency is required for latency: the one-way delay, such as "300ms"`},
	} {
		if _, err := Parse("f.toml", tc.src); err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got  %v\n want %s", tc.src, err, tc.want)
		}
	}
}

// A file can ask for killed replication links among its generated faults.
func TestFileLinkKills(t *testing.T) {
	s, err := Parse("x.toml", "duration = \"40s\"\nquiet = \"15s\"\n[nemesis]\ninterval = \"1s\"\nfaults = [\"link-kills\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	kills := 0
	for _, a := range res.Schedule {
		if a.Op == nemesis.OpKillLink {
			kills++
		}
	}
	if kills == 0 || res.Status() != scenarios.StatusPass {
		t.Fatalf("%d kill-link actions, status %s: %+v", kills, res.Status(), res.Verdicts)
	}
}

// A mixed workload from a file: the weights choose the families, and a run
// judges registers, counters, sets, lists and transactions.
func TestFileMixedWorkload(t *testing.T) {
	s, err := Parse("m.toml", `
duration = "20s"
quiet = "8s"
[topology]
nodes = 3
[workload]
kind = "mixed"
keys = 20
[workload.weights]
float = 0
eval = 3
[nemesis]
faults = ["partitions", "pauses"]
[[nemesis.action]]
at = "5s"
op = "failover"
target = "master"
groups = [["n2", "n3"], ["n1"]]
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var checks []string
	for _, v := range res.Verdicts {
		checks = append(checks, v.Checker)
	}
	for _, want := range []string{"linearizable/register", "linearizable/counter", "set", "strict-serializable/list-append", "convergence"} {
		if !slices.Contains(checks, want) {
			t.Errorf("no %s check among %v", want, checks)
		}
	}
	kinds := map[history.Kind]int{}
	for _, op := range res.History {
		kinds[op.Kind]++
	}
	if kinds["incrbyfloat"] != 0 || kinds[history.Txn] == 0 {
		t.Errorf("weights not applied: %v", kinds)
	}
	if !strings.Contains(fmt.Sprint(res.Schedule), "failover") {
		t.Errorf("no failover in the schedule: %v", res.Schedule)
	}
}

// A graceful stop (SIGTERM) of a master whose replica is cut off: the
// master waits for it, holding writes and serving reads, until the heal
// lets the replica catch up, then exits; restart brings it back.
func TestFileGracefulStop(t *testing.T) {
	s, err := Parse("x.toml", `
duration = "40s"
quiet = "10s"
[topology]
nodes = 2
[workload]
kind = "register"
[[nemesis.action]]
at = "5s"
op = "partition"
shape = "isolate"
groups = [["n2"]]
[[nemesis.action]]
at = "8s"
op = "stop"
target = "n1"
[[nemesis.action]]
at = "12s"
op = "heal"
[[nemesis.action]]
at = "20s"
op = "restart"
target = "n1"
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Writes sent to n1 during the wait complete no sooner than the heal
	// (they are held until the exit, 13.1 s, and lost with the
	// connection); reads are served.
	const waitFrom, heal = 8.2e9, 12e9
	held, reads := 0, 0
	for _, op := range res.History {
		if op.Node != "n1" || float64(op.Invoke) < waitFrom || float64(op.Invoke) >= heal {
			continue
		}
		switch {
		case op.Kind.Writes():
			held++
			if float64(op.Complete) < heal {
				t.Errorf("a write to n1 during the wait completed (%s) at %v, before the heal", op.Outcome, op.Complete)
			}
		case op.Outcome == history.Ok:
			reads++
		}
	}
	if held == 0 || reads == 0 {
		t.Errorf("during the wait: %d writes held, %d reads served; want some of each", held, reads)
	}
	// After the restart n1 serves writes again.
	back := false
	for _, op := range res.History {
		if op.Node == "n1" && float64(op.Invoke) > 21e9 && op.Kind.Writes() && op.Outcome == history.Ok {
			back = true
			break
		}
	}
	if !back {
		t.Error("n1 served no write after the restart")
	}
}
