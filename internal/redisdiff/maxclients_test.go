package redisdiff

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// A connection past maxclients is refused before it becomes a client: it
// reads one error line and is closed, counts in rejected_connections and
// not in total_connections_received. In cluster mode the bus connections,
// two per other node, count against the limit, and the error says so.
func TestMaxClientsRefusal(t *testing.T) {
	t.Parallel()
	conf, err := os.ReadFile(filepath.Join("testdata", "cluster", "two_masters.nodes.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		sides func() (want, got Side)
	}{
		{"standalone", func() (Side, Side) {
			return Side{Name: "redis", Addr: StartRedis(t)}, Side{Name: "node", Addr: startNode(t)}
		}},
		{"cluster", func() (Side, Side) { return clusterSides(t, string(conf)) }},
	} {
		want, got := tc.sides()
		var seen [2]string
		for i, side := range []Side{want, got} {
			seen[i] = maxClientsRefusal(t, side)
		}
		if seen[0] != seen[1] {
			t.Errorf("%s:\n\tredis: %s\n\tnode:  %s", tc.name, seen[0], seen[1])
		}
	}
}

// maxClientsRefusal sets maxclients to what side holds now, opens one
// more connection, and describes what it was told and what the counters
// say.
func maxClientsRefusal(t *testing.T, side Side) string {
	c, err := Dial(side.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info := func(section, field string) int {
		raw, err := c.DoStrings("INFO", section)
		if err != nil {
			t.Fatalf("%s: INFO %s: %v", side.Name, section, err)
		}
		m := regexp.MustCompile(field + `:(\d+)`).FindSubmatch(raw)
		if m == nil {
			t.Fatalf("%s: INFO %s has no %s: %q", side.Name, section, field, raw)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	held := info("clients", "connected_clients") + info("clients", "cluster_connections")
	total, rejected := info("stats", "total_connections_received"), info("stats", "rejected_connections")
	if raw, err := c.DoStrings("CONFIG", "SET", "maxclients", strconv.Itoa(held)); err != nil || string(raw) != "+OK\r\n" {
		t.Fatalf("%s: CONFIG SET maxclients %d: %q %v", side.Name, held, raw, err)
	}
	nc, err := net.Dial("tcp", side.Addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(ReplyTimeout))
	told, err := io.ReadAll(nc)
	nc.Close()
	if err != nil {
		t.Fatalf("%s: the refused connection: %v", side.Name, err)
	}
	// The counters are read before the next connection: when a server
	// accepts a connection that the kernel has already completed races
	// with the next command on another one.
	counted := " total_connections_received +" + strconv.Itoa(info("stats", "total_connections_received")-total) +
		" rejected_connections +" + strconv.Itoa(info("stats", "rejected_connections")-rejected)
	// The next client's id says whether the refused one took an id.
	if raw, err := c.DoStrings("CONFIG", "SET", "maxclients", "10000"); err != nil || string(raw) != "+OK\r\n" {
		t.Fatalf("%s: CONFIG SET maxclients 10000: %q %v", side.Name, raw, err)
	}
	next, err := Dial(side.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	id := func(c *Conn) int {
		raw, err := c.DoStrings("CLIENT", "ID")
		v, ok := parseReply(raw)
		if err != nil || !ok {
			t.Fatalf("%s: CLIENT ID: %q %v", side.Name, raw, err)
		}
		return int(v.Int)
	}
	return strconv.Quote(string(told)) + counted + " next client id +" + strconv.Itoa(id(next)-id(c))
}
