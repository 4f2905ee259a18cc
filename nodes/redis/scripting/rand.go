package scripting

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// lrand48 is Redis's redisLrand48 (src/rand.c), the generator behind its
// math.random: the 48-bit linear congruential generator of drand48,
// x' = 0x5DEECE66D*x + 0xB mod 2^48. Redis patches math.random to use it
// so that scripts are deterministic; reproducing it gives the same numbers
// as real Redis for the same seed.
type lrand48 struct{ x uint64 }

// seed is redisSrand48: the high 32 bits of the state are the seed, the
// low 16 bits 0x330E.
func (r *lrand48) seed(s int32) { r.x = uint64(uint32(s))<<16 | 0x330E }

// next returns the top 31 bits of the next state.
func (r *lrand48) next() int32 {
	r.x = (0x5DEECE66D*r.x + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

// randMax is REDIS_LRAND48_MAX.
const randMax = math.MaxInt32

// mathRandom is Redis's math_random.
func (e *Engine) mathRandom(L *lua.LState) int {
	r := float64(e.rand.next()%randMax) / float64(randMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkInt(L, 1)
		u := checkInt(L, 2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

// mathRandomseed is Redis's math_randomseed.
func (e *Engine) mathRandomseed(L *lua.LState) int {
	e.rand.seed(int32(checkInt(L, 1)))
	return 0
}

// checkInt is luaL_checkint: a number truncated to a C int.
func checkInt(L *lua.LState, n int) int64 {
	f := float64(L.CheckNumber(n))
	return int64(int32(toInt64(f)))
}
