package cluster

import "strings"

// Sizes of the cluster bus structures of cluster.h, in bytes.
const (
	NameLen    = 40    // CLUSTER_NAMELEN: a node ID, 40 lowercase hex characters
	IPLen      = 46    // NET_IP_STR_LEN: an IP address field, NUL-terminated
	BitmapLen  = 2048  // CLUSTER_SLOTS/8: a slot bitmap
	HeaderLen  = 2256  // CLUSTERMSG_MIN_LEN: the fixed header every message starts with
	GossipLen  = 104   // sizeof(clusterMsgDataGossip)
	FailLen    = 40    // sizeof(clusterMsgDataFail)
	UpdateLen  = 2096  // sizeof(clusterMsgDataUpdate)
	MaxMsgLen  = 4352  // sizeof(clusterMsg): the header and its largest body (UPDATE)
	PingExtLen = 8     // sizeof(clusterMsgPingExt): an extension's own header
	PortIncr   = 10000 // CLUSTER_PORT_INCR: the bus port when none is announced
)

// ProtoVer is the only bus protocol version Redis accepts (CLUSTER_PROTO_VER).
const ProtoVer = 1

// Signature opens every message ("Redis Cluster message bus").
const Signature = "RCmb"

// MsgType is the type field of a message header (CLUSTERMSG_TYPE_*).
type MsgType uint16

// The message types of Redis 7.0.
const (
	TypePing                MsgType = 0
	TypePong                MsgType = 1
	TypeMeet                MsgType = 2
	TypeFail                MsgType = 3
	TypePublish             MsgType = 4
	TypeFailoverAuthRequest MsgType = 5
	TypeFailoverAuthAck     MsgType = 6
	TypeUpdate              MsgType = 7
	TypeMFStart             MsgType = 8
	TypeModule              MsgType = 9
	TypePublishShard        MsgType = 10
	TypeCount               MsgType = 11 // CLUSTERMSG_TYPE_COUNT: types below it are counted in CLUSTER INFO
)

var typeNames = [TypeCount]string{
	"ping", "pong", "meet", "fail", "publish", "auth-req", "auth-ack",
	"update", "mfstart", "module", "publishshard",
}

// String is the name clusterGetMessageTypeString gives the type, as in
// CLUSTER INFO's cluster_stats_messages_<name>_sent and Redis's log lines;
// "unknown" for a type Redis does not know.
func (t MsgType) String() string {
	if t < TypeCount {
		return typeNames[t]
	}
	return "unknown"
}

// isPing reports whether messages of type t carry a gossip section.
func (t MsgType) isPing() bool { return t == TypePing || t == TypePong || t == TypeMeet }

// NodeFlags are a node's CLUSTER_NODE_* flags, as the header's and a gossip
// entry's flags field carry them and nodes.conf spells them.
type NodeFlags uint16

// The node flags of cluster.h.
const (
	FlagMaster     NodeFlags = 1   // a master
	FlagSlave      NodeFlags = 2   // a replica
	FlagPFail      NodeFlags = 4   // failure suspected, not yet agreed ("fail?")
	FlagFail       NodeFlags = 8   // failure agreed by a majority of masters
	FlagMyself     NodeFlags = 16  // this node
	FlagHandshake  NodeFlags = 32  // met, first PONG not yet received
	FlagNoAddr     NodeFlags = 64  // address unknown
	FlagMeet       NodeFlags = 128 // a MEET is to be sent to this node
	FlagMigrateTo  NodeFlags = 256 // master eligible for replica migration
	FlagNoFailover NodeFlags = 512 // replica will not try to fail over
)

// flagNames is redisNodeFlagsTable: the flags nodes.conf and CLUSTER NODES
// print, in the order they print them. MEET and MIGRATE_TO never print.
var flagNames = []struct {
	flag NodeFlags
	name string
}{
	{FlagMyself, "myself"}, {FlagMaster, "master"}, {FlagSlave, "slave"},
	{FlagPFail, "fail?"}, {FlagFail, "fail"}, {FlagHandshake, "handshake"},
	{FlagNoAddr, "noaddr"}, {FlagNoFailover, "nofailover"},
}

// String is the flags as representClusterNodeFlags writes them:
// "myself,master", or "noflags" when none of the printed flags is set.
func (f NodeFlags) String() string {
	var b strings.Builder
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(fn.name)
		}
	}
	if b.Len() == 0 {
		return "noflags"
	}
	return b.String()
}

// Message flags, in a header's MFlags[0] (CLUSTERMSG_FLAG0_*).
const (
	MFlag0Paused   = 1 << 0 // the sending master is paused for a manual failover
	MFlag0ForceAck = 1 << 1 // vote for this AUTH_REQUEST even though the master is up
	MFlag0ExtData  = 1 << 2 // a PING, PONG or MEET carries extensions after its gossip
)

// Cluster states, in a header's State (CLUSTER_OK, CLUSTER_FAIL).
const (
	StateOK   = 0
	StateFail = 1
)

// Ping extension types (clusterMsgPingtypes).
const (
	ExtHostname uint16 = 0 // the sender's cluster-announce-hostname, NUL-terminated
)

// Name is a node ID as the bus carries it: 40 bytes, normally lowercase hex.
// The zero Name is all NUL bytes (CLUSTER_NODE_NULL_NAME: "no master").
type Name [NameLen]byte

// NameOf makes a Name of s, which should be 40 characters long; a shorter s
// is padded with NUL bytes and a longer one cut.
func NameOf(s string) Name {
	var n Name
	copy(n[:], s)
	return n
}

// String is the name as text, without trailing NUL bytes.
func (n Name) String() string { return cString(n[:]) }

// IsZero reports whether n is the null name.
func (n Name) IsZero() bool { return n == Name{} }

// IP is an address field (a header's myip, a gossip entry's ip): text
// terminated by a NUL byte; the bytes after it travel too, and are kept so
// that a parsed message marshals back to the same bytes.
type IP [IPLen]byte

// IPOf makes an IP field holding s, cut to 45 bytes as strncpy with
// NET_IP_STR_LEN-1 cuts it.
func IPOf(s string) IP {
	var ip IP
	copy(ip[:IPLen-1], s)
	return ip
}

// String is the address up to its first NUL byte.
func (ip IP) String() string { return cString(ip[:]) }

// Bitmap is a slot bitmap (myslots, an UPDATE's slots): slot s is bit s%8
// of byte s/8, as clusterNodeSetSlotBit sets it.
type Bitmap [BitmapLen]byte

// Has reports whether slot s is set.
func (b *Bitmap) Has(s int) bool { return b[s>>3]&(1<<(s&7)) != 0 }

// Set sets slot s.
func (b *Bitmap) Set(s int) { b[s>>3] |= 1 << (s & 7) }

// Clear clears slot s.
func (b *Bitmap) Clear(s int) { b[s>>3] &^= 1 << (s & 7) }

// Count is the number of slots set.
func (b *Bitmap) Count() int {
	n := 0
	for _, c := range b {
		for ; c != 0; c &= c - 1 {
			n++
		}
	}
	return n
}

// cString is b up to its first NUL byte, as C string functions read it.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
