// Package redis reaches forbidden functions through renamed and dot imports.
package redis

import (
	r "math/rand"
	. "time"
)

func draw() int {
	_ = Now()        // want `time\.Now reads the wall clock`
	return r.Intn(6) // want `math/rand\.Intn draws from the global random source`
}
