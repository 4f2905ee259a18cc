package digest

import "crypto/sha1"

// Size is the length of a digest in bytes (a SHA-1).
const Size = sha1.Size

// xorInto is Redis's xorDigest: d ^= SHA1(data). Being commutative, it
// "adds" unordered elements.
func xorInto(d *[Size]byte, data []byte) {
	h := sha1.Sum(data)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mixInto is Redis's mixDigest: d = SHA1(d ^ SHA1(data)). Feeding d back in
// makes the result depend on the order of calls and on where one datum ends
// and the next begins.
func mixInto(d *[Size]byte, data []byte) {
	xorInto(d, data)
	*d = sha1.Sum(d[:])
}

// xorDigest xors one finished digest into another, as Redis does with
// xorDigest(digest, eledigest, 20): the 20 bytes are hashed, not xored raw.
func xorDigest(d *[Size]byte, e *[Size]byte) {
	xorInto(d, e[:])
}
