package redisconn

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// TestScripts runs testdata/*.txt: one Conn over a fakeEnv, driven step by
// step; each step prints what the Conn did (dials, writes decoded as
// commands, timers, closes) and what its Waiters and hooks were told.
// Commands:
//
//	new [timeout=D] [dial-timeout=D] [write-while-dialing] [max-pending=N]
//	    [protocol=N] [user=U] [password=P] [name=N] [db=N] [reconnect=MIN,MAX]
//	    [log=PREFIX]
//	do TAG ARG...        issue a command ("-" for TAG: nobody waits)
//	send ARG...          write a command that gets no reply
//	await TAG            wait for a reply without a command
//	then TAG CMD...      when TAG is answered, run CMD (a script command)
//	open                 the last dial completes
//	recv TEXT            the server sends TEXT (Go escapes: \r\n)
//	peer-close | peer-reset | refused | dial-timeout   the last connection ends
//	advance D            the clock moves, timers fire
//	close | abort | connect | hijack
//	state                Pending and Ready
func TestScripts(t *testing.T) {
	script.RunDir(t, "testdata/*.txt", func(t *testing.T) func(c *script.Cmd) string {
		s := &scripted{t: t}
		return func(c *script.Cmd) string {
			s.run(c.Pos, c.Name, c.Args)
			return s.env.take()
		}
	})
}

type scripted struct {
	t    *testing.T
	env  *fakeEnv
	c    *Conn
	then map[int][]string
}

func (s *scripted) run(pos, name string, args []string) {
	t := s.t
	if s.c == nil && name != "new" {
		t.Fatalf("%s: the script must start with new", pos)
	}
	switch name {
	case "new":
		s.env = newFakeEnv(1)
		s.then = map[int][]string{}
		s.c = New(s.env, "r1:6379", s.options(pos, args))
	case "do":
		tag, w := s.waiter(pos, args)
		bs := make([][]byte, len(args)-1)
		for i, a := range args[1:] {
			bs[i] = []byte(a)
		}
		s.c.Do(w, tag, bs...)
	case "send":
		bs := make([][]byte, len(args))
		for i, a := range args {
			bs[i] = []byte(a)
		}
		s.c.Send(bs...)
	case "await":
		tag, w := s.waiter(pos, args)
		s.c.Await(w, tag)
	case "then":
		tag := s.atoi(pos, args[0])
		s.then[tag] = args[1:]
	case "open":
		s.env.last().h.OnOpen(s.env.last())
	case "recv":
		text, err := strconv.Unquote(`"` + strings.Join(args, " ") + `"`)
		if err != nil {
			t.Fatalf("%s: %v", pos, err)
		}
		s.env.last().h.OnData(s.env.last(), []byte(text))
	case "peer-close", "peer-reset", "refused", "dial-timeout":
		errs := map[string]error{"peer-close": nil, "peer-reset": sim.ErrReset, "refused": sim.ErrRefused, "dial-timeout": sim.ErrDialTimeout}
		fc := s.env.last()
		fc.closed = true
		fc.h.OnClose(fc, errs[name])
	case "advance":
		s.env.advance(s.duration(pos, args[0]))
	case "close":
		s.c.Close()
	case "abort":
		s.c.Abort()
	case "connect":
		s.c.Connect()
	case "hijack":
		conn, rest := s.c.Hijack(rawHandler{s.env})
		if conn == nil {
			s.env.logf("hijack: no open connection")
			break
		}
		s.env.logf("hijack c%d, rest %q", conn.ID(), rest)
	case "state":
		s.env.logf("pending %d ready %v", s.c.Pending(), s.c.Ready())
	default:
		t.Fatalf("%s: unknown command %q", pos, name)
	}
}

func (s *scripted) options(pos string, args []string) Options {
	var o Options
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "timeout":
			o.Timeout = s.duration(pos, v)
		case "dial-timeout":
			o.DialTimeout = s.duration(pos, v)
		case "write-while-dialing":
			o.WriteWhileDialing = true
		case "max-pending":
			o.MaxPending = s.atoi(pos, v)
		case "protocol":
			o.Protocol = s.atoi(pos, v)
		case "user":
			o.Username = v
		case "password":
			o.Password = v
		case "name":
			o.ClientName = v
		case "db":
			o.DB = s.atoi(pos, v)
		case "readonly":
			o.ReadOnly = true
		case "log":
			o.LogPrefix = v + ": "
		case "reconnect":
			lo, hi, _ := strings.Cut(v, ",")
			o.Reconnect = Backoff{Min: s.duration(pos, lo), Max: s.duration(pos, hi)}
		default:
			s.t.Fatalf("%s: unknown option %q", pos, a)
		}
	}
	o.OnUp = func() { s.env.logf("up") }
	o.OnDown = func(cause error) { s.env.logf("down: %v", cause) }
	o.OnPush = func(v resp.Value) { s.env.logf("push: %s", v.String()) }
	return o
}

func (s *scripted) waiter(pos string, args []string) (int, Waiter) {
	if len(args) == 0 {
		s.t.Fatalf("%s: a tag is needed", pos)
	}
	if args[0] == "-" {
		return 0, nil
	}
	return s.atoi(pos, args[0]), &scriptWaiter{s: s}
}

func (s *scripted) atoi(pos, a string) int {
	n, err := strconv.Atoi(a)
	if err != nil {
		s.t.Fatalf("%s: %v", pos, err)
	}
	return n
}

func (s *scripted) duration(pos, a string) time.Duration {
	d, err := time.ParseDuration(a)
	if err != nil {
		s.t.Fatalf("%s: %v", pos, err)
	}
	return d
}

// scriptWaiter prints what it is told and runs the tag's then command.
type scriptWaiter struct{ s *scripted }

func (w *scriptWaiter) Reply(tag int, v resp.Value, err error) {
	if err != nil {
		w.s.env.logf("tag %d: error: %v", tag, err)
	} else {
		w.s.env.logf("tag %d: %s", tag, v.String())
	}
	if cmd, ok := w.s.then[tag]; ok {
		delete(w.s.then, tag)
		w.s.run("then", cmd[0], cmd[1:])
	}
}

func (w *scriptWaiter) Sent(tag int) { w.s.env.logf("tag %d: sent", tag) }

// rawHandler is the new owner of a hijacked connection.
type rawHandler struct{ e *fakeEnv }

func (h rawHandler) OnOpen(sim.Conn) {}
func (h rawHandler) OnData(c sim.Conn, p []byte) {
	h.e.logf("raw c%d: %q", c.ID(), p)
}
func (h rawHandler) OnClose(c sim.Conn, err error) {
	h.e.logf("raw c%d closed: %v", c.ID(), err)
}
