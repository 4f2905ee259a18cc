package geo_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redsim/redsim/internal/freeport"
	"github.com/redsim/redsim/nodes/redis/geo"
	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// The differential tests: the same points and queries go to a real
// redis-server 7.0.x and through this package, and every reply must match
// byte for byte, order included, except where the C library's rounding of
// sin, cos and asin shows (tolerance_test.go): such replies are checked
// against what a libm one ulp off can reply, and counted in the log.

// startRedis starts redis-server 7.0.x from PATH on a free loopback port
// with persistence off and returns a RESP2 client for it; the server stops
// when the test ends. Without one the test is skipped, or fails under
// CI=true.
//
// This is a small copy of internal/redisdiff.StartRedis (as in
// nodes/redis/hll): that package links the node, which imports this
// package, so using it here would tie these tests to the whole node's build.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	problem := ""
	if err != nil {
		problem = "redis-server not found on PATH; install it (apt-get install redis-server) to run the differential tests"
	} else if out, err := exec.Command(bin, "--version").Output(); err != nil {
		problem = bin + " --version failed: " + err.Error()
	} else if !strings.Contains(string(out), "v=7.0.") {
		problem = bin + " is " + strings.TrimSpace(string(out)) + "; the differential tests need Redis 7.0.x"
	}
	if problem != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", problem)
		}
		t.Skip(problem)
	}
	dir := t.TempDir()
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
			"--loglevel", "warning", "--logfile", "")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		rdb := redis.NewClient(&redis.Options{
			Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Protocol: 2,
			DisableIdentity: true, MaxRetries: -1,
		})
		if waitPing(rdb, exited) {
			t.Cleanup(func() {
				_ = rdb.Close()
				_ = cmd.Process.Kill()
				<-exited
			})
			return rdb
		}
		_ = rdb.Close()
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("redis-server did not start")
	return nil
}

func waitPing(rdb *redis.Client, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if rdb.Ping(context.Background()).Err() == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	return freeport.Port()
}

// render writes a RESP2 reply as go-redis decodes it: bulk strings as is,
// integers in decimal, nil as "(nil)", errors as their text, arrays in [].
func render(v any, err error) string {
	if err == redis.Nil {
		return "(nil)"
	}
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case nil:
			b.WriteString("(nil)")
		case string:
			b.WriteString(v)
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case []any:
			b.WriteByte('[')
			for i, e := range v {
				if i > 0 {
					b.WriteByte(' ')
				}
				walk(e)
			}
			b.WriteByte(']')
		default:
			fmt.Fprintf(&b, "%T(%v)", v, v)
		}
	}
	walk(v)
	return b.String()
}

// point is a test point as GEOADD receives it.
type point struct {
	member   string
	lon, lat string
}

// coord formats a coordinate so that Redis's strtod and rnum read the same
// double: mostly short decimals, sometimes the shortest round-trip form of
// a random double.
func coord(r *rand.Rand, v float64) string {
	if r.IntN(3) == 0 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', r.IntN(8), 64)
}

// genPoints draws n points: uniform ones, the poles' and the antimeridian's
// edges, shared longitudes, exact cell boundaries at random steps, points
// stacked on one position (distance ties) and near-antipodal pairs.
func genPoints(r *rand.Rand, n int) []point {
	var pts []point
	add := func(lon, lat string) {
		pts = append(pts, point{fmt.Sprintf("m%d", len(pts)), lon, lat})
	}
	latSpan := geo.LatMax - geo.LatMin
	edges := []string{"180", "-180", "179.99999999", "-179.99999999", "0", "-0"}
	poles := []string{"85.05112878", "-85.05112878", "85.0511287", "-85.0511287", "85", "-85", "0"}
	sharedLon := []string{"13.361389", "-73.985428", "151.2093"}
	for len(pts) < n {
		switch k := r.IntN(12); {
		case k < 4:
			add(coord(r, r.Float64()*360-180), coord(r, r.Float64()*latSpan+geo.LatMin))
		case k == 4:
			add(edges[r.IntN(len(edges))], poles[r.IntN(len(poles))])
		case k == 5:
			add(edges[r.IntN(len(edges))], coord(r, r.Float64()*latSpan+geo.LatMin))
		case k == 6:
			add(coord(r, r.Float64()*360-180), poles[r.IntN(len(poles))])
		case k == 7:
			add(sharedLon[r.IntN(len(sharedLon))], coord(r, r.Float64()*latSpan+geo.LatMin))
		case k == 8:
			step := 1 + r.IntN(26)
			cells := float64(uint64(1) << step)
			lon := -180 + 360*float64(r.IntN(int(cells)+1))/cells
			lat := geo.LatMin + latSpan*float64(r.IntN(int(cells)+1))/cells
			add(strconv.FormatFloat(lon, 'g', -1, 64), strconv.FormatFloat(math.Min(lat, geo.LatMax), 'g', -1, 64))
		case k == 9:
			lon, lat := coord(r, r.Float64()*360-180), coord(r, r.Float64()*120-60)
			for range 1 + r.IntN(6) {
				add(lon, lat)
			}
		case k == 10:
			lon, lat := r.Float64()*360-180, r.Float64()*160-80
			add(coord(r, lon), coord(r, lat))
			alon := lon + 180
			if alon > 180 {
				alon -= 360
			}
			add(coord(r, alon+(r.Float64()-0.5)*1e-6), coord(r, -lat))
		default:
			add(coord(r, r.Float64()*10-5), coord(r, r.Float64()*10+40))
		}
	}
	return pts[:n]
}

