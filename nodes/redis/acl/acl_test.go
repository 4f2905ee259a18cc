package acl

import (
	"errors"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// testTable is a small command table with Redis 7.0's categories for the
// commands it holds.
func testTable(t testing.TB) *Table {
	t.Helper()
	cat := func(names ...string) Categories {
		c, err := ParseCategories(names)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tab, err := NewTable([]CommandSpec{
		{Name: "get", Categories: cat("@read", "@string", "@fast")},
		{Name: "set", Categories: cat("@write", "@string", "@slow")},
		{Name: "del", Categories: cat("@keyspace", "@write", "@slow")},
		{Name: "select", Categories: cat("@fast", "@connection")},
		{Name: "publish", Categories: cat("@pubsub", "@fast")},
		{Name: "psubscribe", Categories: cat("@pubsub", "@slow")},
		{Name: "auth", Categories: cat("@fast", "@connection"), NoAuth: true},
		{Name: "config", Categories: cat("@slow"), Subcommands: []CommandSpec{
			{Name: "get", Categories: cat("@admin", "@slow", "@dangerous")},
			{Name: "set", Categories: cat("@admin", "@slow", "@dangerous")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func newTestACL(t testing.TB) *ACL { return New(testTable(t), DefaultConfig()) }

func setUser(t *testing.T, a *ACL, name string, rules ...string) error {
	t.Helper()
	b := make([][]byte, len(rules))
	for i, r := range rules {
		b[i] = []byte(r)
	}
	_, _, err := a.SetUser([]byte(name), b)
	return err
}

func describe(a *ACL, name string) string { return a.User([]byte(name)).Describe(a.table) }

func TestDefaultUser(t *testing.T) {
	a := newTestACL(t)
	if got, want := describe(a, "default"), "on nopass ~* &* +@all"; got != want {
		t.Fatalf("default user: %q, want %q", got, want)
	}
	if a.AuthRequired() || !a.AuthenticatedOnConnect() {
		t.Fatal("a nopass default user must not require AUTH")
	}
	a.SetRequirePass([]byte("secret"))
	if !a.AuthRequired() {
		t.Fatal("requirepass must make AUTH required")
	}
	if got := describe(a, "default"); got != "on #"+string(hashPassword([]byte("secret")))+" ~* &* +@all" {
		t.Fatalf("after requirepass: %q", got)
	}
}

func TestNewUserAndReset(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u"); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "u"); got != "off resetchannels -@all" {
		t.Fatalf("new user: %q", got)
	}
	if err := setUser(t, a, "u", "on", ">p", "~*", "&*", "+@all", "(+get ~k)", "reset"); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "u"); got != "off sanitize-payload resetchannels -@all" {
		t.Fatalf("after reset: %q", got)
	}
	a.Config.PubsubDefaultAllChannels = true
	if err := setUser(t, a, "v", "reset"); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "v"); got != "off sanitize-payload &* -@all" {
		t.Fatalf("reset under acl-pubsub-default allchannels: %q", got)
	}
}

func TestRuleErrors(t *testing.T) {
	cases := []struct{ rule, reason string }{
		{"bogus", "Syntax error"},
		{"+nosuch", "Unknown command or category name in ACL"},
		{"-@nosuch", "Unknown command or category name in ACL"},
		{"+", "Unknown command or category name in ACL"},
		{"+get|", "Syntax error"},
		{"+config|get|x", "Allowing first-arg of a subcommand is not supported"},
		{"+config|nosuch", "Unknown command or category name in ACL"},
		{"-get|x", "Unknown command or category name in ACL"},
		{"#abc", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
		{"!" + strings.Repeat("A", 64), "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
		{"<nosuch", "The password you are trying to remove from the user does not exist"},
		{"~a b", "Syntax error"},
		{"&a\x00b", "Syntax error"},
		{"%~x", "Syntax error"},
		{"%RR~x", "Syntax error"},
		{"(on)", "Syntax error"},
	}
	for _, c := range cases {
		a := newTestACL(t)
		err := setUser(t, a, "u", "on", c.rule)
		want := "ERR Error in ACL SETUSER modifier '" + strings.ReplaceAll(c.rule, "\x00", "")[:len(cstr([]byte(c.rule)))] + "': " + c.reason
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", c.rule, err, want)
		}
		if a.User([]byte("u")) != nil {
			t.Errorf("%q: a failed SETUSER created the user", c.rule)
		}
	}
}

func TestPatternAfterAll(t *testing.T) {
	a := newTestACL(t)
	err := setUser(t, a, "u", "allkeys", "~x")
	if err == nil || !strings.Contains(err.Error(), "'allkeys' flag) is not valid") {
		t.Fatalf("key after allkeys: %v", err)
	}
	err = setUser(t, a, "u", "&*", "&x")
	if err == nil || !strings.Contains(err.Error(), "'allchannels' flag) is not valid") {
		t.Fatalf("channel after allchannels: %v", err)
	}
	// "%RW~*" is a pattern, not the allkeys flag: more patterns may follow.
	if err := setUser(t, a, "u", "%RW~*", "~x"); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "u"); got != "off ~* ~x resetchannels -@all" {
		t.Fatalf("%%RW~* then ~x: %q", got)
	}
}

func TestSetUserIsAtomic(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u", "on", ">p", "+get", "~k"); err != nil {
		t.Fatal(err)
	}
	before := describe(a, "u")
	u := a.User([]byte("u"))
	if err := setUser(t, a, "u", "off", "resetpass", "-get", "bogus"); err == nil {
		t.Fatal("bogus rule accepted")
	}
	if got := describe(a, "u"); got != before {
		t.Fatalf("failed SETUSER changed the user: %q -> %q", before, got)
	}
	if err := setUser(t, a, "u", "+set"); err != nil {
		t.Fatal(err)
	}
	if a.User([]byte("u")) != u {
		t.Fatal("SETUSER replaced the *User of an existing user")
	}
}

func TestSelectorMerging(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u", "(+set", "~a)", "(~b", "(+set", "~c)"); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "u"); got != "off resetchannels -@all (~a resetchannels -@all +set) (~c resetchannels -@all +set)" {
		t.Fatalf("merged selectors: %q", got)
	}
	err := setUser(t, a, "u", "on", "(+get")
	if err == nil || err.Error() != "ERR Unmatched parenthesis in acl selector starting at '(+get'." {
		t.Fatalf("unmatched: %v", err)
	}
	// Unbalanced quotes inside give an empty selector, not an error.
	if err := setUser(t, a, "w", `(+get "x)`); err != nil {
		t.Fatal(err)
	}
	if got := describe(a, "w"); got != "off resetchannels -@all (resetchannels -@all)" {
		t.Fatalf("quoted selector: %q", got)
	}
	if err := setUser(t, a, "w", "clearselectors"); err != nil || describe(a, "w") != "off resetchannels -@all" {
		t.Fatalf("clearselectors: %v %q", err, describe(a, "w"))
	}
}

func TestDescribeCommands(t *testing.T) {
	cases := []struct {
		rules []string
		want  string
	}{
		// -config also blocks all of @admin (config|get and config|set
		// here), which the greedy pass picks first.
		{[]string{"+@all", "-config"}, "+@all -@admin -config"},
		{[]string{"+@all", "-config|set"}, "+@all -config|set"},
		{[]string{"+config"}, "-@all +@admin +config"},
		{[]string{"+config|get"}, "-@all +config|get"},
		{[]string{"+@pubsub"}, "-@all +@pubsub"},
		{[]string{"+@string", "-set"}, "-@all +@read"},
		{[]string{"+@write", "+get"}, "-@all +@write +@read"},
		{[]string{"+@write", "+get", "-del"}, "-@all +@string"},
		{[]string{"+select|0", "+select|1", "+SELECT|1"}, "-@all +select|0 +select|1"},
		{[]string{"+@all", "-select", "+select|0"}, "+@all -select +select|0"},
		{[]string{"+select|0", "+select"}, "-@all +select"},
	}
	for _, c := range cases {
		a := newTestACL(t)
		if err := setUser(t, a, "u", c.rules...); err != nil {
			t.Fatalf("%q: %v", c.rules, err)
		}
		got := a.User([]byte("u")).root().describeCommands(a.table)
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.rules, got, c.want)
		}
		// The description replays to the same bitmap.
		b := newTestACL(t)
		if err := setUser(t, b, "u", strings.Fields(got)...); err != nil {
			t.Fatal(err)
		}
		if again := b.User([]byte("u")).root().describeCommands(b.table); again != got {
			t.Errorf("%q replays as %q", got, again)
		}
	}
}

func TestGetUserReply(t *testing.T) {
	a := newTestACL(t)
	if err := setUser(t, a, "u", "on", ">p", "%R~r*", "%W~w*", "&c", "+set", "(+config|get ~s)"); err != nil {
		t.Fatal(err)
	}
	got := a.User([]byte("u")).GetUser(a.table)
	want := Map(
		Bulk("flags"), Set(Bulk("on")),
		Bulk("passwords"), Array(Bulk(string(hashPassword([]byte("p"))))),
		Bulk("commands"), Bulk("-@all +set"),
		Bulk("keys"), Bulk("%R~r* %W~w*"),
		Bulk("channels"), Bulk("&c"),
		Bulk("selectors"), Array(Map(
			Bulk("commands"), Bulk("-@all +config|get"),
			Bulk("keys"), Bulk("~s"),
			Bulk("channels"), Bulk(""),
		)),
	)
	if render(got) != render(want) {
		t.Fatalf("GETUSER:\n got %s\nwant %s", render(got), render(want))
	}
}

func render(r Reply) string {
	var b strings.Builder
	var walk func(r Reply)
	walk = func(r Reply) {
		switch r.Kind {
		case KindArray, KindMap, KindSet:
			b.WriteString("[")
			for _, e := range r.Elems {
				walk(e)
				b.WriteString(" ")
			}
			b.WriteString("]")
		default:
			b.WriteString(r.Str)
		}
	}
	walk(r)
	return b.String()
}

func TestDelUser(t *testing.T) {
	a := newTestACL(t)
	_ = setUser(t, a, "u")
	if _, err := a.DelUser([][]byte{[]byte("u"), []byte("default")}); err == nil || err.Error() != "ERR The 'default' user cannot be removed" {
		t.Fatalf("deleting default: %v", err)
	}
	if a.User([]byte("u")) == nil {
		t.Fatal("a refused DELUSER removed a user")
	}
	gone, err := a.DelUser([][]byte{[]byte("u"), []byte("nobody")})
	if err != nil || len(gone) != 1 || gone[0].Name() != "u" {
		t.Fatalf("DELUSER: %v %v", gone, err)
	}
}

func TestAuth(t *testing.T) {
	a := newTestACL(t)
	c := Client{User: a.Default(), Info: "id=1", NowMs: 1000}
	if _, r := a.Auth([][]byte{[]byte("AUTH"), []byte("x")}, c); !strings.HasPrefix(r.Str, "ERR AUTH <password> called without") {
		t.Fatalf("AUTH pass with nopass default: %+v", r)
	}
	_ = setUser(t, a, "u", "on", ">p")
	if u, r := a.Auth([][]byte{[]byte("AUTH"), []byte("u"), []byte("p")}, c); u == nil || r.Str != "OK" {
		t.Fatalf("good password: %+v", r)
	}
	if u, r := a.Auth([][]byte{[]byte("AUTH"), []byte("u"), []byte("q")}, c); u != nil || r.Str != ErrWrongPass {
		t.Fatalf("bad password: %+v", r)
	}
	_ = setUser(t, a, "u", "off")
	if u, _ := a.Auth([][]byte{[]byte("AUTH"), []byte("u"), []byte("p")}, c); u != nil {
		t.Fatal("a disabled user authenticated")
	}
	e := a.Log().Entries()
	if len(e) != 1 || e[0].Count != 2 || e[0].Reason != DeniedAuth || e[0].Object != "AUTH" || e[0].Username != "u" {
		t.Fatalf("log after two failures: %+v", e)
	}
	if _, r := a.Auth([][]byte{[]byte("AUTH"), []byte("a"), []byte("b"), []byte("c")}, c); r.Str != "ERR syntax error" {
		t.Fatalf("AUTH with 3 args: %+v", r)
	}
}

func TestLogMergeAndTrim(t *testing.T) {
	a := newTestACL(t)
	a.Config.LogMaxLen = 3
	c := Client{User: a.Default(), NowMs: 0, Info: "first"}
	add := func(obj string, now int64) {
		c.NowMs = now
		a.AddLogEntry(c, LogEntry{Reason: DeniedKey, Object: obj, Username: "default"})
	}
	add("k", 0)
	add("k", 60000) // within 60 s: merged
	add("k", 120001)
	if e := a.Log().Entries(); len(e) != 2 || e[1].Count != 2 || e[0].Count != 1 {
		t.Fatalf("merge window: %+v %+v", e[0], e[1])
	}
	add("a", 120001)
	add("b", 120001)
	add("c", 120001)
	e := a.Log().Entries()
	if len(e) != 3 || e[0].Object != "c" || e[2].Object != "a" {
		t.Fatalf("trim to acllog-max-len: %d entries", len(e))
	}
	add("a", 120002) // moves to the front
	if e := a.Log().Entries(); e[0].Object != "a" || e[0].Count != 2 {
		t.Fatalf("merged entry not moved to the front: %+v", e[0])
	}
	rep := a.log.reply(1, 121002)
	if len(rep.Elems) != 1 || rep.Elems[0].Elems[11].Float != 1 || rep.Elems[0].Elems[3].Str != "key" {
		t.Fatalf("LOG reply: %+v", rep)
	}
}

func TestGenPass(t *testing.T) {
	seq := func(p []byte) {
		for i := range p {
			p[i] = byte(i*17 + 0x30)
		}
	}
	p, err := GenPass(5, seq)
	if err != nil || p != "01" {
		t.Fatalf("5 bits: %q %v", p, err)
	}
	if p, _ := GenPass(256, seq); len(p) != 64 {
		t.Fatalf("256 bits: %d chars", len(p))
	}
	for _, bits := range []int64{0, -1, 4097} {
		if _, err := GenPass(bits, seq); err == nil || !strings.Contains(err.Error(), "a positive number up to 4096") {
			t.Errorf("%d bits: %v", bits, err)
		}
	}
}

func TestACLFile(t *testing.T) {
	a := newTestACL(t)
	_ = setUser(t, a, "u", "on", ">p", "~k*", "+get", "(+set %W~w)")
	saved := a.FormatFile()
	b := newTestACL(t)
	old := b.Default()
	_ = setUser(t, b, "stale")
	dropped, err := b.LoadFile("users.acl", saved)
	if err != nil {
		t.Fatal(err)
	}
	if string(b.FormatFile()) != string(saved) {
		t.Fatalf("round trip:\n%s\nvs\n%s", b.FormatFile(), saved)
	}
	if b.Default() != old || len(dropped) != 1 || dropped[0].Name() != "stale" {
		t.Fatalf("LOAD must keep the default *User and drop the others: %v", dropped)
	}
	bad := "user a on +nosuch -nosuch2 bogus ~a\n\n# comment\nuser a\nuser b\tc\nuser d (+get\nuser e %~x bogus\n"
	before := string(b.FormatFile())
	_, err = b.LoadFile("f.acl", []byte(bad))
	want := "ERR f.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
		"f.acl:1: Error in applying operation '-nosuch2': Unknown command or category name in ACL. " +
		"f.acl:1: Syntax error. " +
		"f.acl:3 should start with user keyword followed by the username. " +
		"WARNING: Duplicate user 'a' found on line 4. " +
		"'f.acl:5: username 'b\tc' contains invalid characters. " +
		"f.acl:6: Unmatched parenthesis in selector definition." +
		"f.acl:7: Syntax error. " +
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
	var e *Error
	if !errors.As(err, &e) || e.Msg != want {
		t.Fatalf("bad file:\n got %v\nwant %s", err, want)
	}
	if string(b.FormatFile()) != before {
		t.Fatal("a failed LOAD changed the users")
	}
	// No default user in the file: a fresh one, nopass.
	b.SetRequirePass([]byte("x"))
	if _, err := b.LoadFile("f", []byte("user z on\n")); err != nil {
		t.Fatal(err)
	}
	if describe(b, "default") != "on nopass ~* &* +@all" {
		t.Fatalf("default after LOAD without one: %q", describe(b, "default"))
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`a b`, []string{"a", "b"}, true},
		{`  "a b" 'c\'d'  `, []string{"a b", "c'd"}, true},
		{`"\x41\n"`, []string{"A\n"}, true},
		{`""`, []string{""}, true},
		{`"a`, nil, false},
		{`"a"b`, nil, false},
		{`'a'b`, nil, false},
		{"a\vb", []string{"a\vb"}, true},
	}
	for _, c := range cases {
		got, ok := resp.SplitArgs([]byte(c.in))
		if ok != c.ok || len(got) != len(c.want) {
			t.Errorf("%q: %q %v", c.in, got, ok)
			continue
		}
		for i := range got {
			if string(got[i]) != c.want[i] {
				t.Errorf("%q: %q", c.in, got)
			}
		}
	}
}
