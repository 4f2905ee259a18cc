package cluster

// Slots is the number of hash slots of a Redis Cluster (CLUSTER_SLOTS).
const Slots = 16384

// KeyHashSlot is the hash slot of key, as keyHashSlot computes it: the low
// 14 bits of the CRC16 of the key, or of its hash tag. The tag is what lies
// between the first '{' and the first '}' after it; when there is no such
// '}', or nothing between the braces, the whole key is hashed.
func KeyHashSlot(key []byte) int {
	open := -1
	for i, c := range key {
		if c == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return int(crc16(key) & (Slots - 1))
	}
	for i := open + 1; i < len(key); i++ {
		if key[i] == '}' {
			if i == open+1 {
				break // "{}": an empty tag hashes the whole key
			}
			return int(crc16(key[open+1:i]) & (Slots - 1))
		}
	}
	return int(crc16(key) & (Slots - 1))
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0, no
// reflection, no final xor), the variant crc16.c implements.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^c]
	}
	return crc
}

// crc16Table holds crc16 of each single byte; it is the table of crc16.c,
// derived here from the polynomial rather than copied.
var crc16Table = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()
