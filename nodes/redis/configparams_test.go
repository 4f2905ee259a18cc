package redis

import (
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// defaultParams is what CONFIG GET * answers on a real redis-server 7.0.15
// started with no config file, with the node's own values where the
// process decides, dir (the working directory; the node's files live on
// its Env's disk, "/data"), and enable-debug-command, "yes" on the node,
// which always allows DEBUG (the harnesses start real Redis with
// --enable-debug-command yes). The differential test in internal/redisdiff
// checks this list against the real server.
var defaultParams = [][2]string{
	{"acl-pubsub-default", "resetchannels"},
	{"aclfile", ""},
	{"acllog-max-len", "128"},
	{"active-defrag-cycle-max", "25"},
	{"active-defrag-cycle-min", "1"},
	{"active-defrag-ignore-bytes", "104857600"},
	{"active-defrag-max-scan-fields", "1000"},
	{"active-defrag-threshold-lower", "10"},
	{"active-defrag-threshold-upper", "100"},
	{"active-expire-effort", "1"},
	{"activedefrag", "no"},
	{"activerehashing", "yes"},
	{"always-show-logo", "no"},
	{"aof-disable-auto-gc", "no"},
	{"aof-load-truncated", "yes"},
	{"aof-rewrite-incremental-fsync", "yes"},
	{"aof-timestamp-enabled", "no"},
	{"aof-use-rdb-preamble", "yes"},
	{"aof_rewrite_cpulist", ""},
	{"appenddirname", "appendonlydir"},
	{"appendfilename", "appendonly.aof"},
	{"appendfsync", "everysec"},
	{"appendonly", "no"},
	{"auto-aof-rewrite-min-size", "67108864"},
	{"auto-aof-rewrite-percentage", "100"},
	{"bgsave_cpulist", ""},
	{"bind", "* -::*"},
	{"bind-source-addr", ""},
	{"bio_cpulist", ""},
	{"busy-reply-threshold", "5000"},
	{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
	{"client-query-buffer-limit", "1073741824"},
	{"cluster-allow-pubsubshard-when-down", "yes"},
	{"cluster-allow-reads-when-down", "no"},
	{"cluster-allow-replica-migration", "yes"},
	{"cluster-announce-bus-port", "0"},
	{"cluster-announce-hostname", ""},
	{"cluster-announce-ip", ""},
	{"cluster-announce-port", "0"},
	{"cluster-announce-tls-port", "0"},
	{"cluster-config-file", "nodes.conf"},
	{"cluster-enabled", "no"},
	{"cluster-link-sendbuf-limit", "0"},
	{"cluster-migration-barrier", "1"},
	{"cluster-node-timeout", "15000"},
	{"cluster-port", "0"},
	{"cluster-preferred-endpoint-type", "ip"},
	{"cluster-replica-no-failover", "no"},
	{"cluster-replica-validity-factor", "10"},
	{"cluster-require-full-coverage", "yes"},
	{"cluster-slave-no-failover", "no"},
	{"cluster-slave-validity-factor", "10"},
	{"crash-log-enabled", "yes"},
	{"crash-memcheck-enabled", "yes"},
	{"daemonize", "no"},
	{"databases", "16"},
	{"dbfilename", "dump.rdb"},
	{"dir", "/data"},
	{"disable-thp", "yes"},
	{"dynamic-hz", "yes"},
	{"enable-debug-command", "yes"},
	{"enable-module-command", "no"},
	{"enable-protected-configs", "no"},
	{"hash-max-listpack-entries", "512"},
	{"hash-max-listpack-value", "64"},
	{"hash-max-ziplist-entries", "512"},
	{"hash-max-ziplist-value", "64"},
	{"hll-sparse-max-bytes", "3000"},
	{"hz", "10"},
	{"ignore-warnings", ""},
	{"io-threads", "1"},
	{"io-threads-do-reads", "no"},
	{"jemalloc-bg-thread", "yes"},
	{"latency-monitor-threshold", "0"},
	{"latency-tracking", "yes"},
	{"latency-tracking-info-percentiles", "50 99 99.9"},
	{"lazyfree-lazy-eviction", "no"},
	{"lazyfree-lazy-expire", "no"},
	{"lazyfree-lazy-server-del", "no"},
	{"lazyfree-lazy-user-del", "no"},
	{"lazyfree-lazy-user-flush", "no"},
	{"lfu-decay-time", "1"},
	{"lfu-log-factor", "10"},
	{"list-compress-depth", "0"},
	{"list-max-listpack-size", "-2"},
	{"list-max-ziplist-size", "-2"},
	{"logfile", ""},
	{"loglevel", "notice"},
	{"lua-time-limit", "5000"},
	{"masterauth", ""},
	{"masteruser", ""},
	{"maxclients", "10000"},
	{"maxmemory", "0"},
	{"maxmemory-clients", "0"},
	{"maxmemory-eviction-tenacity", "10"},
	{"maxmemory-policy", "noeviction"},
	{"maxmemory-samples", "5"},
	{"min-replicas-max-lag", "10"},
	{"min-replicas-to-write", "0"},
	{"min-slaves-max-lag", "10"},
	{"min-slaves-to-write", "0"},
	{"no-appendfsync-on-rewrite", "no"},
	{"notify-keyspace-events", ""},
	{"oom-score-adj", "no"},
	{"oom-score-adj-values", "0 200 800"},
	{"pidfile", ""},
	{"port", "6379"},
	{"proc-title-template", "{title} {listen-addr} {server-mode}"},
	{"propagation-error-behavior", "ignore"},
	{"protected-mode", "yes"},
	{"proto-max-bulk-len", "536870912"},
	{"rdb-del-sync-files", "no"},
	{"rdb-save-incremental-fsync", "yes"},
	{"rdbchecksum", "yes"},
	{"rdbcompression", "yes"},
	{"repl-backlog-size", "1048576"},
	{"repl-backlog-ttl", "3600"},
	{"repl-disable-tcp-nodelay", "no"},
	{"repl-diskless-load", "disabled"},
	{"repl-diskless-sync", "yes"},
	{"repl-diskless-sync-delay", "5"},
	{"repl-diskless-sync-max-replicas", "0"},
	{"repl-ping-replica-period", "10"},
	{"repl-ping-slave-period", "10"},
	{"repl-timeout", "60"},
	{"replica-announce-ip", ""},
	{"replica-announce-port", "0"},
	{"replica-announced", "yes"},
	{"replica-ignore-disk-write-errors", "no"},
	{"replica-ignore-maxmemory", "yes"},
	{"replica-lazy-flush", "no"},
	{"replica-priority", "100"},
	{"replica-read-only", "yes"},
	{"replica-serve-stale-data", "yes"},
	{"replicaof", ""},
	{"requirepass", ""},
	{"sanitize-dump-payload", "no"},
	{"save", "3600 1 300 100 60 10000"},
	{"server_cpulist", ""},
	{"set-max-intset-entries", "512"},
	{"set-proc-title", "yes"},
	{"shutdown-on-sigint", "default"},
	{"shutdown-on-sigterm", "default"},
	{"shutdown-timeout", "10"},
	{"slave-announce-ip", ""},
	{"slave-announce-port", "0"},
	{"slave-ignore-maxmemory", "yes"},
	{"slave-lazy-flush", "no"},
	{"slave-priority", "100"},
	{"slave-read-only", "yes"},
	{"slave-serve-stale-data", "yes"},
	{"slaveof", ""},
	{"slowlog-log-slower-than", "10000"},
	{"slowlog-max-len", "128"},
	{"socket-mark-id", "0"},
	{"stop-writes-on-bgsave-error", "yes"},
	{"stream-node-max-bytes", "4096"},
	{"stream-node-max-entries", "100"},
	{"supervised", "no"},
	{"syslog-enabled", "no"},
	{"syslog-facility", "local0"},
	{"syslog-ident", "redis"},
	{"tcp-backlog", "511"},
	{"tcp-keepalive", "300"},
	{"timeout", "0"},
	{"tls-auth-clients", "yes"},
	{"tls-ca-cert-dir", ""},
	{"tls-ca-cert-file", ""},
	{"tls-cert-file", ""},
	{"tls-ciphers", ""},
	{"tls-ciphersuites", ""},
	{"tls-client-cert-file", ""},
	{"tls-client-key-file", ""},
	{"tls-client-key-file-pass", ""},
	{"tls-cluster", "no"},
	{"tls-dh-params-file", ""},
	{"tls-key-file", ""},
	{"tls-key-file-pass", ""},
	{"tls-port", "0"},
	{"tls-prefer-server-ciphers", "no"},
	{"tls-protocols", ""},
	{"tls-replication", "no"},
	{"tls-session-cache-size", "20480"},
	{"tls-session-cache-timeout", "300"},
	{"tls-session-caching", "yes"},
	{"tracking-table-max-keys", "1000000"},
	{"unixsocket", ""},
	{"unixsocketperm", "0"},
	{"zset-max-listpack-entries", "128"},
	{"zset-max-listpack-value", "64"},
	{"zset-max-ziplist-entries", "128"},
	{"zset-max-ziplist-value", "64"},
}

// configGetAll sends CONFIG GET with args and returns the reply as a map.
func configGetAll(t *testing.T, tc *testConn, args ...string) map[string]string {
	t.Helper()
	raw := tc.do(append([]string{"CONFIG", "GET"}, args...)...)
	rr := resp.NewReplyReader()
	rr.Feed([]byte(raw))
	v, ok, err := rr.Next()
	if err != nil || !ok {
		t.Fatalf("CONFIG GET %q: reply %q: %v", args, raw, err)
	}
	got := map[string]string{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		got[string(v.Elems[i].Str)] = string(v.Elems[i+1].Str)
	}
	return got
}

// TestConfigGetAllDefaults checks that CONFIG GET * lists exactly 7.0.15's
// names, aliases included, each with Redis's default.
func TestConfigGetAllDefaults(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	got := configGetAll(t, tw.dial(), "*")
	if len(got) != len(defaultParams) {
		t.Errorf("CONFIG GET * lists %d names, want %d", len(got), len(defaultParams))
	}
	for _, kv := range defaultParams {
		v, ok := got[kv[0]]
		switch {
		case !ok:
			t.Errorf("CONFIG GET * lacks %s", kv[0])
		case v != kv[1]:
			t.Errorf("CONFIG GET %s = %q, want %q", kv[0], v, kv[1])
		}
		delete(got, kv[0])
	}
	for k := range got { //redsim:ordered test output only
		t.Errorf("CONFIG GET * lists %s, which 7.0.15 has not", k)
	}
}

// TestConfigSetChecks checks CONFIG SET's refusals, kind by kind, with
// Redis's words; internal/redisdiff compares more with a real server.
func TestConfigSetChecks(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	tc := tw.dial()
	tc.expect(`
		CONFIG SET databases 3 -> -ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n
		CONFIG SET DIR /tmp -> -ERR CONFIG SET failed (possibly related to argument 'DIR') - can't set protected config\r\n
		CONFIG SET maxmemory 1 MAXMEMORY 2 -> -ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter\r\n
		CONFIG SET nosuch 1 databases 3 -> -ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n
		CONFIG SET maxmemory x databases 3 -> -ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n
		CONFIG SET a b c -> -ERR syntax error\r\n
		CONFIG SET SLAVE-PRIORITY x -> -ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer\r\n
		CONFIG SET maxclients 0 -> -ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n
		CONFIG SET active-expire-effort 11 -> -ERR CONFIG SET failed (possibly related to argument 'active-expire-effort') - argument must be between 1 and 10 inclusive\r\n
		CONFIG SET repl-backlog-size 1x -> -ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value\r\n
		CONFIG SET maxmemory-clients 101% -> -ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n
		CONFIG SET maxmemory-clients -1 -> -ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value\r\n
		CONFIG SET appendfsync sometimes -> -ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no\r\n
		CONFIG SET shutdown-on-sigint "save nosave" -> -ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously\r\n
		CONFIG SET protected-mode maybe -> -ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'\r\n
		CONFIG SET save "0 1" -> -ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n
		CONFIG SET client-output-buffer-limit "normal 1 2" -> -ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.\r\n
		CONFIG SET maxmemory 10mb maxmemory-clients 5% hz 0 shutdown-on-sigterm "now save" client-output-buffer-limit "replica 1kb 2 3" -> +OK\r\n
	`)
	got := configGetAll(t, tc, "maxmemory", "maxmemory-clients", "hz", "shutdown-on-sigterm", "client-output-buffer-limit")
	want := map[string]string{"maxmemory": "10485760", "maxmemory-clients": "5%", "hz": "1", "shutdown-on-sigterm": "save now",
		"client-output-buffer-limit": "normal 0 0 0 slave 1024 2 3 pubsub 33554432 8388608 60"}
	for k, v := range want { //redsim:ordered test output only
		if got[k] != v {
			t.Errorf("CONFIG GET %s = %q, want %q", k, got[k], v)
		}
	}
}

// TestConfigSetFailureRestores checks that a CONFIG SET whose later value
// is refused leaves the earlier ones, and the ACL's password, unchanged.
func TestConfigSetFailureRestores(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	tc := tw.dial()
	tc.expect(`
		CONFIG SET requirepass secret maxmemory 5 maxclients x -> -ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n
		PING -> +PONG\r\n
	`)
	got := configGetAll(t, tc, "requirepass", "maxmemory")
	if got["requirepass"] != "" || got["maxmemory"] != "0" {
		t.Errorf("after a refused CONFIG SET: %v", got)
	}
}

// TestConfigGetNames checks how CONFIG GET names what it finds: an exact
// name as given, hidden parameters only by exact name, and each parameter
// once.
func TestConfigGetNames(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	tc := tw.dial()
	got := configGetAll(t, tc, "MAXMEMORY", "maxmemory", "maxmem*", "rdb-key-save-delay", "nosuch")
	var keys []string
	for k := range got { //redsim:ordered sorted below
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := "MAXMEMORY maxmemory-clients maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples rdb-key-save-delay"
	if strings.Join(keys, " ") != want {
		t.Errorf("CONFIG GET names %q, want %q", keys, want)
	}
	if got := configGetAll(t, tc, "*delay*"); len(got) != 2 {
		t.Errorf("CONFIG GET *delay* = %v, want repl-diskless-sync-delay and repl-disable-tcp-nodelay only", got)
	}
}

// TestConfigProtected checks enable-protected-configs: dir and dbfilename
// are refused unless it is "yes", or "local" and the client is on the
// loopback address (the test world's clients are not).
func TestConfigProtected(t *testing.T) {
	for _, tc := range []struct{ enable, reply string }{
		{"no", "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n"},
		{"local", "-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n"},
		{"yes", "+OK\r\n"},
	} {
		cfg := DefaultConfig()
		cfg.EnableProtectedConfigs = tc.enable
		tw := newTestWorld(t, cfg)
		c := tw.dial()
		if got := c.do("CONFIG", "SET", "dbfilename", "other.rdb"); got != tc.reply {
			t.Errorf("enable-protected-configs %s: CONFIG SET dbfilename: %q, want %q", tc.enable, got, tc.reply)
		}
		if tc.enable == "yes" {
			c.expect(`
				CONFIG SET dbfilename x/y.rdb -> -ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename\r\n
				CONFIG GET dbfilename -> *2\r\n$10\r\ndbfilename\r\n$9\r\nother.rdb\r\n
				CONFIG GET enable-protected-configs -> *2\r\n$24\r\nenable-protected-configs\r\n$3\r\nyes\r\n
			`)
		}
	}
	for addr, local := range map[string]bool{"127.0.0.1:5000": true, "[::1]:5000": true, "c1:32768": false, "10.0.0.1:6379": false, "": false} { //redsim:ordered independent cases
		if got := isLocalClient(&client{addr: addr}); got != local {
			t.Errorf("isLocalClient(%q) = %v, want %v", addr, got, local)
		}
	}
}
