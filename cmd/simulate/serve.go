package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/sentinel"
	"github.com/redsim/redsim/sim/realenv"
	"github.com/spf13/cobra"
)

// serveFlags are `simulate serve`'s options.
type serveFlags struct {
	addr        string
	requirepass string
	dir         string
	appendonly  bool
	appendfsync string
	// sentinel, when set, is a Sentinel configuration file: serve runs
	// the simulator's Sentinel with it, as redis-sentinel FILE does.
	sentinel string
	// clusterEnabled runs the node in cluster mode (cluster-enabled yes):
	// the bus listens on the port + 10000 (or clusterPort) and the node's
	// state lives in clusterConfigFile under dir.
	clusterEnabled     bool
	clusterConfigFile  string
	clusterNodeTimeout time.Duration
	clusterPort        int
}

func newServeCmd(stdout, stderr io.Writer) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the simulator's Redis node on real TCP, a real clock and real files",
		Long: "serve runs the same Redis node code that the simulator tests, on a real-time\n" +
			"environment, so redis-cli and other clients can talk to it. SIGINT or SIGTERM\n" +
			"shuts it down as Redis 7.0 does: it waits up to shutdown-timeout (10 s) for\n" +
			"lagging replicas, holding writes, and saves if save points are set; a SIGINT\n" +
			"after that gives up at once without saving (exit status 1).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The signals are serve's own, taken as redis-server takes
			// them (forwardSignals). The root's context, which a signal
			// cancels, is not the one serve runs on.
			sigs := make(chan os.Signal, 2)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			ctx, cancel := context.WithCancel(context.WithoutCancel(cmd.Context()))
			defer cancel()
			if exe, err := os.Executable(); err == nil && builtByGoRun(exe) {
				go stopWithParent(ctx, cancel, os.Getppid(), 250*time.Millisecond)
			}
			return serve(ctx, f, stdout, stderr, nil, sigs)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:6379", "address to listen on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.requirepass, "requirepass", "", "password clients must AUTH with (requirepass)")
	fl.StringVar(&f.dir, "dir", ".", "directory for dump.rdb and the AOF's appendonlydir")
	fl.BoolVar(&f.appendonly, "appendonly", false, "enable the append-only file (appendonly)")
	fl.StringVar(&f.appendfsync, "appendfsync", "everysec", "AOF fsync policy: always, everysec or no")
	fl.StringVar(&f.sentinel, "sentinel", "", "run a Sentinel with this configuration file (as redis-sentinel FILE: its port line, default 26379, is the port; --addr gives the host; the file is rewritten in place)")
	fl.BoolVar(&f.clusterEnabled, "cluster-enabled", false, "run in cluster mode (cluster-enabled yes): the cluster bus listens on the port + 10000")
	fl.StringVar(&f.clusterConfigFile, "cluster-config-file", "nodes.conf", "the cluster's state file in --dir (cluster-config-file)")
	fl.DurationVar(&f.clusterNodeTimeout, "cluster-node-timeout", 15*time.Second, "how long a node may be unreachable before it is failing (cluster-node-timeout)")
	fl.IntVar(&f.clusterPort, "cluster-port", 0, "the cluster bus port, 0 for the port + 10000 (cluster-port)")
	return cmd
}

// serve runs a node until ctx is done or the node shuts itself down;
// ready, if set, gets the bound address. The first value from signals (nil
// for none) is SIGTERM to the node, the second stops it at once.
func serve(ctx context.Context, f serveFlags, stdout, stderr io.Writer, ready func(addr string), signals <-chan os.Signal) error {
	if f.sentinel != "" {
		return serveSentinel(ctx, f, stdout, stderr, ready, signals)
	}
	host, portStr, err := net.SplitHostPort(f.addr)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--addr %q: %v; want host:port such as 127.0.0.1:6379", f.addr, err)}
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return &exitError{exitUsage, fmt.Errorf("--addr %q: port %q is not a number in 0-65535", f.addr, portStr)}
	}
	switch f.appendfsync {
	case "always", "everysec", "no":
	default:
		return &exitError{exitUsage, fmt.Errorf("--appendfsync %q is unknown; one of always, everysec, no", f.appendfsync)}
	}
	if f.clusterEnabled {
		if err := checkClusterFlags(f, port); err != nil {
			return &exitError{exitUsage, err}
		}
	}
	dir, err := filepath.Abs(f.dir)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--dir %q: %v", f.dir, err)}
	}
	// redis-server refuses to start when it cannot chdir to dir; it never
	// creates it.
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		reason := "Not a directory"
		if errors.Is(err, os.ErrNotExist) {
			reason = "No such file or directory"
		} else if err != nil {
			reason = err.Error()
		}
		return &exitError{exitUsage, fmt.Errorf("--dir %q: %s; Redis refuses to start in a directory it cannot enter", f.dir, reason)}
	}
	l, err := realenv.New(realenv.Config{Name: "redis", Host: "localhost", Dir: dir, Log: stderr, ListenHost: host})
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--dir %q: %v", f.dir, err)}
	}
	cfg := redis.DefaultConfig()
	cfg.Port = port
	cfg.RequirePass = f.requirepass
	cfg.AppendOnly = f.appendonly
	cfg.AppendFsync = f.appendfsync
	cfg.Dir = dir
	if f.clusterEnabled {
		cfg.Cluster.Enabled = true
		cfg.Cluster.ConfigFile = f.clusterConfigFile
		cfg.Cluster.NodeTimeoutMs = f.clusterNodeTimeout.Milliseconds()
		cfg.Cluster.Port = f.clusterPort
	}
	if err := l.Start(redis.Program(cfg)); err != nil {
		return &exitError{exitFramework, err}
	}
	addr := l.Addr(port)
	if addr == "" {
		// The node logged why (port in use, a bad data file) and exited.
		_ = l.Run(ctx)
		return &exitError{exitUsage, fmt.Errorf("the node did not start on %s; see the log above", f.addr)}
	}
	fmt.Fprintf(stdout, "redis node (Redsim, Redis %s) listening on %s\n", redis.Version, addr)
	if ready != nil {
		ready(addr)
	}
	ctx, stop := forwardSignals(ctx, l, signals)
	defer stop()
	if err := l.Run(ctx); err != nil {
		return &exitError{exitFramework, err}
	}
	if st := l.ExitStatus(); st != 0 {
		return &exitError{st, fmt.Errorf("the node exited with status %d, as redis-server does: it gave up at a second signal without saving, or stopped on an error it logged above", st)}
	}
	return nil
}

