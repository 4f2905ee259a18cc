package acl

import (
	"strings"
	"testing"
)

// req builds a request whose keys are the given argv positions with
// flags, and whose channels (if chFlags != 0) are every argument.
func req(a *ACL, line string, keys map[int]KeyFlags, chFlags ChannelFlags) *Request {
	argv := [][]byte{}
	for _, f := range strings.Fields(line) {
		argv = append(argv, []byte(f))
	}
	name := string(argv[0])
	if c := a.table.Lookup(argv[0]); c != nil && c.Subcommands != nil {
		name += "|" + string(argv[1])
	}
	r := &Request{Command: a.table.Lookup([]byte(name)), Argv: argv}
	if keys != nil {
		r.Keys = func([][]byte) []Key {
			var out []Key
			for i := 1; i < len(argv); i++ {
				if f, ok := keys[i]; ok {
					out = append(out, Key{Pos: i, Flags: f})
				}
			}
			return out
		}
	}
	if chFlags != 0 {
		r.Channels = func(argv [][]byte) []Channel {
			var out []Channel
			for i := 1; i < len(argv); i++ {
				out = append(out, Channel{Pos: i, Flags: chFlags})
			}
			return out
		}
	}
	return r
}

const (
	readKey  = KeyRO | KeyAccess
	writeKey = KeyOW | KeyUpdate
	rwKey    = KeyRW | KeyAccess | KeyUpdate
)

func TestCheck(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u", "on", "+get", "+set", "+del", "+publish", "+psubscribe", "+select|0",
		"%R~r*", "%W~w*", "~rw*", "&ch*", "(+config|get ~sel*)"); err != nil {
		t.Fatal(err)
	}
	u := a.User([]byte("u"))
	cases := []struct {
		name string
		r    *Request
		want Verdict
	}{
		{"read a read key", req(a, "get r1", map[int]KeyFlags{1: readKey}, 0), Verdict{}},
		{"read a write-only key", req(a, "get w1", map[int]KeyFlags{1: readKey}, 0), Verdict{DeniedKey, 1}},
		{"write a write key", req(a, "set w1 v", map[int]KeyFlags{1: writeKey}, 0), Verdict{}},
		{"write a read-only key", req(a, "set r1 v", map[int]KeyFlags{1: writeKey}, 0), Verdict{DeniedKey, 1}},
		{"read-write needs both", req(a, "set rw1 v", map[int]KeyFlags{1: rwKey}, 0), Verdict{}},
		{"a key without access flags needs only a match", req(a, "get w1", map[int]KeyFlags{1: KeyRO}, 0), Verdict{}},
		{"delete needs write", req(a, "del r1 w1", map[int]KeyFlags{1: KeyRM | KeyDelete, 2: KeyRM | KeyDelete}, 0), Verdict{DeniedKey, 1}},
		{"command not allowed", req(a, "config set x y", nil, 0), Verdict{Reason: DeniedCommand}},
		{"selector allows the subcommand", req(a, "config get sel", nil, 0), Verdict{}},
		{"first-arg allowed", req(a, "select 0", nil, 0), Verdict{}},
		{"first-arg not allowed", req(a, "select 1", nil, 0), Verdict{Reason: DeniedCommand}},
		{"no-auth commands pass the command check", req(a, "auth x", nil, 0), Verdict{}},
		{"publish to an allowed channel", req(a, "publish ch1", nil, ChannelPublish), Verdict{}},
		{"publish elsewhere", req(a, "publish x", nil, ChannelPublish), Verdict{DeniedChannel, 1}},
		{"psubscribe to an allowed pattern literally", req(a, "psubscribe ch*", nil, ChannelSubscribe|ChannelPattern), Verdict{}},
		{"psubscribe to a narrower pattern", req(a, "psubscribe ch1*", nil, ChannelSubscribe|ChannelPattern), Verdict{DeniedChannel, 1}},
		{"unsubscribing is never checked", req(a, "publish x", nil, ChannelUnsubscribe), Verdict{}},
	}
	for _, c := range cases {
		if got := u.Check(c.r); got.Reason != c.want.Reason || (got.Reason != DeniedCommand && got.Pos != c.want.Pos) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestCheckPicksTheRelevantError: when every selector denies, a channel
// denial beats a key denial beats a command denial, and among equal
// reasons the highest position wins.
func TestCheckPicksTheRelevantError(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u", "on", "+del", "~a*", "(+del ~b*)", "(+get)"); err != nil {
		t.Fatal(err)
	}
	u := a.User([]byte("u"))
	del := func(line string) *Request {
		keys := map[int]KeyFlags{}
		for i := 1; i < len(strings.Fields(line)); i++ {
			keys[i] = KeyRM | KeyDelete
		}
		return req(a, line, keys, 0)
	}
	if v := u.Check(del("del a1 b1")); v.Reason != DeniedKey || v.Pos != 2 {
		t.Fatalf("root denies b1 at 2, selector denies a1 at 1: %+v", v)
	}
	if v := u.Check(del("del b1 a1")); v.Reason != DeniedKey || v.Pos != 2 {
		t.Fatalf("%+v", v)
	}
	if v := u.Check(del("del a1 a2")); !v.OK() {
		t.Fatalf("root allows all: %+v", v)
	}
	r := del("del c1")
	if got := u.Check(r).Error(r.Command.FullName); got != "NOPERM this user has no permissions to access one of the keys used as arguments" {
		t.Fatalf("error text: %q", got)
	}
	if err := setUser(t, a, "v", "on", "&x", "+publish"); err != nil {
		t.Fatal(err)
	}
	if v := a.User([]byte("v")).Check(req(a, "psubscribe y", nil, ChannelSubscribe|ChannelPattern)); v.Reason != DeniedCommand {
		t.Fatalf("psubscribe not allowed: %+v", v)
	}
}

