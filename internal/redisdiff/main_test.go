package redisdiff

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// scriptParallelism is how many parallel tests (the script runners, each
// with servers of its own) run at once unless -test.parallel says: their
// time is mostly the wall clock's (!sleep, !quiet, server start-up), not
// CPU, so more than GOMAXPROCS of them overlap that waiting (-short: 27 s
// at 2, 22 s at 4, on 2 cores).
const scriptParallelism = 4

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(scriptParallelism)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
