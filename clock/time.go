package clock

import (
	"strconv"
	"time"
)

// Time is true virtual time: nanoseconds since the world's epoch.
type Time int64

// Never is a time later than any event.
const Never Time = 1<<63 - 1

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns t-u as a duration.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Duration returns t as the duration since the epoch.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// String prints t as seconds since the epoch with microsecond precision, the
// form used in traces: "12.000345s".
func (t Time) String() string {
	return string(t.AppendTo(nil))
}

// AppendTo appends the String form of t to b without allocating.
func (t Time) AppendTo(b []byte) []byte {
	if t == Never {
		return append(b, "never"...)
	}
	v := int64(t)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/1e9, 10)
	b = append(b, '.')
	frac := (v % 1e9) / 1e3
	for div := int64(100000); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return append(b, 's')
}
