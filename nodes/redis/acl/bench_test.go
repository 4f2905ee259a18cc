package acl

import "testing"

// BenchmarkCheck measures the per-command permission check: the default
// user (all flags, the common case), and a user with key patterns and a
// selector that must look at the keys.
func BenchmarkCheck(b *testing.B) {
	a := newTestACL(b)
	keys := func([][]byte) []Key { return []Key{{Pos: 1, Flags: KeyRO | KeyAccess}} }
	r := &Request{Command: a.table.Lookup([]byte("get")), Argv: [][]byte{[]byte("get"), []byte("user:1000:name")}, Keys: keys}
	b.Run("default", func(b *testing.B) {
		u := a.Default()
		for b.Loop() {
			if !u.Check(r).OK() {
				b.Fatal("denied")
			}
		}
	})
	b.Run("patterns", func(b *testing.B) {
		_, _, err := a.SetUser([]byte("u"), [][]byte{[]byte("+set"), []byte("~cache:*"), []byte("(+get %R~user:*)")})
		if err != nil {
			b.Fatal(err)
		}
		u := a.User([]byte("u"))
		for b.Loop() {
			if !u.Check(r).OK() {
				b.Fatal("denied")
			}
		}
	})
}
