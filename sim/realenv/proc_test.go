package realenv

import (
	"net"
	"strings"
	"testing"

	"github.com/redsim/redsim/sim"
)

// handlerFunc is a ConnHandler whose OnOpen calls open.
type handlerFunc struct {
	open  func(c sim.Conn)
	close func(c sim.Conn, err error)
}

func (h handlerFunc) OnOpen(c sim.Conn)           { h.open(c) }
func (h handlerFunc) OnData(sim.Conn, []byte)     {}
func (h handlerFunc) OnClose(c sim.Conn, e error) { h.close(c, e) }

// TestSpawnDialsFromItsAddress: a spawned process reports its own name and
// host, dials through Config.Resolve, and its connection leaves from its
// own source address, as a live run's clients must for address-pair
// firewall rules to cut them.
func TestSpawnDialsFromItsAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	remote := make(chan string, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			remote <- c.RemoteAddr().String()
			c.Close()
		}
	}()
	var resolved string
	l, err := New(Config{Name: "main", Host: "h0", Dir: t.TempDir(), Resolve: func(addr string) (string, error) {
		resolved = addr
		return ln.Addr().String(), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var name, host string
	opened := false
	l.Start(func(env sim.Env) sim.Node {
		err := l.Spawn(Process{Name: "client1", Host: "c1", DialFrom: "127.0.0.3"}, func(env sim.Env) sim.Node {
			name, host = env.Name(), env.Host()
			env.Dial("n1:6379", 0, handlerFunc{
				open:  func(c sim.Conn) { opened = true; env.Exit(); l.Exit() },
				close: func(c sim.Conn, err error) { t.Errorf("dial: %v", err); l.Exit() },
			})
			return nodeFunc(func() {})
		})
		if err != nil {
			t.Error(err)
		}
		return nodeFunc(func() {})
	})
	run(t, l)
	if !opened || name != "client1" || host != "c1" || resolved != "n1:6379" {
		t.Fatalf("opened=%v name=%q host=%q resolved=%q", opened, name, host, resolved)
	}
	if got := <-remote; !strings.HasPrefix(got, "127.0.0.3:") {
		t.Fatalf("the server saw the client from %s, want 127.0.0.3", got)
	}
}
