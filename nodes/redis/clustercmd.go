package redis

import (
	"fmt"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"net/netip"
	"strings"

	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/nodes/rnum"
)

// clusterSubcommands is the CLUSTER command: without cluster support every
// subcommand, HELP included, answers that support is disabled
// (clusterCommand's first check); processCommand still checks the
// subcommand exists and its arity first.
var clusterSubcommands = func() []cmdSpec {
	const fa = flagAdmin | flagStale
	specs := []cmdSpec{{"cluster", -2, 0, nil, noKeys}}
	for _, sc := range []struct {
		name  string
		arity int
		flags cmdFlags
	}{
		{"addslots", -3, fa}, {"addslotsrange", -4, fa}, {"bumpepoch", 2, fa},
		{"count-failure-reports", 3, fa}, {"countkeysinslot", 3, flagStale},
		{"delslots", -3, fa}, {"delslotsrange", -4, fa}, {"failover", -2, fa},
		{"flushslots", 2, fa}, {"forget", 3, fa}, {"getkeysinslot", 4, flagStale},
		{"help", 2, flagStale}, {"info", 2, flagStale}, {"keyslot", 3, flagStale},
		{"links", 2, flagStale}, {"meet", -4, fa}, {"myid", 2, flagStale},
		{"nodes", 2, flagStale}, {"replicas", 3, fa}, {"replicate", 3, fa},
		{"reset", -2, fa | flagNoScript}, {"saveconfig", 2, fa},
		{"set-config-epoch", 3, fa}, {"setslot", -4, fa}, {"shards", 2, flagStale},
		{"slaves", 3, fa}, {"slots", 2, flagStale},
	} {
		specs = append(specs, cmdSpec{"cluster|" + sc.name, sc.arity, sc.flags, clusterCommand, noKeys})
	}
	return specs
}()

var clusterHelp = []string{
	"ADDSLOTS <slot> [<slot> ...]",
	"    Assign slots to current node.",
	"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Assign slots which are between <start-slot> and <end-slot> to current node.",
	"BUMPEPOCH",
	"    Advance the cluster config epoch.",
	"COUNT-FAILURE-REPORTS <node-id>",
	"    Return number of failure reports for <node-id>.",
	"COUNTKEYSINSLOT <slot>",
	"    Return the number of keys in <slot>.",
	"DELSLOTS <slot> [<slot> ...]",
	"    Delete slots information from current node.",
	"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
	"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
	"FAILOVER [FORCE|TAKEOVER]",
	"    Promote current replica node to being a master.",
	"FORGET <node-id>",
	"    Remove a node from the cluster.",
	"GETKEYSINSLOT <slot> <count>",
	"    Return key names stored by current node in a slot.",
	"FLUSHSLOTS",
	"    Delete current node own slots information.",
	"INFO",
	"    Return information about the cluster.",
	"KEYSLOT <key>",
	"    Return the hash slot for <key>.",
	"MEET <ip> <port> [<bus-port>]",
	"    Connect nodes into a working cluster.",
	"MYID",
	"    Return the node id.",
	"NODES",
	"    Return cluster configuration seen by node. Output format:",
	"    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
	"REPLICATE <node-id>",
	"    Configure current node as replica to <node-id>.",
	"RESET [HARD|SOFT]",
	"    Reset current node (default: soft).",
	"SET-CONFIG-EPOCH <epoch>",
	"    Set config epoch of current node.",
	"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
	"    Set slot state.",
	"REPLICAS <node-id>",
	"    Return <node-id> replicas.",
	"SAVECONFIG",
	"    Force saving cluster configuration on disk.",
	"SLOTS",
	"    Return information about slots range mappings. Each range is made of:",
	"    start, end, master and replicas IP addresses, ports and ids",
	"SHARDS",
	"    Return information about slot range mappings and the nodes associated with them.",
	"LINKS",
	"    Return information about all network links between this node and its peers.",
	"    Output format is an array where each array element is a map containing attributes of a link",
}

func clusterDisabled(c *client, _ [][]byte) {
	c.w.WriteError("ERR This instance has cluster support disabled")
}

