package sentinel

import (
	"net/netip"
	"strconv"
)

// resolveIP is anetResolve with ANET_IP_ONLY, as createSentinelAddr and
// SENTINEL MONITOR call it: a numeric address as getaddrinfo with
// AI_NUMERICHOST parses it (IPv4 in any form inet_aton takes: "127.1",
// "0x7f.0.0.1", "2130706433"; IPv6 with or without a zone) is printed as
// inet_ntop prints it; anything else is refused.
//
// One extension: the simulated network's hosts have names, not
// addresses, so a name that begins with a letter (and holds no space) is
// taken as it is, where redis-sentinel with resolve-hostnames no would
// refuse it.
func resolveIP(h string) (string, bool) {
	if v, ok := parseInetAton(h); ok {
		return strconv.Itoa(int(v>>24)) + "." + strconv.Itoa(int(v>>16&0xff)) + "." +
			strconv.Itoa(int(v>>8&0xff)) + "." + strconv.Itoa(int(v&0xff)), true
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is6() {
		return a.WithZone("").String(), true
	}
	if h == "" || !(h[0] >= 'a' && h[0] <= 'z' || h[0] >= 'A' && h[0] <= 'Z') {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case ' ', '\t', '\r', '\n', '\v', '\f':
			return "", false
		}
	}
	return h, true
}

// parseInetAton is glibc's inet_aton_exact: one to four parts separated
// by dots, each decimal, octal (a leading 0) or hexadecimal (0x), the
// last filling the bytes the others left (a.b takes b as 24 bits, a.b.c
// takes c as 16), and nothing after.
func parseInetAton(s string) (uint32, bool) {
	var parts []uint64
	i := 0
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		base, digits := uint64(10), 0
		if s[i] == '0' {
			i++
			if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
				base = 16
				i++
			} else {
				base, digits = 8, 1
			}
		}
		var v uint64
		for ; i < len(s); i++ {
			c := s[i]
			var d uint64
			switch {
			case c >= '0' && c <= '9':
				d = uint64(c - '0')
			case base == 16 && c >= 'a' && c <= 'f':
				d = uint64(c-'a') + 10
			case base == 16 && c >= 'A' && c <= 'F':
				d = uint64(c-'A') + 10
			default:
				d = 99
			}
			if d == 99 {
				break
			}
			if d >= base {
				return 0, false
			}
			v = v*base + d
			digits++
			if v > 0xffffffff {
				return 0, false
			}
		}
		if digits == 0 {
			return 0, false
		}
		if i < len(s) && s[i] == '.' {
			if len(parts) == 3 || v > 0xff {
				return 0, false
			}
			parts = append(parts, v)
			i++
			continue
		}
		if i != len(s) {
			return 0, false
		}
		max := [...]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}[len(parts)]
		if v > max {
			return 0, false
		}
		out := uint32(v)
		for j, p := range parts {
			out |= uint32(p) << (24 - 8*j)
		}
		return out, true
	}
}
