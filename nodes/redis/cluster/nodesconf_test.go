package cluster

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	idA = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
	idB = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1"
	idC = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f"
)

const sampleConf = idA + " 127.0.0.1:30001@40001,host-a myself,master - 0 1700000000000 3 connected 0-5460 [100->-" + idB + "] [6000-<-" + idB + "]\n" +
	idB + " 127.0.0.1:30002@40002 slave " + idA + " 1700000000100 1700000000200 3 disconnected\n" +
	idC + " 127.0.0.1:30003@40003 master,fail - 0 0 2 connected 5461 5463-10922\n" +
	"vars currentEpoch 5 lastVoteEpoch 4\n"

func TestConfigRoundTrip(t *testing.T) {
	c, err := ParseConfig([]byte(sampleConf))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Nodes: []NodeLine{
			{ID: idA, IP: "127.0.0.1", Port: 30001, CPort: 40001, Hostname: "host-a", Flags: FlagMyself | FlagMaster,
				PongReceived: 1700000000000, ConfigEpoch: 3, Connected: true, Slots: []SlotRange{{0, 5460}},
				Migrating: []SlotPeer{{100, idB}}, Importing: []SlotPeer{{6000, idB}}},
			{ID: idB, IP: "127.0.0.1", Port: 30002, CPort: 40002, Flags: FlagSlave, MasterID: idA,
				PingSent: 1700000000100, PongReceived: 1700000000200, ConfigEpoch: 3},
			{ID: idC, IP: "127.0.0.1", Port: 30003, CPort: 40003, Flags: FlagMaster | FlagFail, ConfigEpoch: 2,
				Connected: true, Slots: []SlotRange{{5461, 5461}, {5463, 10922}}},
		},
		CurrentEpoch: 5, LastVoteEpoch: 4,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", c, want)
	}
	if got := string(c.Format()); got != sampleConf {
		t.Fatalf("Format:\n%s\nwant\n%s", got, sampleConf)
	}
	if c.Myself().ID != idA || !c.Nodes[1].PingSentSet() || c.Nodes[0].PingSentSet() {
		t.Fatal("Myself or PingSentSet wrong")
	}
}

func TestConfigLeniency(t *testing.T) {
	line := func(rest string) string { return idA + " " + rest + "\n" }
	for _, c := range []struct {
		name, conf string
		check      func(Config) bool
	}{
		{"no @cport: port+10000", line("10.0.0.1:7000 myself,master - 0 0 0 connected"),
			func(c Config) bool { return c.Nodes[0].CPort == 17000 }},
		{"flags in any case, noflags", line("1.2.3.4:1@2 MYSELF,Master,noflags - 0 0 0 x"),
			func(c Config) bool { return c.Nodes[0].Flags == FlagMyself|FlagMaster && !c.Nodes[0].Connected }},
		{"blank lines and missing vars", "\n\n" + line(":0@0 myself - 0 0 0 connected") + "\n",
			func(c Config) bool { return c.CurrentEpoch == 0 && c.Nodes[0].IP == "" }},
		{"numbers as atoi and strtoull read them", line("h:12ab@x myself - 5x -3 -1 connected 7- 9-3") + "vars currentEpoch 42abc lastVoteEpoch -1\n",
			func(c Config) bool {
				n := c.Nodes[0]
				return n.Port == 12 && n.CPort == 0 && n.PingSent == 5 && n.PongReceived == -3 && n.ConfigEpoch == 1<<64-1 &&
					reflect.DeepEqual(n.Slots, []SlotRange{{7, 0}, {9, 3}}) && c.CurrentEpoch == 42 && c.LastVoteEpoch == 1<<64-1
			}},
		{"unknown vars warn; keys any case; later vars win", line("h:1@2 myself - 0 0 0 c") + "vars foo 1 CURRENTEPOCH 7\nvars currentEpoch 8\n",
			func(c Config) bool {
				return c.CurrentEpoch == 8 && reflect.DeepEqual(c.Warnings, []string{"Skipping unknown cluster config variable 'foo'"})
			}},
		{"master ID starting with - is none", line("h:1@2 myself -garbage 0 0 0 c"),
			func(c Config) bool { return c.Nodes[0].MasterID == "" }},
		{"quoted words", `"` + idA + `" 'h:1@2' myself - 0 0 0 "conn\x65cted"` + "\n",
			func(c Config) bool { return c.Nodes[0].Connected }},
		{"a NUL ends the line", line("h:1@2 myself - 0 0 0 connected 5\x00 garbage ( ] \""),
			func(c Config) bool { return reflect.DeepEqual(c.Nodes[0].Slots, []SlotRange{{5, 5}}) }},
		{"any character but > imports", line("h:1@2 myself - 0 0 0 connected [7-x-" + idB + "]trailing"),
			func(c Config) bool { return reflect.DeepEqual(c.Nodes[0].Importing, []SlotPeer{{7, idB}}) }},
		{"IDs may use all of a-z", strings.Replace(line("h:1@2 myself - 0 0 0 connected"), "e7d1", "zzzz", 1),
			func(c Config) bool { return strings.HasPrefix(c.Nodes[0].ID, "zzzz") }},
		{"a range is cut at its first dash", line("h:1@2 myself - 0 0 0 connected -1-5"),
			func(c Config) bool { return reflect.DeepEqual(c.Nodes[0].Slots, []SlotRange{{0, 1}}) }},
		{"a line cut inside a slot range loads", line("h:1@2 myself - 0 0 0 connected 0-54"),
			func(c Config) bool { return reflect.DeepEqual(c.Nodes[0].Slots, []SlotRange{{0, 54}}) }},
	} {
		cfg, err := ParseConfig([]byte(c.conf))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !c.check(cfg) {
			t.Errorf("%s: parsed %+v", c.name, cfg)
		}
	}
}

