package rdb

import (
	"hash/crc32"
	"hash/crc64"
)

// checksum is the CRC-64/ECMA of b. ECMA rather than Redis's Jones
// polynomial because the standard library has it, table-driven.
func checksum(b []byte) uint64 {
	return crc64.Checksum(b, crc64.MakeTable(crc64.ECMA))
}

// headerChecksum is the CRC-32 (IEEE) of the header before its hcrc field.
func headerChecksum(b []byte) uint32 {
	return crc32.ChecksumIEEE(b)
}
