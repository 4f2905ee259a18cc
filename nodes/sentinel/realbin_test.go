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

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim/realenv"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func freePort(t *testing.T) int {
	t.Helper()
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	return port
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

// realWorld is real redis-server processes and this package's sentinels
// on sim/realenv, all on loopback.
type realWorld struct {
	t       *testing.T
	dir     string
	bin     string
	ports   []int
	procs   []*exec.Cmd
	sports  []int
	cancels []context.CancelFunc
	done    []chan struct{}
}

func newRealWorld(t *testing.T, redisNodes, sentinels int) *realWorld {
	if testing.Short() {
		t.Skip("real time")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: redis-server is not installed")
		}
		t.Skip("redis-server not installed")
	}
	rw := &realWorld{t: t, dir: t.TempDir(), bin: bin}
	for i := 0; i < redisNodes; i++ {
		rw.ports = append(rw.ports, freePort(t))
	}
	rw.procs = make([]*exec.Cmd, redisNodes)
	for i := range rw.ports {
		rw.startRedis(i)
	}
	t.Cleanup(func() {
		for i := range rw.procs {
			rw.killRedis(i)
		}
	})
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < sentinels; i++ {
		rw.sports = append(rw.sports, freePort(t))
		rw.cancels = append(rw.cancels, nil)
		rw.done = append(rw.done, nil)
		sdir := filepath.Join(rw.dir, "s"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			t.Fatal(err)
		}
		conf := "port " + strconv.Itoa(rw.sports[i]) + "\nsentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(rw.ports[0]) + " 2\n" +
			"sentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 10000\n"
		if err := os.WriteFile(filepath.Join(sdir, DefaultConfigFile), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		rw.startSentinel(i)
	}
	t.Cleanup(func() {
		for i := range rw.cancels {
			rw.stopSentinel(i)
		}
	})
	return rw
}

func (rw *realWorld) startRedis(i int) {
	conf := filepath.Join(rw.dir, "redis"+strconv.Itoa(i)+".conf")
	text := "port " + strconv.Itoa(rw.ports[i]) + "\nbind 127.0.0.1\nsave \"\"\ndir " + rw.dir + "\ndbfilename dump" + strconv.Itoa(i) + ".rdb\n"
	if i > 0 {
		text += "replicaof 127.0.0.1 " + strconv.Itoa(rw.ports[0]) + "\n"
	}
	if _, err := os.Stat(conf); err != nil {
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			rw.t.Fatal(err)
		}
	}
	cmd := exec.Command(rw.bin, conf)
	if err := cmd.Start(); err != nil {
		rw.t.Fatal(err)
	}
	rw.procs[i] = cmd
}

func (rw *realWorld) killRedis(i int) {
	if p := rw.procs[i]; p != nil && p.Process != nil {
		_ = p.Process.Signal(syscall.SIGKILL)
		_ = p.Wait()
	}
	rw.procs[i] = nil
}

