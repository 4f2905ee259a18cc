package builtin

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/file"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Every built-in's schedule, faults and operator actions alike, can be
// written as a scenario file and read back as the same schedule: the
// schedule is data a user can save, edit and run.
func TestBuiltinSchedulesRoundTripThroughAFile(t *testing.T) {
	for _, s := range Registry().List() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel() // each subtest builds worlds of its own
			// The built-in's world is built, never run: its schedule is
			// its plan (TestPlanIsTheRunsSchedule checks that a run
			// follows its plan).
			res, err := scenarios.Execute(s, scenarios.Options{Seed: 1, PlanOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			// A cluster's file says so in its topology, which creates the
			// cluster (the schedule's cluster-create) by itself.
			cluster := slices.ContainsFunc(res.Schedule, func(a nemesis.Action) bool { return a.Op == nemesis.OpClusterCreate })
			var actions, want []nemesis.Action
			var nodes, clients []string
			end := time.Duration(0)
			last := -1 // the final heal-all ends the file's faults; earlier ones are actions
			for i, a := range res.Schedule {
				if a.Op == nemesis.OpHealAll {
					last = i
				}
			}
			for i, a := range res.Schedule {
				if i == last {
					end = a.At
					continue
				}
				want = append(want, a)
				if a.Op == nemesis.OpClusterCreate {
					continue
				}
				actions = append(actions, a)
				hosts := slices.Concat(a.Groups...)
				if a.Target != "" && a.Op != nemesis.OpPublish && a.Op != nemesis.OpFailover {
					hosts = append(hosts, a.Target)
				}
				for _, h := range hosts {
					if h == deploy.OperatorHost {
						continue
					}
					list := &nodes
					if strings.HasPrefix(h, "c") {
						list = &clients
					}
					if !slices.Contains(*list, h) {
						*list = append(*list, h)
					}
				}
			}
			if len(actions) == 0 {
				t.Skip("no actions but the final heal-all")
			}
			if end == 0 {
				end = actions[len(actions)-1].At + time.Second
			}
			if len(nodes) == 0 {
				nodes = []string{"n1"}
			}
			if len(clients) == 0 {
				clients = []string{"c1"}
			}
			topology := ""
			if cluster {
				// Three masters and their replicas, n1..nN: as many as
				// the schedule names, six at least.
				n := 6
				for _, h := range nodes {
					if i, err := strconv.Atoi(strings.TrimPrefix(h, "n")); err == nil {
						n = max(n, (i+2)/3*3)
					}
				}
				nodes = nil
				for i := 1; i <= n; i++ {
					nodes = append(nodes, fmt.Sprintf("n%d", i))
				}
				topology = fmt.Sprintf("cluster = true\nreplicas = %d\n", n/3-1)
			}
			src := fmt.Sprintf("duration = %q\nquiet = %q\n[topology]\n%shosts = %s\n[workload]\nhosts = %s\n\n%s",
				res.Duration.String(), (res.Duration - end).String(), topology, quoted(nodes), quoted(clients), nemesis.FormatTOML(actions))
			fs, err := file.Parse(s.Name+".toml", src)
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			// make test also runs the file, which must run as its plan
			// says; -short only plans it.
			back, err := scenarios.Execute(fs, scenarios.Options{Seed: 1, PlanOnly: testing.Short()})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, a := range back.Schedule {
				if i != len(back.Schedule)-1 || a.Op != nemesis.OpHealAll {
					got = append(got, a.String())
				}
			}
			var wants []string
			for _, a := range want {
				wants = append(wants, a.String())
			}
			if !slices.Equal(got, wants) {
				t.Fatalf("read back:\n%s\nwant:\n%s\nfile:\n%s", strings.Join(got, "\n"), strings.Join(wants, "\n"), src)
			}
		})
	}
}

// A plan (Options.PlanOnly) is the schedule that the run then follows,
// and has the run's duration and parameters. TestSafeBuiltinsAreDeterministic
// and TestSwarmProfilesRun check their runs' plans; this test checks every
// built-in's.
func TestPlanIsTheRunsSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every built-in; the determinism tests check the safe built-ins' plans under -short")
	}
	for _, s := range Registry().List() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			res, err := scenarios.Execute(s, scenarios.Options{Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, s, scenarios.Options{Seed: 2}, res)
		})
	}
}

// checkPlan fails t unless the plan of s under opts has run's schedule,
// duration and parameters.
func checkPlan(t *testing.T, s *scenarios.Scenario, opts scenarios.Options, run *scenarios.Result) {
	t.Helper()
	opts.PlanOnly = true
	plan, err := scenarios.Execute(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Verdicts) != 0 || plan.Hash != "" || plan.Events != 0 {
		t.Errorf("%s seed %d: the plan ran: %d verdicts, hash %q, %d events", s.Name, opts.Seed, len(plan.Verdicts), plan.Hash, plan.Events)
	}
	if plan.Duration != run.Duration {
		t.Errorf("%s seed %d: the plan lasts %v, the run %v", s.Name, opts.Seed, plan.Duration, run.Duration)
	}
	if !maps.Equal(plan.Params, run.Params) {
		t.Errorf("%s seed %d: the plan's parameters %v, the run's %v", s.Name, opts.Seed, plan.Params, run.Params)
	}
	var want, got []string
	for _, a := range run.Schedule {
		want = append(want, a.String())
	}
	for _, a := range plan.Schedule {
		got = append(got, a.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s seed %d: the plan's schedule:\n%s\nthe run's:\n%s", s.Name, opts.Seed, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func quoted(hosts []string) string {
	q := make([]string, len(hosts))
	for i, h := range hosts {
		q[i] = strconv.Quote(h)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