func TestCheckKeyAndChannelHelpers(t *testing.T) {
	a := newTestACL(t)
	_ = setUser(t, a, "u", "%R~r*", "(~*)", "&a*")
	u := a.User([]byte("u"))
	if !u.CheckKey([]byte("anything"), writeKey) || !u.CheckChannel([]byte("ab"), false) || u.CheckChannel([]byte("ab"), true) {
		t.Fatal("CheckKey/CheckChannel")
	}
	_ = setUser(t, a, "w", "+get", "%R~*")
	r := req(a, "get k", map[int]KeyFlags{1: readKey}, 0)
	if !a.User([]byte("w")).CheckWithUnrestrictedKeys(r, KeyAccess) || a.User([]byte("w")).CheckWithUnrestrictedKeys(r, KeyUpdate) {
		t.Fatal("CheckWithUnrestrictedKeys")
	}
}

func TestRevokedChannels(t *testing.T) {
	a := newTestACL(t)
	_ = setUser(t, a, "u", "&a", "&b")
	for _, c := range []struct {
		rules   []string
		revoked bool
	}{
		{[]string{"&c"}, false},
		{[]string{"resetchannels", "&c", "&b", "&a"}, false},
		{[]string{"resetchannels", "&a", "(&b &c)"}, false},
		{[]string{"resetchannels", "&a"}, false}, // the selector still has b and c
		{[]string{"clearselectors"}, true},
		{[]string{"allchannels"}, false},
		{[]string{"resetchannels", "&a", "&b"}, true}, // from allchannels
	} {
		b := make([][]byte, len(c.rules))
		for i, r := range c.rules {
			b[i] = []byte(r)
		}
		_, revoked, err := a.SetUser([]byte("u"), b)
		if err != nil || revoked != c.revoked {
			t.Errorf("%q: revoked %v (%v), want %v", c.rules, revoked, err, c.revoked)
		}
	}
}