// startSentinel runs sentinel i on a loop of its own, from its directory
// (its configuration file as last saved).
func (rw *realWorld) startSentinel(i int) {
	sdir := filepath.Join(rw.dir, "s"+strconv.Itoa(i))
	l, err := realenv.New(realenv.Config{Name: "s" + strconv.Itoa(i), Host: "127.0.0.1", Dir: sdir, Log: &testLog{t: rw.t, prefix: "s" + strconv.Itoa(i) + " "}})
	if err != nil {
		rw.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rw.cancels[i] = cancel
	done := make(chan struct{})
	rw.done[i] = done
	go func() {
		defer close(done)
		if err := l.Start(Program(Options{})); err != nil {
			rw.t.Error(err)
			return
		}
		_ = l.Run(ctx)
	}()
}

func (rw *realWorld) stopSentinel(i int) {
	if rw.cancels[i] != nil {
		rw.cancels[i]()
		<-rw.done[i]
		rw.cancels[i], rw.done[i] = nil, nil
	}
}

func (rw *realWorld) sentinelAddr(i int) string { return "127.0.0.1:" + strconv.Itoa(rw.sports[i]) }
func (rw *realWorld) redisAddr(i int) string    { return "127.0.0.1:" + strconv.Itoa(rw.ports[i]) }

func (rw *realWorld) masterOf(i int) string {
	v, err := realCommand(rw.sentinelAddr(i), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
	if err != nil || len(v.Elems) != 2 {
		return ""
	}
	return string(v.Elems[0].Str) + ":" + string(v.Elems[1].Str)
}

func (rw *realWorld) role(addr string) string {
	v, err := realCommand(addr, "ROLE")
	if err != nil || len(v.Elems) == 0 {
		return ""
	}
	return string(v.Elems[0].Str)
}

func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cond()
}

// discovered waits until the running sentinels know the replicas and the
// other sentinels.
func (rw *realWorld) discovered(sentinels []int, replicas, others string) {
	rw.t.Helper()
	if !waitFor(20*time.Second, func() bool {
		for _, i := range sentinels {
			v, err := realCommand(rw.sentinelAddr(i), "SENTINEL", "MASTER", "mymaster")
			if err != nil {
				return false
			}
			f := fields(v)
			if f["num-other-sentinels"] != others || f["num-slaves"] != replicas {
				return false
			}
		}
		return true
	}) {
		rw.t.Fatal("the sentinels did not find the replicas and each other within 20 s")
	}
}

// agreed waits until the sentinels listed agree on a master other than
// old that says it is a master, and returns it.
func (rw *realWorld) agreed(sentinels []int, old string, d time.Duration) string {
	rw.t.Helper()
	var m string
	if !waitFor(d, func() bool {
		m = rw.masterOf(sentinels[0])
		if m == "" || m == old {
			return false
		}
		for _, i := range sentinels[1:] {
			if rw.masterOf(i) != m {
				return false
			}
		}
		return rw.role(m) == "master"
	}) {
		rw.t.Fatalf("no agreed failover within %v (sentinel %d says %q)", d, sentinels[0], m)
	}
	return m
}

// The real-binary tests run on real time: their bounds are generous (a
// loaded machine can stall a sentinel's loop past the 2 s tilt trigger,
// and TILT then delays the failover by 30 s, as it would delay Redis's).

// TestRealRedisFailover: three of this package's sentinels, on real time
// and real TCP (sim/realenv), monitor three real redis-server 7.0.15
// processes; the master is killed with SIGKILL, the sentinels promote a
// replica, reconfigure the other, agree on the new master, and convert the
// old master into a replica when it comes back.
func TestRealRedisFailover(t *testing.T) {
	rw := newRealWorld(t, 3, 3)
	all := []int{0, 1, 2}
	rw.discovered(all, "2", "2")
	rw.killRedis(0)
	newMaster := rw.agreed(all, rw.redisAddr(0), 60*time.Second)
	for i := 1; i < 3; i++ {
		addr := rw.redisAddr(i)
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
	rw.startRedis(0) // its file says it is a master
	if !waitFor(60*time.Second, func() bool { return rw.role(rw.redisAddr(0)) == "slave" }) {
		t.Error("the old master was not converted into a replica within 60 s")
	}
}

// TestRealRedisManualFailoverAndLateSentinel: with one sentinel stopped,
// CKQUORUM still finds the quorum and the majority; SENTINEL FAILOVER
// (no agreement asked) moves the master; the stopped sentinel, started
// again from its file, learns the new master from the others' hello
// messages (+config-update-from, +switch-master).
func TestRealRedisManualFailoverAndLateSentinel(t *testing.T) {
	rw := newRealWorld(t, 3, 3)
	all := []int{0, 1, 2}
	rw.discovered(all, "2", "2")
	rw.stopSentinel(2)
	if !waitFor(10*time.Second, func() bool {
		v, err := realCommand(rw.sentinelAddr(0), "SENTINEL", "SENTINELS", "mymaster")
		return err == nil && strings.Contains(v.String(), "s_down")
	}) {
		t.Fatal("the stopped sentinel is not SDOWN")
	}
	v, err := realCommand(rw.sentinelAddr(0), "SENTINEL", "CKQUORUM", "mymaster")
	if want := "OK 2 usable Sentinels. Quorum and failover authorization can be reached"; err != nil || string(v.Str) != want {
		t.Fatalf("CKQUORUM: %s %v, want %s", v.String(), err, want)
	}
	if v, err := realCommand(rw.sentinelAddr(0), "SENTINEL", "FAILOVER", "mymaster"); err != nil || v.String() != "OK" {
		t.Fatalf("SENTINEL FAILOVER: %s %v", v.String(), err)
	}
	if v, _ := realCommand(rw.sentinelAddr(0), "SENTINEL", "FAILOVER", "mymaster"); !strings.Contains(v.String(), "INPROG Failover already in progress") {
		t.Errorf("second SENTINEL FAILOVER: %s", v.String())
	}
	newMaster := rw.agreed([]int{0, 1}, rw.redisAddr(0), 60*time.Second)
	rw.startSentinel(2)
	if !waitFor(20*time.Second, func() bool { return rw.masterOf(2) == newMaster }) {
		t.Fatalf("the late sentinel says %q, the others %q", rw.masterOf(2), newMaster)
	}
}

// keysOf lists the keys of a key-value reply, or of each element's.
func keysOf(v resp.Value) string {
	if len(v.Elems) > 0 && v.Elems[0].Kind == resp.KindArray {
		var parts []string
		for _, e := range v.Elems {
			parts = append(parts, keysOf(e))
		}
		return strings.Join(parts, " | ")
	}
	var ks []string
	for i := 0; i+1 < len(v.Elems); i += 2 {
		ks = append(ks, string(v.Elems[i].Str))
	}
	return strings.Join(ks, ",")
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

// TestRealRedisMixedSentinels: two of this package's sentinels and one
// real redis-sentinel 7.0.15 watch real redis-servers together: they find
// each other through hello messages, vote for each other's failovers with
// IS-MASTER-DOWN-BY-ADDR, and all three agree on the new master after the
// old one is killed.
func TestRealRedisMixedSentinels(t *testing.T) {
	sbin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: redis-sentinel is not installed (apt-get install -y redis-sentinel)")
		}
		t.Skip("redis-sentinel not installed")
	}
	rw := newRealWorld(t, 3, 2)
	port := freePort(t)
	conf := filepath.Join(rw.dir, "real-sentinel.conf")
	text := "port " + strconv.Itoa(port) + "\nbind 127.0.0.1\ndir " + rw.dir + "\nsentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(rw.ports[0]) + " 2\n" +
		"sentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 10000\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	real := exec.Command(sbin, conf)
	if err := real.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = real.Process.Signal(syscall.SIGKILL)
		_ = real.Wait()
	})
	realAddr := "127.0.0.1:" + strconv.Itoa(port)
	rw.discovered([]int{0, 1}, "2", "2")
	if !waitFor(20*time.Second, func() bool {
		v, err := realCommand(realAddr, "SENTINEL", "MASTER", "mymaster")
		f := fields(v)
		return err == nil && f["num-other-sentinels"] == "2" && f["num-slaves"] == "2"
	}) {
		t.Fatal("the real sentinel did not find the simulated ones and both replicas")
	}
	// The replies describing instances have the real one's fields, in
	// its order.
	for _, q := range [][]string{{"SENTINEL", "MASTER", "mymaster"}, {"SENTINEL", "REPLICAS", "mymaster"}, {"SENTINEL", "SENTINELS", "mymaster"}, {"SENTINEL", "MASTERS"}} {
		want, err1 := realCommand(realAddr, q...)
		got, err2 := realCommand(rw.sentinelAddr(0), q...)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if k1, k2 := keysOf(want), keysOf(got); k1 != k2 {
			t.Errorf("%v fields:\n got  %s\n want %s", q, k2, k1)
		}
	}
	rw.killRedis(0)
	newMaster := rw.agreed([]int{0, 1}, rw.redisAddr(0), 60*time.Second)
	if !waitFor(20*time.Second, func() bool {
		v, err := realCommand(realAddr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
		return err == nil && len(v.Elems) == 2 && string(v.Elems[0].Str)+":"+string(v.Elems[1].Str) == newMaster
	}) {
		t.Fatalf("the real sentinel does not agree on %s", newMaster)
	}
}
