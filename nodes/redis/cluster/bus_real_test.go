package cluster_test

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis/cluster"
)

// readMsg reads one message from a bus connection as clusterReadHandler
// frames it, and parses it.
func readMsg(t *testing.T, c net.Conn) (cluster.Msg, []byte) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for {
		need, err := cluster.FrameLen(buf)
		if err != nil {
			t.Fatalf("framing %q: %v", buf, err)
		}
		if len(buf) >= need {
			break
		}
		chunk := make([]byte, need-len(buf))
		if _, err := io.ReadFull(c, chunk); err != nil {
			t.Fatalf("reading a bus message: %v", err)
		}
		buf = append(buf, chunk...)
	}
	m, err := cluster.Parse(buf)
	if err != nil {
		t.Fatalf("parsing a %d-byte message from redis-server: %v", len(buf), err)
	}
	return m, buf
}

func send(t *testing.T, c net.Conn, m *cluster.Msg) {
	t.Helper()
	if _, err := c.Write(m.Marshal()); err != nil {
		t.Fatalf("sending %s: %v", m.Type, err)
	}
}

// checkServerHeader checks the header fields clusterBuildMessageHdr fills
// for a master that owns slots 0-99 at epoch 7, announcing a hostname, and
// that the gossip section holds at most the one node it may gossip about:
// other, a master without slots. It leaves out itself and the receiver;
// with three nodes known it wants max(3, 3/10) entries capped at 3-2 = 1,
// and it draws random nodes only wanted*3 times, so that it may well draw
// itself or the receiver three times and send no gossip at all.
func checkServerHeader(t *testing.T, m cluster.Msg, raw []byte, wantType cluster.MsgType, id string, n, other *realNode, otherID string) {
	t.Helper()
	var slots cluster.Bitmap
	for s := range 100 {
		slots.Set(s)
	}
	if m.Type != wantType || m.Sender.String() != id || int(m.Port) != n.port || int(m.CPort) != n.busPort ||
		m.PPort != 0 || m.Flags != cluster.FlagMyself|cluster.FlagMaster || !m.SlaveOf.IsZero() ||
		m.CurrentEpoch != 7 || m.ConfigEpoch != 7 || m.MySlots != slots || m.MyIP != (cluster.IP{}) ||
		m.State != cluster.StateFail || int(m.TotLen) != len(raw) {
		t.Errorf("%s from redis-server: type %s sender %s port %d cport %d pport %d flags %s slaveof %q epochs %d/%d slots %d ip %q state %d totlen %d (read %d); want %s from %s port %d cport %d, myself,master, epochs 7/7, slots 0-99, state fail",
			wantType, m.Type, m.Sender, m.Port, m.CPort, m.PPort, m.Flags, m.SlaveOf, m.CurrentEpoch, m.ConfigEpoch,
			m.MySlots.Count(), m.MyIP, m.State, m.TotLen, len(raw), wantType, id, n.port, n.busPort)
	}
	if m.Count > 1 || len(m.Gossip) != int(m.Count) || m.Extensions != 1 || m.MFlags[0] != cluster.MFlag0ExtData ||
		m.Hostname() != "real-1.test" || len(raw) != cluster.HeaderLen+int(m.Count)*cluster.GossipLen+8+16 {
		t.Fatalf("%s from redis-server: count %d, %d extensions, mflags %v, hostname %q, %d bytes; want at most one gossip entry and the hostname extension (8+16 bytes) after it",
			wantType, m.Count, m.Extensions, m.MFlags, m.Hostname(), len(raw))
	}
	t.Logf("%s from redis-server: %d bytes, %d gossip entries", wantType, len(raw), m.Count)
	if !bytes.Equal(m.Marshal(), raw) {
		t.Errorf("%s from redis-server does not marshal back to the same bytes", wantType)
	}
	if m.Count == 1 {
		checkGossip(t, m.Gossip[0], otherID, other.port, other.busPort)
	}
}

// checkGossip checks an entry about a master at 127.0.0.1 that answered
// a ping within the last minute.
func checkGossip(t *testing.T, g cluster.Gossip, id string, port, cport int) {
	t.Helper()
	now := uint32(time.Now().Unix())
	if g.Name.String() != id || g.IP.String() != "127.0.0.1" || int(g.Port) != port || int(g.CPort) != cport ||
		g.Flags != cluster.FlagMaster || g.PPort != 0 || g.Reserved != 0 ||
		g.PongReceivedSec+60 < now || g.PongReceivedSec > now+1 || (g.PingSentSec != 0 && g.PingSentSec+60 < now) {
		t.Errorf("redis-server gossips %+v; want %s at 127.0.0.1:%d@%d, master, a pong within the last minute (now %d)",
			g, id, port, cport, now)
	}
}

