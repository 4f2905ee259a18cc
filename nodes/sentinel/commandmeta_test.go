package sentinel

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

var flagUpdateMeta = flag.Bool("sentinel.update-meta", false, "rewrite commandmeta.go from a real redis-sentinel's COMMAND INFO and COMMAND DOCS")

const metaFile = "commandmeta.go"

// TestCommandMetaLikeRedisSentinel asks a real redis-sentinel 7.0.15 for
// COMMAND INFO and COMMAND DOCS of each of its commands and subcommands
// (COMMAND LIST), in RESP3, and requires commandmeta.go to hold exactly
// that; -sentinel.update-meta writes the file anew. It also requires the
// command table to have the same commands with the same arities.
func TestCommandMetaLikeRedisSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real redis-sentinel")
	}
	addr := startRealSentinel(t)
	names, info, docs := fetchCommandMeta(t, addr)
	var tableNames []string
	for _, cmd := range commandTable {
		tableNames = append(tableNames, cmd.name)
		for _, sub := range cmd.sub {
			tableNames = append(tableNames, cmd.name+"|"+sub.name)
		}
	}
	slices.Sort(tableNames)
	if !slices.Equal(tableNames, names) {
		t.Errorf("the command table has\n\t%v\nredis-sentinel has\n\t%v", tableNames, names)
	}
	for _, name := range names {
		spec := lookupFull(name)
		if spec == nil {
			continue
		}
		if arity := infoArity(info[name]); arity != spec.arity {
			t.Errorf("%s: arity %d in the table, %d in redis-sentinel", name, spec.arity, arity)
		}
	}
	src := renderCommandMeta(names, info, docs)
	if *flagUpdateMeta {
		if err := os.WriteFile(metaFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(metaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Errorf("%s is not what redis-sentinel says; rewrite it with go test ./nodes/sentinel -run TestCommandMetaLikeRedisSentinel -sentinel.update-meta", metaFile)
	}
}

// lookupFull finds "client|list" or "ping" in the command table.
func lookupFull(name string) *cmdSpec {
	top, sub, ok := strings.Cut(name, "|")
	cmd := lookup(commandTable, top)
	if cmd == nil || !ok {
		return cmd
	}
	return lookup(cmd.sub, sub)
}

func infoArity(raw string) int {
	v, ok := parseRESP3(raw)
	if !ok || len(v.Elems) < 2 {
		return 0
	}
	return int(v.Elems[1].Int)
}

// startRealSentinel runs redis-sentinel on a free port, monitoring an
// address where nothing listens, and returns its address.
func startRealSentinel(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: redis-sentinel is not installed (apt-get install -y redis-sentinel)")
		}
		t.Skip("redis-sentinel not installed")
	}
	port, dead := freePort(t), freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	text := "port " + strconv.Itoa(port) + "\nsentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(dead) + " 2\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !waitFor(10*time.Second, func() bool { _, err := realCommand(addr, "PING"); return err == nil }) {
		t.Fatal("redis-sentinel did not answer PING within 10s")
	}
	return addr
}

// fetchCommandMeta is every command name of the sentinel at addr, sorted,
// with its COMMAND INFO entry and its COMMAND DOCS entry in RESP3.
func fetchCommandMeta(t *testing.T, addr string) (names []string, info, docs map[string]string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	rr := resp.NewReplyReader()
	do := func(args ...string) resp.Value {
		if _, err := c.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64<<10)
		for {
			if v, ok, err := rr.Next(); err != nil {
				t.Fatal(err)
			} else if ok {
				return v.Clone()
			}
			n, err := br.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			rr.Feed(buf[:n])
		}
	}
	do("HELLO", "3")
	for _, e := range do("COMMAND", "LIST").Elems {
		names = append(names, string(e.Str))
	}
	slices.Sort(names)
	info, docs = map[string]string{}, map[string]string{}
	for _, n := range names {
		iv := do("COMMAND", "INFO", n)
		dv := do("COMMAND", "DOCS", n)
		if len(iv.Elems) != 1 || len(dv.Elems) != 2 {
			t.Fatalf("COMMAND INFO/DOCS %s: %v / %v", n, iv, dv)
		}
		info[n] = string(resp.AppendValue(nil, sortInfoSubcommands(iv.Elems[0])))
		docs[n] = string(resp.AppendValue(nil, sortDocsSubcommands(dv.Elems[1])))
	}
	return names, info, docs
}

// sortInfoSubcommands sorts a COMMAND INFO entry's subcommands by name:
// Redis lists them in the order of its dict, whose hash seed is random
// per process, so the file keeps one order that any run could show.
func sortInfoSubcommands(v resp.Value) resp.Value {
	if len(v.Elems) > 9 {
		slices.SortFunc(v.Elems[9].Elems, func(a, b resp.Value) int {
			return bytes.Compare(a.Elems[0].Str, b.Elems[0].Str)
		})
	}
	return v
}

// sortDocsSubcommands sorts a COMMAND DOCS entry's "subcommands" map by
// name, for the same reason.
func sortDocsSubcommands(v resp.Value) resp.Value {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) != "subcommands" {
			continue
		}
		m := v.Elems[i+1].Elems
		type pair struct{ k, v resp.Value }
		var ps []pair
		for j := 0; j+1 < len(m); j += 2 {
			ps = append(ps, pair{m[j], m[j+1]})
		}
		slices.SortFunc(ps, func(a, b pair) int { return bytes.Compare(a.k.Str, b.k.Str) })
		for j, p := range ps {
			m[2*j], m[2*j+1] = p.k, p.v
		}
	}
	return v
}

func renderCommandMeta(names []string, info, docs map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by go test ./nodes/sentinel -run TestCommandMetaLikeRedisSentinel -sentinel.update-meta; DO NOT EDIT.\n\n")
	b.WriteString("package sentinel\n\n")
	b.WriteString("// commandInfo is redis-sentinel 7.0.15's COMMAND INFO entry of each of\n// its commands and subcommands, in RESP3, by full name.\n")
	b.WriteString("var commandInfo = map[string]string{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q: %q,\n", n, info[n])
	}
	b.WriteString("}\n\n")
	b.WriteString("// commandDocs is its COMMAND DOCS entry of each, in RESP3, by full name.\n")
	b.WriteString("var commandDocs = map[string]string{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%q: %q,\n", n, docs[n])
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return src
}
