package deploy

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis"
)

func TestExpiresDiffer(t *testing.T) {
	e := func(kv ...any) []redis.KeyExpire {
		var out []redis.KeyExpire
		for i := 0; i < len(kv); i += 2 {
			out = append(out, redis.KeyExpire{Key: kv[i].(string), At: int64(kv[i+1].(int))})
		}
		return out
	}
	for _, c := range []struct {
		a, b []redis.KeyExpire
		want string
	}{
		{e("x1", 100, "x2", 200), e("x1", 100, "x2", 200), ""},
		{nil, nil, ""},
		{e("x1", 100, "x2", 200), e("x1", 100, "x2", 207), `key "x2" expires at 200 on m, expires at 207 on r1 (+7 ms)`},
		{e("x1", 100, "x2", 200), e("x2", 200), `key "x1" expires at 100 on m, has no TTL on r1`},
		{e("x2", 200), e("x1", 100, "x2", 200), `key "x1" has no TTL on m, expires at 100 on r1`},
		{e("x1", 100), nil, `key "x1" expires at 100 on m, has no TTL on r1`},
	} {
		got := expiresDiffer("m", c.a, "r1", c.b)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("expiresDiffer(%v, %v) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