// TestBusInterop plays a node of our own against a real redis-server over
// its cluster bus: MEET it with a message from Marshal, parse its PONG,
// accept its connection back and parse its PING, answer with a PONG and a
// PING claiming a slot, and see the server list us in CLUSTER NODES.
func TestBusInterop(t *testing.T) {
	n := startRealNode(t, "--cluster-announce-hostname", "real-1.test")
	n.do(t, "CLUSTER", "SET-CONFIG-EPOCH", "7")
	n.do(t, "CLUSTER", "ADDSLOTSRANGE", "0", "99")
	id := n.myID(t)
	// A second real node gives the server someone to gossip about.
	n2 := startRealNode(t)
	id2 := n2.myID(t)
	n.do(t, "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(n2.port), strconv.Itoa(n2.busPort))
	waitFor(t, "the real nodes to complete their handshake", func() bool {
		a := n.do(t, "CLUSTER", "NODES")
		return strings.Contains(a, id2) && !strings.Contains(a, "handshake") && !strings.Contains(a, "disconnected") &&
			strings.Contains(n2.do(t, "CLUSTER", "NODES"), id)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	myCPort := ln.Addr().(*net.TCPAddr).Port
	const myID, myPort = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e", 7777
	me := func(ty cluster.MsgType) cluster.Msg {
		m := cluster.Msg{Type: ty, Port: myPort, CPort: uint16(myCPort), Sender: cluster.NameOf(myID),
			Flags: cluster.FlagMyself | cluster.FlagMaster, CurrentEpoch: 1, ConfigEpoch: 1, State: cluster.StateFail}
		m.MySlots.Set(16000)
		return m
	}

	out, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.busPort)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = out.Close() })
	meet := me(cluster.TypeMeet)
	send(t, out, &meet)
	pong, raw := readMsg(t, out)
	checkServerHeader(t, pong, raw, cluster.TypePong, id, n, n2, id2)

	// The MEET made us a node in handshake; the server's cron dials the
	// address it saw us from, at the cport our header announced.
	if err := ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	in, err := ln.Accept()
	if err != nil {
		t.Fatalf("redis-server did not dial our announced cport %d: %v", myCPort, err)
	}
	t.Cleanup(func() { _ = in.Close() })
	ping, raw := readMsg(t, in)
	checkServerHeader(t, ping, raw, cluster.TypePing, id, n, n2, id2)

	// Our PONG ends the handshake; the PING after it, on our own link,
	// claims slot 16000, which the server then gives us.
	reply := me(cluster.TypePong)
	send(t, in, &reply)
	again := me(cluster.TypePing)
	send(t, out, &again)
	pong2, raw := readMsg(t, out)
	if pong2.Type != cluster.TypePong || len(pong2.Gossip) > 1 || int(pong2.TotLen) != len(raw) {
		t.Errorf("reply to our PING: %s with %d gossip entries", pong2.Type, len(pong2.Gossip))
	}

	// The gossip entry is drawn at random, and the receiver is not left
	// out once it is known: PING until the server has gossiped about the
	// other real node and about us.
	aboutOther, aboutUs := false, false
	for i := 0; i < 60 && !(aboutOther && aboutUs); i++ {
		send(t, out, &again)
		m, _ := readMsg(t, out)
		if m.Type != cluster.TypePong || len(m.Gossip) > 1 {
			t.Fatalf("reply to our PING: %s with %d gossip entries", m.Type, len(m.Gossip))
		}
		for _, g := range m.Gossip {
			switch g.Name.String() {
			case id2:
				aboutOther = true
				checkGossip(t, g, id2, n2.port, n2.busPort)
			case myID:
				aboutUs = true
				checkGossip(t, g, myID, myPort, myCPort)
			default:
				t.Fatalf("gossip about an unknown node %s", g.Name)
			}
		}
	}
	if !aboutOther || !aboutUs {
		t.Errorf("60 PONGs: gossip about the other real node %v, about us %v; want both", aboutOther, aboutUs)
	}

	var line cluster.NodeLine
	waitFor(t, "redis-server to list our node with slot 16000", func() bool {
		nodes := n.do(t, "CLUSTER", "NODES")
		c, err := cluster.ParseConfig([]byte(nodes))
		if err != nil {
			t.Fatalf("CLUSTER NODES does not parse: %v\n%s", err, nodes)
		}
		if got := string(cluster.FormatNodes(c.Nodes)); got != nodes {
			t.Fatalf("CLUSTER NODES formats back differently:\n%s\nwant\n%s", got, nodes)
		}
		for _, l := range c.Nodes {
			if l.ID == myID && len(l.Slots) > 0 {
				line = l
				return true
			}
		}
		return false
	})
	if line.IP != "127.0.0.1" || line.Port != myPort || line.CPort != myCPort || line.Flags != cluster.FlagMaster ||
		line.ConfigEpoch != 1 || len(line.Slots) != 1 || line.Slots[0] != (cluster.SlotRange{Start: 16000, End: 16000}) {
		t.Fatalf("redis-server lists our node as %+v", line)
	}
	info := n.do(t, "CLUSTER", "INFO")
	if !strings.Contains(info, "cluster_known_nodes:3") || !strings.Contains(info, "cluster_stats_messages_meet_received:1") {
		t.Errorf("CLUSTER INFO:\n%s", info)
	}
}
