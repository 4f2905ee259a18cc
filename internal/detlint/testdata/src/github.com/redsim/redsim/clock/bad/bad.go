package bad

import "time"

func read() time.Time {
	return time.Now() // want `time\.Now reads the wall clock`
}
