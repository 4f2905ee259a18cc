package cluster

// Msg is one cluster bus message (clusterMsg): the fixed header and the body
// its Type selects. Only the body fields of that type are marshaled; the
// others are ignored.
type Msg struct {
	// TotLen is the message length in bytes as parsed. Marshal ignores it
	// and writes the length it computes, as each clusterSend* function does.
	TotLen uint32
	// Type selects the body.
	Type MsgType
	// Count is the header's count field. For PING, PONG and MEET, Marshal
	// writes len(Gossip) instead; other types send 0.
	Count uint16
	// Port is the sender's announced client port.
	Port uint16
	// CurrentEpoch is the sender's currentEpoch.
	CurrentEpoch uint64
	// ConfigEpoch is the sender's configEpoch, or its master's for a replica.
	ConfigEpoch uint64
	// Offset is the sender's replication offset (master_repl_offset for a
	// master, the processed offset for a replica).
	Offset uint64
	// Sender is the sender's node ID.
	Sender Name
	// MySlots is the sender's slots, or its master's for a replica.
	MySlots Bitmap
	// SlaveOf is the sender's master, zero for a master.
	SlaveOf Name
	// MyIP is the sender's cluster-announce-ip, all zero when it announces
	// none (the receiver then uses the connection's peer address).
	MyIP IP
	// Extensions is the header's extensions count. For PING, PONG and MEET,
	// Marshal writes len(Exts) instead.
	Extensions uint16
	// Reserved is notused1, zero as Redis sends it; kept so that a parsed
	// message marshals back to the same bytes.
	Reserved [30]byte
	// PPort is the sender's plaintext client port when Port is TLS, else 0.
	PPort uint16
	// CPort is the sender's announced cluster bus port.
	CPort uint16
	// Flags is the sender's own flags, FlagMyself included.
	Flags NodeFlags
	// State is the cluster state as the sender sees it: StateOK or StateFail.
	State uint8
	// MFlags are the message flags; MFlags[0] holds the MFlag0* bits.
	// Marshal sets MFlag0ExtData when Exts is not empty.
	MFlags [3]byte

	// Gossip is the gossip section of a PING, PONG or MEET.
	Gossip []Gossip
	// Exts are the ping extensions of a PING, PONG or MEET. Parse reads them
	// only when MFlag0ExtData is set, as Redis validates them only then.
	Exts []PingExt
	// About is the failing node of a FAIL.
	About Name
	// Channel and Message are the body of a PUBLISH or PUBLISHSHARD.
	Channel, Message []byte
	// Update is the body of an UPDATE (nil marshals as all zeros).
	Update *Update
	// Module is the body of a MODULE.
	Module Module
	// Body is the body of a message of a type Redis does not know, which
	// Redis accepts at any length.
	Body []byte
}

// Gossip is one entry of a gossip section (clusterMsgDataGossip): what the
// sender knows of another node.
type Gossip struct {
	// Name is the node's ID.
	Name Name
	// PingSentSec and PongReceivedSec are the sender's ping_sent and
	// pong_received for the node in seconds (milliseconds / 1000, cut to
	// 32 bits); 0 means no ping pending and no pong ever.
	PingSentSec, PongReceivedSec uint32
	// IP is the node's address.
	IP IP
	// Port, CPort and PPort are its client, bus and plaintext ports.
	Port, CPort uint16
	// Flags are its flags as the sender sees them.
	Flags NodeFlags
	PPort uint16
	// Reserved is notused1, zero as Redis sends it.
	Reserved uint16
}

// PingExt is one ping extension (clusterMsgPingExt) after the gossip
// section. Its length on the wire is PingExtLen+len(Data), and Data is
// padded with zeros to a multiple of 8 bytes when marshaled.
type PingExt struct {
	// Type is the extension type, ExtHostname in 7.0.
	Type uint16
	// Reserved is the header's unused padding field.
	Reserved uint16
	// Data is the extension's content after its 8-byte header.
	Data []byte
}

// HostnameExt is the extension writeHostnamePingExt writes for a node
// announcing hostname: the name, a NUL byte, zeros up to a multiple of 8.
func HostnameExt(hostname string) PingExt {
	data := make([]byte, align8(len(hostname)+1))
	copy(data, hostname)
	return PingExt{Type: ExtHostname, Data: data}
}

// Hostname is the announced hostname of a hostname extension: its data up
// to the first NUL byte, as Redis reads it.
func (e PingExt) Hostname() string { return cString(e.Data) }

// Hostname is the hostname the sender announces in its last hostname
// extension, "" when it sends none (Redis then clears the sender's
// hostname).
func (m *Msg) Hostname() string {
	h := ""
	for _, e := range m.Exts {
		if e.Type == ExtHostname {
			h = e.Hostname()
		}
	}
	return h
}

// Update is the body of an UPDATE (clusterMsgDataUpdate): the slots a node
// owns at a config epoch, sent to a node whose view is stale.
type Update struct {
	ConfigEpoch uint64
	Name        Name
	Slots       Bitmap
}

// Module is the body of a MODULE message (clusterMsgModule).
type Module struct {
	// ID is the sending module's ID. Redis copies it to and from the wire
	// without byte-order conversion, so it travels in the host order of
	// the sender: little-endian on the x86 and ARM machines Redis runs on,
	// which is how Marshal writes it.
	ID uint64
	// Type is the module's message type, 0 to 255.
	Type uint8
	// Payload is the message content.
	Payload []byte
}

func align8(n int) int { return (n + 7) / 8 * 8 }
