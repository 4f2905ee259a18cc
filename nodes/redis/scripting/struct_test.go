package scripting

import "testing"

// The replies below are redis-server 7.0.15's (TestDifferentialScripts
// checks the same scripts and more against a live server).
var structCases = []evalCase{
	{script: "return struct.pack(\">bBhHlLTiI\", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)", want: "$38\r\n\xff\xff\xff\xfe\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\a\xff\xff\xff\xfc\xff\xff\xff\xff\r\n"},
	{script: "return struct.pack(\"<i3 >i3 i16\", -2, -2, -1)", want: "$22\r\n\xfe\xff\xff\xff\xff\xfe\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\r\n"},
	{script: "return struct.pack(\">L\", 2^64) .. struct.pack(\">L\", 0/0) .. struct.pack(\">L\", 1e30)", want: "$24\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n"},
	{script: "return struct.pack(\"!bd!4bi\", 1, 2, 3, 4)", want: "$24\r\n\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00@\x03\x00\x00\x00\x04\x00\x00\x00\r\n"},
	{script: "return struct.pack(\"c3sxc0\", \"abc\", \"def\", \"gh\")", want: "$10\r\nabcdef\x00\x00gh\r\n"},
	{script: "return struct.pack(\"c2\", \"a\")", want: "-ERR user_script:1: bad argument #3 to 'pack' (string too short) script: 3376c587a573b45d4fadca263b90ac8ed0b74135, on @user_script:1.\r\n"},
	{script: "return struct.pack(\"i\")", want: "-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: 3c079589e4e6203aa93753a0b9af9671df97f531, on @user_script:1.\r\n"},
	{script: "return struct.pack(\"z\")", want: "-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'z') script: fec3486c9742fbc7facaf79bc5267830d08930e9, on @user_script:1.\r\n"},
	{script: "return struct.pack(\"i33\", 1)", want: "-ERR user_script:1: integral size 33 is larger than limit of 32 script: 87b2123ff20c69632652cce4e852d271f2fdf6cf, on @user_script:1.\r\n"},
	{script: "return struct.pack(\"!3\", 1)", want: "-ERR user_script:1: alignment 3 is not a power of 2 script: 5b40c3a4eb637551b9b8c0fc1a30bf971365e9ae, on @user_script:1.\r\n"},
	{script: "return struct.pack(\"i99999999999\", 1)", want: "-ERR user_script:1: integral size overflow script: d7ddfef0021fa27310018c06a8d3ef31fccd1ec7, on @user_script:1.\r\n"},
	{script: "return {struct.unpack(\">i9\", string.rep(\"\\255\", 9))}", want: "*2\r\n:-1\r\n:10\r\n"},
	{script: "return {struct.unpack(\"c1c0\", \"3abcd\")}", want: "*2\r\n$3\r\nabc\r\n:5\r\n"},
	{script: "return {struct.unpack(\"s s\", \"ab\\0cd\\0\")}", want: "*3\r\n$2\r\nab\r\n$2\r\ncd\r\n:7\r\n"},
	{script: "return {struct.unpack(\"s\", \"ab\")}", want: "-ERR user_script:1: unfinished string in data script: ca61ed8703f835a60ff80e0ac9c8bcc0e30d1acd, on @user_script:1.\r\n"},
	{script: "return {struct.unpack(\"c0\", \"abc\")}", want: "-ERR user_script:1: format 'c0' needs a previous size script: dcb0e375f0fcfbbcb0972efa870817299bb9851d, on @user_script:1.\r\n"},
	{script: "return {struct.unpack(\"b\", \"abc\", 2)}", want: "*2\r\n:98\r\n:3\r\n"},
	{script: "return {struct.unpack(\"\", \"\", -5)}", want: "*1\r\n:-5\r\n"},
	{script: "return {struct.unpack(\"i\", \"\", 0)}", want: "-ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater) script: 0b4e485eb28c8f723754bc2f11ee4b27ad818237, on @user_script:1.\r\n"},
	{script: "return {struct.unpack(\"i\", \"abc\")}", want: "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: ba02371e8b3d7194b62fce162bf320a4b3d9dedf, on @user_script:1.\r\n"},
	{script: "return {struct.size(\"bhilTfdx\"), struct.size(\"!bhilTfdx\"), struct.size(\"zi!4i\")}", want: "*3\r\n:36\r\n:41\r\n:8\r\n"},
	{script: "return struct.size(\"s\")", want: "-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) script: 0bd68a9d1207d846fb74767b7aeafd360dbf42ba, on @user_script:1.\r\n"},
	{script: "return struct.size(\"b%\")", want: "-ERR user_script:1: bad argument #1 to 'size' (invalid format option '%') script: 072f628dff7d11239c5e9c19c554c7ed95cf5141, on @user_script:1.\r\n"},
}

func TestStruct(t *testing.T) {
	e := New()
	for _, c := range structCases {
		if got := c.run(t, e); got != c.want {
			t.Errorf("EVAL %q\n got %q\nwant %q", c.script, got, c.want)
		}
	}
}

// TestStructRoundTrip unpacks what pack wrote, for every integer option
// in both byte orders and under alignment (redis-server 7.0.15 gives the
// same reply).
func TestStructRoundTrip(t *testing.T) {
	const script = `
local f = "!8 <bBhHlLTiIi3I5 >bBhHlLTiIi3I5 fd s c3"
local s = struct.pack(f, -1, 2, -3, 4, -5, 6, 7, -8, 9, -10, 11, -1, 2, -3, 4, -5, 6, 7, -8, 9, -10, 11, 1.5, 0.1, "str", "abc")
local t = {struct.unpack(f, s)}
return {#s, t[1], t[11], t[12], t[22], t[23], tostring(t[24]), t[25], t[26], t[27]}`
	c := evalCase{script: script, want: "*10\r\n:119\r\n:-1\r\n:11\r\n:-1\r\n:11\r\n:1\r\n$3\r\n0.1\r\n$3\r\nstr\r\n$3\r\nabc\r\n:120\r\n"}
	if got := c.run(t, New()); got != c.want {
		t.Fatalf("round trip\n got %q\nwant %q", got, c.want)
	}
}
