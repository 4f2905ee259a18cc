package resp

import "testing"

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string // nil: unbalanced
	}{
		{"", []string{}},
		{" \t\v\f\r\n ", []string{}},
		{"a b", []string{"a", "b"}},
		{"a\x00b c", []string{"a"}}, // a C string ends at its NUL
		{`"a\x00b"`, []string{"a\x00b"}},
		{`"\x`, nil},
		{`"abc\`, nil},
		{`'abc\'`, nil},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{`"a"` + "\t" + `'b'`, []string{"a", "b"}},
		{`"" ''`, []string{"", ""}},
		{`x"y\"z"`, []string{`xy"z`}},
		{"\"\xff\"", []string{"\xff"}},
	}
	for _, tc := range tests {
		dst, offs, ok := splitArgs([]byte(tc.line), nil, nil)
		if tc.want == nil {
			if ok {
				t.Errorf("%q: ok, want unbalanced", tc.line)
			}
			continue
		}
		if !ok || len(offs) != 2*len(tc.want) {
			t.Errorf("%q: ok=%v offs=%v, want %q", tc.line, ok, offs, tc.want)
			continue
		}
		for i, w := range tc.want {
			if got := string(dst[offs[2*i]:offs[2*i+1]]); got != w {
				t.Errorf("%q: argument %d is %q, want %q", tc.line, i, got, w)
			}
		}
	}
}
