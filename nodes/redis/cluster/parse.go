package cluster

import (
	"encoding/binary"
	"fmt"
)

// PacketError says why a message is refused and what Redis does about it.
type PacketError struct {
	// CloseLink is true when Redis frees the link (a bad signature or
	// length in the first 8 bytes, found by clusterReadHandler); otherwise
	// Redis drops the packet and keeps reading the link.
	CloseLink bool
	// Log is the warning Redis logs, "" when it drops the packet silently.
	Log string
	// Reason says what is wrong with the bytes.
	Reason string
}

func (e *PacketError) Error() string { return "cluster bus: " + e.Reason }

// badFrameLog is what clusterReadHandler logs before freeing the link.
const badFrameLog = "Bad message length or signature received from Cluster bus."

// FrameLen is how many bytes the message at the start of stream takes: 8
// while fewer than 8 bytes have arrived (the signature and totlen come
// first), then the header's totlen. A reader waits until it holds that many
// bytes and passes exactly them to Parse. The error, when the signature is
// not "RCmb" or totlen is below HeaderLen, is one on which Redis closes the
// link.
func FrameLen(stream []byte) (int, error) {
	if len(stream) < 8 {
		return 8, nil
	}
	if string(stream[offSig:offSig+4]) != Signature {
		return 0, &PacketError{CloseLink: true, Log: badFrameLog,
			Reason: fmt.Sprintf("signature is %q, want %q", stream[offSig:offSig+4], Signature)}
	}
	n := be.Uint32(stream[offTotLen:])
	if n < HeaderLen {
		return 0, &PacketError{CloseLink: true, Log: badFrameLog,
			Reason: fmt.Sprintf("totlen %d is below the header's %d bytes", n, HeaderLen)}
	}
	return int(n), nil
}

// Parse decodes one message, buf being exactly the bytes FrameLen framed.
// It refuses what clusterReadHandler and clusterProcessPacket refuse: a bad
// signature or totlen, a version other than 1, a length that disagrees
// with what the type and its counts imply, ping extensions not padded to 8
// bytes or running past the end. A type Redis does not know is accepted
// with its body in Body, as Redis accepts it. Parse copies what it keeps:
// buf may be reused afterwards.
func Parse(buf []byte) (Msg, error) {
	var m Msg
	err := ParseInto(&m, buf)
	return m, err
}

// ParseInto is Parse into m, reusing the space of m's gossip and
// extension sections: a link parses every message into one Msg.
func ParseInto(m *Msg, buf []byte) error {
	gossip, exts := m.Gossip[:0], m.Exts[:0]
	*m = Msg{Gossip: gossip, Exts: exts}
	n, err := FrameLen(buf)
	if err != nil {
		return err
	}
	if len(buf) < 8 {
		return &PacketError{Reason: fmt.Sprintf("%d bytes are fewer than the 8 of signature and totlen", len(buf))}
	}
	if n != len(buf) {
		return &PacketError{Reason: fmt.Sprintf("buffer holds %d bytes, the header's totlen says %d", len(buf), n)}
	}
	totlen := uint32(n)
	if v := be.Uint16(buf[offVer:]); v != ProtoVer {
		return &PacketError{Reason: fmt.Sprintf("protocol version %d, Redis handles only %d", v, ProtoVer)}
	}

	m.TotLen = totlen
	m.Type = MsgType(be.Uint16(buf[offType:]))
	m.Count = be.Uint16(buf[offCount:])
	m.Port = be.Uint16(buf[offPort:])
	m.CurrentEpoch = be.Uint64(buf[offCurrentEpoch:])
	m.ConfigEpoch = be.Uint64(buf[offConfigEpoch:])
	m.Offset = be.Uint64(buf[offOffset:])
	copy(m.Sender[:], buf[offSender:])
	copy(m.MySlots[:], buf[offMySlots:])
	copy(m.SlaveOf[:], buf[offSlaveOf:])
	copy(m.MyIP[:], buf[offMyIP:])
	m.Extensions = be.Uint16(buf[offExtensions:])
	copy(m.Reserved[:], buf[offNotused1:])
	m.PPort = be.Uint16(buf[offPPort:])
	m.CPort = be.Uint16(buf[offCPort:])
	m.Flags = NodeFlags(be.Uint16(buf[offFlags:]))
	m.State = buf[offState]
	copy(m.MFlags[:], buf[offMFlags:])

	body := buf[offData:]
	// explen is computed in 32 bits, as Redis computes it, overflow and all.
	explen := uint32(HeaderLen)
	switch m.Type {
	case TypePing, TypePong, TypeMeet:
		explen += GossipLen * uint32(m.Count)
		if m.MFlags[0]&MFlag0ExtData != 0 {
			if err := m.parseExts(buf, totlen, &explen); err != nil {
				return err
			}
		} else if m.Extensions != 0 {
			// Redis validates extensions only under the flag but walks
			// them regardless, reading past the packet; no sender does this.
			return &PacketError{Reason: fmt.Sprintf("%s announces %d extensions without the extension flag; Redis would read them past the packet", m.Type, m.Extensions)}
		}
	case TypeFail:
		explen += FailLen
	case TypePublish, TypePublishShard:
		if len(body) < publishFixedLen {
			return m.short("its channel and message lengths")
		}
		explen += publishFixedLen + be.Uint32(body[0:]) + be.Uint32(body[4:])
	case TypeFailoverAuthRequest, TypeFailoverAuthAck, TypeMFStart:
	case TypeUpdate:
		explen += UpdateLen
	case TypeModule:
		if len(body) < moduleFixedLen {
			return m.short("its module header")
		}
		explen += moduleFixedLen + be.Uint32(body[8:])
	default:
		explen = totlen
	}
	if explen != totlen {
		return &PacketError{
			Log:    fmt.Sprintf("Received invalid %s packet of length %d but expected length %d", m.Type, totlen, explen),
			Reason: fmt.Sprintf("%s message of %d bytes, its type and counts make it %d", m.Type, totlen, explen),
		}
	}

	switch m.Type {
	case TypePing, TypePong, TypeMeet:
		if m.Count > 0 {
			if cap(m.Gossip) >= int(m.Count) {
				m.Gossip = m.Gossip[:m.Count]
			} else {
				m.Gossip = make([]Gossip, m.Count)
			}
			for i := range m.Gossip {
				m.Gossip[i].get(body[i*GossipLen:])
			}
		}
	case TypeFail:
		copy(m.About[:], body)
	case TypePublish, TypePublishShard:
		cl, ml := uint64(be.Uint32(body[0:])), uint64(be.Uint32(body[4:]))
		if publishFixedLen+cl+ml != uint64(len(body)) {
			return &PacketError{Reason: fmt.Sprintf("publish lengths %d and %d overflow 32 bits; Redis would copy past the packet", cl, ml)}
		}
		m.Channel = clone(body[publishFixedLen : publishFixedLen+cl])
		m.Message = clone(body[publishFixedLen+cl:])
	case TypeUpdate:
		u := &Update{ConfigEpoch: be.Uint64(body)}
		copy(u.Name[:], body[8:])
		copy(u.Slots[:], body[8+NameLen:])
		m.Update = u
	case TypeModule:
		if uint64(len(body)) != moduleFixedLen+uint64(be.Uint32(body[8:])) {
			return &PacketError{Reason: "module payload length overflows 32 bits; Redis would copy past the packet"}
		}
		m.Module = Module{
			ID:      binary.LittleEndian.Uint64(body),
			Type:    body[12],
			Payload: clone(body[moduleFixedLen:]),
		}
	case TypeFailoverAuthRequest, TypeFailoverAuthAck, TypeMFStart:
	default:
		m.Body = clone(body)
	}
	return nil
}