func parseCoord(t *testing.T, s string) float64 {
	t.Helper()
	v, ok := rnum.ParseFloat([]byte(s))
	if !ok {
		t.Fatalf("coordinate %q does not parse", s)
	}
	return v
}

// loaded is a geo set both in the server and in a zset.Set.
type loaded struct {
	key    string
	pts    []point
	set    *zset.Set
	scores map[string]float64
}

func load(t *testing.T, ctx context.Context, rdb *redis.Client, key string, pts []point) *loaded {
	t.Helper()
	for i := 0; i < len(pts); i += 200 {
		args := []any{"GEOADD", key}
		for _, p := range pts[i:min(i+200, len(pts))] {
			args = append(args, p.lon, p.lat, p.member)
		}
		if err := rdb.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("GEOADD: %v", err)
		}
	}
	return loadLocal(t, key, pts)
}

// loadLocal is the zset.Set half of load.
func loadLocal(t *testing.T, key string, pts []point) *loaded {
	t.Helper()
	l := &loaded{key: key, pts: pts, set: zset.New(rand.New(rand.NewPCG(3, 4))), scores: map[string]float64{}}
	for _, p := range pts {
		score, err := geo.Encode(parseCoord(t, p.lon), parseCoord(t, p.lat))
		if err != nil {
			t.Fatalf("Encode(%s, %s): %v", p.lon, p.lat, err)
		}
		l.set.Add(p.member, score)
		l.scores[p.member] = score
	}
	l.set.SetListpack(len(pts) <= 128)
	return l
}