func TestConfigRefusals(t *testing.T) {
	node := func(rest string) string { return idA + " " + rest + "\n" }
	ok := node("h:1@2 myself,master - 0 0 1 connected")
	for _, c := range []struct {
		name, conf string
		line       int
		log        string
		says       string
	}{
		{"vars with an even word count", ok + "vars currentEpoch\n", 2, CorruptLog, "odd number"},
		{"vars cut after a name", ok + "vars currentEpoch 5 lastVoteEpoch", 2, CorruptLog, "odd number"},
		{"seven fields", node("h:1@2 myself,master - 0 0 1"), 1, CorruptLog, "7 fields"},
		{"short ID", "abc h:1@2 myself - 0 0 1 connected\n", 1, CorruptLog, "node ID"},
		{"upper-case ID", strings.ToUpper(idA) + " h:1@2 myself - 0 0 1 connected\n", 1, CorruptLog, "node ID"},
		{"no colon", node("h myself - 0 0 1 connected"), 1, CorruptLog, "no ':'"},
		{"unknown flag", node("h:1@2 myself,boss - 0 0 1 connected"), 1, unknownFlagLog, `"boss"`},
		{"empty flag", node("h:1@2 myself, - 0 0 1 connected"), 1, unknownFlagLog, `""`},
		{"two myself lines", ok + strings.Replace(ok, idA, idB, 1), 2, twoMyselfLog, "second myself"},
		{"bad master ID", node("h:1@2 myself,slave abc 0 0 1 connected"), 1, CorruptLog, "master ID"},
		{"slot too high", node("h:1@2 myself - 0 0 1 connected 16384"), 1, CorruptLog, "outside"},
		{"range end too high", node("h:1@2 myself - 0 0 1 connected 0-16384"), 1, CorruptLog, "outside"},
		{"negative range end", node("h:1@2 myself - 0 0 1 connected 5--1"), 1, CorruptLog, "outside"},
		{"move without dash", node("h:1@2 myself - 0 0 1 connected [5]"), 1, moveNoDashLog, "no '-'"},
		{"move slot too high", node("h:1@2 myself - 0 0 1 connected [16384->-" + idB + "]"), 1, CorruptLog, "outside"},
		{"move without ]", node("h:1@2 myself - 0 0 1 connected [5->-" + idB), 1, CorruptLog, "does not name"},
		{"move to a short ID", node("h:1@2 myself - 0 0 1 connected [5->-abc]"), 1, CorruptLog, "does not name"},
		{"unbalanced quote", node(`h:1@2 myself - 0 0 1 "connected`), 1, CorruptLog, "quotes"},
		{"quote followed by text", node(`h:1@2 myself - 0 0 1 "connected"x`), 1, CorruptLog, "quotes"},
		{"only blanks", ok + "  \n", 2, blankLineCrashLog, "only blanks"},
		{"no myself", strings.Replace(ok, "myself,", "", 1), 0, CorruptLog, "myself"},
		{"only vars", "vars currentEpoch 1 lastVoteEpoch 0\n", 0, CorruptLog, "myself"},
		{"only a newline", "\n", 0, CorruptLog, "myself"},
	} {
		cfg, err := ParseConfig([]byte(c.conf))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%s: got %+v, %v; want a *ConfigError", c.name, cfg, err)
			continue
		}
		if ce.Line != c.line || ce.Log != c.log || !strings.Contains(ce.Error(), c.says) {
			t.Errorf("%s: got %v (line %d, log %q); want line %d, log %q, saying %q", c.name, err, ce.Line, ce.Log, c.line, c.log, c.says)
		}
		if cfg.Nodes != nil || cfg.CurrentEpoch != 0 {
			t.Errorf("%s: a refused config came back half-loaded: %+v", c.name, cfg)
		}
	}
	if _, err := ParseConfig(nil); !errors.Is(err, ErrNoConfig) {
		t.Errorf("empty file: got %v, want ErrNoConfig", err)
	}
}

func TestFormatMoves(t *testing.T) {
	l := NodeLine{ID: idA, IP: "h", Port: 1, CPort: 2, Flags: FlagMyself | FlagMaster,
		Migrating: []SlotPeer{{9, idB}, {3, idC}}, Importing: []SlotPeer{{3, idB}, {1, idC}}}
	want := idA + " h:1@2 myself,master - 0 0 0 connected [1-<-" + idC + "] [3->-" + idC + "] [9->-" + idB + "]"
	if got := string(l.AppendTo(nil)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	l.Flags = FlagMaster // not myself: no moves, and the link state is printed as is
	if got := string(l.AppendTo(nil)); got != idA+" h:1@2 master - 0 0 0 disconnected" {
		t.Fatalf("non-myself line: %s", got)
	}
}

func TestConfigLongLineSplitAsFgets(t *testing.T) {
	// A line longer than Redis's line buffer is cut; the rest is read as a
	// line of its own, here one whose first word is no node ID.
	long := idA + " h:1@2 myself - 0 0 0 connected" + strings.Repeat(" 1", maxConfigLine/2) + "\n"
	_, err := ParseConfig([]byte(long))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 2 || !strings.Contains(ce.Reason, "node ID") || len(ce.Error()) > 400 {
		t.Fatalf("got %.500v, want line 2 refused for its node ID, briefly", err)
	}
}
