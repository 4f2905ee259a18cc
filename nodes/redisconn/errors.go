package redisconn

import (
	"errors"

	"github.com/redsim/redsim/nodes/resp"
)

// The causes a Conn itself gives for a command without a reply; the Env's
// connection errors (sim.ErrRefused, sim.ErrDialTimeout, sim.ErrReset,
// sim.ErrNoHost) are passed on as they are.
var (
	// ErrTimeout: the reply did not come within Options.Timeout. The
	// connection is kept.
	ErrTimeout = errors.New("timeout")
	// ErrPeerClosed: the server closed the connection in order (FIN).
	ErrPeerClosed = errors.New("closed by peer")
	// ErrClosed: the owner called Close.
	ErrClosed = errors.New("connection closed by the client")
	// ErrAborted: the owner called Abort.
	ErrAborted = errors.New("connection reset by the client")
	// ErrHijacked: the owner took the connection over with Hijack.
	ErrHijacked = errors.New("connection taken over by its owner")
	// ErrTooManyPending: Options.MaxPending commands were awaiting replies.
	ErrTooManyPending = errors.New("too many unanswered requests")
)

// Error is what a Waiter is told when no reply will come.
type Error struct {
	// Addr is the server's "host:port".
	Addr string
	// Err is the cause: one of this package's Err* or error types, or one
	// of the Env's connection errors.
	Err error
	// Sent says whether the command was written to the connection: if
	// so, the server may have run it (an "info" outcome); if not, it
	// certainly did not (a "fail").
	Sent bool
	// Opened says whether the connection had opened; false means the
	// dial failed (or the Conn gave up before it completed).
	Opened bool
}

func (e *Error) Error() string {
	if e.Sent {
		return e.Addr + ": " + e.Err.Error() + " (the command was sent)"
	}
	return e.Addr + ": " + e.Err.Error() + " (the command was not sent)"
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Cause is err's cause if err is an *Error, else err.
func Cause(err error) error {
	if e, ok := err.(*Error); ok {
		return e.Err
	}
	return err
}

// ProtocolError is a malformed reply stream; the connection was reset.
type ProtocolError struct {
	// Err is the reader's *resp.SyntaxError.
	Err error
}

func (e *ProtocolError) Error() string { return "bad reply stream: " + e.Err.Error() }

// Unwrap returns the reader's error.
func (e *ProtocolError) Unwrap() error { return e.Err }

// UnexpectedReplyError is a reply that came when no command awaited one:
// the stream is out of step, and the connection was reset.
type UnexpectedReplyError struct {
	Reply resp.Value
}

func (e *UnexpectedReplyError) Error() string { return "unexpected reply " + Brief(e.Reply) }

// HandshakeError is a handshake command that failed: an error reply, or a
// timeout (Err). The connection was closed.
type HandshakeError struct {
	// Command is the handshake command: HELLO, AUTH, CLIENT SETNAME or
	// SELECT.
	Command string
	// Reply is its error reply, when there was one.
	Reply resp.Value
	// Err is why there was no reply (ErrTimeout), else nil.
	Err error
}

func (e *HandshakeError) Error() string {
	if e.Err != nil {
		return "handshake " + e.Command + ": " + e.Err.Error()
	}
	return "handshake " + e.Command + ": " + Brief(e.Reply)
}

// Brief is v as text for a log line or an error, cut to 80 bytes.
func Brief(v resp.Value) string {
	s := v.String()
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}
