package bitops

import (
	"context"
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/redsim/redsim/nodes/resp"
)

var (
	diffSeeds = flag.Int("bitops.seeds", 6, "seeds per protocol for TestDifferential")
	diffSteps = flag.Int("bitops.steps", 1500, "commands per seed for TestDifferential")
)

// TestDifferential runs seeded random sequences of SET, DEL, SETBIT,
// GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO and LCS against a
// real redis-server and against this package behind a model of the
// node's glue, and requires, after every command, the same reply, the
// same strings under the keys it named (read back with GET) and the same
// server.dirty (rdb_changes_since_last_save), which is how SetBit's
// Modified and Bitfield's Changes show. It runs once per protocol, since
// BITFIELD's nils and LCS IDX's map are written differently in RESP3.
func TestDifferential(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("resp"+string(rune('0'+proto)), func(t *testing.T) {
			t.Parallel() // a server of its own; most of the time is round trips
			c := startOracle(t, proto)
			ctx := context.Background()
			seeds := uint64(*diffSeeds)
			if testing.Short() {
				seeds = min(seeds, 2) // make test runs them all
			}
			for seed := range seeds {
				seed += uint64(proto) * 1000
				if err := c.FlushAll(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				m := newModel(oracleMaxBulkLen)
				if err := c.RPush(ctx, "list", "x").Err(); err != nil {
					t.Fatal(err)
				}
				m.others["list"] = true
				m.dirty = oracleDirty(t, c)
				g := &gen{r: rand.New(rand.NewPCG(seed, 0xb17)), limit: oracleMaxBulkLen}
				w := resp.NewWriter(proto)
				for step := range *diffSteps {
					argv := g.command()
					want := oracleDo(t, c, argv)
					w.Reset()
					m.exec(argv, w)
					if got := renderWritten(t, w); got != want {
						t.Fatalf("seed %d step %d: %s\nredis: %.300s\nbitops: %.300s", seed, step, showArgv(argv), want, got)
					}
					for _, k := range touchedKeys(argv) {
						get := [][]byte{[]byte("GET"), k}
						want := oracleDo(t, c, get)
						w.Reset()
						m.exec(get, w)
						if got := renderWritten(t, w); got != want {
							t.Fatalf("seed %d step %d: after %s, GET %s\nredis: %.300s\nbitops: %.300s", seed, step, showArgv(argv), k, want, got)
						}
					}
					if d := oracleDirty(t, c); d != m.dirty {
						t.Fatalf("seed %d step %d: after %s, redis dirty %d, bitops dirty %d", seed, step, showArgv(argv), d, m.dirty)
					}
				}
			}
		})
	}
}

// touchedKeys are the keys a command may have written.
func touchedKeys(argv [][]byte) [][]byte {
	switch string(argv[0]) {
	case "GETBIT", "BITCOUNT", "BITPOS", "LCS":
		return nil
	case "BITOP":
		return argv[2:3]
	}
	return argv[1:2]
}
