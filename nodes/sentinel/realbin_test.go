package sentinel

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim/realenv"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// realCommand sends one command to addr over real TCP and returns the reply.
func realCommand(addr string, args ...string) (resp.Value, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return resp.Value{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		return resp.Value{}, err
	}
	rr := resp.NewReplyReader()
	br := bufio.NewReader(c)
	buf := make([]byte, 4096)
	for {
		n, err := br.Read(buf)
		if n > 0 {
			rr.Feed(buf[:n])
			if v, ok, perr := rr.Next(); perr != nil {
				return resp.Value{}, perr
			} else if ok {
				return v, nil
			}
		}
		if err != nil {
			return resp.Value{}, err
		}
	}
}

// TestRealRedisFailover: three of this package's sentinels, on real time
// and real TCP (sim/realenv), monitor three real redis-server 7.0.15
// processes; the master is killed with SIGKILL, the sentinels promote a
// replica, reconfigure the other, agree on the new master, and convert the
// old master into a replica when it comes back.
func TestRealRedisFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("real time: about 30 s")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	dir := t.TempDir()
	ports := []int{freePort(t), freePort(t), freePort(t)}
	procs := make([]*exec.Cmd, 3)
	start := func(i int) {
		conf := filepath.Join(dir, "redis"+strconv.Itoa(i)+".conf")
		text := "port " + strconv.Itoa(ports[i]) + "\nbind 127.0.0.1\nsave \"\"\ndir " + dir + "\ndbfilename dump" + strconv.Itoa(i) + ".rdb\n"
		if i > 0 {
			text += "replicaof 127.0.0.1 " + strconv.Itoa(ports[0]) + "\n"
		}
		if _, err := os.Stat(conf); err != nil {
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, conf)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = cmd
	}
	for i := range ports {
		start(i)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			if p != nil && p.Process != nil {
				_ = p.Process.Kill()
				_ = p.Wait()
			}
		}
	})
	time.Sleep(300 * time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	var sports []int
	for i := 0; i < 3; i++ {
		sp := freePort(t)
		sports = append(sports, sp)
		sdir := filepath.Join(dir, "s"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			t.Fatal(err)
		}
		conf := "port " + strconv.Itoa(sp) + "\nsentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(ports[0]) + " 2\n" +
			"sentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 10000\n"
		if err := os.WriteFile(filepath.Join(sdir, DefaultConfigFile), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := realenv.New(realenv.Config{Name: "s" + strconv.Itoa(i), Host: "127.0.0.1", Dir: sdir, Log: &testLog{t: t, prefix: "s" + strconv.Itoa(i) + " "}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Start(Program(Options{})); err != nil {
				t.Error(err)
				return
			}
			_ = l.Run(ctx)
		}()
	}
	masterOf := func(sp int) string {
		v, err := realCommand("127.0.0.1:"+strconv.Itoa(sp), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
		if err != nil || len(v.Elems) != 2 {
			return ""
		}
		return string(v.Elems[0].Str) + ":" + string(v.Elems[1].Str)
	}
	waitFor := func(d time.Duration, cond func() bool) bool {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			if cond() {
				return true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return cond()
	}
	if !waitFor(20*time.Second, func() bool {
		for _, sp := range sports {
			v, err := realCommand("127.0.0.1:"+strconv.Itoa(sp), "SENTINEL", "MASTER", "mymaster")
			if err != nil {
				return false
			}
			f := fields(v)
			if f["num-other-sentinels"] != "2" || f["num-slaves"] != "2" {
				return false
			}
		}
		return true
	}) {
		t.Fatal("the sentinels did not find the replicas and each other within 20 s")
	}
	_ = procs[0].Process.Signal(syscall.SIGKILL)
	_ = procs[0].Wait()
	procs[0] = nil
	old := "127.0.0.1:" + strconv.Itoa(ports[0])
	var newMaster string
	if !waitFor(30*time.Second, func() bool {
		newMaster = masterOf(sports[0])
		if newMaster == "" || newMaster == old {
			return false
		}
		for _, sp := range sports[1:] {
			if masterOf(sp) != newMaster {
				return false
			}
		}
		v, err := realCommand(newMaster, "ROLE")
		return err == nil && len(v.Elems) > 0 && string(v.Elems[0].Str) == "master"
	}) {
		t.Fatalf("no agreed failover within 30 s (sentinel 0 says %q)", newMaster)
	}
	for i := 1; i < 3; i++ {
		addr := "127.0.0.1:" + strconv.Itoa(ports[i])
		if addr == newMaster {
			continue
		}
		if !waitFor(20*time.Second, func() bool {
			v, err := realCommand(addr, "INFO", "replication")
			return err == nil && strings.Contains(string(v.Str), "master_port:"+newMaster[strings.LastIndexByte(newMaster, ':')+1:])
		}) {
			t.Errorf("replica %s was not reconfigured to %s", addr, newMaster)
		}
	}
	start(0) // the old master's file says it is a master
	if !waitFor(40*time.Second, func() bool {
		v, err := realCommand(old, "ROLE")
		return err == nil && len(v.Elems) > 0 && string(v.Elems[0].Str) == "slave"
	}) {
		t.Error("the old master was not converted into a replica within 40 s")
	}
}

// fields reads a flat key-value array reply as a map.
func fields(v resp.Value) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[string(v.Elems[i].Str)] = string(v.Elems[i+1].Str)
	}
	return m
}

// testLog writes a loop's log lines to the test log.
type testLog struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(l.prefix + strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