// clusterCommand is clusterCommand.
func clusterCommand(c *client, args [][]byte) {
	s := c.s
	if s.cl == nil {
		clusterDisabled(c, args)
		return
	}
	cl := s.cl
	me := cl.myself
	sub := strings.ToLower(string(args[1]))
	argc := len(args)
	switch {
	case sub == "help" && argc == 2:
		c.writeHelp(args[0], clusterHelp)
	case sub == "meet" && (argc == 4 || argc == 5):
		port, ok := rnum.ParseInt(args[3])
		if !ok {
			c.w.WriteError(fmt.Sprintf("ERR Invalid TCP base port specified: %s", cstr(args[3], len(args[3]))))
			return
		}
		cport := port + clusterPortIncr
		if argc == 5 {
			if cport, ok = rnum.ParseInt(args[4]); !ok {
				c.w.WriteError(fmt.Sprintf("ERR Invalid TCP bus port specified: %s", cstr(args[4], len(args[4]))))
				return
			}
		}
		if !s.clusterStartHandshake(string(args[2]), port, cport) {
			c.w.WriteError(fmt.Sprintf("ERR Invalid node address specified: %s:%s", cstr(args[2], len(args[2])), cstr(args[3], len(args[3]))))
			return
		}
		c.w.WriteOK()
	case sub == "nodes" && argc == 2:
		c.w.WriteVerbatim(s.nodesDescription(0), "txt")
	case sub == "myid" && argc == 2:
		c.w.WriteBulkString(me.name)
	case sub == "slots" && argc == 2:
		s.clusterReplySlots(c)
	case sub == "shards" && argc == 2:
		s.clusterReplyShards(c)
	case sub == "flushslots" && argc == 2:
		if s.dbs[0].keys.Len() != 0 {
			c.w.WriteError("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.")
			return
		}
		s.clusterDelNodeSlots(me)
		cl.todo |= todoUpdateState | todoSaveConfig
		c.w.WriteOK()
	case (sub == "addslots" || sub == "delslots") && argc >= 3:
		del := sub == "delslots"
		for _, a := range args[2:] {
			if _, ok := slotOrReply(c, a); !ok {
				return
			}
		}
		var mark [cluster.Slots]uint8
		for _, a := range args[2:] {
			slot, _ := slotOrReply(c, a)
			if !s.checkSlotAssignments(c, &mark, del, slot, slot) {
				return
			}
		}
		s.clusterUpdateSlots(&mark, del)
		cl.todo |= todoUpdateState | todoSaveConfig
		c.w.WriteOK()
	case (sub == "addslotsrange" || sub == "delslotsrange") && argc >= 4:
		if argc%2 == 1 {
			c.w.WriteError("ERR wrong number of arguments for '" + c.lastCmd + "' command")
			return
		}
		del := sub == "delslotsrange"
		var mark [cluster.Slots]uint8
		for j := 2; j < argc; j += 2 {
			start, ok := slotOrReply(c, args[j])
			if !ok {
				return
			}
			end, ok := slotOrReply(c, args[j+1])
			if !ok {
				return
			}
			if start > end {
				c.w.WriteError(fmt.Sprintf("ERR start slot number %d is greater than end slot number %d", start, end))
				return
			}
			if !s.checkSlotAssignments(c, &mark, del, start, end) {
				return
			}
		}
		s.clusterUpdateSlots(&mark, del)
		cl.todo |= todoUpdateState | todoSaveConfig
		c.w.WriteOK()
	case sub == "setslot" && argc >= 4:
		s.clusterSetSlotCommand(c, args)
	case sub == "bumpepoch" && argc == 2:
		word := "STILL"
		if s.bumpConfigEpochWithoutConsensus() {
			word = "BUMPED"
		}
		c.w.WriteSimpleString(fmt.Sprintf("%s %d", word, me.configEpoch))
	case sub == "info" && argc == 2:
		c.w.WriteVerbatim([]byte(s.clusterInfo()), "txt")
	case sub == "saveconfig" && argc == 2:
		s.saveClusterConfig(true)
		c.w.WriteOK()
	case sub == "keyslot" && argc == 3:
		c.w.WriteInt(int64(cluster.KeyHashSlot(args[2])))
	case sub == "countkeysinslot" && argc == 3:
		slot, ok := rnum.ParseInt(args[2])
		if !ok {
			c.w.WriteError("ERR value is not an integer or out of range")
			return
		}
		if slot < 0 || slot >= cluster.Slots {
			c.w.WriteError("ERR Invalid slot")
			return
		}
		c.w.WriteInt(int64(s.countKeysInSlot(int(slot))))
	case sub == "getkeysinslot" && argc == 4:
		slot, ok := rnum.ParseInt(args[2])
		if !ok {
			c.w.WriteError("ERR value is not an integer or out of range")
			return
		}
		maxKeys, ok := rnum.ParseInt(args[3])
		if !ok {
			c.w.WriteError("ERR value is not an integer or out of range")
			return
		}
		if slot < 0 || slot >= cluster.Slots || maxKeys < 0 {
			c.w.WriteError("ERR Invalid slot or number of keys")
			return
		}
		var keys []string
		if sk := s.dbs[0].slotKeys; sk != nil {
			keys = sk.keys(int(slot), int(min(maxKeys, int64(sk.counts[slot]))))
		}
		c.w.WriteArrayLen(len(keys))
		for _, k := range keys {
			c.w.WriteBulkString(k)
		}
	case sub == "forget" && argc == 3:
		n := cl.lookupNode(string(args[2]))
		switch {
		case n == nil:
			c.w.WriteError("ERR Unknown node " + cstr(args[2], len(args[2])))
			return
		case n == me:
			c.w.WriteError("ERR I tried hard but I can't forget myself...")
			return
		case me.isReplica() && me.master == n:
			c.w.WriteError("ERR Can't forget my master!")
			return
		}
		s.blacklistAdd(n)
		s.delNode(n)
		cl.todo |= todoUpdateState | todoSaveConfig
		c.w.WriteOK()
	case sub == "replicate" && argc == 3:
		n := cl.lookupNode(string(args[2]))
		switch {
		case n == nil:
			c.w.WriteError("ERR Unknown node " + cstr(args[2], len(args[2])))
			return
		case n == me:
			c.w.WriteError("ERR Can't replicate myself")
			return
		case n.isReplica():
			c.w.WriteError("ERR I can only replicate a master, not a replica.")
			return
		case me.isMaster() && (me.numSlots != 0 || s.dbs[0].keys.Len() != 0):
			c.w.WriteError("ERR To set a master the node must be empty and without assigned slots.")
			return
		}
		s.clusterSetMaster(n)
		cl.todo |= todoUpdateState | todoSaveConfig
		c.w.WriteOK()
	case (sub == "slaves" || sub == "replicas") && argc == 3:
		n := cl.lookupNode(string(args[2]))
		if n == nil {
			c.w.WriteError("ERR Unknown node " + cstr(args[2], len(args[2])))
			return
		}
		if n.isReplica() {
			c.w.WriteError("ERR The specified node is not a master")
			return
		}
		c.w.WriteArrayLen(len(n.replicas))
		for _, r := range n.replicas {
			line := cluster.FormatNodes([]cluster.NodeLine{s.nodeLineWithSlots(r)})
			c.w.WriteBulk(line[:len(line)-1])
		}
	case sub == "count-failure-reports" && argc == 3:
		n := cl.lookupNode(string(args[2]))
		if n == nil {
			c.w.WriteError("ERR Unknown node " + cstr(args[2], len(args[2])))
			return
		}
		c.w.WriteInt(int64(n.failureReportsCount(s.mstime(), s.cfg.Cluster.NodeTimeoutMs)))
	case sub == "failover" && (argc == 2 || argc == 3):
		force, takeover := false, false
		if argc == 3 {
			switch lowerC(args[2]) {
			case "force":
				force = true
			case "takeover":
				force, takeover = true, true
			default:
				c.w.WriteError(errSyntax)
				return
			}
		}
		switch {
		case me.isMaster():
			c.w.WriteError("ERR You should send CLUSTER FAILOVER to a replica")
			return
		case me.master == nil:
			c.w.WriteError("ERR I'm a replica but my master is unknown to me")
			return
		case !force && (me.master.failed() || me.master.link == nil):
			c.w.WriteError("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE")
			return
		}
		s.resetManualFailover()
		cl.mfEnd = s.mstime() + clusterMFTimeout
		switch {
		case takeover:
			s.env.Logf("Taking over the master (user request).")
			s.bumpConfigEpochWithoutConsensus()
			s.failoverReplaceYourMaster()
		case force:
			s.env.Logf("Forced failover user request accepted.")
			cl.mfCanStart = true
		default:
			s.env.Logf("Manual failover user request accepted.")
			if me.master.link != nil {
				s.clusterSend(me.master.link, s.buildHeader(cluster.TypeMFStart))
			}
		}
		c.w.WriteOK()
	case sub == "set-config-epoch" && argc == 3:
		epoch, ok := rnum.ParseInt(args[2])
		switch {
		case !ok:
			c.w.WriteError("ERR value is not an integer or out of range")
		case epoch < 0:
			c.w.WriteError(fmt.Sprintf("ERR Invalid config epoch specified: %d", epoch))
		case len(cl.nodes) > 1:
			c.w.WriteError("ERR The user can assign a config epoch only when the node does not know any other node.")
		case me.configEpoch != 0:
			c.w.WriteError("ERR Node config epoch is already non-zero")
		default:
			me.configEpoch = uint64(epoch)
			s.env.Logf("configEpoch set to %d via CLUSTER SET-CONFIG-EPOCH", me.configEpoch)
			if cl.currentEpoch < uint64(epoch) {
				cl.currentEpoch = uint64(epoch)
			}
			cl.todo |= todoUpdateState | todoSaveConfig
			c.w.WriteOK()
		}
	case sub == "reset" && (argc == 2 || argc == 3):
		hard := false
		if argc == 3 {
			switch lowerC(args[2]) {
			case "hard":
				hard = true
			case "soft":
			default:
				c.w.WriteError(errSyntax)
				return
			}
		}
		if me.isMaster() && c.db.keys.Len() != 0 {
			c.w.WriteError("ERR CLUSTER RESET can't be called with master nodes containing keys")
			return
		}
		s.clusterReset(hard)
		c.w.WriteOK()
	case sub == "links" && argc == 2:
		s.clusterReplyLinks(c)
	default:
		c.w.WriteError(subcommandSyntaxError(args))
	}
}

