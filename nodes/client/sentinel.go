package client

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
)

// Sentinel makes a client find its master through Redis Sentinel, as
// redis.io's guidelines for Sentinel clients describe and go-redis's
// FailoverClient does:
//
//   - ask the sentinels in order, SENTINEL GET-MASTER-ADDR-BY-NAME, each
//     within the client's DialTimeout and Timeout; a sentinel that cannot
//     be reached or answers with an error or a null is skipped;
//   - move the first sentinel that answers with an address to the front
//     of the list, so that it is asked first next time;
//   - check the address with ROLE: it must say master, or the answer is
//     stale (a failover in progress) and discovery starts over after a
//     backoff;
//   - discover again when the master's connection fails (refused, reset,
//     timed out) or a write gets -READONLY (the master was demoted) or
//     -MASTERDOWN.
//
// Discovery records nothing in the history: only the workload's operations
// are the client's.
type Sentinel struct {
	// Addrs are the sentinels' "host:port", in the order to ask them.
	Addrs []string
	// MasterName is the name the sentinels monitor the master under.
	MasterName string
	// OnMaster, when set, is told each master the client settles on, and
	// "" when it forgets it: an observer's view of what the client
	// believes (it changes nothing).
	OnMaster func(addr string)
	// Translate, when set, maps the address a sentinel answers to the one
	// the client dials and records: a live run's sentinels answer with
	// the run's loopback addresses, which it writes back as the
	// deployment's host names, so that the history names nodes as a
	// simulated run's does. Nil keeps the answer.
	Translate func(addr string) string
}

// discovery is one incarnation's Sentinel state.
type discovery struct {
	order   []string // the sentinels, the last one that answered first
	master  string   // the address found, "" while unknown
	running bool     // a discovery is in flight
	next    int      // the sentinel being asked
	conn    *redisconn.Conn
}

// target is the address of the next operation: Options.Target's, or the
// master the sentinels gave; "" starts a discovery when none runs.
func (c *client) target() string {
	if c.o.Sentinel == nil {
		return c.o.Target()
	}
	d := c.disc
	if d.master != "" {
		return d.master
	}
	if !d.running {
		d.running, d.next = true, 0
		c.askSentinel()
	}
	return ""
}

// askSentinel asks the current sentinel for the master's address.
func (c *client) askSentinel() {
	d := c.disc
	if d.next >= len(d.order) {
		c.env.Logf("client %d: no sentinel knows master %s", c.o.Process, c.o.Sentinel.MasterName)
		c.discoveryFailed()
		return
	}
	addr := d.order[d.next]
	d.conn = c.probe(addr)
	conn := d.conn
	conn.Do(redisconn.Func(func(v resp.Value, err error) {
		conn.Close()
		if d.conn != conn {
			return // from an earlier incarnation's discovery
		}
		master, ok := masterAddr(v, err)
		if !ok {
			d.next++
			c.askSentinel()
			return
		}
		if tr := c.o.Sentinel.Translate; tr != nil {
			master = tr(master)
		}
		// The sentinel that answered goes first next time.
		d.order = append(append([]string{addr}, d.order[:d.next]...), d.order[d.next+1:]...)
		c.checkRole(master)
	}), 0, []byte("SENTINEL"), []byte("GET-MASTER-ADDR-BY-NAME"), []byte(c.o.Sentinel.MasterName))
}

// checkRole asks the address a sentinel gave whether it is a master.
func (c *client) checkRole(master string) {
	d := c.disc
	d.conn = c.probe(master)
	conn := d.conn
	conn.Do(redisconn.Func(func(v resp.Value, err error) {
		conn.Close()
		if d.conn != conn {
			return
		}
		d.conn = nil
		if err != nil || v.Kind != resp.KindArray || len(v.Elems) == 0 || string(v.Elems[0].Str) != "master" {
			c.env.Logf("client %d: %s is not the master (ROLE: %s); asking the sentinels again", c.o.Process, master, roleText(v, err))
			c.discoveryFailed()
			return
		}
		c.env.Logf("client %d: master %s is %s", c.o.Process, c.o.Sentinel.MasterName, master)
		d.master, d.running = master, false
		if f := c.o.Sentinel.OnMaster; f != nil {
			f(master)
		}
		c.fails = 0
		c.after(0)
	}), 0, []byte("ROLE"))
}

// discoveryFailed waits a backoff and lets the next operation start over.
func (c *client) discoveryFailed() {
	d := c.disc
	d.running, d.conn = false, nil
	c.fails++
	c.after(c.backoff())
}

// forgetMaster makes the next operation discover the master again: its
// connection failed, or it is no longer the master.
func (c *client) forgetMaster(why string) {
	if c.o.Sentinel == nil || c.disc.master == "" {
		return
	}
	c.env.Logf("client %d: forgetting master %s (%s)", c.o.Process, c.disc.master, why)
	c.disc.master = ""
	if f := c.o.Sentinel.OnMaster; f != nil {
		f("")
	}
	c.drop()
	c.conn = nil
}

// probe is a connection for one discovery request.
func (c *client) probe(addr string) *redisconn.Conn {
	return redisconn.New(c.env, addr, redisconn.Options{
		DialTimeout: c.o.DialTimeout,
		Timeout:     c.o.Timeout,
		LogPrefix:   "client " + strconv.Itoa(c.o.Process) + " discovery: ",
	})
}

// masterAddr reads GET-MASTER-ADDR-BY-NAME's reply: ["ip", "port"].
func masterAddr(v resp.Value, err error) (string, bool) {
	if err != nil || v.Kind != resp.KindArray || v.IsNull || len(v.Elems) != 2 {
		return "", false
	}
	host, port := string(v.Elems[0].Str), string(v.Elems[1].Str)
	if host == "" || port == "" {
		return "", false
	}
	return host + ":" + port, true
}

// demoted reports whether an error reply says the node is no longer a
// writable master.
func demoted(errText string) bool {
	return strings.HasPrefix(errText, "READONLY ") || strings.HasPrefix(errText, "MASTERDOWN ")
}

func roleText(v resp.Value, err error) string {
	if err != nil {
		return err.Error()
	}
	return redisconn.Brief(v)
}
