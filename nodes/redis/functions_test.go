package redis

import (
	"strings"
	"testing"
)

// FUNCTION DUMP gives a payload that FUNCTION RESTORE takes back, under
// each policy, and a damaged payload is refused whole.
func TestFunctionDumpRestore(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	lib := "#!lua name=lib\nredis.register_function('f', function(keys, args) return redis.call('set', keys[1], args[1]) end)"
	if got := c.do("FUNCTION", "LOAD", lib); got != "$3\r\nlib\r\n" {
		t.Fatalf("FUNCTION LOAD: %q", got)
	}
	dump := c.do("FUNCTION", "DUMP")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	for _, tc := range []struct {
		policy []string
		want   string
	}{
		{nil, "-ERR Library lib already exists\r\n"},
		{[]string{"APPEND"}, "-ERR Library lib already exists\r\n"},
		{[]string{"REPLACE"}, "+OK\r\n"},
		{[]string{"FLUSH"}, "+OK\r\n"},
	} {
		args := append([]string{"FUNCTION", "RESTORE", payload}, tc.policy...)
		if got := c.do(args...); got != tc.want {
			t.Errorf("RESTORE %v: %q, want %q", tc.policy, got, tc.want)
		}
	}
	c.do("FUNCTION", "FLUSH")
	if got := c.do("FCALL", "f", "1", "k", "v"); !strings.Contains(got, "Function not found") {
		t.Fatalf("after FLUSH: %q", got)
	}
	damaged := []byte(payload)
	damaged[len(damaged)/2] ^= 1
	if got := c.do("FUNCTION", "RESTORE", string(damaged)); got != "-ERR DUMP payload version or checksum are wrong\r\n" {
		t.Fatalf("damaged payload: %q", got)
	}
	if got := c.do("FUNCTION", "RESTORE", payload); got != "+OK\r\n" {
		t.Fatalf("RESTORE into an empty set: %q", got)
	}
	if got := c.do("FCALL", "f", "1", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("FCALL after RESTORE: %q", got)
	}
}