// slotOrReply is getSlotOrReply.
func slotOrReply(c *client, a []byte) (int, bool) {
	n, ok := rnum.ParseInt(a)
	if !ok || n < 0 || n >= cluster.Slots {
		c.w.WriteError("ERR Invalid or out of range slot")
		return 0, false
	}
	return int(n), true
}

// checkSlotAssignments is checkSlotAssignmentsOrReply.
func (s *Server) checkSlotAssignments(c *client, mark *[cluster.Slots]uint8, del bool, start, end int) bool {
	for slot := start; slot <= end; slot++ {
		if del && s.cl.slots[slot] == nil {
			c.w.WriteError(fmt.Sprintf("ERR Slot %d is already unassigned", slot))
			return false
		} else if !del && s.cl.slots[slot] != nil {
			c.w.WriteError(fmt.Sprintf("ERR Slot %d is already busy", slot))
			return false
		}
		mark[slot]++
		if mark[slot] == 2 {
			c.w.WriteError(fmt.Sprintf("ERR Slot %d specified multiple times", slot))
			return false
		}
	}
	return true
}

// clusterUpdateSlots is clusterUpdateSlots.
func (s *Server) clusterUpdateSlots(mark *[cluster.Slots]uint8, del bool) {
	for j := 0; j < cluster.Slots; j++ {
		if mark[j] == 0 {
			continue
		}
		s.cl.setImporting(j, nil)
		if del {
			s.clusterDelSlot(j)
		} else {
			s.clusterAddSlot(s.cl.myself, j)
		}
	}
}

