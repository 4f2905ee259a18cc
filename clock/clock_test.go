package clock

import (
	"testing"
	"time"
)

const epoch = DefaultEpochUnixNano

func sec(s float64) Time { return Time(s * 1e9) }

func TestReadings(t *testing.T) {
	type step func(c *Clock)
	tests := []struct {
		name     string
		cfg      Config
		faults   []step
		at       Time
		wantMono time.Duration
		wantWall int64
	}{
		{"perfect at epoch", Config{}, nil, 0, 0, epoch},
		{"perfect after 10s", Config{}, nil, sec(10), 10 * time.Second, epoch + 10e9},
		{"offset moves wall only", Config{Offset: 3 * time.Second}, nil, sec(1), time.Second, epoch + 4e9},
		{"negative offset", Config{Offset: -time.Second}, nil, sec(1), time.Second, epoch},
		{"custom epoch", Config{EpochUnixNano: 1e18}, nil, sec(2), 2 * time.Second, 1e18 + 2e9},
		{"fast drift moves both", Config{DriftPPM: 1000}, nil, sec(10), 10*time.Second + 10*time.Millisecond, epoch + 10e9 + 10e6},
		{"slow drift moves both", Config{DriftPPM: -500}, nil, sec(10), 10*time.Second - 5*time.Millisecond, epoch + 10e9 - 5e6},
		{"fractional ppm", Config{DriftPPM: 0.5}, nil, sec(100), 100*time.Second + 50*time.Microsecond, epoch + 100e9 + 50e3},
		{"forward jump moves wall only", Config{}, []step{func(c *Clock) { c.Jump(time.Minute) }}, sec(5), 5 * time.Second, epoch + 65e9},
		{"backward jump moves wall only", Config{}, []step{func(c *Clock) { c.Jump(-time.Minute) }}, sec(5), 5 * time.Second, epoch - 55e9},
		{"drift changed at 10s", Config{}, []step{func(c *Clock) { _ = c.SetDrift(sec(10), 100000) }}, sec(20), 21 * time.Second, epoch + 21e9},
		{"drift then jump", Config{DriftPPM: 1000}, []step{func(c *Clock) { c.Jump(-2 * time.Second) }}, sec(1), time.Second + time.Millisecond, epoch + 1e9 + 1e6 - 2e9},
		{"strobe even phase", Config{}, []step{func(c *Clock) { c.Strobe(sec(1), time.Hour, time.Second, 10*time.Second) }}, sec(1.5), 1500 * time.Millisecond, epoch + 1.5e9},
		{"strobe odd phase", Config{}, []step{func(c *Clock) { c.Strobe(sec(1), time.Hour, time.Second, 10*time.Second) }}, sec(2.5), 2500 * time.Millisecond, epoch + 2.5e9 + 3600e9},
		{"strobe over", Config{}, []step{func(c *Clock) { c.Strobe(sec(1), time.Hour, time.Second, 10*time.Second) }}, sec(12.5), 12500 * time.Millisecond, epoch + 12.5e9},
		{"strobe cleared", Config{}, []step{func(c *Clock) { c.Strobe(sec(1), time.Hour, time.Second, 10*time.Second); c.Strobe(0, 0, 0, 0) }}, sec(2.5), 2500 * time.Millisecond, epoch + 2.5e9},
		{"long run with drift does not overflow", Config{DriftPPM: 200}, nil, sec(30 * 86400), 30*24*time.Hour + 518400*time.Millisecond, epoch + 30*86400e9 + 518400e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.faults {
				f(c)
			}
			if got := c.Mono(tt.at); got != tt.wantMono {
				t.Errorf("Mono(%v) = %v, want %v", tt.at, got, tt.wantMono)
			}
			if got := c.Wall(tt.at); got != tt.wantWall {
				t.Errorf("Wall(%v) = %d, want %d (off by %v)", tt.at, got, tt.wantWall, time.Duration(got-tt.wantWall))
			}
		})
	}
}

func TestMonoNeverGoesBackwards(t *testing.T) {
	c, _ := New(Config{DriftPPM: -400000})
	var last time.Duration
	for i := 0; i < 1000; i++ {
		now := Time(i) * Time(time.Millisecond)
		if i%100 == 0 {
			c.Jump(-time.Hour)
			if err := c.SetDrift(now, float64(i%300)-150); err != nil {
				t.Fatal(err)
			}
		}
		m := c.Mono(now)
		if m < last {
			t.Fatalf("mono went back at %v: %v < %v", now, m, last)
		}
		last = m
	}
}

func TestDriftOutOfRange(t *testing.T) {
	for _, ppm := range []float64{-MaxDriftPPM, -1e7, MaxDriftPPM + 1} {
		if _, err := New(Config{DriftPPM: ppm}); err == nil {
			t.Errorf("New(drift %g) accepted", ppm)
		}
	}
	c, _ := New(Config{})
	if err := c.SetDrift(0, 1e9); err == nil {
		t.Error("SetDrift(1e9) accepted")
	}
}

func TestTrueDuration(t *testing.T) {
	tests := []struct {
		ppm   float64
		local time.Duration
		want  time.Duration
	}{
		{0, time.Second, time.Second},
		{0, -1, 0},
		{100000, 1100 * time.Millisecond, time.Second}, // fast clock: local second passes sooner
		{-100000, 900 * time.Millisecond, time.Second}, // slow clock: later
		{1, time.Second, 999999001},                    // rounds up
		{1000, 1000 * time.Hour, 3596403596403597},     // large values do not overflow
	}
	for _, tt := range tests {
		c, _ := New(Config{DriftPPM: tt.ppm})
		got := c.TrueDuration(tt.local)
		if got != tt.want {
			t.Errorf("ppm %g: TrueDuration(%v) = %d, want %d", tt.ppm, tt.local, got, tt.want)
		}
		// A timer set for local duration d must not fire before the local clock advanced d.
		if tt.local > 0 && c.Mono(Time(got)) < tt.local {
			t.Errorf("ppm %g: mono after TrueDuration(%v) is %v, too early", tt.ppm, tt.local, c.Mono(Time(got)))
		}
	}
}

func TestTimeString(t *testing.T) {
	for _, tt := range []struct {
		t    Time
		want string
	}{{0, "0.000000s"}, {sec(12.000345), "12.000345s"}, {-sec(1.5), "-1.500000s"}, {Never, "never"}} {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", int64(tt.t), got, tt.want)
		}
	}
}
