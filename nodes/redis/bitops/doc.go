// Package bitops is the computational core of the simulated Redis 7.0
// node's bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO) and of LCS, ported from src/bitops.c and the LCS
// part of src/t_string.c at tag 7.0.15. It works on string values as
// []byte and on arguments as the node receives them (argv[0] is the command
// name, argv[1] the key), and it never touches a keyspace: the node looks
// keys up, checks their type, stores what comes back and writes the reply.
//
// Each command is split where Redis looks its keys up, so that the node can
// do the lookups (and their side effects: lazy expiry, keyspace hits and
// misses) exactly when Redis does, and so that argument errors and
// WRONGTYPE come in Redis's order:
//
//	SETBIT        ParseSetBit, lookupKeyWrite, SetBit
//	GETBIT        ParseGetBit, lookupKeyRead, GetBit
//	BITCOUNT      lookupKeyRead, BitCount (which parses the range)
//	BITPOS        ParseBitPosBit, lookupKeyRead, BitPos
//	BITOP         ParseBitOp, lookupKeyRead of each source in turn, BitOp
//	BITFIELD(_RO) ParseBitfield, lookupKeyWrite if Bitfield.Writes else
//	              lookupKeyRead, Bitfield.Apply
//	LCS           lookupKeyRead of both keys (ErrLCSKeys if either holds
//	              another type), LCS (which parses the options)
//
// Between the lookup and the last call the node replies WRONGTYPE for a
// key of another type, as Redis's checkType does.
//
// Errors are returned as the text of the error reply ("ERR ..."), the empty
// string meaning none, as the node's writer takes them.
//
// Invariants: every reply, error text and error precedence is Redis
// 7.0.15's, quirks included (keywords compared with C's strcasecmp, so
// "get\x00junk" is GET; BITFIELD types read with strlen; '#' offsets that
// wrap when multiplied; OVERFLOW SAT storing a signed field's maximum for a
// SET of a value near the bottom of int64). Allocation is bounded by the
// proto-max-bulk-len limit the caller passes: an offset whose byte is past
// it is refused with Redis's error before any string grows (a BITFIELD
// field that starts at the last allowed offset may reach 8 bytes further,
// as in Redis), and LCS refuses a table larger than it. Functions that
// write bits (SetBit, Bitfield.Apply) modify the value in place when it
// has room, as append does, and return the string to store; the node,
// which owns the value, must not share it with another key or a pending
// reply.
package bitops
