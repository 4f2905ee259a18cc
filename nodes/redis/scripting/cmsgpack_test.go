package scripting

import (
	"math/rand/v2"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

// The replies below are redis-server 7.0.15's (TestDifferentialScripts
// checks the same scripts and more against a live server).
var cmsgpackCases = []evalCase{
	{script: "return cmsgpack.pack(0, 127, 128, 65536, -1, -33, -129, -32769, -2147483649, 2^63)", want: "$34\r\n\x00\x7f̀\xce\x00\x01\x00\x00\xff\xd0\xdf\xd1\xff\x7f\xd2\xff\xff\x7f\xff\xd3\xff\xff\xff\xff\x7f\xff\xff\xff\xca_\x00\x00\x00\r\n"},
	{script: "return cmsgpack.pack(1.5, 0.1, 1/0, 0/0)", want: "$28\r\n\xca?\xc0\x00\x00\xcb?\xb9\x99\x99\x99\x99\x99\x9a\xca\x7f\x80\x00\x00\xcb\xff\xf8\x00\x00\x00\x00\x00\x00\r\n"},
	{script: "return cmsgpack.pack({}, {1, 2}, {x = true}, {[1] = 1, [3] = 3}, \"abc\", string.rep(\"a\", 40))", want: "$59\r\n\x90\x92\x01\x02\x81\xa1xÂ\x01\x01\x03\x03\xa3abc\xd9(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"},
	{script: "local t = {} t[1] = t return cmsgpack.pack(t)", want: "$17\r\n\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\xc0\r\n"},
	{script: "return {cmsgpack.unpack(cmsgpack.pack(1, -300, 5000000000, \"s\", true))}", want: "*5\r\n:1\r\n:-300\r\n:5000000000\r\n$1\r\ns\r\n:1\r\n"},
	{script: "return {cmsgpack.unpack(\"\\207\\255\\255\\255\\255\\255\\255\\255\\255\")}", want: "*1\r\n:-1\r\n"},
	{script: "return {cmsgpack.unpack(\"\\129\\192\\1\")}", want: "-ERR table index is nil script: 29869d82148b52aeef44deddde658a803f5311e8, on @user_script:1.\r\n"},
	{script: "return {cmsgpack.unpack(\"\\193\")}", want: "-ERR user_script:1: Bad data format in input. script: 9f3e2270333b69496aeb05cd95c80577c826dfcd, on @user_script:1.\r\n"},
	{script: "return {cmsgpack.unpack(\"\\146\\1\")}", want: "-ERR user_script:1: Missing bytes in input. script: 70df16c1e4e42c83cb5269521877deab9f826fde, on @user_script:1.\r\n"},
	{script: "return {cmsgpack.unpack_one(\"\\1\\2\\3\", 1)}", want: "*2\r\n:2\r\n:2\r\n"},
	{script: "return {cmsgpack.unpack_one(\"\\1\\2\\3\", 3)}", want: "*1\r\n:-1\r\n"},
	{script: "return {cmsgpack.unpack_one(\"\\1\\2\\3\", 4)}", want: "-ERR user_script:1: Start offset 4 greater than input length 3. script: b7c773ff87f16dd59e84cd2372983a459c721709, on @user_script:1.\r\n"},
	{script: "return {cmsgpack.unpack_limit(\"\\1\\2\\3\", 2)}", want: "*3\r\n:2\r\n:1\r\n:2\r\n"},
	{script: "return {cmsgpack.unpack_limit(\"\\1\\2\\3\", 0)}", want: "*3\r\n:1\r\n:2\r\n:3\r\n"},
	{script: "return {cmsgpack.unpack_limit(\"\\1\\2\\3\", -1)}", want: "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 3. script: 341f82f4570a0f5e5b10fe447a00435474c70e73, on @user_script:1.\r\n"},
	{script: "return cmsgpack.pack()", want: "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: 6bc235afa55de88253e203cc5fe5844792e25209, on @user_script:1.\r\n"},
	{script: "local s = string.rep(\"\\1\", 8000) return #{cmsgpack.unpack(s)}", want: "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: c95605066e9f48c5587ae1ecc72d9a8caffeb326, on @user_script:1.\r\n"},
	{script: "local s = string.rep(\"\\145\", 4010) .. \"\\1\" return cmsgpack.unpack(s)", want: "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: ed2d7d8d54734bf50841130c6d03407994fb3853, on @user_script:1.\r\n"},
}

func TestCMsgpack(t *testing.T) {
	e := New()
	for _, c := range cmsgpackCases {
		if got := c.run(t, e); got != c.want {
			t.Errorf("EVAL %q\n got %q\nwant %q", c.script, got, c.want)
		}
	}
}

// TestCMsgpackRoundTrip packs and unpacks values of every kind the
// library keeps (integers of each width, floats a float32 holds, strings
// of each length class, nested arrays and maps).
func TestCMsgpackRoundTrip(t *testing.T) {
	const script = `
local v = {1, -1, 127, -32, -33, 255, 65535, 2^32, -2^40, 1.5, "", string.rep("x", 300), true, false,
  {1, {2, {3}}}, {a = {b = "c"}}}
local back = cmsgpack.unpack(cmsgpack.pack(v))
return cjson.encode(v) == cjson.encode(back) and #cmsgpack.pack(back) == #cmsgpack.pack(v)`
	c := evalCase{script: script, want: ":1\r\n"}
	if got := c.run(t, New()); got != c.want {
		t.Fatalf("round trip: %q", got)
	}
}

// TestCMsgpackNoPanic feeds random bytes to the unpackers: every input
// gives values or an error reply, never a panic of the engine.
func TestCMsgpackNoPanic(t *testing.T) {
	e := New()
	rng := rand.New(rand.NewPCG(1, 2))
	srv := newFakeServer()
	for i := 0; i < 2000; i++ {
		b := make([]byte, rng.IntN(24))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		for _, s := range []string{`return {cmsgpack.unpack(ARGV[1])}`, `return {cmsgpack.unpack_one(ARGV[1], 1)}`,
			`return {cmsgpack.unpack_limit(ARGV[1], 2, 1)}`} {
			w := resp.NewWriter(2)
			e.Eval([]byte(s), nil, [][]byte{b}, srv.ctx(), w)
			if len(w.Bytes()) == 0 || string(w.Bytes()[:5]) == "-ERR " && string(w.Bytes()[5:13]) == "Error ru" {
				t.Fatalf("unpack %q: reply %q", b, w.Bytes())
			}
		}
	}
}
