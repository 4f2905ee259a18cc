package sentinel

import "testing"

// TestResolveIPLikeGetaddrinfo: what redis-sentinel 7.0.15 (glibc's
// getaddrinfo with AI_NUMERICHOST) made of each address given to SENTINEL
// MONITOR, as SENTINEL GET-MASTER-ADDR-BY-NAME showed it; "" where it
// replied "Invalid IP address or hostname specified".
func TestResolveIPLikeGetaddrinfo(t *testing.T) {
	for in, want := range map[string]string{
		"1": "0.0.0.1", "127.1": "127.0.0.1", "0x7f.1": "127.0.0.1", "010.1": "8.0.0.1",
		"0": "0.0.0.0", "4294967295": "255.255.255.255", "0xffffffff": "255.255.255.255",
		"1.16777215": "1.255.255.255", "1.2.65535": "1.2.255.255", "00000000001": "0.0.0.1",
		"0xFF.0XaB": "255.0.0.171", "1.2.3.0377": "1.2.3.255", "1.2.3": "1.2.0.3",
		"::1": "::1", "0:0::1": "::1", "::FFFF:1.2.3.4": "::ffff:1.2.3.4", "fe80::1%lo": "fe80::1",
		"1.2.3.4.5": "", "256.1": "", " 1.2.3.4": "", "1.2.3.4 ": "", "4294967296": "", "1e3": "",
		"0x": "", "0x.1": "", "08": "", "0.0.0.08": "", "1.": "", ".1": "", "1..2": "",
		"0x100000000": "", "1.16777216": "", "1.2.65536": "", "1.2.3.0400": "", "0x1 ": "",
		"1::2::3": "", "::1.2.3": "", "[::1]": "", "1a": "", "": "",
		// The simulated network's host names.
		"r1": "r1", "n-2.local": "n-2.local",
	} {
		got, ok := resolveIP(in)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("resolveIP(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