func TestServerPointReplies(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(20240101, 7))
	l := load(t, ctx, rdb, "pts", genPoints(r, 3000))

	// GEOADD's scores, through ZSCORE's "%.17g".
	for _, p := range l.pts {
		got := render(rdb.Do(ctx, "ZSCORE", l.key, p.member).Result())
		if want := rnum.FormatScore(l.scores[p.member]); got != want {
			t.Errorf("GEOADD %s %s: ZSCORE %s, Encode %s", p.lon, p.lat, got, want)
		}
	}
	// GEOPOS and GEOHASH of every member in one reply each.
	args := []any{"GEOPOS", l.key}
	hargs := []any{"GEOHASH", l.key}
	for _, p := range l.pts {
		args = append(args, p.member)
		hargs = append(hargs, p.member)
	}
	args = append(args, "missing")
	hargs = append(hargs, "missing")
	pos, err := rdb.Do(ctx, args...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := rdb.Do(ctx, hargs...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range l.pts {
		lon, lat := geo.Decode(l.scores[p.member])
		if got, want := render(pos[i], nil), "["+geo.FormatCoord(lon)+" "+geo.FormatCoord(lat)+"]"; got != want {
			t.Errorf("GEOPOS of (%s, %s) = %s, want %s", p.lon, p.lat, got, want)
		}
		if got, want := render(hashes[i], nil), geo.Hash(lon, lat); got != want {
			t.Errorf("GEOHASH of (%s, %s) = %s, want %s", p.lon, p.lat, got, want)
		}
	}
	if pos[len(l.pts)] != nil || hashes[len(l.pts)] != nil {
		t.Errorf("missing member: GEOPOS %v, GEOHASH %v", pos[len(l.pts)], hashes[len(l.pts)])
	}

	// GEODIST between random pairs, neighbours in the list (stacked points,
	// antipodal pairs) and equal longitudes, in every unit.
	units := []string{"m", "km", "ft", "mi", "KM"}
	pipe := rdb.Pipeline()
	type pair struct {
		a, b string
		unit string
		cmd  *redis.Cmd
	}
	var pairs []pair
	for i := range 4000 {
		a := l.pts[r.IntN(len(l.pts))]
		b := l.pts[r.IntN(len(l.pts))]
		if i%2 == 0 && i/2+1 < len(l.pts) {
			a, b = l.pts[i/2], l.pts[i/2+1]
		}
		u := units[r.IntN(len(units))]
		pairs = append(pairs, pair{a.member, b.member, u, pipe.Do(ctx, "GEODIST", l.key, a.member, b.member, u)})
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	tally := newTally("GEODIST")
	defer tally.log(t)
	for _, p := range pairs {
		lon1, lat1 := geo.Decode(l.scores[p.a])
		lon2, lat2 := geo.Decode(l.scores[p.b])
		unit, err := geo.ParseUnit([]byte(p.unit))
		if err != nil {
			t.Fatal(err)
		}
		tally.compared++
		want := geo.FormatDistance(geo.Distance(lon1, lat1, lon2, lat2) / float64(unit))
		got := render(p.cmd.Result())
		switch {
		case got == want:
		case distanceExplained(got, want, unit, lon1, lat1, lon2, lat2):
			tally.reasons["distance digits"]++
		default:
			t.Errorf("GEODIST %s %s %s = %s, want %s", p.a, p.b, p.unit, got, want)
		}
	}
}

// searchCase is one GEOSEARCH: its arguments and the Query they parse to.
type searchCase struct {
	args []any
	q    geo.Query
	with [3]bool // WITHDIST, WITHHASH, WITHCOORD
}

func randSize(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		return "0"
	case 1:
		return "inf"
	}
	return strconv.FormatFloat(math.Exp(r.Float64()*math.Log(3e7)), 'g', 1+r.IntN(6), 64)
}

func genSearch(t *testing.T, r *rand.Rand, l *loaded) searchCase {
	var c searchCase
	c.args = []any{"GEOSEARCH", l.key}
	if r.IntN(3) == 0 {
		p := l.pts[r.IntN(len(l.pts))]
		c.args = append(c.args, "FROMMEMBER", p.member)
		c.q.Shape.Lon, c.q.Shape.Lat = geo.Decode(l.scores[p.member])
	} else {
		var lon, lat string
		if r.IntN(4) == 0 {
			p := l.pts[r.IntN(len(l.pts))]
			lon, lat = p.lon, p.lat
		} else {
			lon, lat = coord(r, r.Float64()*360-180), coord(r, r.Float64()*170.1-85.05)
		}
		c.args = append(c.args, "FROMLONLAT", lon, lat)
		c.q.Shape.Lon, c.q.Shape.Lat = parseCoord(t, lon), parseCoord(t, lat)
	}
	units := []string{"m", "km", "ft", "mi"}
	unit := units[r.IntN(len(units))]
	u, _ := geo.ParseUnit([]byte(unit))
	c.q.Shape.Unit = u
	if r.IntN(2) == 0 {
		rad := randSize(r)
		c.args = append(c.args, "BYRADIUS", rad, unit)
		c.q.Shape.Radius = parseCoord(t, rad)
	} else {
		w, h := randSize(r), randSize(r)
		c.args = append(c.args, "BYBOX", w, h, unit)
		c.q.Shape.Box = true
		c.q.Shape.Width, c.q.Shape.Height = parseCoord(t, w), parseCoord(t, h)
	}
	switch r.IntN(3) {
	case 1:
		c.args = append(c.args, "ASC")
		c.q.Order = geo.Asc
	case 2:
		c.args = append(c.args, "DESC")
		c.q.Order = geo.Desc
	}
	if r.IntN(2) == 0 {
		c.q.Count = int64(1 + r.IntN(40))
		c.args = append(c.args, "COUNT", c.q.Count)
		if r.IntN(2) == 0 {
			c.args = append(c.args, "ANY")
			c.q.Any = true
		}
	}
	for i, opt := range []string{"WITHDIST", "WITHHASH", "WITHCOORD"} {
		if r.IntN(2) == 0 {
			c.args = append(c.args, opt)
			c.with[i] = true
		}
	}
	// A circle is also a GEORADIUS or GEORADIUSBYMEMBER[_RO]: the centre
	// and the radius move to fixed positions, the options stay.
	if !c.q.Shape.Box && r.IntN(2) == 0 {
		var from, rest []any
		if c.args[2] == "FROMMEMBER" {
			from, rest = []any{c.args[3]}, c.args[4:]
			c.args = []any{[]string{"GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"}[r.IntN(2)], l.key}
		} else {
			from, rest = []any{c.args[3], c.args[4]}, c.args[5:]
			c.args = []any{[]string{"GEORADIUS", "GEORADIUS_RO"}[r.IntN(2)], l.key}
		}
		c.args = append(append(c.args, from...), rest[1:]...) // drop "BYRADIUS"
	}
	return c
}

func TestServerSearch(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(99, 1))
	sets := []*loaded{
		load(t, ctx, rdb, "big", genPoints(r, 2500)),
		load(t, ctx, rdb, "small", genPoints(r, 100)),
	}
	nonEmpty := 0
	commands := map[any]int{}
	tally := newTally("GEOSEARCH and GEORADIUS")
	defer tally.log(t)
	for i := range 3000 {
		l := sets[i%len(sets)]
		c := genSearch(t, r, l)
		commands[c.args[0]]++
		reply, err := rdb.Do(ctx, c.args...).Result()
		got := render(reply, err)
		if got != "[]" {
			nonEmpty++
		}
		tally.compared++
		ours := c.ourItems(l)
		want := c.renderItems(ours)
		if got == want {
			continue
		}
		if items, ok := redisItems(reply, c.with); ok && err == nil {
			if reason, ok := c.explain(l, items, ours); ok {
				tally.reasons[reason]++
				continue
			}
		}
		t.Errorf("%v\n got %s\nwant %s", c.args, got, want)
	}
	if nonEmpty < 1000 {
		t.Errorf("only %d of 3000 searches found anything; the generator has drifted", nonEmpty)
	}
	for _, cmd := range []string{"GEOSEARCH", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"} {
		if commands[cmd] < 50 {
			t.Errorf("only %d %s commands: the generator has drifted", commands[cmd], cmd)
		}
	}
}