// forwardSignals passes every signal to the loop's node as redis-server
// takes it: SIGTERM (Loop.Terminate) and SIGINT (Loop.Interrupt) start
// the shutdown, which a Redis node makes in its own time; a SIGINT after
// either gives up at once (exit status 1), and a second SIGTERM changes
// nothing. A node that is not a Terminator (a Sentinel) stops at the
// first. stop ends the watch.
func forwardSignals(ctx context.Context, l *realenv.Loop, signals <-chan os.Signal) (_ context.Context, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	if signals == nil {
		return ctx, cancel
	}
	go func() {
		for {
			select {
			case sig := <-signals:
				if sig == os.Interrupt {
					l.Interrupt()
				} else {
					l.Terminate()
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ctx, cancel
}

// checkClusterFlags refuses the cluster options redis-server would refuse
// at startup, and a bus port that cannot be derived from port 0.
func checkClusterFlags(f serveFlags, port int) error {
	switch {
	case f.clusterConfigFile == "" || strings.ContainsRune(f.clusterConfigFile, filepath.Separator):
		return fmt.Errorf("--cluster-config-file %q: want a file name in --dir such as nodes.conf", f.clusterConfigFile)
	case f.clusterNodeTimeout < time.Millisecond:
		return fmt.Errorf("--cluster-node-timeout %s: want at least 1ms (Redis's default is 15s)", f.clusterNodeTimeout)
	case f.clusterPort < 0 || f.clusterPort > 65535:
		return fmt.Errorf("--cluster-port %d: want 0 (the port + 10000) or a port in 1-65535", f.clusterPort)
	case port == 0 && f.clusterPort == 0:
		return fmt.Errorf("--cluster-enabled with --addr port 0: the bus port is the port + 10000; give a port, or --cluster-port")
	case f.clusterPort == 0 && port > 65535-10000:
		return fmt.Errorf("--addr port %d: the cluster bus port is the port + 10000, so the port must be 55535 or less", port)
	}
	return nil
}

// builtByGoRun reports whether exe is a binary `go run` built into its
// temporary work directory (go-build.../b001/exe/NAME).
func builtByGoRun(exe string) bool {
	return strings.Contains(exe, string(filepath.Separator)+"go-build") &&
		filepath.Base(filepath.Dir(exe)) == "exe"
}

// stopWithParent cancels ctx once the parent process parent has gone. `go
// run` does not pass SIGTERM on to the program it runs: killed, it leaves
// the server listening, adopted by init. Watching the parent makes `kill`
// of go run stop the server as a SIGTERM would (a graceful shutdown).
func stopWithParent(ctx context.Context, cancel func(), parent int, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				cancel()
				return
			}
		}
	}
}

// serveSentinel runs the simulator's Sentinel on real TCP, a real clock and
// its configuration file, as redis-sentinel FILE does: the file must
// exist, its port line (26379 by default) is where it listens, and it is
// rewritten in place when the state changes. A file Sentinel refuses is
// reported, with Redis's message, before anything listens.
func serveSentinel(ctx context.Context, f serveFlags, stdout, stderr io.Writer, ready func(addr string), signals <-chan os.Signal) error {
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--addr %q: %v; want host:port such as 127.0.0.1:26379 (with --sentinel the port comes from the file)", f.addr, err)}
	}
	path, err := filepath.Abs(f.sentinel)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--sentinel %q: %v", f.sentinel, err)}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--sentinel %q: %v; Sentinel needs a configuration file it can rewrite", f.sentinel, err)}
	}
	port := sentinel.DefaultPort
	for _, line := range strings.Split(string(text), "\n") {
		if w := strings.Fields(line); len(w) == 2 && strings.EqualFold(w[0], "port") {
			if p, err := strconv.Atoi(w[1]); err == nil {
				port = p
			}
		}
	}
	l, err := realenv.New(realenv.Config{Name: "sentinel", Host: "localhost", Dir: filepath.Dir(path), Log: stderr, ListenHost: host})
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--sentinel %q: %v", f.sentinel, err)}
	}
	if err := l.Start(sentinel.Program(sentinel.Options{ConfigFile: filepath.Base(path)})); err != nil {
		return &exitError{exitFramework, err}
	}
	addr := l.Addr(port)
	if addr == "" {
		// The sentinel logged why (its file, its port) and exited.
		_ = l.Run(ctx)
		return &exitError{exitUsage, fmt.Errorf("the sentinel did not start with %s; see the log above", f.sentinel)}
	}
	fmt.Fprintf(stdout, "sentinel (Redsim, Redis %s) listening on %s\n", redis.Version, addr)
	if ready != nil {
		ready(addr)
	}
	ctx, stop := forwardSignals(ctx, l, signals)
	defer stop()
	if err := l.Run(ctx); err != nil {
		return &exitError{exitFramework, err}
	}
	return nil
}