// parseExts validates the ping extensions as clusterProcessPacket does,
// adding their lengths to explen, and decodes them into m.Exts.
func (m *Msg) parseExts(buf []byte, totlen uint32, explen *uint32) error {
	p := HeaderLen + GossipLen*int(m.Count)
	for range m.Extensions {
		if p < 0 || p+PingExtLen > len(buf) {
			return &PacketError{Reason: fmt.Sprintf("%s extension header at byte %d lies past the %d-byte packet; Redis would read past it", m.Type, p, len(buf))}
		}
		full := be.Uint32(buf[p:])
		extlen := uint16(full) // Redis keeps the length in 16 bits here
		if extlen%8 != 0 {
			return &PacketError{
				Log:    fmt.Sprintf("Received a %s packet without proper padding (%d bytes)", m.Type, extlen),
				Reason: fmt.Sprintf("%s extension of %d bytes is not a multiple of 8", m.Type, extlen),
			}
		}
		if totlen-*explen < uint32(extlen) {
			return &PacketError{
				Log:    fmt.Sprintf("Received invalid %s packet with extension data that exceeds total packet length (%d)", m.Type, totlen),
				Reason: fmt.Sprintf("%s extension of %d bytes runs past the %d-byte packet", m.Type, extlen, totlen),
			}
		}
		*explen += uint32(extlen)
		if full != uint32(extlen) || full < PingExtLen || p+int(full) > len(buf) {
			return &PacketError{Reason: fmt.Sprintf("%s extension length %d is below 8 or past the packet; Redis would read out of bounds", m.Type, full)}
		}
		m.Exts = append(m.Exts, PingExt{
			Type:     be.Uint16(buf[p+4:]),
			Reserved: be.Uint16(buf[p+6:]),
			Data:     clone(buf[p+PingExtLen : p+int(full)]),
		})
		p += int(full)
	}
	return nil
}

func (m *Msg) short(what string) error {
	return &PacketError{Reason: fmt.Sprintf("%s message of %d bytes is too short to hold %s; Redis would read past it", m.Type, m.TotLen, what)}
}

func (g *Gossip) get(b []byte) {
	copy(g.Name[:], b[gossipOffName:])
	g.PingSentSec = be.Uint32(b[gossipOffPingSent:])
	g.PongReceivedSec = be.Uint32(b[gossipOffPongRecv:])
	copy(g.IP[:], b[gossipOffIP:])
	g.Port = be.Uint16(b[gossipOffPort:])
	g.CPort = be.Uint16(b[gossipOffCPort:])
	g.Flags = NodeFlags(be.Uint16(b[gossipOffFlags:]))
	g.PPort = be.Uint16(b[gossipOffPPort:])
	g.Reserved = be.Uint16(b[gossipOffNotused1:])
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// FrameType is the type field of a frame FrameLen framed (at least
// HeaderLen bytes), whether or not Parse accepts the rest: Redis counts a
// message as received by its type before its other checks.
func FrameType(frame []byte) uint16 { return be.Uint16(frame[offType:]) }