// TestServerOddScores covers members a plain ZADD wrote: every score still
// decodes (through C's double-to-uint64 conversion) for GEOPOS, GEOHASH
// and GEODIST.
func TestServerOddScores(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	scores := []string{"-1", "1.5", "-0.5", "0", "4503599627370495", "4503599627370496",
		"9007199254740993", "1e300", "-1e300", "9223372036854775808", "18446744073709551616",
		"-9223372036854775808", "inf", "-inf", "3471579339700058", "1e-300"}
	args := []any{"ZADD", "odd"}
	for i, s := range scores {
		args = append(args, s, fmt.Sprintf("s%d", i))
	}
	if err := rdb.Do(ctx, args...).Err(); err != nil {
		t.Fatal(err)
	}
	tally := newTally("GEODIST")
	defer tally.log(t)
	for i, s := range scores {
		m := fmt.Sprintf("s%d", i)
		score, _ := rnum.ParseFloat([]byte(s))
		lon, lat := geo.Decode(score)
		if got, want := render(rdb.Do(ctx, "GEOPOS", "odd", m).Result()),
			"[["+geo.FormatCoord(lon)+" "+geo.FormatCoord(lat)+"]]"; got != want {
			t.Errorf("GEOPOS of score %s = %s, want %s", s, got, want)
		}
		if got, want := render(rdb.Do(ctx, "GEOHASH", "odd", m).Result()), "["+geo.Hash(lon, lat)+"]"; got != want {
			t.Errorf("GEOHASH of score %s = %s, want %s", s, got, want)
		}
		next := fmt.Sprintf("s%d", (i+1)%len(scores))
		nscore, _ := rnum.ParseFloat([]byte(scores[(i+1)%len(scores)]))
		nlon, nlat := geo.Decode(nscore)
		tally.compared++
		got := render(rdb.Do(ctx, "GEODIST", "odd", m, next, "km").Result())
		switch want := geo.FormatDistance(geo.Distance(lon, lat, nlon, nlat) / 1000); {
		case got == want:
		case distanceExplained(got, want, geo.Kilometers, lon, lat, nlon, nlat):
			tally.reasons["distance digits"]++
		default:
			t.Errorf("GEODIST %s %s km = %s, want %s", m, next, got, want)
		}
	}
}

