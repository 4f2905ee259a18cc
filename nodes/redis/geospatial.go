package redis

import (
	"strconv"

	"github.com/redsim/redsim/nodes/redis/geo"
	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// The GEO commands (src/geo.c): a geo set is a sorted set whose scores are
// 52-bit geohashes. nodes/redis/geo does the arithmetic; this file parses
// the commands in Redis's order, looks the keys up and replies. GEOADD
// runs (and propagates) as the ZADD it turns into; the searches with
// STORE propagate as they came.
var geoCommands = []cmdSpec{
	{"geoadd", -5, fw, geoaddCommand, oneKey},
	{"geohash", -2, fr, geohashCommand, oneKey},
	{"geopos", -2, fr, geoposCommand, oneKey},
	{"geodist", -4, fr, geodistCommand, oneKey},
	{"georadius", -6, fw, func(c *client, args [][]byte) { georadiusGeneric(c, args, 1, radiusCoords) }, georadiusKeys(6)},
	{"georadiusbymember", -5, fw, func(c *client, args [][]byte) { georadiusGeneric(c, args, 1, radiusMember) }, georadiusKeys(5)},
	{"georadius_ro", -6, fr, func(c *client, args [][]byte) { georadiusGeneric(c, args, 1, radiusCoords|radiusNoStore) }, oneKey},
	{"georadiusbymember_ro", -5, fr, func(c *client, args [][]byte) { georadiusGeneric(c, args, 1, radiusMember|radiusNoStore) }, oneKey},
	{"geosearch", -7, fr, func(c *client, args [][]byte) { georadiusGeneric(c, args, 1, geoSearch) }, oneKey},
	{"geosearchstore", -8, fw, func(c *client, args [][]byte) { georadiusGeneric(c, args, 2, geoSearch|geoSearchStore) }, twoKeys},
}

// georadiusKeys is GEORADIUS's key specs (the key, then the STORE and
// STOREDIST keys searched for from argument from) with georadiusGetKeys.
func georadiusKeys(from int) cmdKeys {
	return cmdKeys{
		specs: []keySpec{keyAt(1), {keyword: "STORE", startFrom: from, keyStep: 1}, {keyword: "STOREDIST", startFrom: from, keyStep: 1}},
		proc:  georadiusGetKeys,
	}
}

// georadiusGetKeys is georadiusGetKeys: the key, and the key after the
// last STORE or STOREDIST from argument 5 on.
func georadiusGetKeys(argv [][]byte) []int {
	stored := -1
	for i := 5; i < len(argv); i++ {
		if (cEqualFold(argv[i], "store") || cEqualFold(argv[i], "storedist")) && i+1 < len(argv) {
			stored = i + 1
			i++
		}
	}
	if stored < 0 {
		return []int{1}
	}
	return []int{1, stored}
}

// The flags of georadiusGeneric.
const (
	radiusCoords   = 1 << iota // GEORADIUS: centre from lon lat
	radiusMember               // GEORADIUSBYMEMBER: centre from a member
	radiusNoStore              // the _RO variants: STORE is a syntax error
	geoSearch                  // GEOSEARCH: FROM... and BY... options
	geoSearchStore             // GEOSEARCHSTORE: the destination is argv[1]
)

// geoaddCommand is GEOADD key [NX|XX] [CH] lon lat member...: the ZADD it
// becomes, scores being the encoded positions.
func geoaddCommand(c *client, args [][]byte) {
	xx, nx, longidx := false, false, 2
opts:
	for ; longidx < len(args); longidx++ {
		switch {
		case cEqualFold(args[longidx], "nx"):
			nx = true
		case cEqualFold(args[longidx], "xx"):
			xx = true
		case cEqualFold(args[longidx], "ch"):
		default:
			break opts
		}
	}
	if (len(args)-longidx)%3 != 0 || (xx && nx) {
		c.w.WriteError(errSyntax)
		return
	}
	zargs := make([][]byte, 0, longidx+(len(args)-longidx)/3*2)
	zargs = append(zargs, []byte("zadd"))
	zargs = append(zargs, args[1:longidx]...)
	for i := longidx; i < len(args); i += 3 {
		lon, lat, err := geo.ParseLonLat(args[i], args[i+1])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		score, err := geo.Encode(lon, lat)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		zargs = append(zargs, strconv.AppendInt(nil, int64(score), 10), args[i+2])
	}
	zaddCommand(c, zargs)
	c.prop = zargs // replaceClientCommandVector: what runs is what propagates
}

// geoZSet is lookupKeyRead plus checkType for a sorted set: nil (and
// ok) when missing, !ok after a WRONGTYPE reply.
func (c *client) geoZSet(key []byte) (z *zset.Set, ok bool) {
	o := c.db.lookupRead(key)
	if o == nil {
		return nil, true
	}
	if o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	return o.zset, true
}

// writeCoord is addReplyHumanLongDouble: a bulk string in RESP2, a double
// with the same text in RESP3.
func (c *client) writeCoord(x float64) {
	var buf [48]byte
	b := geo.AppendCoord(buf[:0], x)
	if c.resp == 2 {
		c.w.WriteBulk(b)
		return
	}
	c.w.WriteRaw(append(append([]byte{','}, b...), '\r', '\n'))
}

func geohashCommand(c *client, args [][]byte) {
	z, ok := c.geoZSet(args[1])
	if !ok {
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		score, found := zsetScore(z, m)
		if !found {
			c.w.WriteNull()
			continue
		}
		c.w.WriteBulkString(geo.Hash(geo.Decode(score)))
	}
}

func geoposCommand(c *client, args [][]byte) {
	z, ok := c.geoZSet(args[1])
	if !ok {
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		score, found := zsetScore(z, m)
		if !found {
			c.w.WriteNullArray()
			continue
		}
		lon, lat := geo.Decode(score)
		c.w.WriteArrayLen(2)
		c.writeCoord(lon)
		c.writeCoord(lat)
	}
}

// zsetScore is zsetScore on a possibly missing set.
func zsetScore(z *zset.Set, member []byte) (float64, bool) {
	if z == nil {
		return 0, false
	}
	return z.Score(string(member))
}

// geodistCommand is GEODIST key member1 member2 [unit].
func geodistCommand(c *client, args [][]byte) {
	unit := geo.Meters
	if len(args) == 5 {
		u, err := geo.ParseUnit(args[4])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		unit = u
	} else if len(args) > 5 {
		c.w.WriteError(errSyntax)
		return
	}
	z, ok := c.geoZSet(args[1])
	if !ok {
		return
	}
	s1, ok1 := zsetScore(z, args[2])
	s2, ok2 := zsetScore(z, args[3])
	if !ok1 || !ok2 {
		c.w.WriteNull()
		return
	}
	lon1, lat1 := geo.Decode(s1)
	lon2, lat2 := geo.Decode(s2)
	c.writeDistance(geo.Distance(lon1, lat1, lon2, lat2) / float64(unit))
}

// writeDistance is addReplyDoubleDistance: always a bulk string.
func (c *client) writeDistance(d float64) {
	var buf [32]byte
	c.w.WriteBulk(geo.AppendDistance(buf[:0], d))
}

// georadiusGeneric is georadiusGeneric: parse in Redis's order (errors
// come in that order), search, and reply or store.
func georadiusGeneric(c *client, args [][]byte, srcIdx int, flags int) {
	var storeKey []byte
	storeDist := false
	z, ok := c.geoZSet(args[srcIdx])
	if !ok {
		return
	}
	var q geo.Query
	shape := &q.Shape
	var baseArgs int
	switch {
	case flags&radiusCoords != 0:
		baseArgs = 6
		lon, lat, err := geo.ParseLonLat(args[2], args[3])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		shape.Lon, shape.Lat = lon, lat
		if shape.Radius, shape.Unit, err = geo.ParseRadius(args[4], args[5]); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	case flags&radiusMember != 0 && z == nil:
		baseArgs = 5
	case flags&radiusMember != 0:
		baseArgs = 5
		score, found := z.Score(string(args[2]))
		if !found {
			c.w.WriteError("ERR could not decode requested zset member")
			return
		}
		shape.Lon, shape.Lat = geo.Decode(score)
		var err error
		if shape.Radius, shape.Unit, err = geo.ParseRadius(args[3], args[4]); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	default: // GEOSEARCH, GEOSEARCHSTORE
		baseArgs = 2
		if flags&geoSearchStore != 0 {
			baseArgs = 3
			storeKey = args[1]
		}
	}

	var withDist, withHash, withCoord, fromMember, fromLoc, byRadius, byBox bool
	rest := args[baseArgs:]
	for i := 0; i < len(rest); i++ {
		arg, left := rest[i], len(rest)-i-1
		switch {
		case cEqualFold(arg, "withdist"):
			withDist = true
		case cEqualFold(arg, "withhash"):
			withHash = true
		case cEqualFold(arg, "withcoord"):
			withCoord = true
		case cEqualFold(arg, "any"):
			q.Any = true
		case cEqualFold(arg, "asc"):
			q.Order = geo.Asc
		case cEqualFold(arg, "desc"):
			q.Order = geo.Desc
		case cEqualFold(arg, "count") && left >= 1:
			n, ok := rnum.ParseInt(rest[i+1])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if n <= 0 {
				c.w.WriteError("ERR COUNT must be > 0")
				return
			}
			q.Count = n
			i++
		case (cEqualFold(arg, "store") || cEqualFold(arg, "storedist")) && left >= 1 && flags&(radiusNoStore|geoSearch) == 0:
			storeKey = rest[i+1]
			storeDist = len(arg) == len("storedist")
			i++
		case cEqualFold(arg, "storedist") && flags&geoSearch != 0 && flags&geoSearchStore != 0:
			storeDist = true
		case cEqualFold(arg, "frommember") && left >= 1 && flags&geoSearch != 0 && !fromLoc:
			fromMember = true
			i++
			if z == nil {
				continue // no source: parse on, and reply when done
			}
			score, found := z.Score(string(rest[i]))
			if !found {
				c.w.WriteError("ERR could not decode requested zset member")
				return
			}
			shape.Lon, shape.Lat = geo.Decode(score)
		case cEqualFold(arg, "fromlonlat") && left >= 2 && flags&geoSearch != 0 && !fromMember:
			lon, lat, err := geo.ParseLonLat(rest[i+1], rest[i+2])
			if err != nil {
				c.w.WriteError(err.Error())
				return
			}
			shape.Lon, shape.Lat = lon, lat
			fromLoc = true
			i += 2
		case cEqualFold(arg, "byradius") && left >= 2 && flags&geoSearch != 0 && !byBox:
			var err error
			if shape.Radius, shape.Unit, err = geo.ParseRadius(rest[i+1], rest[i+2]); err != nil {
				c.w.WriteError(err.Error())
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case cEqualFold(arg, "bybox") && left >= 3 && flags&geoSearch != 0 && !byRadius:
			var err error
			if shape.Width, shape.Height, shape.Unit, err = geo.ParseBox(rest[i+1], rest[i+2], rest[i+3]); err != nil {
				c.w.WriteError(err.Error())
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}

	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		c.w.WriteError("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	}
	if flags&geoSearch != 0 && !fromMember && !fromLoc {
		c.w.WriteError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(args[0]))
		return
	}
	if flags&geoSearch != 0 && !byRadius && !byBox {
		c.w.WriteError("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(args[0]))
		return
	}
	if q.Any && q.Count == 0 {
		c.w.WriteError("ERR the ANY argument requires COUNT argument")
		return
	}

	if z == nil {
		if storeKey != nil {
			if c.db.del(storeKey) {
				c.s.notify(notifyGeneric, "del", storeKey, c.db.id)
				c.s.dirty++
			}
			c.w.WriteInt(0)
		} else {
			c.w.WriteArrayLen(0)
		}
		return
	}

	pts := q.Run(z)
	if storeKey == nil {
		c.writeGeoPoints(pts, shape.Unit, withDist, withHash, withCoord)
		return
	}
	if len(pts) == 0 {
		if c.db.del(storeKey) {
			c.s.notify(notifyGeneric, "del", storeKey, c.db.id)
			c.s.dirty++
		}
		c.w.WriteInt(0)
		return
	}
	// createZsetObject, then zsetConvertToListpackIfNeeded.
	dst := zset.New(c.s.rng)
	maxLen, total := 0, 0
	for _, p := range pts {
		score := p.Score
		if storeDist {
			score = p.Dist / float64(shape.Unit)
		}
		dst.Insert(p.Member, score)
		maxLen = max(maxLen, len(p.Member))
		total += len(p.Member)
	}
	if dst.Len() <= c.s.cfg.ZSetMaxListpackEntries && maxLen <= c.s.cfg.ZSetMaxListpackValue && total < 1<<30 {
		dst.SetListpack(true)
	}
	c.db.set(string(storeKey), &object{kind: kindZSet, zset: dst}, false)
	if flags&geoSearch != 0 {
		c.s.notify(notifyZSet, "geosearchstore", storeKey, c.db.id)
	} else {
		c.s.notify(notifyZSet, "georadiusstore", storeKey, c.db.id)
	}
	c.s.dirty += int64(len(pts))
	c.w.WriteInt(int64(len(pts)))
}

// writeGeoPoints replies with the points found: bare members, or per
// member an array of the member and the options asked for, in the order
// dist, hash, coord.
func (c *client) writeGeoPoints(pts []geo.Point, unit geo.Unit, withDist, withHash, withCoord bool) {
	opts := 0
	for _, on := range []bool{withDist, withHash, withCoord} {
		if on {
			opts++
		}
	}
	c.w.WriteArrayLen(len(pts))
	for _, p := range pts {
		if opts > 0 {
			c.w.WriteArrayLen(opts + 1)
		}
		c.w.WriteBulkString(p.Member)
		if withDist {
			c.writeDistance(p.Dist / float64(unit))
		}
		if withHash {
			c.w.WriteInt(int64(p.Score))
		}
		if withCoord {
			c.w.WriteArrayLen(2)
			c.writeCoord(p.Lon)
			c.writeCoord(p.Lat)
		}
	}
}
