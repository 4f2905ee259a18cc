package sentinel

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
)

// TestStories runs the step-by-step Sentinel stories in
// testdata/stories/*.txt (go test -run TestStories -args -rewrite
// regenerates their output).
//
// Commands: world replicas=N sentinels=N quorum=N [seed=N] [prio=I:P,...]
// (Redis nodes r1.. with r1 the master, sentinels s1.. monitoring it as
// "mymaster", down-after 5 s, failover-timeout 60 s); run D; events (the
// events every sentinel published since the last `events`, with their
// virtual time; sentinel IDs shown as <s1>..., other run IDs as <id>);
// crash HOST; restart HOST; jump HOST D (the host's wall clock); cmd
// HOST:PORT ARGS... (a command from a client of its own, printing the
// reply); masters (each sentinel's master address and epochs).
func TestStories(t *testing.T) {
	script.RunDir(t, "testdata/stories/*.txt", func(t *testing.T) func(c *script.Cmd) string {
		d := &storyDriver{t: t, conns: map[string]*tconn{}}
		return d.run
	})
}

type storyDriver struct {
	t     *testing.T
	tw    *world
	seen  int
	conns map[string]*tconn
}

var anyID = regexp.MustCompile(`[0-9a-f]{40}`)

func (d *storyDriver) mask(s string) string {
	return anyID.ReplaceAllStringFunc(s, func(id string) string {
		for i := range d.tw.sentinels {
			if sn := d.tw.sentinel(i); sn != nil && sn.myid == id {
				return "<s" + strconv.Itoa(i+1) + ">"
			}
		}
		return "<id>"
	})
}

func (d *storyDriver) run(c *script.Cmd) string {
	t := d.t
	switch c.Name {
	case "world":
		o := worldOpts{priority: map[int]int{}}
		for _, a := range c.Args {
			k, v, _ := strings.Cut(a, "=")
			n, _ := strconv.Atoi(v)
			switch k {
			case "replicas":
				o.replicas = n
			case "sentinels":
				o.sentinels = n
			case "quorum":
				o.quorum = n
			case "seed":
				o.seed = uint64(n)
			case "prio":
				for _, p := range strings.Split(v, ",") {
					i, pr, _ := strings.Cut(p, ":")
					ii, _ := strconv.Atoi(i)
					pp, _ := strconv.Atoi(pr)
					o.priority[ii-1] = pp
				}
			default:
				t.Fatalf("%s: unknown world option %q", c.Pos, k)
			}
		}
		d.tw = newWorld(t, o)
		d.seen = 0
		return "ok"
	case "run":
		dur, err := time.ParseDuration(c.Arg(t, 0))
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		d.tw.w.RunFor(dur)
		return "ok"
	case "events":
		var b strings.Builder
		for i := d.seen; i < len(d.tw.events); i++ {
			b.WriteString(d.tw.times[i].Truncate(time.Millisecond).String() + " " + d.mask(d.tw.events[i]) + "\n")
		}
		d.seen = len(d.tw.events)
		if b.Len() == 0 {
			return "(none)"
		}
		return strings.TrimSuffix(b.String(), "\n")
	case "crash":
		d.tw.w.Host(c.Arg(t, 0)).Crash()
		return "ok"
	case "restart":
		d.tw.w.Host(c.Arg(t, 0)).Restart(0)
		return "ok"
	case "jump":
		dur, err := time.ParseDuration(c.Arg(t, 1))
		if err != nil {
			t.Fatalf("%s: %v", c.Pos, err)
		}
		d.tw.w.Host(c.Arg(t, 0)).Clock.Jump(dur)
		return "ok"
	case "cmd":
		addr := c.Arg(t, 0)
		cn := d.conns[addr]
		if cn == nil || cn.closed {
			cn = d.tw.dial(addr)
			d.tw.w.RunFor(10 * time.Millisecond)
			d.conns[addr] = cn
		}
		return d.mask(cn.do(c.Args[1:]...).String())
	case "masters":
		var lines []string
		for i := range d.tw.sentinels {
			s := d.tw.sentinel(i)
			if s == nil {
				lines = append(lines, "s"+strconv.Itoa(i+1)+" down")
				continue
			}
			a, _ := s.MasterAddr("mymaster")
			lines = append(lines, "s"+strconv.Itoa(i+1)+" "+a+" config-epoch "+strconv.FormatUint(s.ConfigEpoch("mymaster"), 10)+
				" current-epoch "+strconv.FormatUint(s.CurrentEpoch(), 10)+" "+s.Status("mymaster"))
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	t.Fatalf("%s: unknown command %q", c.Pos, c.Name)
	return ""
}