// clusterSetSlotCommand is CLUSTER SETSLOT.
func (s *Server) clusterSetSlotCommand(c *client, args [][]byte) {
	cl := s.cl
	me := cl.myself
	if me.isReplica() {
		c.w.WriteError("ERR Please use SETSLOT only with masters.")
		return
	}
	slot, ok := slotOrReply(c, args[2])
	if !ok {
		return
	}
	action := lowerC(args[3])
	argc := len(args)
	lookup := func(unknown string) *clusterNode {
		n := cl.lookupNode(string(args[4]))
		if n == nil {
			c.w.WriteError("ERR " + unknown + cstr(args[4], len(args[4])))
			return nil
		}
		if n.isReplica() {
			c.w.WriteError("ERR Target node is not a master")
			return nil
		}
		return n
	}
	switch {
	case action == "migrating" && argc == 5:
		if cl.slots[slot] != me {
			c.w.WriteError(fmt.Sprintf("ERR I'm not the owner of hash slot %d", slot))
			return
		}
		n := lookup("I don't know about node ")
		if n == nil {
			return
		}
		cl.setMigrating(slot, n)
	case action == "importing" && argc == 5:
		if cl.slots[slot] == me {
			c.w.WriteError(fmt.Sprintf("ERR I'm already the owner of hash slot %d", slot))
			return
		}
		n := lookup("I don't know about node ")
		if n == nil {
			return
		}
		cl.setImporting(slot, n)
	case action == "stable" && argc == 4:
		cl.setImporting(slot, nil)
		cl.setMigrating(slot, nil)
	case action == "node" && argc == 5:
		n := lookup("Unknown node ")
		if n == nil {
			return
		}
		if cl.slots[slot] == me && n != me && s.countKeysInSlot(slot) != 0 {
			c.w.WriteError(fmt.Sprintf("ERR Can't assign hashslot %d to a different node while I still hold keys for this hash slot.", slot))
			return
		}
		if s.countKeysInSlot(slot) == 0 && cl.migratingTo[slot] != nil {
			cl.setMigrating(slot, nil)
		}
		wasMine := cl.slots[slot] == me
		s.clusterDelSlot(slot)
		s.clusterAddSlot(n, slot)
		if wasMine && n != me && me.numSlots == 0 && s.cfg.Cluster.AllowReplicaMigration {
			s.env.Logf("Configuration change detected. Reconfiguring myself as a replica of %.40s", n.name)
			s.clusterSetMaster(n)
			cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
		}
		if n == me && cl.importingFrom[slot] != nil {
			if s.bumpConfigEpochWithoutConsensus() {
				s.env.Logf("configEpoch updated after importing slot %d", slot)
			}
			cl.setImporting(slot, nil)
			s.clusterBroadcastPong(false)
		}
	default:
		c.w.WriteError("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP")
		return
	}
	cl.todo |= todoSaveConfig | todoUpdateState
	c.w.WriteOK()
}

// bumpConfigEpochWithoutConsensus is clusterBumpConfigEpochWithoutConsensus.
func (s *Server) bumpConfigEpochWithoutConsensus() bool {
	cl := s.cl
	me := cl.myself
	maxEpoch := cl.maxEpoch()
	if me.configEpoch == 0 || me.configEpoch != maxEpoch {
		cl.currentEpoch++
		me.configEpoch = cl.currentEpoch
		cl.todo |= todoSaveConfig | todoFsyncConfig
		s.env.Logf("New configEpoch set to %d", me.configEpoch)
		return true
	}
	return false
}

// clusterStartHandshake is clusterStartHandshake: false for an address
// that is not valid. In the simulator a host name is an address.
func (s *Server) clusterStartHandshake(ip string, port, cport int64) bool {
	norm := ip
	if a, err := netip.ParseAddr(ip); err == nil && a.Zone() == "" {
		norm = a.String()
	} else if s.ipAddresses() || !validHostName(ip) {
		// inet_pton: Redis takes an IP literal, never a name.
		return false
	}
	if port <= 0 || port > 65535 || cport <= 0 || cport > 65535 {
		return false
	}
	for _, n := range s.cl.nodes {
		if n.inHandshake() && strings.EqualFold(n.ip, norm) && n.port == int(port) && n.cport == int(cport) {
			return true // EAGAIN: already in progress, and MEET still says OK
		}
	}
	n := s.createClusterNode("", cluster.FlagHandshake|cluster.FlagMeet)
	n.ip, n.port, n.cport = norm, int(port), int(cport)
	s.cl.addNode(n)
	return true
}

