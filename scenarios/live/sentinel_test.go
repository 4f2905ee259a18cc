package live

import (
	"strings"
	"testing"
)

// TestSentinelConfBindsTheHostAddress: a live sentinel listens on its
// host's address and connects from it (or partitions would not cut it),
// announces it, and the deployment's lines come last, so that Extra may
// override the run's.
func TestSentinelConfBindsTheHostAddress(t *testing.T) {
	deployment := "port 26379\nsentinel monitor mymaster 127.0.12.2 6379 3\n"
	conf := sentinelConf("127.0.12.4", 26379, "/d/data", "/d/sentinel.log", deployment)
	for _, want := range []string{"bind 127.0.12.4\n", "bind-source-addr 127.0.12.4\n", "sentinel announce-ip 127.0.12.4\n", "protected-mode no\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("sentinel.conf lacks %q:\n%s", want, conf)
		}
	}
	if !strings.HasSuffix(conf, deployment) {
		t.Errorf("the deployment's lines must come last:\n%s", conf)
	}
}

// TestHostNames: the run's addresses in a sentinel's event, bare or with
// a port, read as host names; other words and addresses stay.
func TestHostNames(t *testing.T) {
	b := &Backend{hosts: map[string]string{}, block: "127.0.12."}
	b.addr(operatorHost)
	b.addr("n1")
	b.addr("n3")
	got := b.hostNames("slave 127.0.12.3:6379 127.0.12.3 6379 @ mymaster 127.0.12.2 6379 10.0.0.1")
	if want := "slave n3:6379 n3 6379 @ mymaster n1 6379 10.0.0.1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if h, ok := b.HostAddr("127.0.12.2:6379"); !ok || h != "n1:6379" {
		t.Errorf("HostAddr: %q %v", h, ok)
	}
	if _, ok := b.HostAddr("127.0.13.2:6379"); ok {
		t.Error("HostAddr maps an address the run did not give")
	}
	if flagsStatus("o_down,s_down,master") != "odown" || flagsStatus("s_down,master") != "sdown" || flagsStatus("master") != "ok" {
		t.Error("flagsStatus")
	}
}
