package redisconn

import (
	"errors"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// DefaultDialTimeout is go-redis's DialTimeout.
const DefaultDialTimeout = 5 * time.Second

// Options configure a Conn. The zero Options dial with DefaultDialTimeout,
// never time a command out, hold commands until the connection is open,
// speak RESP2 without a handshake and never reconnect on their own.
type Options struct {
	// DialTimeout bounds a connection attempt (go-redis's DialTimeout);
	// zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// Timeout is how long a written command waits for its reply before its
	// Waiter is told ErrTimeout (go-redis's ReadTimeout). The connection is
	// kept: the late reply is read and dropped. Zero means no timeout.
	Timeout time.Duration
	// WriteWhileDialing writes commands issued while the dial is under way
	// at once: the Env sends them right behind the SYN, so they reach the
	// server as soon as the connection opens. Without it they are held and
	// written when the connection is ready (open, handshake done), so a
	// failed dial reports them certainly not sent.
	WriteWhileDialing bool
	// MaxPending bounds the commands awaiting replies (timed-out ones
	// included). Issuing one more takes the server for gone: the
	// connection is reset, every command on it fails with
	// ErrTooManyPending, and the new command goes to a new connection.
	// Zero means no bound.
	MaxPending int
	// MaxBulkLen is the longest string reply accepted; zero means
	// resp.DefaultReplyMaxBulkLen. A longer one is a malformed reply.
	MaxBulkLen int64

	// Protocol is the RESP version: 2 (or zero) sends no HELLO; 3 opens
	// every connection with HELLO 3, folding AUTH and SETNAME into it.
	Protocol int
	// Username and Password authenticate each new connection (AUTH, or
	// HELLO's AUTH); no Password means no authentication. An empty
	// Username is Redis's "default" user.
	Username, Password string
	// ClientName is set on each new connection (CLIENT SETNAME, or
	// HELLO's SETNAME) when not empty.
	ClientName string
	// DB is selected on each new connection (SELECT) when not zero.
	DB int
	// ReadOnly sends READONLY on each new connection, after SELECT, as
	// go-redis's connection initialisation does for a cluster client with
	// ReadOnly or RouteRandomly: a connection dialed again after a reset
	// must let its replica serve reads too.
	ReadOnly bool

	// Reconnect, when its Max is positive, dials a connection that a fault
	// ended (not Close, Abort or Hijack) again after Reconnect.Delay of the
	// failures in a row, drawn from env.Rand(). Commands issued while
	// waiting are held for the next connection.
	Reconnect Backoff

	// LogPrefix, when not empty, makes the Conn write a trace line (Logf)
	// starting with it whenever it gives up on a connection it cannot
	// trust: a malformed reply, a reply nobody asked for, MaxPending
	// unanswered commands, a failed handshake.
	LogPrefix string

	// OnUp, if set, runs each time a connection is ready (open, handshake
	// done), after the commands held for it were written.
	OnUp func()
	// OnDown, if set, runs when a connection ends other than by Close,
	// Abort or Hijack, with the cause (ErrPeerClosed, sim.ErrReset,
	// sim.ErrRefused, *ProtocolError, *UnexpectedReplyError,
	// *HandshakeError, ErrTooManyPending...). It runs before the Conn
	// closes or resets the connection itself and before any Waiter is told,
	// so that a log line it writes comes first.
	OnDown func(cause error)
	// OnPush, if set, receives RESP3 push messages (which are never
	// replies); without it they are dropped.
	OnPush func(v resp.Value)

	// ReuseReplies lends each reply to its Waiter (and each push to OnPush)
	// for the length of the call only: the Conn reuses the reply's memory
	// for the next one (resp.ReplyReader.SetReuse), so a Waiter must copy
	// what it keeps (string(v.Str) does). Replies kept in errors are copies.
	ReuseReplies bool
}

// Validate reports options that New would refuse.
func (o *Options) Validate() error {
	if o.DialTimeout < 0 || o.Timeout < 0 || o.MaxPending < 0 || o.MaxBulkLen < 0 || o.DB < 0 {
		return errors.New("redisconn: DialTimeout, Timeout, MaxPending, MaxBulkLen and DB must not be negative")
	}
	if o.Protocol != 0 && o.Protocol != 2 && o.Protocol != 3 {
		return errors.New("redisconn: Protocol must be 2 or 3")
	}
	return o.Reconnect.validate()
}
