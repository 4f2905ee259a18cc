package builtin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/file"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Every built-in's schedule, faults and operator actions alike, can be
// written as a scenario file and read back as the same schedule: the
// schedule is data a user can save, edit and run.
func TestBuiltinSchedulesRoundTripThroughAFile(t *testing.T) {
	for _, s := range Registry().List() {
		t.Run(s.Name, func(t *testing.T) {
			res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(res.Schedule, func(a nemesis.Action) bool { return a.Op == nemesis.OpClusterCreate }) {
				// A file's topology is one replication group; a cluster's
				// schedule runs from a derived file (base = the built-in).
				t.Skip("a scenario file cannot describe a cluster deployment yet")
			}
			var actions []nemesis.Action
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
				actions = append(actions, a)
				hosts := slices.Concat(a.Groups...)
				if a.Target != "" && a.Op != nemesis.OpPublish && a.Op != nemesis.OpFailover {
					hosts = append(hosts, a.Target)
				}
				for _, h := range hosts {
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
			src := fmt.Sprintf("duration = %q\nquiet = %q\n[topology]\nhosts = %s\n[workload]\nhosts = %s\n\n%s",
				res.Duration.String(), (res.Duration - end).String(), quoted(nodes), quoted(clients), nemesis.FormatTOML(actions))
			fs, err := file.Parse(s.Name+".toml", src)
			if err != nil {
				t.Fatalf("%v\n%s", err, src)
			}
			back, err := scenarios.Execute(fs, scenarios.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, a := range back.Schedule {
				if i != len(back.Schedule)-1 || a.Op != nemesis.OpHealAll {
					got = append(got, a.String())
				}
			}
			var want []string
			for _, a := range actions {
				want = append(want, a.String())
			}
			if !slices.Equal(got, want) {
				t.Fatalf("read back:\n%s\nwant:\n%s\nfile:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), src)
			}
		})
	}
}

func quoted(hosts []string) string {
	q := make([]string, len(hosts))
	for i, h := range hosts {
		q[i] = strconv.Quote(h)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