// TestServerErrors compares the error texts of the input checks.
func TestServerErrors(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	rdb.Do(ctx, "GEOADD", "e", "1", "2", "a")
	for _, tc := range []struct {
		args []any
		ours func() error
	}{
		{[]any{"GEOADD", "e", "200", "10", "x"}, func() error { _, err := geo.Encode(200, 10); return err }},
		{[]any{"GEOADD", "e", "-180.0000001", "-85.05112879", "x"}, func() error {
			_, _, err := geo.ParseLonLat([]byte("-180.0000001"), []byte("-85.05112879"))
			return err
		}},
		{[]any{"GEOADD", "e", "1e300", "0", "x"}, func() error { _, _, err := geo.ParseLonLat([]byte("1e300"), []byte("0")); return err }},
		{[]any{"GEOADD", "e", "0", "-inf", "x"}, func() error { _, _, err := geo.ParseLonLat([]byte("0"), []byte("-inf")); return err }},
		{[]any{"GEOADD", "e", "0", "0.0000001e3", "x"}, func() error { _, _, err := geo.ParseLonLat([]byte("0"), []byte("0.0000001e3")); return err }},
		{[]any{"GEOADD", "e", "abc", "inf", "x"}, func() error { _, _, err := geo.ParseLonLat([]byte("abc"), []byte("inf")); return err }},
		{[]any{"GEOADD", "e", "1", "nan", "x"}, func() error { _, _, err := geo.ParseLonLat([]byte("1"), []byte("nan")); return err }},
		{[]any{"GEODIST", "e", "a", "a", "yd"}, func() error { _, err := geo.ParseUnit([]byte("yd")); return err }},
		{[]any{"GEODIST", "e", "a", "a", "k\x00m"}, func() error { _, err := geo.ParseUnit([]byte("k\x00m")); return err }},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYRADIUS", "-1", "yd"}, func() error {
			_, _, err := geo.ParseRadius([]byte("-1"), []byte("yd"))
			return err
		}},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYRADIUS", "x", "m"}, func() error {
			_, _, err := geo.ParseRadius([]byte("x"), []byte("m"))
			return err
		}},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYBOX", "1", "-1", "m"}, func() error {
			_, _, _, err := geo.ParseBox([]byte("1"), []byte("-1"), []byte("m"))
			return err
		}},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYBOX", "1", "h", "m"}, func() error {
			_, _, _, err := geo.ParseBox([]byte("1"), []byte("h"), []byte("m"))
			return err
		}},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYBOX", "w", "h", "m"}, func() error {
			_, _, _, err := geo.ParseBox([]byte("w"), []byte("h"), []byte("m"))
			return err
		}},
		{[]any{"GEOSEARCH", "e", "FROMLONLAT", "0", "0", "BYBOX", "1", "1", "Ft\x00"}, func() error {
			_, _, _, err := geo.ParseBox([]byte("1"), []byte("1"), []byte("Ft\x00"))
			return err
		}},
	} {
		got := render(rdb.Do(ctx, tc.args...).Result())
		// The replies when the arguments are accepted.
		want := map[any]string{"GEOADD": "1", "GEODIST": "0.0000", "GEOSEARCH": "[]"}[tc.args[0]]
		if err := tc.ours(); err != nil {
			want = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("%q: redis %q, ours %q", tc.args, got, want)
		}
	}
}

// TestServerPolarMiss pins a quirk that a simulator must keep: near the
// poles the cells Redis scans do not cover its circle, so a member well
// inside the radius is not found.
func TestServerPolarMiss(t *testing.T) {
	rdb := startRedis(t)
	ctx := context.Background()
	const lon, lat = "72.471115223572781", "83.825101645089035"
	shape := geo.Shape{Lon: 98.81402891377672, Lat: 84.70257675262081, Unit: geo.Meters, Radius: 603841.543544889}
	if err := rdb.Do(ctx, "GEOADD", "polar", lon, lat, "p").Err(); err != nil {
		t.Fatal(err)
	}
	score, _ := geo.Encode(parseCoord(t, lon), parseCoord(t, lat))
	plon, plat := geo.Decode(score)
	if d, ok := shape.Within(plon, plat); !ok || d > shape.Radius-10000 {
		t.Fatalf("the point is not well inside the circle: %v m", d)
	}
	got := render(rdb.Do(ctx, "GEOSEARCH", "polar", "FROMLONLAT", "98.81402891377672", "84.70257675262081",
		"BYRADIUS", "603841.543544889", "m").Result())
	z := zset.New(rand.New(rand.NewPCG(1, 1)))
	z.Add("p", score)
	q := geo.Query{Shape: shape}
	if pts := q.Run(z); got != "[]" || len(pts) != 0 {
		t.Errorf("redis found %s and Run %v; both should miss the point", got, pts)
	}
}
