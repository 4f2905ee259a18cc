package live

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// commandTimeout bounds one operator or check command: a paused or cut
// off node must not hold the run (the operator's commands run on the
// clients' loop).
const commandTimeout = time.Second

// command sends one command to ip:port from the address from and returns
// its reply; an error reply is an error.
func command(from, ip string, port int, args ...string) (resp.Value, error) {
	d := net.Dialer{Timeout: commandTimeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	nc, err := d.Dial("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return resp.Value{}, err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(commandTimeout))
	if _, err := nc.Write(resp.AppendCommandStrings(nil, args...)); err != nil {
		return resp.Value{}, err
	}
	rr := resp.NewReplyReader()
	buf := make([]byte, 16<<10)
	for {
		v, ok, err := rr.Next()
		if err != nil {
			return resp.Value{}, err
		}
		if ok {
			if v.IsError() {
				return v, errors.New(string(v.Str))
			}
			return v, nil
		}
		n, err := nc.Read(buf)
		if n > 0 {
			rr.Feed(buf[:n])
			continue
		}
		if err != nil {
			return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
	}
}

// infoFields parses an INFO reply's "key:value" lines.
func infoFields(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}
