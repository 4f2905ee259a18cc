package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"syscall"
	"time"
)

// Machine is what this machine's loopback and disk take for the things the
// simulator draws from distributions: the values a scenario's calibration
// parameters should have to match it.
type Machine struct {
	// OneWayLatency is half the median round trip of a small message
	// over TCP between two loopback addresses; LatencyP5 and LatencyP95
	// are half the 5th and 95th percentile round trips.
	OneWayLatency, LatencyP5, LatencyP95 time.Duration
	// RoundTrips is how many round trips were timed.
	RoundTrips int
	// Fsync is the median time of a 4 KiB append and fdatasync in the
	// directory measured; FsyncP95 the 95th percentile; Fsyncs how many
	// were timed.
	Fsync, FsyncP95 time.Duration
	Fsyncs          int
	// TransferBytesPerSecond is the rate at which TransferBytes crossed a
	// loopback TCP connection: what a full resync's snapshot can reach
	// at most.
	TransferBytesPerSecond float64
	TransferBytes          int64
}

// Measurement sizes: enough round trips and fsyncs for a stable median
// and 95th percentile, a transfer long enough to leave slow start behind,
// and all of it in a few seconds.
const (
	measureRoundTrips = 2000
	measureFsyncs     = 200
	measureTransfer   = 256 << 20
)

// MeasureMachine times the loopback between the addresses from and to
// (their round trip and transfer rate) and fsync in dir. ctx stops it.
func MeasureMachine(ctx context.Context, from, to, dir string) (Machine, error) {
	var m Machine
	rtts, err := roundTrips(ctx, from, to, measureRoundTrips)
	if err != nil {
		return m, fmt.Errorf("timing loopback round trips: %w", err)
	}
	m.RoundTrips = len(rtts)
	m.OneWayLatency, m.LatencyP5, m.LatencyP95 = quantile(rtts, 0.5)/2, quantile(rtts, 0.05)/2, quantile(rtts, 0.95)/2
	if m.TransferBytesPerSecond, err = transferRate(ctx, from, to, measureTransfer); err != nil {
		return m, fmt.Errorf("timing a loopback transfer: %w", err)
	}
	m.TransferBytes = measureTransfer
	fs, err := fsyncs(ctx, dir, measureFsyncs)
	if err != nil {
		return m, fmt.Errorf("timing fsync in %s: %w", dir, err)
	}
	m.Fsyncs = len(fs)
	m.Fsync, m.FsyncP95 = quantile(fs, 0.5), quantile(fs, 0.95)
	return m, nil
}

// quantile is the nearest-rank quantile q of ds, which it sorts.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// listen listens on a free port of the address to.
func listen(to string) (*net.TCPListener, error) {
	return net.ListenTCP("tcp", &net.TCPAddr{IP: net.ParseIP(to)})
}

// dial connects from the address from to l.
func dial(ctx context.Context, from string, l *net.TCPListener) (net.Conn, error) {
	d := net.Dialer{Timeout: commandTimeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return d.DialContext(ctx, "tcp", l.Addr().String())
}

// roundTrips times n round trips of 16 bytes, echoed, over one
// connection with Nagle off, as Redis and its clients set it.
func roundTrips(ctx context.Context, from, to string, n int) ([]time.Duration, error) {
	l, err := listen(to)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	echoed := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			echoed <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(c, c)
		echoed <- err
	}()
	c, err := dial(ctx, from, l)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	msg, back := make([]byte, 16), make([]byte, 16)
	out := make([]time.Duration, 0, n)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, back); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	c.Close()
	if err := <-echoed; err != nil && !errors.Is(err, net.ErrClosed) {
		return nil, err
	}
	return out, ctx.Err()
}

// transferRate sends size bytes over one loopback connection and returns
// bytes per second, from the first write to the receiver's last read.
func transferRate(ctx context.Context, from, to string, size int64) (float64, error) {
	l, err := listen(to)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	type got struct {
		n   int64
		end time.Time
		err error
	}
	done := make(chan got, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- got{err: err}
			return
		}
		defer c.Close()
		n, err := io.Copy(io.Discard, c)
		done <- got{n, time.Now(), err}
	}()
	c, err := dial(ctx, from, l)
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 256<<10)
	start := time.Now()
	for sent := int64(0); sent < size && ctx.Err() == nil; sent += int64(len(buf)) {
		if _, err := c.Write(buf); err != nil {
			c.Close()
			return 0, err
		}
	}
	c.Close()
	r := <-done
	if r.err != nil {
		return 0, r.err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.n < size {
		return 0, fmt.Errorf("sent %d bytes, %d arrived", size, r.n)
	}
	return float64(r.n) / r.end.Sub(start).Seconds(), nil
}

// fsyncs times n appends of 4 KiB, each followed by fdatasync, to a file
// in dir, as appendfsync always does after each write.
func fsyncs(ctx context.Context, dir string, n int) ([]time.Duration, error) {
	f, err := os.CreateTemp(dir, "fsync-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	out := make([]time.Duration, 0, n)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		start := time.Now()
		if _, err := f.Write(page); err != nil {
			return nil, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, ctx.Err()
}
