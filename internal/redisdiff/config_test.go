package redisdiff

import (
	"bytes"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis"
)

// startConfigNode starts the node with the options StartRedis gives the
// real server, so that CONFIG GET * can be compared whole: no save points,
// bind 127.0.0.1, loglevel warning (dir and port differ by nature).
func startConfigNode(t *testing.T) string {
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.Process.Bind = []string{"127.0.0.1"}
	cfg.Process.LogLevel = "warning"
	return StartNode(t, cfg)
}

// configSides starts the oracle and the node for the config tests.
func configSides(t *testing.T) (want, got *Conn) {
	t.Helper()
	if *flagAgainst != "node" {
		t.Skip("-redisdiff.against=redis: the config tests compare the node")
	}
	addrs := []string{StartRedis(t), startConfigNode(t)}
	conns := make([]*Conn, 2)
	for i, a := range addrs {
		c, err := Dial(a)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		conns[i] = c
	}
	return conns[0], conns[1]
}

// configMap sends CONFIG GET args on c and returns the reply as a map.
func configMap(t *testing.T, c *Conn, args ...string) map[string]string {
	t.Helper()
	raw, err := c.DoStrings(append([]string{"CONFIG", "GET"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := parseReply(raw)
	if !ok {
		t.Fatalf("CONFIG GET %q: unparsable reply %q", args, raw)
	}
	m := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[string(v.Elems[i].Str)] = string(v.Elems[i+1].Str)
	}
	return m
}

// processParams differ between the two servers by nature.
var processParams = []string{"dir", "port"}

// hiddenParams are the HIDDEN_CONFIG parameters: CONFIG GET finds them by
// exact name only.
var hiddenParams = []string{"use-exit-on-panic", "rdb-key-save-delay", "key-load-delay", "watchdog-period", "loading-process-events-interval-bytes"}

// TestConfigGetAll compares CONFIG GET * of the node and of real Redis:
// the same names, each with the same value but for dir and port; and the
// hidden parameters, by their names.
func TestConfigGetAll(t *testing.T) {
	want, got := configSides(t)
	w, g := configMap(t, want, "*"), configMap(t, got, "*")
	if len(w) != len(g) {
		t.Errorf("CONFIG GET * lists %d names on the node, %d on Redis", len(g), len(w))
	}
	matched := 0
	for _, k := range sortedKeys(w) {
		gv, ok := g[k]
		switch {
		case !ok:
			t.Errorf("the node lacks %s (Redis: %q)", k, w[k])
		case slices.Contains(processParams, k):
			matched++
		case gv != w[k]:
			t.Errorf("CONFIG GET %s: node %q, Redis %q", k, gv, w[k])
		default:
			matched++
		}
	}
	for _, k := range sortedKeys(g) {
		if _, ok := w[k]; !ok {
			t.Errorf("the node lists %s, which Redis has not", k)
		}
	}
	for _, k := range hiddenParams {
		w, g := configMap(t, want, k), configMap(t, got, k)
		if len(w) != 1 || len(g) != 1 || w[k] != g[k] {
			t.Errorf("CONFIG GET %s: node %v, Redis %v", k, g, w)
		}
	}
	t.Logf("%d of Redis's %d names listed with the same value (dir and port not compared)", matched, len(w))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// probeValues are tried on every parameter: good and bad booleans, enum
// names, integers at the C types' edges, memory units, percentages,
// octal, strings that string2ll refuses, and the empty string.
var probeValues = []string{
	"yes", "no", "YES", "maybe", "0", "1", "-1", "5", "100", "1000",
	"65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296",
	"9223372036854775807", "9223372036854775808", "18446744073709551615",
	"99999999999999999999", "-9223372036854775809", "1kb", "1KB", "2mb",
	"3g", "1gb", "1tb", "7b", "10%", "100%", "101%", "-5%", "007", "+5",
	" 5", "", "x", "777", "888", "everysec", "local", "save now",
	"save nosave", "default", "{title}", "{nosuch}", "a.b-c", "a_b",
	"50 99", "1 2 3", "normal 1 2 3",
}

// probeSkipped are the parameters the probes leave alone, and why.
var probeSkipped = map[string]string{
	"port":                 "CONFIG SET port makes Redis listen elsewhere",
	"bind":                 "CONFIG SET bind makes Redis listen elsewhere",
	"requirepass":          "a password would lock the probe's connection out",
	"appendonly":           "turning the AOF on starts a rewrite (see the AOF tests)",
	"maxclients":           "Redis checks a new maxclients against the process's open files limit",
	"maxmemory-clients":    "a small limit makes Redis evict the probe's own connection (config_params.txt sets safe values)",
	"oom-score-adj":        "Redis writes /proc/self/oom_score_adj, which needs privileges to lower",
	"oom-score-adj-values": "Redis writes /proc/self/oom_score_adj, which needs privileges to lower",
	"timeout":              "a timeout of 1 s could close an idle probe connection",
}

// probeKnown are the known differences, logged rather than failed:
// busy-reply-threshold's parser (busyscript.go) takes what strconv takes
// ("007", "+5") where Redis's string2ll refuses it, and keeps the value
// as a time.Duration, which holds at most 9223372036854 ms.
var probeKnown = map[string][]string{
	"busy-reply-threshold": {"007", "+5", "9223372036854775807"},
	"lua-time-limit":       {"007", "+5", "9223372036854775807"},
}

// TestConfigSetProbes sets every parameter, hidden ones too, to each of
// probeValues on both servers, compares the replies and the value read
// back, and restores the parameter's value. Then it probes what Redis's
// own refusals name: each enum's names (in upper case too), and each
// number's bounds and the numbers just past them.
func TestConfigSetProbes(t *testing.T) {
	want, got := configSides(t)
	params := configMap(t, want, "*")
	for _, k := range hiddenParams {
		params[k] = configMap(t, want, k)[k]
	}
	var compared, errors int
	for _, name := range sortedKeys(params) {
		if probeSkipped[name] != "" {
			continue
		}
		var more []string
		probe := func(v string) {
			w, err1 := want.DoStrings("CONFIG", "SET", name, v)
			g, err2 := got.DoStrings("CONFIG", "SET", name, v)
			if err1 != nil || err2 != nil {
				t.Fatalf("CONFIG SET %s %q: %v / %v", name, v, err1, err2)
			}
			compared++
			if len(w) > 0 && w[0] == '-' {
				errors++
				more = append(more, namedValues(string(w))...)
			}
			report := t.Errorf
			if slices.Contains(probeKnown[name], v) {
				report = t.Logf
			}
			if !bytes.Equal(w, g) {
				report("CONFIG SET %s %q:\n node  %q\n Redis %q", name, v, g, w)
			}
			wv, gv := configMap(t, want, name)[name], configMap(t, got, name)[name]
			if wv != gv && !slices.Contains(processParams, name) {
				report("CONFIG GET %s after CONFIG SET %q: node %q, Redis %q", name, v, gv, wv)
			}
			orig := params[name]
			for i, c := range []*Conn{want, got} {
				if []string{wv, gv}[i] == orig || slices.Contains(processParams, name) {
					continue
				}
				if r, err := c.DoStrings("CONFIG", "SET", name, orig); err != nil || string(r) != "+OK\r\n" {
					t.Fatalf("restoring %s to %q: %q %v", name, orig, r, err)
				}
			}
		}
		for _, v := range probeValues {
			probe(v)
		}
		slices.Sort(more)
		for _, v := range slices.Compact(more) {
			if !slices.Contains(probeValues, v) {
				probe(v)
			}
		}
	}
	t.Logf("%d CONFIG SET compared, %d of them errors", compared, errors)
}

// namedValues are the values an error of CONFIG SET names: an enum's
// names ("must be one of the following: a, b"), in upper case too, and a
// number's bounds ("must be between lo and hi inclusive") with the
// numbers one past them.
func namedValues(reply string) []string {
	reply = strings.TrimSuffix(reply, "\r\n")
	if _, names, ok := strings.Cut(reply, "must be one of the following: "); ok {
		var out []string
		for _, n := range strings.Split(names, ", ") {
			out = append(out, n, strings.ToUpper(n))
		}
		return out
	}
	_, bounds, ok := strings.Cut(reply, "must be between ")
	if !ok {
		return nil
	}
	lo, hi, ok := strings.Cut(strings.TrimSuffix(bounds, " inclusive"), " and ")
	if !ok {
		return nil
	}
	var out []string
	for i, b := range []string{lo, hi} {
		n, ok := new(big.Int).SetString(b, 10)
		if !ok {
			continue // octal bounds
		}
		out = append(out, b, new(big.Int).Add(n, big.NewInt(int64(2*i-1))).String())
	}
	return out
}
