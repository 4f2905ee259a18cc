package redlock

import (
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// serveConn is the server side of one connection to the resource or the
// token source: RESP requests in, one reply per request out, in order.
type serveConn struct {
	rd     *resp.Reader
	w      resp.Writer
	handle func(args [][]byte, w *resp.Writer)
}

// accepter returns a Listen callback that serves every connection with
// handle.
func accepter(handle func(args [][]byte, w *resp.Writer)) func(sim.Conn) sim.ConnHandler {
	return func(sim.Conn) sim.ConnHandler {
		return &serveConn{rd: resp.NewReader(), handle: handle}
	}
}

func (s *serveConn) OnOpen(sim.Conn) {}

func (s *serveConn) OnData(c sim.Conn, p []byte) {
	s.rd.Feed(p)
	s.w.Reset()
	for {
		args, ok, err := s.rd.Next()
		if err != nil {
			if pe := s.rd.Err(); pe != nil {
				c.Write(pe.AppendReply(s.w.Bytes()))
			}
			c.Close()
			return
		}
		if !ok {
			break
		}
		s.handle(args, &s.w)
	}
	if s.w.Len() > 0 {
		c.Write(s.w.Bytes())
	}
}

func (s *serveConn) OnClose(sim.Conn, error) {}
