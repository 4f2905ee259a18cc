package cluster

import (
	"encoding/binary"
	"fmt"
)

// Byte offsets of the header fields (the static_asserts of cluster.h) and of
// the fields of a gossip entry. Every integer is big-endian (htons, htonl,
// htonu64) except a MODULE's ID.
const (
	offSig          = 0
	offTotLen       = 4
	offVer          = 8
	offPort         = 10
	offType         = 12
	offCount        = 14
	offCurrentEpoch = 16
	offConfigEpoch  = 24
	offOffset       = 32
	offSender       = 40
	offMySlots      = 80
	offSlaveOf      = 2128
	offMyIP         = 2168
	offExtensions   = 2214
	offNotused1     = 2216
	offPPort        = 2246
	offCPort        = 2248
	offFlags        = 2250
	offState        = 2252
	offMFlags       = 2253
	offData         = HeaderLen

	gossipOffName     = 0
	gossipOffPingSent = 40
	gossipOffPongRecv = 44
	gossipOffIP       = 48
	gossipOffPort     = 94
	gossipOffCPort    = 96
	gossipOffFlags    = 98
	gossipOffPPort    = 100
	gossipOffNotused1 = 102

	// A PUBLISH body is two lengths and the bytes; clusterMsgDataPublish
	// declares 8 placeholder bytes of data that its totlen subtracts again.
	publishFixedLen = 8
	// A MODULE body is the ID, the length, the type and then the payload;
	// the struct's 3 placeholder bytes are likewise subtracted.
	moduleFixedLen = 13
)

var be = binary.BigEndian

// Len is the length Marshal gives m: the totlen the matching clusterSend*
// function computes.
func (m *Msg) Len() int {
	n := HeaderLen
	switch m.Type {
	case TypePing, TypePong, TypeMeet:
		n += GossipLen * len(m.Gossip)
		for _, e := range m.Exts {
			n += PingExtLen + align8(len(e.Data))
		}
	case TypeFail:
		n += FailLen
	case TypePublish, TypePublishShard:
		n += publishFixedLen + len(m.Channel) + len(m.Message)
	case TypeFailoverAuthRequest, TypeFailoverAuthAck, TypeMFStart:
	case TypeUpdate:
		n += UpdateLen
	case TypeModule:
		n += moduleFixedLen + len(m.Module.Payload)
	default:
		n += len(m.Body)
	}
	return n
}

// Marshal is m in its wire form.
func (m *Msg) Marshal() []byte { return m.AppendTo(make([]byte, 0, m.Len())) }

// AppendTo appends m in its wire form to dst. It panics when a count does
// not fit its 16-bit field (more than 65535 gossip entries or extensions),
// which no caller following Redis can reach.
func (m *Msg) AppendTo(dst []byte) []byte {
	total := m.Len()
	start := len(dst)
	dst = append(dst, make([]byte, total)...)
	b := dst[start:]

	count, exts, mflags := m.Count, m.Extensions, m.MFlags
	if m.Type.isPing() {
		count, exts = u16(len(m.Gossip), "gossip entries"), u16(len(m.Exts), "extensions")
		if len(m.Exts) > 0 {
			mflags[0] |= MFlag0ExtData
		}
	}
	copy(b[offSig:], Signature)
	be.PutUint32(b[offTotLen:], uint32(total))
	be.PutUint16(b[offVer:], ProtoVer)
	be.PutUint16(b[offPort:], m.Port)
	be.PutUint16(b[offType:], uint16(m.Type))
	be.PutUint16(b[offCount:], count)
	be.PutUint64(b[offCurrentEpoch:], m.CurrentEpoch)
	be.PutUint64(b[offConfigEpoch:], m.ConfigEpoch)
	be.PutUint64(b[offOffset:], m.Offset)
	copy(b[offSender:], m.Sender[:])
	copy(b[offMySlots:], m.MySlots[:])
	copy(b[offSlaveOf:], m.SlaveOf[:])
	copy(b[offMyIP:], m.MyIP[:])
	be.PutUint16(b[offExtensions:], exts)
	copy(b[offNotused1:], m.Reserved[:])
	be.PutUint16(b[offPPort:], m.PPort)
	be.PutUint16(b[offCPort:], m.CPort)
	be.PutUint16(b[offFlags:], uint16(m.Flags))
	b[offState] = m.State
	copy(b[offMFlags:], mflags[:])

	body := b[offData:]
	switch m.Type {
	case TypePing, TypePong, TypeMeet:
		for i := range m.Gossip {
			m.Gossip[i].put(body[i*GossipLen:])
		}
		p := len(m.Gossip) * GossipLen
		for _, e := range m.Exts {
			n := PingExtLen + align8(len(e.Data))
			be.PutUint32(body[p:], uint32(n))
			be.PutUint16(body[p+4:], e.Type)
			be.PutUint16(body[p+6:], e.Reserved)
			copy(body[p+PingExtLen:], e.Data)
			p += n
		}
	case TypeFail:
		copy(body, m.About[:])
	case TypePublish, TypePublishShard:
		be.PutUint32(body[0:], uint32(len(m.Channel)))
		be.PutUint32(body[4:], uint32(len(m.Message)))
		copy(body[publishFixedLen:], m.Channel)
		copy(body[publishFixedLen+len(m.Channel):], m.Message)
	case TypeFailoverAuthRequest, TypeFailoverAuthAck, TypeMFStart:
	case TypeUpdate:
		if u := m.Update; u != nil {
			be.PutUint64(body[0:], u.ConfigEpoch)
			copy(body[8:], u.Name[:])
			copy(body[8+NameLen:], u.Slots[:])
		}
	case TypeModule:
		binary.LittleEndian.PutUint64(body[0:], m.Module.ID)
		be.PutUint32(body[8:], uint32(len(m.Module.Payload)))
		body[12] = m.Module.Type
		copy(body[moduleFixedLen:], m.Module.Payload)
	default:
		copy(body, m.Body)
	}
	return dst
}

func (g *Gossip) put(b []byte) {
	copy(b[gossipOffName:], g.Name[:])
	be.PutUint32(b[gossipOffPingSent:], g.PingSentSec)
	be.PutUint32(b[gossipOffPongRecv:], g.PongReceivedSec)
	copy(b[gossipOffIP:], g.IP[:])
	be.PutUint16(b[gossipOffPort:], g.Port)
	be.PutUint16(b[gossipOffCPort:], g.CPort)
	be.PutUint16(b[gossipOffFlags:], uint16(g.Flags))
	be.PutUint16(b[gossipOffPPort:], g.PPort)
	be.PutUint16(b[gossipOffNotused1:], g.Reserved)
}

func u16(n int, what string) uint16 {
	if n > 0xffff {
		panic(fmt.Sprintf("cluster: %d %s do not fit a message's 16-bit count", n, what))
	}
	return uint16(n)
}
