package bitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/nodes/resp"
)

// The oracle is a real redis-server 7.0.x. internal/redisdiff has the same
// starter, but it imports the node, which will import this package, so
// this package's tests start their own.

// oracleMaxBulkLen is the proto-max-bulk-len the oracle runs with: Redis's
// minimum, 1 MB, so that offsets and LCS tables can cross the limit
// without the tests allocating 512 MB.
const oracleMaxBulkLen = 1 << 20

// startOracle starts redis-server on a free loopback port in a temporary
// directory and returns a go-redis client speaking proto (2 or 3). The
// test is skipped without a redis-server 7.0.x on PATH, and fails instead
// when CI=true.
func startOracle(t testing.TB, proto int) *redis.Client {
	t.Helper()
	bin, problem := findOracle()
	if problem != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", problem)
		}
		t.Skip(problem)
	}
	dir := t.TempDir()
	var lastOut bytes.Buffer
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		cmd := exec.Command(bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir,
			"--daemonize", "no", "--logfile", "",
			"--proto-max-bulk-len", strconv.Itoa(oracleMaxBulkLen))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		c := redis.NewClient(&redis.Options{
			Addr:            net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Protocol:        proto,
			MaxRetries:      -1,
			DisableIdentity: true,
			PoolSize:        1,
			ReadTimeout:     30 * time.Second,
		})
		if waitReady(c, exited) {
			t.Cleanup(func() {
				_ = c.Close()
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					_ = cmd.Process.Kill()
					<-exited
				}
			})
			return c
		}
		_ = c.Close()
		_ = cmd.Process.Kill()
		<-exited
		lastOut = out
	}
	t.Fatalf("redis-server did not start; its output:\n%s", lastOut.String())
	return nil
}

func findOracle() (bin, problem string) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", "redis-server not found on PATH (apt-get install redis-server)"
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return "", fmt.Sprintf("%s --version: %v", bin, err)
	}
	if !strings.Contains(string(out), "v=7.0.") {
		return "", fmt.Sprintf("%s is %s; these tests need Redis 7.0.x", bin, strings.TrimSpace(string(out)))
	}
	return bin, ""
}

func freePort() (int, error) {
	return freeport.Port()
}

func waitReady(c *redis.Client, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c.Ping(context.Background()).Err() == nil {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// oracleDo sends argv to the oracle and renders its reply with render.
func oracleDo(t testing.TB, c *redis.Client, argv [][]byte) string {
	t.Helper()
	args := make([]any, len(argv))
	for i, a := range argv {
		args[i] = a
	}
	v, err := c.Do(context.Background(), args...).Result()
	var rerr redis.Error
	switch {
	case errors.Is(err, redis.Nil):
		return "nil"
	case errors.As(err, &rerr):
		return "-" + rerr.Error()
	case err != nil:
		t.Fatalf("%s: %v", showArgv(argv), err)
	}
	return renderGo(v)
}

// renderGo renders a reply as go-redis parsed it; renderValue renders the
// same reply as nodes/resp parses it, in the same notation: integers
// ":n", bulk strings "$" and the quoted bytes, nil, arrays in brackets and
// maps in braces with their entries sorted (go-redis keeps no order).
func renderGo(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case int64:
		return ":" + strconv.FormatInt(v, 10)
	case string:
		return renderBulk(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = renderGo(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[any]any:
		var parts []string
		for k, e := range v { //redsim:ordered sorted below
			parts = append(parts, renderGo(k)+"=>"+renderGo(e))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, " ") + "}"
	case redis.Error:
		return "-" + v.Error()
	}
	return fmt.Sprintf("?%T(%v)", v, v)
}

// renderBulk quotes a short string; a long one is its length, a hash and
// a quoted prefix, which is cheaper and still tells them apart.
func renderBulk(s string) string {
	if len(s) <= 256 {
		return "$" + strconv.Quote(s)
	}
	h := fnv.New64a()
	h.Write([]byte(s))
	return fmt.Sprintf("$<%d bytes, fnv %016x, %q...>", len(s), h.Sum64(), s[:32])
}

func renderValue(v resp.Value) string {
	if v.IsNull {
		return "nil"
	}
	switch v.Kind {
	case resp.KindInt:
		return ":" + strconv.FormatInt(v.Int, 10)
	case resp.KindBulk, resp.KindSimpleString: // go-redis makes both strings
		return renderBulk(string(v.Str))
	case resp.KindError:
		return "-" + string(v.Str)
	case resp.KindArray:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = renderValue(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case resp.KindMap:
		var parts []string
		for i := 0; i+1 < len(v.Elems); i += 2 {
			parts = append(parts, renderValue(v.Elems[i])+"=>"+renderValue(v.Elems[i+1]))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, " ") + "}"
	}
	return "?" + v.String()
}

// renderWritten parses the single reply in w and renders it.
func renderWritten(t testing.TB, w *resp.Writer) string {
	t.Helper()
	r := resp.NewReplyReader()
	r.Feed(w.Bytes())
	v, ok, err := r.Next()
	if err != nil || !ok || r.Buffered() != 0 {
		t.Fatalf("writer produced %q: ok=%v err=%v", w.Bytes(), ok, err)
	}
	return renderValue(v)
}

func showArgv(argv [][]byte) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if len(a) > 48 {
			parts[i] = strconv.Quote(string(a[:48])) + fmt.Sprintf("...(%d bytes)", len(a))
		} else {
			parts[i] = strconv.Quote(string(a))
		}
	}
	return strings.Join(parts, " ")
}

// oracleDirty reads server.dirty (rdb_changes_since_last_save).
func oracleDirty(t testing.TB, c *redis.Client) int64 {
	t.Helper()
	info, err := c.Info(context.Background(), "persistence").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "rdb_changes_since_last_save:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("INFO persistence has no rdb_changes_since_last_save")
	return 0
}