// ipEnv is implemented by an Env whose addresses are IP literals (real
// TCP, sim/realenv).
type ipEnv interface{ IPAddresses() bool }

// ipAddresses reports whether the node's addresses are IP literals, as in
// Redis, rather than the simulator's host names.
func (s *Server) ipAddresses() bool {
	e, ok := s.env.(ipEnv)
	return ok && e.IPAddresses()
}

// validHostName accepts the simulator's host names: letters, digits, '-',
// '.', '_'.
func validHostName(h string) bool {
	if h == "" || len(h) >= cluster.IPLen {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// nodeLineWithSlots is n's CLUSTER NODES line with its slots from its own
// bitmap (clusterGenNodeDescription without the slot-info cache).
func (s *Server) nodeLineWithSlots(n *clusterNode) cluster.NodeLine {
	l := s.nodeLine(n)
	start := -1
	for j := 0; j <= cluster.Slots; j++ {
		has := j < cluster.Slots && n.slots.Has(j)
		if has && start < 0 {
			start = j
		}
		if !has && start >= 0 {
			l.Slots = append(l.Slots, cluster.SlotRange{Start: start, End: j - 1})
			start = -1
		}
	}
	return l
}

// clusterInfo is CLUSTER INFO's text.
func (s *Server) clusterInfo() string {
	cl := s.cl
	me := cl.myself
	assigned, ok, pfail, fail := 0, 0, 0, 0
	for j := 0; j < cluster.Slots; j++ {
		n := cl.slots[j]
		if n == nil {
			continue
		}
		assigned++
		switch {
		case n.failed():
			fail++
		case n.timedOut():
			pfail++
		default:
			ok++
		}
	}
	myEpoch := me.configEpoch
	if me.isReplica() && me.master != nil {
		myEpoch = me.master.configEpoch
	}
	state := "ok"
	if cl.state == cluster.StateFail {
		state = "fail"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cluster_state:%s\r\ncluster_slots_assigned:%d\r\ncluster_slots_ok:%d\r\ncluster_slots_pfail:%d\r\ncluster_slots_fail:%d\r\ncluster_known_nodes:%d\r\ncluster_size:%d\r\ncluster_current_epoch:%d\r\ncluster_my_epoch:%d\r\n",
		state, assigned, ok, pfail, fail, len(cl.nodes), cl.size, cl.currentEpoch, myEpoch)
	var sent, recv int64
	for t := range cl.sent {
		if cl.sent[t] == 0 {
			continue
		}
		sent += cl.sent[t]
		fmt.Fprintf(&b, "cluster_stats_messages_%s_sent:%d\r\n", cluster.MsgType(t), cl.sent[t])
	}
	fmt.Fprintf(&b, "cluster_stats_messages_sent:%d\r\n", sent)
	for t := range cl.received {
		if cl.received[t] == 0 {
			continue
		}
		recv += cl.received[t]
		fmt.Fprintf(&b, "cluster_stats_messages_%s_received:%d\r\n", cluster.MsgType(t), cl.received[t])
	}
	fmt.Fprintf(&b, "cluster_stats_messages_received:%d\r\n", recv)
	fmt.Fprintf(&b, "total_cluster_links_buffer_limit_exceeded:%d\r\n", cl.linksBufLimit)
	return b.String()
}

// preferredEndpoint is getPreferredEndpoint.
func (s *Server) preferredEndpoint(n *clusterNode) string {
	switch s.cfg.Cluster.PreferredEndpointType {
	case "hostname":
		if n.hostname != "" {
			return n.hostname
		}
		return "?"
	case "unknown-endpoint":
		return "?"
	}
	return n.ip
}

// writeNodeForSlots is addNodeToNodeReply.
func (s *Server) writeNodeForSlots(c *client, n *clusterNode) {
	c.w.WriteArrayLen(4)
	switch s.cfg.Cluster.PreferredEndpointType {
	case "hostname":
		if n.hostname != "" {
			c.w.WriteBulkString(n.hostname)
		} else {
			c.w.WriteBulkString("?")
		}
	case "unknown-endpoint":
		c.w.WriteNull()
	default:
		c.w.WriteBulkString(n.ip)
	}
	c.w.WriteInt(int64(n.port))
	c.w.WriteBulkString(n.name)
	length := 0
	if s.cfg.Cluster.PreferredEndpointType != "ip" {
		length++
	}
	if s.cfg.Cluster.PreferredEndpointType != "hostname" && n.hostname != "" {
		length++
	}
	c.w.WriteMapLen(length)
	if s.cfg.Cluster.PreferredEndpointType != "ip" {
		c.w.WriteBulkString("ip")
		c.w.WriteBulkString(n.ip)
	}
	if s.cfg.Cluster.PreferredEndpointType != "hostname" && n.hostname != "" {
		c.w.WriteBulkString("hostname")
		c.w.WriteBulkString(n.hostname)
	}
}

// replicaAvailable is isReplicaAvailable.
func (s *Server) replicaAvailable(n *clusterNode) bool {
	if n.failed() {
		return false
	}
	off := n.replOffset
	if n.flags&cluster.FlagMyself != 0 {
		off = s.replicaOffset()
	}
	return off != 0
}

// clusterReplySlots is clusterReplyMultiBulkSlots.
func (s *Server) clusterReplySlots(c *client) {
	cl := s.cl
	type rng struct {
		n          *clusterNode
		start, end int
	}
	var ranges []rng
	cl.slotRuns(func(n *clusterNode, start, end int) { ranges = append(ranges, rng{n, start, end}) })
	c.w.WriteArrayLen(len(ranges))
	for _, r := range ranges {
		var avail []*clusterNode
		for _, rep := range r.n.replicas {
			if s.replicaAvailable(rep) {
				avail = append(avail, rep)
			}
		}
		c.w.WriteArrayLen(3 + len(avail))
		c.w.WriteInt(int64(r.start))
		c.w.WriteInt(int64(r.end))
		s.writeNodeForSlots(c, r.n)
		for _, rep := range avail {
			s.writeNodeForSlots(c, rep)
		}
	}
}

// clusterReplyShards is clusterReplyShards: one entry per master, its
// slot ranges (from the slot table) and its nodes.
func (s *Server) clusterReplyShards(c *client) {
	cl := s.cl
	ranges := map[*clusterNode][]int{}
	cl.slotRuns(func(n *clusterNode, start, end int) { ranges[n] = append(ranges[n], start, end) })
	var masters []*clusterNode
	for _, n := range cl.nodes {
		if n.isMaster() {
			masters = append(masters, n)
		}
	}
	c.w.WriteArrayLen(len(masters))
	for _, m := range masters {
		c.w.WriteMapLen(2)
		c.w.WriteBulkString("slots")
		rs := ranges[m]
		c.w.WriteArrayLen(len(rs))
		for _, x := range rs {
			c.w.WriteInt(int64(x))
		}
		c.w.WriteBulkString("nodes")
		nodes := append([]*clusterNode{m}, m.replicas...)
		c.w.WriteArrayLen(len(nodes))
		for _, n := range nodes {
			s.writeShardNode(c, n)
		}
	}
}

// writeShardNode is addNodeDetailsToShardReply.
func (s *Server) writeShardNode(c *client, n *clusterNode) {
	count := 7
	if n.port == 0 {
		count--
	}
	if n.hostname != "" {
		count++
	}
	c.w.WriteMapLen(count)
	c.w.WriteBulkString("id")
	c.w.WriteBulkString(n.name)
	if n.port != 0 {
		c.w.WriteBulkString("port")
		c.w.WriteInt(int64(n.port))
	}
	c.w.WriteBulkString("ip")
	c.w.WriteBulkString(n.ip)
	c.w.WriteBulkString("endpoint")
	c.w.WriteBulkString(s.preferredEndpoint(n))
	if n.hostname != "" {
		c.w.WriteBulkString("hostname")
		c.w.WriteBulkString(n.hostname)
	}
	off := n.replOffset
	if n.flags&cluster.FlagMyself != 0 {
		if n.isReplica() {
			off = s.replicaOffset()
		} else {
			off = s.offset
		}
	}
	role := "master"
	if n.isReplica() {
		role = "replica"
	}
	c.w.WriteBulkString("role")
	c.w.WriteBulkString(role)
	c.w.WriteBulkString("replication-offset")
	c.w.WriteInt(off)
	health := "online"
	switch {
	case n.failed():
		health = "fail"
	case n.isReplica() && off == 0:
		health = "loading"
	}
	c.w.WriteBulkString("health")
	c.w.WriteBulkString(health)
}

// clusterReplyLinks is CLUSTER LINKS.
func (s *Server) clusterReplyLinks(c *client) {
	var links []*clusterLink
	for _, n := range s.cl.nodes {
		if n.link != nil {
			links = append(links, n.link)
		}
		if n.inboundLink != nil {
			links = append(links, n.inboundLink)
		}
	}
	c.w.WriteArrayLen(len(links))
	for _, l := range links {
		c.w.WriteMapLen(6)
		c.w.WriteBulkString("direction")
		if l.inbound {
			c.w.WriteBulkString("from")
		} else {
			c.w.WriteBulkString("to")
		}
		c.w.WriteBulkString("node")
		c.w.WriteBulkString(l.node.name)
		c.w.WriteBulkString("create-time")
		c.w.WriteInt(l.ctime)
		// The handlers installed: reading once connected, writing while
		// something waits to be sent.
		c.w.WriteBulkString("events")
		ev := ""
		if l.open {
			ev = "r"
		}
		if len(l.sndbuf) > 0 {
			ev += "w"
		}
		c.w.WriteBulkString(ev)
		c.w.WriteBulkString("send-buffer-allocated")
		c.w.WriteInt(0)
		c.w.WriteBulkString("send-buffer-used")
		c.w.WriteInt(0)
	}
}

// clusterReset is clusterReset.
func (s *Server) clusterReset(hard bool) {
	cl := s.cl
	me := cl.myself
	if me.isReplica() {
		s.setNodeAsMaster(me)
		s.unsetMaster()
		s.emptyData()
	}
	cl.closeAllSlots()
	s.resetManualFailover()
	for j := 0; j < cluster.Slots; j++ {
		s.clusterDelSlot(j)
	}
	for _, n := range append([]*clusterNode(nil), cl.nodes...) {
		if n != me {
			s.delNode(n)
		}
	}
	if hard {
		cl.currentEpoch, cl.lastVoteEpoch = 0, 0
		me.configEpoch = 0
		s.env.Logf("configEpoch set to 0 via CLUSTER RESET HARD")
		s.renameNode(me, s.randomName())
		s.env.Logf("Node hard reset, now I'm %.40s", me.name)
	}
	cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
}

// emptyData is emptyData(-1, EMPTYDB_NO_FLAGS): every database flushed.
func (s *Server) emptyData() {
	for _, d := range s.dbs {
		d.flush()
	}
}

// Routing.

// The redirections getNodeByQuery answers with (CLUSTER_REDIR_*).
const (
	redirNone = iota
	redirCrossSlot
	redirUnstable
	redirAsk
	redirMoved
	redirDownState
	redirDownUnbound
	redirDownROState
)

// clusterRedirect is processCommand's cluster check: a command with key
// specs (a shard channel's "not key" spec counts: SPUBLISH, SSUBSCRIBE),
// movable keys, or EXEC, from a client that is not our master, runs here
// only if this node serves its slot; otherwise it is answered with a
// redirection. It reports whether the command was rejected.
func (c *client) clusterRedirect(cmd *command, args [][]byte) bool {
	s := c.s
	if c.isMaster || (len(cmd.keys.specs) == 0 && cmd.keys.proc == nil && cmd.name != "exec") {
		return false
	}
	n, slot, code := s.nodeByQuery(c, cmd, args)
	c.slot = slot
	if n != nil && n == s.cl.myself {
		return false
	}
	if cmd.name == "exec" {
		c.discardTransaction()
	} else if c.multi {
		c.dirtyExec = true
	}
	switch code {
	case redirMoved:
		probeClusterMoved.Reach(s.env)
	case redirAsk:
		probeClusterAsk.Reach(s.env)
	case redirUnstable:
		probeClusterTryAgain.Reach(s.env)
	case redirDownState, redirDownROState, redirDownUnbound:
		probeClusterDown.Reach(s.env)
	}
	msg := s.redirectError(n, slot, code)
	c.w.WriteError(msg)
	s.countRejected(c, msg)
	return true
}

// scriptClusterState is scriptVerifyClusterState: a command a script
// calls in cluster mode must be served here, with the caller's ASKING and
// READONLY, and unless the script may cross slots its keys must stay in
// the slot of the script's first keys. It returns the error, or "".
func (s *Server) scriptClusterState(sc *client, cmd *command, args [][]byte) string {
	caller := s.scriptCaller
	if s.cl == nil || caller == nil || caller.mustObey() {
		return ""
	}
	sc.asking, sc.readonlyCluster = caller.asking, caller.readonlyCluster
	n, slot, code := s.nodeByQuery(sc, cmd, args)
	if n == nil || n != s.cl.myself {
		switch code {
		case redirDownROState:
			return "ERR Script attempted to execute a write command while the cluster is down and readonly"
		case redirDownState:
			return "ERR Script attempted to execute a command while the cluster is down"
		}
		return "ERR Script attempted to access a non local key in a cluster node"
	}
	if slot != -1 && !s.scriptCrossSlot {
		if caller.slot == -1 {
			caller.slot = slot
		} else if caller.slot != slot {
			return "ERR Script attempted to access keys that do not hash to the same slot"
		}
	}
	return ""
}

// redirectError is clusterRedirectClient's error text.
func (s *Server) redirectError(n *clusterNode, slot, code int) string {
	switch code {
	case redirCrossSlot:
		return "CROSSSLOT Keys in request don't hash to the same slot"
	case redirUnstable:
		return "TRYAGAIN Multiple keys request during rehashing of slot"
	case redirDownState:
		return "CLUSTERDOWN The cluster is down"
	case redirDownROState:
		return "CLUSTERDOWN The cluster is down and only accepts read commands"
	case redirDownUnbound:
		return "CLUSTERDOWN Hash slot not served"
	case redirAsk:
		return fmt.Sprintf("ASK %d %s:%d", slot, s.preferredEndpoint(n), n.port)
	}
	return fmt.Sprintf("MOVED %d %s:%d", slot, s.preferredEndpoint(n), n.port)
}

// nodeByQuery is getNodeByQuery: the node that serves the command's keys
// (all in one slot), with the slot and the redirection code.
func (s *Server) nodeByQuery(c *client, cmd *command, args [][]byte) (*clusterNode, int, int) {
	cl := s.cl
	type queued struct {
		cmd  *command
		args [][]byte
	}
	var cmds []queued
	if cmd.name == "exec" {
		if !c.multi {
			return cl.myself, -1, redirNone
		}
		for _, q := range c.queue {
			if qc := s.lookup(q); qc != nil {
				cmds = append(cmds, queued{qc, q})
			}
		}
	} else {
		cmds = []queued{{cmd, args}}
	}
	isShard := cmd.name == "ssubscribe" || cmd.name == "sunsubscribe" || cmd.name == "spublish"
	var n *clusterNode
	var firstKey []byte
	slot := 0
	multipleKeys, migrating, importing := false, false, false
	missing, existing := 0, 0
	for _, q := range cmds {
		// getKeysFromCommand: the getkeys proc or the legacy range,
		// not the key specs.
		one := [1]int{}
		positions := one[:]
		if pos, ok := singleKeyAt(q.cmd.keys, len(q.args)); ok {
			one[0] = pos
		} else {
			positions = q.cmd.keys.legacyPositions(q.args)
		}
		for _, pos := range positions {
			key := q.args[pos]
			thisSlot := cluster.KeyHashSlot(key)
			if firstKey == nil {
				firstKey, slot = key, thisSlot
				n = cl.slots[slot]
				if n == nil {
					return nil, slot, redirDownUnbound
				}
				if n == cl.myself && cl.migratingTo[slot] != nil {
					migrating = true
				} else if cl.importingFrom[slot] != nil {
					importing = true
				}
			} else if string(firstKey) != string(key) {
				if slot != thisSlot {
					return nil, slot, redirCrossSlot
				}
				multipleKeys = true
			}
			if (migrating || importing) && !isShard {
				// LOOKUP_NOEXPIRE: an expired key is missing, and stays.
				if o, ok := s.dbs[0].keys.Get(string(key)); ok && (o.expireAt == 0 || o.expireAt >= s.expireNowMs()) {
					existing++
				} else {
					missing++
				}
			}
		}
	}
	if n == nil {
		return cl.myself, -1, redirNone
	}
	// getCommandFlags: a script or function with flags (a shebang, a
	// function) writes unless it says no-writes, whatever the command
	// (EVAL_RO included); EXEC's queued commands count so too
	// (mstate.cmd_flags).
	isWrite := s.writes(cmd, args)
	if cmd.name == "exec" {
		for _, q := range cmds {
			if s.writes(q.cmd, q.args) {
				isWrite = true
			}
		}
	}
	if cl.state != cluster.StateOK {
		switch {
		case isShard:
			if !s.cfg.Cluster.AllowPubsubshardWhenDown {
				return nil, slot, redirDownState
			}
		case !s.cfg.Cluster.AllowReadsWhenDown:
			return nil, slot, redirDownState
		case s.writes(cmd, args): // the command's own flags, not EXEC's queue's
			return nil, slot, redirDownROState
		}
	}
	if (migrating || importing) && cmd.name == "migrate" {
		return cl.myself, slot, redirNone
	}
	if migrating && missing > 0 {
		if existing > 0 {
			return nil, slot, redirUnstable
		}
		return cl.migratingTo[slot], slot, redirAsk
	}
	if importing && (c.asking || cmd.hasMetaFlag("asking")) {
		if multipleKeys && missing > 0 {
			return nil, slot, redirUnstable
		}
		return cl.myself, slot, redirNone
	}
	me := cl.myself
	if (c.readonlyCluster || isShard) && !isWrite && me.isReplica() && me.master == n {
		return me, slot, redirNone
	}
	if n != me {
		return n, slot, redirMoved
	}
	return n, slot, redirNone
}

// writes is getCommandFlags' CMD_WRITE: the command's flag, or for a
// script or function with flags, unless it says no-writes
// (scriptFlagsToCmdFlags).
func (s *Server) writes(cmd *command, args [][]byte) bool {
	if cmd.flags&flagWrite != 0 {
		return true // no script command has the flag
	}
	if f, ok := s.scriptFlagsOf(cmd, args); ok {
		return f&scripting.FlagNoWrites == 0
	}
	return cmd.flags&flagWrite != 0
}

// singleKeyAt is keys.legacyPositions (and keys.positions) for the layout
// of most commands, one key at a fixed argument (GET, SET, INCR...), found
// without allocating; ok is false for any other layout, or when argc is too
// short for the key, where legacyPositions answers.
func singleKeyAt(keys cmdKeys, argc int) (pos int, ok bool) {
	if keys.proc != nil || len(keys.specs) != 1 {
		return 0, false
	}
	sp := &keys.specs[0]
	if sp.index <= 0 || sp.index >= argc || sp.keyword != "" || sp.keyNum || sp.lastKey != 0 ||
		sp.keyStep <= 0 || sp.incomplete || sp.notKey {
		return 0, false
	}
	return sp.index, true
}

func askingCommand(c *client, args [][]byte) {
	if c.s.cl == nil {
		clusterDisabled(c, args)
		return
	}
	c.asking = true
	c.w.WriteOK()
}

func readonlyCommand(c *client, args [][]byte) {
	if c.s.cl == nil {
		clusterDisabled(c, args)
		return
	}
	c.readonlyCluster = true
	c.w.WriteOK()
}

func readwriteCommand(c *client, args [][]byte) {
	if c.s.cl == nil {
		clusterDisabled(c, args)
		return
	}
	c.readonlyCluster = false
	c.w.WriteOK()
}
